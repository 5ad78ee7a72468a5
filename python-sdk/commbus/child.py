"""``python -m commbus.child``: the process a process verticle starts.

It connects to the parent's socket, introduces itself (``hello``), learns its entry point
from ``welcome``, imports it, reports the handler's kind (``ready``) and serves requests
until the parent says ``bye`` or closes the connection.

Exit statuses (docs/protocol.md): 0 clean exit after ``bye`` or after the parent closed the
connection; 2 bad environment (``COMMBUS_SOCKET`` or ``COMMBUS_TOKEN`` missing, or the
socket cannot be reached); 3 protocol error, or the handshake was refused; 4 the entry
module or function could not be loaded.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import platform
import signal
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, Final

from . import _runtime
from ._connection import Connection
from ._handlers import detect_kind, format_traceback, type_name
from ._logbridge import LogBridge
from ._protocol import VERSION, ExitStatus, FailReason, Key, fail_header, hello_header, ready_header
from ._session import ConnectionClosed, HandshakeRefused, Session
from .errors import ProtocolError

__all__ = ["main", "run", "load_entry", "EXIT_CLEAN", "EXIT_ENVIRONMENT", "EXIT_PROTOCOL", "EXIT_IMPORT"]

# The exit statuses under the names of earlier versions (see _protocol.ExitStatus).
EXIT_CLEAN: Final = ExitStatus.CLEAN
EXIT_ENVIRONMENT: Final = ExitStatus.ENVIRONMENT
EXIT_PROTOCOL: Final = ExitStatus.PROTOCOL
EXIT_IMPORT: Final = ExitStatus.IMPORT

PROTOCOL_VERSION: Final = VERSION

# How long leftover worker threads (sync handlers still running) may delay the exit.
_THREAD_EXIT_WAIT = 1.0


class EntryError(Exception):
    """The entry module or function could not be loaded; the message says which and why."""


def load_entry(module_name: str, function_name: str) -> Callable[..., Any]:
    """Imports ``module_name`` and returns its attribute ``function_name`` (dots reach into
    classes and objects, e.g. ``"Worker.handle"``)."""
    try:
        target: Any = importlib.import_module(module_name)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise EntryError(
            f"cannot import entry module {module_name!r}: {type_name(exc)}: {exc}{_missing_path_entries(exc)}"
        ) from exc
    for part in function_name.split("."):
        try:
            target = getattr(target, part)
        except AttributeError as exc:
            raise EntryError(f"entry module {module_name!r} has no function {function_name!r}") from exc
    if not callable(target):
        raise EntryError(f"entry {module_name}.{function_name} is a {type(target).__name__}, not a function")
    function: Callable[..., Any] = target
    return function


def _missing_path_entries(exc: BaseException) -> str:
    """For a module not found: the configured path entries (``PYTHONPATH``, which the node builds
    from ``pythonPath``) that do not exist, the usual cause; empty otherwise."""
    if not isinstance(exc, ModuleNotFoundError):
        return ""
    entries = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
    missing = [entry for entry in entries if not os.path.exists(entry)]
    if not missing:
        return ""
    return f" (these pythonPath entries do not exist: {', '.join(missing)})"


def _log(child_id: str, message: str) -> None:
    print(f"commbus child {child_id}: {message}", file=sys.stderr, flush=True)


async def run(socket_path: str, token: str, child_id: str) -> int:
    """Runs one child session to its end and returns the exit status."""
    loop = asyncio.get_running_loop()
    session = Session(child_id)
    try:
        await loop.create_unix_connection(lambda: session.conn, socket_path)
    except OSError as exc:
        _log(child_id, f"cannot connect to {socket_path}: {exc}")
        return EXIT_ENVIRONMENT
    try:
        return await _serve(session, token)
    finally:
        _runtime.uninstall(session)
        session.shutdown_executor()


async def _serve(session: Session, token: str) -> int:
    conn = session.conn
    conn.send_now(hello_header(token, os.getpid(), f"python {platform.python_version()}"))
    try:
        welcome = await session.welcome
    except HandshakeRefused as refused:
        session.log(f"the parent refused the handshake ({refused.reason}): {refused.message}")
        await conn.closed
        return EXIT_PROTOCOL
    except ProtocolError:
        return EXIT_PROTOCOL  # the session logged it
    except ConnectionClosed as closed:
        session.log(f"handshake failed: {closed}")
        return EXIT_PROTOCOL

    entry = welcome.header[Key.ENTRY]
    _runtime.install(session)
    # Before the import: what the entry module logs as it loads reaches the node too.
    bridge = LogBridge(conn, session.log_level)
    bridge.install()
    try:
        return await _start(session, conn, entry)
    finally:
        bridge.uninstall()


async def _start(session: Session, conn: Connection, entry: dict[str, str]) -> int:
    """Imports the entry point, says ``ready`` (or ``fail``) and serves until the session ends."""
    # The entry module may subscribe or call at import time; those frames wait until `ready`.
    conn.hold()
    try:
        function = load_entry(entry[Key.MODULE], entry[Key.FUNCTION])
    except EntryError as exc:
        conn.release(discard=True)
        cause = exc.__cause__ or exc
        trace = format_traceback(cause) if exc.__cause__ is not None else ""
        session.log(f"{exc}\n{trace}".rstrip())
        conn.send_now(fail_header(FailReason.IMPORT, str(exc), trace, type_name(cause)))
        session.close()
        await conn.closed
        return EXIT_IMPORT
    kind = detect_kind(function)
    session.start_serving(function, kind)
    conn.send_now(ready_header(kind))
    conn.release()
    return await session.exit_status


def _run_loop(main: Coroutine[Any, Any, int]) -> int:
    """Runs ``main`` on a fresh loop. Unlike ``asyncio.run`` it does not wait for the
    default executor's threads, which a stuck handler could keep busy forever."""
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        status = loop.run_until_complete(main)
        leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.wait(leftovers, timeout=_THREAD_EXIT_WAIT))
        loop.run_until_complete(loop.shutdown_asyncgens())
        return status
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def _busy_threads(deadline: float) -> list[threading.Thread]:
    """Non-daemon threads that are still running after waiting until ``deadline``."""
    busy = []
    for thread in threading.enumerate():
        if thread is threading.current_thread() or thread.daemon:
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            busy.append(thread)
    return busy


def main() -> int:
    """The entry point: reads the environment, runs the session, returns the exit status."""
    socket_path = os.environ.get("COMMBUS_SOCKET")
    token = os.environ.get("COMMBUS_TOKEN")
    child_id = os.environ.get("COMMBUS_CHILD_ID") or f"pid {os.getpid()}"
    missing = [name for name, value in (("COMMBUS_SOCKET", socket_path), ("COMMBUS_TOKEN", token)) if not value]
    if missing:
        _log(
            child_id,
            f"{' and '.join(missing)} not set; this program is started by a commbus process "
            "verticle, which sets COMMBUS_SOCKET, COMMBUS_TOKEN and COMMBUS_CHILD_ID",
        )
        return EXIT_ENVIRONMENT
    assert socket_path is not None and token is not None
    # The parent decides when this process ends (bye, then SIGTERM); a Ctrl-C meant for the
    # node must not kill its workers ahead of that orderly shutdown.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    status = _run_loop(run(socket_path, token, child_id))
    busy = _busy_threads(time.monotonic() + _THREAD_EXIT_WAIT)
    if busy:
        _log(child_id, f"{len(busy)} handler thread(s) still running; exiting without them")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


if __name__ == "__main__":
    sys.exit(main())
