"""The frames that answer the parent's requests, and the state of one request being served.

A request is answered by one ``res``, by a stream (``item``/``items`` frames within the
parent's credit, then ``end``), or by an ``err`` at any point. Headers come pre-formatted
from ``_protocol``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from ._connection import Connection
from ._handlers import format_traceback, type_name
from ._protocol import (
    ITEM_JSON_HEAD,
    ITEMS_HEAD,
    RES_EMPTY_HEAD,
    RES_JSON_HEAD,
    RES_RAW_HEAD,
    err_header,
)
from .errors import Cancelled, CodecError, CommBusError, HandlerFailedError, UnavailableError
from .frames import encode_json

__all__ = ["Served", "send_result", "send_error", "send_cancelled", "send_unavailable", "RAW_TYPES"]

#: Values that answer as a raw body.
RAW_TYPES: Final = (bytes, bytearray, memoryview)

# Room left in a frame for the items header, so a batch never outgrows the frame limit.
_HEADER_ROOM: Final = 96
_MAX_MESSAGE: Final = 8 * 1024


def send_result(conn: Connection, request_id: int, result: Any) -> None:
    """Answers with the handler's value: no body for None, raw for bytes, JSON for the rest;
    a value JSON cannot carry is answered with ``CODEC``."""
    try:
        if result is None:
            conn.send_frame(RES_EMPTY_HEAD % request_id)
        elif isinstance(result, RAW_TYPES):
            conn.send_frame(RES_RAW_HEAD % request_id, result)
        else:
            conn.send_frame(RES_JSON_HEAD % request_id, encode_json(result))
    except CodecError as exc:
        send_error(conn, request_id, exc)


def send_error(conn: Connection, request_id: int, exc: BaseException) -> None:
    """Answers with the handler's exception: a ``CommBusError`` keeps its code, anything
    else is ``HANDLER_FAILED``; the traceback goes along unless the frame cannot hold it."""
    if isinstance(exc, CommBusError):
        code = exc.code
        message = exc.message
        etype = exc.remote_type or type_name(exc)
    else:
        code = HandlerFailedError.CODE
        etype = type_name(exc)
        message = str(exc) or etype
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "...(shortened)"
    try:
        conn.send(err_header(request_id, code, message, etype, format_traceback(exc)))
    except CodecError:
        conn.send(err_header(request_id, code, message, etype))


def send_cancelled(conn: Connection, request_id: int) -> None:
    conn.send(err_header(request_id, Cancelled.CODE, "the child stopped the request before it finished"))


def send_unavailable(conn: Connection, request_id: int) -> None:
    conn.send(err_header(request_id, UnavailableError.CODE, "the child is shutting down"))


class Served:
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
            raise CodecError(f"stream item of {len(data)} bytes exceeds the maximum frame size {self.conn.max_frame}")
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
            self.conn.send_frame(ITEM_JSON_HEAD % self.id, batch[0])
        else:
            self.conn.send_frame(ITEMS_HEAD % (self.id, len(batch)), b"[" + b",".join(batch) + b"]")

    def grant(self, n: int) -> None:
        self.credit += n
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)
