"""Pipeline nodes for the node's session tests."""

import asyncio


async def relay(frames, config):
    async for item in frames:
        yield item


async def ticks(config):
    i = 0
    while True:
        yield {"tick": i}
        i += 1
        await asyncio.sleep(0.01)


async def numbers(config):
    """A source of config["n"] JSON numbers."""
    for i in range(config["n"]):
        yield {"n": i}


async def total(frames, config):
    """A sink that fails unless every number came, in order: the session completes only then."""
    expected = 0
    async for item in frames:
        if item.data != {"n": expected}:
            raise AssertionError(f"expected number {expected}, got {item.data}")
        expected += 1
    if expected != config["n"]:
        raise AssertionError(f"{expected} numbers came, not {config['n']}")
