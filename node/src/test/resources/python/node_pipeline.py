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
