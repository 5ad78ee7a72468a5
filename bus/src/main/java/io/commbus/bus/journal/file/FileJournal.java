package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.bus.journal.AppendHealth;
import io.commbus.bus.journal.Appended;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalHealth;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The embedded journal: segmented append-only files in one directory, every record
 * length-prefixed and CRC32C-checked (see {@link RecordFormat} and docs/journal.md).
 *
 * <p>Opening walks the directory once to recover it ({@link JournalRecovery}). Appends go to
 * the one writer thread ({@link JournalWriter}), which groups them into shared writes and
 * fsyncs. Reads run on Vert.x worker threads with positional reads ({@link JournalReader}) and
 * see records only once they are acknowledged. Nothing here runs on an event loop.
 */
public final class FileJournal implements EventJournal {

  private static final System.Logger LOG = System.getLogger(FileJournal.class.getName());

  private final Vertx vertx;
  private final Path directory;
  private final Segments segments;
  private final JournalReader reader;
  private final JournalWriter writer;
  private final RecoveryReport recovery;
  private final JournalLock lock;
  /** Told by the writer thread, in append order, how each stored or failed append turned out. */
  private final AppendHealth health = new AppendHealth();
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private static final class Watcher {
    final Context context;
    final Handler<Long> listener;

    Watcher(Context context, Handler<Long> listener) {
      this.context = context;
      this.listener = listener;
    }
  }

  /** Opens (or creates) the journal in the options' directory, recovering its tail, off the event loop. */
  public static Future<FileJournal> open(Vertx vertx, FileJournalOptions options) {
    if (options.getDirectory() == null) {
      return Future.failedFuture(new IllegalArgumentException("the file journal needs a directory"));
    }
    return vertx.executeBlocking(() -> new FileJournal(vertx, new FileJournalOptions(options)), false);
  }

  private FileJournal(Vertx vertx, FileJournalOptions options) throws IOException {
    this.vertx = vertx;
    this.directory = options.getDirectory();
    // Before recovery: only the one writer may cut a tail.
    this.lock = JournalLock.take(directory);
    try {
      JournalRecovery opened = JournalRecovery.open(options);
      this.segments = opened.segments;
      this.recovery = opened.report;
      if (!recovery.clean()) {
        LOG.log(System.Logger.Level.WARNING, "journal " + directory + ": " + recovery);
      }
      this.reader = new JournalReader(segments);
      RecentIds recentIds = RecentIds.readBack(reader, segments, options.getDedupWindow());
      this.writer = new JournalWriter(options, segments, opened.active, recentIds, health, this::tellWatchers);
    } catch (IOException | RuntimeException e) {
      release();
      throw e;
    }
    writer.start();
    writer.stopped().onComplete(done -> release());
  }

  private void release() {
    try {
      lock.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "journal " + directory + ": could not release its lock: " + e.getMessage());
    }
  }

  @Override
  public Future<Appended> append(JournalEvent event) {
    if (closed) {
      return Future.failedFuture(closedError());
    }
    String broken = writer.brokenBecause();
    if (broken != null) {
      health.failed(broken);
      return Future.failedFuture(new CommBusException(ErrorCode.STORAGE, broken));
    }
    Promise<Appended> promise = VertxInternals.promiseOn(vertx.getOrCreateContext());
    writer.enqueue(new PendingAppend(event, promise));
    return promise.future();
  }

  @Override
  public Future<List<JournalRecord>> read(long fromPosition, int maxRecords, Set<String> types) {
    if (closed) {
      return Future.failedFuture(closedError());
    }
    return vertx.executeBlocking(() -> reader.read(fromPosition, maxRecords, types), false);
  }

  private CommBusException closedError() {
    return new CommBusException(ErrorCode.STORAGE, "the journal " + directory + " is closed");
  }

  @Override
  public Future<Long> lastPosition() {
    return Future.succeededFuture(segments.visible);
  }

  @Override
  public AutoCloseable watch(Handler<Long> listener) {
    Watcher watcher = new Watcher(vertx.getOrCreateContext(), listener);
    watchers.add(watcher);
    return () -> watchers.remove(watcher);
  }

  /** On the writer thread: hands the news to each watcher on its own context. */
  private void tellWatchers(long last) {
    watchers.forEach(w -> w.context.runOnContext(v -> w.listener.handle(last)));
  }

  @Override
  public JournalHealth health() {
    return health.current();
  }

  /**
   * While DOWN, and unless the writer is broken for good, writes and fsyncs a small probe file
   * beside the segments, on a worker thread: if that is stored, so can appends be again.
   */
  @Override
  public Future<JournalHealth> checkHealth() {
    if (closed || health.current().state() == JournalHealth.State.UP || writer.brokenBecause() != null) {
      return Future.succeededFuture(health.current());
    }
    return vertx.executeBlocking(() -> {
      try {
        StoreProbe.write(directory);
        health.stored();
      } catch (IOException e) {
        health.failed("could not write to the journal in " + directory + ": " + e.getMessage());
      }
      return health.current();
    }, false);
  }

  /** What opening the journal found and cut. */
  public RecoveryReport recovery() {
    return recovery;
  }

  @Override
  public Future<Void> close() {
    if (!closed) {
      closed = true;
      writer.stop();
    }
    // Completed by the writer thread; hand the completion to the caller's context.
    Promise<Void> closedHere = VertxInternals.promiseOn(vertx.getOrCreateContext());
    writer.stopped().onComplete(closedHere);
    return closedHere.future();
  }
}
