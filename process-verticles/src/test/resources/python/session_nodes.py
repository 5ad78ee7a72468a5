"""Pipeline nodes for the sessions' tests: 640-byte frames numbered in their first four bytes."""

import asyncio
import os
import struct

import commbus
import time

FRAME = 640


def frame(i: int) -> bytes:
    head = struct.pack(">I", i)
    return head + bytes((i * 7 + k) % 251 for k in range(FRAME - len(head)))


def number(data: bytes) -> int:
    return struct.unpack(">I", bytes(data[:4]))[0]


async def tone(config):
    """A source of config["frames"] frames, one each config["interval"] seconds (default: as fast as it may)."""
    interval = config.get("interval", 0)
    for i in range(config["frames"]):
        yield frame(i)
        if interval:
            await asyncio.sleep(interval)


async def gate(frames, config):
    """Passes every frame on; fails (fail_at), exits its process (crash_at, crash_on_first) or dawdles (delay)."""
    async for item in frames:
        i = number(item.data)
        if config.get("crash_on_first"):
            os._exit(9)
        if i == config.get("fail_at"):
            raise ValueError(f"cannot gate frame {i}")
        if i == config.get("crash_at"):
            os._exit(7)
        if config.get("delay"):
            await asyncio.sleep(config["delay"])
        yield item
    if config.get("crash_at_end"):
        # Dies once the session knows its writer finished: it asks the session itself.
        session = config["crash_at_end"]
        while True:
            status = await commbus.query(f"commbus.session.{session}.status")
            if any(n["id"] == config["writer"] and n["state"] == "finished" for n in status["nodes"]):
                os._exit(8)
            await asyncio.sleep(0.01)


async def count(frames, config):
    """A sink: checks the numbers arrive in order, each frame intact."""
    expected = 0
    async for item in frames:
        if bytes(item.data) != frame(expected):
            raise AssertionError(f"frame {expected} arrived as {number(item.data)}, or not intact")
        expected += 1
    if expected != config["frames"]:
        raise AssertionError(f"{expected} frames arrived, not {config['frames']}")


async def forever(config):
    """A source that never ends until it is cancelled."""
    i = 0
    while True:
        yield frame(i)
        i += 1
        await asyncio.sleep(0.01)
