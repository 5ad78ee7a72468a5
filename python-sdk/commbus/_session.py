"""The child's side of its one connection: handshake, routing, liveness and shutdown.

The session owns the connection and the two exchange tables (calls this child started,
requests the parent sent) and routes every frame kind the parent may send to the one that
takes it. It decides how the child ends: the exit status is the value of ``exit_status``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from ._callbacks import CallbackTree
from ._calls import Caller
from ._connection import Connection
from ._protocol import LOG_LEVELS, MIN_MAX_FRAME, PONG_HEAD, VERSION, ExitStatus, FrameKind, HandlerKind, Key, Op
from ._serving import Server
from ._streams import ItemStream
from ._subscription import Subscription
from .errors import CommBusError, ProtocolError
from .frames import Frame

__all__ = ["Session", "HandshakeRefused", "ConnectionClosed"]


class HandshakeRefused(Exception):
    """The parent answered ``hello`` with ``fail``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}" if message else reason)
        self.reason = reason
        self.message = message


class ConnectionClosed(Exception):
    """The connection ended before the handshake completed."""


class Session:
    """One child's connection to its parent and everything that runs over it."""

    def __init__(self, child_id: str) -> None:
        self.child_id = child_id
        self.loop = asyncio.get_running_loop()
        self.thread_id = threading.get_ident()
        self.conn = Connection(
            {
                FrameKind.WELCOME: self._on_welcome,
                FrameKind.FAIL: self._on_fail,
                FrameKind.PING: self._on_ping,
                FrameKind.BYE: self._on_bye,
                FrameKind.REQ: self._before_ready,
                FrameKind.CREDIT: self._before_ready,
                FrameKind.CANCEL: self._before_ready,
            },
            self._on_closed,
        )
        self.caller = Caller(self.conn)
        self.conn.routes.update(
            {
                FrameKind.RES: self.caller.on_res,
                FrameKind.ITEM: self.caller.on_item,
                FrameKind.ITEMS: self.caller.on_items,
                FrameKind.END: self.caller.on_end,
                FrameKind.ERR: self.caller.on_err,
            }
        )
        self.server: Server | None = None
        self.callbacks = CallbackTree((), self._open_callback)
        #: The least level of the child's logging the node takes (``welcome``'s ``log``).
        self.log_level = logging.INFO
        self.welcome: asyncio.Future[Frame] = self.loop.create_future()
        #: Completes with the process exit status once the session is over.
        self.exit_status: asyncio.Future[int] = self.loop.create_future()
        self._executor: ThreadPoolExecutor | None = None
        self._subscriptions: set[Subscription] = set()
        self._closing = False
        self._shutdown_task: asyncio.Task[None] | None = None

    # ---- handshake

    def _on_welcome(self, frame: Frame) -> None:
        if self.welcome.done():
            raise ProtocolError("a second 'welcome' from the parent")
        header = frame.header
        if header.get(Key.VERSION) != VERSION:
            raise ProtocolError(
                f"the parent speaks protocol version {header.get(Key.VERSION)!r}; this child speaks {VERSION}"
            )
        entry = header.get(Key.ENTRY)
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get(Key.MODULE), str)
            or not isinstance(entry.get(Key.FUNCTION), str)
        ):
            raise ProtocolError(f"'welcome' needs entry {{module, function}} as strings, got {entry!r}")
        callbacks = header.get(Key.CALLBACKS, [])
        if not isinstance(callbacks, list) or not all(isinstance(path, str) for path in callbacks):
            raise ProtocolError(f"'welcome' callbacks must be a list of strings, got {callbacks!r}")
        max_frame = header.get(Key.MAX_FRAME)
        if max_frame is not None:
            if type(max_frame) is not int or max_frame < MIN_MAX_FRAME:
                raise ProtocolError(f"'welcome' has an unusable maxFrame {max_frame!r}")
            self.conn.set_max_frame(max_frame)
        log_level = header.get(Key.LOG_LEVEL, "info")
        if log_level not in LOG_LEVELS:
            raise ProtocolError(f"'welcome' has an unknown log level {log_level!r}")
        self.log_level = LOG_LEVELS[log_level]
        if isinstance(header.get(Key.CHILD), str):
            self.child_id = header[Key.CHILD]
        self.callbacks = CallbackTree(callbacks, self._open_callback)
        self.welcome.set_result(frame)

    def _on_fail(self, frame: Frame) -> None:
        header = frame.header
        refused = HandshakeRefused(str(header.get(Key.REASON, "unknown")), str(header.get(Key.MESSAGE, "")))
        if not self.welcome.done():
            self.welcome.set_exception(refused)
            self.close()
            return
        # After the handshake the protocol gives `fail` no meaning; take it as the end.
        raise ProtocolError(f"the parent sent 'fail' after the handshake: {refused}")

    def _before_ready(self, frame: Frame) -> None:
        raise ProtocolError(f"'{frame.t}' frame before this child sent 'ready'")

    def start_serving(self, function: Callable[..., Any], kind: HandlerKind) -> None:
        """Routes requests to ``function`` from now on (the caller sends ``ready`` next)."""
        self.server = Server(self.conn, function, kind, self.executor)
        self.conn.routes.update(
            {
                FrameKind.REQ: self.server.on_req,
                FrameKind.CREDIT: self.server.on_credit,
                FrameKind.CANCEL: self.server.on_cancel,
            }
        )

    # ---- liveness and shutdown

    def _on_ping(self, frame: Frame) -> None:
        ping_id = frame.header.get(Key.ID)
        if type(ping_id) is not int:
            raise ProtocolError("'ping' frame without an integer id")
        self.conn.send_frame(PONG_HEAD % ping_id)

    def _on_bye(self, frame: Frame) -> None:
        grace = frame.header.get(Key.GRACE, 0)
        if isinstance(grace, bool) or not isinstance(grace, (int, float)) or grace < 0:
            raise ProtocolError(f"'bye' with an invalid grace {grace!r}")
        if self.server is not None:
            self.server.stop_accepting()  # now, not when the shutdown task first runs
        if self._shutdown_task is None:
            self._shutdown_task = self.loop.create_task(self._shutdown(grace / 1000.0))

    async def _shutdown(self, grace: float) -> None:
        if self.server is not None:
            await self.server.shutdown(grace)
        self.close()
        await self.conn.closed
        if not self.exit_status.done():
            self.exit_status.set_result(ExitStatus.CLEAN)

    def close(self) -> None:
        """Closes the connection from this side (after writing what is queued)."""
        self._closing = True
        for subscription in list(self._subscriptions):
            subscription.close()
        self.conn.close()

    def _on_closed(self, exc: BaseException | None) -> None:
        """The connection ended: fail what waits on it and settle the exit status."""
        if isinstance(exc, ProtocolError):
            reason = f"protocol error: {exc.message}"
            status = ExitStatus.PROTOCOL
            self.log(reason)
        elif exc is not None and not isinstance(exc, (OSError, CommBusError)):
            reason = f"internal error: {exc!r}"
            status = ExitStatus.INTERNAL
            self.log(reason)
        else:
            reason = "the connection to the parent closed"
            status = ExitStatus.CLEAN
        if not self.welcome.done():
            self.welcome.set_exception(exc if isinstance(exc, ProtocolError) else ConnectionClosed(reason))
        self.caller.fail_all(reason)
        if self.server is not None:
            self.server.abandon()
        for subscription in list(self._subscriptions):
            subscription.close()
        if not self.exit_status.done() and not (self._closing and self._shutdown_task is not None):
            self.exit_status.set_result(status)

    # ---- what the public API uses

    def executor(self) -> Executor:
        """The worker threads for sync handlers, started on first use."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(thread_name_prefix="commbus-handler")
        return self._executor

    def shutdown_executor(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def _open_callback(self, path: str, payload: Any, timeout: float | None, window: int) -> ItemStream[Any]:
        return self.caller.stream(Op.CALLBACK, path, payload, timeout, window)

    def subscribe(self, type: str, handler: Callable[[Any], Any], window: int) -> Subscription:
        stream = self.caller.stream(Op.SUBSCRIBE, type, None, None, window, events=True)
        try:
            subscription = Subscription(type, handler, stream, self.executor, self._subscriptions.discard)
        except BaseException:
            stream.close()
            raise
        self._subscriptions.add(subscription)
        return subscription

    def log(self, message: str) -> None:
        print(f"commbus child {self.child_id}: {message}", file=sys.stderr, flush=True)
