"""Completes the handshake, then ignores bye and SIGTERM: only SIGKILL ends it."""
import os
import signal
import frames

signal.signal(signal.SIGTERM, signal.SIG_IGN)
sock = frames.connect()
frames.send(sock, {"t": "hello", "v": 1, "token": os.environ["COMMBUS_TOKEN"], "pid": os.getpid(), "runtime": "test"})
frames.receive(sock)
frames.send(sock, {"t": "ready", "kind": "async"})
while True:
    try:
        frames.receive(sock)
    except EOFError:
        signal.pause()
