package io.commbus.process.wire;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every name and number of the child protocol (docs/protocol.md), in one place: the version,
 * the frame kinds, the header keys, the values some keys take, the environment a child is
 * started with, and the limits. No other class spells one of these as a literal.
 */
public final class Protocol {

  /** The protocol version both sides must speak, checked in {@code hello}. */
  public static final int VERSION = 1;

  // ---- limits

  /** Bytes of each of the two u32 length fields that open a frame. */
  public static final int LENGTH_FIELD_BYTES = 4;
  /** The shortest header: an empty JSON object, {@code {}}. */
  public static final int MIN_HEADER_BYTES = 2;
  /** Default largest frame, in bytes after the first length field; the parent announces its own in {@code welcome}. */
  public static final int DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;
  /** Items an answerer may send before it waits, when a {@code req} or {@code call} grants no {@code credit}. */
  public static final int DEFAULT_CREDIT = 256;
  /**
   * The longest path of the socket a child connects to ({@link #ENV_SOCKET}), in bytes: a Unix
   * socket address holds 108, its terminating NUL included, on Linux. A longer one cannot be
   * listened on or connected to.
   */
  public static final int MAX_SOCKET_PATH_BYTES = 107;
  /** Requests a client takes at once for a type it serves, when its {@code serve} call names no {@link #CONCURRENCY}. */
  public static final int DEFAULT_CONCURRENCY = 16;
  /** The most requests a client may take at once for one {@code serve} or {@code group} call. */
  public static final int MAX_CONCURRENCY = 1024;
  /** Events the parent buffers beyond a subscription's credit before it ends the subscription with OVERLOADED. */
  public static final int SUBSCRIPTION_BUFFER = 1024;

  // ---- header keys, every frame

  /** Frame kind; required. */
  public static final String KIND = "t";
  /** Correlation id of the exchange, or of a ping. */
  public static final String ID = "id";
  /** Body encoding: {@link #BODY_JSON} or {@link #BODY_RAW}; absent: no body. */
  public static final String BODY = "b";
  /** W3C traceparent of the caller's span. */
  public static final String TRACEPARENT = "tp";
  /** Deadline, epoch milliseconds. */
  public static final String DEADLINE = "dl";

  // ---- header keys, by frame

  /** {@code hello}, {@code welcome}: protocol version. */
  public static final String VERSION_FIELD = "v";
  /** {@code hello}: the per-child secret. */
  public static final String TOKEN = "token";
  /** {@code welcome}: the child's id. */
  public static final String CHILD = "child";
  /** {@code welcome}: what the child should run. */
  public static final String ENTRY = "entry";
  /** {@code welcome}, in {@link #ENTRY} of a Python child: the module to import. */
  public static final String ENTRY_MODULE = "module";
  /** {@code welcome}, in {@link #ENTRY} of a Python child: the function that handles requests. */
  public static final String ENTRY_FUNCTION = "function";
  /** {@code welcome}: callback paths the child may call by name. */
  public static final String CALLBACKS = "callbacks";
  /** {@code welcome}: the largest frame the parent accepts. */
  public static final String MAX_FRAME = "maxFrame";
  /** {@code ready}: the {@link HandlerKind} of the child's entry function. */
  public static final String HANDLER_KIND = "kind";
  /** {@code fail}: a {@link FailReason}. */
  public static final String REASON = "reason";
  /** {@code req}, {@code call}, {@code item} of a subscription: the bus message type. */
  public static final String TYPE = "type";
  /** {@code req}, {@code call}: initial credit in items. */
  public static final String CREDIT = "credit";
  /** {@code call}: a {@link CallOp}. */
  public static final String OP = "op";
  /** {@code call}: timeout in milliseconds. */
  public static final String TIMEOUT = "timeout";
  /** {@code credit}: items granted; {@code items}: items carried. */
  public static final String COUNT = "n";
  /** {@code item} of a subscription: the event's journal position. */
  public static final String POSITION = "pos";
  /** {@code err}: the bus error code. */
  public static final String CODE = "code";
  /** {@code err}, {@code fail}: what went wrong. */
  public static final String MESSAGE = "message";
  /** {@code err}: the remote exception type. */
  public static final String ERROR_TYPE = "etype";
  /** {@code err}, {@code fail}: the remote traceback. */
  public static final String TRACEBACK = "traceback";
  /** {@code welcome} to a client: the connection's id in the node's logs. */
  public static final String CLIENT = "client";
  /** {@code welcome} to a client: milliseconds between the node's pings; a client that hears none for long may take the node as gone. */
  public static final String PING_INTERVAL = "ping";
  /** {@code welcome} to a client: the {@link Permission}s its token grants. */
  public static final String ALLOW = "allow";
  /**
   * {@code call} with op {@code publish}: the event's id, chosen by the caller so that sending
   * the call again (after a lost connection) journals the event once.
   */
  public static final String MESSAGE_ID = "mid";
  /** {@code call} with op {@code replay}: the journal position to start from (inclusive). */
  public static final String FROM = "from";
  /** {@code call} with op {@code group}: the event types the group takes (absent: every type). */
  public static final String TYPES = "types";
  /** {@code req} of a group's event: the group it is delivered for. */
  public static final String GROUP = "group";
  /** {@code call} with op {@code serve}: requests the client takes at once. */
  public static final String CONCURRENCY = "concurrency";
  /** {@code bye}: milliseconds the child has to finish. */
  public static final String GRACE = "grace";
  /** {@code welcome} to a child: the least {@link LogLevel} its logging sends in {@code log} frames. */
  public static final String LOG_LEVEL = "log";
  /** {@code log}: the record's {@link LogLevel}. */
  public static final String LEVEL = "level";
  /** {@code log}: the name of the logger that made the record ({@code root} for the root logger). */
  public static final String LOGGER = "logger";
  /** {@code log}: how many records the child dropped before this one, its socket being full. */
  public static final String DROPPED = "dropped";
  /** {@code item} of a pipeline channel: its number on the channel, from 0. */
  public static final String SEQ = "seq";
  /** {@code item} of a pipeline channel: the timestamp its producer gave it. */
  public static final String TS = "ts";
  /** {@code item} of a pipeline channel: its content type ({@code audio/pcm}). */
  public static final String CONTENT_TYPE = "ct";
  /** The most bytes of one item of a pipeline channel. */
  public static final int MAX_CHANNEL_ITEM = 64 * 1024 * 1024;
  /** The most characters of a {@code log} frame's message, and again of its traceback, a child sends. */
  public static final int MAX_LOG_TEXT = 64 * 1024;

  // ---- body fields

  /** The body of the {@code res} answering a {@code publish} call: the event's journal position. */
  public static final String PUBLISHED_POSITION = "position";
  /** The body of the {@code item} that confirms a {@code serve} call: the type now served. */
  public static final String SERVING = "serving";

  // ---- values

  /** {@link #BODY}: the body is UTF-8 JSON. */
  public static final String BODY_JSON = "j";
  /** {@link #BODY}: the body is raw bytes. */
  public static final String BODY_RAW = "r";

  // ---- the child's environment

  /** Absolute path of the socket the child connects to. */
  public static final String ENV_SOCKET = "COMMBUS_SOCKET";
  /** The secret the child presents in {@code hello}. */
  public static final String ENV_TOKEN = "COMMBUS_TOKEN";
  /** The child's id, for its logs. */
  public static final String ENV_CHILD_ID = "COMMBUS_CHILD_ID";

  private Protocol() {
  }

  /** What a frame is, from its {@link #KIND}. */
  public enum FrameKind {
    HELLO, WELCOME, READY, FAIL, REQ, CALL, RES, ITEM, ITEMS, END, ERR, CREDIT, CANCEL, PING, PONG, BYE,
    /** A record of the child's logging, for the node's log; a child sends it any time after {@code hello}. */
    LOG;

    /** Every kind a child may send; the parent's parser refuses the others. */
    public static final Set<FrameKind> FROM_CHILD = EnumSet.of(
        HELLO, READY, FAIL, RES, ITEM, ITEMS, END, ERR, CALL, CREDIT, CANCEL, PONG, LOG);
    /** Every kind the writing end of a pipeline channel sends: items, then {@code end} or {@code err}. */
    public static final Set<FrameKind> FROM_CHANNEL_WRITER = EnumSet.of(ITEM, END, ERR);
    /** Every kind the reading end of a pipeline channel sends: credit. */
    public static final Set<FrameKind> FROM_CHANNEL_READER = EnumSet.of(CREDIT);
    /**
     * Every kind a client may send: a child's, but for the two a client has no use for (it runs
     * no entry function), and {@code bye}: the client is leaving.
     */
    public static final Set<FrameKind> FROM_CLIENT = EnumSet.of(
        HELLO, RES, ITEM, ITEMS, END, ERR, CALL, CREDIT, CANCEL, PONG, BYE);

    private static final WireNames<FrameKind> NAMES = new WireNames<>(FrameKind.class);

    public String wireName() {
      return NAMES.of(this);
    }

    /** The kind spelled {@code name} on the wire; null when there is none. */
    public static FrameKind fromWireName(String name) {
      return NAMES.parse(name);
    }
  }

  /** The {@link #OP} of a {@code call}: what the child asks the parent to do on the bus. */
  public enum CallOp {
    PUBLISH, SEND, QUERY, STREAM, CALLBACK, SUBSCRIBE,
    /** Events of a type from a journal position on, then live, paced by credit. */
    REPLAY,
    /** A client serves a type: the node sends it {@code req}s of that type until it cancels the call. Not for children. */
    SERVE,
    /** A client joins a consumer group: the node sends it the group's events as {@code req}s, each acknowledged by its answer. Not for children. */
    GROUP;

    private static final WireNames<CallOp> NAMES = new WireNames<>(CallOp.class);

    public String wireName() {
      return NAMES.of(this);
    }

    /** The op spelled {@code name} on the wire; null when there is none. */
    public static CallOp fromWireName(String name) {
      return NAMES.parse(name);
    }
  }

  /** How a child's entry function runs, as its {@code ready} frame reports it. */
  public enum HandlerKind {
    /** A plain function, run on a worker thread; answers one value. */
    SYNC,
    /** A coroutine function; answers one value. */
    ASYNC,
    /** An async generator; answers a stream. */
    STREAM;

    private static final WireNames<HandlerKind> NAMES = new WireNames<>(HandlerKind.class);

    public String wireName() {
      return NAMES.of(this);
    }

    /** Whether the handler answers with a stream rather than one value. */
    public boolean streams() {
      return this == STREAM;
    }

    /** The kind spelled {@code name} on the wire; null when there is none. */
    public static HandlerKind fromWireName(String name) {
      return NAMES.parse(name);
    }
  }

  /** The {@link #REASON} of a {@code fail} frame: why a handshake failed. */
  public enum FailReason {
    BAD_TOKEN, VERSION_MISMATCH, IMPORT, TIMEOUT, CHILD_EXITED, PROTOCOL,
    /** A client endpoint at its connection limit refuses the connection. */
    OVERLOADED,
    /** A client endpoint that is stopping refuses new connections. */
    STOPPING;

    private static final WireNames<FailReason> NAMES = new WireNames<>(FailReason.class);

    public String wireName() {
      return NAMES.of(this);
    }

    /** The reason spelled {@code name} on the wire; {@link #PROTOCOL} for one this side does not know. */
    public static FailReason fromWireName(String name) {
      FailReason reason = NAMES.parse(name);
      return reason == null ? PROTOCOL : reason;
    }
  }

  /**
   * The level of a {@code log} frame, as Python's {@code logging} names them, and the level of
   * the node's log record it becomes.
   */
  public enum LogLevel {
    DEBUG(System.Logger.Level.DEBUG),
    INFO(System.Logger.Level.INFO),
    WARNING(System.Logger.Level.WARNING),
    ERROR(System.Logger.Level.ERROR),
    /** Python's highest; the node's log has no level above ERROR. */
    CRITICAL(System.Logger.Level.ERROR);

    private static final WireNames<LogLevel> NAMES = new WireNames<>(LogLevel.class);

    private final System.Logger.Level nodeLevel;

    LogLevel(System.Logger.Level nodeLevel) {
      this.nodeLevel = nodeLevel;
    }

    public String wireName() {
      return NAMES.of(this);
    }

    /** The level the node logs a record of this level at. */
    public System.Logger.Level nodeLevel() {
      return nodeLevel;
    }

    /** The level spelled {@code name}; null when there is none. */
    public static LogLevel fromWireName(String name) {
      return NAMES.parse(name);
    }
  }

  /** What a client's token lets it do on the bus, as {@code welcome} lists it in {@link #ALLOW}. */
  public enum Permission {
    /** {@code publish} calls. */
    PUBLISH,
    /** {@code send} calls. */
    SEND,
    /** {@code query}, {@code stream} and {@code callback} calls. */
    QUERY,
    /** {@code subscribe} and {@code replay} calls. */
    SUBSCRIBE,
    /** {@code serve} calls, for the types under the token's serve prefixes. */
    SERVE,
    /** {@code group} calls, for the groups under the token's group prefixes. */
    GROUP,
    /**
     * Calls that name one of commbus's own types ({@link io.commbus.bus.SystemTypes}: the
     * registry's events, callbacks' queries), on top of the verb's own permission.
     */
    ADMIN;

    private static final WireNames<Permission> NAMES = new WireNames<>(Permission.class);

    public String wireName() {
      return NAMES.of(this);
    }

    /** The permission spelled {@code name}; null when there is none. */
    public static Permission fromWireName(String name) {
      return NAMES.parse(name);
    }

    /** The permission a call of {@code op} needs. */
    public static Permission of(CallOp op) {
      switch (op) {
        case PUBLISH:
          return PUBLISH;
        case SEND:
          return SEND;
        case QUERY:
        case STREAM:
        case CALLBACK:
          return QUERY;
        case SUBSCRIBE:
        case REPLAY:
          return SUBSCRIBE;
        case SERVE:
          return SERVE;
        case GROUP:
          return GROUP;
        default:
          throw new IllegalArgumentException("call op " + op + " needs no permission this side knows");
      }
    }
  }

  /**
   * The wire spelling of an enum's constants: the name in lower case, {@code _} as {@code -}
   * ({@code BAD_TOKEN} is {@code bad-token}). Computed once, since a kind is written on every frame.
   */
  private static final class WireNames<E extends Enum<E>> {
    private final String[] names;
    private final Map<String, E> byName = new HashMap<>();

    WireNames(Class<E> type) {
      E[] values = type.getEnumConstants();
      names = new String[values.length];
      for (E value : values) {
        names[value.ordinal()] = value.name().toLowerCase(Locale.ROOT).replace('_', '-');
        byName.put(names[value.ordinal()], value);
      }
    }

    String of(E value) {
      return names[value.ordinal()];
    }

    E parse(String name) {
      return name == null ? null : byName.get(name);
    }
  }
}
