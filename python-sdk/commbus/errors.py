"""Errors as data: one exception class per bus error code.

The codes are the bus's stable names (see ``ErrorCode`` on the Java side). They cross the
socket in ``err`` frames, so a Python caller can catch ``commbus.errors.Timeout`` for a
timeout that happened on another node, and a Python handler can raise ``Rejected`` to answer
with that code instead of ``HANDLER_FAILED``.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "CommBusError",
    "NoHandler",
    "Timeout",
    "HandlerFailed",
    "Rejected",
    "Overloaded",
    "Codec",
    "ProtocolError",
    "ChildExited",
    "DuplicateHandler",
    "Cancelled",
    "InvalidMessage",
    "Unavailable",
    "Storage",
    "Internal",
    "error_from",
    "error_class",
]


class CommBusError(Exception):
    """A failed bus operation, carrying its stable ``code``.

    ``remote_type`` and ``remote_traceback`` are set when the failure happened in another
    process (a Java handler's exception class, a Python handler's traceback); they are
    ``None`` for failures raised locally.
    """

    #: The code a class stands for; an instance may carry another (see ``error_from``).
    CODE: ClassVar[str] = "INTERNAL"

    code: str
    message: str
    remote_type: str | None
    remote_traceback: str | None

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        remote_type: str | None = None,
        remote_traceback: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code if code is not None else self.CODE
        self.message = message
        self.remote_type = remote_type
        self.remote_traceback = remote_traceback

    def __str__(self) -> str:
        if self.remote_type and self.remote_type not in self.message:
            return f"{self.code}: {self.message} ({self.remote_type})"
        return f"{self.code}: {self.message}" if self.message else self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor arguments do not survive the default exception pickling.
        return (error_from, (self.code, self.message, self.remote_type, self.remote_traceback))


class NoHandler(CommBusError):
    """Nobody handles the message type."""

    CODE = "NO_HANDLER"


class Timeout(CommBusError):
    """The deadline passed before a reply arrived."""

    CODE = "TIMEOUT"


class HandlerFailed(CommBusError):
    """The handler raised; ``remote_type`` names the exception's class."""

    CODE = "HANDLER_FAILED"


class Rejected(CommBusError):
    """Middleware (or the handler) refused the message."""

    CODE = "REJECTED"


class Overloaded(CommBusError):
    """A limit was reached: load, a buffer, a queue."""

    CODE = "OVERLOADED"


class Codec(CommBusError):
    """A body could not be encoded or decoded (not JSON-serialisable, larger than a frame)."""

    CODE = "CODEC"


class ProtocolError(CommBusError):
    """A peer broke the wire protocol; the connection cannot be trusted any more."""

    CODE = "PROTOCOL"


class ChildExited(CommBusError):
    """A child process exited while serving the call."""

    CODE = "CHILD_EXITED"


class DuplicateHandler(CommBusError):
    """A handler is already registered for this type."""

    CODE = "DUPLICATE_HANDLER"


class Cancelled(CommBusError):
    """The exchange was cancelled by its consumer."""

    CODE = "CANCELLED"


class InvalidMessage(CommBusError):
    """The message cannot be sent as asked (wrong category, missing type, ...)."""

    CODE = "INVALID_MESSAGE"


class Unavailable(CommBusError):
    """The service exists but cannot serve now (unhealthy, shutting down, disconnected)."""

    CODE = "UNAVAILABLE"


class Storage(CommBusError):
    """The journal could not store or read events."""

    CODE = "STORAGE"


class Internal(CommBusError):
    """An error without a more precise code, including codes this SDK does not know."""

    CODE = "INTERNAL"


_BY_CODE: dict[str, type[CommBusError]] = {
    cls.CODE: cls
    for cls in (
        NoHandler,
        Timeout,
        HandlerFailed,
        Rejected,
        Overloaded,
        Codec,
        ProtocolError,
        ChildExited,
        DuplicateHandler,
        Cancelled,
        InvalidMessage,
        Unavailable,
        Storage,
        Internal,
    )
}


def error_class(code: str | None) -> type[CommBusError]:
    """The class for ``code``; ``Internal`` for a code this version does not know."""
    if code is None:
        return Internal
    return _BY_CODE.get(code, Internal)


def error_from(
    code: str | None,
    message: str | None,
    etype: str | None = None,
    traceback: str | None = None,
) -> CommBusError:
    """Builds the exception an ``err`` frame stands for.

    A code this version does not know becomes ``Internal`` (code ``INTERNAL``), as the
    protocol asks; its original name is kept at the front of the message so it is not lost.
    """
    cls = error_class(code)
    text = message or ""
    if cls is Internal and code not in (None, "INTERNAL"):
        text = f"[{code}] {text}" if text else f"[{code}]"
    return cls(text, remote_type=etype, remote_traceback=traceback)
