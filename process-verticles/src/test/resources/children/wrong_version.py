import os
import sys
import frames

sock = frames.connect()
frames.send(sock, {"t": "hello", "v": 99, "token": os.environ["COMMBUS_TOKEN"], "pid": 0, "runtime": "test"})
header, _ = frames.receive(sock)
print("parent answered", header, file=sys.stderr)
sys.exit(3)
