package io.commbus.bus.internal;

/**
 * The one place event-bus addresses are derived. Nothing else writes an address by hand, so
 * every node and every language computes the same one for the same type. Internal, not API:
 * public only so that the bus's own packages share it.
 */
public final class Addresses {

  private static final String PREFIX = "commbus.";

  private Addresses() {
  }

  /** Where events of a type are published. */
  public static String event(String type) {
    return PREFIX + "event." + type;
  }

  /** Where commands and queries of a type are sent. */
  public static String handler(String type) {
    return PREFIX + "handler." + type;
  }

  /** Where a consumer group's dispatcher hands events to its members. */
  public static String group(String name) {
    return PREFIX + "group." + name;
  }

  /** Where a stream's producer sends items, to its consumer. */
  public static String streamInbound(String streamId) {
    return PREFIX + "stream." + streamId + ".in";
  }

  /** Where a stream's consumer sends credit and cancellation, to its producer. */
  public static String streamControl(String streamId) {
    return PREFIX + "stream." + streamId + ".ctl";
  }
}
