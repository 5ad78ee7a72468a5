package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one walk over a journal directory's segments, oldest first, that opening a journal and
 * looking into one share, so that "valid" means the same to both ({@link SegmentWalk}). The
 * {@link Mode} says what the walk may do about what it finds. Damage is typed
 * ({@link JournalProblem}); between neighbours the walk checks that positions join up.
 */
final class JournalWalk {

  private static final System.Logger LOG = System.getLogger(FileJournal.class.getName());

  /** What a walk may do. */
  enum Mode {
    /**
     * Opening for writing. It finds what may be cut, and only what provably is a torn or
     * corrupt tail: record damage in the newest segment that no valid later record follows (a
     * crash tears only the end of the last write), and a newest segment too short for its
     * header. Damage that is no such tail (a later record follows it; an older segment misses
     * positions; segments do not join) is marked as refusing the opening. Older segments are
     * never cut. A closed segment whose end marker agrees with its file is trusted with its
     * index unread; one without (written before markers, or torn by a crash) is walked in full
     * and, if whole, marked for sealing. The walk itself changes nothing on disk: what it found
     * to cut, remove or seal, {@link JournalRecovery} applies once nothing refuses the opening.
     * A file that is not a segment stops the opening.
     */
    RECOVER,
    /** Looking only: every file is opened read-only, nothing is written, every record is read. */
    VERIFY
  }

  private final Mode mode;
  /** In RECOVER: how far apart index entries are for segments walked. */
  private final int indexIntervalBytes;
  /** In VERIFY: whether index files and end markers are checked too. */
  private final boolean checkIndexes;
  private int walkedInFull;

  private JournalWalk(Mode mode, int indexIntervalBytes, boolean checkIndexes) {
    this.mode = mode;
    this.indexIntervalBytes = indexIntervalBytes;
    this.checkIndexes = checkIndexes;
  }

  static JournalWalk recover(int indexIntervalBytes) {
    return new JournalWalk(Mode.RECOVER, indexIntervalBytes, false);
  }

  static JournalWalk verify(boolean checkIndexes) {
    return new JournalWalk(Mode.VERIFY, 0, checkIndexes);
  }

  /** The segment files of {@code directory}, oldest first. */
  static List<Path> segmentFiles(Path directory) throws IOException {
    try (Stream<Path> listing = Files.list(directory)) {
      return listing.filter(p -> Segment.baseOf(p) > 0)
          .sorted(Comparator.comparingLong(Segment::baseOf))
          .collect(Collectors.toList());
    }
  }

  /** In RECOVER: closed segments read record by record because no end marker vouched for them. */
  int walkedInFull() {
    return walkedInFull;
  }

  /** Walks {@code files}, consecutive segments of which the last is the journal's newest, until the visitor stops. */
  List<WalkedSegment> run(List<Path> files, SegmentWalk.Visitor visitor) throws IOException {
    return run(files, true, visitor);
  }

  /** Walks {@code files}, consecutive segments, until the visitor stops; the last may be the journal's newest. */
  List<WalkedSegment> run(List<Path> files, boolean endsWithNewest, SegmentWalk.Visitor visitor) throws IOException {
    int last = files.size() - 1;
    WalkedSegment torn = null;
    if (endsWithNewest && last >= 0 && Files.size(files.get(last)) < Segment.HEADER_BYTES) {
      // A roll creates the file, then writes its header: a crash in between leaves this.
      torn = tornNewSegment(files.get(last));
      last--;
    }
    int newest = endsWithNewest ? last : -1;
    List<WalkedSegment> segments = new ArrayList<>();
    try {
      for (int i = 0; i <= last; i++) {
        long nextBase = i + 1 < files.size() ? Segment.baseOf(files.get(i + 1)) : -1;
        WalkedSegment segment = segment(files.get(i), i == newest, nextBase, visitor);
        segments.add(segment);
        if (segment.stopped) {
          return segments;
        }
      }
    } catch (IOException | RuntimeException e) {
      close(segments);
      throw e;
    }
    if (torn != null) {
      segments.add(torn);
    }
    return segments;
  }

  /** Closes the segments a RECOVER walk left open. */
  static void close(List<WalkedSegment> segments) {
    for (WalkedSegment walked : segments) {
      if (walked.segment != null) {
        try {
          walked.segment.close();
        } catch (IOException e) {
          LOG.log(System.Logger.Level.WARNING, "journal: closing " + walked.file + ": " + e.getMessage());
        }
      }
    }
  }

  /**
   * Walks one segment; {@code newest} says whether it is the journal's newest, and
   * {@code nextBase} is where the next one starts (-1 if there is none).
   */
  private WalkedSegment segment(Path file, boolean newest, long nextBase, SegmentWalk.Visitor visitor)
      throws IOException {
    WalkedSegment walked = new WalkedSegment(file, Files.size(file));
    Segment segment;
    try {
      segment = Segment.open(file, mode == Mode.RECOVER && newest);
    } catch (Segment.BadHeader e) {
      if (mode == Mode.RECOVER) {
        throw e;   // not ours to cut: some other file, or a segment damaged where no crash tears
      }
      return walked.unreadable(JournalProblem.badHeader(walked.name, walked.base, walked.fileBytes));
    }
    boolean done = false;
    try {
      walked.fileBytes = segment.channel.size();
      if (mode == Mode.VERIFY) {
        verify(walked, segment, newest, nextBase, visitor);
      } else if (newest || !trust(walked, segment, nextBase)) {
        recover(walked, segment, newest, nextBase);
      }
      done = true;
    } finally {
      if (mode == Mode.VERIFY || !done) {
        segment.close();
      }
    }
    return walked;
  }

  private void verify(WalkedSegment walked, Segment segment, boolean newest, long nextBase,
      SegmentWalk.Visitor visitor) throws IOException {
    IndexCheck index = checkIndexes ? IndexCheck.load(segment.indexFile, segment.file, walked.problems) : null;
    SegmentWalk.Visitor each = index == null ? visitor : (position, offset, payload, payloadOffset, length) -> {
      index.record(offset, position);
      return visitor.record(position, offset, payload, payloadOffset, length);
    };
    SegmentWalk walk = SegmentWalk.run(segment, walked.fileBytes, newest, each);
    walked.walked(olderSegmentRule(walk, newest, nextBase));
    if (index != null && !walk.stopped) {
      index.finish(walk, walked.fileBytes);
    }
  }

  /** A closed segment whose end marker agrees with the file is taken as the marker says, with its index. */
  private static boolean trust(WalkedSegment walked, Segment segment, long nextBase) throws IOException {
    IndexFile index = IndexFile.read(segment.indexFile);
    SegmentEnd end = index.end;
    if (end == null || !end.agreesWith(segment.channel, segment.basePosition, nextBase)
        || !index.fits(segment.basePosition, end.lastPosition(), end.length())) {
      return false;
    }
    segment.useIndex(index);
    segment.size = end.length();
    segment.lastPosition = end.lastPosition();
    segment.lastRecordOffset = end.lastRecordOffset();
    walked.vouchedFor(end).segment = segment;
    return true;
  }

  private void recover(WalkedSegment walked, Segment segment, boolean newest, long nextBase) throws IOException {
    if (!newest) {
      walkedInFull++;
    }
    SegmentWalk walk = SegmentWalk.run(segment, walked.fileBytes, newest, (position, offset, p, po, length) -> {
      segment.indexInMemory(position, offset, indexIntervalBytes);
      return true;
    });
    walked.walked(olderSegmentRule(walk, newest, nextBase)).segment = segment;
    segment.lastPosition = walk.lastPosition;
    segment.lastRecordOffset = walk.lastRecordOffset;
    if (newest) {
      // Cut once the whole directory is known to open (JournalRecovery): until then nothing changes.
      if (walk.damage != null && walk.damage.cutOnOpen()) {
        walked.cutTo = walk.validEnd;
      }
      segment.size = walk.validEnd;
      return;
    }
    boolean joins = walk.lastPosition + 1 == nextBase;
    // Bytes after a last record that joins its successor are no record of ours: reads stop short of them.
    segment.size = joins ? walk.validEnd : walked.fileBytes;
    walked.seal = walk.damage == null && joins;
  }

  /**
   * Damage to a record of an older segment costs records when positions are missing before the
   * next segment's base; then no cut can mend it, and opening refuses it. Bytes after a last
   * record that joins its successor cost nothing. Unknown when there is no next segment to join.
   */
  private static SegmentWalk olderSegmentRule(SegmentWalk walk, boolean newest, long nextBase) {
    if (!newest && nextBase > 0 && walk.damage != null && walk.lastPosition + 1 != nextBase) {
      walk.damage = walk.damage.costingRecords();
    }
    return walk;
  }

  /** Gives a segment found whole the index and end marker the writer would have, so the next opening trusts it. */
  static void mark(Segment segment) {
    try {
      IndexFile.write(segment.indexFile, segment.index, segment.end());
    } catch (IOException e) {
      // Only a saving for next time: without the marker, the next opening walks the segment again.
      LOG.log(System.Logger.Level.WARNING, "journal: could not write the index of " + segment.file + ": "
          + e.getMessage());
    }
  }

  private WalkedSegment tornNewSegment(Path file) throws IOException {
    WalkedSegment walked = new WalkedSegment(file, Files.size(file));
    walked.unreadable(JournalProblem.tornNewSegment(walked.name, walked.base, walked.fileBytes));
    // It holds no records, so removing it (JournalRecovery does, in RECOVER) loses nothing.
    walked.remove = mode == Mode.RECOVER;
    return walked;
  }

  /**
   * Every segment's problems in file order, with a problem between two neighbours whose
   * positions do not join up. A gap after a damaged segment is not reported again: the damage
   * already explains it.
   */
  static List<JournalProblem> problems(List<WalkedSegment> segments) {
    List<JournalProblem> problems = new ArrayList<>();
    WalkedSegment previous = null;
    for (WalkedSegment segment : segments) {
      if (previous != null) {
        long expected = previous.lastPosition + 1;
        if (segment.base < expected) {
          problems.add(JournalProblem.overlap(segment.name, segment.base, previous.name, previous.lastPosition));
        } else if (segment.base > expected && !previous.damaged) {
          problems.add(JournalProblem.gap(previous.name, previous.validEnd, expected, segment.name, segment.base));
        }
      }
      problems.addAll(segment.problems);
      previous = segment;
    }
    return Collections.unmodifiableList(problems);
  }

  /** The last valid position of the segments walked; 0 when they hold none. */
  static long lastValid(List<WalkedSegment> segments) {
    for (int i = segments.size() - 1; i >= 0; i--) {
      if (segments.get(i).records > 0) {
        return segments.get(i).lastPosition;
      }
    }
    return 0;
  }
}
