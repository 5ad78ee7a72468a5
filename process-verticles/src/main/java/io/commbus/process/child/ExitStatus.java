package io.commbus.process.child;

/**
 * Describes how a child ended. The JDK reports a death by signal as 128 + the signal number,
 * which is what a shell shows too, so that is how it is read here.
 */
public final class ExitStatus {

  private ExitStatus() {
  }

  public static String describe(int status) {
    if (status > 128 && status < 128 + 65) {
      int signal = status - 128;
      return "was killed by signal " + signal + signalName(signal);
    }
    return "exited with status " + status;
  }

  /** The signal number, or 0 when the child exited by itself. */
  public static int signal(int status) {
    return status > 128 && status < 128 + 65 ? status - 128 : 0;
  }

  private static String signalName(int signal) {
    switch (signal) {
      case 1: return " (SIGHUP)";
      case 2: return " (SIGINT)";
      case 6: return " (SIGABRT)";
      case 9: return " (SIGKILL)";
      case 11: return " (SIGSEGV)";
      case 15: return " (SIGTERM)";
      default: return "";
    }
  }
}
