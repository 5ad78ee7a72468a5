"""The serving side in process: requests fed to a connection the way the event loop does
(from a loop callback, outside any task), answers read back from a fake transport.

These pin down what starting async handlers inline must keep: a handler that answers at
once is answered within the read; one that suspends goes on in a task that ``cancel``
stops; ``current_request()``, ``asyncio.timeout`` and ``TaskGroup`` work from its first
line on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import commbus
from commbus._connection import Connection
from commbus._handlers import detect_kind
from commbus._serving import Server
from commbus.frames import Frame, encode_frame
from frame_feed import FrameFeed


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.data = bytearray()
        self.writes = 0

    def write(self, data: Any) -> None:
        self.data += data
        self.writes += 1

    def is_closing(self) -> bool:
        return False

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


class _Child:
    """A connection and a server for ``handler``, with a fake socket on both ends."""

    def __init__(self, handler: Callable[..., Any]) -> None:
        self.loop = asyncio.get_running_loop()
        self.closed: list[BaseException | None] = []
        self.conn = Connection({}, self.closed.append)
        self.transport = _Transport()
        self.conn.connection_made(self.transport)
        self.server = Server(self.conn, handler, detect_kind(handler), lambda: None)  # type: ignore[arg-type, return-value]
        self.conn.routes.update(req=self.server.on_req, cancel=self.server.on_cancel, credit=self.server.on_credit)
        self.next_id = 1
        self._decoder = FrameFeed()

    def _read(self, data: bytes) -> None:
        view = self.conn.get_buffer(-1)
        view[: len(data)] = data
        self.conn.buffer_updated(len(data))

    async def deliver(self, *frames: tuple[dict[str, Any], Any]) -> None:
        """Hands ``frames`` to the connection as one read, from a loop callback."""
        data = b"".join(encode_frame(header, body) for header, body in frames)
        self.loop.call_soon(self._read, data)
        await asyncio.sleep(0)  # the callback was queued first, so it has run now

    def req(self, payload: Any, **header: Any) -> tuple[dict[str, Any], Any]:
        request_id = self.next_id
        self.next_id += 1
        return {"t": "req", "id": request_id, "type": "test.Request", **header}, payload

    def written(self) -> list[Frame]:
        frames = self._decoder.feed(bytes(self.transport.data))
        self.transport.data.clear()
        return frames

    async def turns(self, n: int = 3) -> None:
        for _ in range(n):
            await asyncio.sleep(0)


def run(scenario: Callable[[], Any]) -> Any:
    return asyncio.run(asyncio.wait_for(scenario(), 10))


def test_a_handler_that_does_not_suspend_is_answered_within_the_read() -> None:
    async def echo(payload: Any) -> Any:
        return payload

    async def scenario() -> None:
        child = _Child(echo)
        await child.deliver(*(child.req({"n": i}) for i in range(5)))
        # No loop turn since the read: the answers left at its end, in one write.
        assert child.transport.writes == 1
        assert [(f.header, f.body) for f in child.written()] == [
            ({"t": "res", "id": i + 1, "b": "j"}, {"n": i}) for i in range(5)
        ]
        assert child.server.in_flight == 0

    run(scenario)


def test_a_burst_of_answers_leaves_sixteen_frames_at_a_time() -> None:
    async def echo(payload: Any) -> Any:
        return payload

    async def scenario() -> None:
        child = _Child(echo)
        writes: list[int] = []
        write = child.transport.write
        feed = FrameFeed()

        def counting(data: Any) -> None:
            writes.append(len(feed.feed(bytes(data))))
            write(data)

        child.transport.write = counting  # type: ignore[method-assign]
        await child.deliver(*(child.req({"n": i}) for i in range(40)))
        # The first 16 answers go out while the rest are made, so the parent starts on them
        # meanwhile; the remainder leaves at the end of the read. Order is kept throughout.
        assert writes == [16, 16, 8]
        assert [f.body for f in FrameFeed().feed(bytes(child.transport.data))] == [{"n": i} for i in range(40)]

    run(scenario)


def test_current_request_in_the_first_step_and_after_suspending() -> None:
    async def handler(payload: Any) -> Any:
        before = commbus.current_request()
        await asyncio.sleep(0)
        after = commbus.current_request()
        assert before is after
        assert before is not None
        return [before.id, before.type, before.traceparent, before.deadline_ms]

    async def scenario() -> None:
        child = _Child(handler)
        await child.deliver(child.req(1, tp="00-a-b-01", dl=123), child.req(2))
        await child.turns()
        answers = {f.header["id"]: f.body for f in child.written()}
        assert answers == {1: [1, "test.Request", "00-a-b-01", 123], 2: [2, "test.Request", None, None]}
        assert commbus.current_request() is None  # nothing leaked into the loop's context

    run(scenario)


def test_failure_in_the_first_step_has_the_handlers_traceback() -> None:
    async def handler(payload: Any) -> Any:
        raise ValueError("bad input")

    async def scenario() -> None:
        child = _Child(handler)
        await child.deliver(child.req(None))
        (err,) = child.written()
        assert (err.header["t"], err.header["code"], err.header["etype"]) == ("err", "HANDLER_FAILED", "ValueError")
        assert err.header["message"] == "bad input"
        trace = err.header["traceback"]
        assert "in handler" in trace and "commbus/_serving.py" not in trace

    run(scenario)


def test_failure_after_suspending_and_the_result_of_a_later_step() -> None:
    async def handler(payload: Any) -> Any:
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        if payload == "fail":
            raise KeyError("late")
        return payload

    async def scenario() -> None:
        child = _Child(handler)
        await child.deliver(child.req("fail"), child.req("ok"))
        assert child.written() == []
        await child.turns(5)
        err, res = child.written()
        assert (err.header["id"], err.header["code"], err.header["etype"]) == (1, "HANDLER_FAILED", "KeyError")
        assert "in handler" in err.header["traceback"] and "commbus/_serving.py" not in err.header["traceback"]
        assert (res.header["id"], res.body) == (2, "ok")
        assert child.server.in_flight == 0

    run(scenario)


def test_cancel_stops_a_suspended_handler_and_cancels_what_it_awaits() -> None:
    seen: list[str] = []

    async def handler(payload: Any) -> Any:
        inner = asyncio.ensure_future(asyncio.sleep(30))
        try:
            await inner
        except asyncio.CancelledError:
            seen.append(f"cancelled, inner cancelled: {inner.cancelled()}")
            raise

    async def scenario() -> None:
        child = _Child(handler)
        # The cancel comes in the same read, before the handler's task ever ran.
        await child.deliver(child.req(None), ({"t": "cancel", "id": 1}, None))
        await child.turns()
        # And one that comes after the task took over.
        await child.deliver(child.req(None))
        await child.turns()
        await child.deliver(({"t": "cancel", "id": 2}, None))
        await child.turns()
        assert seen == ["cancelled, inner cancelled: True"] * 2
        assert child.written() == []  # the parent expects nothing after its cancel
        assert child.server.in_flight == 0

    run(scenario)


def test_asyncio_timeout_and_task_group_from_the_first_line() -> None:
    async def handler(payload: Any) -> Any:
        if payload == "timeout":
            try:
                async with asyncio.timeout(0.01):
                    await asyncio.sleep(30)
            except TimeoutError:
                return "timed out"
        if payload == "quick":
            async with asyncio.timeout(5):
                return "in time"
        async with asyncio.TaskGroup() as group:
            first = group.create_task(asyncio.sleep(0, "a"))
            second = group.create_task(asyncio.sleep(0, "b"))
        return first.result() + second.result()

    async def scenario() -> None:
        child = _Child(handler)
        await child.deliver(child.req("timeout"), child.req("quick"), child.req("group"))
        deadline = time.monotonic() + 5
        answers: dict[int, Any] = {}
        while len(answers) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
            answers.update({f.header["id"]: f.body for f in child.written()})
        assert answers == {1: "timed out", 2: "in time", 3: "ab"}

    run(scenario)


def test_a_handler_that_cancels_itself_in_its_first_step() -> None:
    async def handler(payload: Any) -> Any:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        if payload == "return":
            return "ignored"
        await asyncio.sleep(0)
        return "not reached"

    async def scenario() -> None:
        child = _Child(handler)
        await child.deliver(child.req("return"), child.req("await"))
        await child.turns()
        answers = {f.header["id"]: (f.header["t"], f.header.get("code")) for f in child.written()}
        assert answers == {1: ("err", "CANCELLED"), 2: ("err", "CANCELLED")}

    run(scenario)


def test_frames_split_across_reads_and_larger_than_the_buffer() -> None:
    async def echo(payload: Any) -> Any:
        return payload

    async def scenario() -> None:
        child = _Child(echo)
        big = "x" * (600 * 1024)  # larger than the receive buffer
        data = b"".join(encode_frame(*child.req(value)) for value in (1, big, 2, big, 3))
        for start in range(0, len(data), 7000):
            child.loop.call_soon(child._read, data[start : start + 7000])
            await asyncio.sleep(0)
        assert [f.body for f in child.written()] == [1, big, 2, big, 3]

    run(scenario)
