package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Opening a journal directory for writing: one {@link JournalWalk} in
 * {@link JournalWalk.Mode#RECOVER RECOVER} mode, then a decision. If the walk found damage that
 * no crash explains ({@link JournalProblem#refusesOpening()}), the opening fails with STORAGE
 * and nothing on disk has changed. Otherwise what the walk marked is applied: a torn tail of the
 * newest segment is cut, a new segment torn before its header removed, closed segments found
 * whole sealed with their marker; then every segment is open, indexed and sized, and the report
 * says what was cut or found. An empty directory gets its first segment.
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
    List<JournalProblem> problems = JournalWalk.problems(walked);
    try {
      refuseWhatNoCrashExplains(directory, problems);
      return opened(directory, walked, problems, walk.walkedInFull());
    } catch (IOException | RuntimeException e) {
      JournalWalk.close(walked);
      throw e;
    }
  }

  private static void refuseWhatNoCrashExplains(Path directory, List<JournalProblem> problems) {
    List<JournalProblem> refused = problems.stream().filter(JournalProblem::refusesOpening)
        .collect(Collectors.toList());
    if (!refused.isEmpty()) {
      throw new CommBusException(ErrorCode.STORAGE, "the journal " + directory + " was not opened: it holds damage"
          + " that is no torn tail, which no cut can mend without losing records (" + refused.stream()
          .map(JournalProblem::toString).collect(Collectors.joining("; ")) + "). Nothing was changed on disk;"
          + " `commbus journal verify --dir " + directory + "` lists every problem, and docs/journal.md"
          + " (\"When opening refuses\") the ways on");
    }
  }

  private static JournalRecovery opened(Path directory, List<WalkedSegment> walked, List<JournalProblem> problems,
      int walkedInFull) throws IOException {
    Segment active = null;
    for (WalkedSegment segment : walked) {
      apply(segment);
      if (segment.segment != null) {
        active = segment.segment;
      }
    }
    if (active == null) {
      active = Segment.create(directory, 1);
    }
    active.openIndexForAppend(active.size);
    active.channel.position(active.size);
    JournalRecovery opened = new JournalRecovery(active, new RecoveryReport(directory, active.lastPosition, problems,
        walkedInFull));
    for (WalkedSegment segment : walked) {
      if (segment.segment != null) {
        opened.segments.byBase.put(segment.base, segment.segment);
      }
    }
    opened.segments.byBase.put(active.basePosition, active);
    opened.segments.visible = active.lastPosition;
    return opened;
  }

  /** Does what the walk found to do to one segment. */
  private static void apply(WalkedSegment walked) throws IOException {
    if (walked.remove) {
      Files.delete(walked.file);
      Files.deleteIfExists(walked.file.resolveSibling(walked.name.replace(Segment.SUFFIX, Segment.INDEX_SUFFIX)));
    }
    if (walked.cutTo >= 0) {
      walked.segment.channel.truncate(walked.cutTo);
      walked.segment.channel.force(true);
    }
    if (walked.seal) {
      JournalWalk.mark(walked.segment);
    }
  }
}
