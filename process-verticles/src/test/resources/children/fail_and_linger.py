"""Says in its handshake that it cannot start, then stays alive with a grandchild in its group.

The parent must not wait for it to exit by itself: it closes the socket and kills the group.
"""
import os
import subprocess
import time
import frames

grandchild = subprocess.Popen(["sleep", "300"])
with open(os.environ["PIDS_FILE"], "w") as out:
    out.write(f"{os.getpid()} {grandchild.pid}\n")
sock = frames.connect()
frames.send(sock, {"t": "hello", "v": 1, "token": os.environ["COMMBUS_TOKEN"], "pid": os.getpid(), "runtime": "test"})
frames.receive(sock)
frames.send(sock, {"t": "fail", "reason": "import", "message": "cannot import the strategy"})
time.sleep(300)
