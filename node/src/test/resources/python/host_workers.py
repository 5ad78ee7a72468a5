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
