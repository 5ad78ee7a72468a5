"""The example node's worker: prices a quote request and publishes what it quoted."""
import os

import commbus

SPREAD = float(os.environ.get("PRICER_SPREAD", "0.25"))


async def quote(request):
    symbol = request.get("symbol", "ACME")
    mid = 100.0 + sum(map(ord, symbol)) % 50
    await commbus.publish("pricing.Quoted", {"symbol": symbol, "mid": mid})
    return {"symbol": symbol, "bid": mid - SPREAD / 2, "ask": mid + SPREAD / 2, "pid": os.getpid()}
