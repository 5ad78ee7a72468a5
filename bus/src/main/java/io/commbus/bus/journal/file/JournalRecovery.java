package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Opening a journal directory for writing: one {@link JournalWalk} in
 * {@link JournalWalk.Mode#RECOVER RECOVER} mode, after which every segment is open, indexed and
 * sized, the newest ends on its last valid record, and the report says what was cut or found.
 * An empty directory gets its first segment.
 */
final class JournalRecovery {

  final Segments segments = new Segments();
  /** The newest segment, which appends continue. */
  final Segment active;
  final RecoveryReport report;

  private JournalRecovery(Segment active, RecoveryReport report) {
    this.active = active;
    this.report = report;
  }

  static JournalRecovery open(FileJournalOptions options) throws IOException {
    Path directory = options.getDirectory();
    Files.createDirectories(directory);
    JournalWalk walk = JournalWalk.recover(options.getIndexIntervalBytes());
    List<WalkedSegment> walked = walk.run(JournalWalk.segmentFiles(directory), SegmentWalk.ALL);
    Segment active = null;
    for (WalkedSegment segment : walked) {
      if (segment.segment != null) {
        active = segment.segment;
      }
    }
    if (active == null) {
      active = Segment.create(directory, 1);
    }
    active.openIndexForAppend(active.size);
    active.channel.position(active.size);
    JournalRecovery opened = new JournalRecovery(active, new RecoveryReport(directory, active.lastPosition,
        JournalWalk.problems(walked), walk.walkedInFull()));
    for (WalkedSegment segment : walked) {
      if (segment.segment != null) {
        opened.segments.byBase.put(segment.base, segment.segment);
      }
    }
    opened.segments.byBase.put(active.basePosition, active);
    opened.segments.visible = active.lastPosition;
    return opened;
  }
}
