package io.commbus.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate for 127.0.0.1, valid one day, made with {@code openssl} at run time:
 * the TLS rows need one, and a key checked into the repository would be a key anyone has.
 * Blocks; call from a worker.
 *
 * @param certificate the PEM certificate, which is also the client's CA file
 * @param key         its private key, PEM (PKCS#8)
 */
record SelfSignedCertificate(Path certificate, Path key) {

  static SelfSignedCertificate generate(Path directory) {
    Path certificate = directory.resolve("cert.pem");
    Path key = directory.resolve("key.pem");
    List<String> command = List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(),
        "-out", certificate.toString());
    try {
      Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!openssl.waitFor(30, TimeUnit.SECONDS) || openssl.exitValue() != 0 || !Files.isRegularFile(certificate)) {
        throw new BenchFailure("openssl could not make a certificate: " + output.trim());
      }
      return new SelfSignedCertificate(certificate, key);
    } catch (IOException e) {
      throw new UncheckedIOException("the TLS rows need openssl on the PATH", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted while making a certificate", e);
    }
  }
}
