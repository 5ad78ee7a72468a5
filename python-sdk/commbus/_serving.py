"""Requests the parent sends: running the entry function and answering.

Every ``req`` runs as its own asyncio task, so requests are served concurrently and a
``cancel`` can stop one. The entry function's kind decides how it runs:

- ``sync``: on a worker thread (``run_in_executor``), so a blocking handler never stalls
  the event loop, which must stay free to answer ``ping`` and take other requests;
- ``async``: awaited on the loop;
- ``stream`` (an async generator): its items go out as they come, never more than the
  parent granted, several JSON items per ``items`` frame when they are produced within
  one loop iteration.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import inspect
import os
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, Literal

from ._connection import Connection
from ._context import RequestInfo, _current
from ._streams import DEFAULT_WINDOW
from .errors import Codec, CommBusError, ProtocolError
from .frames import Frame, encode_json

__all__ = ["Kind", "Server", "detect_kind", "format_traceback"]

Kind = Literal["sync", "async", "stream"]

_RAW = (bytes, bytearray, memoryview)
_RES_EMPTY = b'{"t":"res","id":%d}'
_RES_JSON = b'{"t":"res","id":%d,"b":"j"}'
_RES_RAW = b'{"t":"res","id":%d,"b":"r"}'
_ITEM_JSON = b'{"t":"item","id":%d,"b":"j"}'
_ITEM_RAW = b'{"t":"item","id":%d,"b":"r"}'
_ITEMS = b'{"t":"items","id":%d,"n":%d,"b":"j"}'
_END = b'{"t":"end","id":%d}'

# Items a stream handler may produce without the loop taking a turn (see _run_stream).
_ITEMS_PER_TURN = 4096
# Room left in a frame for the items header, so a batch never outgrows the frame limit.
_HEADER_ROOM = 96
# Tracebacks travel in a header; keep them well inside any sensible frame limit.
_MAX_TRACEBACK = 64 * 1024
_MAX_MESSAGE = 8 * 1024


def detect_kind(function: Callable[..., Any]) -> Kind:
    """How to run ``function``: an async generator streams, a coroutine function is awaited,
    anything else is called on a worker thread. A callable object counts by its
    ``__call__``."""
    candidates = [function]
    if not (inspect.isfunction(function) or inspect.ismethod(function)):
        call = getattr(type(function), "__call__", None)
        if call is not None:
            candidates.append(getattr(function, "__call__"))
    for candidate in candidates:
        if inspect.isasyncgenfunction(candidate):
            return "stream"
        if inspect.iscoroutinefunction(candidate):
            return "async"
    return "sync"


def _package_dir(module_file: str) -> str:
    return os.path.dirname(os.path.abspath(module_file)) + os.sep


# Frames from these packages sit between the SDK's task and the handler; not worth showing.
_PLUMBING = (
    _package_dir(__file__),
    _package_dir(asyncio.__file__),
    _package_dir(concurrent.futures.__file__),
)


def format_traceback(exc: BaseException) -> str:
    """The traceback of a handler's exception, starting at the handler's own frames (the
    SDK's and asyncio's frames in front of them say nothing about the failure)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename.startswith(_PLUMBING):
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    if len(text) > _MAX_TRACEBACK:
        text = "...(traceback shortened)...\n" + text[-_MAX_TRACEBACK:]
    return text


def _log_cleanup_failure(request_id: int, exc: BaseException) -> None:
    print(
        f"commbus: closing the stream handler of request {request_id} failed:\n{format_traceback(exc)}",
        file=sys.stderr,
        flush=True,
    )


class _Served:
    """One request being served: its task and, for streams, its credit and pending batch."""

    __slots__ = ("id", "task", "credit", "waiter", "batch", "batch_size", "closed", "conn")

    def __init__(self, id: int, credit: int, conn: Connection) -> None:
        self.id = id
        self.task: asyncio.Task[None] | None = None
        self.credit = credit
        self.waiter: asyncio.Future[None] | None = None
        self.batch: list[bytes] = []
        self.batch_size = 1
        #: Set when the exchange ended for the parent (cancelled, or answered); nothing more
        #: may be sent for it.
        self.closed = False
        self.conn = conn

    def add_item(self, data: bytes) -> None:
        """Adds one encoded JSON item to the batch that goes out at the end of the iteration."""
        limit = self.conn.max_frame - _HEADER_ROOM
        size = len(data) + 1  # with its comma (or the opening bracket)
        if size + 1 > limit:
            raise Codec(f"stream item of {len(data)} bytes exceeds the maximum frame size {self.conn.max_frame}")
        if self.batch_size + size > limit:
            self.flush_batch()
        if not self.batch:
            self.conn.add_batch(self)
        self.batch.append(data)
        self.batch_size += size

    def flush_batch(self) -> None:
        batch = self.batch
        if not batch:
            return
        self.batch = []
        self.batch_size = 1
        if self.closed:
            return
        if len(batch) == 1:
            self.conn.send_frame(_ITEM_JSON % self.id, batch[0])
        else:
            self.conn.send_frame(_ITEMS % (self.id, len(batch)), b"[" + b",".join(batch) + b"]")

    def grant(self, n: int) -> None:
        self.credit += n
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)


class Server:
    """Serves the parent's requests with one entry function."""

    def __init__(
        self,
        conn: Connection,
        function: Callable[..., Any],
        kind: Kind,
        executor: Callable[[], Executor],
    ) -> None:
        self._conn = conn
        self._function = function
        self._kind = kind
        self._executor = executor
        self._loop = asyncio.get_running_loop()
        self._open: dict[int, _Served] = {}
        self._accepting = True
        runners = {"sync": self._run_unary, "async": self._run_unary, "stream": self._run_stream}
        self._runner = runners[kind]

    @property
    def in_flight(self) -> int:
        """Requests being served now."""
        return len(self._open)

    # ---- frames from the parent

    def on_req(self, frame: Frame) -> None:
        header = frame.header
        request_id = header.get("id")
        if type(request_id) is not int:
            raise ProtocolError("'req' frame without an integer id")
        if request_id in self._open:
            raise ProtocolError(f"'req' reuses the id {request_id} of a request still in flight")
        if not self._accepting:
            self._conn.send(
                {"t": "err", "id": request_id, "code": "UNAVAILABLE", "message": "the child is shutting down"}
            )
            return
        credit = header.get("credit", DEFAULT_WINDOW)
        if type(credit) is not int or credit < 0:
            raise ProtocolError(f"'req' {request_id} has an invalid credit {credit!r}")
        deadline = header.get("dl")
        if deadline is not None and type(deadline) is not int:
            raise ProtocolError(f"'req' {request_id} has a non-integer deadline {deadline!r}")
        request_type = header.get("type")
        info = RequestInfo(request_id, request_type if isinstance(request_type, str) else "", header.get("tp"), deadline)
        served = _Served(request_id, credit, self._conn)
        self._open[request_id] = served
        served.task = self._loop.create_task(self._runner(served, info, frame.body))

    def on_credit(self, frame: Frame) -> None:
        header = frame.header
        n = header.get("n")
        if type(n) is not int or n < 0:
            raise ProtocolError(f"'credit' frame with an invalid n {n!r}")
        served = self._open.get(header.get("id"))  # type: ignore[arg-type]
        if served is not None:
            served.grant(n)

    def on_cancel(self, frame: Frame) -> None:
        served = self._open.pop(frame.header.get("id"), None)  # type: ignore[arg-type]
        if served is not None:
            served.closed = True
            served.batch = []
            if served.task is not None:
                served.task.cancel()

    # ---- running the entry function

    async def _run_unary(self, served: _Served, info: RequestInfo, payload: Any) -> None:
        _current.set(info)
        try:
            if self._kind == "async":
                result = await self._function(payload)
            else:
                context = contextvars.copy_context()
                result = await self._loop.run_in_executor(self._executor(), context.run, self._function, payload)
        except asyncio.CancelledError:
            self._answer_cancelled(served)
            raise
        except BaseException as exc:  # noqa: BLE001 - every failure of the handler is an answer
            self._answer_error(served, exc)
        else:
            self._answer_result(served, result)
        finally:
            self._done(served)

    async def _run_stream(self, served: _Served, info: RequestInfo, payload: Any) -> None:
        _current.set(info)
        conn = self._conn
        generator = None
        try:
            generator = self._function(payload)
            next_item = generator.__anext__
            produced = 0
            while True:
                if served.credit <= 0:
                    served.flush_batch()
                    while served.credit <= 0:
                        served.waiter = self._loop.create_future()
                        await served.waiter
                if conn.write_paused:
                    served.flush_batch()
                    await conn.drain()
                try:
                    item = await next_item()
                except StopAsyncIteration:
                    break
                served.credit -= 1
                if isinstance(item, _RAW):
                    served.flush_batch()
                    if not served.closed:
                        conn.send_frame(_ITEM_RAW % served.id, item)
                else:
                    served.add_item(encode_json(item))
                produced += 1
                if produced >= _ITEMS_PER_TURN:
                    # A generator that never suspends, granted plenty of credit, would keep
                    # the loop (and its pongs, and the socket) to itself: give way now and then.
                    produced = 0
                    served.flush_batch()
                    conn.flush()
                    await asyncio.sleep(0)
        except asyncio.CancelledError:
            self._answer_cancelled(served)
            raise
        except BaseException as exc:  # noqa: BLE001
            served.flush_batch()
            self._answer_error(served, exc)
        else:
            served.flush_batch()
            if not served.closed:
                conn.send_frame(_END % served.id)
        finally:
            self._done(served)
            if generator is not None and hasattr(generator, "aclose"):
                # Runs the generator's finally blocks when it was stopped early. The answer
                # is out already, so a failure there has nowhere to go but the log.
                try:
                    await generator.aclose()
                except Exception as exc:  # noqa: BLE001
                    _log_cleanup_failure(served.id, exc)

    def _done(self, served: _Served) -> None:
        served.closed = True
        if self._open.get(served.id) is served:
            del self._open[served.id]

    # ---- answers

    def _answer_result(self, served: _Served, result: Any) -> None:
        if served.closed:
            return
        try:
            if result is None:
                self._conn.send_frame(_RES_EMPTY % served.id)
            elif isinstance(result, _RAW):
                self._conn.send_frame(_RES_RAW % served.id, result)
            else:
                self._conn.send_frame(_RES_JSON % served.id, encode_json(result))
        except Codec as exc:
            self._answer_error(served, exc)

    def _answer_error(self, served: _Served, exc: BaseException) -> None:
        if served.closed:
            return
        if isinstance(exc, CommBusError):
            code = exc.code
            message = exc.message
            etype = exc.remote_type or type(exc).__name__
        else:
            code = "HANDLER_FAILED"
            message = str(exc) or type(exc).__name__
            etype = type(exc).__name__
        if len(message) > _MAX_MESSAGE:
            message = message[:_MAX_MESSAGE] + "...(shortened)"
        header = {
            "t": "err",
            "id": served.id,
            "code": code,
            "message": message,
            "etype": etype,
            "traceback": format_traceback(exc),
        }
        try:
            self._conn.send(header)
        except Codec:
            del header["traceback"]
            self._conn.send(header)

    def _answer_cancelled(self, served: _Served) -> None:
        # A cancel from the parent closed the exchange already: it expects nothing more.
        # Anything else that cancels a request (shutdown after the grace period) is answered.
        if not served.closed:
            self._conn.send(
                {"t": "err", "id": served.id, "code": "CANCELLED", "message": "the child stopped the request before it finished"}
            )

    # ---- shutdown

    def stop_accepting(self) -> None:
        """Answers every later request with ``UNAVAILABLE`` (the child is shutting down)."""
        self._accepting = False

    async def shutdown(self, grace: float) -> None:
        """Takes no new requests, lets those in flight finish within ``grace`` seconds, then
        cancels the rest (they are answered with ``CANCELLED``)."""
        self._accepting = False
        tasks = [served.task for served in self._open.values() if served.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=max(grace, 0.0))
        late = [served.task for served in self._open.values() if served.task is not None]
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=1.0)

    def abandon(self) -> None:
        """The connection is gone: stop every request without answering."""
        self._accepting = False
        served_all, self._open = self._open, {}
        for served in served_all.values():
            served.closed = True
            if served.task is not None:
                served.task.cancel()
