package io.commbus.node.hosts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for one host's client endpoint (its address in the certificate, as
 * a client checks it), its key, and a token for the workers that attach over it; made with the
 * machine's {@code openssl}.
 */
record ClientTls(Path certificate, Path key, Path token) {

  static ClientTls make(Path dir, String address) throws IOException, InterruptedException {
    Path tls = Files.createDirectories(dir.resolve("client-tls"));
    Path certificate = tls.resolve("node.pem");
    Path key = tls.resolve("node.key");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=" + address, "-addext", "subjectAltName=IP:" + address, "-keyout", key.toString(),
        "-out", certificate.toString()).redirectErrorStream(true).start();
    String said = new String(openssl.getInputStream().readAllBytes());
    if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
      throw new IllegalStateException("openssl could not make the client endpoint's certificate: " + said);
    }
    Path token = tls.resolve("gpu.token");
    byte[] random = new byte[24];
    new java.security.SecureRandom().nextBytes(random);
    Files.writeString(token, HexFormat.of().formatHex(random));
    for (Path secret : List.of(token, key)) {
      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    }
    return new ClientTls(certificate, key, token);
  }
}
