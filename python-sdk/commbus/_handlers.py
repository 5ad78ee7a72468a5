"""What the SDK needs to know of a handler: its kind, and how its failures read.

Used for the entry function (which the parent's requests call) and for subscription
handlers alike.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, Final

from ._protocol import HandlerKind

__all__ = ["detect_kind", "format_traceback", "log_failure", "type_name"]

# Tracebacks travel in a header; keep them well inside any sensible frame limit.
_MAX_TRACEBACK: Final = 64 * 1024


def detect_kind(function: Callable[..., Any]) -> HandlerKind:
    """How to run ``function``: an async generator streams, a coroutine function is awaited,
    anything else is called on a worker thread. A callable object counts by its
    ``__call__``."""
    candidates = [function]
    if not (inspect.isfunction(function) or inspect.ismethod(function)):
        call = getattr(type(function), "__call__", None)
        if call is not None:
            candidates.append(getattr(function, "__call__"))
    for candidate in candidates:
        if inspect.isasyncgenfunction(candidate):
            return HandlerKind.STREAM
        if inspect.iscoroutinefunction(candidate):
            return HandlerKind.ASYNC
    return HandlerKind.SYNC


def _package_dir(module_file: str) -> str:
    return os.path.dirname(os.path.abspath(module_file)) + os.sep


# Frames from these packages sit between the SDK's task and the handler; not worth showing.
_PLUMBING: Final = (
    _package_dir(__file__),
    _package_dir(asyncio.__file__),
    _package_dir(concurrent.futures.__file__),
)


def type_name(exc: BaseException) -> str:
    """The exception's qualified name as callers see it (``remoteType``): ``package.module.Class``,
    or the bare name of a builtin (``ValueError``), as a traceback's last line writes it."""
    cls = type(exc)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"


def format_traceback(exc: BaseException) -> str:
    """The traceback of a handler's exception, starting at the handler's own frames (the
    SDK's and asyncio's frames in front of them say nothing about the failure)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename.startswith(_PLUMBING):
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    if len(text) > _MAX_TRACEBACK:
        text = "...(traceback shortened)...\n" + text[-_MAX_TRACEBACK:]
    return text


def log_failure(what: str, exc: BaseException) -> None:
    """Writes a handler's failure that has no caller to go to onto the child's stderr (which
    the parent logs)."""
    print(f"commbus: {what}:\n{format_traceback(exc)}", file=sys.stderr, flush=True)
