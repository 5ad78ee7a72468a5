package io.commbus.process;

import io.commbus.bus.SystemTypes;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;

import java.util.regex.Pattern;

/**
 * Callback paths ({@code module.Type}, e.g. {@code market.MarketData}) and the bus query type
 * each one is served under. A callback is a streamed query on the bus, so a child on one node
 * reaches a handler registered on any other.
 */
public final class CallbackPaths {

  private static final String PREFIX = SystemTypes.named("callback.");
  private static final Pattern PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*");
  private static final String SHAPE = "must be module.Type, two identifiers joined by a dot";

  private CallbackPaths() {
  }

  /** {@code module + "." + type}, checked. */
  public static String path(String module, String type) {
    return check(module + "." + type);
  }

  /** The bus message type under which the handler for {@code path} is registered. */
  public static String messageType(String path) {
    return PREFIX + check(path);
  }

  /** Fails with an IllegalArgumentException unless {@code path} is two Python identifiers joined by a dot. */
  public static String check(String path) {
    if (!isPath(path)) {
      throw new IllegalArgumentException("callback path \"" + path + "\" " + SHAPE);
    }
    return path;
  }

  /** The same check for an options setter: fails with an {@link InvalidSettingException} on {@code setting}. */
  static String check(String setting, String path) {
    if (!isPath(path)) {
      throw new InvalidSettingException(setting, SHAPE + ", was \"" + path + "\"");
    }
    return path;
  }

  private static boolean isPath(String path) {
    return path != null && PATH.matcher(path).matches();
  }

  /** The message type of a callback a child calls: a malformed path is its invalid message, answered on the wire. */
  public static String messageTypeOfCall(String path) {
    try {
      return messageType(path);
    } catch (IllegalArgumentException e) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, e.getMessage());
    }
  }
}
