import sys
import frames

sock = frames.connect()
frames.send(sock, {"t": "hello", "v": 1, "token": "not-the-token", "pid": 0, "runtime": "test"})
header, _ = frames.receive(sock)
print("parent answered", header, file=sys.stderr)
sys.exit(3)
