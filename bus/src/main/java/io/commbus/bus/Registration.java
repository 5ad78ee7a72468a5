package io.commbus.bus;

import io.vertx.core.Future;

/** A subscription or handler registered on a bus. */
public interface Registration {

  /** What a registration receives, and how. */
  enum Kind {
    /** Answers the commands or queries of a type with one value ({@code registerHandler}). */
    HANDLER("handler"),
    /** Answers the queries of a type with a stream ({@code registerStreamHandler}). */
    STREAM_HANDLER("stream-handler"),
    /** Receives live events of a type ({@code subscribe}). */
    SUBSCRIBER("subscriber"),
    /** Replays the journal and follows it ({@code subscribeFrom}). */
    JOURNAL_SUBSCRIBER("journal-subscriber"),
    /** Shares a consumer group's events with the group's other members ({@code joinGroup}). */
    GROUP_MEMBER("group-member");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    /** The name {@link Registration#kind()} reports, such as {@code stream-handler}. */
    public String label() {
      return label;
    }
  }

  /** The message type it receives. */
  String type();

  /** The {@link Kind#label() label} of its kind: {@code handler}, {@code subscriber}, .... */
  String kind();

  /**
   * Completes once the registration is known across the cluster (at once on a single node).
   * Messages sent from other nodes before then may not reach it.
   */
  Future<Void> ready();

  /** Stops delivery to it. Idempotent. */
  Future<Void> unregister();
}
