"""Channels between pipeline nodes: items from one process to another over a Unix socket,
directly, with credit-based back-pressure (docs/pipelines.md).

The downstream node listens (``ChannelReader.listen``), the upstream one connects
(``ChannelWriter.connect``). Frames are the child protocol's (``frames``): an ``item`` frame per
item, raw bytes (``b: r``) or JSON (``b: j``), with the item's sequence number, timestamp and
content type in its header; ``credit`` from the reader, which grants its capacity at once and
then, as the consumer takes items, half of it at a time (``credit_batch``); ``end`` when the
writer is done and ``err`` when it failed. The writer never has more items in flight than the
reader's capacity, so a slow consumer slows its producer, and memory stays bounded by the
capacity on both sides.

A **resumable** channel (a session's under the restart policy) outlives the process at either
end: a reader takes a new writer when its writer went away without ``end``, and a writer whose
reader went away connects again (to the restarted reader at the same path) and counts the items
the dead reader had not confirmed taking as lost.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from ._protocol import Body, FrameKind, Key, credit_batch
from .errors import CommBusError, ProtocolError, error_from
from .frames import Frame, FrameReader, encode_frame, pack_prefix

__all__ = ["Item", "ChannelReader", "ChannelWriter"]

_SEQ: Final = Key.SEQ
_TS: Final = Key.TS
_CONTENT_TYPE: Final = Key.CONTENT_TYPE
# The pieces of a raw item's header, in the order encode_frame writes them (ASCII JSON).
_ITEM_HEAD: Final = '{"' + Key.KIND + '":"' + FrameKind.ITEM + '","' + Key.SEQ + '":'
_TS_FIELD: Final = ',"' + Key.TS + '":'
_CT_FIELD: Final = ',"' + Key.CONTENT_TYPE + '":'
_RAW_TAIL: Final = ',"' + Key.BODY + '":"' + Body.RAW + '"}'
#: The largest item a channel carries, in bytes: a 1 MiB frame of video with room to spare.
MAX_ITEM: Final = 64 * 1024 * 1024


class Item:
    """One item of a channel: ``data`` (bytes, or a JSON value), its sequence number on the
    channel (from 0), and the timestamp and content type its producer gave it, if any."""

    __slots__ = ("data", "seq", "ts", "content_type")

    def __init__(self, data: Any, seq: int, ts: float | None = None, content_type: str | None = None) -> None:
        self.data = data
        self.seq = seq
        self.ts = ts
        self.content_type = content_type

    def __repr__(self) -> str:
        size = f"{len(self.data)} bytes" if isinstance(self.data, (bytes, bytearray, memoryview)) else "json"
        return f"Item(seq={self.seq}, {size}, ts={self.ts!r}, content_type={self.content_type!r})"


class _Frames(asyncio.BufferedProtocol):
    """Frames in, routed to ``on_frame``; ``on_end`` once when the connection ends."""

    def __init__(self, on_frame: Any, on_end: Any, on_made: Any = None) -> None:
        self.reader = FrameReader(MAX_ITEM + 65536)
        self.on_frame = on_frame
        self.on_end = on_end
        self.on_made = on_made
        self.transport: asyncio.Transport | None = None
        self.paused = False
        self.drained: asyncio.Future[None] | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if self.on_made is not None:
            self.on_made()

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.reader.get_buffer()

    def buffer_updated(self, nbytes: int) -> None:
        try:
            for frame in self.reader.received(nbytes):
                self.on_frame(frame)
        except (ProtocolError, CommBusError) as exc:
            self.on_end(exc)
            if self.transport is not None:
                self.transport.abort()

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.on_end(exc)
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)
        if not self.closed.done():
            self.closed.set_result(None)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    async def drain(self) -> None:
        if self.paused:
            self.drained = asyncio.get_running_loop().create_future()
            await self.drained


#: How often a resumable writer tries its reader's path again while the reader's node restarts.
_RECONNECT_RETRY: Final = 0.01


class ChannelWriter:
    """The upstream end of a channel: ``await send(data)`` waits for credit, then writes."""

    def __init__(self, path: str, resume_timeout: float | None) -> None:
        self._path = path
        self._resume_timeout = resume_timeout
        self._frames: _Frames | None = None
        self._credit = 0
        self._seq = 0
        self._waiting: asyncio.Future[None] | None = None
        self._gone: BaseException | None = None
        self._failure: ConnectionError | None = None
        self._closed = False
        # This connection's counts, for what a reader that went away had not taken.
        self._first_grant: int | None = None
        self._granted = 0
        self._sent_here = 0
        self._lost = 0
        self._content_type: str | None = None
        self._content_type_json: str | None = None
        #: Called with the number of items lost each time the channel resumed with a new reader.
        self.on_resumed: Callable[[int], None] | None = None

    @classmethod
    async def connect(cls, path: str, *, resume_timeout: float | None = None) -> ChannelWriter:
        """Connects to the reader listening at ``path``. With ``resume_timeout`` (seconds) the
        channel is resumable: when the reader goes away, ``send`` connects again to whichever
        reader listens at ``path`` next, waiting up to that long, and counts as ``lost`` what
        the old one had not confirmed taking."""
        writer = cls(path, resume_timeout)
        await writer._open()
        return writer

    async def _open(self) -> None:
        frames = _Frames(self._on_frame, self._on_end)
        await asyncio.get_running_loop().create_unix_connection(lambda: frames, self._path)
        self._frames = frames
        self._gone = None
        self._credit = 0
        self._first_grant = None
        self._granted = 0
        self._sent_here = 0

    @property
    def lost(self) -> int:
        """Items sent to readers that went away before confirming they took them (resumable channels)."""
        return self._lost

    async def _resume(self) -> int:
        """Connects to the reader's successor; returns how many items the one that went away had not confirmed."""
        assert self._resume_timeout is not None
        confirmed = self._granted - (self._first_grant or 0)
        lost = max(0, self._sent_here - confirmed)
        deadline = asyncio.get_running_loop().time() + self._resume_timeout
        gone = self._gone
        while True:
            try:
                await self._open()
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if asyncio.get_running_loop().time() >= deadline:
                    raise ConnectionError(f"the channel's reader went away ({gone}) and none listened at "
                                          f"{self._path} within {self._resume_timeout} s") from None
                await asyncio.sleep(_RECONNECT_RETRY)
        self._lost += lost
        return lost

    @property
    def failure(self) -> ConnectionError | None:
        """The error ``send`` raised when the reader had gone away, or None."""
        return self._failure

    @property
    def sent(self) -> int:
        """Items sent so far."""
        return self._seq

    def _on_frame(self, frame: Frame) -> None:
        if frame.t != FrameKind.CREDIT:
            raise ProtocolError(f"a channel's reader sends credit only, not {frame.t!r}")
        granted = frame.header.get(Key.COUNT)
        if type(granted) is not int or granted < 1:
            raise ProtocolError(f"credit must grant a positive number of items, got {granted!r}")
        if self._first_grant is None:
            self._first_grant = granted  # what it holds: the rest it grants as items are taken
        self._granted += granted
        self._credit += granted
        self._wake()

    def _on_end(self, exc: BaseException | None) -> None:
        if self._gone is None:
            self._gone = exc or ConnectionResetError("the channel's reader closed the channel")
        self._wake()

    def _wake(self) -> None:
        if self._waiting is not None and not self._waiting.done():
            self._waiting.set_result(None)

    async def send(self, data: Any, *, ts: float | None = None, content_type: str | None = None) -> None:
        """Sends one item (bytes as they are, anything else as JSON) once the reader has room."""
        if self._closed:
            raise RuntimeError("this channel writer is closed")
        while True:
            while self._credit == 0 and self._gone is None:
                self._waiting = asyncio.get_running_loop().create_future()
                await self._waiting
            if self._gone is None:
                break
            if self._resume_timeout is None or isinstance(self._gone, (ProtocolError, CommBusError)):
                self._failure = ConnectionError(f"the channel is gone: {self._gone}")
                raise self._failure
            try:
                lost = await self._resume()
            except ConnectionError as exc:
                self._failure = exc
                raise
            if self.on_resumed is not None:
                self.on_resumed(lost)
        raw = isinstance(data, (bytes, bytearray, memoryview))
        if raw and (ts is None or (type(ts) is float and math.isfinite(ts))):
            frame = self._raw_item(bytes(data), ts, content_type)
        else:
            header: dict[str, Any] = {Key.KIND: FrameKind.ITEM, _SEQ: self._seq}
            if ts is not None:
                header[_TS] = ts
            if content_type is not None:
                header[_CONTENT_TYPE] = content_type
            frame = encode_frame(header, bytes(data) if raw else data)
        if len(frame) > MAX_ITEM:
            raise ValueError(f"an item of {len(frame)} bytes is over a channel's most, {MAX_ITEM}")
        assert self._frames is not None and self._frames.transport is not None
        if self._closed:
            raise RuntimeError("this channel writer is closed")
        self._frames.transport.write(frame)
        self._credit -= 1
        self._seq += 1
        self._sent_here += 1
        await self._frames.drain()

    def _raw_item(self, data: bytes, ts: float | None, content_type: str | None) -> bytes:
        """The ``item`` frame of raw bytes, its header written out directly: the frame a media
        pipeline sends tens of thousands of times a second, the same bytes ``encode_frame``
        makes (``b`` last), without its general checks and encoder."""
        if content_type != self._content_type or type(content_type) is not type(self._content_type):
            encoded_type = None if content_type is None else json.dumps(content_type)
            self._content_type, self._content_type_json = content_type, encoded_type
        head = _ITEM_HEAD + str(self._seq)
        if ts is not None:
            head += _TS_FIELD + float.__repr__(ts)
        if self._content_type_json is not None:
            head += _CT_FIELD + self._content_type_json
        encoded = (head + _RAW_TAIL).encode("ascii")
        return pack_prefix(4 + len(encoded) + len(data), len(encoded)) + encoded + data

    async def close(self, error: CommBusError | None = None) -> None:
        """Ends the channel: ``end``, or ``err`` with ``error``, after the items; then waits
        until the reader has received them and let go. Leaving earlier would take the socket
        away from under the reader's credit, and with it what the reader had not read yet."""
        if self._closed:
            return
        if self._gone is not None and self._resume_timeout is not None and not isinstance(
                self._gone, (ProtocolError, CommBusError)):
            lost = await self._resume()  # the end must reach the reader's successor, or it waits for ever
            if self.on_resumed is not None:
                self.on_resumed(lost)
        self._closed = True
        assert self._frames is not None
        transport = self._frames.transport
        if transport is not None and not transport.is_closing():
            if error is None:
                transport.write(encode_frame({Key.KIND: FrameKind.END}))
            else:
                transport.write(encode_frame({Key.KIND: FrameKind.ERR, Key.CODE: error.code,
                                              Key.MESSAGE: error.message}))
            # No EOF after it: a reader on the JVM (Netty) closes a connection at its peer's EOF,
            # which would end this wait while the reader still holds items it has not handed on.
            # The reader closes the connection itself once it has handed on the end.
            await self._frames.closed

    def abort(self) -> None:
        """Drops the connection without an end, as a process that died would: a resumable
        reader waits for this writer's successor; any other reader's iteration fails."""
        self._closed = True
        if self._frames is not None and self._frames.transport is not None:
            self._frames.transport.abort()

    async def __aenter__(self) -> ChannelWriter:
        return self

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        await self.close()


def _write_credit(transport: asyncio.Transport, frame: bytes) -> None:
    """Writes a credit frame so that a writer which died cannot cost the items it sent first.
    asyncio's transport, on a failed write, stops reading and drops what is still unread; so
    the frame goes to the socket directly, and a failure says only that the writer is gone,
    while what it sent before is read to its end as usual."""
    if transport.get_write_buffer_size() > 0:
        transport.write(frame)  # behind frames still queued: keep their order
        return
    try:
        written = os.write(transport.get_extra_info("socket").fileno(), frame)
    except (BlockingIOError, InterruptedError):
        written = 0
    except (BrokenPipeError, ConnectionResetError):
        return
    if written < len(frame):
        transport.write(frame[written:])


class ChannelReader:
    """The downstream end of a channel: an async iterator over its items, holding at most
    ``capacity`` of them; the iteration ends at the writer's ``end`` and raises at its ``err``."""

    def __init__(self, server: asyncio.AbstractServer, capacity: int, resumable: bool) -> None:
        self._server = server
        self._capacity = capacity
        self._resumable = resumable
        self._writers = 0
        self._items: deque[Item] = deque()
        self._taken = 0
        self._ended: BaseException | None = None
        self._finished = False
        self._waiting: asyncio.Future[None] | None = None
        self._frames: _Frames | None = None

    @classmethod
    async def listen(cls, path: str, capacity: int, *, resumable: bool = False) -> ChannelReader:
        """Listens at ``path`` (a socket file only its user may use) for the channel's writer.
        A ``resumable`` reader takes a new writer when its writer went away without ``end``."""
        if capacity < 1:
            raise ValueError(f"a channel holds at least one item, not {capacity}")
        reader: ChannelReader | None = None

        def connected() -> _Frames:
            assert reader is not None
            return reader._connected()

        server = await asyncio.get_running_loop().create_unix_server(connected, path)
        os.chmod(path, 0o600)
        reader = cls(server, capacity, resumable)
        return reader

    @property
    def writers(self) -> int:
        """Writers that have connected so far: more than one when the channel resumed."""
        return self._writers

    def _connected(self) -> _Frames:
        current = self._frames
        if current is not None and not current.closed.done():
            raise ProtocolError("a channel takes one writer at a time")
        frames: _Frames

        def ended(exc: BaseException | None) -> None:
            self._on_end(frames, exc)

        frames = _Frames(self._on_frame, ended, self._writer_came)
        self._frames = frames
        return frames

    def _writer_came(self) -> None:
        self._writers += 1
        if not self._resumable:
            # Closed only now, the connection attached to it: one writer per channel, no one else may connect.
            self._server.close()
        # Room for what it may send: the capacity, less what is held and what was taken but not yet granted.
        self._grant(self._capacity - len(self._items) - self._taken)

    def _grant(self, n: int) -> None:
        if self._ended is not None or n < 1:
            return  # the writer is done: it takes no more credit
        if self._frames is not None and self._frames.transport is not None and not self._frames.transport.is_closing():
            _write_credit(self._frames.transport, encode_frame({Key.KIND: FrameKind.CREDIT, Key.COUNT: n}))

    def _on_frame(self, frame: Frame) -> None:
        kind = frame.t
        if self._ended is not None:
            raise ProtocolError(f"the channel's writer sent {kind!r} after its end")
        if kind == FrameKind.ITEM:
            if len(self._items) >= self._capacity:
                raise ProtocolError(f"the channel's writer sent more than the {self._capacity} items it was granted")
            header = frame.header
            self._items.append(Item(frame.body, header.get(_SEQ, -1), header.get(_TS), header.get(_CONTENT_TYPE)))
        elif kind == FrameKind.END:
            self._ended = StopAsyncIteration()
        elif kind == FrameKind.ERR:
            self._ended = error_from(frame.header.get(Key.CODE, "INTERNAL"), frame.header.get(Key.MESSAGE, ""))
        else:
            raise ProtocolError(f"a channel's writer sends items, end and err only, not {kind!r}")
        if self._waiting is not None and not self._waiting.done():
            self._waiting.set_result(None)

    def _on_end(self, frames: _Frames, exc: BaseException | None) -> None:
        if frames is not self._frames:
            return
        if self._ended is None and self._resumable and not isinstance(exc, ProtocolError):
            return  # its successor will connect; the items it sent are held
        if self._ended is None:
            self._ended = exc if isinstance(exc, ProtocolError) else ConnectionError(
                f"the channel's writer went away before its end: {exc or 'closed'}")
        if self._waiting is not None and not self._waiting.done():
            self._waiting.set_result(None)

    @property
    def failure(self) -> BaseException | None:
        """The error the writer ended the channel with (an ``err``, or its going away), or None."""
        ended = self._ended
        return None if ended is None or isinstance(ended, StopAsyncIteration) else ended

    def __aiter__(self) -> ChannelReader:
        return self

    async def __anext__(self) -> Item:
        while not self._items:
            if self._ended is not None:
                if not self._finished:
                    self._finished = True
                    if self._frames is not None and self._frames.transport is not None:
                        self._frames.transport.close()  # what lets the writer's close return
                raise self._ended
            self._waiting = asyncio.get_running_loop().create_future()
            await self._waiting
        item = self._items.popleft()
        self._taken += 1
        if self._taken >= credit_batch(self._capacity):
            self._grant(self._taken)
            self._taken = 0
        return item

    async def close(self) -> None:
        """Stops listening and drops the connection; the writer's next send fails."""
        self._server.close()
        if self._frames is not None and self._frames.transport is not None:
            self._frames.transport.close()

    async def __aenter__(self) -> ChannelReader:
        return self

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        await self.close()
