package io.commbus.coordinator;

/** How soon a queued request is served: higher first, first-come first-served within one. */
public enum Priority {
  LOW, NORMAL, HIGH, CRITICAL
}
