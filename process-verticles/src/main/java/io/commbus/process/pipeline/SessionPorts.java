package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A running session on the bus, so a caller anywhere in the cluster (a Java caller, a Python
 * child or client, another node) can feed it and read it (docs/pipelines.md, "On the bus"):
 *
 * <ul>
 *   <li>{@code commbus.session.<id>.out.<node>.<port>}: a streamed query whose items are the
 *   output's, each a channel {@code item} frame as bytes; one reader at a time;</li>
 *   <li>{@code commbus.session.<id>.in.<node>.<port>}: a query per frame ({@code item}, then
 *   {@code end} or {@code err}), answered once the frame is in the channel: a caller that waits
 *   for its answers goes at the node's pace;</li>
 *   <li>{@code commbus.session.<id>.status} and {@code .terminate}: queries.</li>
 * </ul>
 */
final class SessionPorts {

  /** Frames waiting for room in one input, beyond which a caller is told OVERLOADED. */
  static final int MAX_QUEUED_FRAMES = 1024;
  private static final String PREFIX = "commbus.session.";

  private final CommBus bus;
  private final Session session;
  private final List<Registration> registrations = new ArrayList<>();

  SessionPorts(CommBus bus, Session session) {
    this.bus = bus;
    this.session = session;
  }

  static String outputType(String session, Port port) {
    return PREFIX + session + ".out." + port;
  }

  static String inputType(String session, Port port) {
    return PREFIX + session + ".in." + port;
  }

  static String statusType(String session) {
    return PREFIX + session + ".status";
  }

  static String terminateType(String session) {
    return PREFIX + session + ".terminate";
  }

  /** Registers the session's types; completes once every one can be reached. */
  Future<Void> open(Map<Port, SessionOutput> outputs, Map<Port, ChannelSink> inputs) {
    List<Future<Registration>> made = new ArrayList<>();
    String id = session.id();
    made.add(bus.registerHandler(statusType(id), m -> Future.succeededFuture(session.status())));
    made.add(bus.registerHandler(terminateType(id), m -> session.terminate().map(v -> session.status())));
    outputs.forEach((port, output) -> made.add(bus.registerStreamHandler(outputType(id, port),
        new OutputReader(port, output)::attach)));
    inputs.forEach((port, input) -> made.add(bus.registerHandler(inputType(id, port), new InputWriter(port, input)::take)));
    return Future.all(made).compose(all -> {
      made.forEach(r -> registrations.add(r.result()));
      return Future.all(registrations.stream().map(Registration::ready).toList());
    }).mapEmpty();
  }

  /** Unregisters them; completes either way. */
  Future<Void> close() {
    return Future.join(registrations.stream().map(Registration::unregister).toList()).transform(v ->
        Future.succeededFuture());
  }

  /** One output's bus reader: the output's items go into its stream at the stream's pace. */
  private final class OutputReader {
    private final Port port;
    private final SessionOutput output;
    private StreamSink<Object> reader;

    OutputReader(Port port, SessionOutput output) {
      this.port = port;
      this.output = output;
    }

    void attach(Message query, StreamSink<Object> sink) {
      if (reader != null) {
        sink.fail(new CommBusException(ErrorCode.OVERLOADED, "session " + session.id() + ": output " + port
            + " is being read already; an output has one reader at a time"));
        return;
      }
      reader = sink;
      sink.cancelHandler(v -> detach(sink));
      output.exceptionHandler(sink::fail).endHandler(v -> sink.end()).handler(item -> {
        sink.write(ChannelFrames.encode(ChannelFrames.item(item, item.seq())));
        if (sink.writeQueueFull()) {
          output.pause();
          sink.drainHandler(d -> output.resume());
        }
      });
      output.resume();
    }

    /** The reader went away: the output holds its items for the next one. */
    private void detach(StreamSink<Object> sink) {
      if (reader == sink) {
        output.pause();
        output.handler(null);
        reader = null;
      }
    }
  }

  /** One input's bus writers: frames in the order they came, each answered once it is in the channel. */
  private final class InputWriter {
    private final Port port;
    private final ChannelSink input;
    private final Deque<Waiting> queue = new ArrayDeque<>();
    private boolean ended;

    private record Waiting(Frame frame, Promise<Object> answered) {
    }

    InputWriter(Port port, ChannelSink input) {
      this.port = port;
      this.input = input;
    }

    Future<Object> take(Message message) {
      Frame frame;
      try {
        if (!(message.body() instanceof Buffer bytes)) {
          throw new ProtocolViolation("the body must be one channel frame as bytes");
        }
        frame = ChannelFrames.decode(bytes);
      } catch (ProtocolViolation e) {
        return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "session " + session.id()
            + ": input " + port + ": " + e.getMessage()));
      }
      if (ended) {
        return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "session " + session.id()
            + ": input " + port + " has ended"));
      }
      if (queue.size() >= MAX_QUEUED_FRAMES) {
        return Future.failedFuture(new CommBusException(ErrorCode.OVERLOADED, "session " + session.id() + ": input "
            + port + " has " + MAX_QUEUED_FRAMES + " frames waiting for room; wait for the answers"));
      }
      ended = frame.kind() != io.commbus.process.wire.Protocol.FrameKind.ITEM;
      Promise<Object> answered = Promise.promise();
      queue.add(new Waiting(frame, answered));
      if (queue.size() == 1) {
        pump();
      }
      return answered.future();
    }

    private void pump() {
      while (!queue.isEmpty()) {
        Waiting head = queue.peek();
        try {
          switch (head.frame().kind()) {
            case ITEM -> {
              if (input.writeQueueFull()) {
                input.drainHandler(v -> pump());
                return;
              }
              input.write(ChannelFrames.item(head.frame())).onComplete(w -> head.answered().handle(w.map(v -> null)));
            }
            case END -> input.end().onComplete(e -> head.answered().handle(e.map(v -> null)));
            default -> input.fail(ChannelFrames.error(head.frame()))
                .onComplete(e -> head.answered().handle(e.map(v -> null)));
          }
        } catch (ProtocolViolation e) {
          head.answered().fail(new CommBusException(ErrorCode.INVALID_MESSAGE, e.getMessage()));
        }
        queue.poll();
      }
    }
  }
}
