package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;

/**
 * Deletes the oldest closed segments while the journal is larger than {@code retentionBytes}
 * or they were last written longer ago than {@code retentionAge}. The writer applies it after
 * each roll; the active segment is never deleted, so positions are never reused.
 */
final class Retention {

  private static final System.Logger LOG = System.getLogger(FileJournal.class.getName());

  private final long limitBytes;
  private final Duration maxAge;

  Retention(FileJournalOptions options) {
    this.limitBytes = options.getRetentionBytes();
    this.maxAge = options.getRetentionAge();
  }

  void apply(Segments segments, Segment active) {
    if (limitBytes > 0) {
      long total = segments.byBase.values().stream().mapToLong(s -> s.size).sum();
      while (total > limitBytes && deletable(segments, active)) {
        Segment oldest = segments.byBase.firstEntry().getValue();
        total -= oldest.size;
        delete(segments, oldest, "the journal exceeds " + limitBytes + " bytes");
      }
    }
    if (maxAge != null) {
      Instant cutoff = Instant.now().minus(maxAge);
      while (deletable(segments, active)) {
        Segment oldest = segments.byBase.firstEntry().getValue();
        try {
          if (Files.getLastModifiedTime(oldest.file).toInstant().isAfter(cutoff)) {
            break;
          }
        } catch (IOException e) {
          break;
        }
        delete(segments, oldest, "it is older than " + maxAge);
      }
    }
  }

  private static boolean deletable(Segments segments, Segment active) {
    return segments.byBase.size() > 1 && segments.byBase.firstEntry().getValue() != active;
  }

  private static void delete(Segments segments, Segment segment, String why) {
    segments.byBase.remove(segment.basePosition);
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
}
