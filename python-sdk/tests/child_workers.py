"""Entry functions the child tests start (imported by the child process, not by pytest)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import commbus
from commbus import errors

_released = threading.Event()


def sync_handler(payload: Any) -> Any:
    """Runs on a worker thread: "block" waits until a later "release" request arrives."""
    if payload == "block":
        released = _released.wait(timeout=15)
        return {"released": released, "thread": threading.current_thread().name}
    if payload == "release":
        _released.set()
        return "released"
    request = commbus.current_request()
    return {"echo": payload, "type": request.type if request else None, "thread": threading.current_thread().name}


class QuoteError(Exception):
    """An exception of the program's own: callers see it by its qualified name."""


async def async_handler(payload: Any) -> Any:
    action = payload.get("do") if isinstance(payload, dict) else None
    if action is None:
        return payload
    if action == "none":
        return None
    if action == "raw":
        return b"\x00raw\xff"
    if action == "fail":
        raise ValueError("bad input")
    if action == "reject":
        raise errors.Rejected("not today")
    if action == "fail_own":
        raise QuoteError("no quote for ACME")
    if action == "context":
        request = commbus.current_request()
        assert request is not None
        return {"type": request.type, "traceparent": request.traceparent, "deadline": request.deadline}
    if action == "query":
        return await commbus.query("test.Quote", {"symbol": "ACME"}, timeout=1.5)
    if action == "query_error":
        try:
            await commbus.query("test.Quote", {"symbol": "ACME"})
        except errors.Timeout as exc:
            return {"caught": type(exc).__name__, "str": str(exc)}
    if action == "publish":
        return await commbus.publish("test.Happened", {"n": 1})
    if action == "send":
        await commbus.send("test.Do", {"n": 2})
        return "sent"
    if action == "callback":
        return [item async for item in commbus.market.MarketData({"symbol": "ACME"})]
    if action == "callback_break":
        taken = []
        async for item in commbus.trading.DataFetch({"from": 0}):
            taken.append(item)
            if len(taken) == 2:
                break
        return taken
    if action == "callback_handle":
        stream = await commbus.callback_handle("not.Listed", {"x": 1})
        return [item async for item in stream]
    if action == "callback_handle_direct":
        # Without the await, like commbus.query_stream and commbus.market.MarketData(...).
        return [item async for item in commbus.callback_handle("not.Listed", {"x": 2})]
    if action == "query_timeout":
        try:
            await commbus.query("test.Quote", {"symbol": "ACME"})
        except TimeoutError as exc:  # the builtin: commbus.errors.Timeout is one
            assert isinstance(exc, errors.CommBusError)
            return {"caught": type(exc).__name__, "operation": exc.operation, "message_type": exc.message_type}
    if action == "callback_rejected":
        try:
            async for _ in commbus.market.MarketData({}):
                pass
        except errors.RejectedError as exc:
            return {"caught": type(exc).__name__, "operation": exc.operation, "message_type": exc.message_type}
    if action == "callback_unknown":
        # Not listed, so the parent is asked; this test's parent answers NO_HANDLER.
        try:
            async for _ in commbus.market.MarketDta({}):
                pass
        except errors.NoHandlerError as exc:
            return {"error": str(exc), "listed": sorted(dir(commbus.market))}
    if action == "hang":
        try:
            await asyncio.get_running_loop().create_future()
        except asyncio.CancelledError:
            await commbus.send("test.Cancelled", payload.get("tag"))
            raise
    if action == "wait_for_parent":
        # Stays in flight until the parent answers this query: used to test `bye`'s grace.
        return await commbus.query("test.Release", None)
    raise AssertionError(f"unknown action {action!r}")


async def stream_handler(payload: dict[str, Any]) -> Any:
    try:
        for i in range(payload.get("n", 0)):
            yield {"i": i}
        if payload.get("raw"):
            yield b"raw-tail"
            yield {"after": "raw"}
        if payload.get("fail"):
            raise KeyError("missing")
        if payload.get("hang"):
            await asyncio.get_running_loop().create_future()
    finally:
        if payload.get("report_close"):
            await commbus.send("test.StreamClosed", None)


async def unserialisable(payload: Any) -> Any:
    return {"when": object()}
