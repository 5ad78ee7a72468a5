"""Workers of the multi-host tests: a subscriber on each host that answers what it has seen."""
import asyncio
import os

import commbus

_ticks: list = []
_warmups: list = []


async def _record(payload):
    # A coroutine runs on the event loop: the subscription records its position before `seen` can run again.
    (_warmups if "warmup" in payload else _ticks).append(payload)


# At import time: the subscription starts once the child is ready.
_subscription = commbus.subscribe("test.Tick", _record)


async def seen(request):
    """The test.Tick events this host's subscriber received, in order, and the last one's journal position."""
    return {"host": os.environ.get("HOST_NAME"), "ticks": [t["seq"] for t in _ticks], "count": len(_ticks),
            "warmups": len(_warmups), "lastPosition": _subscription.last_position}


async def stall(request):
    """Never answers: says it has the call (a file the test waits for), then waits until the node dies."""
    marker = os.environ["STALL_MARKER"]
    with open(marker, "w", encoding="utf-8") as out:
        out.write(str(os.getpid()))
    await asyncio.sleep(3600)
    return {}


async def tick_three(request):
    """Iterates host 3's test.Ticker callback and leaves after three ticks, so its cancel crosses the hosts."""
    ticks = []
    async for item in commbus.test.Ticker({}):
        ticks.append(item["tick"])
        if len(ticks) == 3:
            break
    return {"ticks": ticks}


_worked: list = []


async def work(request):
    """A consumer-group member: records each test.Work event; a request without "seq" asks what it recorded."""
    if "seq" in request:
        _worked.append(request["seq"])
        return {}
    return {"host": os.environ.get("HOST_NAME"), "seqs": list(_worked)}
