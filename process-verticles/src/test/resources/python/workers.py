"""Handlers the process-verticle tests run in real Python children."""
import asyncio
import os
import time

import commbus


def echo(payload):
    """A sync handler: runs in a thread, answers with what it got plus where it ran."""
    return {"echo": payload, "pid": os.getpid()}


async def async_echo(payload):
    await asyncio.sleep(0)
    return {"echo": payload, "pid": os.getpid()}


async def count(payload):
    """An async generator: a streamed reply of n items."""
    for i in range(payload["n"]):
        yield {"i": i}


async def count_fast(payload):
    for i in range(payload["n"]):
        yield i


def fail(payload):
    raise ValueError("bad order: " + str(payload.get("why")))


async def slow(payload):
    await asyncio.sleep(payload["seconds"])
    return {"slept": payload["seconds"]}


async def block(payload):
    # Blocks the child's event loop on purpose: the parent must find it hung.
    time.sleep(payload["seconds"])
    return {"blocked": payload["seconds"]}


def raw(payload):
    return bytes(reversed(bytes(payload)))


async def tracing(payload):
    return {"traceparent": commbus.current_request().traceparent}


async def callback_collect(payload):
    items = []
    async for item in commbus.test.Numbers({"n": payload["n"]}):
        items.append(item)
    return {"items": items}


async def callback_legacy(payload):
    stream = await commbus.callback_handle("test.Numbers", {"n": payload["n"]})
    return {"items": [item async for item in stream]}


async def callback_break(payload):
    taken = []
    async for item in commbus.test.Numbers({"n": payload["n"]}):
        taken.append(item)
        if len(taken) == payload["take"]:
            break
    return {"taken": len(taken)}


async def callback_error(payload):
    try:
        async for _ in commbus.test.Broken({}):
            pass
    except commbus.errors.CommBusError as e:
        return {"code": e.code, "message": str(e), "python_type": type(e).__name__}
    return {"code": None}


async def callback_slow_consumer(payload):
    seen = 0
    async for _ in commbus.test.Numbers({"n": payload["n"]}):
        seen += 1
        await asyncio.sleep(payload["pause"])
    return {"seen": seen}


async def callback_later(payload):
    """Calls a callback the pool never declared, whose handler the test registers only later."""
    return {"items": [item async for item in commbus.test.Later({"n": payload["n"]})]}


async def callback_remote(payload):
    return {"items": [item async for item in commbus.test.Remote({"n": payload["n"]})]}


async def bus_ops(payload):
    position = await commbus.publish("test.Happened", {"what": payload["what"]})
    await commbus.send("test.Do", {"what": payload["what"]})
    answer = await commbus.query("test.Ask", {"what": payload["what"]}, timeout=5)
    streamed = [item async for item in commbus.query_stream("test.AskMany", {"n": 3}, timeout=5)]
    return {"position": position, "answer": answer, "streamed": streamed}


async def query_missing(payload):
    try:
        await commbus.query("test.Nobody", {}, timeout=2)
    except commbus.errors.NoHandler as e:
        return {"code": e.code}
    return {"code": None}


async def subscribe_some(payload):
    received = []
    done = asyncio.Event()

    def on_event(event):
        received.append(event)
        if len(received) == payload["n"]:
            done.set()

    async with commbus.subscribe("test.Tick", on_event):
        await commbus.publish("test.Subscribed", {})
        await asyncio.wait_for(done.wait(), 10)
    return {"received": received}


def spawn_grandchild(payload):
    """Starts a long-lived grandchild and leaves it running: stopping the pool must end it too."""
    import subprocess
    grandchild = subprocess.Popen(["sleep", "300"])
    return {"grandchild": grandchild.pid}


def chatty(payload):
    import sys
    print("hello from python", flush=True)
    print("warning from python", file=sys.stderr, flush=True)
    return {"printed": 2}


async def echo_or_hang_up(payload):
    """Answers with its pid; told to, it later shuts its socket down and lingers as it exits.

    The hang-up waits for the test's go-ahead file, so nothing is in flight on this child when
    its connection goes, and it writes a done file once the socket is shut.
    """
    if "hang_up" in payload:
        asyncio.get_running_loop().create_task(_hang_up(payload["hang_up"]))
    return {"pid": os.getpid()}


async def _hang_up(files):
    import atexit
    import socket

    while not os.path.exists(files["go"]):
        await asyncio.sleep(0.01)
    # Exits slowly: the parent has to decide what to do with it meanwhile.
    atexit.register(time.sleep, 60)
    transport = commbus._runtime.current().conn._transport
    with socket.socket(fileno=os.dup(transport.get_extra_info("socket").fileno())) as sock:
        sock.shutdown(socket.SHUT_RDWR)
    open(files["done"], "w").close()


async def frame_limits(payload):
    """For the frame-limit tests: sleeps, takes a callback stream of sized items, or queries the
    bus for a sized answer; reports what arrived and the code of the error that ended it."""
    what = payload.get("do")
    if what == "sleep":
        await asyncio.sleep(payload["seconds"])
        return {"pid": os.getpid()}
    received = []
    code = None
    try:
        if what == "callback":
            async for item in commbus.test.Sized({"sizes": payload["sizes"]}):
                received.append(len(item["blob"]))
        elif what == "query":
            answer = await commbus.query("test.Big", {"size": payload["size"]}, timeout=5)
            received.append(len(answer["blob"]))
    except commbus.errors.CommBusError as e:
        code = e.code
    return {"pid": os.getpid(), "received": received, "code": code}
