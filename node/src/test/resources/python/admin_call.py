"""Calls a node's admin API from inside a test host, whose loopback only the node's admin API is on.

    admin_call.py BASE METHOD PATH [--token-file FILE] [--body JSON] [--repeat N]
                  [--until FIELD>=NUMBER|FIELD<=NUMBER --within SECONDS]

Prints one JSON line per call: {"status": ..., "ms": ..., "body": ...}, the body parsed when it
is JSON. In --body, "$i" stands for the call's number (0, 1, ...). Repeated calls share one
keep-alive connection, so "ms" is the call itself. --until repeats the call every 0.1 s until the
dotted FIELD of the reply is at least (>=) or at most (<=) NUMBER (exit 1 when it is not within
SECONDS), and prints the last reply only. --token-file sends the file's token as a bearer token.
"""
from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
import urllib.parse
from typing import Any


def field(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(body, dict):
            return None
        body = body.get(part)
    return body


def call(connection: http.client.HTTPConnection, method: str, path: str, body: str | None,
         token: str | None) -> dict[str, Any]:
    headers = {"content-type": "application/json"} if body is not None else {}
    if token is not None:
        headers["authorization"] = "Bearer " + token
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8")
    elapsed = (time.perf_counter() - started) * 1000
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = text
    return {"status": response.status, "ms": round(elapsed, 3), "body": parsed}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("method")
    parser.add_argument("path")
    parser.add_argument("--body")
    parser.add_argument("--token-file")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--until")
    parser.add_argument("--within", type=float, default=30.0)
    args = parser.parse_args()
    token = None
    if args.token_file:
        with open(args.token_file, encoding="ascii") as source:
            token = source.read().strip()
    url = urllib.parse.urlsplit(args.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    if args.until:
        at_most = "<=" in args.until
        name, _, bound = args.until.partition("<=" if at_most else ">=")
        deadline = time.monotonic() + args.within
        while True:
            try:
                reply = call(connection, args.method, args.path, args.body, token)
            except OSError as exc:  # the node may not listen yet
                reply = {"status": 0, "ms": 0, "body": str(exc)}
                connection.close()
            value = field(reply["body"], name)
            if isinstance(value, (int, float)) and (value <= float(bound) if at_most else value >= float(bound)):
                print(json.dumps(reply), flush=True)
                return 0
            if time.monotonic() > deadline:
                print(json.dumps(reply), flush=True)
                return 1
            time.sleep(0.1)
    for i in range(args.repeat):
        body = args.body.replace("$i", str(i)) if args.body is not None else None
        print(json.dumps(call(connection, args.method, args.path, body, token)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
