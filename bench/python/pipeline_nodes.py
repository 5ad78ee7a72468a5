"""The pipeline benchmark's nodes, run by the SDK in a session (commbus.pipeline): a source of
pre-built frames, a relay, and a sink that reports its tally on its open output. Their plain
twins, with no commbus at all, are in pipe_baseline.py; what both do around the channel is
pipe_workload's.

    frames  source, config {"frames": n, "size": bytes, "rate": per second, 0 for as fast as credit allows}
    relay   passes every frame on as it came (its data and its ts)
    tally   sink, config {"latencies": bool}: yields one JSON report when its input ends
"""

import asyncio
import time

from commbus.channels import Item

import pipe_workload


async def frames(config):
    count = config["frames"]
    ring = pipe_workload.ring(config["size"])
    pace = pipe_workload.Pace(config.get("rate", 0))
    if not pace.interval:
        for i in range(count):
            yield ring[i % len(ring)]
        return
    for i in range(count):
        delay = pace.delay(i)
        if delay:
            await asyncio.sleep(delay)
        yield Item(ring[i % len(ring)], -1, time.time())


async def relay(frames, config):
    async for frame in frames:
        yield frame


async def tally(frames, config):
    counted = pipe_workload.Tally(latencies=config.get("latencies", False))
    async for frame in frames:
        counted.arrived(frame.ts)
    yield counted.report()
