"""Errors as data: one exception class per bus error code.

The codes are the bus's stable names (see ``ErrorCode`` on the Java side). They cross the
socket in ``err`` frames, so a Python caller can catch ``commbus.errors.Timeout`` for a
timeout that happened on another node, and a Python handler can raise ``RejectedError`` to
answer with that code instead of ``HANDLER_FAILED``.

The documented names end in ``Error`` (``NoHandlerError``, ``RejectedError``, ...), except
two that would shadow a name the handler's own code meets: ``Timeout``, which is also a
builtin ``TimeoutError`` (``except TimeoutError`` catches it, like asyncio's timeouts), and
``Cancelled``, which is the bus's ``CANCELLED``, not asyncio's ``CancelledError``. The short
names of earlier versions (``NoHandler``, ``Rejected``, ``Codec``, ...) stay as aliases:
the same class objects.
"""

from __future__ import annotations

import builtins
from typing import Any, ClassVar

__all__ = [
    "CommBusError",
    "NoHandlerError",
    "Timeout",
    "HandlerFailedError",
    "RejectedError",
    "ForbiddenError",
    "StartFailedError",
    "InitTimeoutError",
    "NodeCrashedError",
    "ResourceLimitError",
    "PipelineTerminatedError",
    "SessionNotFoundError",
    "OverloadedError",
    "CodecError",
    "ProtocolError",
    "ChildExitedError",
    "DuplicateHandlerError",
    "Cancelled",
    "InvalidMessageError",
    "UnavailableError",
    "StorageError",
    "NodeLeftError",
    "InternalError",
    "error_from",
    "error_class",
    # the short names, aliases of the classes above
    "NoHandler",
    "HandlerFailed",
    "Rejected",
    "Overloaded",
    "Codec",
    "ChildExited",
    "DuplicateHandler",
    "InvalidMessage",
    "Unavailable",
    "Storage",
    "NodeLeft",
    "Internal",
]


class CommBusError(Exception):
    """A failed bus operation, carrying its stable ``code``.

    ``remote_type`` and ``remote_traceback`` are set when the failure happened in another
    process (a Java handler's exception class, a Python handler's traceback); they are
    ``None`` for failures raised locally. ``operation`` and ``message_type`` say which call
    of this child failed (``"query"`` and ``"trading.Quote"``, ``"callback"`` and
    ``"market.MarketData"``); they are ``None`` for errors that answer no call of its own.
    """

    #: The code a class stands for; an instance may carry another (see ``error_from``).
    CODE: ClassVar[str] = "INTERNAL"

    code: str
    message: str
    remote_type: str | None
    remote_traceback: str | None
    operation: str | None
    message_type: str | None

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        remote_type: str | None = None,
        remote_traceback: str | None = None,
        operation: str | None = None,
        message_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code if code is not None else self.CODE
        self.message = message
        self.remote_type = remote_type
        self.remote_traceback = remote_traceback
        self.operation = operation
        self.message_type = message_type

    def __str__(self) -> str:
        if self.remote_type and self.remote_type not in self.message:
            return f"{self.code}: {self.message} ({self.remote_type})"
        return f"{self.code}: {self.message}" if self.message else self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor arguments do not survive the default exception pickling.
        return (
            _rebuild,
            (self.code, self.message, self.remote_type, self.remote_traceback, self.operation, self.message_type),
        )


class NoHandlerError(CommBusError):
    """Nobody handles the message type."""

    CODE = "NO_HANDLER"


class Timeout(CommBusError, builtins.TimeoutError):
    """The deadline passed before a reply arrived. Also a builtin ``TimeoutError``."""

    CODE = "TIMEOUT"


class HandlerFailedError(CommBusError):
    """The handler raised; ``remote_type`` names the exception's class."""

    CODE = "HANDLER_FAILED"


class RejectedError(CommBusError):
    """Middleware (or the handler) refused the message."""

    CODE = "REJECTED"


class OverloadedError(CommBusError):
    """A limit was reached: load, a buffer, a queue."""

    CODE = "OVERLOADED"


class CodecError(CommBusError):
    """A body could not be encoded or decoded (not JSON-serialisable, larger than a frame)."""

    CODE = "CODEC"


class ProtocolError(CommBusError):
    """A peer broke the wire protocol; the connection cannot be trusted any more."""

    CODE = "PROTOCOL"


class ChildExitedError(CommBusError):
    """A child process exited while serving the call."""

    CODE = "CHILD_EXITED"


class DuplicateHandlerError(CommBusError):
    """A handler is already registered for this type."""

    CODE = "DUPLICATE_HANDLER"


class Cancelled(CommBusError):
    """The exchange was cancelled by its consumer (not asyncio's ``CancelledError``)."""

    CODE = "CANCELLED"


class InvalidMessageError(CommBusError):
    """The message cannot be sent as asked (wrong category, missing type, ...)."""

    CODE = "INVALID_MESSAGE"


class UnavailableError(CommBusError):
    """The service exists but cannot serve now (unhealthy, shutting down, disconnected)."""

    CODE = "UNAVAILABLE"


class StorageError(CommBusError):
    """The journal could not store or read events."""

    CODE = "STORAGE"


class NodeLeftError(CommBusError):
    """The cluster member handling the call left the cluster first; retryable."""

    CODE = "NODE_LEFT"


class ForbiddenError(CommBusError, builtins.PermissionError):
    """The token this client connected with may not make this call (a verb it lacks, or a
    type outside its prefixes). The connection and its other calls go on. Also a builtin
    ``PermissionError``."""

    CODE = "FORBIDDEN"


class StartFailedError(CommBusError):
    """A child process could not be started: its entry module did not import, its function is
    missing, or it exited before it was ready. ``remote_type`` and ``remote_traceback`` are the
    import's, when that failed."""

    CODE = "START_FAILED"


class InitTimeoutError(CommBusError):
    """A pipeline session's node did not report ready within the spec's init timeout."""

    CODE = "INIT_TIMEOUT"


class NodeCrashedError(CommBusError):
    """A pipeline session's node failed while it started (its process exited, or its function
    did not import or raised); the message names the node."""

    CODE = "NODE_CRASHED"


class ResourceLimitError(CommBusError):
    """A configured limit would be passed: sessions on the node, or processes in one session."""

    CODE = "RESOURCE_LIMIT"


class PipelineTerminatedError(CommBusError):
    """A pipeline session ended because one of its nodes failed; the message names the node
    and the cause."""

    CODE = "PIPELINE_TERMINATED"


class SessionNotFoundError(CommBusError, builtins.LookupError):
    """No pipeline session of that id runs on the node. Also a builtin ``LookupError``."""

    CODE = "SESSION_NOT_FOUND"


class InternalError(CommBusError):
    """An error without a more precise code, including codes this SDK does not know."""

    CODE = "INTERNAL"


NoHandler = NoHandlerError
HandlerFailed = HandlerFailedError
Rejected = RejectedError
Overloaded = OverloadedError
Codec = CodecError
ChildExited = ChildExitedError
DuplicateHandler = DuplicateHandlerError
InvalidMessage = InvalidMessageError
Unavailable = UnavailableError
Storage = StorageError
NodeLeft = NodeLeftError
Internal = InternalError

_BY_CODE: dict[str, type[CommBusError]] = {
    cls.CODE: cls
    for cls in (
        NoHandlerError,
        Timeout,
        HandlerFailedError,
        RejectedError,
        OverloadedError,
        CodecError,
        ProtocolError,
        ChildExitedError,
        DuplicateHandlerError,
        Cancelled,
        InvalidMessageError,
        UnavailableError,
        StorageError,
        NodeLeftError,
        ForbiddenError,
        StartFailedError,
        InitTimeoutError,
        NodeCrashedError,
        ResourceLimitError,
        PipelineTerminatedError,
        SessionNotFoundError,
        InternalError,
    )
}


def error_class(code: str | None) -> type[CommBusError]:
    """The class for ``code``; ``InternalError`` for a code this version does not know."""
    if code is None:
        return InternalError
    return _BY_CODE.get(code, InternalError)


def error_from(
    code: str | None,
    message: str | None,
    etype: str | None = None,
    traceback: str | None = None,
    *,
    operation: str | None = None,
    message_type: str | None = None,
) -> CommBusError:
    """Builds the exception an ``err`` frame stands for.

    A code this version does not know becomes ``InternalError`` (code ``INTERNAL``), as the
    protocol asks; its original name is kept at the front of the message so it is not lost.
    """
    cls = error_class(code)
    text = message or ""
    if cls is InternalError and code not in (None, "INTERNAL"):
        text = f"[{code}] {text}" if text else f"[{code}]"
    return cls(text, remote_type=etype, remote_traceback=traceback, operation=operation, message_type=message_type)


def _rebuild(
    code: str,
    message: str,
    remote_type: str | None,
    remote_traceback: str | None,
    operation: str | None = None,
    message_type: str | None = None,
) -> CommBusError:
    """Unpickles an error: its class from its code, every field as it was."""
    return error_class(code)(
        message,
        code=code,
        remote_type=remote_type,
        remote_traceback=remote_traceback,
        operation=operation,
        message_type=message_type,
    )
