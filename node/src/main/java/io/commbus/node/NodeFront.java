package io.commbus.node;

import io.vertx.core.Deployable;

/**
 * The way into a running node from outside it: the admin HTTP API. Made over the assembled
 * node, deployed after every other part and undeployed before them. The node knows it only
 * through this interface, so the package that serves the API may read the node without the
 * node depending on it.
 */
public interface NodeFront extends Deployable {

  /** The port it listens on once deployed; the real one when 0 was asked for. */
  int port();

  /** The URL it serves once deployed, with the address it is bound to ({@code http://127.0.0.1:8080}). */
  String url();
}
