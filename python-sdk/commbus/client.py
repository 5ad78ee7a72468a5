"""``commbus.connect``: the bus from a Python program the node did not start.

A web app, a notebook, a script or a worker on another host connects to a node's client
endpoint (a Unix socket, or TCP with TLS), authenticates with a token, and then publishes,
sends, queries, subscribes and serves types like any handler on the bus::

    async with commbus.connect("unix:///run/commbus/bus.sock", token_file="/run/commbus/token") as bus:
        position = await bus.publish("orders.Placed", {"id": "o-1"})
        quote = await bus.query("trading.Quote", {"symbol": "ACME"}, timeout=2)
        async for tick in bus.query_stream("market.Ticks", {"symbol": "ACME"}):
            ...
        await bus.serve("ml.Embed", embed, concurrency=8)   # an attached worker

The connection speaks the child protocol (docs/protocol.md) over the same SDK core as a
child: the same framing, calls, streams with credit, and handlers of the same three kinds.
Failures raise the ``commbus.errors`` classes. For code that is not async, see
``commbus.connect_sync`` (``commbus.sync``).
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import ssl
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from types import TracebackType
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from ._answers import send_error
from ._calls import Caller
from ._connection import Connection
from ._handlers import detect_kind
from ._protocol import (
    DEFAULT_WINDOW,
    MIN_MAX_FRAME,
    PONG_HEAD,
    VERSION,
    FailReason,
    FrameKind,
    HandlerKind,
    Key,
    Op,
    bye_header,
    hello_header,
)
from ._serving import Server
from ._streams import ItemStream
from ._subscription import Subscription
from .errors import (
    CommBusError,
    ForbiddenError,
    NoHandlerError,
    OverloadedError,
    ProtocolError,
    Timeout,
    UnavailableError,
)
from .frames import Frame

__all__ = ["connect", "Client", "Serving", "DEFAULT_CONCURRENCY", "DEFAULT_CONNECT_TIMEOUT"]

#: Requests an attached worker takes at once unless ``serve`` says otherwise.
DEFAULT_CONCURRENCY: Final = 16
#: Seconds ``connect`` waits for the socket and the handshake.
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
#: Seconds before the first attempt to connect again after the connection was lost; doubled per
#: failed attempt up to ``DEFAULT_MAX_RECONNECT_DELAY``, each drawn at random within ±50%.
DEFAULT_RECONNECT_DELAY: Final = 0.1
DEFAULT_MAX_RECONNECT_DELAY: Final = 5.0
#: Seconds a served request may take to finish when the node says ``bye`` or the client closes.
_SHUTDOWN_GRACE: Final = 5.0
#: Seconds closing waits for the node to close its end before it cuts the connection.
_CLOSE_WAIT: Final = 5.0
#: Ping intervals the client lets pass without a ping before it takes the node as gone: the
#: node pings every interval (``welcome``'s ``ping``), and a host that vanished sends nothing.
_SILENT_PINGS: Final = 3


def connect(
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
    reconnect_delay: float = DEFAULT_RECONNECT_DELAY,
    max_reconnect_delay: float = DEFAULT_MAX_RECONNECT_DELAY,
) -> Client:
    """A client of the node at ``url``: ``unix:///path/to/bus.sock``, ``tls://host:port`` or
    (loopback only) ``tcp://127.0.0.1:port``.

    Use it as ``async with connect(...) as bus:`` or ``bus = await connect(...)``. The token is
    ``token``, or the content of ``token_file``. For TLS, ``cafile`` is the CA that signed the
    node's certificate (or pass a ready ``ssl_context``), ``certfile``/``keyfile`` a client
    certificate when the node asks for one. Raises ``UnavailableError`` when the node cannot be
    reached, ``ForbiddenError`` when it refuses the token.

    When the connection is lost (the node restarts), calls in flight fail with
    ``UnavailableError`` and are not sent again; the client connects again with backoff
    (``reconnect=False`` to not), serves again what it served, and its subscriptions go on:
    a ``subscribe_from`` after the last event it handled, so nothing is missed or repeated; a
    live ``subscribe`` from whatever is published once it is back.
    """
    return Client(
        url,
        token=_read_token(token, token_file),
        name=name,
        ssl_context=ssl_context if ssl_context is not None else _tls_context(url, cafile, certfile, keyfile),
        server_hostname=server_hostname,
        connect_timeout=connect_timeout,
        reconnect=reconnect,
        reconnect_delay=reconnect_delay,
        max_reconnect_delay=max_reconnect_delay,
    )


def _log(message: str) -> None:
    print(f"commbus client: {message}", file=sys.stderr, flush=True)


def _read_token(token: str | None, token_file: str | os.PathLike[str] | None) -> str:
    if token is not None and token_file is not None:
        raise ValueError("give token or token_file, not both")
    if token_file is not None:
        with open(token_file, encoding="ascii") as f:
            token = f.read().strip()
    if not token:
        raise ValueError("a client needs a token (token=... or token_file=...): the node's clients.tokens, or the "
                         "token file the node wrote beside its socket")
    return token


def _tls_context(url: str, cafile: str | None, certfile: str | None, keyfile: str | None) -> ssl.SSLContext | None:
    if not url.startswith("tls://"):
        if cafile or certfile:
            raise ValueError(f"cafile and certfile are for tls:// addresses, not {url}")
        return None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    if certfile is not None:
        context.load_cert_chain(certfile, keyfile)
    return context


class Serving:
    """A type this client serves (``Client.serve``); served again after a reconnect. Close it
    to stop taking its requests; requests already running finish."""

    def __init__(
        self,
        type: str,
        handler: Callable[..., Any],
        concurrency: int,
        on_close: Callable[[Serving], None],
        group_types: frozenset[str] | None = None,
    ) -> None:
        #: The served message type, or the consumer group's name (``join_group``).
        self.type = type
        #: For a group membership, the event types it takes (empty: every type); None when serving a type.
        self.group_types = group_types
        #: Where the node's requests for it are routed: the type, or the group.
        self.route: tuple[str, str] = ("group", type) if group_types is not None else ("type", type)
        #: How the handler runs: ``sync``, ``async`` or ``stream``.
        self.kind = detect_kind(handler)
        self.handler = handler
        self.concurrency = concurrency
        self._on_close = on_close
        self._stream: ItemStream[Any] | None = None
        self._server: Server | None = None
        self.closed = False

    def _attached(self, stream: ItemStream[Any], server: Server) -> None:
        self._stream, self._server = stream, server

    @property
    def in_flight(self) -> int:
        """Requests being handled now."""
        return 0 if self._server is None else self._server.in_flight

    def close(self) -> None:
        """Stops serving the type (``cancel`` of the serve call); idempotent."""
        self.closed = True
        if self._server is not None:
            self._server.stop_accepting()
        if self._stream is not None:
            self._stream.close()
        self._on_close(self)

    async def __aenter__(self) -> Serving:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Serving {self.type} ({self.kind}), {self.in_flight} in flight>"


class Client:
    """One connection to a node's client endpoint; made by ``commbus.connect``."""

    def __init__(
        self,
        url: str,
        *,
        token: str,
        name: str | None,
        ssl_context: ssl.SSLContext | None,
        server_hostname: str | None,
        connect_timeout: float,
        reconnect: bool = True,
        reconnect_delay: float = DEFAULT_RECONNECT_DELAY,
        max_reconnect_delay: float = DEFAULT_MAX_RECONNECT_DELAY,
    ) -> None:
        self.url = url
        self._target = _parse(url)
        self._token = token
        self._name = name
        self._ssl = ssl_context
        self._server_hostname = server_hostname
        self._connect_timeout = connect_timeout
        self._conn: Connection | None = None
        self._caller: Caller | None = None
        self._servers: dict[tuple[str, str], Server] = {}
        self._servings: dict[tuple[str, str], Serving] = {}
        self._subscriptions: set[Subscription] = set()
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False
        self._reconnect_enabled = reconnect
        self._reconnect_delay = reconnect_delay
        self._max_reconnect_delay = max_reconnect_delay
        self._reconnecting: asyncio.Task[None] | None = None
        self._up = asyncio.Event()
        self._closing = asyncio.Event()
        #: How many times the client has connected (1 after the first connect; more after reconnects).
        self.connections = 0
        #: The node's name for this connection (``"client local#3"``), once connected.
        self.client_id: str | None = None
        #: What the token allows (``publish``, ``send``, ``query``, ``subscribe``, ``serve``, ``group``, ``admin``).
        self.allowed: frozenset[str] = frozenset()

    # ---- connecting

    def __await__(self) -> Any:
        return self._connect().__await__()

    async def __aenter__(self) -> Client:
        return await self._connect()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _connect(self) -> Client:
        if self._conn is not None and self._conn.is_open:
            return self
        await self._open_connection()
        self._closed = False
        self._closing.clear()
        self._up.set()
        return self

    async def _open_connection(self) -> None:
        """Connects and shakes hands. The connection becomes this client's only once the node
        has welcomed it: until then calls go to the previous one (and fail, if it is gone)."""
        loop = asyncio.get_running_loop()
        welcome: asyncio.Future[Frame] = loop.create_future()
        conn: Connection
        caller: Caller
        conn = Connection(
            {
                FrameKind.WELCOME: lambda frame: self._on_welcome(conn, welcome, frame),
                FrameKind.FAIL: lambda frame: self._on_fail(welcome, frame),
                FrameKind.PING: lambda frame: self._on_ping(conn, frame),
                FrameKind.BYE: self._on_bye,
                FrameKind.REQ: self._on_req,
                FrameKind.CREDIT: self._on_credit,
                FrameKind.CANCEL: self._on_cancel,
            },
            lambda exc: self._on_closed(conn, caller, welcome, exc),
        )
        caller = Caller(conn)
        conn.routes.update(
            {
                FrameKind.RES: caller.on_res,
                FrameKind.ITEM: caller.on_item,
                FrameKind.ITEMS: caller.on_items,
                FrameKind.END: caller.on_end,
                FrameKind.ERR: caller.on_err,
            }
        )
        try:
            async with asyncio.timeout(self._connect_timeout):
                await self._open_socket(loop, conn)
                header = hello_header(self._token, os.getpid(), f"python {platform.python_version()}")
                if self._name:
                    header[Key.CLIENT] = self._name
                conn.send_now(header)
                await welcome
                if not conn.is_open:
                    # Welcomed, then closed before this could take it (the node went at once).
                    raise UnavailableError(f"the node at {self.url} closed the connection just after welcoming it")
        except BaseException as exc:
            conn.abort(exc)
            if welcome.done() and not welcome.cancelled():
                welcome.exception()  # seen: the error raised below says it
            if isinstance(exc, TimeoutError) and not isinstance(exc, CommBusError):
                raise Timeout(f"no answer from the node at {self.url} within {self._connect_timeout} s") from None
            if isinstance(exc, OSError) and not isinstance(exc, CommBusError):
                raise UnavailableError(f"cannot reach the node at {self.url}: {exc}") from exc
            raise
        self._conn, self._caller, self._servers = conn, caller, {}
        self.connections += 1

    async def _reconnect(self) -> None:
        """Connects again with backoff until it works or the client is closed, then serves
        again what it served (subscriptions reopen their streams themselves). One runs at a
        time; a connection lost while it serves again has it start over."""
        delay = self._reconnect_delay
        while not self._closed:
            try:
                await self._open_connection()
                await self._serve_again()
            except ForbiddenError as exc:
                _log(f"the node at {self.url} refuses this client's token now; it stops reconnecting: {exc}")
                await self.close()
                return
            except (CommBusError, OSError):
                await asyncio.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, self._max_reconnect_delay)
                continue
            if self.is_connected:
                self._up.set()
                return

    async def _serve_again(self) -> None:
        """Serves again, on a new connection, each type and group still served; one the node
        now refuses is given up (and said so), a lost connection raises ``UnavailableError``."""
        for serving in list(self._servings.values()):
            if serving.closed:
                continue
            try:
                await self._start_serving(serving)
            except UnavailableError:
                raise
            except CommBusError as exc:
                self._servings.pop(serving.route, None)
                _log(f"serving {serving.type} again after reconnecting failed: {exc}")

    async def wait_connected(self) -> bool:
        """Waits until the client is connected (at once when it is); False once it is closed."""
        while not self._closed:
            if self.is_connected and self._up.is_set():
                return True
            if self._up.is_set():
                self._up.clear()  # set for a connection that has gone since: wait for the next
            waiter = asyncio.ensure_future(self._up.wait())
            closing = asyncio.ensure_future(self._closing.wait())
            try:
                await asyncio.wait({waiter, closing}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
                closing.cancel()
        return False

    async def _open_socket(self, loop: asyncio.AbstractEventLoop, conn: Connection) -> None:
        scheme, where = self._target
        if scheme == "unix":
            await loop.create_unix_connection(lambda: conn, where)
            return
        host, port = where.rsplit(":", 1)
        host = host.strip("[]")
        await loop.create_connection(
            lambda: conn,
            host,
            int(port),
            ssl=self._ssl,
            server_hostname=(self._server_hostname or host) if self._ssl is not None else None,
        )

    def _on_welcome(self, conn: Connection, welcome: asyncio.Future[Frame], frame: Frame) -> None:
        header = frame.header
        if welcome.done():
            raise ProtocolError("a second 'welcome' from the node")
        if header.get(Key.VERSION) != VERSION:
            raise ProtocolError(f"the node speaks protocol version {header.get(Key.VERSION)!r}; this SDK speaks {VERSION}")
        max_frame = header.get(Key.MAX_FRAME)
        if max_frame is not None:
            if type(max_frame) is not int or max_frame < MIN_MAX_FRAME:
                raise ProtocolError(f"'welcome' has an unusable maxFrame {max_frame!r}")
            conn.set_max_frame(max_frame)
        client_id = header.get(Key.CLIENT)
        self.client_id = client_id if isinstance(client_id, str) else None
        interval = header.get(Key.PING_INTERVAL)
        if interval is not None:
            if type(interval) is not int or interval <= 0:
                raise ProtocolError(f"'welcome' has an unusable ping interval {interval!r}")
            self._watch_pings(conn, interval / 1000.0)
        allowed = header.get(Key.ALLOW, [])
        self.allowed = frozenset(a for a in allowed if isinstance(a, str)) if isinstance(allowed, list) else frozenset()
        welcome.set_result(frame)

    def _on_fail(self, welcome: asyncio.Future[Frame], frame: Frame) -> None:
        header = frame.header
        reason = str(header.get(Key.REASON, "unknown"))
        message = str(header.get(Key.MESSAGE, reason))
        error: CommBusError
        if reason == FailReason.BAD_TOKEN:
            error = ForbiddenError(f"the node at {self.url} refused the token: {message}")
        elif reason == FailReason.OVERLOADED:
            error = OverloadedError(f"the node at {self.url} refused the connection: {message}")
        elif reason == FailReason.STOPPING:
            error = UnavailableError(f"the node at {self.url} is stopping: {message}")
        elif reason == FailReason.TIMEOUT:
            error = Timeout(f"the node at {self.url} gave up on the handshake: {message}")
        else:
            error = ProtocolError(f"the node at {self.url} refused the connection ({reason}): {message}")
        if not welcome.done():
            welcome.set_exception(error)
            return
        raise ProtocolError(f"the node sent 'fail' after the handshake: {message}")

    def _on_ping(self, conn: Connection, frame: Frame) -> None:
        ping_id = frame.header.get(Key.ID)
        if type(ping_id) is not int:
            raise ProtocolError("'ping' frame without an integer id")
        conn.send_frame(PONG_HEAD % ping_id)  # on the connection it came by, which may not be the client's yet
        conn.pinged = True

    def _watch_pings(self, conn: Connection, interval: float) -> None:
        """Cuts ``conn`` once ``_SILENT_PINGS`` intervals pass without a ping from the node."""
        loop = asyncio.get_running_loop()
        conn.pinged = True
        silent = 0

        def check() -> None:
            nonlocal silent
            if not conn.is_open or self._closed:
                return
            silent = 0 if conn.pinged else silent + 1
            if silent >= _SILENT_PINGS:
                _log(f"no ping from the node at {self.url} for {silent * interval:.1f} s; taking it as gone")
                conn.abort(UnavailableError(f"the node at {self.url} stopped pinging"))
                return
            conn.pinged = False
            loop.call_later(interval, check)

        loop.call_later(interval, check)

    def _on_bye(self, frame: Frame) -> None:
        grace = frame.header.get(Key.GRACE, 0)
        seconds = grace / 1000.0 if isinstance(grace, (int, float)) and not isinstance(grace, bool) else 0.0
        asyncio.get_running_loop().create_task(self._finish(seconds))

    def _on_closed(
        self, conn: Connection, caller: Caller, welcome: asyncio.Future[Frame], exc: BaseException | None
    ) -> None:
        reason = f"the connection to the node at {self.url} closed"
        if not welcome.done():
            welcome.set_exception(
                exc if isinstance(exc, CommBusError)
                else UnavailableError(f"the node at {self.url} closed the connection before the handshake ended")
            )
        if conn is not self._conn:
            caller.fail_all(reason)  # an attempt that never became the client's, or one already replaced
            return
        self._up.clear()
        caller.fail_all(reason)
        for server in self._servers.values():
            server.abandon()
        if self._closed or not self._reconnect_enabled:
            for subscription in list(self._subscriptions):
                subscription.close()
            return
        if self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = asyncio.get_running_loop().create_task(
                self._reconnect(), name=f"commbus reconnect {self.url}"
            )

    # ---- serving: requests the node sends

    def _on_req(self, frame: Frame) -> None:
        header = frame.header
        request_type = header.get(Key.TYPE)
        group = header.get(Key.GROUP)
        if isinstance(group, str):
            server = self._servers.get(("group", group))
        else:
            server = self._servers.get(("type", request_type)) if isinstance(request_type, str) else None
        if server is None:
            request_id = frame.header.get(Key.ID)
            if type(request_id) is not int:
                raise ProtocolError("'req' frame without an integer id")
            send_error(self._require_conn(), request_id, NoHandlerError(f"this client does not serve {request_type!r}"))
            return
        server.on_req(frame)

    def _on_credit(self, frame: Frame) -> None:
        server = self._server_of(frame)
        if server is not None:
            server.on_credit(frame)

    def _on_cancel(self, frame: Frame) -> None:
        server = self._server_of(frame)
        if server is not None:
            server.on_cancel(frame)

    def _server_of(self, frame: Frame) -> Server | None:
        """The server of the request a ``credit`` or ``cancel`` is for; None for one that ended."""
        request_id = frame.header.get(Key.ID)
        for server in self._servers.values():
            if server.serves(request_id):
                return server
        return None

    # ---- the bus

    @property
    def is_connected(self) -> bool:
        """True while the connection is open."""
        return self._conn is not None and self._conn.is_open

    def _require_conn(self) -> Connection:
        if self._conn is None:
            raise UnavailableError(f"not connected to {self.url}: use `async with commbus.connect(...)` or await it")
        return self._conn

    def _require_caller(self) -> Caller:
        if self._caller is None:
            raise UnavailableError(f"not connected to {self.url}: use `async with commbus.connect(...)` or await it")
        return self._caller

    async def publish(self, type: str, payload: Any = None, *, id: str | None = None) -> int:
        """Publishes an event; returns its journal position (0 when the node has no journal).

        With an ``id`` (unique per event, chosen by you) the publish is idempotent: the journal
        keeps one event of an id, and a second publish of it answers the first one's position.
        So a publish with an id whose connection is lost before its answer is sent again once
        the client is back, instead of failing; one without an id fails with ``UnavailableError``.
        """
        if id is None:
            return _position(await self._require_caller().request(Op.PUBLISH, type, payload))
        if not isinstance(id, str) or not id.strip():
            raise ValueError(f"an event id is a non-blank string, got {id!r}")
        while True:
            sent_on = self._conn
            try:
                return _position(
                    await self._require_caller().request(Op.PUBLISH, type, payload, extra={Key.MESSAGE_ID: id})
                )
            except UnavailableError:
                lost = sent_on is not None and (sent_on is not self._conn or not self.is_connected)
                if not lost or not self._reconnect_enabled or not await self.wait_connected():
                    raise  # never connected, closed, or the node's own answer

    async def send(self, type: str, payload: Any = None) -> None:
        """Sends a command to its one handler; returns once the handler's node has it."""
        await self._require_caller().request(Op.SEND, type, payload)

    async def query(self, type: str, payload: Any = None, timeout: float | None = None) -> Any:
        """Asks the handler of ``type`` for its reply; ``timeout`` in seconds (None: the node's default)."""
        return await self._require_caller().request(Op.QUERY, type, payload, timeout)

    def query_stream(
        self, type: str, payload: Any = None, timeout: float | None = None, *, window: int = DEFAULT_WINDOW
    ) -> ItemStream[Any]:
        """Asks the stream handler of ``type`` for its items: ``async for item in bus.query_stream(...)``."""
        return self._require_caller().stream(Op.STREAM, type, payload, timeout, window)

    def callback(
        self, path: str, payload: Any = None, *, timeout: float | None = None, window: int = DEFAULT_WINDOW
    ) -> ItemStream[Any]:
        """Calls the callback handler at ``path`` (e.g. ``"market.MarketData"``), as a child's
        ``commbus.market.MarketData(payload)`` does."""
        return self._require_caller().stream(Op.CALLBACK, path, payload, timeout, window)

    def subscribe(self, type: str, handler: Callable[[Any], Any], *, window: int = DEFAULT_WINDOW) -> Subscription:
        """Calls ``handler(payload)`` for each event of ``type`` published from now on, in
        order, until the subscription (or the client) is closed. Sync handlers run on worker
        threads. After a reconnect it goes on with what is published from then: events
        published while the client was away are not delivered (``subscribe_from`` does that)."""

        def open_stream(last: int | None) -> ItemStream[Any]:
            return self._require_caller().stream(Op.SUBSCRIBE, type, None, None, window, events=True)

        return self._subscribe(type, handler, open_stream)

    def subscribe_from(
        self, type: str, position: int, handler: Callable[[Any], Any], *, window: int = DEFAULT_WINDOW
    ) -> Subscription:
        """Calls ``handler(payload)`` for each event of ``type`` in the journal from
        ``position`` on (inclusive; 1 is the start), then for each one published later, in
        journal order, with no gap and no duplicate, across reconnects too: after one it goes
        on after the last event handled. ``Subscription.last_position`` is that position. The
        node reads the journal only as fast as the handler takes events."""
        if isinstance(position, bool) or not isinstance(position, int) or position < 1:
            raise ValueError(f"position is a journal position, 1 or more, got {position!r}")

        def open_stream(last: int | None) -> ItemStream[Any]:
            start = position if last is None else last + 1
            return self._require_caller().stream(
                Op.REPLAY, type, None, None, window, events=True, extra={Key.FROM: start}
            )

        return self._subscribe(type, handler, open_stream)

    def _subscribe(
        self, type: str, handler: Callable[[Any], Any], open_stream: Callable[[int | None], ItemStream[Any]]
    ) -> Subscription:
        stream = open_stream(None)
        on = [self._conn]  # the connection the stream runs on

        async def reopen(last: int | None) -> ItemStream[Any] | None:
            if on[0] is self._conn and self.is_connected:
                return None  # the node ended it (UNAVAILABLE of its own): not a lost connection
            if not await self.wait_connected():
                return None
            on[0] = self._conn
            return open_stream(last)

        try:
            subscription = Subscription(
                type, handler, stream, self._executor_for, self._subscriptions.discard,
                reopen if self._reconnect_enabled else None,
            )
        except BaseException:
            stream.close()
            raise
        self._subscriptions.add(subscription)
        return subscription

    async def serve(self, type: str, handler: Callable[..., Any], *, concurrency: int = DEFAULT_CONCURRENCY) -> Serving:
        """Serves queries of ``type`` with ``handler`` from now on, beside whatever else serves
        the type on the bus, taking up to ``concurrency`` at once. ``handler`` is called with
        each request's payload: a plain function (runs on a worker thread), a coroutine
        function, or an async generator function (its yields are a stream). Returns once the
        node routes requests here; after a reconnect the client serves the type again."""
        if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
            raise ValueError(f"concurrency is a positive number of requests, got {concurrency!r}")
        return await self._attach(Serving(type, handler, concurrency, self._stopped_serving))

    async def join_group(
        self,
        name: str,
        handler: Callable[[Any], Any],
        *,
        types: Iterable[str] = (),
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Serving:
        """Joins consumer group ``name`` for event ``types`` (none: every type): the group's
        events are shared among its members on every node, each to one member, and this client
        gets its share, up to ``concurrency`` at once. ``handler(payload)`` returning
        acknowledges the event; raising makes the group try it again later (and park it as a
        dead letter after its last attempt). Delivery is at least once: a member that leaves
        or loses its connection before answering gets its events redelivered, to it or
        another member. The group's checkpoint is the node's, so the group resumes where it
        was after a restart; after a reconnect the client is a member again. Returns once the
        client is a member; close the result to leave."""
        if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
            raise ValueError(f"concurrency is a positive number of events, got {concurrency!r}")
        if detect_kind(handler) is HandlerKind.STREAM:
            raise TypeError("a group member's handler is a function or coroutine function, not an async generator")
        return await self._attach(Serving(name, handler, concurrency, self._stopped_serving, frozenset(types)))

    async def _attach(self, serving: Serving) -> Serving:
        if serving.route in self._servings:
            what = "is a member of group" if serving.group_types is not None else "serves"
            raise ValueError(f"this client already {what} {serving.type}")
        await self._start_serving(serving)
        # Held here: a serve call whose stream is collected is cancelled, and serving would stop unseen.
        self._servings[serving.route] = serving
        return serving

    def _stopped_serving(self, serving: Serving) -> None:
        if self._servings.get(serving.route) is serving:
            del self._servings[serving.route]

    async def _start_serving(self, serving: Serving) -> None:
        """Sends the serve (or group) call on the current connection and waits for the node to confirm it."""
        name = serving.type
        server = Server(self._require_conn(), serving.handler, serving.kind, self._executor_for)
        extra: dict[str, Any] = {Key.HANDLER_KIND: serving.kind.value, Key.CONCURRENCY: serving.concurrency}
        if serving.group_types is not None:
            extra[Key.TYPES] = sorted(serving.group_types)
        op = Op.GROUP if serving.group_types is not None else Op.SERVE
        stream = self._require_caller().stream(op, name, None, None, 1, extra=extra)
        self._servers[serving.route] = server
        try:
            confirmation = await stream.__anext__()
        except StopAsyncIteration:
            self._servers.pop(serving.route, None)
            raise UnavailableError(f"the node ended {op} {name} before it began") from None
        except BaseException:
            self._servers.pop(serving.route, None)
            stream.close()
            raise
        if not isinstance(confirmation, dict) or confirmation.get("serving") != name:
            stream.close()
            self._servers.pop(serving.route, None)
            raise ProtocolError(f"the node confirmed {op} {name} with {confirmation!r}")
        serving._attached(stream, server)

    # ---- closing

    def _executor_for(self) -> Executor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(thread_name_prefix="commbus-client")
        return self._executor

    async def _finish(self, grace: float) -> None:
        # The connection and servers of now: a reconnect may replace them while this waits.
        conn, servers = self._conn, list(self._servers.values())
        for server in servers:
            server.stop_accepting()
        await asyncio.gather(*(server.shutdown(grace) for server in servers))
        if conn is not None and conn.is_open:
            # `bye` tells the node this side is leaving, so the node closes the socket: over TLS the
            # close then completes at once instead of waiting for the node's close_notify.
            conn.send_now(bye_header(0))
            conn.close()
            try:
                await asyncio.wait_for(asyncio.shield(conn.closed), _CLOSE_WAIT)
            except TimeoutError:
                conn.abort(UnavailableError("the node did not close the connection"))

    async def close(self) -> None:
        """Stops serving (requests running get a few seconds to finish), unsubscribes, and
        closes the connection. Calls still waiting fail with ``UnavailableError``."""
        if self._closed:
            return
        self._closed = True
        self._closing.set()
        if self._reconnecting is not None and self._reconnecting is not asyncio.current_task():
            self._reconnecting.cancel()
        for subscription in list(self._subscriptions):
            subscription.close()
        if self._conn is not None and self._conn.is_open:
            await self._finish(_SHUTDOWN_GRACE)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def __repr__(self) -> str:
        state = "connected" if self.is_connected else "not connected"
        return f"<commbus.Client {self.url} {state}>"


def _position(body: Any) -> int:
    if isinstance(body, dict) and isinstance(body.get("position"), int):
        position: int = body["position"]
        return position
    return 0


def _parse(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        path = unquote(parts.netloc + parts.path)
        if not path.startswith("/"):
            raise ValueError(f"a unix:// address names an absolute socket path (unix:///run/bus.sock), got {url!r}")
        return "unix", path
    if parts.scheme in ("tls", "tcp"):
        if not parts.hostname or parts.port is None:
            raise ValueError(f"a {parts.scheme}:// address names a host and a port ({parts.scheme}://host:7070), got {url!r}")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        return parts.scheme, f"{host}:{parts.port}"
    raise ValueError(f"the node's address is unix:///path, tls://host:port or tcp://127.0.0.1:port, not {url!r}")
