"""Exchanges the child starts: ``call`` frames and their answers.

Each call gets the next id (1, 2, 3, ...). A call that expects one value (``query``,
``publish``, ``send``) waits on a future; a call that expects a stream (``callback``,
``stream``, ``subscribe``) gets an ``_Inbound`` that the answer frames fill. The trace
parent and deadline of the request being served, if any, go along with every call, so a
chain of calls stays one trace and keeps the first caller's deadline.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any, Final

from ._connection import Connection
from ._context import _current
from ._protocol import CANCEL_HEAD, CREDIT_HEAD, DEFAULT_WINDOW, Body, Key, call_head, call_header, json_string
from ._answers import RAW_TYPES
from ._streams import Event, ItemStream, _Inbound
from .errors import CommBusError, ProtocolError, UnavailableError, error_from
from .frames import Frame, encode_json

__all__ = ["Caller"]

# Header keys read per answer frame, bound once: a class attribute lookup per use would show.
_ID: Final = Key.ID
_BODY: Final = Key.BODY
_COUNT: Final = Key.COUNT
_JSON: Final = Body.JSON
# Types whose JSON string a connection keeps; past this many (a program making up types) it starts over.
_TYPES_KEPT: Final = 1024


class Caller:
    """The table of open calls on one connection, and the frames that answer them."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._next_id = 1
        self._open: dict[int, asyncio.Future[Any] | _Inbound] = {}
        self._gone: CommBusError | None = None
        # Each type's JSON string, encoded once: a program calls a few types many times.
        self._type_json: dict[str, str] = {}

    # ---- starting calls

    def _start(
        self,
        op: str,
        type: str,
        payload: Any,
        timeout: float | None,
        credit: int | None,
        extra: dict[str, Any] | None = None,
    ) -> int:
        if self._gone is not None:
            raise UnavailableError(f"cannot {op} {type}: {self._gone.message}", operation=op, message_type=type)
        if not isinstance(type, str) or not type:
            raise ValueError(f"a message type is a non-empty string, got {type!r}")
        call_id = self._next_id
        request = _current.get()
        timeout_ms = None if timeout is None else _milliseconds(timeout)
        traceparent = None if request is None else request.traceparent
        deadline_ms = None if request is None else request.deadline_ms
        if extra:
            header = call_header(call_id, op, type, timeout_ms, credit, traceparent, deadline_ms)
            header.update(extra)
            self._conn.send(header, payload)  # raises CodecError before anything is queued
        else:
            type_json = self._type_json.get(type)
            if type_json is None:
                if len(self._type_json) >= _TYPES_KEPT:
                    self._type_json.clear()
                type_json = self._type_json[type] = json_string(type)
            if payload is None:
                body, data = None, b""
            elif isinstance(payload, RAW_TYPES):
                body, data = Body.RAW, payload
            else:
                body, data = _JSON, encode_json(payload)  # raises CodecError before anything is queued
            # The same bytes as call_header's dict through the encoder (test_protocol holds them to it).
            self._conn.send_frame(
                call_head(call_id, op, type_json, timeout_ms, credit, traceparent, deadline_ms, body), data
            )
        self._next_id = call_id + 1
        return call_id

    async def request(
        self, op: str, type: str, payload: Any, timeout: float | None = None, extra: dict[str, Any] | None = None
    ) -> Any:
        """Starts a call answered by one ``res`` and returns its body; ``extra`` adds header fields."""
        call_id = self._start(op, type, payload, timeout, None, extra)
        future: asyncio.Future[Any] = self._conn.loop.create_future()
        self._open[call_id] = future
        try:
            return await future
        except CommBusError as exc:
            if exc.operation is None:
                exc.operation = op
                exc.message_type = type
            raise
        except asyncio.CancelledError:
            # The caller gave up (its own task was cancelled): the parent can stop too.
            if self._open.pop(call_id, None) is not None:
                self._send_cancel(call_id)
            raise

    def stream(
        self,
        op: str,
        type: str,
        payload: Any,
        timeout: float | None = None,
        window: int = DEFAULT_WINDOW,
        events: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> ItemStream[Any]:
        """Starts a call answered by a stream and returns the iterator over its items;
        ``extra`` adds header fields the call's op needs (``serve``'s kind and concurrency)."""
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError(f"window must be a positive number of items, got {window!r}")
        call_id = self._start(op, type, payload, timeout, window, extra)
        inbound = _Inbound(call_id, op, type, window, events, self._send_credit, self._cancel)
        self._open[call_id] = inbound
        return ItemStream(inbound)

    def _send_credit(self, call_id: int, n: int) -> None:
        if call_id in self._open:
            self._conn.send_frame(CREDIT_HEAD % (call_id, n))
            # Written now, not at the end of the loop iteration: the consumer that granted it
            # may keep the loop busy with buffered items for a while, and the producer should
            # not stand idle meanwhile. One write per half window is cheap.
            self._conn.flush()

    def _cancel(self, call_id: int) -> None:
        if self._open.pop(call_id, None) is not None:
            self._send_cancel(call_id)

    def _send_cancel(self, call_id: int) -> None:
        self._conn.send_frame(CANCEL_HEAD % call_id)

    # ---- answers from the parent

    def on_res(self, frame: Frame) -> None:
        exchange = self._open.pop(_id(frame), None)
        if exchange is None:
            return
        if isinstance(exchange, _Inbound):
            # A stream answered with a single value: a stream of one.
            # A final value needs no credit, so it bypasses the allowance check of push().
            if _BODY in frame.header:
                exchange.items.append(self._item(exchange, frame))
            exchange.finish()
        elif not exchange.done():
            exchange.set_result(frame.body)

    def on_item(self, frame: Frame) -> None:
        call_id = _id(frame)
        exchange = self._open.get(call_id)
        if exchange is None:
            return
        if not isinstance(exchange, _Inbound):
            raise ProtocolError(f"'item' for call {call_id}, which expects a single 'res'")
        exchange.push(self._item(exchange, frame))

    def on_items(self, frame: Frame) -> None:
        call_id = _id(frame)
        exchange = self._open.get(call_id)
        if exchange is None:
            return
        if not isinstance(exchange, _Inbound):
            raise ProtocolError(f"'items' for call {call_id}, which expects a single 'res'")
        if exchange.events:
            # Each event has its own type and position, which only an `item` header carries.
            raise ProtocolError(f"'items' for call {call_id}, a subscription, whose events come one 'item' each")
        header = frame.header
        items = frame.body
        if header.get(_BODY) != _JSON or type(items) is not list:
            raise ProtocolError(f"'items' for call {call_id} must have a JSON array body")
        if header.get(_COUNT) != len(items):
            raise ProtocolError(f"'items' for call {call_id} says n={header.get(_COUNT)!r} but holds {len(items)}")
        exchange.push_many(items)

    def on_end(self, frame: Frame) -> None:
        call_id = _id(frame)
        exchange = self._open.pop(call_id, None)
        if exchange is None:
            return
        if not isinstance(exchange, _Inbound):
            error = ProtocolError(f"'end' for call {call_id}, which expects a single 'res'")
            if not exchange.done():
                exchange.set_exception(error)
            raise error
        exchange.finish()

    def on_err(self, frame: Frame) -> None:
        exchange = self._open.pop(_id(frame), None)
        if exchange is None:
            return
        header = frame.header
        fields = (header.get(Key.CODE), header.get(Key.MESSAGE), header.get(Key.ETYPE), header.get(Key.TRACEBACK))
        if isinstance(exchange, _Inbound):
            exchange.finish(error_from(*fields, operation=exchange.op, message_type=exchange.type))
        elif not exchange.done():
            exchange.set_exception(error_from(*fields))

    @staticmethod
    def _item(exchange: _Inbound, frame: Frame) -> Any:
        if exchange.events:
            header = frame.header
            return Event(header.get(Key.TYPE), header.get(Key.POSITION), frame.body)
        return frame.body

    # ---- the connection is gone

    def fail_all(self, reason: str) -> None:
        """Fails every open call (and every later one) with ``UNAVAILABLE``."""
        self._gone = UnavailableError(reason)
        calls, self._open = self._open, {}
        for exchange in calls.values():
            if isinstance(exchange, _Inbound):
                exchange.finish(UnavailableError(reason, operation=exchange.op, message_type=exchange.type))
            elif not exchange.done():
                exchange.set_exception(UnavailableError(reason))


def _id(frame: Frame) -> int:
    call_id = frame.header.get(_ID)
    if type(call_id) is not int:
        raise ProtocolError(f"'{frame.t}' frame without an integer id")
    return call_id


def _milliseconds(timeout: float) -> int:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout is a positive number of seconds, got {timeout!r}")
    return max(1, math.ceil(timeout * 1000))
