"""``commbus.subscribe(type, handler)``: events delivered to a handler, one at a time.

A subscription is a ``subscribe`` call whose endless stream of events feeds a task that
calls the handler for each event in order. Sync handlers run on the worker threads, like
sync request handlers, so a slow one cannot stall the event loop (and its ``pong``s). A
handler that raises is logged and counted, and the next event is delivered: one bad event
does not end the subscription. The parent ends it with ``OVERLOADED`` if the handler falls
more than its buffer behind.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from types import TracebackType
from typing import Any

from ._context import _current
from ._handlers import detect_kind, log_failure
from ._protocol import HandlerKind
from ._streams import ItemStream
from .errors import CommBusError, UnavailableError

__all__ = ["Subscription", "Reopen"]

#: Opens the subscription's stream again after its connection was lost, given the position of
#: the last event handled (None before the first); None when it is not to go on.
Reopen = Callable[[int | None], Awaitable[ItemStream[Any] | None]]


class Subscription:
    """A live subscription to one event type. Close it to unsubscribe."""

    def __init__(
        self,
        type: str,
        handler: Callable[[Any], Any],
        stream: ItemStream[Any],
        executor: Callable[[], Executor],
        on_done: Callable[[Subscription], None],
        reopen: Reopen | None = None,
    ) -> None:
        kind = detect_kind(handler)
        if kind is HandlerKind.STREAM:
            raise TypeError("a subscription handler is a function or coroutine function, not an async generator")
        #: The subscribed event type.
        self.type = type
        #: Journal position of the last event handed to the handler, or None before the first.
        self.last_position: int | None = None
        #: Events whose handler raised.
        self.failures = 0
        self._handler = handler
        self._is_async = kind is HandlerKind.ASYNC
        self._stream = stream
        self._executor = executor
        self._error: CommBusError | None = None
        self._on_done = on_done
        self._reopen = reopen
        loop = asyncio.get_running_loop()
        self._done: asyncio.Future[None] = loop.create_future()
        self._task = loop.create_task(self._deliver(), name=f"commbus subscription {type}")
        self._task.add_done_callback(self._finished)

    async def _deliver(self) -> None:
        # Events are not part of whatever request subscribed: calls made by the handler must
        # not inherit that request's trace or deadline.
        _current.set(None)
        while True:
            try:
                await self._drain(self._stream)
                return
            except UnavailableError as exc:
                # The connection went; a client that reconnects opens the stream again after the last event handled.
                reopened = None if self._reopen is None else await self._reopen(self.last_position)
                if reopened is None:
                    self._error = exc
                    return
                self._stream = reopened
            except CommBusError as exc:
                self._error = exc
                print(f"commbus: subscription to {self.type} ended: {exc}", file=sys.stderr, flush=True)
                return

    async def _drain(self, stream: ItemStream[Any]) -> None:
        loop = asyncio.get_running_loop()
        handler = self._handler
        async for event in stream:
            try:
                if self._is_async:
                    await handler(event.payload)
                else:
                    await loop.run_in_executor(self._executor(), handler, event.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - one failing event must not end the subscription
                self.failures += 1
                log_failure(f"subscriber of {self.type} failed on the event at position {event.position}", exc)
            self.last_position = event.position

    def _finished(self, task: asyncio.Task[None]) -> None:
        if not self._done.done():
            self._done.set_result(None)
        self._on_done(self)

    @property
    def closed(self) -> bool:
        """True once the subscription ended (closed here, or ended by the parent)."""
        return self._task.done()

    @property
    def error(self) -> CommBusError | None:
        """Why the parent ended the subscription (e.g. ``OverloadedError``), if it did."""
        return self._error

    def close(self) -> None:
        """Unsubscribes (``cancel`` to the parent) and stops delivering; idempotent."""
        self._stream.close()
        self._task.cancel()

    async def aclose(self) -> None:
        """``close`` and wait until the handler is no longer running."""
        self.close()
        await self._done

    async def wait(self) -> None:
        """Waits until the subscription ends; raises the error the parent ended it with."""
        await self._done
        if self._error is not None:
            raise self._error

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<Subscription {self.type} {state}, last position {self.last_position}, {self.failures} failures>"
