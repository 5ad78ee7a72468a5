package io.commbus.process.child;

import io.commbus.process.wire.Protocol.LogLevel;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What it takes to start one kind of child and talk to it: a snapshot of validated options,
 * so a run never sees them change under it.
 *
 * @param command          argv, program first
 * @param workingDirectory null: the node's
 * @param environment      variables the configuration adds to the child's minimal environment
 * @param entry            what the child should run, sent in {@code welcome}
 * @param callbacks        callback paths announced in {@code welcome}
 * @param handshakeTimeout spawn to {@code ready}
 * @param maxFrameSize     largest frame accepted from the child
 * @param streamWindow     stream credit, in items, granted in both directions
 * @param callTimeout      timeout of a bus call from the child that names none
 * @param hangGrace        time to answer a liveness ping
 * @param shutdownGrace    after {@code bye}, and again after SIGTERM
 * @param callbackType     the bus message type a callback path is served under
 * @param logLevel         the least level of the child's logging that reaches the node's log
 * @param launcher         what starts each run's process: {@link Launcher#SPAWN}, or a pool's fork server
 */
public record ChildSpec(List<String> command, Path workingDirectory, Map<String, String> environment,
                        JsonObject entry, List<String> callbacks, Duration handshakeTimeout, int maxFrameSize,
                        int streamWindow, Duration callTimeout, Duration hangGrace, Duration shutdownGrace,
                        UnaryOperator<String> callbackType, LogLevel logLevel, Launcher launcher) {

  public ChildSpec {
    command = List.copyOf(command);
    environment = Map.copyOf(environment);
    entry = entry.copy();
    callbacks = List.copyOf(callbacks);
  }
}
