"""Pipeline sessions from Python (commbus.sessions) against the real node: created, fed, read
and terminated by a client and by a child, with real node processes behind them."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import commbus
from commbus import errors, sessions
from java_node import WORKERS, JavaNode

TOKEN = "sessions-" + "e" * 24


@pytest.fixture(scope="module")
def node() -> Iterator[tuple[JavaNode, str]]:
    with JavaNode() as java:
        started = java.endpoint(tokens=[{"name": "ops", "token": TOKEN, "allow": ["query", "admin"]}])
        java.call("sessions", path=[str(WORKERS)])
        yield java, "unix://" + started["socket"]


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 60))


RELAY = {"name": "relay", "nodes": [{"id": "relay", "python": "pipeline_workers:relay"}]}


def frame(i: int) -> bytes:
    body = i.to_bytes(4, "big") + bytes((i + k) % 251 for k in range(632))
    return body + zlib.crc32(body).to_bytes(4, "big")


def test_a_client_creates_feeds_and_reads_a_session(node: tuple[JavaNode, str]) -> None:
    async def main() -> None:
        async with commbus.connect(node[1], token=TOKEN) as bus:
            session = await sessions.create("py-1", RELAY, bus=bus)
            assert session.inputs == ["relay.in"] and session.outputs == ["relay.out"]
            assert session.status["state"] == "running"
            assert [s["id"] for s in await sessions.list_sessions(bus=bus)] == ["py-1"]

            async def feed() -> None:
                async with session.input("relay") as frames:
                    for i in range(300):
                        await frames.send(frame(i), ts=float(i), content_type="audio/pcm")

            feeding = asyncio.ensure_future(feed())
            items = [item async for item in session.output("relay")]
            await feeding
            assert [item.data for item in items] == [frame(i) for i in range(300)], "intact, in order, as bytes"
            assert [item.ts for item in items] == [float(i) for i in range(300)]
            assert {item.content_type for item in items} == {"audio/pcm"}

    run(main())


def test_a_session_is_terminated_and_then_not_found(node: tuple[JavaNode, str]) -> None:
    async def main() -> None:
        async with commbus.connect(node[1], token=TOKEN) as bus:
            spec = {"name": "endless", "nodes": [{"id": "tick", "python": "pipeline_workers:endless", "inputs": []}]}
            async with await sessions.create("py-2", spec, bus=bus) as session:
                taken = []
                async for item in session.output("tick"):
                    taken.append(item.data)
                    if len(taken) == 3:
                        break
                assert taken == [{"i": 0}, {"i": 1}, {"i": 2}]
                final = await session.terminate()
                assert final["outcome"] == "terminated"
                with pytest.raises(errors.SessionNotFoundError):
                    await session.refresh()
            # Leaving the block terminates it again, which finds it gone and lets that be.
            with pytest.raises(errors.SessionNotFoundError, match="no session py-2"):
                await sessions.terminate("py-2", bus=bus)

    run(main())


def test_what_cannot_start_says_why(node: tuple[JavaNode, str]) -> None:
    async def main() -> None:
        async with commbus.connect(node[1], token=TOKEN) as bus:
            with pytest.raises(errors.InvalidMessageError, match="at least one node"):
                await sessions.create("py-3", {"name": "empty", "nodes": []}, bus=bus)
            broken = {"name": "broken", "nodes": [{"id": "n", "python": "import_fails:handle"}]}
            with pytest.raises(errors.NodeCrashedError, match="node n") as crashed:
                await sessions.create("py-4", broken, bus=bus)
            assert crashed.value.remote_traceback and "import_fails.py" in crashed.value.remote_traceback
            with pytest.raises(ValueError, match="one of them"):
                await sessions.create("py-5", RELAY, pipeline="relay", bus=bus)

    run(main())


def test_a_child_runs_a_session_of_its_own(node: tuple[JavaNode, str]) -> None:
    java = node[0]
    java.deploy("drivers", "pipeline_workers", "drive")
    try:
        assert java.query("drivers", {"id": "py-6", "n": 50}) == {"out": [2 * n for n in range(50)]}
    finally:
        java.call("undeploy", name="drivers")
