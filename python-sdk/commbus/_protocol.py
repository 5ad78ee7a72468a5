"""The child protocol's vocabulary, in one place (docs/protocol.md; samples in protocol/frames/).

The version, the frame kinds, the header keys and their fixed values, the flow-control
rule, and a builder for the header of every frame this SDK sends. The other modules read
and write headers only through these names. The hot paths (answers, stream items, credit,
pong) send headers pre-formatted as bytes to fill in with ``%``; those bytes are derived
below from the same builders and the same header encoder, so each frame's layout is stated
once.

``frames`` knows how a frame lies in bytes (length prefix, body encodings, decoding); this
module knows what a header says.
"""

from __future__ import annotations

import enum
import json
import logging
from typing import Any, Final

from .errors import CodecError

__all__ = [
    "VERSION",
    "FrameKind",
    "FRAME_KINDS",
    "Key",
    "Body",
    "Op",
    "HandlerKind",
    "FailReason",
    "ExitStatus",
    "DEFAULT_MAX_FRAME",
    "MIN_MAX_FRAME",
    "MAX_LOG_TEXT",
    "LOG_LEVELS",
    "DEFAULT_WINDOW",
    "credit_batch",
    "encode_header",
]

#: The protocol version this SDK speaks (``v`` in ``hello`` and ``welcome``).
VERSION: Final = 1


class FrameKind:
    """The header's ``t``: every frame kind of version 1."""

    HELLO: Final = "hello"
    WELCOME: Final = "welcome"
    READY: Final = "ready"
    FAIL: Final = "fail"
    REQ: Final = "req"
    CALL: Final = "call"
    RES: Final = "res"
    ITEM: Final = "item"
    ITEMS: Final = "items"
    END: Final = "end"
    ERR: Final = "err"
    CREDIT: Final = "credit"
    CANCEL: Final = "cancel"
    PING: Final = "ping"
    PONG: Final = "pong"
    BYE: Final = "bye"
    LOG: Final = "log"


#: Every frame kind of version 1; anything else in ``t`` is a protocol error.
FRAME_KINDS: Final[frozenset[str]] = frozenset(
    value for name, value in vars(FrameKind).items() if name.isupper() and isinstance(value, str)
)


class Key:
    """Header keys. Short, because every frame carries its header."""

    KIND: Final = "t"
    ID: Final = "id"
    BODY: Final = "b"
    TRACEPARENT: Final = "tp"
    DEADLINE: Final = "dl"
    # req / call
    TYPE: Final = "type"
    OP: Final = "op"
    TIMEOUT: Final = "timeout"
    CREDIT: Final = "credit"
    # items, credit
    COUNT: Final = "n"
    # item of a subscription
    POSITION: Final = "pos"
    # err
    CODE: Final = "code"
    MESSAGE: Final = "message"
    ETYPE: Final = "etype"
    TRACEBACK: Final = "traceback"
    # handshake
    VERSION: Final = "v"
    TOKEN: Final = "token"
    PID: Final = "pid"
    RUNTIME: Final = "runtime"
    CHILD: Final = "child"
    ENTRY: Final = "entry"
    MODULE: Final = "module"
    FUNCTION: Final = "function"
    CALLBACKS: Final = "callbacks"
    MAX_FRAME: Final = "maxFrame"
    HANDLER_KIND: Final = "kind"
    REASON: Final = "reason"
    # handshake of a client, and its serve calls
    CLIENT: Final = "client"
    ALLOW: Final = "allow"
    PING_INTERVAL: Final = "ping"
    CONCURRENCY: Final = "concurrency"
    # publish: the event's id, chosen by the caller
    MESSAGE_ID: Final = "mid"
    # replay
    FROM: Final = "from"
    # group calls, and the req of a group's event
    TYPES: Final = "types"
    GROUP: Final = "group"
    # bye
    GRACE: Final = "grace"
    # item of a pipeline channel: its number on the channel, timestamp and content type
    SEQ: Final = "seq"
    TS: Final = "ts"
    CONTENT_TYPE: Final = "ct"
    # welcome to a child: the least level its logging sends; log frames
    LOG_LEVEL: Final = "log"
    LEVEL: Final = "level"
    LOGGER: Final = "logger"
    DROPPED: Final = "dropped"


class Body:
    """Values of ``b``, the body encoding; without ``b`` a frame has no body."""

    JSON: Final = "j"
    RAW: Final = "r"


class Op:
    """What a ``call`` asks the parent to do on the bus (its ``op``)."""

    CALLBACK: Final = "callback"
    QUERY: Final = "query"
    STREAM: Final = "stream"
    PUBLISH: Final = "publish"
    SEND: Final = "send"
    SUBSCRIBE: Final = "subscribe"
    #: Events of a type from a journal position on, then live, paced by credit.
    REPLAY: Final = "replay"
    #: Clients only: join a consumer group; its events come as ``req`` frames with ``group``.
    GROUP: Final = "group"
    #: Clients only: serve a type; the node sends ``req`` frames of it until the call is cancelled.
    SERVE: Final = "serve"


class HandlerKind(enum.StrEnum):
    """How the entry function runs, reported in ``ready``'s ``kind`` (its value); compare
    members with ``is``."""

    #: A plain function: runs on a worker thread.
    SYNC = "sync"
    #: A coroutine function: runs on the event loop.
    ASYNC = "async"
    #: An async generator function: its yields are a stream.
    STREAM = "stream"


class FailReason:
    """``reason`` of ``fail`` frames: the one this SDK sends, and those a node refuses a client with."""

    #: The entry module or function could not be loaded.
    IMPORT: Final = "import"
    #: The token was wrong, or missing.
    BAD_TOKEN: Final = "bad-token"
    #: The two sides speak different protocol versions.
    VERSION_MISMATCH: Final = "version-mismatch"
    #: No ``hello`` arrived in time.
    TIMEOUT: Final = "timeout"
    #: The node is at its connection limit.
    OVERLOADED: Final = "overloaded"
    #: The node is stopping.
    STOPPING: Final = "stopping"


class ExitStatus(enum.IntEnum):
    """The child's exit statuses (docs/protocol.md, "Exit statuses of the Python child")."""

    #: After ``bye``, or after the parent closed the connection.
    CLEAN = 0
    #: An internal error of the SDK itself.
    INTERNAL = 1
    #: ``COMMBUS_SOCKET`` or ``COMMBUS_TOKEN`` missing, or the socket cannot be reached.
    ENVIRONMENT = 2
    #: A protocol error, a refused handshake, or a connection closed before ``welcome``.
    PROTOCOL = 3
    #: The entry module or function could not be loaded.
    IMPORT = 4


#: The parent's default maximum for N (bytes after the length prefix); ``welcome`` may change it.
DEFAULT_MAX_FRAME: Final = 16 * 1024 * 1024
#: The most characters of a ``log`` frame's message, and again of its traceback.
MAX_LOG_TEXT: Final = 64 * 1024
#: The ``level`` of a ``log`` frame for each of ``logging``'s levels, and the ``log`` of ``welcome``.
LOG_LEVELS: Final[dict[str, int]] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}
#: The smallest ``maxFrame`` a ``welcome`` may announce: room for any header this SDK sends.
MIN_MAX_FRAME: Final = 64

#: Items a stream may have in flight before its producer waits for more credit (``credit``
#: of ``req`` and ``call`` when absent).
DEFAULT_WINDOW: Final = 256


def credit_batch(window: int) -> int:
    """The flow-control rule: a consumer grants credit again once it has taken half its
    window, and grants what it took. The producer then never waits while the consumer keeps
    up, and never has more than ``window`` items in flight."""
    return max(1, window // 2)


# Compact separators, since every frame carries a header; ASCII, so that a header's length
# in bytes is its length in characters. NaN and infinities are not JSON and the Java side
# would refuse them, so they fail here, where the error is still the caller's.
_encode_header = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


def encode_header(header: dict[str, Any]) -> bytes:
    """A header as it crosses the socket; raises ``CodecError`` for what JSON cannot carry."""
    try:
        return _encode_header(header).encode("ascii")
    except (TypeError, ValueError) as exc:
        raise CodecError(f"cannot encode frame header as JSON: {exc}") from exc


# ---- the headers this SDK sends
#
# ``b`` is not the builders' business: ``frames.frame_parts`` sets it to match the body.


def hello_header(token: str, pid: int, runtime: str) -> dict[str, Any]:
    return {Key.KIND: FrameKind.HELLO, Key.VERSION: VERSION, Key.TOKEN: token, Key.PID: pid, Key.RUNTIME: runtime}


def bye_header(grace_ms: int) -> dict[str, Any]:
    """A client's ``bye``: it is leaving; the node closes the connection."""
    return {Key.KIND: FrameKind.BYE, Key.GRACE: grace_ms}


def ready_header(kind: HandlerKind) -> dict[str, Any]:
    return {Key.KIND: FrameKind.READY, Key.HANDLER_KIND: kind.value}


def fail_header(reason: str, message: str, traceback: str | None = None, etype: str | None = None) -> dict[str, Any]:
    header: dict[str, Any] = {Key.KIND: FrameKind.FAIL, Key.REASON: reason, Key.MESSAGE: message}
    if etype:
        header[Key.ETYPE] = etype
    if traceback:
        header[Key.TRACEBACK] = traceback
    return header


def log_header(
    level: str,
    logger: str,
    message: str,
    traceback: str | None = None,
    traceparent: str | None = None,
    dropped: int = 0,
) -> dict[str, Any]:
    """A ``log`` frame: one record of the child's ``logging``, for the node's log."""
    header: dict[str, Any] = {Key.KIND: FrameKind.LOG, Key.LEVEL: level, Key.LOGGER: logger, Key.MESSAGE: message}
    if traceback:
        header[Key.TRACEBACK] = traceback
    if traceparent is not None:
        header[Key.TRACEPARENT] = traceparent
    if dropped:
        header[Key.DROPPED] = dropped
    return header


def call_header(
    call_id: int,
    op: str,
    type: str,
    timeout_ms: int | None = None,
    credit: int | None = None,
    traceparent: str | None = None,
    deadline_ms: int | None = None,
) -> dict[str, Any]:
    header: dict[str, Any] = {Key.KIND: FrameKind.CALL, Key.ID: call_id, Key.OP: op, Key.TYPE: type}
    if timeout_ms is not None:
        header[Key.TIMEOUT] = timeout_ms
    if credit is not None:
        header[Key.CREDIT] = credit
    if traceparent is not None:
        header[Key.TRACEPARENT] = traceparent
    if deadline_ms is not None:
        header[Key.DEADLINE] = deadline_ms
    return header


def call_head(
    call_id: int,
    op: str,
    type_json: str,
    timeout_ms: int | None,
    credit: int | None,
    traceparent: str | None,
    deadline_ms: int | None,
    body: str | None,
) -> bytes:
    """The encoded header ``call_header`` builds (with ``b``), written without a dict or an
    encoder: every call pays for its header. ``type_json`` is the type as a JSON string
    (``json_string``), which callers keep per type; ``traceparent`` is ASCII from the wire."""
    head = '{"t":"call","id":%d,"op":"%s","type":%s' % (call_id, op, type_json)
    if timeout_ms is not None:
        head += ',"timeout":%d' % timeout_ms
    if credit is not None:
        head += ',"credit":%d' % credit
    if traceparent is not None:
        head += ',"tp":' + _encode_header(traceparent)
    if deadline_ms is not None:
        head += ',"dl":%d' % deadline_ms
    if body is not None:
        head += ',"b":"%s"' % body
    return (head + "}").encode("ascii")


def json_string(text: str) -> str:
    """``text`` as a JSON string, as ``encode_header`` writes it (ASCII, escaped)."""
    return _encode_header(text)


def err_header(
    exchange_id: int, code: str, message: str, etype: str | None = None, traceback: str | None = None
) -> dict[str, Any]:
    header: dict[str, Any] = {Key.KIND: FrameKind.ERR, Key.ID: exchange_id, Key.CODE: code, Key.MESSAGE: message}
    if etype is not None:
        header[Key.ETYPE] = etype
    if traceback is not None:
        header[Key.TRACEBACK] = traceback
    return header


def exchange_header(kind: str, exchange_id: int) -> dict[str, Any]:
    """The header of ``res``, ``item``, ``end``, ``cancel`` and ``pong``: the kind and an id."""
    return {Key.KIND: kind, Key.ID: exchange_id}


def counted_header(kind: str, exchange_id: int, n: int) -> dict[str, Any]:
    """The header of ``items`` and ``credit``: the kind, an id and a count."""
    return {Key.KIND: kind, Key.ID: exchange_id, Key.COUNT: n}


# ---- pre-formatted headers for the hot paths: ``RES_JSON_HEAD % request_id`` and the like
# are the bytes ``encode_header`` writes for the builder's header (and ``b``), without a dict
# or an encoder call per frame.

# Stands in for each integer while a template is made; its digits occur nowhere else in
# these headers.
_SLOT: Final = 987_654_321_987


def _preformat(header: dict[str, Any], body: str | None = None) -> bytes:
    if body is not None:
        header[Key.BODY] = body
    encoded = encode_header(header)
    slots = sum(1 for value in header.values() if value == _SLOT)
    template = encoded.replace(b"%", b"%%").replace(str(_SLOT).encode("ascii"), b"%d")
    assert template.count(b"%d") == slots, template
    return template


RES_EMPTY_HEAD: Final = _preformat(exchange_header(FrameKind.RES, _SLOT))
RES_JSON_HEAD: Final = _preformat(exchange_header(FrameKind.RES, _SLOT), Body.JSON)
RES_RAW_HEAD: Final = _preformat(exchange_header(FrameKind.RES, _SLOT), Body.RAW)
ITEM_JSON_HEAD: Final = _preformat(exchange_header(FrameKind.ITEM, _SLOT), Body.JSON)
ITEM_RAW_HEAD: Final = _preformat(exchange_header(FrameKind.ITEM, _SLOT), Body.RAW)
#: ``% (id, n)``
ITEMS_HEAD: Final = _preformat(counted_header(FrameKind.ITEMS, _SLOT, _SLOT), Body.JSON)
END_HEAD: Final = _preformat(exchange_header(FrameKind.END, _SLOT))
#: ``% (id, n)``
CREDIT_HEAD: Final = _preformat(counted_header(FrameKind.CREDIT, _SLOT, _SLOT))
CANCEL_HEAD: Final = _preformat(exchange_header(FrameKind.CANCEL, _SLOT))
PONG_HEAD: Final = _preformat(exchange_header(FrameKind.PONG, _SLOT))
