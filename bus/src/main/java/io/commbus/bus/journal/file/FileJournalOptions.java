package io.commbus.bus.journal.file;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigSection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** Settings of the embedded file journal; all but the directory have defaults. */
public final class FileJournalOptions {

  /** The smallest segment: one page, so a segment holds at least a few small records. */
  public static final long MIN_SEGMENT_BYTES = 4096;
  /** The smallest record limit; below it ordinary events would not fit. */
  public static final int MIN_MAX_RECORD_BYTES = 1024;

  private Path directory;
  private FsyncPolicy fsync = FsyncPolicy.ALWAYS;
  private long segmentBytes = 64L * 1024 * 1024;
  private int maxRecordBytes = 16 * 1024 * 1024;
  private int maxBatch = 1024;
  private int indexIntervalBytes = 4096;
  private int dedupWindow = 100_000;
  private long retentionBytes;
  private Duration retentionAge;
  private Duration linger = Duration.ofNanos(100_000);

  public FileJournalOptions() {
  }

  public FileJournalOptions(Path directory) {
    this.directory = directory;
  }

  public FileJournalOptions(FileJournalOptions other) {
    this.directory = other.directory;
    this.fsync = other.fsync;
    this.segmentBytes = other.segmentBytes;
    this.maxRecordBytes = other.maxRecordBytes;
    this.maxBatch = other.maxBatch;
    this.indexIntervalBytes = other.indexIntervalBytes;
    this.dedupWindow = other.dedupWindow;
    this.retentionBytes = other.retentionBytes;
    this.retentionAge = other.retentionAge;
    this.linger = other.linger;
  }

  /** Where segments live; created if missing. Required. */
  public Path getDirectory() {
    return directory;
  }

  public FileJournalOptions setDirectory(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
    return this;
  }

  /** When records are forced to disk (default {@link FsyncPolicy#ALWAYS}). */
  public FsyncPolicy getFsync() {
    return fsync;
  }

  public FileJournalOptions setFsync(FsyncPolicy fsync) {
    this.fsync = Objects.requireNonNull(fsync, "fsync");
    return this;
  }

  /** A segment is closed and a new one started once it reaches this size (default 64 MiB). */
  public long getSegmentBytes() {
    return segmentBytes;
  }

  public FileJournalOptions setSegmentBytes(long segmentBytes) {
    this.segmentBytes = Check.between("segmentBytes", segmentBytes, MIN_SEGMENT_BYTES, Long.MAX_VALUE);
    return this;
  }

  /**
   * The largest record accepted; larger appends fail with INVALID_MESSAGE (default 16 MiB). It
   * bounds appends only: records written while it was larger stay valid when it is lowered.
   */
  public int getMaxRecordBytes() {
    return maxRecordBytes;
  }

  public FileJournalOptions setMaxRecordBytes(int maxRecordBytes) {
    this.maxRecordBytes = Check.atLeast("maxRecordBytes", maxRecordBytes, MIN_MAX_RECORD_BYTES);
    return this;
  }

  /** The most appends that share one write and one fsync (default 1024). */
  public int getMaxBatch() {
    return maxBatch;
  }

  public FileJournalOptions setMaxBatch(int maxBatch) {
    this.maxBatch = Check.atLeast("maxBatch", maxBatch, 1);
    return this;
  }

  /** Bytes of records between two entries of the sparse index (default 4096). */
  public int getIndexIntervalBytes() {
    return indexIntervalBytes;
  }

  public FileJournalOptions setIndexIntervalBytes(int indexIntervalBytes) {
    this.indexIntervalBytes = Check.atLeast("indexIntervalBytes", indexIntervalBytes, 1);
    return this;
  }

  /** How many recent event ids are remembered to make appends idempotent (default 100,000). */
  public int getDedupWindow() {
    return dedupWindow;
  }

  public FileJournalOptions setDedupWindow(int dedupWindow) {
    this.dedupWindow = Check.atLeast("dedupWindow", dedupWindow, 0);
    return this;
  }

  /**
   * Under {@code fsync=always}, how long the writer may wait for more appends when fewer are
   * waiting than it wrote last time (default 100 µs): the publishers of the last group are
   * usually just sending their next appends, and waiting lets them share one fsync. A lone
   * publisher never waits. Zero turns it off.
   */
  public Duration getLinger() {
    return linger;
  }

  public FileJournalOptions setLinger(Duration linger) {
    this.linger = Check.notNegative("linger", linger);
    return this;
  }

  /** Oldest closed segments are deleted while the journal is larger than this; 0 keeps all (default). */
  public long getRetentionBytes() {
    return retentionBytes;
  }

  public FileJournalOptions setRetentionBytes(long retentionBytes) {
    this.retentionBytes = Check.between("retentionBytes", retentionBytes, 0, Long.MAX_VALUE);
    return this;
  }

  /** Closed segments last written longer ago than this are deleted; null keeps all (default). */
  public Duration getRetentionAge() {
    return retentionAge;
  }

  public FileJournalOptions setRetentionAge(Duration retentionAge) {
    this.retentionAge = retentionAge == null ? null : Check.positive("retentionAge", retentionAge);
    return this;
  }

  /**
   * Takes the settings {@code section} holds: {@code directory} (relative to the configuration
   * file), {@code fsync} ({@code always}, {@code never} or {@code interval:<ms>}),
   * {@code segmentBytes}, {@code maxRecordBytes}, {@code maxBatch}, {@code dedupWindow},
   * {@code linger}, {@code retentionBytes} and {@code retentionAge}.
   */
  public FileJournalOptions readFrom(ConfigSection section) {
    section.applyPath("directory", this::setDirectory);
    section.applyString("fsync", text -> setFsync(FsyncPolicy.parse(text)));
    section.applyLong("segmentBytes", this::setSegmentBytes);
    section.applyInt("maxRecordBytes", this::setMaxRecordBytes);
    section.applyInt("maxBatch", this::setMaxBatch);
    section.applyInt("dedupWindow", this::setDedupWindow);
    section.applyDuration("linger", this::setLinger);
    section.applyLong("retentionBytes", this::setRetentionBytes);
    section.applyDuration("retentionAge", this::setRetentionAge);
    return this;
  }
}
