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
import ssl
from collections.abc import Callable
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
#: Seconds a served request may take to finish when the node says ``bye`` or the client closes.
_SHUTDOWN_GRACE: Final = 5.0
#: Seconds closing waits for the node to close its end before it cuts the connection.
_CLOSE_WAIT: Final = 5.0


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
) -> Client:
    """A client of the node at ``url``: ``unix:///path/to/bus.sock``, ``tls://host:port`` or
    (loopback only) ``tcp://127.0.0.1:port``.

    Use it as ``async with connect(...) as bus:`` or ``bus = await connect(...)``. The token is
    ``token``, or the content of ``token_file``. For TLS, ``cafile`` is the CA that signed the
    node's certificate (or pass a ready ``ssl_context``), ``certfile``/``keyfile`` a client
    certificate when the node asks for one. Raises ``UnavailableError`` when the node cannot be
    reached, ``ForbiddenError`` when it refuses the token.
    """
    return Client(
        url,
        token=_read_token(token, token_file),
        name=name,
        ssl_context=ssl_context if ssl_context is not None else _tls_context(url, cafile, certfile, keyfile),
        server_hostname=server_hostname,
        connect_timeout=connect_timeout,
    )


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
    """A type this client serves (``Client.serve``). Close it to stop taking its requests;
    requests already running finish."""

    def __init__(self, type: str, kind: HandlerKind, stream: ItemStream, server: Server) -> None:
        #: The served message type.
        self.type = type
        #: How the handler runs: ``sync``, ``async`` or ``stream``.
        self.kind = kind
        self._stream = stream
        self._server = server

    @property
    def in_flight(self) -> int:
        """Requests being handled now."""
        return self._server.in_flight

    def close(self) -> None:
        """Stops serving the type (``cancel`` of the serve call); idempotent."""
        self._server.stop_accepting()
        self._stream.close()

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
        self._servers: dict[str, Server] = {}
        self._servings: dict[str, Serving] = {}
        self._subscriptions: set[Subscription] = set()
        self._executor: ThreadPoolExecutor | None = None
        self._welcome: asyncio.Future[Frame] | None = None
        self._closed = False
        #: The node's name for this connection (``"client local#3"``), once connected.
        self.client_id: str | None = None
        #: What the token allows (``publish``, ``send``, ``query``, ``subscribe``, ``serve``).
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
        loop = asyncio.get_running_loop()
        welcome: asyncio.Future[Frame] = loop.create_future()
        self._welcome = welcome
        conn = Connection(
            {
                FrameKind.WELCOME: self._on_welcome,
                FrameKind.FAIL: self._on_fail,
                FrameKind.PING: self._on_ping,
                FrameKind.BYE: self._on_bye,
                FrameKind.REQ: self._on_req,
                FrameKind.CREDIT: self._on_credit,
                FrameKind.CANCEL: self._on_cancel,
            },
            self._on_closed,
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
        self._conn, self._caller, self._servers, self._servings = conn, caller, {}, {}
        try:
            async with asyncio.timeout(self._connect_timeout):
                await self._open_socket(loop, conn)
                header = hello_header(self._token, os.getpid(), f"python {platform.python_version()}")
                if self._name:
                    header[Key.CLIENT] = self._name
                conn.send_now(header)
                await welcome
        except BaseException as exc:
            self._conn = self._caller = None
            conn.abort(exc)
            if welcome.done() and not welcome.cancelled():
                welcome.exception()  # seen: the error raised below says it
            if isinstance(exc, TimeoutError) and not isinstance(exc, CommBusError):
                raise Timeout(f"no answer from the node at {self.url} within {self._connect_timeout} s") from None
            if isinstance(exc, OSError) and not isinstance(exc, CommBusError):
                raise UnavailableError(f"cannot reach the node at {self.url}: {exc}") from exc
            raise
        self._closed = False
        return self

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

    def _on_welcome(self, frame: Frame) -> None:
        header = frame.header
        if self._welcome is None or self._welcome.done():
            raise ProtocolError("a second 'welcome' from the node")
        if header.get(Key.VERSION) != VERSION:
            raise ProtocolError(f"the node speaks protocol version {header.get(Key.VERSION)!r}; this SDK speaks {VERSION}")
        max_frame = header.get(Key.MAX_FRAME)
        if max_frame is not None:
            if type(max_frame) is not int or max_frame < MIN_MAX_FRAME:
                raise ProtocolError(f"'welcome' has an unusable maxFrame {max_frame!r}")
            self._require_conn().set_max_frame(max_frame)
        client_id = header.get(Key.CLIENT)
        self.client_id = client_id if isinstance(client_id, str) else None
        allowed = header.get(Key.ALLOW, [])
        self.allowed = frozenset(a for a in allowed if isinstance(a, str)) if isinstance(allowed, list) else frozenset()
        self._welcome.set_result(frame)

    def _on_fail(self, frame: Frame) -> None:
        header = frame.header
        reason = str(header.get(Key.REASON, "unknown"))
        message = str(header.get(Key.MESSAGE, reason))
        error: CommBusError
        if reason == FailReason.BAD_TOKEN:
            error = ForbiddenError(f"the node at {self.url} refused the token: {message}")
        elif reason == FailReason.OVERLOADED:
            error = OverloadedError(f"the node at {self.url} refused the connection: {message}")
        elif reason == FailReason.TIMEOUT:
            error = Timeout(f"the node at {self.url} gave up on the handshake: {message}")
        else:
            error = ProtocolError(f"the node at {self.url} refused the connection ({reason}): {message}")
        if self._welcome is not None and not self._welcome.done():
            self._welcome.set_exception(error)
            return
        raise ProtocolError(f"the node sent 'fail' after the handshake: {message}")

    def _on_ping(self, frame: Frame) -> None:
        ping_id = frame.header.get(Key.ID)
        if type(ping_id) is not int:
            raise ProtocolError("'ping' frame without an integer id")
        self._require_conn().send_frame(PONG_HEAD % ping_id)

    def _on_bye(self, frame: Frame) -> None:
        grace = frame.header.get(Key.GRACE, 0)
        seconds = grace / 1000.0 if isinstance(grace, (int, float)) and not isinstance(grace, bool) else 0.0
        asyncio.get_running_loop().create_task(self._finish(seconds))

    def _on_closed(self, exc: BaseException | None) -> None:
        if self._welcome is not None and not self._welcome.done():
            reason = exc if isinstance(exc, CommBusError) else None
            self._welcome.set_exception(
                reason or UnavailableError(f"the node at {self.url} closed the connection before the handshake ended")
            )
        if self._caller is not None:
            self._caller.fail_all(f"the connection to the node at {self.url} closed")
        for server in self._servers.values():
            server.abandon()
        for subscription in list(self._subscriptions):
            subscription.close()

    # ---- serving: requests the node sends

    def _on_req(self, frame: Frame) -> None:
        request_type = frame.header.get(Key.TYPE)
        server = self._servers.get(request_type) if isinstance(request_type, str) else None
        if server is None:
            request_id = frame.header.get(Key.ID)
            if type(request_id) is not int:
                raise ProtocolError("'req' frame without an integer id")
            send_error(self._require_conn(), request_id, NoHandlerError(f"this client does not serve {request_type!r}"))
            return
        server.on_req(frame)

    def _on_credit(self, frame: Frame) -> None:
        request_id = frame.header.get(Key.ID)
        for server in self._servers.values():
            if server.serves(request_id):
                server.on_credit(frame)
                return

    def _on_cancel(self, frame: Frame) -> None:
        request_id = frame.header.get(Key.ID)
        for server in self._servers.values():
            if server.serves(request_id):
                server.on_cancel(frame)
                return

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

    async def publish(self, type: str, payload: Any = None) -> int:
        """Publishes an event; returns its journal position (0 when the node has no journal)."""
        body = await self._require_caller().request(Op.PUBLISH, type, payload)
        if isinstance(body, dict) and isinstance(body.get("position"), int):
            position: int = body["position"]
            return position
        return 0

    async def send(self, type: str, payload: Any = None) -> None:
        """Sends a command to its one handler; returns once the handler's node has it."""
        await self._require_caller().request(Op.SEND, type, payload)

    async def query(self, type: str, payload: Any = None, timeout: float | None = None) -> Any:
        """Asks the handler of ``type`` for its reply; ``timeout`` in seconds (None: the node's default)."""
        return await self._require_caller().request(Op.QUERY, type, payload, timeout)

    def query_stream(
        self, type: str, payload: Any = None, timeout: float | None = None, *, window: int = DEFAULT_WINDOW
    ) -> ItemStream:
        """Asks the stream handler of ``type`` for its items: ``async for item in bus.query_stream(...)``."""
        return self._require_caller().stream(Op.STREAM, type, payload, timeout, window)

    def callback(
        self, path: str, payload: Any = None, *, timeout: float | None = None, window: int = DEFAULT_WINDOW
    ) -> ItemStream:
        """Calls the callback handler at ``path`` (e.g. ``"market.MarketData"``), as a child's
        ``commbus.market.MarketData(payload)`` does."""
        return self._require_caller().stream(Op.CALLBACK, path, payload, timeout, window)

    def subscribe(self, type: str, handler: Callable[[Any], Any], *, window: int = DEFAULT_WINDOW) -> Subscription:
        """Calls ``handler(payload)`` for each event of ``type`` published from now on, in
        order, until the subscription (or the client) is closed. Sync handlers run on worker threads."""
        stream = self._require_caller().stream(Op.SUBSCRIBE, type, None, None, window, events=True)
        try:
            subscription = Subscription(type, handler, stream, self._executor_for, self._subscriptions.discard)
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
        node routes requests here."""
        if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
            raise ValueError(f"concurrency is a positive number of requests, got {concurrency!r}")
        if type in self._servers and not self._servers[type].accepting:
            del self._servers[type]
            self._servings.pop(type, None)
        if type in self._servers:
            raise ValueError(f"this client already serves {type}")
        kind = detect_kind(handler)
        conn = self._require_conn()
        server = Server(conn, handler, kind, self._executor_for)
        stream = self._require_caller().stream(
            Op.SERVE, type, None, None, 1, extra={Key.HANDLER_KIND: kind.value, Key.CONCURRENCY: concurrency}
        )
        self._servers[type] = server
        try:
            confirmation = await stream.__anext__()
        except StopAsyncIteration:
            del self._servers[type]
            raise UnavailableError(f"the node ended serving {type} before it began") from None
        except BaseException:
            self._servers.pop(type, None)
            stream.close()
            raise
        if not isinstance(confirmation, dict) or confirmation.get("serving") != type:
            stream.close()
            self._servers.pop(type, None)
            raise ProtocolError(f"the node confirmed serve {type} with {confirmation!r}")
        serving = Serving(type, kind, stream, server)
        # Held here: a serve call whose stream is collected is cancelled, and serving would stop unseen.
        self._servings[type] = serving
        return serving

    # ---- closing

    def _executor_for(self) -> Executor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(thread_name_prefix="commbus-client")
        return self._executor

    async def _finish(self, grace: float) -> None:
        for server in self._servers.values():
            server.stop_accepting()
        await asyncio.gather(*(server.shutdown(grace) for server in self._servers.values()))
        for subscription in list(self._subscriptions):
            subscription.close()
        if self._conn is not None:
            # `bye` tells the node this side is leaving, so the node closes the socket: over TLS the
            # close then completes at once instead of waiting for the node's close_notify.
            self._conn.send_now(bye_header(0))
            self._conn.close()
            try:
                await asyncio.wait_for(asyncio.shield(self._conn.closed), _CLOSE_WAIT)
            except TimeoutError:
                self._conn.abort(UnavailableError("the node did not close the connection"))

    async def close(self) -> None:
        """Stops serving (requests running get a few seconds to finish), unsubscribes, and
        closes the connection. Calls still waiting fail with ``UnavailableError``."""
        if self._closed:
            return
        self._closed = True
        if self._conn is not None and self._conn.is_open:
            await self._finish(_SHUTDOWN_GRACE)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def __repr__(self) -> str:
        state = "connected" if self.is_connected else "not connected"
        return f"<commbus.Client {self.url} {state}>"


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
