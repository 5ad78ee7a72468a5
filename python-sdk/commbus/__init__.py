"""commbus: the Python SDK for workers that run as child processes of a commbus node, and
for programs the node did not start (``commbus.connect``, ``commbus.connect_sync``).

A worker is a module with one entry function, started by a process verticle as
``python -m commbus.child``. The function is called with each request's payload and may be
plain (runs on a worker thread), ``async``, or an async generator (streams its yields).
From inside, the bus is one import away::

    import commbus

    async def handle(order):
        quote = await commbus.query("trading.Quote", {"symbol": order["symbol"]}, timeout=2)
        await commbus.publish("trading.OrderPriced", {**order, "price": quote["ask"]})
        async for tick in commbus.market.MarketData({"symbol": order["symbol"]}):
            ...

Every call goes through the parent over the child's socket; the trace and deadline of the
request being served travel along. Failures raise ``commbus.errors.CommBusError``
subclasses named after the bus's error codes (``NoHandlerError``, ``Timeout``, ...).
"""

from __future__ import annotations

import importlib as _importlib
import importlib.util as _importlib_util

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _runtime
from ._callbacks import CallbackHandle, CallbackNamespace
from ._context import RequestInfo, current_request
from ._protocol import DEFAULT_WINDOW, Op
from ._streams import Event, ItemStream
from ._subscription import Subscription
from .client import Client, Serving, connect
from .errors import CommBusError, error_from
from .sync import SyncClient, connect_sync

if TYPE_CHECKING:
    # The callbacks of a node, typed, where `commbus stubs` wrote them (none in the SDK itself).
    from ._callback_types import *  # noqa: F403

__version__ = "0.1.0"

__all__ = [
    "connect",
    "connect_sync",
    "Client",
    "SyncClient",
    "Serving",
    "publish",
    "send",
    "query",
    "query_stream",
    "subscribe",
    "callback_handle",
    "callback_paths",
    "current_request",
    "RequestInfo",
    "ItemStream",
    "Event",
    "Subscription",
    "CallbackHandle",
    "CallbackNamespace",
    "CommBusError",
    "error_from",
    "DEFAULT_WINDOW",
]


async def publish(type: str, payload: Any = None) -> int:
    """Publishes an event to every subscriber; returns its journal position (0 when the
    node has no journal)."""
    body = await _runtime.require().caller.request(Op.PUBLISH, type, payload)
    if isinstance(body, dict):
        position = body.get("position")
        if isinstance(position, int):
            return position
    return 0


async def send(type: str, payload: Any = None) -> None:
    """Sends a command to its one handler; returns once the handler's node has it."""
    await _runtime.require().caller.request(Op.SEND, type, payload)


async def query(type: str, payload: Any = None, timeout: float | None = None) -> Any:
    """Asks the handler of ``type`` for its reply. ``timeout`` is in seconds; None leaves
    it to the bus's default (and to the deadline of the request being served, if any)."""
    return await _runtime.require().caller.request(Op.QUERY, type, payload, timeout)


def query_stream(
    type: str, payload: Any = None, timeout: float | None = None, *, window: int = DEFAULT_WINDOW
) -> ItemStream[Any]:
    """Asks the stream handler of ``type`` for a stream of replies.

    Use the result in ``async for`` (and, to be sure the exchange ends when you stop
    early, in ``async with``). ``window`` is how many items may be in flight.
    """
    return _runtime.require().caller.stream(Op.STREAM, type, payload, timeout, window)


def subscribe(type: str, handler: Callable[[Any], Any], *, window: int = DEFAULT_WINDOW) -> Subscription:
    """Calls ``handler(payload)`` for each event of ``type``, in order, until closed.

    ``handler`` may be a function (runs on a worker thread) or a coroutine function. Works
    at import time of the entry module too: the subscription starts when the child is ready.
    """
    return _runtime.require().subscribe(type, handler, window)


def callback_handle(
    path: str, payload: Any = None, *, timeout: float | None = None, window: int = DEFAULT_WINDOW
) -> ItemStream[Any]:
    """Starts the callback at ``path`` (e.g. ``"trading.DataFetch"``) and returns the async
    iterator over its items. Works for any path, listed in ``welcome`` or not;
    ``commbus.trading.DataFetch(payload)`` is the same for listed paths.

    Like ``query_stream``, it returns the iterator itself; ``await callback_handle(...)``,
    the form of earlier versions, works too and gives the same iterator."""
    return _runtime.require().caller.stream(Op.CALLBACK, path, payload, timeout, window)


def callback_paths() -> tuple[str, ...]:
    """The callback paths the parent listed for this child."""
    return _runtime.require().callbacks.paths


def __getattr__(name: str) -> Any:
    # PEP 562: attributes the module does not define are callback namespaces, e.g.
    # `commbus.market` for the path "market.MarketData". Dunder probes (from import
    # machinery, pickling, introspection) must fail plainly.
    if name.startswith("__"):
        raise AttributeError(f"module 'commbus' has no attribute {name!r}")
    if not name.startswith("_") and _importlib_util.find_spec(f"{__name__}.{name}") is not None:
        # `from commbus import sessions` asks here before it imports the submodule: it is one.
        return _importlib.import_module(f"{__name__}.{name}")
    session = _runtime.current()
    if session is None:
        raise AttributeError(
            f"module 'commbus' has no attribute {name!r} (callback namespaces such as "
            "commbus.market.MarketData exist only inside a commbus child process)"
        )
    return session.callbacks.lookup(name)


def __dir__() -> list[str]:
    names = set(globals())
    session = _runtime.current()
    if session is not None:
        names.update(session.callbacks.names())
    return sorted(names)
