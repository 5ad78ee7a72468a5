"""A client of a running node, for the node's tests: ``client_session.py URL TOKEN_FILE``.

Connects, serves ``clients.Echo`` (answers ``{"echo": payload, "pid": ...}``), tries a publish,
prints one JSON line per step (``{"serving": ...}``, ``{"publish": position | error code}``),
and serves until its stdin closes.
"""
import asyncio
import json
import os
import sys

import commbus


async def main(url: str, token_file: str) -> None:
    async with commbus.connect(url, token_file=token_file, name="node-test") as bus:
        await bus.serve("clients.Echo", lambda payload: {"echo": payload, "pid": os.getpid()})
        print(json.dumps({"serving": "clients.Echo", "client": bus.client_id}), flush=True)
        try:
            print(json.dumps({"publish": await bus.publish("clients.Said", {"hi": 1})}), flush=True)
        except commbus.CommBusError as e:
            print(json.dumps({"publish": e.code}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


asyncio.run(main(sys.argv[1], sys.argv[2]))
