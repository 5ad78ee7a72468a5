package io.commbus.bus;

/** Marks a Java type as a command: sent to exactly one handler, which does not reply. */
public interface Command {
}
