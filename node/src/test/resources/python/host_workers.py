"""Workers of the multi-host tests: a subscriber on each host that answers what it has seen."""
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
