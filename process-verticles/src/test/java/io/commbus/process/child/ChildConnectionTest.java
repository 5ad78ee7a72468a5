package io.commbus.process.child;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameCodec;
import io.commbus.process.wire.FrameParser;
import io.commbus.process.wire.Headers;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FrameKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parent's end of a connection, against a test peer on a loopback socket that plays the
 * child frame by frame: who gets blamed when a frame cannot be handled.
 */
@Timeout(30)
class ChildConnectionTest {

  private static final ChildSpec SPEC = new ChildSpec(List.of("none"), null, Map.of(), new JsonObject(), List.of(),
      Duration.ofSeconds(5), Protocol.DEFAULT_MAX_FRAME_SIZE, Protocol.DEFAULT_CREDIT, Duration.ofSeconds(5),
      Duration.ofSeconds(1), Duration.ofSeconds(1), UnaryOperator.identity(), Protocol.LogLevel.INFO, Launcher.SPAWN);

  private Vertx vertx;
  private NetServer server;
  private ChildConnection connection;
  private Context context;
  private NetSocket peer;
  private final Promise<Frame> peerReceived = Promise.promise();
  private final Promise<Broken> broken = Promise.promise();

  private record Broken(ExitCause cause, CommBusException error) {
  }

  @BeforeEach
  void connect() {
    vertx = Vertx.vertx();
    CommBus bus = CommBus.create(vertx);
    Promise<Void> accepted = Promise.promise();
    server = vertx.createNetServer().connectHandler(socket -> {
      context = Vertx.currentContext();
      connection = new ChildConnection(context, socket, bus, "child test#0", ConnectionSpec.child(SPEC), new ChildConnection.Listener() {
        @Override
        public void broken(ExitCause cause, CommBusException error, String detail) {
          broken.tryComplete(new Broken(cause, error));
        }

        @Override
        public void deadlineMissed() {
        }

        @Override
        public void closed() {
        }
      });
      socket.handler(new FrameParser(SPEC.maxFrameSize(), FrameKind.FROM_CHILD, connection::handle,
          connection::protocolError));
      accepted.complete();
    });
    await(server.listen(0, "127.0.0.1"));
    peer = await(vertx.createNetClient().connect(server.actualPort(), "127.0.0.1"));
    peer.handler(new FrameParser(Protocol.DEFAULT_MAX_FRAME_SIZE, EnumSet.allOf(FrameKind.class),
        peerReceived::tryComplete, peerReceived::tryFail));
    await(accepted.future());
  }

  @AfterEach
  void close() {
    await(vertx.close());
  }

  private void peerSends(JsonObject header) {
    peer.write(FrameCodec.encode(Frame.of(header)));
  }

  @Test
  void aFrameMissingAFieldIsTheChildsProtocolErrorNamingTheField() {
    RecordingExchange request = send(new RecordingExchange());
    await(peerReceived.future());

    peerSends(Frame.header(FrameKind.CREDIT).put(Protocol.ID, 1));

    Broken result = await(broken.future());
    assertEquals(ExitCause.PROTOCOL_VIOLATION, result.cause());
    assertEquals(ErrorCode.PROTOCOL, result.error().code());
    assertEquals("child test#0: frame 'credit' needs integer field 'n'", result.error().getMessage());
    assertEquals(ErrorCode.PROTOCOL, await(request.failed.future()).code());
  }

  @Test
  void anUnknownCallOpIsAProtocolError() {
    peerSends(Frame.header(FrameKind.CALL, 1).put(Protocol.OP, "teleport").put(Protocol.TYPE, "somewhere"));

    Broken result = await(broken.future());
    assertEquals(ExitCause.PROTOCOL_VIOLATION, result.cause());
    assertTrue(result.error().getMessage().contains("unknown op \"teleport\""), result.error().getMessage());
  }

  @Test
  void aMistypedAnswerIdIsAProtocolErrorSayingWhatCame() {
    peerSends(Frame.header(FrameKind.RES).put(Protocol.ID, "one"));

    Broken result = await(broken.future());
    assertEquals(ExitCause.PROTOCOL_VIOLATION, result.cause());
    assertEquals("child test#0: frame 'res' needs integer field 'id', got \"one\"", result.error().getMessage());
  }

  @Test
  void aBugTakingAnAnswerFailsThatRequestAloneAndTheChildServesOn() {
    RecordingExchange faulty = send(new RecordingExchange() {
      @Override
      public void onValue(Object value) {
        throw new IllegalStateException("a bug in the exchange");
      }
    });
    Frame req = await(peerReceived.future());
    assertEquals(FrameKind.REQ, req.kind());

    peerSends(Frame.header(FrameKind.RES, Headers.requireLong(req, Protocol.ID)));

    CommBusException failure = await(faulty.failed.future());
    assertEquals(ErrorCode.INTERNAL, failure.code());
    assertTrue(failure.getMessage().contains("a bug in the exchange"), failure.getMessage());

    // The connection is whole: the next request is sent and answered.
    Promise<Frame> nextReq = Promise.promise();
    peer.handler(new FrameParser(Protocol.DEFAULT_MAX_FRAME_SIZE, EnumSet.allOf(FrameKind.class),
        nextReq::tryComplete, nextReq::tryFail));
    RecordingExchange healthy = send(new RecordingExchange());
    Frame second = await(nextReq.future());
    peer.write(FrameCodec.encode(Frame.withValue(FrameKind.RES, Headers.requireLong(second, Protocol.ID),
        new JsonObject().put("ok", true))));
    await(healthy.answered.future());
    assertEquals(List.of(new JsonObject().put("ok", true)), healthy.values);
    assertTrue(!broken.future().isComplete(), "the child was blamed: " + broken.future().result());
  }

  @Test
  void aRequestNotYetWrittenWhenTheConnectionEndsIsHandedBackAndOneWrittenFails() {
    RecordingExchange written = send(new RecordingExchange());
    await(peerReceived.future());
    RecordingExchange unwritten = new RecordingExchange();

    // In one turn, before the writer's flush: the second request's frame never leaves.
    context.runOnContext(v -> {
      connection.request(unwritten);
      connection.shutdown(new CommBusException(ErrorCode.CHILD_EXITED, "child test#0 exited"));
    });

    assertEquals(ErrorCode.CHILD_EXITED, await(unwritten.undelivered.future()).code());
    assertEquals(ErrorCode.CHILD_EXITED, await(written.failed.future()).code());
    assertTrue(!unwritten.failed.future().isComplete(), "an undelivered request is not failed");
    assertTrue(!written.undelivered.future().isComplete(), "a written request may have run: it is not handed back");
  }

  private <E extends RecordingExchange> E send(E exchange) {
    context.runOnContext(v -> connection.request(exchange));
    return exchange;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no result within 20 s", e);
    }
  }

  /** A plain request that records how it ended. */
  private static class RecordingExchange implements Exchange {
    final List<Object> values = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Promise<CommBusException> failed = Promise.promise();
    final Promise<CommBusException> undelivered = Promise.promise();
    final Promise<Void> answered = Promise.promise();
    private final long deadline = System.currentTimeMillis() + 10_000;

    @Override
    public long deadlineMillis() {
      return deadline;
    }

    @Override
    public String type() {
      return "test.Request";
    }

    @Override
    public Object payload() {
      return new JsonObject();
    }

    @Override
    public String traceparent() {
      return null;
    }

    @Override
    public boolean streamed() {
      return false;
    }

    @Override
    public void onValue(Object value) {
      values.add(value);
      answered.tryComplete();
    }

    @Override
    public void onItem(Object value, Runnable consumed) {
      values.add(value);
    }

    @Override
    public void onEnd() {
    }

    @Override
    public void onError(CommBusException error) {
      failed.tryComplete(error);
    }

    @Override
    public void onUndelivered(CommBusException why) {
      undelivered.tryComplete(why);
    }

    @Override
    public void onCallerCancel(Runnable cancel) {
    }
  }
}
