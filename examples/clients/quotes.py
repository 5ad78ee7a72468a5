"""A program the node did not start, using the example node's bus.

Start the example node, then run this with the socket and token file its ready lines print:

    ./commbus node --config examples/node/node.yaml
    # clients connect at unix:///tmp/cb-3k2x9q1a/bus.sock
    # client token (may do everything): /tmp/cb-3k2x9q1a/token
    PYTHONPATH=python-sdk python3 examples/clients/quotes.py unix:///tmp/cb-3k2x9q1a/bus.sock /tmp/cb-3k2x9q1a/token

It asks the pricing pool for three quotes, reads back the pricing.Quoted events those quotes
published (from the journal, then live), and serves examples.Greeting for as long as it runs.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import commbus

SYMBOLS = ("ACME", "INITECH", "UMBRELLA")


async def main(url: str, token_file: str) -> None:
    async with commbus.connect(url, token_file=token_file, name="quotes example") as bus:
        print(f"connected as {bus.client_id}")
        # A marker event: its journal position is where this run's quotes begin.
        mark = await bus.publish("examples.QuotesAsked", {"symbols": list(SYMBOLS)})
        for symbol in SYMBOLS:
            quote = await bus.query("pricing.Quote", {"symbol": symbol}, timeout=5)
            print(f"{symbol}: bid {quote['bid']} ask {quote['ask']}")

        # Every quote the pool gave is an event in the journal: read this run's back.
        seen: asyncio.Queue[Any] = asyncio.Queue()
        async with bus.subscribe_from("pricing.Quoted", mark, seen.put):
            for _ in SYMBOLS:
                event = await asyncio.wait_for(seen.get(), 10)
                print(f"journaled: {event['symbol']}")

        async def greet(request: Any) -> Any:
            return {"greeting": f"hello, {request.get('name', 'stranger')}, from a client of the node"}

        await bus.serve("examples.Greeting", greet)
        print("serving examples.Greeting (try: ./commbus query examples.Greeting '{\"name\": \"you\"}'); Ctrl-C stops",
              flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1], sys.argv[2]))
    except KeyboardInterrupt:
        pass
