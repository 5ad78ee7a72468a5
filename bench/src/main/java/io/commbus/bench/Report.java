package io.commbus.bench;

import java.util.List;

/** What one benchmark run found: the conditions it ran under and one row per measurement. */
public record Report(List<String> header, List<Row> rows) {

  public Report {
    header = List.copyOf(header);
    rows = List.copyOf(rows);
  }
}
