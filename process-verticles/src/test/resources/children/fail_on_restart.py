"""Starts fine once and exits; every later run says it cannot start and stays alive."""
import os
import time
import frames

marker = os.environ["MARKER_FILE"]
first = not os.path.exists(marker)
sock = frames.connect()
frames.send(sock, {"t": "hello", "v": 1, "token": os.environ["COMMBUS_TOKEN"], "pid": os.getpid(), "runtime": "test"})
frames.receive(sock)
if first:
    open(marker, "w").close()
    frames.send(sock, {"t": "ready", "kind": "async"})
    raise SystemExit(1)
frames.send(sock, {"t": "fail", "reason": "import", "message": "the strategy is gone"})
time.sleep(300)
