"""Requests the parent sends: running the entry function and answering.

Requests are served concurrently, each in its own asyncio task (so a ``cancel`` can stop
it) and its own context (so ``current_request()`` answers for it). The entry function's
kind decides how it runs:

- ``sync``: on a worker thread (``run_in_executor``), so a blocking handler never stalls
  the event loop, which must stay free to answer ``ping`` and take other requests;
- ``async``: started at once, in the call that received the request; only a handler that
  suspends needs a loop turn to go on (see ``_eager``);
- ``stream`` (an async generator): its items go out as they come, never more than the
  parent granted, several JSON items per ``items`` frame when they are produced within
  one loop iteration.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from typing import Any, Final

from . import _eager
from ._answers import RAW_TYPES, Served, send_cancelled, send_error, send_result, send_unavailable
from ._connection import Connection
from ._context import RequestInfo, _current
from ._eager import FirstStepStarter, Start
from ._handlers import log_failure
from ._protocol import DEFAULT_WINDOW, END_HEAD, ITEM_RAW_HEAD, HandlerKind, Key
from .errors import ProtocolError
from .frames import Frame, encode_json

__all__ = ["Server"]

# Header keys read per request or credit frame, bound once: a class attribute lookup per
# use would show.
_ID: Final = Key.ID
_CREDIT: Final = Key.CREDIT
_DEADLINE: Final = Key.DEADLINE
_TYPE: Final = Key.TYPE
_TRACEPARENT: Final = Key.TRACEPARENT
_COUNT: Final = Key.COUNT

# Items a stream handler may produce without the loop taking a turn (see _run_stream).
_ITEMS_PER_TURN: Final = 4096


class Server:
    """Serves the parent's requests with one entry function."""

    def __init__(
        self,
        conn: Connection,
        function: Callable[..., Any],
        kind: HandlerKind,
        executor: Callable[[], Executor],
    ) -> None:
        self._conn = conn
        self._function = function
        self._kind = kind
        self._executor = executor
        self._loop = asyncio.get_running_loop()
        self._open: dict[int, Served] = {}
        self._accepting = True
        self._runner = self._run_stream if kind is HandlerKind.STREAM else self._run_unary
        start = _eager.START if kind is HandlerKind.ASYNC else Start.TASK
        self._first_step = (
            FirstStepStarter(self._loop, conn, function, self._answering) if start is Start.FIRST_STEP else None
        )
        self._eager_task = start is Start.EAGER_TASK

    @property
    def in_flight(self) -> int:
        """Requests being served now."""
        return len(self._open)

    @property
    def accepting(self) -> bool:
        """False once ``stop_accepting`` (or a shutdown) ran: new requests get ``UNAVAILABLE``."""
        return self._accepting

    def serves(self, request_id: Any) -> bool:
        """Whether request ``request_id`` is being served here (a client routes ``credit``
        and ``cancel`` by it, since it serves several types over one connection)."""
        return request_id in self._open

    # ---- frames from the parent

    def on_req(self, frame: Frame) -> None:
        header = frame.header
        request_id = header.get(_ID)
        if type(request_id) is not int:
            raise ProtocolError("'req' frame without an integer id")
        if request_id in self._open:
            raise ProtocolError(f"'req' reuses the id {request_id} of a request still in flight")
        if not self._accepting:
            send_unavailable(self._conn, request_id)
            return
        credit = header.get(_CREDIT, DEFAULT_WINDOW)
        if type(credit) is not int or credit < 0:
            raise ProtocolError(f"'req' {request_id} has an invalid credit {credit!r}")
        deadline = header.get(_DEADLINE)
        if deadline is not None and type(deadline) is not int:
            raise ProtocolError(f"'req' {request_id} has a non-integer deadline {deadline!r}")
        request_type = header.get(_TYPE)
        info = RequestInfo(request_id, request_type if type(request_type) is str else "", header.get(_TRACEPARENT), deadline)
        if self._first_step is not None:
            self._first_step.start(request_id, credit, info, frame.body)
            return
        served = self._open[request_id] = Served(request_id, credit, self._conn)
        if self._eager_task:
            task = served.task = _eager.eager_task(self._loop, self._runner(served, info, frame.body), request_id)
            if served.closed and not task.done():
                # The connection went away while the first step ran.
                task.cancel()
        else:
            served.task = self._loop.create_task(self._runner(served, info, frame.body))

    def on_credit(self, frame: Frame) -> None:
        header = frame.header
        n = header.get(_COUNT)
        if type(n) is not int or n < 0:
            raise ProtocolError(f"'credit' frame with an invalid n {n!r}")
        served = self._open.get(header.get(_ID))  # type: ignore[arg-type]
        if served is not None:
            served.grant(n)

    def on_cancel(self, frame: Frame) -> None:
        served = self._open.pop(frame.header.get(_ID), None)  # type: ignore[arg-type]
        if served is not None:
            served.closed = True
            served.batch = []
            if served.task is not None:
                served.task.cancel()

    # ---- running the entry function

    def _answering(self, request_id: int, credit: int, info: RequestInfo, awaitable: Any) -> tuple[Served, Coroutine[Any, Any, None]]:
        """Registers a request whose async handler goes on in a task (``_eager``), and returns
        the coroutine for that task."""
        served = self._open[request_id] = Served(request_id, credit, self._conn)
        return served, self._finish_in_task(served, info, awaitable)

    async def _finish_in_task(self, served: Served, info: RequestInfo, awaitable: Any) -> None:
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

    async def _run_unary(self, served: Served, info: RequestInfo, payload: Any) -> None:
        _current.set(info)
        try:
            if self._kind is HandlerKind.ASYNC:
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

    async def _run_stream(self, served: Served, info: RequestInfo, payload: Any) -> None:
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
                if isinstance(item, RAW_TYPES):
                    served.flush_batch()
                    if not served.closed:
                        conn.send_frame(ITEM_RAW_HEAD % served.id, item)
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
                conn.send_frame(END_HEAD % served.id)
        finally:
            self._done(served)
            if generator is not None and hasattr(generator, "aclose"):
                # Runs the generator's finally blocks when it was stopped early. The answer
                # is out already, so a failure there has nowhere to go but the log.
                try:
                    await generator.aclose()
                except Exception as exc:  # noqa: BLE001
                    log_failure(f"closing the stream handler of request {served.id} failed", exc)

    def _done(self, served: Served) -> None:
        served.closed = True
        if self._open.get(served.id) is served:
            del self._open[served.id]

    # ---- answers

    def _answer_result(self, served: Served, result: Any) -> None:
        if not served.closed:
            send_result(self._conn, served.id, result)

    def _answer_error(self, served: Served, exc: BaseException) -> None:
        if not served.closed:
            send_error(self._conn, served.id, exc)

    def _answer_cancelled(self, served: Served) -> None:
        # A cancel from the parent closed the exchange already: it expects nothing more.
        # Anything else that cancels a request (shutdown after the grace period) is answered.
        if not served.closed:
            send_cancelled(self._conn, served.id)

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
