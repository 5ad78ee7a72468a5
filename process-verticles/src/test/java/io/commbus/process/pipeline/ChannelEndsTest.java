package io.commbus.process.pipeline;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.pool.PythonSdk;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JVM's ends of a pipeline channel, against each other and against Python's (commbus.channels). */
@Timeout(60)
class ChannelEndsTest {

  private static final Path PYTHON = Path.of("src/test/resources/python").toAbsolutePath();

  @TempDir
  Path dir;
  private Vertx vertx;
  private Context context;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** Runs {@code work} on one event-loop context, as a stream's user must: its ends and their callbacks take turns there. */
  private <T> Future<T> onLoop(java.util.function.Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(result));
    return result.future();
  }

  /** Writes {@code n} raw items, each waiting for room as a pipe would. */
  private Future<Void> writeAll(ChannelSink sink, int n) {
    Promise<Void> done = Promise.promise();
    writeFrom(sink, 0, n, done);
    return done.future().compose(v -> sink.end());
  }

  private void writeFrom(ChannelSink sink, int from, int n, Promise<Void> done) {
    int i = from;
    while (i < n && !sink.writeQueueFull()) {
      sink.write(ChannelItem.of(Buffer.buffer().appendLong(i).appendBytes(new byte[632])).with((double) i, "audio/pcm"));
      i++;
    }
    if (i == n) {
      sink.drainHandler(null);
      done.complete();
      return;
    }
    int next = i;
    sink.drainHandler(v -> writeFrom(sink, next, n, done));
  }

  @Test
  void itemsCrossInOrderAndAPausedReaderHoldsTheWriterAtItsCapacity() throws Exception {
    Path path = dir.resolve("c.sock");
    List<ChannelItem> items = new java.util.concurrent.CopyOnWriteArrayList<>();
    Promise<Void> ended = Promise.promise();
    ChannelSource source = onLoop(() -> ChannelSource.listen(vertx, path, 16).map(listening -> {
      listening.endHandler(ended::complete).exceptionHandler(ended::tryFail);
      listening.pause();
      listening.handler(items::add);
      return listening;
    })).await();
    ChannelSink sink = onLoop(() -> ChannelSink.connect(vertx, path)).await();
    Future<Void> written = onLoop(() -> writeAll(sink, 2000));

    // Paused, the reader takes nothing: the writer stops once it has used the capacity.
    Promise<Void> full = Promise.promise();
    // Looked at on the sink's own context, where it changes.
    context.runOnContext(v -> vertx.setPeriodic(5, t -> {
      if (sink.sent() == 16 && sink.writeQueueFull()) {
        vertx.cancelTimer(t);
        full.tryComplete();
      }
    }));
    full.future().await(10, TimeUnit.SECONDS);
    assertEquals(0, items.size());
    assertEquals(16, sink.sent());

    context.runOnContext(v -> source.resume());
    ended.future().await(30, TimeUnit.SECONDS);
    written.await(30, TimeUnit.SECONDS);
    assertEquals(2000, items.size());
    for (int i = 0; i < items.size(); i++) {
      ChannelItem item = items.get(i);
      assertEquals(i, item.seq());
      assertEquals(i, ((Buffer) item.data()).getLong(0));
      assertEquals(640, ((Buffer) item.data()).length());
      assertEquals((double) i, item.ts());
      assertEquals("audio/pcm", item.contentType());
    }
  }

  @Test
  void anErrorFromTheWriterReachesTheReadersExceptionHandlerAfterTheItems() throws Exception {
    Path path = dir.resolve("c.sock");
    List<ChannelItem> items = new java.util.concurrent.CopyOnWriteArrayList<>();
    Promise<Throwable> failed = Promise.promise();
    onLoop(() -> ChannelSource.listen(vertx, path, 8).map(source -> source.handler(items::add)
        .exceptionHandler(failed::complete).endHandler(v -> failed.fail("ended")))).await();
    onLoop(() -> ChannelSink.connect(vertx, path).compose(sink -> {
      Promise<Void> room = Promise.promise();
      sink.drainHandler(v -> room.tryComplete());  // the reader's first credit
      return room.future().map(v -> {
        sink.write(ChannelItem.json(new JsonObject().put("n", 1)));
        sink.write(ChannelItem.json(new JsonObject().put("n", 2)));
        sink.fail(CommBusException.of(ErrorCode.REJECTED, "the camera went dark"));
        return null;
      });
    })).await(10, TimeUnit.SECONDS);

    CommBusException error = assertInstanceOf(CommBusException.class, failed.future().await(10, TimeUnit.SECONDS));
    assertEquals(ErrorCode.REJECTED, error.code());
    assertTrue(error.getMessage().contains("the camera went dark"), error.getMessage());
    assertEquals(2, items.size());
  }

  @Test
  void aChannelOfOneItemTakesTurnsAndLosesNothing() throws Exception {
    Path path = dir.resolve("one.sock");
    List<ChannelItem> items = new java.util.concurrent.CopyOnWriteArrayList<>();
    Promise<Void> ended = Promise.promise();
    onLoop(() -> ChannelSource.listen(vertx, path, 1).map(source -> source.handler(items::add)
        .endHandler(ended::complete).exceptionHandler(ended::tryFail))).await();
    Future<Void> written = onLoop(() -> ChannelSink.connect(vertx, path).compose(sink -> writeAll(sink, 300)));
    ended.future().await(30, TimeUnit.SECONDS);
    written.await(30, TimeUnit.SECONDS);
    assertEquals(300, items.size());
    assertEquals(299, ((Buffer) items.get(299).data()).getLong(0));
  }

  @Test
  void aReaderThatGoesAwayFailsTheWriterAndItsEnd() throws Exception {
    Path path = dir.resolve("gone.sock");
    ChannelSource source = onLoop(() -> ChannelSource.listen(vertx, path, 4)).await();
    Promise<Throwable> heard = Promise.promise();
    ChannelSink sink = onLoop(() -> ChannelSink.connect(vertx, path)
        .map(connected -> connected.exceptionHandler(heard::tryComplete))).await();
    onLoop(source::close).await();

    CommBusException gone = assertInstanceOf(CommBusException.class, heard.future().await(10, TimeUnit.SECONDS));
    assertEquals(ErrorCode.UNAVAILABLE, gone.code());
    Throwable ending = onLoop(sink::end).transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertEquals(gone, ending, "an end after the reader went away fails with why");
  }

  @Test
  void aPythonWriterFeedsTheJvmAndTheJvmFeedsAPythonReader() throws Exception {
    Path sdk = PythonSdk.copyInto(dir.resolve("sdk"));
    Path in = dir.resolve("in.sock");
    List<ChannelItem> items = new java.util.concurrent.CopyOnWriteArrayList<>();
    Promise<Void> ended = Promise.promise();
    onLoop(() -> ChannelSource.listen(vertx, in, 32).map(source -> source.handler(items::add)
        .endHandler(ended::complete).exceptionHandler(ended::tryFail))).await();
    Process writer = python(sdk, "write", in.toString(), "500");
    ended.future().await(30, TimeUnit.SECONDS);
    assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, writer.exitValue());
    assertEquals(500, items.size());
    assertEquals(new JsonObject().put("i", 499), items.get(499).data());
    assertEquals("application/json", items.get(0).contentType());

    Path out = dir.resolve("out.sock");
    Process reader = python(sdk, "read", out.toString(), "8");
    BufferedReader lines = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("listening", lines.readLine());
    Future<Void> written = onLoop(() -> ChannelSink.connect(vertx, out).compose(sink -> writeAll(sink, 1000)));
    System.gc();  // nothing of the channel may depend on who holds the sink (Vert.x cleans up unreferenced clients)
    try {
      written.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the Python reader did not take everything; it said: "
          + java.nio.file.Files.readString(dir.resolve("read.err")), e);
    }
    assertEquals("1000 " + (999L * 1000 / 2), lines.readLine(), "every item, once, in order");
    assertTrue(reader.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, reader.exitValue());
  }

  private static Process python(Path sdk, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3", PYTHON.resolve("channel_ends.py").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(sdk.getParent().resolve(args[0] + ".err").toFile());
    builder.environment().put("PYTHONPATH", sdk.toString());
    return builder.start();
  }
}
