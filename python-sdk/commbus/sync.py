"""``commbus.connect_sync``: the client for code that is not async.

Flask and Django views, scripts and notebooks call the bus with plain method calls. The
client runs its own event loop on a background thread; every method hands its work to that
loop and blocks until it is done, so the client is safe to share between threads::

    with commbus.connect_sync("unix:///run/commbus/bus.sock", token_file="/run/commbus/token") as bus:
        quote = bus.query("trading.Quote", {"symbol": "ACME"}, timeout=2)
        for tick in bus.query_stream("market.Ticks", {"symbol": "ACME"}):
            ...

Handlers given to ``subscribe`` and ``serve`` may be plain functions (run on worker threads)
or coroutine functions (run on the client's loop), as with the async client.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator
from types import TracebackType
from typing import Any, Final, TypeVar

from ._protocol import DEFAULT_WINDOW
from ._streams import ItemStream
from ._subscription import Subscription
from .client import DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, Client, Serving, connect

__all__ = ["connect_sync", "SyncClient", "SyncStream"]

T = TypeVar("T")

# How long closing waits for the client to close (its served requests' grace and the node's close,
# 5 s each at most) and for the loop thread to end, before it lets go.
_CLOSE_WAIT: Final = 15.0


def connect_sync(
    url: str,
    *,
    token: str | None = None,
    token_file: str | os.PathLike[str] | None = None,
    name: str | None = None,
    ssl_context: ssl.SSLContext | None = None,
    cafile: str | None = None,
    certfile: str | None = None,
    keyfile: str | None = None,
    server_hostname: str | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    reconnect: bool = True,
) -> SyncClient:
    """Connects to the node at ``url`` and returns a blocking, thread-safe client; the
    arguments are ``commbus.connect``'s. Use it in ``with``, or call ``close()``."""
    client = connect(
        url,
        token=token,
        token_file=token_file,
        name=name,
        ssl_context=ssl_context,
        cafile=cafile,
        certfile=certfile,
        keyfile=keyfile,
        server_hostname=server_hostname,
        connect_timeout=connect_timeout,
        reconnect=reconnect,
    )
    return SyncClient(client)


class SyncStream:
    """The items of a stream, one blocking ``next`` at a time. Close it (or leave the
    ``with``) to cancel a stream you stop reading early."""

    def __init__(self, owner: SyncClient, stream: ItemStream[Any]) -> None:
        self._owner = owner
        self._stream = stream

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            return self._owner._run(self._stream.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def close(self) -> None:
        self._owner._loop.call_soon_threadsafe(self._stream.close)

    def __enter__(self) -> SyncStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SyncClient:
    """A ``commbus.Client`` behind blocking methods; safe to call from any thread."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="commbus-client-loop", daemon=True)
        self._thread.start()
        self._closed = False
        try:
            self._run(client._connect())
        except BaseException:
            self._stop_loop()
            raise

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("a SyncClient method was called on the client's own loop thread (from an async "
                               "handler?); use the async client there")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    async def _call(self, function: Callable[[], T]) -> T:
        return function()

    @property
    def client_id(self) -> str | None:
        """The node's name for this connection."""
        return self._client.client_id

    @property
    def is_connected(self) -> bool:
        return self._client.is_connected

    def publish(self, type: str, payload: Any = None, *, id: str | None = None) -> int:
        """Publishes an event; returns its journal position. With an ``id`` it is idempotent
        and sent again across a reconnect (``Client.publish``)."""
        return self._run(self._client.publish(type, payload, id=id))

    def send(self, type: str, payload: Any = None) -> None:
        """Sends a command to its one handler."""
        self._run(self._client.send(type, payload))

    def query(self, type: str, payload: Any = None, timeout: float | None = None) -> Any:
        """Asks the handler of ``type`` for its reply; ``timeout`` in seconds."""
        return self._run(self._client.query(type, payload, timeout))

    def query_stream(
        self, type: str, payload: Any = None, timeout: float | None = None, *, window: int = DEFAULT_WINDOW
    ) -> SyncStream:
        """The items of a stream handler's answer, as an iterator."""
        stream = self._run(self._call(lambda: self._client.query_stream(type, payload, timeout, window=window)))
        return SyncStream(self, stream)

    def subscribe(self, type: str, handler: Callable[[Any], Any], *, window: int = DEFAULT_WINDOW) -> Subscription:
        """Calls ``handler(payload)`` for each event of ``type``; ``unsubscribe(sub)`` stops it
        (the result's own methods belong to the client's loop thread: use this client's)."""
        return self._run(self._call(lambda: self._client.subscribe(type, handler, window=window)))

    def subscribe_from(
        self, type: str, position: int, handler: Callable[[Any], Any], *, window: int = DEFAULT_WINDOW
    ) -> Subscription:
        """Calls ``handler(payload)`` for each event of ``type`` from journal ``position`` on,
        then live, with no gap and no duplicate (``Client.subscribe_from``)."""
        return self._run(self._call(lambda: self._client.subscribe_from(type, position, handler, window=window)))

    def wait_connected(self, timeout: float | None = None) -> bool:
        """Blocks until the client is connected (again, after the node restarted); False once
        it is closed, or when ``timeout`` seconds pass first."""
        try:
            return self._run(asyncio.wait_for(self._client.wait_connected(), timeout))
        except TimeoutError:
            return False

    def unsubscribe(self, subscription: Subscription) -> None:
        """Ends a subscription made by ``subscribe`` and waits until its handler is idle."""
        self._run(subscription.aclose())

    def serve(self, type: str, handler: Callable[..., Any], *, concurrency: int = DEFAULT_CONCURRENCY) -> Serving:
        """Serves queries of ``type`` with ``handler``; ``stop_serving`` ends it."""
        return self._run(self._client.serve(type, handler, concurrency=concurrency))

    def join_group(
        self,
        name: str,
        handler: Callable[[Any], Any],
        *,
        types: Iterable[str] = (),
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Serving:
        """Joins consumer group ``name`` (``Client.join_group``); ``stop_serving`` leaves it."""
        return self._run(self._client.join_group(name, handler, types=types, concurrency=concurrency))

    def stop_serving(self, serving: Serving) -> None:
        """Stops taking requests of a served type."""
        self._loop.call_soon_threadsafe(serving.close)

    def close(self) -> None:
        """Closes the connection and stops the client's thread; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            asyncio.run_coroutine_threadsafe(self._client.close(), self._loop).result(_CLOSE_WAIT)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(_CLOSE_WAIT)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<commbus.SyncClient {self._client.url} {'connected' if self.is_connected else 'not connected'}>"
