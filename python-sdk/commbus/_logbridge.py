"""A child's ``logging`` in the node's log.

``LogBridge`` is a ``logging.Handler`` on the root logger of a child. Each record becomes one
``log`` frame (level, logger name, message, traceback, the trace of the request it was logged
in) and one record in the node's log, under ``python.<logger name>`` and tagged with the child.
The root logger's level is set to the level the pool configured (``welcome``'s ``log``, INFO
unless set), so ``logging.info`` is no longer dropped by Python's default of WARNING. Plain
``print`` and whatever else reaches stdout and stderr are still captured line by line.

Records are sent from the event loop's thread; a record made on another thread (a sync
handler's, or one the program started) is handed to the loop. While the socket is full the
bridge drops records rather than grow, and the next record it sends says how many it dropped.
Once the connection is gone, records go to stderr, where the node captures them as lines.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Final

from ._connection import Connection
from ._context import _current
from ._protocol import LOG_LEVELS, MAX_LOG_TEXT, log_header

__all__ = ["LogBridge", "wire_level"]

# Highest first: a custom level (say 25) travels as the standard level below it.
_BY_NUMBER: Final = sorted(((number, name) for name, number in LOG_LEVELS.items()), reverse=True)
_FORMATTER: Final = logging.Formatter()


def wire_level(levelno: int) -> str:
    """The ``log`` frame's level for a record of ``levelno``."""
    for number, name in _BY_NUMBER:
        if levelno >= number:
            return name
    return "debug"


def _clip(text: str) -> str:
    if len(text) <= MAX_LOG_TEXT:
        return text
    return f"{text[:MAX_LOG_TEXT]}... ({len(text) - MAX_LOG_TEXT} more characters not sent)"


class LogBridge(logging.Handler):
    """Sends the records of ``logging`` to the parent; made on the connection's loop thread."""

    def __init__(self, conn: Connection, level: int) -> None:
        super().__init__(level)
        self._conn = conn
        self._loop = conn.loop
        self._loop_thread = threading.get_ident()
        self._dropped = 0

    def install(self) -> None:
        """Puts the bridge on the root logger and lets records of its level through."""
        root = logging.getLogger()
        root.addHandler(self)
        root.setLevel(self.level)

    def uninstall(self) -> None:
        logging.getLogger().removeHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = _clip(record.getMessage())
            traceback = None
            if record.exc_info:
                traceback = _FORMATTER.formatException(record.exc_info)
            elif record.exc_text:
                traceback = record.exc_text
            if record.stack_info:
                traceback = f"{traceback}\n{record.stack_info}" if traceback else record.stack_info
            request = _current.get()
            fields = (
                wire_level(record.levelno),
                record.name,
                message,
                None if traceback is None else _clip(traceback),
                None if request is None else request.traceparent,
            )
            if threading.get_ident() == self._loop_thread:
                self._send(*fields)
            else:
                try:
                    self._loop.call_soon_threadsafe(self._send, *fields)
                except RuntimeError:  # the loop is closed: the child is on its way out
                    self._to_stderr(*fields)
        except Exception:  # noqa: BLE001 - logging must never raise into the program
            self.handleError(record)

    def _send(self, level: str, logger: str, message: str, traceback: str | None, traceparent: str | None) -> None:
        conn = self._conn
        if not conn.is_open:
            self._to_stderr(level, logger, message, traceback, traceparent)
            return
        if conn.write_paused:
            self._dropped += 1
            return
        conn.send_now(log_header(level, logger, message, traceback, traceparent, self._dropped))
        self._dropped = 0

    @staticmethod
    def _to_stderr(level: str, logger: str, message: str, traceback: str | None, traceparent: str | None) -> None:
        line = f"{level.upper()} {logger}: {message}"
        sys.stderr.write(f"{line}\n{traceback.rstrip()}\n" if traceback else f"{line}\n")
        sys.stderr.flush()
