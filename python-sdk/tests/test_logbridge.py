"""The log bridge over a real socket pair: records of ``logging`` become ``log`` frames.

The far end of the pair stands in for the parent: the test reads the frames the bridge wrote
and, for the back-pressure case, stops reading so the connection's write buffer fills. The
end-to-end path, a real child's records in the node's log, is ChildLoggingTest on the Java side.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from commbus._connection import Connection
from commbus._context import RequestInfo, _current
from commbus._logbridge import LogBridge, wire_level
from commbus._protocol import MAX_LOG_TEXT
from commbus.frames import Frame
from frame_feed import FrameFeed

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class _Parent:
    """The far end of the socket pair: reads what the bridge wrote."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.feed = FrameFeed()

    async def frames(self, n: int) -> list[Frame]:
        loop = asyncio.get_running_loop()
        got: list[Frame] = []
        while len(got) < n:
            got += self.feed.feed(await loop.sock_recv(self.sock, 1 << 20))
        return got


@asynccontextmanager
async def bridged(level: int = logging.INFO) -> AsyncIterator[tuple[logging.Logger, _Parent, Connection]]:
    loop = asyncio.get_running_loop()
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    theirs.setblocking(False)
    conn = Connection({}, lambda exc: None)
    await loop.create_unix_connection(lambda: conn, sock=ours)
    bridge = LogBridge(conn, level)
    root = logging.getLogger()
    before = root.level
    bridge.install()
    try:
        yield logging.getLogger("orders.pricing"), _Parent(theirs), conn
    finally:
        bridge.uninstall()
        root.setLevel(before)
        conn.close()
        theirs.close()


def run(scenario: Callable[[], Any]) -> Any:
    return asyncio.run(asyncio.wait_for(scenario(), 10))


def test_a_record_is_one_frame_with_level_logger_message_traceback_and_trace() -> None:
    async def scenario() -> None:
        async with bridged() as (log, parent, conn):
            log.debug("not sent: below the level")
            log.info("quote %s at %.2f", "ACME", 99.5)
            token = _current.set(RequestInfo(7, "trading.Quote", TRACEPARENT, None))
            try:
                raise ValueError("bad input")
            except ValueError:
                log.exception("quote failed")
            finally:
                _current.reset(token)
            info, failed = await parent.frames(2)
            assert info.header == {"t": "log", "level": "info", "logger": "orders.pricing",
                                   "message": "quote ACME at 99.50"}
            assert failed.header["level"] == "error"
            assert failed.header["message"] == "quote failed"
            assert failed.header["tp"] == TRACEPARENT
            traceback = failed.header["traceback"]
            assert traceback.startswith("Traceback (most recent call last):") and traceback.endswith(
                "ValueError: bad input"
            ), traceback

    run(scenario)


def test_the_root_logger_lets_the_configured_level_through() -> None:
    async def scenario() -> None:
        async with bridged(logging.DEBUG) as (log, parent, conn):
            assert logging.getLogger().level == logging.DEBUG
            logging.getLogger().debug("from the root")
            (frame,) = await parent.frames(1)
            assert frame.header["logger"] == "root" and frame.header["level"] == "debug"

    run(scenario)


def test_a_record_from_another_thread_is_sent_by_the_loop() -> None:
    async def scenario() -> None:
        async with bridged() as (log, parent, conn):
            worker = threading.Thread(target=log.warning, args=("from a worker thread",))
            worker.start()
            worker.join()
            (frame,) = await parent.frames(1)
            assert frame.header["message"] == "from a worker thread"
            assert frame.header["level"] == "warning"

    run(scenario)


def test_long_texts_are_clipped_and_say_how_much_was_left_out() -> None:
    async def scenario() -> None:
        async with bridged() as (log, parent, conn):
            log.info("x" * (MAX_LOG_TEXT + 10))
            (frame,) = await parent.frames(1)
            assert frame.header["message"] == "x" * MAX_LOG_TEXT + "... (10 more characters not sent)"

    run(scenario)


def test_records_are_dropped_while_the_socket_is_full_and_the_next_one_counts_them() -> None:
    async def scenario() -> None:
        async with bridged() as (log, parent, conn):
            big = "y" * MAX_LOG_TEXT
            sent = 0
            while not conn.write_paused:  # the parent does not read: the write buffer fills
                log.info(big)
                sent += 1
                assert sent < 1000, "the connection never paused"
            log.info("dropped 1")
            log.info("dropped 2")
            frames = await parent.frames(sent)  # reading lets the buffer drain
            assert all(frame.header["message"] == big for frame in frames)
            await conn.drain()
            log.info("after the drain")
            (after,) = await parent.frames(1)
            assert after.header["message"] == "after the drain"
            assert after.header["dropped"] == 2

    run(scenario)


def test_once_the_connection_is_gone_records_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    async def scenario() -> None:
        async with bridged() as (log, parent, conn):
            conn.close()
            await conn.closed
            log.error("after the parent went")

    run(scenario)
    assert "ERROR orders.pricing: after the parent went" in capsys.readouterr().err


def test_levels_between_the_standard_ones_travel_as_the_one_below() -> None:
    assert wire_level(logging.INFO + 5) == "info"
    assert wire_level(logging.CRITICAL + 10) == "critical"
    assert wire_level(1) == "debug"
