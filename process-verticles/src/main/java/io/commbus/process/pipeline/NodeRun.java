package io.commbus.process.pipeline;

import io.vertx.core.Future;

/**
 * One run of one node of a session: a process on this host ({@link LocalNodeRun}) or on the
 * host its placement names ({@link RemoteNodeRun}). A restart is a new run. Used on the
 * sessions' context.
 */
interface NodeRun {

  /** What a run reports to its session, on the sessions' context; each at most once. */
  interface Listener {
    /** Every channel of the node is in place. */
    void ready(NodeRun run);

    /** The node failed: it reported why, or its process ended before its function finished. */
    void failed(NodeRun run, NodeFailure failure);

    /** Its function returned; its process is being stopped. */
    void finished(NodeRun run);

    /** Its output {@code port} lost its reader and connected to the reader's successor; {@code lost} items went with the old one. */
    void resumed(NodeRun run, String port, long lost);
  }

  /** Where a run is. */
  enum State { STARTING, READY, FINISHED, FAILED, STOPPED }

  PipelineNode node();

  State state();

  /** Its process's id on its host; -1 before it has one. */
  long pid();

  /** Milliseconds from this run's start to the node's ready; -1 before. */
  long readyMillis();

  /** Starts it; what becomes of it is told to the listener. */
  void start();

  /**
   * Stops it: its function is cancelled (its outputs end with {@code err}), then its process is
   * asked to exit, and killed if it does not within the grace period. Completes once the process
   * is gone and nothing of it is left.
   */
  Future<Void> stop();
}
