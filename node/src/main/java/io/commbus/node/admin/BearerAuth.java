package io.commbus.node.admin;

import io.commbus.node.config.AdminOptions;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The admin API's one gate once a token is configured: a request passes only with
 * {@code Authorization: Bearer TOKEN}. Anything else is answered 401 in the API's JSON error
 * shape with a {@code WWW-Authenticate: Bearer} challenge (RFC 6750), before its body is read
 * and before any route, so an unknown path tells a stranger nothing either. With
 * {@link AdminOptions#isOpenHealth} {@code GET /health} passes without it.
 *
 * <p>The token given is compared by its SHA-256 digest with {@link MessageDigest#isEqual},
 * which takes the same time wherever two digests differ; digests are all 32 bytes, so the time
 * says nothing of the token's length either. Neither token is ever put in a reply or a log.
 */
final class BearerAuth implements Handler<RoutingContext> {

  /** The error code of a refusal, beside the bus's codes the other errors use. */
  static final String UNAUTHORIZED = "UNAUTHORIZED";
  private static final String SCHEME = "bearer ";
  private static final String REALM = "Bearer realm=\"commbus admin\"";

  private final byte[] expected;
  private final boolean openHealth;

  BearerAuth(String token, boolean openHealth) {
    this.expected = digest(token);
    this.openHealth = openHealth;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (openHealth && ctx.request().method() == HttpMethod.GET && "/health".equals(ctx.request().path())) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      refuse(ctx, REALM, header == null
          ? "this node's admin API needs the header Authorization: Bearer <token> (the token of admin.tokenFile)"
          // The header is never repeated: "Authorization: <token>" is a common slip, and the
          // reply may end up in a terminal, a log or a proxy's.
          : "this node's admin API takes only Authorization: Bearer <token>, and this request's"
              + " Authorization header is not of that form");
      return;
    }
    byte[] given = digest(header.substring(SCHEME.length()).strip());
    if (!MessageDigest.isEqual(expected, given)) {
      refuse(ctx, REALM + ", error=\"invalid_token\"", "the bearer token is not this node's admin token");
      return;
    }
    ctx.next();
  }

  private static void refuse(RoutingContext ctx, String challenge, String message) {
    ctx.response().putHeader("www-authenticate", challenge);
    ErrorReplies.json(ctx.response(), 401, ErrorReplies.error(UNAUTHORIZED, message));
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
