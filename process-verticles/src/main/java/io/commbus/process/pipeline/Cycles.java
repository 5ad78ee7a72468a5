package io.commbus.process.pipeline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds a cycle among a pipeline's channels, by a depth-first walk from each node. */
final class Cycles {

  private enum Mark { UNSEEN, ON_PATH, DONE }

  private final Collection<String> nodes;
  private final Map<String, List<String>> downstream = new HashMap<>();
  private final Map<String, Mark> marks = new HashMap<>();
  private final List<String> path = new ArrayList<>();

  Cycles(Collection<String> nodes, List<Channel> channels) {
    this.nodes = nodes;
    for (Channel channel : channels) {
      downstream.computeIfAbsent(channel.from().node(), n -> new ArrayList<>()).add(channel.to().node());
    }
  }

  /** The nodes of the first cycle found, the first one again at the end ({@code a, b, a}); empty when there is none. */
  Optional<List<String>> first() {
    nodes.forEach(node -> marks.put(node, Mark.UNSEEN));
    for (String node : nodes) {
      if (marks.get(node) == Mark.UNSEEN) {
        Optional<List<String>> cycle = walk(node);
        if (cycle.isPresent()) {
          return cycle;
        }
      }
    }
    return Optional.empty();
  }

  private Optional<List<String>> walk(String node) {
    marks.put(node, Mark.ON_PATH);
    path.add(node);
    for (String next : downstream.getOrDefault(node, List.of())) {
      if (marks.get(next) == Mark.ON_PATH) {
        List<String> cycle = new ArrayList<>(path.subList(path.indexOf(next), path.size()));
        cycle.add(next);
        return Optional.of(cycle);
      }
      if (marks.get(next) == Mark.UNSEEN) {
        Optional<List<String>> cycle = walk(next);
        if (cycle.isPresent()) {
          return cycle;
        }
      }
    }
    path.remove(path.size() - 1);
    marks.put(node, Mark.DONE);
    return Optional.empty();
  }
}
