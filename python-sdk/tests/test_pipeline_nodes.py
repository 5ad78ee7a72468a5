"""Node functions run over real channels (Unix sockets), a chain of them in one event loop:
the two forms, sources and sinks, and an error that travels downstream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from commbus import errors
from commbus.channels import Item
from commbus.pipeline import Ports, run_node


async def tone(config: Any) -> AsyncIterator[bytes]:
    for i in range(config["frames"]):
        yield i.to_bytes(4, "big") * 160  # 640 bytes, 20 ms of 16 kHz mono


async def gate(frames: AsyncIterator[Item], config: Any) -> AsyncIterator[Item]:
    async for frame in frames:
        number = int.from_bytes(bytes(frame.data)[:4], "big")
        if config.get("fail_at") == number:
            raise ValueError(f"cannot gate frame {number}")
        if number % 2 == 0:
            yield Item(frame.data, frame.seq, ts=float(number), content_type="audio/pcm")


async def mix(ports: Ports, config: Any) -> None:
    voice = [item async for item in ports.input("voice")]
    bed = [item async for item in ports.input("bed")]
    await ports.output("out").send({"voice": len(voice), "bed": len(bed)})


def sink(seen: list[Any]) -> Any:
    async def collect(frames: AsyncIterator[Item], config: Any) -> None:
        async for frame in frames:
            seen.append(frame)

    return collect


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 30))


def test_a_source_a_transform_and_a_sink(tmp_path: Path) -> None:
    seen: list[Item] = []
    ready: list[str] = []
    gate_in, sink_in = str(tmp_path / "g.sock"), str(tmp_path / "s.sock")

    async def scenario() -> None:
        await asyncio.gather(
            run_node(sink(seen), {}, {"in": (sink_in, 8)}, {}, on_ready=lambda: ready.append("sink")),
            run_node(gate, {}, {"in": (gate_in, 8)}, {"out": sink_in}, on_ready=lambda: ready.append("gate")),
            run_node(tone, {"frames": 1000}, {}, {"out": gate_in}, on_ready=lambda: ready.append("tone")),
        )

    run(scenario())
    assert sorted(ready) == ["gate", "sink", "tone"]
    assert [int.from_bytes(bytes(f.data)[:4], "big") for f in seen] == list(range(0, 1000, 2))
    assert all(len(f.data) == 640 and f.content_type == "audio/pcm" for f in seen)
    assert [f.seq for f in seen] == list(range(500)), "each channel numbers its own items"


def test_multi_port_nodes_take_and_give_by_port_name(tmp_path: Path) -> None:
    seen: list[Item] = []
    voice, bed, out = (str(tmp_path / name) for name in ("v.sock", "b.sock", "o.sock"))

    async def scenario() -> None:
        await asyncio.gather(
            run_node(sink(seen), {}, {"in": (out, 4)}, {}),
            run_node(mix, {}, {"voice": (voice, 4), "bed": (bed, 4)}, {"out": out}),
            run_node(tone, {"frames": 30}, {}, {"out": voice}),
            run_node(tone, {"frames": 7}, {}, {"out": bed}),
        )

    run(scenario())
    assert [f.data for f in seen] == [{"voice": 30, "bed": 7}]


def test_an_error_in_a_node_ends_its_outputs_with_it(tmp_path: Path) -> None:
    seen: list[Item] = []
    gate_in, sink_in = str(tmp_path / "g.sock"), str(tmp_path / "s.sock")

    async def scenario() -> list[Any]:
        return await asyncio.gather(
            run_node(sink(seen), {}, {"in": (sink_in, 8)}, {}),
            run_node(gate, {"fail_at": 10}, {"in": (gate_in, 8)}, {"out": sink_in}),
            run_node(tone, {"frames": 100}, {}, {"out": gate_in}),
            return_exceptions=True,
        )

    sink_outcome, gate_outcome, tone_outcome = run(scenario())
    assert isinstance(gate_outcome, ValueError)
    assert isinstance(sink_outcome, errors.HandlerFailedError), sink_outcome
    assert "cannot gate frame 10" in str(sink_outcome)
    assert len(seen) == 5  # frames 0, 2, 4, 6, 8 went through before it failed
    assert isinstance(tone_outcome, ConnectionError), "its reader went away: the source stops"


def test_a_transform_with_two_outputs_is_told_to_take_ports(tmp_path: Path) -> None:
    async def scenario() -> None:
        await run_node(gate, {}, {}, {"a": str(tmp_path / "a"), "b": str(tmp_path / "b")}, connect_timeout=0.05)

    with pytest.raises(TimeoutError, match="no node listened"):  # nobody listens at a or b
        run(scenario())

    async def two_outputs() -> list[Any]:
        readers = [run_node(sink([]), {}, {"in": (str(tmp_path / name), 2)}, {}) for name in ("a2", "b2")]
        node = run_node(gate, {}, {}, {"a": str(tmp_path / "a2"), "b": str(tmp_path / "b2")})
        return await asyncio.gather(node, *readers, return_exceptions=True)

    node, *readers = run(two_outputs())
    assert isinstance(node, TypeError) and "take ports instead" in str(node), node
    # Its readers hear why it could not run.
    assert all(isinstance(r, errors.HandlerFailedError) and "take ports instead" in str(r) for r in readers), readers
