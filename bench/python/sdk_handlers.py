"""Entry functions of the process benchmark's SDK children (``python -m commbus.child``).

Each one is the plainest way to write its job with the SDK, so a row measures what a user's
handler of that shape costs. The minimal children beside them (``echo_child.py``,
``protocol_child.py``) do the same jobs on the bare protocol.
"""

import os
import time

import commbus

# The scale-up row's module is slow to import, as one that loads numpy or a model is; others are not.
time.sleep(float(os.environ.get("BENCH_IMPORT_SECONDS", "0")))


async def echo(payload):
    """Request/reply: answers with the request's body."""
    return payload


async def consume_items(payload):
    """Java to Python: takes ``n`` items from the ``bench.Items`` callback, one at a time."""
    count = 0
    async for _ in commbus.bench.Items({"n": payload["n"]}):
        count += 1
    return {"count": count}


async def produce_items(payload):
    """Python to Java: yields ``n`` small items."""
    for i in range(payload["n"]):
        yield {"i": i}


async def one_item_callbacks(payload):
    """``k`` callback round trips, one after another, each answered by one item."""
    k = payload["k"]
    for i in range(k):
        async for _ in commbus.bench.One({"i": i}):
            pass
    return {"count": k}
