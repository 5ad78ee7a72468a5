"""Worker functions the SDK's tests run under the real Java parent."""
import asyncio

import commbus


def sync_double(payload):
    return {"doubled": payload["x"] * 2}


async def async_double(payload):
    await asyncio.sleep(0)
    return {"doubled": payload["x"] * 2}


async def ticks(payload):
    for i in range(payload["n"]):
        yield {"i": i}


def reverse_bytes(payload):
    assert isinstance(payload, (bytes, memoryview)), type(payload)
    return bytes(reversed(bytes(payload)))


def explode(payload):
    raise KeyError("missing field " + payload.get("field", "?"))


async def sized(payload):
    return {"blob": "x" * payload["size"]}


async def callbacks(payload):
    n = payload["n"]
    attr = [item["i"] async for item in commbus.test.Numbers({"n": n})]
    handle = await commbus.callback_handle("test.Numbers", {"n": n})  # the awaited form
    by_path = [item["i"] async for item in handle]
    direct = [item["i"] async for item in commbus.callback_handle("test.Numbers", {"n": n})]
    return {"attr": attr, "by_path": by_path, "direct": direct, "paths": list(commbus.callback_paths())}


async def callback_failure(payload):
    seen = []
    try:
        async for item in commbus.test.Broken({}):
            seen.append(item)
    except commbus.errors.Rejected as e:
        return {"seen": seen, "code": e.code, "message": e.message}
    return {"seen": seen, "code": None}


async def callback_partial(payload):
    taken = 0
    async for _ in commbus.test.Numbers({"n": 100_000}):
        taken += 1
        if taken == payload["take"]:
            break
    return {"taken": taken}


async def unknown_namespace(payload):
    try:
        async for _ in commbus.nowhere.Thing({}):
            pass
    except commbus.errors.NoHandlerError as e:
        return {"error": str(e)}
    return {"error": None}


async def bus_calls(payload):
    answer = await commbus.query("test.Ask", {"what": "sell"}, timeout=5)
    many = [item["i"] async for item in commbus.query_stream("test.AskMany", {"n": 4})]
    await commbus.send("test.Do", {})
    position = await commbus.publish("test.Happened", {})
    try:
        await commbus.query("test.Nobody", {}, timeout=2)
        missing = None
    except commbus.errors.NoHandler as e:
        missing = e.code
    return {"answer": answer, "many": many, "position": position, "missing": missing}


async def request_info(payload):
    info = commbus.current_request()
    return {"type": info.type, "traceparent": info.traceparent, "has_deadline": info.deadline is not None}


async def served_by_child(payload):
    """Answers which kind of worker served it: the pool beside an attached client's worker."""
    return {"by": "child"}
