"""Completes the handshake, then answers the first request with bytes that are no frame."""
import os
import frames

sock = frames.connect()
frames.send(sock, {"t": "hello", "v": 1, "token": os.environ["COMMBUS_TOKEN"], "pid": os.getpid(), "runtime": "test"})
frames.receive(sock)
frames.send(sock, {"t": "ready", "kind": "async"})
frames.receive(sock)
sock.sendall(b"\x00\x00\x00\x09garbage!!")
sock.recv(1)
