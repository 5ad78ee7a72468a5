package io.commbus.cluster;

import java.time.Instant;

/**
 * What a member sees of its cluster: its state ({@code WHOLE}, {@code MEMBERS_LOST} for fewer
 * members than the most seen at once, {@code MERGING} while a split is merged back), since when,
 * and the member counts.
 */
public record ClusterHealth(String state, Instant since, int members, int mostMembersSeen) {
}
