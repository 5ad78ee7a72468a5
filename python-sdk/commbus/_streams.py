"""Streams the child asked the parent for: the receiving half, with credit.

Items arrive in ``item`` and ``items`` frames and wait in a deque. ``ItemStream.__anext__``
takes from the deque without touching the socket or creating a future; only when the
deque is empty does the consumer park on one future, which the next frame resolves. That
keeps the per-item cost at a deque pop and a counter, which is what lets a Python
``async for`` take 100,000 items a second.

Credit: the call grants ``window`` items; then the protocol's rule applies
(``_protocol.credit_batch``): each time the consumer has taken half a window the stream
grants that many again, so the parent never waits as long as the consumer keeps up, and
never has more than ``window`` items in flight.

The connection's table holds the ``_Inbound`` state, never the ``ItemStream`` the user
holds, so dropping the iterator (breaking out of ``async for`` over a temporary) lets it be
collected, and collecting it cancels the exchange.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable, Generator
from types import TracebackType
from typing import Any, Generic, TypeVar

from ._protocol import credit_batch
from .errors import ProtocolError

__all__ = ["Event", "ItemStream"]

#: What a stream yields; ``commbus stubs`` types a callback's stream by its Java item type.
T_co = TypeVar("T_co", covariant=True)


class Event:
    """One event of a subscription: its bus type, journal position and payload."""

    __slots__ = ("type", "position", "payload")

    def __init__(self, type: str | None, position: int | None, payload: Any) -> None:
        self.type = type
        self.position = position
        self.payload = payload

    def __repr__(self) -> str:
        return f"Event(type={self.type!r}, position={self.position!r}, payload={self.payload!r})"


class _Inbound:
    """The receiving state of one stream exchange; owned by the connection's call table."""

    __slots__ = (
        "id", "op", "type", "items", "waiter", "finished", "error", "taken", "half",
        "allowance", "events", "_send_credit", "_cancel", "_loop", "_thread",
    )

    def __init__(
        self,
        id: int,
        op: str,
        type: str,
        window: int,
        events: bool,
        send_credit: Callable[[int, int], None],
        cancel: Callable[[int], None],
    ) -> None:
        self.id = id
        #: The call's op and type ("callback" and "market.MarketData"), for errors.
        self.op = op
        self.type = type
        self.items: deque[Any] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.finished = False
        self.error: BaseException | None = None
        #: Items taken since the last grant.
        self.taken = 0
        self.half = credit_batch(window)
        #: Items the parent may still send without more credit.
        self.allowance = window
        #: Subscription streams wrap each item in an Event (type and position from the header).
        self.events = events
        self._send_credit = send_credit
        self._cancel = cancel
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()

    @property
    def what(self) -> str:
        """"callback market.MarketData" and the like, for messages."""
        return f"{self.op} {self.type}"

    # ---- fed by the connection

    def push(self, item: Any) -> None:
        self.allowance -= 1
        if self.allowance < 0:
            raise ProtocolError(f"the parent sent more items than granted on {self.what} (call {self.id})")
        self.items.append(item)
        self._wake()

    def push_many(self, items: list[Any]) -> None:
        self.allowance -= len(items)
        if self.allowance < 0:
            raise ProtocolError(f"the parent sent more items than granted on {self.what} (call {self.id})")
        self.items.extend(items)
        self._wake()

    def finish(self, error: BaseException | None = None) -> None:
        if self.finished:
            return
        self.finished = True
        self.error = error
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # ---- drained by the consumer

    def took(self) -> None:
        """Counts one item taken; grants credit each half window."""
        taken = self.taken + 1
        if taken >= self.half and not self.finished:
            self.taken = 0
            self.allowance += taken
            self._send_credit(self.id, taken)
        else:
            self.taken = taken

    async def next_item(self) -> Any:
        """The slow path of ``__anext__``: wait for the next frame, the end, or the error."""
        items = self.items
        while not items:
            if self.finished:
                error = self.error
                if error is not None:
                    self.error = None
                    raise error
                raise StopAsyncIteration
            waiter = self._loop.create_future()
            self.waiter = waiter
            await waiter
        self.took()
        return items.popleft()

    def cancel(self) -> None:
        """The consumer gives up: tell the parent (if the exchange is open), drop the items."""
        self.items.clear()
        if self.finished:
            return
        self.finished = True
        self.error = None
        self._wake()
        self._cancel(self.id)

    def cancel_from_anywhere(self) -> None:
        """``cancel`` for finalizers, which may run on another thread or after the loop closed."""
        if self.finished or self._loop.is_closed():
            return  # a closed loop means the connection is gone; nobody is listening
        if threading.get_ident() == self._thread:
            self.cancel()
        else:
            try:
                self._loop.call_soon_threadsafe(self.cancel)
            except RuntimeError:
                pass  # the loop closed meanwhile


class ItemStream(Generic[T_co]):
    """An async iterator over the items of a stream answer (``callback``, ``query_stream``),
    each a ``T_co`` (``Any`` unless typed stubs say more).

    Use it in ``async for``; breaking out, ``aclose()``, leaving ``async with``, or letting
    it be garbage-collected cancels the exchange on the parent. An ``err`` answer raises the
    mapped ``CommBusError`` from the iteration; ``end`` stops it.
    """

    __slots__ = ("_inbound", "_items", "__weakref__")

    def __init__(self, inbound: _Inbound) -> None:
        self._inbound = inbound
        self._items = inbound.items

    @property
    def id(self) -> int:
        """The exchange id of the call behind this stream."""
        return self._inbound.id

    @property
    def finished(self) -> bool:
        """True once the stream ended, failed or was cancelled (buffered items may remain)."""
        return self._inbound.finished

    def __aiter__(self) -> ItemStream[T_co]:
        return self

    async def __anext__(self) -> T_co:
        items = self._items
        item: T_co  # the wire's JSON; the type is what the stream's stubs promise
        if items:
            self._inbound.took()
            item = items.popleft()
            return item
        item = await self._inbound.next_item()
        return item

    def close(self) -> None:
        """Cancels the exchange now (synchronously) if it is still open."""
        self._inbound.cancel()

    async def aclose(self) -> None:
        """Cancels the exchange if it is still open."""
        self._inbound.cancel()

    async def __aenter__(self) -> ItemStream[T_co]:
        return self

    def __await__(self) -> Generator[Any, None, ItemStream[T_co]]:
        """``await commbus.callback_handle(...)``, the form of earlier versions, still gives
        the stream itself, at once."""
        yield from ()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inbound.cancel()

    def __del__(self) -> None:
        inbound = getattr(self, "_inbound", None)
        if inbound is not None and not inbound.finished:
            inbound.cancel_from_anywhere()

    def __repr__(self) -> str:
        state = "finished" if self._inbound.finished else "open"
        return f"<ItemStream {self._inbound.what} call={self._inbound.id} {state}, {len(self._items)} buffered>"

