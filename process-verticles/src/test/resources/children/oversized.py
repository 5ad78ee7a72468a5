"""Completes the handshake, then announces a frame far larger than the maximum."""
import os
import struct
import frames

sock = frames.connect()
frames.send(sock, {"t": "hello", "v": 1, "token": os.environ["COMMBUS_TOKEN"], "pid": os.getpid(), "runtime": "test"})
frames.receive(sock)
frames.send(sock, {"t": "ready", "kind": "async"})
frames.receive(sock)
sock.sendall(struct.pack(">II", 1 << 30, 10))
sock.recv(1)
