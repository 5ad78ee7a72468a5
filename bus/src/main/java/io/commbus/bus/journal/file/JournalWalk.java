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
     * Opening for writing. It cuts only what provably is a torn or corrupt tail: record damage
     * in the newest segment (past the first bad record nothing can be located, and the newest
     * segment is the only one a crash tears), and a newest segment too short for its header.
     * Older segments are never cut: their damage is reported and reads fail on it. A closed
     * segment whose end marker agrees with its file is trusted with its index unread; one
     * without (written before markers, or torn by a crash) is walked in full and, if whole,
     * given a marker. A file that is not a segment stops the opening.
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
    for (int i = 0; i <= last; i++) {
      long nextBase = i + 1 < files.size() ? Segment.baseOf(files.get(i + 1)) : -1;
      WalkedSegment segment = segment(files.get(i), i == newest, nextBase, visitor);
      segments.add(segment);
      if (segment.stopped) {
        return segments;
      }
    }
    if (torn != null) {
      segments.add(torn);
    }
    return segments;
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
        verify(walked, segment, newest, visitor);
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

  private void verify(WalkedSegment walked, Segment segment, boolean newest, SegmentWalk.Visitor visitor)
      throws IOException {
    IndexCheck index = checkIndexes ? IndexCheck.load(segment.indexFile, segment.file, walked.problems) : null;
    SegmentWalk.Visitor each = index == null ? visitor : (position, offset, payload, payloadOffset, length) -> {
      index.record(offset, position);
      return visitor.record(position, offset, payload, payloadOffset, length);
    };
    SegmentWalk walk = SegmentWalk.run(segment, walked.fileBytes, newest, each);
    walked.walked(walk);
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
    walked.walked(walk).segment = segment;
    segment.lastPosition = walk.lastPosition;
    segment.lastRecordOffset = walk.lastRecordOffset;
    if (newest) {
      if (walk.damage != null) {
        segment.channel.truncate(walk.validEnd);
        segment.channel.force(true);
      }
      segment.size = walk.validEnd;
      return;
    }
    boolean joins = walk.lastPosition + 1 == nextBase;
    // Reads of a damaged older segment run into the damage and fail, rather than stop short
    // unseen; unless every position is there, and what follows the last is no record of ours.
    segment.size = joins ? walk.validEnd : walked.fileBytes;
    if (walk.damage == null && joins) {
      mark(segment);
    }
  }

  /** Gives a segment found whole the index and end marker the writer would have, so the next opening trusts it. */
  private static void mark(Segment segment) {
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
    if (mode == Mode.RECOVER) {
      // It holds no records, so removing it loses nothing.
      Files.delete(file);
      Files.deleteIfExists(file.resolveSibling(walked.name.replace(Segment.SUFFIX, Segment.INDEX_SUFFIX)));
    }
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
