"""External clients for the bench's ``clients`` suite: programs the node did not start.

They connect to the node's client endpoint with the SDK (``commbus.connect``), as a web app or
a worker on another host would, and are driven by the harness over stdin and stdout, never
over the bus, so the bus carries only what is measured. The token comes in the environment
(``COMMBUS_BENCH_TOKEN``), never on the command line.

``serve URL TYPE CONCURRENCY [CAFILE]``
    An attached worker: serves ``TYPE`` with ``echo`` (the same handler as ``sdk_handlers.echo``,
    which the pool child beside it runs), prints ``serving`` once the node routes requests
    here, and serves until stdin closes.

``publish``
    Reads ``run URL TYPE N WINDOW`` lines from stdin. For each it connects, publishes ``N``
    events of the bench's five-field body with ``WINDOW`` publishes in flight (each of WINDOW
    loops awaits its publish before the next), closes, and prints
    ``done N NANOS LAST_POSITION``: the time from the first publish to the last
    acknowledgement, connecting not included. Ends when stdin closes.

Exit status 0 when stdin closed, 1 (with a traceback on stderr) for anything else.
"""

import asyncio
import os
import sys
import time

import commbus

TOKEN = os.environ["COMMBUS_BENCH_TOKEN"]
#: The body the Java side's ``Payloads.request()`` sends.
BODY = {"orderId": "o-20240611-0042", "symbol": "ACME", "side": "BUY", "quantity": 10, "price": 101.25}


async def echo(payload):
    """Request/reply: answers with the request's body."""
    return payload


async def _stdin():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


def _say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def serve(url, type_, concurrency, cafile=None):
    stdin = await _stdin()
    async with commbus.connect(url, token=TOKEN, cafile=cafile, name="bench worker") as bus:
        await bus.serve(type_, echo, concurrency=concurrency)
        _say("serving")
        await stdin.read()  # until the harness closes our stdin


async def publish_runs():
    stdin = await _stdin()
    while line := (await stdin.readline()).decode().strip():
        verb, url, type_, n, window = line.split()
        if verb != "run":
            raise SystemExit(f"unknown command {line!r}")
        nanos, last = await _publish(url, type_, int(n), int(window))
        _say(f"done {n} {nanos} {last}")


async def _publish(url, type_, n, window):
    async with commbus.connect(url, token=TOKEN, name="bench publisher") as bus:
        remaining = n
        last = 0

        async def loop():
            nonlocal remaining, last
            while remaining > 0:
                remaining -= 1
                position = await bus.publish(type_, BODY)
                if position > last:
                    last = position

        start = time.perf_counter_ns()
        await asyncio.gather(*(loop() for _ in range(min(window, n))))
        return time.perf_counter_ns() - start, last


def main(argv):
    if argv[:1] == ["serve"] and len(argv) in (4, 5):
        asyncio.run(serve(argv[1], argv[2], int(argv[3]), argv[4] if len(argv) == 5 else None))
    elif argv == ["publish"]:
        asyncio.run(publish_runs())
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
