"""Pipeline nodes and a worker that drives a session, for test_sessions.py."""

import asyncio

from commbus import sessions


async def relay(frames, config):
    """Passes every item on as it came, doubling JSON numbers if told to."""
    async for item in frames:
        if config.get("double") and isinstance(item.data, int):
            yield item.data * 2
        else:
            yield item


async def endless(config):
    i = 0
    while True:
        yield {"i": i}
        i += 1
        await asyncio.sleep(0.01)


async def drive(request):
    """A child's handler that runs a session of its own: feeds it numbers and returns what came out."""
    spec = {"name": "doubler", "nodes": [{"id": "relay", "python": "pipeline_workers:relay",
                                          "config": {"double": True}}]}
    async with await sessions.create(request["id"], spec) as session:
        async def feed():
            async with session.input("relay") as numbers:
                for n in range(request["n"]):
                    await numbers.send(n)

        feeding = asyncio.ensure_future(feed())
        out = [item.data async for item in session.output("relay")]
        await feeding
    return {"out": out}
