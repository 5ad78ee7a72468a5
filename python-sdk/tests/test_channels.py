"""Channels between two real processes: this test's reader and ``channel_peer.py``'s writer."""

from __future__ import annotations

import asyncio
import os
import sys
import zlib
from pathlib import Path

import pytest

from commbus import errors
from commbus.channels import ChannelReader, ChannelWriter, Item

PEER = Path(__file__).with_name("channel_peer.py")


def run(coroutine: object) -> object:
    return asyncio.run(asyncio.wait_for(coroutine, 60))  # type: ignore[arg-type]


async def peer(path: Path, n: int, size: int, *extra: str) -> asyncio.subprocess.Process:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    return await asyncio.create_subprocess_exec(sys.executable, str(PEER), str(path), str(n), str(size), *extra,
                                                stdout=asyncio.subprocess.PIPE, env=env)


def check(item: Item, expected_seq: int) -> None:
    data = bytes(item.data)
    assert item.seq == expected_seq and int.from_bytes(data[:8], "big") == expected_seq
    assert zlib.crc32(data[:-4]).to_bytes(4, "big") == data[-4:], f"item {expected_seq} corrupted"
    assert item.ts == float(expected_seq) and item.content_type == "audio/pcm"


def test_items_cross_intact_and_in_order(tmp_path: Path) -> None:
    async def scenario() -> None:
        path = tmp_path / "c.sock"
        async with await ChannelReader.listen(str(path), capacity=64) as reader:
            assert oct(path.stat().st_mode & 0o777) == "0o600"
            writer = await peer(path, 5000, 640)
            seq = 0
            async for item in reader:
                check(item, seq)
                seq += 1
            assert seq == 5000
            out, _ = await writer.communicate()
            assert out.decode().strip() == "5000"

    run(scenario())


def test_a_channel_of_one_item_takes_turns_and_loses_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        path = tmp_path / "c.sock"
        async with await ChannelReader.listen(str(path), capacity=1) as reader:
            writer = await peer(path, 300, 64)
            seen = 0
            async for item in reader:
                check(item, seen)
                seen += 1
            assert seen == 300
            await writer.wait()

    run(scenario())


def test_large_items_cross_intact(tmp_path: Path) -> None:
    async def scenario() -> None:
        path = tmp_path / "c.sock"
        async with await ChannelReader.listen(str(path), capacity=4) as reader:
            writer = await peer(path, 20, 1024 * 1024)
            seen = [item async for item in reader]
            for seq, item in enumerate(seen):
                check(item, seq)
            assert len(seen) == 20
            await writer.wait()

    run(scenario())


def test_a_slow_reader_slows_the_writer_and_bounds_what_is_in_flight(tmp_path: Path) -> None:
    async def scenario() -> None:
        path = tmp_path / "c.sock"
        capacity = 8
        async with await ChannelReader.listen(str(path), capacity=capacity) as reader:
            writer_task = asyncio.ensure_future(_writer(path, 200))
            taken = 0
            async for _ in reader:
                taken += 1
                # The writer never runs ahead of what was taken by more than the capacity.
                assert writer_state["sent"] - taken <= capacity, (writer_state["sent"], taken)
                await asyncio.sleep(0.001)
            assert taken == 200
            await writer_task

    writer_state: dict[str, int] = {"sent": 0}

    async def _writer(path: Path, n: int) -> None:
        async with await ChannelWriter.connect(str(path)) as writer:
            for i in range(n):
                await writer.send({"i": i})
                writer_state["sent"] = writer.sent

    run(scenario())


def test_an_error_from_the_writer_ends_the_iteration_with_its_code(tmp_path: Path) -> None:
    async def scenario() -> None:
        path = tmp_path / "c.sock"
        async with await ChannelReader.listen(str(path), capacity=16) as reader:
            writer = await peer(path, 100, 64, "fail")
            seen = 0
            with pytest.raises(errors.RejectedError, match="half-way"):
                async for _ in reader:
                    seen += 1
            assert seen == 50
            await writer.wait()

    run(scenario())


def test_a_writer_that_dies_ends_the_iteration_with_a_connection_error(tmp_path: Path) -> None:
    async def scenario() -> None:
        path = tmp_path / "c.sock"
        async with await ChannelReader.listen(str(path), capacity=16) as reader:
            writer = await peer(path, 1_000_000, 64)
            async for item in reader:
                if item.seq == 10:
                    writer.kill()
                    break
            with pytest.raises(ConnectionError, match="went away before its end"):
                async for _ in reader:
                    pass
            await writer.wait()

    run(scenario())


def test_a_resumable_reader_takes_the_next_writer_when_one_dies(tmp_path: Path) -> None:
    async def scenario() -> None:
        path = tmp_path / "c.sock"
        async with await ChannelReader.listen(str(path), capacity=16, resumable=True) as reader:
            first = await peer(path, 1_000_000, 64)
            seqs: list[int] = []
            async for item in reader:
                seqs.append(item.seq)
                if item.seq == 10:
                    first.kill()
                    await first.wait()
                    second = await peer(path, 100, 64)
                if len(seqs) > 11 and item.seq == 0:
                    break
            restart = len(seqs) - 1
            assert seqs[:restart] == list(range(restart)), "the first writer's items, all it sent, in order"
            check(item, 0)
            rest = [item.seq async for item in reader]
            assert rest == list(range(1, 100)), "then the second writer's, to its end"
            assert reader.writers == 2
            out, _ = await second.communicate()
            assert out.decode().strip() == "100"

    run(scenario())


def test_a_resumable_writer_connects_to_the_next_reader_and_counts_what_was_lost(tmp_path: Path) -> None:
    path = str(tmp_path / "c.sock")

    async def scenario() -> None:
        first = await ChannelReader.listen(path, capacity=8)
        writer = await ChannelWriter.connect(path, resume_timeout=10)
        resumed: list[int] = []
        writer.on_resumed = resumed.append

        async def write() -> None:
            for i in range(100):
                await writer.send(i.to_bytes(8, "big"))
            await writer.close()

        writing = asyncio.ensure_future(write())
        taken = 0
        async for _ in first:
            taken += 1
            if taken == 5:
                break
        await first.close()  # as a reader whose process died: the writer finds its connection gone
        async with await ChannelReader.listen(path, capacity=8) as second:
            seqs = [int.from_bytes(bytes(item.data), "big") async for item in second]
        await writing
        start = seqs[0]
        assert seqs == list(range(start, 100)), "after the resume, every item in order"
        # The first reader confirmed 4 (one credit batch) of the items it was sent.
        assert resumed == [start - 4] and writer.lost == start - 4

    run(scenario())


def test_a_writer_that_is_not_resumable_fails_when_its_reader_goes(tmp_path: Path) -> None:
    path = str(tmp_path / "c.sock")

    async def scenario() -> None:
        reader = await ChannelReader.listen(path, capacity=2)
        writer = await ChannelWriter.connect(path)
        await writer.send(b"x")
        await reader.close()
        with pytest.raises(ConnectionError, match="the channel is gone"):
            for _ in range(10):
                await writer.send(b"x")
        assert writer.failure is not None

    run(scenario())
