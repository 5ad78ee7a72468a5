package io.commbus.process.pipeline;

/**
 * What every kind of run keeps the same way: its node, where it is, when it became ready, and
 * the rule that a run reports each of ready, finished and failed at most once, and nothing
 * after it was stopped. Used on the sessions' context.
 */
abstract class NodeRunState implements NodeRun {

  protected final PipelineNode node;
  protected final Listener listener;
  private final long startedAt = System.currentTimeMillis();
  private State state = State.STARTING;
  private long readyMillis = -1;

  NodeRunState(PipelineNode node, Listener listener) {
    this.node = node;
    this.listener = listener;
  }

  @Override
  public PipelineNode node() {
    return node;
  }

  @Override
  public State state() {
    return state;
  }

  @Override
  public long readyMillis() {
    return readyMillis;
  }

  /** Whether it has neither ended nor been stopped. */
  protected boolean live() {
    return state == State.STARTING || state == State.READY;
  }

  /** Its node is ready: told once, and only while starting. */
  protected void becameReady() {
    if (state == State.STARTING) {
      state = State.READY;
      readyMillis = System.currentTimeMillis() - startedAt;
      listener.ready(this);
    }
  }

  /** Its node's function returned: told once, and only after ready. */
  protected void finished() {
    if (state == State.READY) {
      state = State.FINISHED;
      listener.finished(this);
    }
  }

  /** Its node failed: told once, and only while it was live; returns whether it was. */
  protected boolean fail(NodeFailure failure) {
    if (!live()) {
      return false;
    }
    state = State.FAILED;
    listener.failed(this, failure);
    return true;
  }

  /** It is being stopped: whatever happens to it now was asked for, and is not told. */
  protected void markStopped() {
    if (live()) {
      state = State.STOPPED;
    }
  }
}
