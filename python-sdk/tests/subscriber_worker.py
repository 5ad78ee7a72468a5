"""An entry module that subscribes at import time (imported by the child process)."""

from __future__ import annotations

from typing import Any

import commbus


async def on_event(payload: Any) -> None:
    if payload == "boom":
        raise RuntimeError("subscriber failed")
    await commbus.send("test.Seen", payload)


subscription = commbus.subscribe("test.Event", on_event)


async def handle(payload: Any) -> Any:
    return {"last_position": subscription.last_position, "failures": subscription.failures}
