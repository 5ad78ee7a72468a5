package io.commbus.bus.journal.file;

import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The segments of an open journal by first position, and how far readers may see. Only the
 * writer changes them (rolls, retention, acknowledged appends); readers look from any thread.
 */
final class Segments {

  final ConcurrentSkipListMap<Long, Segment> byBase = new ConcurrentSkipListMap<>();
  /** The last acknowledged position: readers never go beyond it. */
  volatile long visible;

  long firstPosition() {
    return byBase.isEmpty() ? 1 : byBase.firstKey();
  }
}
