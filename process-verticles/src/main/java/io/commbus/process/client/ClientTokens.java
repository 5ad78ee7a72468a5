package io.commbus.process.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * The endpoint's tokens, matched against what a client presents. Every token is compared, in
 * constant time, whatever matched before it: how long a refusal takes tells nothing of which
 * characters or which token came close.
 */
final class ClientTokens {

  private final List<ClientGrant> grants;

  ClientTokens(List<ClientGrant> grants) {
    this.grants = List.copyOf(grants);
  }

  /** The grant whose secret is {@code offered}; empty for a wrong one or none. */
  Optional<ClientGrant> match(String offered) {
    if (offered == null) {
      return Optional.empty();
    }
    byte[] presented = offered.getBytes(StandardCharsets.UTF_8);
    ClientGrant found = null;
    for (ClientGrant grant : grants) {
      if (MessageDigest.isEqual(presented, grant.secret()) && found == null) {
        found = grant;
      }
    }
    return Optional.ofNullable(found);
  }
}
