package io.commbus.testhosts;

/**
 * This machine would not let the harness make a network namespace (not root, no
 * CAP_SYS_ADMIN/CAP_NET_ADMIN, or no iproute2). A test that needs hosts fails with it: a
 * skipped multi-host test would hide that nothing was tested.
 */
public final class NamespacesUnavailableException extends IllegalStateException {

  NamespacesUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
