package io.commbus.process;

import io.commbus.bus.Message;
import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.commbus.process.wire.Protocol.LogLevel;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Python child's {@code logging} in the node's log: one record per Python record, at its level, under its name. */
class ChildLoggingTest extends ProcessFixture {

  /** The parent of every child's logger (DEBUG let through), and the output pumps' logger. */
  private LogCapture log;
  private LogCapture output;
  private List<LogRecord> records;

  @BeforeEach
  void capture() {
    log = LogCapture.everything("python");
    output = LogCapture.of("io.commbus.process.child");
  }

  @AfterEach
  void release() {
    log.close();
    output.close();
  }

  @Test
  void eachRecordArrivesOnceAtItsLevelUnderItsLoggerWithTheChildAndTheTrace() {
    deploy("py.logs", new PythonProcessConfig("logging_workers", "sync_logs").addPythonPath(PYTHON)
        .setProcess(fastOptions()));
    JsonObject reply = await(bus.query(Message.query("py.logs", new JsonObject()))).json();
    String traceId = reply.getString("traceparent").split("-")[1];
    // Three sources, each in order but not with each other: the socket, stdout's pipe, stderr's.
    await(log.seen("failed sync"));
    await(output.seen("printed sync"));
    await(output.seen("stray stderr sync"));
    records = all();

    List<LogRecord> mine = under("python.logging_workers.orders");
    assertEquals(List.of(Level.INFO, Level.WARNING, Level.SEVERE, Level.SEVERE, Level.SEVERE),
        mine.stream().map(LogRecord::getLevel).toList(), texts(mine));
    assertEquals("[py.logs#0] info sync [trace " + traceId + "]", mine.get(0).getMessage());
    assertEquals("[py.logs#0] critical sync [trace " + traceId + "]", mine.get(3).getMessage());
    assertTrue(records.stream().noneMatch(r -> r.getMessage().contains("debug sync")), "INFO by default");

    // logger.exception: the message and the whole traceback in one record.
    String failed = mine.get(4).getMessage();
    assertTrue(failed.startsWith("[py.logs#0] failed sync [trace " + traceId + "]\nTraceback (most recent call last):"),
        failed);
    assertTrue(failed.endsWith("ValueError: bad order sync"), failed);
    assertTrue(records.stream().noneMatch(r -> r.getMessage().startsWith("[py.logs#0 stderr] Traceback")),
        "a logged traceback is not also a stderr line per line: " + texts(records));

    // What the module logged as it was imported, before the child was ready.
    List<LogRecord> loaded = under("python.logging_workers");
    assertEquals(1, loaded.size(), texts(records));
    assertEquals("[py.logs#0] module loaded", loaded.get(0).getMessage());

    // print and stray stderr keep their line capture.
    assertTrue(texts(records).contains("[py.logs#0 stdout] printed sync"), texts(records));
    assertTrue(texts(records).contains("[py.logs#0 stderr] stray stderr sync"), texts(records));
  }

  @Test
  void anAsyncHandlersRecordsAndAPoolsLeastLevel() {
    PythonProcessConfig worker = new PythonProcessConfig("logging_workers", "async_logs").addPythonPath(PYTHON)
        .setProcess(fastOptions().setLogLevel(LogLevel.DEBUG));
    deploy("py.debug", worker);
    await(bus.query(Message.query("py.debug", new JsonObject())));
    await(log.seen("failed async"));
    records = all();

    List<LogRecord> mine = under("python.logging_workers.orders");
    assertEquals(List.of(Level.FINE, Level.INFO, Level.WARNING, Level.SEVERE, Level.SEVERE, Level.SEVERE),
        mine.stream().map(LogRecord::getLevel).toList(), texts(mine));
    assertTrue(mine.get(0).getMessage().startsWith("[py.debug#0] debug async [trace "), texts(mine));
  }

  @Test
  void anUnknownLogLevelIsRefusedNamingTheSetting() {
    ConfigException refused = assertThrows(ConfigException.class, () -> new ProcessOptions().readFrom(
        ConfigSection.of(new JsonObject().put("logLevel", "verbose"))));
    assertTrue(refused.getMessage().contains("logLevel"), refused.getMessage());
    assertTrue(refused.getMessage().contains("debug, info, warning, error, critical"), refused.getMessage());
    assertEquals(LogLevel.ERROR, new ProcessOptions().readFrom(ConfigSection.of(new JsonObject()
        .put("logLevel", "ERROR"))).getLogLevel());
  }

  private List<LogRecord> under(String logger) {
    return records.stream().filter(r -> logger.equals(r.getLoggerName())).toList();
  }

  private static String texts(List<LogRecord> records) {
    return records.stream().map(r -> r.getLoggerName() + " " + r.getLevel() + " " + r.getMessage())
        .collect(Collectors.joining("\n"));
  }

  private List<LogRecord> all() {
    List<LogRecord> all = new ArrayList<>(log.records());
    all.addAll(output.records());
    return all;
  }
}
