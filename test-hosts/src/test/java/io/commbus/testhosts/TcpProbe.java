package io.commbus.testhosts;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Run inside a test host: {@code serve ADDRESS PORT} listens and prints {@code listening},
 * then accepts and closes connections until killed; {@code connect ADDRESS PORT MILLIS}
 * prints {@code connected} or {@code unreachable: <why>}.
 */
public final class TcpProbe {

  private TcpProbe() {
  }

  public static void main(String[] args) throws IOException {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
    if (args[0].equals("serve")) {
      try (ServerSocket server = new ServerSocket()) {
        server.bind(address);
        System.out.println("listening");
        while (true) {
          server.accept().close();
        }
      }
    }
    try (Socket socket = new Socket()) {
      socket.connect(address, Integer.parseInt(args[3]));
      System.out.println("connected");
    } catch (IOException e) {
      System.out.println("unreachable: " + e.getMessage());
    }
  }
}
