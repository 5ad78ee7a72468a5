package io.commbus.cluster;

import java.time.Instant;

/**
 * What a member sees of its cluster: its state ({@code WHOLE}, {@code MEMBERS_LOST} for fewer
 * members than the most seen at once, {@code MERGING} while a split is merged back), since when,
 * the member counts, whether it sees a quorum (more than half of the members present and
 * missing), and how many members are missing (gone without saying goodbye, not back yet).
 */
public record ClusterHealth(String state, Instant since, int members, int mostMembersSeen, boolean quorum,
    int missingMembers) {
}
