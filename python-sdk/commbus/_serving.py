"""Requests the parent sends: running the entry function and answering.

Requests are served concurrently, each in its own asyncio task (so a ``cancel`` can stop
it) and its own context (so ``current_request()`` answers for it). The entry function's
kind decides how it runs:

- ``sync``: on a worker thread (``run_in_executor``), so a blocking handler never stalls
  the event loop, which must stay free to answer ``ping`` and take other requests;
- ``async``: started at once, in the call that received the request; only a handler that
  suspends gets a task, to go on in (see ``Server._start_async``);
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
import types
from collections.abc import Callable, Coroutine, Generator
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
_COROUTINE = types.CoroutineType
_set_current = _current.set
copy_context = contextvars.copy_context
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


# asyncio's record of the running task. Private, but what asyncio's own eager tasks use
# (3.12); should an interpreter lack them, async handlers start in a task as before.
_enter_task: Callable[[asyncio.AbstractEventLoop, Any], None] | None = getattr(asyncio.tasks, "_enter_task", None)
_leave_task: Callable[[asyncio.AbstractEventLoop, Any], None] | None = getattr(asyncio.tasks, "_leave_task", None)


class _FirstStep:
    """The handler's task while its first step runs inline, before it has a real one.

    ``asyncio.current_task()`` returns this object during that step, so code that wants a
    task at the top of a handler (``asyncio.timeout``, ``TaskGroup``) finds one. Such code
    keeps the object and uses it later, when the handler may go on in the task created once
    it suspended: so it stands for that task. Cancellation asked for before the task exists
    is counted and replayed on it; once it exists, everything is forwarded to it.
    """

    __slots__ = ("task", "loop", "coro", "request_id", "cancels", "message", "finished")

    def __init__(self, loop: asyncio.AbstractEventLoop, coro: Any, request_id: int) -> None:
        self.task: asyncio.Task[None] | None = None
        self.loop = loop
        self.coro = coro
        self.request_id = request_id
        #: Cancellations asked for before the task existed (``cancel`` minus ``uncancel``).
        self.cancels = 0
        self.message: Any = None
        #: Set when the handler finished in its first step: there never will be a task.
        self.finished = False

    def cancel(self, msg: Any = None) -> bool:
        if self.task is not None:
            return self.task.cancel(msg)
        if self.finished:
            return False
        self.cancels += 1
        self.message = msg
        return True

    def cancelling(self) -> int:
        return self.task.cancelling() if self.task is not None else self.cancels

    def uncancel(self) -> int:
        if self.task is not None:
            return self.task.uncancel()
        if self.cancels > 0:
            self.cancels -= 1
        return self.cancels

    def done(self) -> bool:
        return self.task.done() if self.task is not None else self.finished

    def cancelled(self) -> bool:
        return self.task.cancelled() if self.task is not None else False

    def get_coro(self) -> Any:
        return self.coro

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self.loop

    def get_name(self) -> str:
        return self.task.get_name() if self.task is not None else _task_name(self.request_id)

    def __getattr__(self, name: str) -> Any:
        task = self.task
        if task is None:
            raise AttributeError(
                f"{name!r} of the current task is not available in the first step of a commbus "
                "handler (before its first await that suspends)"
            )
        return getattr(task, name)

    def __repr__(self) -> str:
        return f"<{self.get_name()} first step{' finished' if self.finished else ''}>"


def _task_name(request_id: int) -> str:
    return f"commbus request {request_id}"


@types.coroutine
def _continue_from(coro: Coroutine[Any, Any, Any], awaiting: Any) -> Generator[Any, Any, Any]:
    """Drives ``coro`` on from where its first step, run outside any task, left it: waiting
    for ``awaiting``, the future (or None, for a bare yield) it yielded."""
    while True:
        try:
            # Handed to the task, which waits for it as if its own step had yielded it.
            yield awaiting
            break
        except BaseException as exc:  # noqa: BLE001 - handed to the handler, as a task would
            # A task cancelled while it waits cancels the future it waits for and goes on
            # waiting, to be woken by that future's cancellation. One cancelled before its
            # first step (a cancel in the read that started the handler) throws at once:
            # make that the same.
            if (
                isinstance(exc, asyncio.CancelledError)
                and isinstance(awaiting, asyncio.Future)
                and awaiting.cancel(exc.args[0] if exc.args else None)
            ):
                continue
            try:
                awaiting = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
    # The task resumes with None, which the coroutine expects too; from here on this is a
    # plain delegation.
    return (yield from coro)


_NOTHING: Any = object()


class _Continuation(Coroutine[Any, Any, None]):
    """The coroutine of the task a handler goes on in after suspending in its first step.

    It wraps ``outer``, the SDK's coroutine that answers with the handler's result, already
    started and waiting for ``pending`` (what the handler's first step yielded). A native
    coroutine cannot be that: a task cancelled before its first step throws into its
    coroutine right away, and an unstarted coroutine would end there without running its
    ``except`` and ``finally`` (no answer, no bookkeeping). This one passes the throw on to
    the started ``outer``, which hands it to the handler.
    """

    __slots__ = ("_outer", "_pending", "_handler")

    def __init__(self, outer: Coroutine[Any, Any, None], pending: Any, handler: Coroutine[Any, Any, Any]) -> None:
        self._outer = outer
        self._pending = pending
        self._handler = handler

    def send(self, value: Any) -> Any:
        pending = self._pending
        if pending is not _NOTHING:
            # The task's first step: it gets what the handler waits for.
            self._pending = _NOTHING
            return pending
        return self._outer.send(value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:  # type: ignore[override]
        self._pending = _NOTHING
        if val is None and tb is None:
            return self._outer.throw(typ)
        return self._outer.throw(typ, val, tb)

    def close(self) -> None:
        self._pending = _NOTHING
        self._outer.close()

    def __await__(self) -> Generator[Any, Any, None]:
        return self  # type: ignore[return-value]

    def __iter__(self) -> _Continuation:
        return self

    def __next__(self) -> Any:
        return self.send(None)

    # What asyncio shows of a task's coroutine (its repr, debug messages): the handler's.
    @property
    def cr_code(self) -> Any:
        return self._handler.cr_code

    @property
    def cr_frame(self) -> Any:
        return self._handler.cr_frame

    @property
    def cr_running(self) -> bool:
        return self._handler.cr_running


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
        self._eager = kind == "async" and _enter_task is not None and _leave_task is not None

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
        info = RequestInfo(request_id, request_type if type(request_type) is str else "", header.get("tp"), deadline)
        if self._eager:
            self._start_async(request_id, credit, info, frame.body)
            return
        served = self._open[request_id] = _Served(request_id, credit, self._conn)
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

    def _start_async(self, request_id: int, credit: int, info: RequestInfo, payload: Any) -> None:
        """Runs an async handler's first step right here, and gives it a task only if it
        suspends.

        Most handlers answer without waiting for anything (or do so only late); starting
        each one in a task costs the task, a loop turn before it runs and one more before
        its answer is written. Run inline, the handler answers within the read that brought
        the request, and its answer leaves with the others at the end of that read. The
        step runs in a copy of the context, as a task's would, and ``current_task()`` finds
        a stand-in for the task (``_FirstStep``). Python 3.12 has this as eager tasks; 3.11
        does not.

        A request is entered in ``_open`` (which ``cancel``, credit and shutdown go by) only
        when it suspends: none of them can reach it during its first step.
        """
        loop = self._loop
        try:
            coro = self._function(payload)
        except BaseException as exc:  # noqa: BLE001 - every failure of the handler is an answer
            self._send_error(request_id, exc)
            return
        if type(coro) is not _COROUTINE:
            # Not a native coroutine (a callable object returning some other awaitable):
            # nothing to step through by hand.
            served = self._open[request_id] = _Served(request_id, credit, self._conn)
            served.task = loop.create_task(self._finish_in_task(served, info, coro))
            return
        context = copy_context()
        context.run(_set_current, info)
        first = _FirstStep(loop, coro, request_id)
        try:
            _enter_task(loop, first)  # type: ignore[misc]
        except RuntimeError:
            # A task is running already (frames fed from within a task): the stand-in
            # cannot take its place, so this request starts in a task after all.
            served = self._open[request_id] = _Served(request_id, credit, self._conn)
            served.task = loop.create_task(self._finish_in_task(served, info, coro), context=context)
            return
        try:
            awaiting = context.run(coro.send, None)
        except StopIteration as stop:
            first.finished = True
            if first.cancels:
                # The handler cancelled its own task and returned: a task would end
                # cancelled rather than with the value.
                self._send_cancelled(request_id)
                return
            # _send_result, inlined: this is the path of every request that answers at once.
            result = stop.value
            conn = self._conn
            try:
                if result is None:
                    conn.send_frame(_RES_EMPTY % request_id)
                elif isinstance(result, _RAW):
                    conn.send_frame(_RES_RAW % request_id, result)
                else:
                    conn.send_frame(_RES_JSON % request_id, encode_json(result))
            except Codec as exc:
                self._send_error(request_id, exc)
            return
        except asyncio.CancelledError:
            first.finished = True
            self._send_cancelled(request_id)
            return
        except BaseException as exc:  # noqa: BLE001
            first.finished = True
            self._send_error(request_id, exc)
            return
        finally:
            _leave_task(loop, first)  # type: ignore[misc]
        # The handler waits for something: it goes on in a task of its own, in its context.
        served = self._open[request_id] = _Served(request_id, credit, self._conn)
        outer = self._finish_in_task(served, info, _continue_from(coro, awaiting))
        pending = context.run(outer.send, None)  # runs up to the handler's `yield awaiting`
        task = loop.create_task(_Continuation(outer, pending, coro), name=_task_name(request_id), context=context)
        served.task = first.task = task
        for _ in range(first.cancels):
            task.cancel(first.message)
        if not self._conn.is_open:
            # The connection went away while the first step ran.
            served.closed = True
            task.cancel()

    async def _finish_in_task(self, served: _Served, info: RequestInfo, awaitable: Any) -> None:
        """Awaits an async handler's result in its task and answers with it."""
        _current.set(info)
        try:
            result = await awaitable
        except asyncio.CancelledError:
            self._answer_cancelled(served)
            raise
        except BaseException as exc:  # noqa: BLE001
            self._answer_error(served, exc)
        else:
            self._answer_result(served, result)
        finally:
            self._done(served)

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
        if not served.closed:
            self._send_result(served.id, result)

    def _answer_error(self, served: _Served, exc: BaseException) -> None:
        if not served.closed:
            self._send_error(served.id, exc)

    def _answer_cancelled(self, served: _Served) -> None:
        # A cancel from the parent closed the exchange already: it expects nothing more.
        # Anything else that cancels a request (shutdown after the grace period) is answered.
        if not served.closed:
            self._send_cancelled(served.id)

    def _send_result(self, request_id: int, result: Any) -> None:
        try:
            if result is None:
                self._conn.send_frame(_RES_EMPTY % request_id)
            elif isinstance(result, _RAW):
                self._conn.send_frame(_RES_RAW % request_id, result)
            else:
                self._conn.send_frame(_RES_JSON % request_id, encode_json(result))
        except Codec as exc:
            self._send_error(request_id, exc)

    def _send_error(self, request_id: int, exc: BaseException) -> None:
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
            "id": request_id,
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

    def _send_cancelled(self, request_id: int) -> None:
        self._conn.send(
            {"t": "err", "id": request_id, "code": "CANCELLED", "message": "the child stopped the request before it finished"}
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
