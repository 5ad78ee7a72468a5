package io.commbus.node;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One plain TCP connection to a node's admin port, for requests no HTTP client would send
 * (bad escapes, half a request) and for watching when the server closes the connection.
 */
final class RawHttp implements Closeable {

  /** A status and the body of one response. */
  record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Socket socket;
  private final InputStream in;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  static RawHttp connect(int port) {
    try {
      return new RawHttp(new Socket(InetAddress.getByName("127.0.0.1"), port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code text} as it is: a request, or part of one. */
  RawHttp write(String text) {
    try {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A whole GET request for {@code target}, written as it is (no encoding), keeping the connection open. */
  RawHttp get(String target) {
    return write("GET " + target + " HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
  }

  /** Reads one response with a content-length body, waiting at most {@code wait} for each read. */
  Reply read(Duration wait) {
    try {
      socket.setSoTimeout((int) wait.toMillis());
      String statusLine = line();
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      int length = 0;
      for (String header = line(); !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(lower.substring("content-length:".length()).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      return new Reply(status, new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * How long until the server closes this connection, waiting at most {@code wait}; null if it
   * is still open then. Anything the server writes meanwhile is skipped.
   */
  Duration closedWithin(Duration wait) {
    long start = System.nanoTime();
    long deadline = start + wait.toNanos();
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return null;
        }
        socket.setSoTimeout((int) left);
        try {
          if (in.read() < 0) {
            return Duration.ofNanos(System.nanoTime() - start);
          }
        } catch (SocketTimeoutException e) {
          return null;
        } catch (SocketException e) {
          // A reset is a close too.
          return Duration.ofNanos(System.nanoTime() - start);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("the server closed the connection mid-response: " + bytes);
      }
      if (b != '\r') {
        bytes.write(b);
      }
    }
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
