package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.Appended;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The embedded journal: segmented append-only files in one directory, every record
 * length-prefixed and CRC32C-checked (see {@link RecordFormat} and docs/journal.md).
 *
 * <p>One writer thread owns the files. Appends queue up for it; it takes all that are waiting
 * (up to {@code maxBatch}), writes them with one gathering write and, under {@code always},
 * one fsync, then acknowledges them together: group commit. Reads run on Vert.x worker threads
 * with positional reads and see records only once they are acknowledged. Nothing here runs
 * on an event loop.
 */
public final class FileJournal implements EventJournal {

  private static final System.Logger LOG = System.getLogger(FileJournal.class.getName());

  private final Vertx vertx;
  private final FileJournalOptions options;
  private final Path directory;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final LinkedBlockingQueue<PendingAppend> queue = new LinkedBlockingQueue<>();
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private final LinkedHashMap<String, Long> recentIds;
  private final RecoveryReport recovery;
  private final Thread writer;
  private final Promise<Void> writerDone = Promise.promise();

  /** Only the writer thread touches these. */
  private Segment active;
  private long nextPosition;

  /** The last acknowledged position: readers never go beyond it. */
  private volatile long visible;
  private volatile boolean closed;
  /** Set when an I/O error left the files in a state appends cannot continue from. */
  private volatile String brokenBecause;

  private static final PendingAppend STOP = new PendingAppend(null, null);

  private static final class PendingAppend {
    final JournalEvent event;
    final Promise<Appended> promise;
    long position;
    long offset;
    Appended result;
    CommBusException error;

    PendingAppend(JournalEvent event, Promise<Appended> promise) {
      this.event = event;
      this.promise = promise;
    }
  }

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
    this.options = options;
    this.directory = options.getDirectory();
    int window = options.getDedupWindow();
    this.recentIds = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > window;
      }
    };
    this.recovery = recover();
    if (!recovery.clean()) {
      LOG.log(System.Logger.Level.WARNING, "journal " + directory + ": " + recovery);
    }
    rememberRecentIds();
    this.writer = new Thread(this::writeLoop, "commbus-journal-writer");
    writer.setDaemon(true);
    writer.start();
  }

  // ------------------------------------------------------------------ recovery

  private RecoveryReport recover() throws IOException {
    Files.createDirectories(directory);
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files = listing.filter(p -> Segment.baseOf(p) > 0)
          .sorted((x, y) -> Long.compare(Segment.baseOf(x), Segment.baseOf(y)))
          .collect(java.util.stream.Collectors.toList());
    }
    String droppedSegment = dropTornNewestSegment(files);
    if (files.isEmpty()) {
      active = Segment.create(directory, 1);
      active.openIndexForAppend(Segment.HEADER_BYTES);
      active.channel.position(Segment.HEADER_BYTES);
      segments.put(1L, active);
      nextPosition = 1;
      visible = 0;
      return new RecoveryReport(0, 0, null, null);
    }
    for (int i = 0; i < files.size() - 1; i++) {
      Segment closedSegment = Segment.open(files.get(i), false);
      long fileSize = closedSegment.channel.size();
      if (!closedSegment.loadIndex(fileSize)) {
        scan(closedSegment, fileSize);
      }
      closedSegment.size = fileSize;
      closedSegment.lastPosition = Segment.baseOf(files.get(i + 1)) - 1;
      segments.put(closedSegment.basePosition, closedSegment);
    }
    Segment last = Segment.open(files.get(files.size() - 1), true);
    long fileSize = last.channel.size();
    SegmentScanner scanner = scan(last, fileSize);
    long validEnd = scanner.offset();
    long truncated = fileSize - validEnd;
    if (truncated > 0) {
      last.channel.truncate(validEnd);
      last.channel.force(true);
    }
    last.size = validEnd;
    last.openIndexForAppend(validEnd);
    last.channel.position(validEnd);
    segments.put(last.basePosition, last);
    active = last;
    nextPosition = last.lastPosition + 1;
    visible = nextPosition - 1;
    if (droppedSegment != null && truncated == 0) {
      return new RecoveryReport(visible, Segment.HEADER_BYTES, droppedSegment, last.file);
    }
    return new RecoveryReport(visible, truncated, truncated > 0 ? scanner.problem : null, truncated > 0 ? last.file
        : null);
  }

  /**
   * A roll creates the new segment file, then writes its header: a crash in between leaves a
   * newest segment too short to have one. It holds no records, so it is removed, and said so.
   */
  private String dropTornNewestSegment(List<Path> files) throws IOException {
    if (files.isEmpty()) {
      return null;
    }
    Path newest = files.get(files.size() - 1);
    long size = Files.size(newest);
    if (size >= Segment.HEADER_BYTES) {
      return null;
    }
    Files.delete(newest);
    Files.deleteIfExists(newest.resolveSibling(newest.getFileName().toString()
        .replace(Segment.SUFFIX, Segment.INDEX_SUFFIX)));
    files.remove(files.size() - 1);
    return "a new segment " + newest.getFileName() + " without a whole header (" + size + " bytes), removed";
  }

  /** Scans a segment, indexing its records and setting its last position; stops at the first bad record. */
  private SegmentScanner scan(Segment segment, long fileSize) throws IOException {
    SegmentScanner scanner = new SegmentScanner(segment.channel, Segment.HEADER_BYTES, fileSize,
        options.getMaxRecordBytes());
    long expected = segment.basePosition;
    while (scanner.next()) {
      if (scanner.position != expected) {
        scanner.problem = "position " + scanner.position + " where " + expected + " was expected";
        // Step back: the record is well-formed but out of place, so it is not kept.
        return rewind(segment, scanner, expected);
      }
      segment.index.add(scanner.position, scanner.recordOffset);
      expected++;
    }
    if (scanner.problem == null && scanner.offset() < fileSize) {
      scanner.problem = "unreadable data";
    }
    segment.lastPosition = expected - 1;
    return scanner;
  }

  private SegmentScanner rewind(Segment segment, SegmentScanner misplaced, long expected) throws IOException {
    SegmentScanner scanner = new SegmentScanner(segment.channel, Segment.HEADER_BYTES, misplaced.recordOffset,
        options.getMaxRecordBytes());
    while (scanner.next()) {
      // Already indexed in the first pass.
    }
    scanner.problem = misplaced.problem;
    segment.lastPosition = expected - 1;
    return scanner;
  }

  private void rememberRecentIds() throws IOException {
    int window = options.getDedupWindow();
    if (window == 0 || visible == 0) {
      return;
    }
    long from = Math.max(firstPosition(), visible - window + 1);
    while (from <= visible) {
      List<JournalRecord> records = readBlocking(from, 4096, Set.of());
      if (records.isEmpty()) {
        break;
      }
      for (JournalRecord record : records) {
        recentIds.put(record.event().id(), record.position());
      }
      from = records.get(records.size() - 1).position() + 1;
    }
  }

  // ------------------------------------------------------------------ appends

  @Override
  public Future<Appended> append(JournalEvent event) {
    if (closed) {
      return Future.failedFuture(new CommBusException(ErrorCode.STORAGE, "the journal " + directory + " is closed"));
    }
    String broken = brokenBecause;
    if (broken != null) {
      return Future.failedFuture(new CommBusException(ErrorCode.STORAGE, broken));
    }
    Promise<Appended> promise = ((ContextInternal) vertx.getOrCreateContext()).promise();
    queue.add(new PendingAppend(event, promise));
    return promise.future();
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
        stopping = batch.removeIf(p -> p == STOP);
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
    shutDown();
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
      if (more == STOP) {
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
      complete(part);
    }
    if (wrote) {
      long last = visible;
      watchers.forEach(w -> w.context.runOnContext(v -> w.listener.handle(last)));
    }
    return wrote;
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
      ByteBuffer[] gather = buffers.toArray(new ByteBuffer[0]);
      long remaining = offset - startSize;
      while (remaining > 0) {
        remaining -= active.channel.write(gather);
      }
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
    recentIds.putAll(partIds);
    visible = nextPosition - 1;
    return i;
  }

  private static void complete(List<PendingAppend> batch) {
    for (PendingAppend pending : batch) {
      if (pending.error != null) {
        pending.promise.tryFail(pending.error);
      } else if (pending.result != null) {
        pending.promise.tryComplete(pending.result);
      } else {
        pending.promise.tryComplete(new Appended(pending.position, false));
      }
    }
  }

  /** Takes a failed write back out, so positions stay dense and the file ends on a record. */
  private void undo(long startSize, long startPosition, IOException cause) {
    nextPosition = startPosition;
    try {
      active.channel.truncate(startSize);
      active.channel.position(startSize);
      active.index.truncate(startSize);
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
    active.channel.force(true);
    active.closeIndex();
    Segment next = Segment.create(directory, nextPosition);
    next.openIndexForAppend(Segment.HEADER_BYTES);
    next.channel.position(Segment.HEADER_BYTES);
    syncDirectory();
    segments.put(next.basePosition, next);
    active = next;
    applyRetention();
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

  private void applyRetention() {
    long limit = options.getRetentionBytes();
    if (limit > 0) {
      long total = segments.values().stream().mapToLong(s -> s.size).sum();
      while (total > limit && segments.size() > 1 && segments.firstEntry().getValue() != active) {
        Segment oldest = segments.firstEntry().getValue();
        total -= oldest.size;
        delete(oldest, "the journal exceeds " + limit + " bytes");
      }
    }
    if (options.getRetentionAge() != null) {
      Instant cutoff = Instant.now().minus(options.getRetentionAge());
      while (segments.size() > 1 && segments.firstEntry().getValue() != active) {
        Segment oldest = segments.firstEntry().getValue();
        try {
          if (Files.getLastModifiedTime(oldest.file).toInstant().isAfter(cutoff)) {
            break;
          }
        } catch (IOException e) {
          break;
        }
        delete(oldest, "it is older than " + options.getRetentionAge());
      }
    }
  }

  private void delete(Segment segment, String why) {
    segments.remove(segment.basePosition);
    try {
      segment.close();
      Files.deleteIfExists(segment.file);
      Files.deleteIfExists(segment.indexFile);
      LOG.log(System.Logger.Level.INFO, "journal: deleted " + segment.file.getFileName() + " (positions "
          + segment.basePosition + ".." + segment.lastPosition + ") because " + why);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "journal: could not delete " + segment.file + ": " + e.getMessage());
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
    left.stream().filter(p -> p != STOP).forEach(p -> p.promise.tryFail(closedError));
    for (Segment segment : segments.values()) {
      try {
        if (segment == active && options.getFsync().mode() != FsyncPolicy.Mode.NEVER) {
          segment.channel.force(true);
        }
        segment.close();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "journal: closing " + segment.file + ": " + e.getMessage());
      }
    }
    writerDone.tryComplete();
  }

  // ------------------------------------------------------------------ reads

  @Override
  public Future<List<JournalRecord>> read(long fromPosition, int maxRecords, Set<String> types) {
    if (closed) {
      return Future.failedFuture(new CommBusException(ErrorCode.STORAGE, "the journal " + directory + " is closed"));
    }
    return vertx.executeBlocking(() -> readBlocking(fromPosition, maxRecords, types), false);
  }

  private List<JournalRecord> readBlocking(long fromPosition, int maxRecords, Set<String> types) throws IOException {
    long last = visible;
    List<JournalRecord> out = new ArrayList<>();
    if (maxRecords <= 0 || fromPosition > last || segments.isEmpty()) {
      return out;
    }
    long from = Math.max(fromPosition, firstPosition());
    Long start = segments.floorKey(from);
    for (Segment segment : segments.tailMap(start == null ? segments.firstKey() : start).values()) {
      long offset = segment.index.floorOffset(from, Segment.HEADER_BYTES);
      SegmentScanner scanner = new SegmentScanner(segment.channel, offset, segment.size, options.getMaxRecordBytes());
      while (scanner.next()) {
        long position = scanner.position;
        if (position > last) {
          return out;
        }
        if (position < from) {
          continue;
        }
        if (!types.isEmpty() && !types.contains(RecordFormat.type(scanner.payload, scanner.payloadOffset))) {
          continue;
        }
        out.add(RecordFormat.decode(scanner.payload, scanner.payloadOffset, scanner.payloadLength));
        if (out.size() == maxRecords) {
          return out;
        }
      }
      if (scanner.problem != null) {
        throw new CommBusException(ErrorCode.STORAGE, "corrupt journal record in " + segment.file.getFileName()
            + " at offset " + scanner.offset() + ": " + scanner.problem);
      }
    }
    return out;
  }

  private long firstPosition() {
    return segments.isEmpty() ? 1 : segments.firstKey();
  }

  @Override
  public Future<Long> lastPosition() {
    return Future.succeededFuture(visible);
  }

  @Override
  public AutoCloseable watch(Handler<Long> listener) {
    Watcher watcher = new Watcher(vertx.getOrCreateContext(), listener);
    watchers.add(watcher);
    return () -> watchers.remove(watcher);
  }

  /** What opening the journal found and cut. */
  public RecoveryReport recovery() {
    return recovery;
  }

  @Override
  public Future<Void> close() {
    if (!closed) {
      closed = true;
      queue.add(STOP);
    }
    // Completed by the writer thread; hand the completion to the caller's context.
    Promise<Void> closedHere = ((ContextInternal) vertx.getOrCreateContext()).promise();
    writerDone.future().onComplete(closedHere);
    return closedHere.future();
  }
}
