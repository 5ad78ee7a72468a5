package io.commbus.process.pipeline;

/** One port of a pipeline node: {@code node.port}. */
public record Port(String node, String port) {

  @Override
  public String toString() {
    return node + "." + port;
  }
}
