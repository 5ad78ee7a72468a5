"""Workers the node tests run in real Python children."""
import os

import commbus


async def quote(request):
    """Answers a quote, with a spread from the Java callback handler the node loaded from its config."""
    if request.get("symbol") == "BAD":
        raise ValueError("cannot price BAD")
    spreads = [item async for item in commbus.test.Spread({"symbol": request.get("symbol", "ACME")})]
    spread = spreads[0]["spread"]
    return {"symbol": request.get("symbol", "ACME"), "bid": 100.0 - spread / 2, "ask": 100.0 + spread / 2,
            "pid": os.getpid(), "mode": os.environ.get("QUOTE_MODE")}


async def note(command):
    """Handles a command by publishing what it was told, so a test can see the command arrived."""
    await commbus.publish("test.Noted", command)
    return None



async def echo(request):
    """Answers with what it was asked, for the pool service tests."""
    return {"echo": request, "pid": os.getpid()}


async def count(request):
    """Answers with a stream, which a coordinator service cannot carry."""
    for i in range(request.get("n", 3)):
        yield {"i": i}
