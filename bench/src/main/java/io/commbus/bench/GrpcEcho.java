package io.commbus.bench;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.internal.GrpcUtil;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ServerCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The clients suite's gRPC baseline: a grpc-java server in the bench JVM with one unary method,
 * {@code bench.Echo/Call}, that answers every request with its own bytes. No protoc: the method
 * is a {@code MethodDescriptor<byte[], byte[]>} with a marshaller that passes bytes through, so
 * the server does the same work as the Java echo handler on the bus side and nothing else.
 *
 * <p>It listens on a Unix domain socket, like the client endpoint, through grpc-netty-shaded's
 * own epoll transport. Like the endpoint it serves from one event-loop thread (plus one that
 * only accepts), and the handler runs on that thread ({@code directExecutor()}), as the bus
 * side's handler runs on the endpoint's loop: grpc-java's fastest setup for a handler that never
 * blocks. Blocks; call from a worker or the main thread.
 */
final class GrpcEcho implements AutoCloseable {

  static final String SERVICE = "bench.Echo";
  /** grpc-java's version, as the library reports it. */
  static final String VERSION = GrpcUtil.IMPLEMENTATION_VERSION;
  private static final long STOP_SECONDS = 10;

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read a gRPC message", e);
      }
    }
  };

  static final MethodDescriptor<byte[], byte[]> CALL = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Call"))
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();
  /** The method as grpcio's {@code channel.unary_unary} names it, with a leading slash. */
  static final String PATH = "/" + CALL.getFullMethodName();

  private final Server server;
  private final EventLoopGroup boss;
  private final EventLoopGroup worker;
  private final Path socket;

  private GrpcEcho(Server server, EventLoopGroup boss, EventLoopGroup worker, Path socket) {
    this.server = server;
    this.boss = boss;
    this.worker = worker;
    this.socket = socket;
  }

  /** Starts the server on a new Unix socket at {@code socket}. */
  static GrpcEcho start(Path socket) {
    if (!Epoll.isAvailable()) {
      throw new BenchFailure("grpc-netty-shaded's epoll transport is unavailable, so the gRPC baseline cannot "
          + "listen on a Unix socket: " + Epoll.unavailabilityCause());
    }
    EventLoopGroup boss = new EpollEventLoopGroup(1, new DefaultThreadFactory("bench-grpc-boss", true));
    EventLoopGroup worker = new EpollEventLoopGroup(1, new DefaultThreadFactory("bench-grpc-worker", true));
    ServerServiceDefinition echo = ServerServiceDefinition.builder(SERVICE)
        .addMethod(CALL, ServerCalls.asyncUnaryCall((request, reply) -> {
          reply.onNext(request);
          reply.onCompleted();
        }))
        .build();
    try {
      Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
          .channelType(EpollServerDomainSocketChannel.class)
          .bossEventLoopGroup(boss)
          .workerEventLoopGroup(worker)
          .directExecutor()
          .addService(echo)
          .build()
          .start();
      return new GrpcEcho(server, boss, worker, socket);
    } catch (IOException | RuntimeException e) {
      stop(boss, worker);
      throw new BenchFailure("cannot start the gRPC echo server on " + socket, e);
    }
  }

  /** The target grpcio connects to. */
  String target() {
    return "unix:" + socket;
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(STOP_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stop(boss, worker);
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + socket, e);
    }
  }

  private static void stop(EventLoopGroup... groups) {
    for (EventLoopGroup group : groups) {
      group.shutdownGracefully(0, STOP_SECONDS, TimeUnit.SECONDS).awaitUninterruptibly(STOP_SECONDS, TimeUnit.SECONDS);
    }
  }
}
