"""Where the public API finds the child's session.

One child process serves one connection, so the session is a process-wide value: set once
the parent has welcomed the child, cleared when the child stops. The API refuses to work
outside a child, and from threads other than the event loop's, with a message that says so.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._session import Session

__all__ = ["install", "uninstall", "require", "current"]

_session: Session | None = None


def install(session: Session) -> None:
    global _session
    _session = session


def uninstall(session: Session) -> None:
    global _session
    if _session is session:
        _session = None


def current() -> Session | None:
    """The running child's session, or None outside a child."""
    return _session


def require() -> Session:
    """The running child's session; a clear ``RuntimeError`` anywhere else."""
    session = _session
    if session is None:
        raise RuntimeError(
            "commbus: not running inside a commbus child process (the bus API works in code "
            "started by `python -m commbus.child` under a process verticle)"
        )
    if threading.get_ident() != session.thread_id:
        raise RuntimeError(
            "commbus: the bus API runs on the child's event loop, not on a worker thread; "
            "call it from an async handler (sync handlers run on worker threads)"
        )
    return session
