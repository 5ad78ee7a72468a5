"""The socket to the parent: frames in, coalesced frames out, write back-pressure.

This is an ``asyncio.BufferedProtocol`` rather than a reader task over a ``StreamReader``:
the event loop reads straight into one reusable buffer and calls ``buffer_updated``, which
decodes and routes the frames in the same call. No task wakes up per read, which is what
keeps a stream of small items cheap, and no buffer is allocated per read.

Outgoing frames are appended to a list and written together: at the end of the read that
produced them (so a handler that answers at once is answered in the loop turn of the
request), or else once per loop iteration, and as soon as 16 frames are queued. A burst of
replies costs one system call per 16 frames instead of one per frame, and the other side
starts on the first of them while this side still makes the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Final, Protocol

from ._protocol import DEFAULT_MAX_FRAME, Key
from .errors import CodecError, ProtocolError
from .frames import Frame, FrameReader, frame_parts, pack_prefix

__all__ = ["Connection", "BatchSource"]

Route = Callable[[Frame], None]

_T: Final = Key.KIND

# Above this many buffered bytes the transport asks us to pause; streams then wait for it to
# drain instead of piling items up in memory.
_HIGH_WATER = 1024 * 1024
_LOW_WATER = 256 * 1024
# A write goes out as soon as this many frames (or bytes) are queued, not only at the end of
# the loop turn. When many calls are in flight, a whole turn's frames in one write make the
# two sides take turns: the other side idles while this one produces the batch, and this one
# idles while the other answers it. Writing every 16 frames lets both work at once (on two
# cores it doubled a 64-in-flight client's queries per second); a system call per 16 frames
# costs little. The byte bound keeps one write, and its joined buffer, small.
_WRITE_FRAMES = 16
_WRITE_BYTES = 64 * 1024


class BatchSource(Protocol):
    """Something that collects items during a loop iteration and sends them at flush time."""

    def flush_batch(self) -> None: ...


class Connection(asyncio.BufferedProtocol):
    """One connection to the parent.

    ``routes`` maps a frame kind to the function that takes it; a kind without a route is a
    protocol error (the parent sent something it never sends). ``on_closed`` is told once
    why the connection ended: None for a clean close by the parent, the ``ProtocolError``
    that broke it, or another exception.
    """

    def __init__(self, routes: dict[str, Route], on_closed: Callable[[BaseException | None], None]) -> None:
        self.routes = routes
        self._on_closed = on_closed
        self._loop = asyncio.get_running_loop()
        self._reader = FrameReader(DEFAULT_MAX_FRAME)
        #: Largest N this side may send; `welcome` announces the parent's limit.
        self.max_frame = DEFAULT_MAX_FRAME
        self._transport: asyncio.Transport | None = None
        self._out: list[Any] = []
        # Frames and bytes in _out, for the early write (_WRITE_FRAMES, _WRITE_BYTES).
        self._queued_frames = 0
        self._queued_bytes = 0
        self._held: list[Any] | None = None
        self._batches: list[BatchSource] = []
        self._flush_scheduled = False
        self._paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._ended = False
        self.closed: asyncio.Future[None] = self._loop.create_future()
        #: Set by whoever answers the other side's pings, for a watchdog that wants to hear them.
        self.pinged = False

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the connection runs on (kept: asking asyncio for it costs a system call per call on 3.11)."""
        return self._loop

    # ---- asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.set_write_buffer_limits(high=_HIGH_WATER, low=_LOW_WATER)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._reader.get_buffer()

    def buffer_updated(self, nbytes: int) -> None:
        if self._ended:
            return
        # While the frames of this read are routed, nothing schedules a flush: whatever they
        # queue (the answers of handlers that finish at once, above all) is written below,
        # in this loop turn, instead of one turn later.
        scheduled = self._flush_scheduled
        self._flush_scheduled = True
        try:
            frames = self._reader.received(nbytes)
            routes = self.routes
            for frame in frames:
                route = routes.get(frame.header[_T])
                if route is None:
                    raise ProtocolError(f"unexpected '{frame.header[_T]}' frame from the parent")
                route(frame)
                if self._ended:
                    return
        except BaseException as exc:  # noqa: BLE001 - whatever broke, the connection is done
            self.abort(exc)
            if not isinstance(exc, Exception):
                raise
            return
        if self._out or self._batches:
            self.flush()
        elif self._flush_scheduled:
            self._flush_scheduled = scheduled

    def eof_received(self) -> bool:
        # Returning False lets the transport close itself; connection_lost follows.
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._wake_drainers()
        if not self.closed.done():
            self.closed.set_result(None)
        self._end(exc)

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._wake_drainers()

    # ---- sending

    def set_max_frame(self, max_frame: int) -> None:
        """Adopts the parent's frame limit for both directions."""
        self.max_frame = max_frame
        self._reader.max_frame = max_frame

    def send(self, header: dict[str, Any], body: Any = None) -> None:
        """Queues a frame built from a header dict and a body (see ``frames.encode_frame``).

        Raises ``CodecError`` if the body cannot be encoded or the frame exceeds the frame limit;
        nothing is queued then.
        """
        prefix, head, payload = frame_parts(header, body)
        n = 4 + len(head) + len(payload)
        if n > self.max_frame:
            raise CodecError(f"'{header[_T]}' frame of {n} bytes exceeds the maximum frame size {self.max_frame}")
        self._queue(prefix, head, payload)

    def send_frame(self, head: bytes, payload: bytes | bytearray | memoryview = b"") -> None:
        """Queues a frame whose header is already encoded (the hot paths format it directly)."""
        h = len(head)
        n = 4 + h + len(payload)
        if n > self.max_frame:
            raise CodecError(f"frame of {n} bytes exceeds the maximum frame size {self.max_frame}")
        # _queue, inlined: every answer and item batch comes this way.
        if self._ended:
            return
        out = self._held
        if out is None:
            out = self._out
        if payload:
            out += (pack_prefix(n, h), head, payload)
        else:
            out += (pack_prefix(n, h), head)
        if out is self._out:
            self._queued_frames += 1
            self._queued_bytes += n
            if self._queued_frames >= _WRITE_FRAMES or self._queued_bytes >= _WRITE_BYTES:
                self.flush()
                return
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self.flush)

    def _queue(self, prefix: bytes, head: bytes, payload: Any) -> None:
        if self._ended:
            return
        out = self._held if self._held is not None else self._out
        out.append(prefix)
        out.append(head)
        if payload:
            out.append(payload)
        if out is self._out:
            self._queued_frames += 1
            self._queued_bytes += 4 + len(head) + len(payload)
            if self._queued_frames >= _WRITE_FRAMES or self._queued_bytes >= _WRITE_BYTES:
                self.flush()
                return
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self.flush)

    def send_now(self, header: dict[str, Any], body: Any = None) -> None:
        """Queues a frame ahead of anything held back (the handshake's own frames)."""
        held, self._held = self._held, None
        try:
            self.send(header, body)
        finally:
            self._held = held

    def hold(self) -> None:
        """Holds back frames queued from now on until ``release`` (used while importing the
        entry module, whose top-level calls must not reach the parent before `ready`)."""
        if self._held is None:
            self._held = []

    def release(self, discard: bool = False) -> None:
        """Queues what ``hold`` kept back, after what is already queued (or drops it)."""
        held, self._held = self._held, None
        if held and not discard:
            self._out.extend(held)
            # Counted for the early write as if queued now: each frame is two or three parts.
            self._queued_frames += len(held) // 3 or 1
            self._queued_bytes += sum(len(part) for part in held)
            if not self._flush_scheduled:
                self._flush_scheduled = True
                self._loop.call_soon(self.flush)

    def add_batch(self, source: BatchSource) -> None:
        """Asks for ``source.flush_batch()`` right before the next write."""
        self._batches.append(source)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        """Writes everything queued in one call. Runs once per loop iteration when needed."""
        batches = self._batches
        if batches:
            self._batches = []
            for source in batches:
                source.flush_batch()
        self._flush_scheduled = False
        out = self._out
        if not out:
            return
        self._out = []
        self._queued_frames = self._queued_bytes = 0
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        transport.write(out[0] if len(out) == 1 else b"".join(out))

    @property
    def write_paused(self) -> bool:
        """True while the socket's send buffer is above its high-water mark."""
        return self._paused

    async def drain(self) -> None:
        """Waits until the socket's send buffer drains below its low-water mark."""
        if not self._paused or self._ended:
            return
        waiter = self._loop.create_future()
        self._drain_waiters.append(waiter)
        await waiter

    def _wake_drainers(self) -> None:
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    # ---- closing

    @property
    def is_open(self) -> bool:
        return not self._ended

    def close(self) -> None:
        """Writes what is queued, then closes the socket; ``closed`` completes when it is shut."""
        if self._transport is None:
            if not self.closed.done():
                self.closed.set_result(None)
            return
        self.flush()
        self._transport.close()

    def abort(self, exc: BaseException) -> None:
        """Ends the connection at once because of ``exc`` (a protocol error, usually)."""
        if self._ended:
            return
        if self._transport is not None:
            self._transport.abort()
        self._end(exc)

    def _end(self, exc: BaseException | None) -> None:
        if self._ended:
            return
        self._ended = True
        self._out = []
        self._held = None
        self._batches = []
        self._wake_drainers()
        self._on_closed(exc)

