package io.commbus.process.child;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sentence each way a run can end reads as English, with and without a reason of this side's. */
class ExitCauseTest {

  private static final int KILLED = 128 + 9;

  @Test
  void everyCauseWordsItsSentence() {
    Map<ExitCause, String> expected = new EnumMap<>(ExitCause.class);
    expected.put(ExitCause.EXITED, "child sec#0 (pid 12) exited with status 1");
    expected.put(ExitCause.SIGNALLED, "child sec#0 (pid 12) was killed by signal 11 (SIGSEGV)");
    expected.put(ExitCause.SPAWN_FAILED, "child sec#0 could not be started: Cannot run program \"nope\"");
    expected.put(ExitCause.HANDSHAKE_FAILED,
        "child sec#0 (pid 12) exited with status 3 after its handshake failed: it presented a wrong token");
    expected.put(ExitCause.PROTOCOL_VIOLATION, "child sec#0 (pid 12) was killed by signal 9 (SIGKILL) after it broke "
        + "the protocol: frame of 1073741824 bytes exceeds the maximum of 1024");
    expected.put(ExitCause.PARENT_FAILED, "child sec#0 (pid 12) was killed by signal 9 (SIGKILL) after the parent "
        + "failed handling its credit frame: java.lang.IllegalStateException: boom");
    expected.put(ExitCause.HUNG, "child sec#0 (pid 12) was killed by signal 9 (SIGKILL) after it did not answer a "
        + "liveness ping within 500 ms of a request passing its deadline");
    expected.put(ExitCause.DISCONNECTED, "child sec#0 (pid 12) was killed by signal 9 (SIGKILL) after it closed its "
        + "connection and did not exit within 1000 ms");
    expected.put(ExitCause.STOPPED, "child sec#0 (pid 12) was killed by signal 9 (SIGKILL) after it was asked to "
        + "stop and did not within 600 ms");

    Map<ExitCause, String> worded = new EnumMap<>(ExitCause.class);
    worded.put(ExitCause.EXITED, ExitCause.EXITED.describe("sec#0", 12, 1, null));
    worded.put(ExitCause.SIGNALLED, ExitCause.SIGNALLED.describe("sec#0", 12, 128 + 11, null));
    worded.put(ExitCause.SPAWN_FAILED, ExitCause.SPAWN_FAILED.describe("sec#0", -1, -1,
        "Cannot run program \"nope\""));
    worded.put(ExitCause.HANDSHAKE_FAILED, ExitCause.HANDSHAKE_FAILED.describe("sec#0", 12, 3,
        "it presented a wrong token"));
    worded.put(ExitCause.PROTOCOL_VIOLATION, ExitCause.PROTOCOL_VIOLATION.describe("sec#0", 12, KILLED,
        "frame of 1073741824 bytes exceeds the maximum of 1024"));
    worded.put(ExitCause.PARENT_FAILED, ExitCause.PARENT_FAILED.describe("sec#0", 12, KILLED,
        "its credit frame: java.lang.IllegalStateException: boom"));
    worded.put(ExitCause.HUNG, ExitCause.HUNG.describe("sec#0", 12, KILLED, "500 ms of a request passing its deadline"));
    worded.put(ExitCause.DISCONNECTED, ExitCause.DISCONNECTED.describe("sec#0", 12, KILLED, "1000 ms"));
    worded.put(ExitCause.STOPPED, ExitCause.STOPPED.describe("sec#0", 12, KILLED, "600 ms"));

    assertEquals(expected, worded);
  }

  @Test
  void aCauseThisSideDidNotActOnHasNoReason() {
    assertEquals("child sec#0 (pid 12) exited with status 0", ExitCause.STOPPED.describe("sec#0", 12, 0, null));
    assertEquals("child sec#0 (pid 12) exited with status 0", ExitCause.EXITED.describe("sec#0", 12, 0, "ignored"));
    assertEquals("child sec#0 could not be started", ExitCause.SPAWN_FAILED.describe("sec#0", -1, -1, null));
  }
}
