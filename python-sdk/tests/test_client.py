"""``commbus.connect`` and ``commbus.connect_sync`` against the real node's client endpoint.

One JVM (SdkTestNode) with a client endpoint on a Unix socket serves most tests; the TLS and
slow-client tests start their own, with the settings they need.
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import commbus
from commbus import errors
from java_node import JavaError, JavaNode

FRAMES = Path(__file__).resolve().parents[2] / "protocol" / "frames"

EVERYTHING = ["publish", "send", "query", "subscribe", "serve", "group"]
TOKENS = {
    "all": "all-" + "a" * 28,
    "reader": "reader-" + "b" * 24,
    "ml": "ml-" + "c" * 28,
    "ops": "ops-" + "d" * 28,
}
GRANTS = [
    {"name": "all", "token": TOKENS["all"], "allow": EVERYTHING},
    {"name": "reader", "token": TOKENS["reader"], "allow": ["query"]},
    {"name": "ml", "token": TOKENS["ml"], "allow": ["query", "serve", "group"], "serve": ["ml."], "groups": ["ml-"]},
    {"name": "ops", "token": TOKENS["ops"], "allow": ["publish", "subscribe", "admin"]},
]


class Endpoint:
    """A node with its client endpoint started, and the URL to reach it."""

    def __init__(self, node: JavaNode, started: dict[str, Any]) -> None:
        self.node = node
        self.socket = started["socket"]
        self.url = "unix://" + started["socket"]
        self.tcp_port: int = started["tcpPort"]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with JavaNode() as node:
        yield Endpoint(node, node.endpoint(tokens=GRANTS))


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 60))


def test_every_verb_over_the_unix_socket(endpoint: Endpoint) -> None:
    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["all"], name="notebook\n") as bus:
            assert bus.client_id is not None and bus.client_id.startswith("client all#")
            assert bus.client_id.endswith(" (notebook?)"), bus.client_id  # the node's logs get no line break from it
            assert bus.allowed == set(EVERYTHING)
            assert await bus.query("test.Ask", {"what": "hi"}) == {"answer": "HI"}
            assert [item async for item in bus.query_stream("test.AskMany", {"n": 1000})] == [
                {"i": i} for i in range(1000)
            ]
            assert [item async for item in bus.callback("test.Numbers", {"n": 700})] == [{"i": i} for i in range(700)]
            await bus.send("test.Do", {"x": 1})

            events: asyncio.Queue[Any] = asyncio.Queue()

            async def on_event(payload: Any) -> None:
                await events.put(payload)

            async with bus.subscribe("client.Happened", on_event):
                # The subscription is made before the publishes: frames on one connection are taken in order.
                positions = [await bus.publish("client.Happened", {"n": n}) for n in range(5)]
                assert positions == sorted(positions) and positions[0] > 0, positions  # journal positions
                assert [await events.get() for _ in range(5)] == [{"n": n} for n in range(5)]

    run(main())


def test_subscribe_from_replays_then_follows_paced_by_the_handler(endpoint: Endpoint) -> None:
    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["all"]) as bus:
            first = await bus.publish("client.Replayed", {"n": 0})
            for n in range(1, 600):
                await bus.publish("client.Replayed", {"n": n})
            seen: list[int] = []
            done = asyncio.Event()

            async def slow(payload: Any) -> None:
                seen.append(payload["n"])
                if len(seen) % 100 == 0:
                    await asyncio.sleep(0)  # a handler that yields: the node waits for its credit
                if len(seen) == 700:
                    done.set()

            # A window of 8: the node reads the journal only as the handler takes events.
            async with bus.subscribe_from("client.Replayed", first, slow, window=8) as subscription:
                for n in range(600, 700):
                    await bus.publish("client.Replayed", {"n": n})
                await done.wait()
                assert seen == list(range(700))
                assert subscription.last_position is not None and subscription.last_position > first
            with pytest.raises(ValueError, match="position"):
                bus.subscribe_from("client.Replayed", 0, slow)

    run(main())


def test_two_clients_share_a_consumer_group_and_a_failed_event_comes_again(endpoint: Endpoint) -> None:
    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["all"]) as one, commbus.connect(
            endpoint.url, token=TOKENS["all"]
        ) as two:
            handled: dict[int, list[str]] = {}
            failed_once: set[int] = set()
            all_in = asyncio.Event()

            def member(name: str) -> Any:
                async def handle(payload: Any) -> None:
                    n = payload["n"]
                    if n % 10 == 3 and n not in failed_once:
                        failed_once.add(n)
                        raise RuntimeError(f"event {n} fails its first time")
                    handled.setdefault(n, []).append(name)
                    if len(handled) == 40:
                        all_in.set()

                return handle

            await one.join_group("client-billing", member("one"), types=["client.Billed"], concurrency=4)
            await two.join_group("client-billing", member("two"), types=["client.Billed"], concurrency=4)
            for n in range(40):
                await one.publish("client.Billed", {"n": n})
            await asyncio.wait_for(all_in.wait(), 30)
            assert sorted(handled) == list(range(40))
            assert all(len(by) == 1 for by in handled.values()), handled  # once each, none lost
            members = {name for by in handled.values() for name in by}
            assert members == {"one", "two"}, "the two members share the group's events"
            assert failed_once == {3, 13, 23, 33}

    run(main())


def test_a_stream_stopped_early_is_cancelled_and_the_connection_goes_on(endpoint: Endpoint) -> None:
    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["all"]) as bus:
            async with bus.callback("test.Numbers", {"n": 1_000_000}) as numbers:
                async for item in numbers:
                    if item["i"] == 10:
                        break
            assert await bus.query("test.Ask", {"what": "after"}) == {"answer": "AFTER"}

    run(main())


def test_errors_are_the_bus_errors(endpoint: Endpoint) -> None:
    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["all"]) as bus:
            with pytest.raises(errors.NoHandlerError):
                await bus.query("client.NobodyHandlesThis", {})
            with pytest.raises(errors.RejectedError, match="market closed"):
                async for _ in bus.callback("test.Broken", {}):
                    pass

    run(main())


def test_an_attached_worker_serves_queries_from_the_node(endpoint: Endpoint) -> None:
    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["all"]) as bus:
            async def echo(payload: Any) -> Any:
                request = commbus.current_request()
                assert request is not None
                return {"echo": payload["x"], "type": request.type}

            async def count(payload: Any) -> Any:
                for i in range(payload["n"]):
                    yield {"i": i}

            def shout(payload: Any) -> Any:
                assert threading.current_thread() is not threading.main_thread()
                return {"loud": payload["word"].upper()}

            def fails(payload: Any) -> Any:
                raise KeyError("no such field")

            await bus.serve("client.Echo", echo)
            await bus.serve("client.Count", count)
            await bus.serve("client.Shout", shout)
            await bus.serve("client.Fails", fails)
            assert await asyncio.to_thread(endpoint.node.query, "client.Echo", {"x": 7}) == {
                "echo": 7,
                "type": "client.Echo",
            }
            assert await asyncio.to_thread(endpoint.node.stream, "client.Count", {"n": 600}) == [
                {"i": i} for i in range(600)
            ]
            assert await asyncio.to_thread(endpoint.node.query, "client.Shout", {"word": "hey"}) == {"loud": "HEY"}
            with pytest.raises(JavaError) as caught:
                await asyncio.to_thread(endpoint.node.query, "client.Fails", {})
            assert caught.value.code == "HANDLER_FAILED" and caught.value.remote_type == "KeyError"
            # The client's own calls reach what it serves, through the node.
            assert await bus.query("client.Echo", {"x": 1}) == {"echo": 1, "type": "client.Echo"}
            status = await asyncio.to_thread(endpoint.node.endpoint_status)
            assert status["served"]["client.Count"]["kind"] == "stream"
        # Gone with its client: once the node has unregistered it, the type has no handler left.
        await _until(lambda: "client.Echo" not in endpoint.node.endpoint_status()["served"])
        with pytest.raises(JavaError) as caught:
            endpoint.node.query("client.Echo", {"x": 7})
        assert caught.value.code == "NO_HANDLER"

    run(main())


def test_an_attached_worker_shares_a_type_with_a_pool_of_children(endpoint: Endpoint) -> None:
    endpoint.node.deploy("shared.Work", "sdk_workers", "served_by_child")

    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["all"]) as bus:
            async def by_client(payload: Any) -> Any:
                return {"by": "client"}

            async with await bus.serve("shared.Work", by_client, concurrency=4):
                answers = [await bus.query("shared.Work", {}) for _ in range(200)]
        counts = {who: sum(1 for a in answers if a["by"] == who) for who in ("child", "client")}
        # The event bus takes turns between the two handlers of the type on this node.
        assert counts["child"] >= 50 and counts["client"] >= 50, counts

    try:
        run(main())
    finally:
        endpoint.node.call("undeploy", name="shared.Work")


def test_concurrency_bounds_what_an_attached_worker_runs_at_once(endpoint: Endpoint) -> None:
    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["all"]) as bus:
            running = 0
            most = 0
            release = asyncio.Event()
            started = asyncio.Queue[None]()

            async def slow(payload: Any) -> Any:
                nonlocal running, most
                running += 1
                most = max(most, running)
                await started.put(None)
                await release.wait()
                running -= 1
                return payload

            async with await bus.serve("client.Slow", slow, concurrency=3):
                calls = [asyncio.ensure_future(bus.query("client.Slow", {"n": n})) for n in range(10)]
                for _ in range(3):
                    await started.get()
                status = await asyncio.to_thread(endpoint.node.endpoint_status)
                assert status["served"]["client.Slow"]["inFlight"] == 3
                assert status["served"]["client.Slow"]["queued"] == 7
                release.set()
                assert sorted(r["n"] for r in await asyncio.gather(*calls)) == list(range(10))
            assert most == 3

    run(main())


def test_a_token_allows_only_its_verbs_and_a_refusal_ends_only_that_call(endpoint: Endpoint) -> None:
    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["reader"]) as bus:
            assert bus.allowed == {"query"}
            with pytest.raises(errors.ForbiddenError, match="publish"):
                await bus.publish("client.Happened", {})
            with pytest.raises(errors.ForbiddenError):
                await bus.send("test.Do", {})
            subscription = bus.subscribe("client.Happened", lambda payload: None)
            with pytest.raises(errors.ForbiddenError):
                await subscription.wait()
            with pytest.raises(errors.ForbiddenError):
                await bus.serve("client.Mine", lambda payload: payload)
            with pytest.raises(errors.ForbiddenError, match="group"):
                await bus.join_group("client-anything", lambda payload: None)
            assert await bus.query("test.Ask", {"what": "still here"}) == {"answer": "STILL HERE"}
        async with commbus.connect(endpoint.url, token=TOKENS["ml"]) as bus:
            async with await bus.serve("ml.Embed", lambda payload: {"v": [1, 2]}):
                assert await bus.query("ml.Embed", {}) == {"v": [1, 2]}
            with pytest.raises(errors.ForbiddenError, match="ml."):
                await bus.serve("trading.Quote", lambda payload: payload)
            async with await bus.join_group("ml-jobs", lambda payload: None, types=["ml.Job"]):
                pass
            with pytest.raises(errors.ForbiddenError, match="ml-"):
                await bus.join_group("billing", lambda payload: None)
            with pytest.raises(errors.InvalidMessageError, match="concurrency 5000"):
                await bus.serve("ml.Huge", lambda payload: payload, concurrency=5000)

    run(main())


def test_commbus_own_types_need_the_admin_permission(endpoint: Endpoint) -> None:
    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["all"]) as bus:
            assert "admin" not in bus.allowed
            # A forged registry event, or a client taking a callback's calls: both refused.
            with pytest.raises(errors.ForbiddenError, match="admin permission"):
                await bus.publish("commbus.registry.ServiceRegistered", {"name": "forged"})
            with pytest.raises(errors.ForbiddenError, match="admin permission"):
                await bus.serve("commbus.callback.market.MarketData", lambda payload: payload)
            with pytest.raises(errors.ForbiddenError, match="admin permission"):
                await bus.query("commbus.callback.market.MarketData", {})
            with pytest.raises(errors.ForbiddenError, match="name the group's types"):
                await bus.join_group("client-audit", lambda payload: None)  # every type: commbus's own too
            with pytest.raises(errors.ForbiddenError, match="admin permission"):
                await bus.join_group("client-audit", lambda payload: None, types=["commbus.registry.ServiceRegistered"])
            assert await bus.query("test.Ask", {"what": "still here"}) == {"answer": "STILL HERE"}
        async with commbus.connect(endpoint.url, token=TOKENS["ops"]) as bus:
            assert bus.allowed == {"publish", "subscribe", "admin"}
            seen: asyncio.Queue[Any] = asyncio.Queue()
            async with bus.subscribe("commbus.ops.Probe", seen.put_nowait):
                await bus.publish("commbus.ops.Probe", {"n": 1})  # taken after the subscribe: one connection
                assert await asyncio.wait_for(seen.get(), 10) == {"n": 1}
            with pytest.raises(errors.ForbiddenError, match="lacks the query permission"):
                await bus.query("commbus.ops.Probe", {})  # admin widens the types, not the verbs

    run(main())


def test_the_client_reconnects_across_a_node_restart_and_replay_goes_on_without_gap_or_duplicate(
    tmp_path: Path,
) -> None:
    runtime = str(tmp_path)
    socket_path = str(tmp_path / "clients" / "bus.sock")
    url = "unix://" + socket_path
    first = JavaNode(runtime)
    first.endpoint(tokens=GRANTS, socket=socket_path)

    async def main() -> None:
        nonlocal first
        seen: list[int] = []
        reached = {100: asyncio.Event(), 200: asyncio.Event()}

        async def on_event(payload: Any) -> None:
            seen.append(payload["n"])
            if len(seen) in reached:
                reached[len(seen)].set()

        async with commbus.connect(url, token=TOKENS["all"], reconnect_delay=0.05) as bus:
            async def echo(payload: Any) -> Any:
                return {"echo": payload}

            await bus.serve("client.Survives", echo)
            for n in range(100):
                await bus.publish("client.AcrossRestart", {"n": n})
            subscription = bus.subscribe_from("client.AcrossRestart", 1, on_event, window=16)
            await reached[100].wait()

            await asyncio.to_thread(first.close)  # the node stops: `bye`, then its socket goes
            with pytest.raises(errors.UnavailableError):
                await bus.query("test.Ask", {"what": "while away"})
            # A publish with an id waits for the node and is sent again; one without fails at once.
            with pytest.raises(errors.UnavailableError):
                await bus.publish("client.AcrossRestart", {"n": -1})
            pending = asyncio.ensure_future(bus.publish("client.AcrossRestart", {"n": 100}, id="across-100"))
            second = await asyncio.to_thread(JavaNode, runtime)
            try:
                await asyncio.to_thread(second.endpoint, tokens=GRANTS, socket=socket_path)
                assert await asyncio.wait_for(bus.wait_connected(), 30)
                assert bus.connections == 2
                position = await asyncio.wait_for(pending, 30)
                for n in range(101, 200):
                    await bus.publish("client.AcrossRestart", {"n": n})
                # Sent again, it is journaled once: the same position, and no second delivery.
                assert await bus.publish("client.AcrossRestart", {"n": 100}, id="across-100") == position
                await asyncio.wait_for(reached[200].wait(), 30)
                assert seen == list(range(200)), "a gap or a duplicate across the restart"
                # What it served, it serves again.
                assert await asyncio.to_thread(second.query, "client.Survives", {"x": 1}) == {"echo": {"x": 1}}
                await subscription.aclose()
            finally:
                await bus.close()
                await asyncio.to_thread(second.close)

    try:
        run(main())
    finally:
        first.close()


def test_a_wrong_token_is_refused_and_counted(endpoint: Endpoint) -> None:
    before = endpoint.node.endpoint_status()["badTokens"]

    async def main() -> None:
        with pytest.raises(errors.ForbiddenError, match="refused the token"):
            await commbus.connect(endpoint.url, token="not-the-token-" + "x" * 20)
        with pytest.raises(PermissionError):  # ForbiddenError is one
            await commbus.connect(endpoint.url, token=TOKENS["all"][:-1] + "b")

    run(main())
    assert endpoint.node.endpoint_status()["badTokens"] == before + 2


def test_an_unreachable_node_is_unavailable() -> None:
    async def main() -> None:
        with pytest.raises(errors.UnavailableError, match="cannot reach"):
            await commbus.connect("unix:///nonexistent/commbus/bus.sock", token="t" * 32)

    run(main())

    async def never_connected() -> None:
        client = commbus.connect("unix:///nonexistent/commbus/bus.sock", token="t" * 32)
        with pytest.raises(errors.UnavailableError, match="not connected"):
            await client.publish("client.Never", {}, id="never-1")  # fails at once, waits for nothing

    run(never_connected())
    with pytest.raises(ValueError, match="unix:///path"):
        commbus.connect("http://localhost:8080", token="t" * 32)


def test_the_blocking_client_from_several_threads(endpoint: Endpoint) -> None:
    with commbus.connect_sync(endpoint.url, token=TOKENS["all"]) as bus:
        failures: list[BaseException] = []

        def work(worker: int) -> None:
            try:
                for n in range(50):
                    word = f"w{worker}-{n}"
                    assert bus.query("test.Ask", {"what": word}) == {"answer": word.upper()}
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not failures, failures
        assert list(bus.query_stream("test.AskMany", {"n": 300})) == [{"i": i} for i in range(300)]

        seen: list[Any] = []
        done = threading.Event()

        def on_event(payload: Any) -> None:
            seen.append(payload)
            if len(seen) == 3:
                done.set()

        subscription = bus.subscribe("client.SyncHappened", on_event)
        positions = [bus.publish("client.SyncHappened", {"n": n}) for n in range(3)]
        assert done.wait(30)
        assert seen == [{"n": 0}, {"n": 1}, {"n": 2}]
        bus.unsubscribe(subscription)

        replayed: list[Any] = []
        again = threading.Event()

        def on_replayed(payload: Any) -> None:
            replayed.append(payload)
            if len(replayed) == 2:
                again.set()

        replay = bus.subscribe_from("client.SyncHappened", positions[1], on_replayed)
        assert again.wait(30)
        assert replayed == [{"n": 1}, {"n": 2}]
        bus.unsubscribe(replay)

        serving = bus.serve("client.SyncServed", lambda payload: {"twice": payload["x"] * 2})
        assert endpoint.node.query("client.SyncServed", {"x": 21}) == {"twice": 42}
        bus.stop_serving(serving)


async def _until(condition: Any, within: float = 30.0) -> None:
    """Waits for what the node does after a client left, which nothing on this side can await."""
    deadline = time.monotonic() + within
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, "the node never got there"
        await asyncio.sleep(0.02)


def _frame(header: dict[str, Any], body: bytes = b"") -> bytes:
    head = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack(">II", 4 + len(head) + len(body), len(head)) + head + body


def _read_until_closed_or(sock: socket.socket, marker: bytes) -> bytes:
    received = b""
    while marker not in received:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        received += chunk
    return received


def test_malformed_frames_from_clients_leave_the_node_and_other_clients_unharmed(endpoint: Endpoint) -> None:
    manifest = json.loads((FRAMES / "manifest.json").read_text())
    malformed = [
        (FRAMES / entry["file"]).read_bytes() for entry in manifest["frames"] if "error" in entry
    ]
    assert len(malformed) >= 15
    hello = _frame({"t": "hello", "v": 1, "token": TOKENS["all"], "pid": os.getpid(), "runtime": "test"})
    probe = _frame({"t": "call", "id": 1, "op": "query", "type": "test.Ask", "b": "j"}, b'{"what":"ok"}')

    async def main() -> None:
        async with commbus.connect(endpoint.url, token=TOKENS["all"]) as bus:
            def hammer(rounds: int, offset: int) -> int:
                closed = 0
                for n in range(rounds):
                    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                        sock.settimeout(30)
                        sock.connect(endpoint.socket)
                        bad = malformed[(n + offset) % len(malformed)]
                        # Half before the handshake, half after it.
                        sock.sendall(bad + probe if n % 2 else hello + bad + probe)
                        received = _read_until_closed_or(sock, b'"answer"')
                        if b'"answer"' not in received:
                            closed += 1
                return closed

            results = await asyncio.gather(*(asyncio.to_thread(hammer, 2500, i) for i in range(4)))
            # Every frame before the handshake is refused; a malformed frame after it closes the
            # connection, unless it is one the node need not read (an answer to no request).
            assert sum(results) >= 5000, results
            assert await bus.query("test.Ask", {"what": "unharmed"}) == {"answer": "UNHARMED"}
            status = await asyncio.to_thread(endpoint.node.endpoint_status)
            assert status["connections"] == 1, status  # this client only: nothing left behind

    run(main())


def test_a_malformed_field_of_a_call_is_a_protocol_error_that_closes_only_that_connection(endpoint: Endpoint) -> None:
    hello = _frame({"t": "hello", "v": 1, "token": TOKENS["all"], "pid": os.getpid(), "runtime": "test"})
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(endpoint.socket)
        sock.sendall(hello + _frame({"t": "call", "id": 1, "op": "serve", "type": "client.Odd", "kind": "banana"}))
        received = _read_until_closed_or(sock, b"never")
        assert b'"welcome"' in received and b'"serving"' not in received, received
    with pytest.raises(JavaError) as caught:
        endpoint.node.query("client.Odd", {})
    assert caught.value.code == "NO_HANDLER"


def test_hellos_after_a_refused_one_in_the_same_write_are_not_looked_at(endpoint: Endpoint) -> None:
    before = endpoint.node.endpoint_status()["badTokens"]
    guesses = b"".join(
        _frame({"t": "hello", "v": 1, "token": f"guess-{n:026d}", "pid": os.getpid(), "runtime": "x"}) for n in range(200)
    )
    good = _frame({"t": "hello", "v": 1, "token": TOKENS["all"], "pid": os.getpid(), "runtime": "x"})
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(endpoint.socket)
        sock.sendall(guesses + good)
        received = _read_until_closed_or(sock, b"never")
    assert b'"bad-token"' in received and b'"welcome"' not in received, received
    assert endpoint.node.endpoint_status()["badTokens"] == before + 1


def test_a_client_that_stops_reading_is_disconnected() -> None:
    with JavaNode() as node:
        started = node.endpoint(tokens=GRANTS, stall_timeout_ms=400, write_queue_bytes=64 * 1024)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stuck:
            stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stuck.connect(started["socket"])
            stuck.sendall(_frame({"t": "hello", "v": 1, "token": TOKENS["all"], "pid": os.getpid(), "runtime": "x"}))
            # Streams of far more than any buffer holds, with all the credit they may ask (4096 items
            # each: a larger grant counts as that), never read.
            stuck.sendall(b"".join(
                _frame({"t": "call", "id": n, "op": "callback", "type": "test.Numbers", "credit": 10_000_000,
                        "b": "j"}, b'{"n":10000000}')
                for n in range(1, 65)
            ))
            run(_until(lambda: node.endpoint_status()["accepted"] == 1))
            run(_until(lambda: node.endpoint_status()["connections"] == 0))
            # What the node had queued for it is dropped: the socket ends (after what the kernel holds).
            # A socket the node had not closed would time out here instead.
            stuck.settimeout(30)
            try:
                while stuck.recv(1 << 20):
                    pass
            except ConnectionResetError:
                pass

        async def main() -> None:
            async with commbus.connect("unix://" + started["socket"], token=TOKENS["all"]) as bus:
                assert await bus.query("test.Ask", {"what": "next"}) == {"answer": "NEXT"}

        run(main())


def test_the_node_pings_its_clients_and_lets_go_of_one_that_does_not_answer() -> None:
    with JavaNode() as node:
        started = node.endpoint(tokens=GRANTS, ping_interval_ms=100)

        async def main() -> None:
            async with commbus.connect("unix://" + started["socket"], token=TOKENS["all"]) as bus:
                # A client answers each ping from its loop...
                await _until(lambda: node.endpoint_status()["clients"][0]["pongs"] >= 3)
                assert bus.is_connected and bus.connections == 1
                # ...and a peer that never does is disconnected at the next ping.
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as mute:
                    mute.settimeout(30)
                    mute.connect(started["socket"])
                    mute.sendall(_frame({"t": "hello", "v": 1, "token": TOKENS["all"], "pid": os.getpid(),
                                         "runtime": "mute"}))
                    received = _read_until_closed_or(mute, b"never")
                    assert b'"welcome"' in received and b'"ping"' in received, received
                assert bus.is_connected

        run(main())


def test_a_client_takes_a_node_that_stopped_pinging_as_gone() -> None:
    # A peer that welcomes the client, says it pings every 50 ms, and then says nothing: a node
    # whose host vanished looks like this from the client.
    async def main() -> None:
        welcomed = asyncio.Event()

        async def silent_node(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(4096)  # the hello
            writer.write(_frame({"t": "welcome", "v": 1, "client": "client x#1", "allow": ["query"],
                                 "maxFrame": 16777216, "ping": 50}))
            await writer.drain()
            welcomed.set()
            await reader.read()  # until the client cuts it
            writer.close()

        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "silent.sock")
            server = await asyncio.start_unix_server(silent_node, path)
            async with server:
                bus = await commbus.connect("unix://" + path, token="t" * 32, reconnect=False)
                await welcomed.wait()
                started = time.monotonic()
                conn = bus._conn
                assert conn is not None
                await asyncio.wait_for(conn.closed, 10)  # the client cuts the silent connection
                assert not bus.is_connected
                assert time.monotonic() - started >= 0.1  # three intervals without a ping, not at once
                with pytest.raises(errors.UnavailableError):
                    await bus.query("test.Ask", {})
                await bus.close()

    run(main())


def test_connections_beyond_the_limit_are_refused() -> None:
    with JavaNode() as node:
        started = node.endpoint(tokens=GRANTS, max_connections=2)
        url = "unix://" + started["socket"]

        async def main() -> None:
            async with commbus.connect(url, token=TOKENS["all"]), commbus.connect(url, token=TOKENS["all"]):
                with pytest.raises(errors.OverloadedError, match="2 client connections"):
                    await commbus.connect(url, token=TOKENS["all"])
            await _until(lambda: node.endpoint_status()["connections"] == 0)
            async with commbus.connect(url, token=TOKENS["all"]) as bus:
                assert await bus.query("test.Ask", {"what": "room"}) == {"answer": "ROOM"}

        run(main())
        assert node.endpoint_status()["refused"] == 1


def test_without_tokens_the_endpoint_makes_one_only_its_user_can_read() -> None:
    with JavaNode() as node:
        started = node.endpoint()
        token_file = Path(started["tokenFile"])
        assert token_file.stat().st_mode & 0o777 == 0o600
        assert Path(started["socket"]).stat().st_mode & 0o777 == 0o600
        assert Path(started["socket"]).parent.stat().st_mode & 0o777 == 0o700

        async def main() -> None:
            async with commbus.connect("unix://" + started["socket"], token_file=token_file) as bus:
                assert await bus.query("test.Ask", {"what": "local"}) == {"answer": "LOCAL"}

        run(main())


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "node.pem", directory / "node.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def test_a_node_that_asks_for_client_certificates_takes_only_clients_its_ca_signed(
    certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    cert, key = certificate
    ca_key, ca_cert = tmp_path / "ca.key", tmp_path / "ca.pem"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=commbus test clients CA",
             "-keyout", str(ca_key), "-out", str(ca_cert))
    client_key, client_csr, client_cert = tmp_path / "app.key", tmp_path / "app.csr", tmp_path / "app.pem"
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=app", "-keyout", str(client_key),
             "-out", str(client_csr))
    _openssl("x509", "-req", "-in", str(client_csr), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
             "-days", "1", "-out", str(client_cert))
    with JavaNode() as node:
        started = node.endpoint(tokens=GRANTS, tls={"certificate": str(cert), "key": str(key),
                                                    "clientCa": str(ca_cert)})
        url = f"tls://127.0.0.1:{started['tcpPort']}"

        async def main() -> None:
            async with commbus.connect(url, token=TOKENS["all"], cafile=str(cert), certfile=str(client_cert),
                                       keyfile=str(client_key)) as bus:
                assert await bus.query("test.Ask", {"what": "mutual"}) == {"answer": "MUTUAL"}
            # Without a certificate, or with one the CA did not sign, the TLS handshake fails: no token is looked at.
            with pytest.raises((errors.CommBusError, OSError)):
                await commbus.connect(url, token=TOKENS["all"], cafile=str(cert), connect_timeout=5)
            with pytest.raises((errors.CommBusError, OSError)):
                await commbus.connect(url, token=TOKENS["all"], cafile=str(cert), certfile=str(cert),
                                      keyfile=str(key), connect_timeout=5)

        run(main())
        assert node.endpoint_status()["badTokens"] == 0


def test_a_client_over_tls(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with JavaNode() as node:
        started = node.endpoint(tokens=GRANTS, tls={"certificate": str(cert), "key": str(key)})
        url = f"tls://127.0.0.1:{started['tcpPort']}"
        assert node.endpoint_status()["tlsEngine"] == "openssl"  # BoringSSL ships with the node

        async def main() -> None:
            async with commbus.connect(url, token=TOKENS["all"], cafile=str(cert)) as bus:
                assert await bus.query("test.Ask", {"what": "secret"}) == {"answer": "SECRET"}
                assert [i async for i in bus.query_stream("test.AskMany", {"n": 500})] == [{"i": i} for i in range(500)]
                async with await bus.serve("client.OverTls", lambda payload: {"tls": True}):
                    assert await asyncio.to_thread(node.query, "client.OverTls", {}) == {"tls": True}
            # A client that does not trust the node's certificate does not connect.
            with pytest.raises(Exception) as caught:
                await commbus.connect(url, token=TOKENS["all"])
            assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value) or isinstance(caught.value, errors.CommBusError)

        run(main())
