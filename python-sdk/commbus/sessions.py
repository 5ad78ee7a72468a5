"""Pipeline sessions from Python (docs/pipelines.md, "From Python"): create one on the node,
feed its inputs, read its outputs, terminate it. Works in a child (``bus`` left out: the
child's own connection) and in a client (``bus=await commbus.connect(...)``)::

    async with await sessions.create("call-1", spec, bus=client) as session:
        async with session.input("gate") as frames:
            await frames.send(pcm, ts=time.time(), content_type="audio/pcm")
        async for item in session.output("sink"):
            print(item.seq, len(item.data))

Items cross the bus as channel frames: bytes as they are, no base64. The session's types are
commbus's own (``commbus.sessions.*``, ``commbus.session.<id>.*``): a client's token needs
``admin`` for them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Final, Protocol

from . import _runtime
from ._protocol import FrameKind, Key, Op
from .channels import MAX_ITEM, Item
from .errors import CommBusError, NoHandlerError, ProtocolError, SessionNotFoundError, UnavailableError
from .frames import Frame, FrameReader, encode_frame

__all__ = ["Session", "SessionInput", "create", "list_sessions", "terminate", "DEFAULT_INPUT_WINDOW"]

CREATE: Final = "commbus.sessions.create"
LIST: Final = "commbus.sessions.list"
#: Frames an input keeps in flight before ``send`` waits for the oldest to be taken.
DEFAULT_INPUT_WINDOW: Final = 16
#: How long a call of a session may wait: the node keeps the bounds that matter (the spec's
#: initTimeout for a create; the channel's credit for an input), so this is the bus's longest.
LONG_WAIT: Final = 3600.0


class Bus(Protocol):
    """What sessions need of a connection: a ``commbus.connect`` client has it."""

    async def query(self, type: str, payload: Any = None, timeout: float | None = None) -> Any: ...

    def query_stream(self, type: str, payload: Any = None, timeout: float | None = None, *,
                     window: int = ...) -> Any: ...


class _ChildBus:
    """The child's own connection to its node."""

    async def query(self, type: str, payload: Any = None, timeout: float | None = None) -> Any:
        return await _runtime.require().caller.request(Op.QUERY, type, payload, timeout)

    def query_stream(self, type: str, payload: Any = None, timeout: float | None = None, *,
                     window: int = 64) -> Any:
        return _runtime.require().caller.stream(Op.STREAM, type, payload, timeout, window)


def _bus(bus: Bus | None) -> Bus:
    return bus if bus is not None else _ChildBus()


def _port_type(session: str, direction: str, port: str, default: str) -> str:
    return f"commbus.session.{session}.{direction}.{port if '.' in port else port + '.' + default}"


def _decode(data: bytes) -> Frame:
    """The one channel frame an output's stream item holds."""
    reader = FrameReader(MAX_ITEM + 65536)
    frames: list[Frame] = []
    view = memoryview(data)
    while view:
        buffer = reader.get_buffer()
        n = min(len(buffer), len(view))
        buffer[:n] = view[:n]
        frames.extend(reader.received(n))
        view = view[n:]
    if len(frames) != 1 or reader.buffered:
        raise ProtocolError(f"an output's item holds one whole channel frame, this one {len(frames)}")
    return frames[0]


class SessionInput:
    """One of a session's open inputs: ``await send(data)`` keeps up to ``window`` items in
    flight and waits, once it has that many, until the node's channel took the oldest; ``end()``
    ends the node's input once everything sent is in. As a context manager it ends the input on
    leaving, or fails it (``UNAVAILABLE``) when leaving on an exception."""

    def __init__(self, bus: Bus, type: str, window: int) -> None:
        if window < 1:
            raise ValueError(f"an input keeps at least one item in flight, not {window}")
        self._bus = bus
        self._type = type
        self._window = window
        self._in_flight: deque[asyncio.Future[Any]] = deque()
        self._seq = 0
        self._done = False

    async def send(self, data: Any, *, ts: float | None = None, content_type: str | None = None) -> None:
        """Sends one item: bytes as they are, anything else as JSON."""
        if self._done:
            raise RuntimeError("this session input has ended")
        header: dict[str, Any] = {Key.KIND: FrameKind.ITEM, Key.SEQ: self._seq}
        if ts is not None:
            header[Key.TS] = ts
        if content_type is not None:
            header[Key.CONTENT_TYPE] = content_type
        raw = isinstance(data, (bytes, bytearray, memoryview))
        frame = encode_frame(header, bytes(data) if raw else data)
        self._seq += 1
        self._in_flight.append(asyncio.ensure_future(self._query(frame)))
        while len(self._in_flight) >= self._window:
            await self._in_flight.popleft()

    async def _query(self, frame: bytes) -> Any:
        # A frame waits in the node while the node's channel has no room: as long as the node is slow.
        try:
            return await self._bus.query(self._type, frame, LONG_WAIT)
        except NoHandlerError:
            raise SessionNotFoundError(f"the session of {self._type} runs no more") from None

    async def _finish(self, header: dict[str, Any]) -> None:
        if self._done:
            return
        self._done = True
        try:
            while self._in_flight:
                await self._in_flight.popleft()
        finally:
            for pending in self._in_flight:
                pending.cancel()
        await self._query(encode_frame(header))

    async def end(self) -> None:
        """Ends the input: the node's iteration ends after every item sent."""
        await self._finish({Key.KIND: FrameKind.END})

    async def fail(self, error: CommBusError) -> None:
        """Ends the input with ``error``, which the node's iteration raises after the items sent."""
        await self._finish({Key.KIND: FrameKind.ERR, Key.CODE: error.code, Key.MESSAGE: error.message})

    async def __aenter__(self) -> SessionInput:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if exc is None:
            await self.end()
        elif not self._done:
            try:
                await self.fail(UnavailableError(f"the writer failed: {type(exc).__name__}: {exc}"))
            except CommBusError:
                pass  # the session may be gone already; the exception that left says more


class Session:
    """A running session: its ``id``, its open ``inputs`` and ``outputs`` (``node.port``) and
    its ``status`` when it was created. As an async context manager it is terminated on leaving."""

    def __init__(self, bus: Bus, status: dict[str, Any]) -> None:
        self._bus = bus
        self.status: dict[str, Any] = status
        self.id: str = status["id"]

    @property
    def inputs(self) -> list[str]:
        return list(self.status.get("inputs", []))

    @property
    def outputs(self) -> list[str]:
        return list(self.status.get("outputs", []))

    async def refresh(self) -> dict[str, Any]:
        """The session's status now; ``SessionNotFoundError`` once it has ended."""
        self.status = await _call(self._bus, f"commbus.session.{self.id}.status", self.id)
        return self.status

    async def terminate(self) -> dict[str, Any]:
        """Stops every node; returns the final status. ``SessionNotFoundError`` if it had ended."""
        return await terminate(self.id, bus=self._bus)

    def input(self, port: str, *, window: int = DEFAULT_INPUT_WINDOW) -> SessionInput:
        """Open input ``node.port`` (or ``node`` for its ``in``)."""
        return SessionInput(self._bus, _port_type(self.id, "in", port, "in"), window)

    async def output(self, port: str, *, window: int = 64) -> AsyncIterator[Item]:
        """The items of open output ``node.port`` (or ``node`` for its ``out``), to ``async for``
        over; the iteration raises the session's error (``PipelineTerminatedError``) when it
        ended without the output ending. One reader at a time."""
        # Paused, the reader holds the node back as long as it likes: the bus's longest idle time.
        stream = self._bus.query_stream(_port_type(self.id, "out", port, "out"), None, LONG_WAIT, window=window)
        async with stream:
            async for body in stream:
                if not body:
                    continue  # a heartbeat: the output is quiet
                frame = _decode(bytes(body))
                header = frame.header
                yield Item(frame.body, header.get(Key.SEQ, -1), header.get(Key.TS), header.get(Key.CONTENT_TYPE))

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.terminate()
        except SessionNotFoundError:
            pass  # it ended by itself

    def __repr__(self) -> str:
        return f"Session({self.id!r}, {self.status.get('state')})"


async def _call(bus: Bus, type: str, session: str, payload: Any = None) -> Any:
    try:
        return await bus.query(type, payload)
    except NoHandlerError:
        raise SessionNotFoundError(f"no session {session} runs") from None


async def create(id: str, spec: dict[str, Any] | None = None, *, pipeline: str | None = None,
                 bus: Bus | None = None, timeout: float = LONG_WAIT) -> Session:
    """Starts session ``id`` of ``spec`` (a pipeline spec as a dict, docs/pipelines.md) or of
    the node's configured ``pipeline``; returns once every node is ready. Raises
    ``InitTimeoutError``, ``NodeCrashedError``, ``ResourceLimitError`` or ``InvalidMessageError``."""
    if (spec is None) == (pipeline is None):
        raise ValueError("give a session's spec or the name of a configured pipeline, one of them")
    request: dict[str, Any] = {"id": id}
    if spec is not None:
        request["spec"] = spec
    else:
        request["pipeline"] = pipeline
    connection = _bus(bus)
    return Session(connection, await connection.query(CREATE, request, timeout))


async def list_sessions(*, bus: Bus | None = None) -> list[dict[str, Any]]:
    """The status of every session the node that answers runs."""
    answer = await _bus(bus).query(LIST)
    return list(answer.get("sessions", [])) if isinstance(answer, dict) else []


async def terminate(id: str, *, bus: Bus | None = None) -> dict[str, Any]:
    """Terminates session ``id`` wherever it runs; returns its final status."""
    result: dict[str, Any] = await _call(_bus(bus), f"commbus.session.{id}.terminate", id)
    return result
