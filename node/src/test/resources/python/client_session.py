"""A client of a running node, for the node's tests:
``client_session.py URL TOKEN_FILE [TYPE [CAFILE]]``.

Connects (over TLS with CAFILE), serves TYPE (default ``clients.Echo``; answers
``{"echo": payload, "pid": ..., "host": $HOST_NAME}``), tries a publish, prints one JSON line
per step (``{"serving": ...}``, ``{"publish": position | error code}``), and serves until its
stdin closes.
"""
import asyncio
import json
import os
import sys

import commbus


async def main(url: str, token_file: str, type: str, cafile: str | None) -> None:
    async with commbus.connect(url, token_file=token_file, name="node-test", cafile=cafile) as bus:
        host = os.environ.get("HOST_NAME")
        await bus.serve(type, lambda payload: {"echo": payload, "pid": os.getpid(), "host": host})
        print(json.dumps({"serving": type, "client": bus.client_id}), flush=True)
        try:
            print(json.dumps({"publish": await bus.publish("clients.Said", {"hi": 1})}), flush=True)
        except commbus.CommBusError as e:
            print(json.dumps({"publish": e.code}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "clients.Echo",
                 sys.argv[4] if len(sys.argv) > 4 else None))
