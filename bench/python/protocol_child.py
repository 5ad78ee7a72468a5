"""The minimal child beside the SDK in the process benchmark's stream and callback rows.

It speaks the child protocol (docs/protocol.md) with asyncio, struct and json alone, and no
commbus import: one ``asyncio.Protocol`` that parses frames where they arrive and answers
from the same callback, with no task per request and no iterator per stream; what one read
asks for leaves in one write. It decodes every item it receives and encodes every item it
sends, as any consumer or producer must. What the SDK costs on top of this is what those
rows' ratios show.

    python3 protocol_child.py consume    req {"n"}: callback bench.Items, count its items, res {"count"}
    python3 protocol_child.py produce    req {"n"}: stream n items {"i": i}; reports kind "stream"
    python3 protocol_child.py callbacks  req {"k"}: k sequential callbacks bench.One, res {"count"}

Credit works as in the SDK: each call grants a window of 256 items and grants half a window
again each time that many have been taken.
"""

import asyncio
import json
import os
import platform
import struct
import sys

_PREFIX = struct.Struct(">II")
_WINDOW = 256
_HALF = _WINDOW // 2
_ROLES = {"consume": "async", "produce": "stream", "callbacks": "async"}


def _frame(header, body=b""):
    head = json.dumps(header, separators=(",", ":")).encode()
    return _PREFIX.pack(4 + len(head) + len(body), len(head)) + head + body


def _json(value):
    return json.dumps(value, separators=(",", ":")).encode()


class _Call:
    """A callback this child started for the request ``request_id``."""

    __slots__ = ("request_id", "count", "taken", "remaining", "completed")

    def __init__(self, request_id, remaining, completed):
        self.request_id = request_id
        #: Items received on this call.
        self.count = 0
        self.taken = 0
        #: Further callbacks to make after this one, and those made before (the callbacks role).
        self.remaining = remaining
        self.completed = completed


class _Production:
    """A stream this child is producing for one request."""

    __slots__ = ("id", "next", "n", "credit")

    def __init__(self, request_id, n, credit):
        self.id = request_id
        self.next = 0
        self.n = n
        self.credit = credit


class Child(asyncio.Protocol):
    def __init__(self, role, token, finished):
        self.role = role
        self.token = token
        self.finished = finished
        self.transport = None
        self.buffer = bytearray()
        self.out = []
        self.next_call = 1
        self.calls = {}
        self.productions = {}
        self.routes = {
            "welcome": self.on_welcome,
            "req": self.on_req,
            "item": self.on_item,
            "items": self.on_items,
            "end": self.on_end,
            "err": self.on_err,
            "credit": self.on_credit,
            "cancel": self.on_cancel,
            "ping": self.on_ping,
            "bye": self.on_bye,
        }

    # ---- the connection

    def connection_made(self, transport):
        self.transport = transport
        runtime = f"python {platform.python_version()}"
        transport.write(_frame({"t": "hello", "v": 1, "token": self.token, "pid": os.getpid(), "runtime": runtime}))

    def data_received(self, data):
        # Parse where the read landed when it starts on a frame boundary; keep only a
        # trailing partial frame. Everything answered from one read leaves in one write.
        buffer = self.buffer
        if buffer:
            buffer += data
            source = buffer
        else:
            source = data
        end = len(source)
        pos = 0
        with memoryview(source) as view:
            while end - pos >= 8:
                n, h = _PREFIX.unpack_from(view, pos)
                if end - pos - 4 < n:
                    break
                header = json.loads(view[pos + 8:pos + 8 + h].tobytes())
                body = view[pos + 8 + h:pos + 4 + n].tobytes()
                pos += 4 + n
                self.routes[header["t"]](header, body)
        if source is buffer:
            del buffer[:pos]
        elif pos < end:
            buffer += data[pos:]
        if self.out:
            self.transport.write(b"".join(self.out))
            self.out = []

    def connection_lost(self, exc):
        if not self.finished.done():
            self.finished.set_result(None)

    def send(self, header, body=b""):
        self.out.append(_frame(header, body))

    # ---- handshake, liveness, shutdown

    def on_welcome(self, header, body):
        self.send({"t": "ready", "kind": _ROLES[self.role]})

    def on_ping(self, header, body):
        self.send({"t": "pong", "id": header["id"]})

    def on_bye(self, header, body):
        if self.out:
            self.transport.write(b"".join(self.out))
            self.out = []
        self.transport.close()

    # ---- requests from the parent

    def on_req(self, header, body):
        request_id = header["id"]
        payload = json.loads(body)
        if self.role == "consume":
            self.call(request_id, "bench.Items", {"n": payload["n"]}, 0, 0)
        elif self.role == "callbacks":
            self.call(request_id, "bench.One", {"i": 0}, payload["k"] - 1, 0)
        else:
            production = _Production(request_id, payload["n"], header.get("credit", _WINDOW))
            self.productions[request_id] = production
            self.produce(production)

    def on_credit(self, header, body):
        production = self.productions.get(header["id"])
        if production is not None:
            production.credit += header["n"]
            self.produce(production)

    def on_cancel(self, header, body):
        self.productions.pop(header["id"], None)

    def produce(self, production):
        """Sends what the credit allows as one items frame; the end once all are out."""
        count = min(production.credit, production.n - production.next)
        if count > 0:
            first = production.next
            items = [{"i": i} for i in range(first, first + count)]
            production.next += count
            production.credit -= count
            self.send({"t": "items", "id": production.id, "n": count, "b": "j"}, _json(items))
        if production.next == production.n:
            del self.productions[production.id]
            self.send({"t": "end", "id": production.id})

    # ---- callbacks this child makes

    def call(self, request_id, path, payload, remaining, completed):
        call_id = self.next_call
        self.next_call += 1
        self.calls[call_id] = _Call(request_id, remaining, completed)
        header = {"t": "call", "id": call_id, "op": "callback", "type": path, "credit": _WINDOW, "b": "j"}
        self.send(header, _json(payload))

    def on_item(self, header, body):
        call = self.calls.get(header["id"])
        if call is not None:
            json.loads(body)
            self.took(header["id"], call, 1)

    def on_items(self, header, body):
        call = self.calls.get(header["id"])
        if call is not None:
            count = 0
            for _ in json.loads(body):
                count += 1
            self.took(header["id"], call, count)

    def took(self, call_id, call, count):
        call.count += count
        call.taken += count
        if call.taken >= _HALF:
            self.send({"t": "credit", "id": call_id, "n": call.taken})
            call.taken = 0

    def on_end(self, header, body):
        call = self.calls.pop(header["id"], None)
        if call is None:
            return
        completed = call.completed + 1
        if call.remaining > 0:
            self.call(call.request_id, "bench.One", {"i": completed}, call.remaining - 1, completed)
        elif self.role == "callbacks":
            self.answer(call.request_id, {"count": completed})
        else:
            self.answer(call.request_id, {"count": call.count})

    def on_err(self, header, body):
        call = self.calls.pop(header["id"], None)
        if call is not None:
            self.send({"t": "err", "id": call.request_id, "code": header.get("code", "INTERNAL"),
                       "message": header.get("message", "callback failed")})

    def answer(self, request_id, value):
        self.send({"t": "res", "id": request_id, "b": "j"}, _json(value))


async def _main(role):
    loop = asyncio.get_running_loop()
    finished = loop.create_future()
    token = os.environ["COMMBUS_TOKEN"]
    await loop.create_unix_connection(lambda: Child(role, token, finished), os.environ["COMMBUS_SOCKET"])
    await finished


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in _ROLES:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(_ROLES)}")
    if "COMMBUS_SOCKET" not in os.environ or "COMMBUS_TOKEN" not in os.environ:
        sys.exit(2)
    asyncio.run(_main(sys.argv[1]))
