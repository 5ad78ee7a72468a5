"""The baseline request/reply child for the process benchmark: plain asyncio, no commbus.

It speaks just enough of the child protocol (docs/protocol.md) to be a worker: ``hello``,
then ``ready {kind: "async"}`` once welcomed, then every ``req`` is answered with a ``res``
carrying the request's own body and encoding. ``credit`` and ``cancel`` need nothing from an
echo; ``ping`` gets its ``pong`` so the parent's hang detection leaves it alone; ``bye`` or
the parent closing the socket ends it.

It is as fast as plain asyncio allows: frames are parsed where they arrived (no copy into a
buffer when a read starts on a frame boundary), bodies are echoed without being decoded, and
all answers to one read leave in one write. What the SDK costs per request on top of this
is what the benchmark's echo rows show.

    COMMBUS_SOCKET=... COMMBUS_TOKEN=... python3 echo_child.py

Exit statuses as for the SDK's child: 0 after ``bye`` or when the parent closed the
connection, 2 for a missing environment, 3 for a protocol error or a refused handshake.
"""

import asyncio
import json
import os
import platform
import struct
import sys

_PREFIX = struct.Struct(">II")
_RES = {
    None: b'{"t":"res","id":%d}',
    "j": b'{"t":"res","id":%d,"b":"j"}',
    "r": b'{"t":"res","id":%d,"b":"r"}',
}
_PONG = b'{"t":"pong","id":%d}'


def _frame(header, body=b""):
    head = json.dumps(header, separators=(",", ":")).encode()
    return _PREFIX.pack(4 + len(head) + len(body), len(head)) + head + body


class EchoChild(asyncio.Protocol):
    def __init__(self, token, finished):
        self.token = token
        self.finished = finished
        self.transport = None
        self.buffer = bytearray()
        self.status = 0

    def connection_made(self, transport):
        self.transport = transport
        hello = {"t": "hello", "v": 1, "token": self.token, "pid": os.getpid(),
                 "runtime": f"python {platform.python_version()}"}
        transport.write(_frame(hello))

    def data_received(self, data):
        buffer = self.buffer
        if buffer:
            buffer += data
            source = buffer
        else:
            source = data
        view = memoryview(source)
        end = len(source)
        pos = 0
        out = []
        pack = _PREFIX.pack
        unpack_from = _PREFIX.unpack_from
        loads = json.loads
        try:
            while end - pos >= 8:
                n, h = unpack_from(view, pos)
                if n < 4 or h < 2 or h > n - 4:
                    return self.fail(f"malformed frame (N={n}, H={h})")
                if end - pos - 4 < n:
                    break
                start = pos + 8
                header = loads(view[start:start + h].tobytes())
                body_start = start + h
                pos += 4 + n
                kind = header.get("t")
                if kind == "req":
                    head = _RES[header.get("b")] % header["id"]
                    out.append(pack(4 + len(head) + pos - body_start, len(head)))
                    out.append(head)
                    out.append(view[body_start:pos])  # the request's body, not decoded
                elif kind == "ping":
                    head = _PONG % header["id"]
                    out.append(pack(4 + len(head), len(head)))
                    out.append(head)
                elif kind == "welcome":
                    out.append(_frame({"t": "ready", "kind": "async"}))
                elif kind == "bye":
                    self.close_after(out)
                    return
                elif kind == "fail":
                    print(f"echo child: the parent refused the handshake: {header.get('reason')}: "
                          f"{header.get('message')}", file=sys.stderr)
                    self.status = 3
                    self.close_after(out)
                    return
                # credit and cancel: an echo answers at once, so there is nothing to do.
            if out:
                self.transport.write(b"".join(out))
        except (ValueError, KeyError, TypeError) as exc:
            self.fail(f"malformed frame: {exc!r}")
        finally:
            # The slices in `out` are joined by now, so the buffer may move again.
            del out
            view.release()
            if source is buffer:
                del buffer[:pos]
            elif pos < end:
                buffer += data[pos:]

    def close_after(self, out):
        if out:
            self.transport.write(b"".join(out))
        self.transport.close()

    def fail(self, reason):
        print(f"echo child: protocol error: {reason}", file=sys.stderr)
        self.status = 3
        self.transport.abort()

    def connection_lost(self, exc):
        if not self.finished.done():
            self.finished.set_result(self.status)


async def main(socket_path, token):
    loop = asyncio.get_running_loop()
    finished = loop.create_future()
    try:
        await loop.create_unix_connection(lambda: EchoChild(token, finished), socket_path)
    except OSError as exc:
        print(f"echo child: cannot connect to {socket_path}: {exc}", file=sys.stderr)
        return 2
    return await finished


if __name__ == "__main__":
    socket_path = os.environ.get("COMMBUS_SOCKET")
    token = os.environ.get("COMMBUS_TOKEN")
    if not socket_path or not token:
        print("echo child: COMMBUS_SOCKET and COMMBUS_TOKEN must be set", file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(socket_path, token)))
