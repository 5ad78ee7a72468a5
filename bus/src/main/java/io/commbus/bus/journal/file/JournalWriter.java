package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.AppendHealth;
import io.commbus.bus.journal.Appended;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The one thread that owns a journal's files. Appends queue up for it; it takes all that are
 * waiting (up to {@code maxBatch}), writes them with one gathering write and, under
 * {@code always}, one fsync, then acknowledges them together: group commit. It assigns
 * positions, rolls segments (sealing the closed one with its end marker), applies retention,
 * and takes a failed write back out so positions stay dense.
 */
final class JournalWriter {

  private static final System.Logger LOG = System.getLogger(FileJournal.class.getName());

  private final FileJournalOptions options;
  private final Path directory;
  private final Segments segments;
  private final RecentIds recentIds;
  private final AppendHealth health;
  private final Retention retention;
  /** Told the last visible position after each group that stored something. */
  private final LongConsumer onWritten;
  private final LinkedBlockingQueue<PendingAppend> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final Promise<Void> stopped = Promise.promise();

  /** Only the writer thread touches these. */
  private Segment active;
  private long nextPosition;

  /** Set when an I/O error left the files in a state appends cannot continue from. */
  private volatile String brokenBecause;

  JournalWriter(FileJournalOptions options, Segments segments, Segment active, RecentIds recentIds,
      AppendHealth health, LongConsumer onWritten) {
    this.options = options;
    this.directory = options.getDirectory();
    this.segments = segments;
    this.active = active;
    this.nextPosition = active.lastPosition + 1;
    this.recentIds = recentIds;
    this.health = health;
    this.retention = new Retention(options);
    this.onWritten = onWritten;
    this.thread = new Thread(this::run, "commbus-journal-writer");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Why appends are refused, or null while they are taken. */
  String brokenBecause() {
    return brokenBecause;
  }

  void enqueue(PendingAppend pending) {
    queue.add(pending);
  }

  /** Lets the writer finish what is queued, close the files and end. */
  void stop() {
    queue.add(PendingAppend.STOP);
  }

  /** Completes once the writer has ended and closed the files. */
  Future<Void> stopped() {
    return stopped.future();
  }

  /** The thread's body: whatever ends the loop, the files are closed and {@link #stopped} completes. */
  private void run() {
    try {
      writeLoop();
    } catch (RuntimeException | Error e) {
      breakJournal("the journal writer in " + directory + " failed: " + e);
      throw e;
    } finally {
      shutDown();
    }
  }

  private void writeLoop() {
    FsyncPolicy fsync = options.getFsync();
    boolean interval = fsync.mode() == FsyncPolicy.Mode.INTERVAL;
    long intervalNanos = fsync.interval().toNanos();
    long lastForce = System.nanoTime();
    boolean dirty = false;
    List<PendingAppend> batch = new ArrayList<>(options.getMaxBatch());
    // Only an fsync per group is worth waiting to share; without one, waiting only delays.
    long lingerNanos = fsync.mode() == FsyncPolicy.Mode.ALWAYS ? options.getLinger().toNanos() : 0;
    int previousBatch = 0;
    boolean stopping = false;
    while (!stopping) {
      PendingAppend first;
      try {
        first = interval
            ? queue.poll(Math.max(1, intervalNanos - (System.nanoTime() - lastForce)), TimeUnit.NANOSECONDS)
            : queue.take();
      } catch (InterruptedException e) {
        break;
      }
      if (first != null) {
        batch.add(first);
        queue.drainTo(batch, options.getMaxBatch() - 1);
        if (lingerNanos > 0 && batch.size() < previousBatch) {
          // The publishers of the last group are still sending their next appends: wait a
          // moment for them, so they share one write and one fsync instead of needing two.
          lingerFor(batch, previousBatch, lingerNanos);
        }
        previousBatch = batch.size();
        stopping = batch.removeIf(p -> p == PendingAppend.STOP);
        if (!batch.isEmpty()) {
          dirty |= writeBatch(batch);
        }
        batch.clear();
      }
      if (interval && dirty && System.nanoTime() - lastForce >= intervalNanos) {
        force();
        dirty = false;
        lastForce = System.nanoTime();
      }
    }
  }

  /** Collects more waiting appends until the group is as large as the last one, or the linger is over. */
  private void lingerFor(List<PendingAppend> batch, int wanted, long lingerNanos) {
    long until = System.nanoTime() + lingerNanos;
    while (batch.size() < Math.min(wanted, options.getMaxBatch()) && System.nanoTime() < until) {
      PendingAppend more;
      try {
        more = queue.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (more == null) {
        return;
      }
      batch.add(more);
      if (more == PendingAppend.STOP) {
        return;
      }
      queue.drainTo(batch, options.getMaxBatch() - batch.size());
    }
  }

  /**
   * Writes one group of appends, in as many parts as segments it fills; each part is one
   * gathering write and (under {@code always}) one fsync. Returns whether anything was written.
   */
  private boolean writeBatch(List<PendingAppend> batch) {
    boolean wrote = false;
    int next = 0;
    while (next < batch.size()) {
      List<PendingAppend> part = new ArrayList<>();
      next = writePart(batch, next, part);
      wrote |= part.stream().anyMatch(p -> p.error == null && p.result == null);
      part.forEach(this::complete);
    }
    if (wrote) {
      onWritten.accept(segments.visible);
    }
    return wrote;
  }

  /** Tells the journal's health, here in append order, then the publisher. */
  private void complete(PendingAppend pending) {
    if (pending.error == null && pending.result == null) {
      health.stored();
    } else if (pending.error != null && pending.error.code() == ErrorCode.STORAGE) {
      health.failed(pending.error.getMessage());
    }
    pending.complete();
  }

  /** Writes appends from {@code from} that fit the active segment; returns where the next part starts. */
  private int writePart(List<PendingAppend> batch, int from, List<PendingAppend> part) {
    if (brokenBecause != null) {
      CommBusException error = new CommBusException(ErrorCode.STORAGE, brokenBecause);
      for (int i = from; i < batch.size(); i++) {
        batch.get(i).error = error;
        part.add(batch.get(i));
      }
      return batch.size();
    }
    try {
      if (active.size >= options.getSegmentBytes() && active.lastPosition >= active.basePosition) {
        roll();
      }
    } catch (IOException e) {
      breakJournal("could not start a new segment in " + directory + ": " + e.getMessage());
      return writePart(batch, from, part);
    }
    long startSize = active.size;
    long startPosition = nextPosition;
    long offset = startSize;
    List<ByteBuffer> buffers = new ArrayList<>();
    List<PendingAppend> written = new ArrayList<>();
    Map<String, Long> partIds = new HashMap<>();
    int i = from;
    for (; i < batch.size(); i++) {
      PendingAppend pending = batch.get(i);
      String id = pending.event.id();
      Long original = recentIds.get(id);
      if (original == null) {
        original = partIds.get(id);
      }
      if (original != null) {
        pending.result = new Appended(original, true);
        part.add(pending);
        continue;
      }
      ByteBuffer record;
      try {
        record = RecordFormat.encode(nextPosition, pending.event, options.getMaxRecordBytes());
      } catch (CommBusException e) {
        pending.error = e;
        part.add(pending);
        continue;
      }
      if (!buffers.isEmpty() && offset + record.remaining() > options.getSegmentBytes()) {
        break;   // the rest goes to the next segment
      }
      pending.position = nextPosition++;
      pending.offset = offset;
      offset += record.remaining();
      buffers.add(record);
      partIds.put(id, pending.position);
      written.add(pending);
      part.add(pending);
    }
    if (buffers.isEmpty()) {
      return i;
    }
    try {
      Segment.writeFully(active.channel, buffers.toArray(new ByteBuffer[0]), offset - startSize);
      if (options.getFsync().mode() == FsyncPolicy.Mode.ALWAYS) {
        active.channel.force(false);
      }
      for (PendingAppend pending : written) {
        active.indexRecord(pending.position, pending.offset, options.getIndexIntervalBytes());
      }
    } catch (IOException e) {
      undo(startSize, startPosition, e);
      CommBusException error = new CommBusException(ErrorCode.STORAGE, "could not write to the journal in "
          + directory + ": " + e.getMessage(), e);
      for (PendingAppend pending : part) {
        boolean dependsOnPart = pending.result != null && pending.result.position() >= startPosition;
        if (pending.error == null && (pending.result == null || dependsOnPart)) {
          pending.error = error;
          pending.result = null;
        }
      }
      return i;
    }
    active.size = offset;
    active.lastPosition = nextPosition - 1;
    active.lastRecordOffset = written.get(written.size() - 1).offset;
    recentIds.putAll(partIds);
    segments.visible = nextPosition - 1;
    return i;
  }

  /** Takes a failed write back out, so positions stay dense and the file ends on a record. */
  private void undo(long startSize, long startPosition, IOException cause) {
    nextPosition = startPosition;
    try {
      active.truncate(startSize);
      LOG.log(System.Logger.Level.ERROR, "journal write failed and was undone: " + cause.getMessage());
    } catch (IOException again) {
      breakJournal("the journal in " + directory + " could not undo a failed write (" + cause.getMessage()
          + ", then " + again.getMessage() + "); reopen it to recover");
    }
  }

  private void breakJournal(String reason) {
    brokenBecause = reason;
    LOG.log(System.Logger.Level.ERROR, reason);
  }

  private void roll() throws IOException {
    active.seal();
    Segment next = Segment.create(directory, nextPosition);
    next.openIndexForAppend(Segment.HEADER_BYTES);
    next.channel.position(Segment.HEADER_BYTES);
    syncDirectory();
    segments.byBase.put(next.basePosition, next);
    active = next;
    retention.apply(segments, active);
  }

  /** Makes a new segment's directory entry durable. */
  private void syncDirectory() throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for syncing; the data itself is synced.
      LOG.log(System.Logger.Level.DEBUG, "could not sync directory " + directory + ": " + e.getMessage());
    }
  }

  private void force() {
    try {
      active.channel.force(false);
    } catch (IOException e) {
      breakJournal("could not fsync the journal in " + directory + ": " + e.getMessage());
    }
  }

  private void shutDown() {
    List<PendingAppend> left = new ArrayList<>();
    queue.drainTo(left);
    CommBusException closedError = new CommBusException(ErrorCode.STORAGE, "the journal " + directory + " is closed");
    left.stream().filter(p -> p != PendingAppend.STOP).forEach(p -> p.promise.tryFail(closedError));
    for (Segment segment : segments.byBase.values()) {
      try {
        if (segment == active && options.getFsync().mode() != FsyncPolicy.Mode.NEVER) {
          segment.channel.force(true);
        }
        segment.close();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "journal: closing " + segment.file + ": " + e.getMessage());
      }
    }
    stopped.tryComplete();
  }
}
