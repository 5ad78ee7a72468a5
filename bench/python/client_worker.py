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

``query URL TYPE``
    A client asking the node: connects, prints ``ready``, then reads ``run N WINDOW`` lines from
    stdin. For each it queries ``TYPE`` ``N`` times with the bench's five-field body, ``WINDOW``
    in flight (each of WINDOW loops awaits its ``bus.query`` before the next), checks every
    reply is that body, and prints ``done N NANOS``: the time from the first query to the last
    reply. Ends when stdin closes.

``grpc TARGET METHOD``
    The same runs through gRPC, the ``query`` row's baseline: grpcio's asyncio API
    (``grpc.aio``), one channel to ``TARGET`` (``unix:/path``), ``METHOD`` a generic unary-unary
    method on raw bytes (no serializers). Each call sends the body's JSON bytes, encoded per
    call, and decodes and checks the reply, as the SDK does for a query. Prints
    ``ready grpcio VERSION`` once the channel is ready. Only this mode imports ``grpc``.

Exit status 0 when stdin closed, 1 (with a traceback on stderr) for anything else.
"""

import asyncio
import json
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


async def query_runs(url, type_):
    async with commbus.connect(url, token=TOKEN, name="bench querier") as bus:

        async def call():
            reply = await bus.query(type_, BODY)
            if reply != BODY:
                raise RuntimeError(f"{type_} answered {reply!r}")

        await _runs(call, "ready")


async def grpc_runs(target, method):
    import grpc  # Debian's python3-grpcio; only this baseline needs it

    encode = json.JSONEncoder(separators=(",", ":")).encode  # compact, as the SDK encodes bodies
    async with grpc.aio.insecure_channel(target) as channel:
        echo = channel.unary_unary(method)  # no serializers: bytes in, bytes out
        await asyncio.wait_for(channel.channel_ready(), 10)

        async def call():
            reply = json.loads(await echo(encode(BODY).encode()))
            if reply != BODY:
                raise RuntimeError(f"{method} answered {reply!r}")

        await _runs(call, f"ready grpcio {grpc.__version__}")


async def _runs(call, ready):
    """Says ``ready``, then serves the harness's ``run N WINDOW`` lines with ``call``."""
    stdin = await _stdin()
    _say(ready)
    while line := (await stdin.readline()).decode().strip():
        verb, n, window = line.split()
        if verb != "run":
            raise SystemExit(f"unknown command {line!r}")
        nanos = await _windowed(call, int(n), int(window))
        _say(f"done {n} {nanos}")


async def _windowed(call, n, window):
    """``n`` calls, ``window`` loops each awaiting its call before the next; nanoseconds taken."""
    remaining = n

    async def loop():
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    start = time.perf_counter_ns()
    await asyncio.gather(*(loop() for _ in range(min(window, n))))
    return time.perf_counter_ns() - start


def main(argv):
    if argv[:1] == ["serve"] and len(argv) in (4, 5):
        asyncio.run(serve(argv[1], argv[2], int(argv[3]), argv[4] if len(argv) == 5 else None))
    elif argv == ["publish"]:
        asyncio.run(publish_runs())
    elif argv[:1] == ["query"] and len(argv) == 3:
        asyncio.run(query_runs(argv[1], argv[2]))
    elif argv[:1] == ["grpc"] and len(argv) == 3:
        asyncio.run(grpc_runs(argv[1], argv[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
