"""Starting an async handler without a loop turn: eager tasks, and their stand-in on 3.11.

Why this exists: most async handlers answer without waiting for anything, or wait only
late. Started in a task, each costs the task, a loop turn before it runs and one more
before its answer is written. Run at once, in the read that brought the request, it answers
within that read and its answer leaves with the others at the end of it. That is what puts
64 requests in flight at 0.84-0.94 of a minimal child (docs/benchmarks.md).

- Python 3.12 and newer have this built in: a task started by ``asyncio.eager_task_factory``
  runs its first step in the call that creates it (``eager_task``).
- Python 3.11 has not. There the handler's first step runs here by hand, outside any task
  (``FirstStep``), and only a handler that suspends gets a task, to go on in. So that
  ``asyncio.current_task()`` (and with it ``asyncio.timeout`` and ``TaskGroup``) works in
  that first step, a stand-in is entered as the running task with asyncio's *private*
  ``_enter_task``/``_leave_task``, which are what asyncio's own eager tasks use in 3.12.
- Should an interpreter have neither, handlers start in plain tasks: slower, same
  behaviour.

This is the only module that touches asyncio's private API; it shrinks to ``eager_task``
once 3.11 is no longer supported.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import sys
import types
from collections.abc import Callable, Coroutine, Generator
from typing import Any, Final

from ._answers import Served, send_cancelled, send_error, send_result
from ._connection import Connection
from ._context import RequestInfo, _current

__all__ = ["Start", "select_start", "START", "eager_task", "task_name", "FirstStepStarter", "FirstStep"]


class Start(enum.Enum):
    """How a request to an async handler starts."""

    #: 3.12+: in an eager task, whose first step runs at once.
    EAGER_TASK = "eager task"
    #: 3.11: the first step inline (``FirstStep``), a task only if the handler suspends.
    FIRST_STEP = "first step"
    #: Neither available: in a plain task.
    TASK = "task"


def select_start(version: tuple[int, int] = sys.version_info[:2], tasks: Any = asyncio.tasks) -> Start:
    """The way to start async handlers on interpreter ``version`` whose ``asyncio.tasks``
    module is ``tasks``."""
    if version >= (3, 12):
        return Start.EAGER_TASK
    if callable(getattr(tasks, "_enter_task", None)) and callable(getattr(tasks, "_leave_task", None)):
        return Start.FIRST_STEP
    return Start.TASK


#: The way this interpreter starts async handlers.
START: Final = select_start()


def task_name(request_id: int) -> str:
    return f"commbus request {request_id}"


def eager_task(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None], request_id: int
) -> asyncio.Task[None]:
    """3.12+: a task for ``coro`` whose first step has run already, in this call; it is done
    when the coroutine finished in that step. Runs in a copy of the current context."""
    factory: Callable[..., asyncio.Task[None]] = getattr(asyncio, "eager_task_factory")
    return factory(loop, coro, name=task_name(request_id))


# ---- Python 3.11: the first step by hand


def _missing(loop: asyncio.AbstractEventLoop, task: Any) -> None:
    raise RuntimeError("this asyncio has no _enter_task/_leave_task")


# asyncio's record of the running task; where missing, START is Start.TASK (and a starter
# used anyway starts every request in a task).
_enter_task: Callable[[asyncio.AbstractEventLoop, Any], None] = getattr(asyncio.tasks, "_enter_task", _missing)
_leave_task: Callable[[asyncio.AbstractEventLoop, Any], None] = getattr(asyncio.tasks, "_leave_task", _missing)

_COROUTINE: Final = types.CoroutineType
_set_current = _current.set
_copy_context = contextvars.copy_context

#: Registers a request that goes on in a task, and returns the coroutine that task runs:
#: it awaits the awaitable and answers with its result (``Server._answering``).
Answering = Callable[[int, int, RequestInfo, Any], "tuple[Served, Coroutine[Any, Any, None]]"]


class FirstStepStarter:
    """Python 3.11: starts each request to an async handler by running the handler's first
    step right here, in the call that received the request, and gives it a task only if it
    suspends.

    The step runs in a copy of the context, as a task's would, with a ``FirstStep`` entered
    as the running task. A request is registered (``answering``; ``cancel``, credit and
    shutdown go by that) only when it suspends: none of them can reach it during its first
    step. This is the hot path of every request that answers at once, so it is written out
    in one function: a call more per request is measurable.
    """

    __slots__ = ("_loop", "_conn", "_function", "_answering")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        conn: Connection,
        function: Callable[..., Any],
        answering: Answering,
    ) -> None:
        self._loop = loop
        self._conn = conn
        self._function = function
        self._answering = answering

    def start(self, request_id: int, credit: int, info: RequestInfo, payload: Any) -> None:
        loop = self._loop
        try:
            coro = self._function(payload)
        except BaseException as exc:  # noqa: BLE001 - every failure of the handler is an answer
            send_error(self._conn, request_id, exc)
            return
        if type(coro) is not _COROUTINE:
            # Not a native coroutine (a callable object returning some other awaitable):
            # nothing to step through by hand.
            served, outer = self._answering(request_id, credit, info, coro)
            served.task = loop.create_task(outer)
            return
        context = _copy_context()
        context.run(_set_current, info)
        first = FirstStep(loop, coro, request_id)
        try:
            _enter_task(loop, first)
        except RuntimeError:
            # A task is running already (frames fed from within a task): the stand-in
            # cannot take its place, so this request starts in a task after all.
            served, outer = self._answering(request_id, credit, info, coro)
            served.task = loop.create_task(outer, context=context)
            return
        try:
            awaiting = context.run(coro.send, None)
        except StopIteration as stop:
            first.finished = True
            if first.cancels:
                # The handler cancelled its own task and returned: a task would end
                # cancelled rather than with the value.
                send_cancelled(self._conn, request_id)
                return
            send_result(self._conn, request_id, stop.value)
            return
        except asyncio.CancelledError:
            first.finished = True
            send_cancelled(self._conn, request_id)
            return
        except BaseException as exc:  # noqa: BLE001
            first.finished = True
            send_error(self._conn, request_id, exc)
            return
        finally:
            _leave_task(loop, first)
        # The handler waits for something: it goes on in a task of its own, in its context.
        served, outer = self._answering(request_id, credit, info, _continue_from(coro, awaiting))
        pending = context.run(outer.send, None)  # runs up to the handler's `yield awaiting`
        task = loop.create_task(_Continuation(outer, pending, coro), name=task_name(request_id), context=context)
        served.task = first.task = task
        for _ in range(first.cancels):
            task.cancel(first.message)
        if not self._conn.is_open:
            # The connection went away while the first step ran.
            served.closed = True
            task.cancel()


class FirstStep:
    """The handler's task for ``asyncio.current_task()`` while its first step runs inline,
    before it has a real one.

    Code that wants a task at the top of a handler (``asyncio.timeout``, ``TaskGroup``)
    keeps this object and uses it later, when the handler may go on in the task created
    once it suspended: so it stands for that task. Cancellation asked for before the task
    exists is counted and replayed on it; once it exists, everything is forwarded to it.
    """

    __slots__ = ("task", "loop", "coro", "request_id", "cancels", "message", "finished")

    def __init__(self, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], request_id: int) -> None:
        self.task: asyncio.Task[None] | None = None
        self.loop = loop
        self.coro = coro
        self.request_id = request_id
        #: Cancellations asked for before the task existed (``cancel`` minus ``uncancel``).
        self.cancels = 0
        self.message: Any = None
        #: Set when the handler finished in its first step: there never will be a task.
        self.finished = False

    # ---- what asyncio.Task offers, as far as a handler's first step may use it

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
        return self.task.get_name() if self.task is not None else task_name(self.request_id)

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

    def throw(self, typ: Any, val: Any = None, tb: Any = None, /) -> Any:
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
