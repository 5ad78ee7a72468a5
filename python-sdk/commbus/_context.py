"""What a handler knows about the request it serves, through a context variable.

Each request runs in its own asyncio task (and, for sync handlers, in a copy of that task's
context on a worker thread), so ``current_request()`` always answers for the request whose
code is running. Calls a handler makes read it to pass the trace and the deadline on.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

__all__ = ["RequestInfo", "current_request"]


class RequestInfo:
    """The request a handler is serving: its bus type, trace parent and deadline."""

    __slots__ = ("id", "type", "traceparent", "deadline_ms")

    def __init__(self, id: int, type: str, traceparent: str | None, deadline_ms: int | None) -> None:
        #: The exchange id the parent gave the request (unique per child connection).
        self.id = id
        #: The bus message type, e.g. ``"trading.Quote"``.
        self.type = type
        #: The caller's W3C ``traceparent``, or None.
        self.traceparent = traceparent
        #: The deadline in milliseconds since the Unix epoch, as it crossed the wire, or None.
        self.deadline_ms = deadline_ms

    @property
    def deadline(self) -> float | None:
        """The deadline as Unix epoch seconds (``time.time()`` scale), or None."""
        return None if self.deadline_ms is None else self.deadline_ms / 1000.0

    def remaining(self) -> float | None:
        """Seconds left until the deadline (negative once it passed), or None without one."""
        return None if self.deadline_ms is None else self.deadline_ms / 1000.0 - time.time()

    def __repr__(self) -> str:
        return (
            f"RequestInfo(id={self.id}, type={self.type!r}, traceparent={self.traceparent!r}, "
            f"deadline={self.deadline!r})"
        )


_current: ContextVar[RequestInfo | None] = ContextVar("commbus_current_request", default=None)


def current_request() -> RequestInfo | None:
    """The request the calling handler serves, or None outside a request handler."""
    return _current.get()
