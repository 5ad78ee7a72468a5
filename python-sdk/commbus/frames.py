"""The frame format of the child protocol (docs/protocol.md, "Frames").

A frame is ``N: u32 BE | H: u32 BE | header: H bytes of JSON | body: N-4-H bytes``. The
header's ``b`` says how the body is encoded: ``"j"`` JSON, ``"r"`` raw bytes, absent: no
body. Everything that crosses the socket is written by ``frame_parts`` (``encode_frame`` is
its one-piece variant) and read by ``FrameReader``, so this module is the one place that
knows how a frame lies in bytes; what its header says is ``_protocol``'s.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from typing import Any, Final

from ._protocol import DEFAULT_MAX_FRAME, FRAME_KINDS, Body, Key, encode_header
from .errors import CodecError, ProtocolError

__all__ = [
    "DEFAULT_MAX_FRAME",
    "FRAME_KINDS",
    "Frame",
    "FrameReader",
    "encode_frame",
    "frame_parts",
    "pack_prefix",
    "encode_json",
]

_PREFIX: Final = struct.Struct(">II")
_LENGTH: Final = struct.Struct(">I")
_RAW_TYPES: Final = (bytes, bytearray, memoryview)
# The header keys and values the decoder reads for every frame, bound once: a class
# attribute lookup per frame would show on the hot path.
_T: Final = Key.KIND
_B: Final = Key.BODY
_JSON: Final = Body.JSON
_RAW: Final = Body.RAW

# Compact separators, like the header's; bodies may hold any Unicode as UTF-8. NaN and
# infinities are not JSON and the Java side would refuse them, so they fail here, where the
# error is still the caller's.
_BODY_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _refuse_constant(name: str) -> Any:
    # Python's json reads NaN and the infinities, which are not JSON: the Java side refuses
    # them, and so must this side, or the two would disagree about what a valid frame is.
    raise ValueError(f"{name} is not JSON")


_DECODER: Final = json.JSONDecoder(parse_constant=_refuse_constant)

_decode = _DECODER.decode
# The decoder's C scanner: (value, end) for the JSON value at an index, StopIteration if none.
_scan: Callable[[str, int], tuple[Any, int]] = getattr(_DECODER, "scan_once")
#: ``pack_prefix(n, h)``: the eight bytes in front of a header, N and H.
pack_prefix: Final = _PREFIX.pack

# JSONEncoder.encode builds a new C encoder on every call; for bodies, which are encoded per
# request and per item, one encoder is built once and reused. It keeps no circular-reference
# markers (shared markers would not be safe across threads): a cycle ends in RecursionError,
# which encode_json reports as a CodecError like any other unencodable value.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_encode_body_chunks: Callable[[Any, int], Any]
if _c_make_encoder is not None:
    _encode_body_chunks = _c_make_encoder(
        None, _BODY_ENCODER.default, getattr(json.encoder, "encode_basestring"), None, ":", ",", False, False, False
    )
else:  # an interpreter without the C accelerator
    _encode_body_chunks = _BODY_ENCODER.iterencode  # type: ignore[assignment]


def _decode_text(text: str) -> Any:
    """``json.loads`` for one document, with the common case (no surrounding whitespace)
    straight through the C scanner; anything unusual takes the full, error-reporting path."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return _decode(text)
    if end != len(text):
        return _decode(text)
    return value


class Frame:
    """One decoded frame: its header (a dict with at least ``t``) and its body.

    ``body`` is ``None`` when the frame has none, the decoded value for ``b: "j"``, and
    ``bytes`` for ``b: "r"``.
    """

    __slots__ = ("header", "body")

    def __init__(self, header: dict[str, Any], body: Any = None) -> None:
        self.header = header
        self.body = body

    @property
    def t(self) -> str:
        """The frame kind (``req``, ``items``, ...)."""
        kind: str = self.header[_T]
        return kind

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return NotImplemented
        return self.header == other.header and self.body == other.body

    def __repr__(self) -> str:
        body = self.body
        if isinstance(body, (bytes, bytearray, memoryview)) and len(body) > 32:
            shown = f"<{len(body)} bytes>"
        else:
            shown = repr(body)
            if len(shown) > 80:
                shown = shown[:77] + "..."
        return f"Frame({self.header!r}, {shown})"


def encode_json(value: Any) -> bytes:
    """A value as compact UTF-8 JSON; raises ``CodecError`` for what JSON cannot carry."""
    try:
        return "".join(_encode_body_chunks(value, 0)).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        raise CodecError(f"cannot encode {type(value).__name__} as JSON: {exc}") from exc


def frame_parts(header: dict[str, Any], body: Any) -> tuple[bytes, bytes, Any]:
    """The three pieces of a frame (prefix, header, body), for writers that join later.

    Sets or removes ``header["b"]`` to match the body, so the caller's dict is changed;
    ``encode_frame`` is the variant that leaves it alone.
    """
    if body is None:
        header.pop(_B, None)
        payload: Any = b""
    elif isinstance(body, _RAW_TYPES):
        header[_B] = _RAW
        payload = body
    else:
        header[_B] = _JSON
        payload = encode_json(body)
    head = encode_header(header)
    h = len(head)
    return pack_prefix(4 + h + len(payload), h), head, payload


def encode_frame(header: dict[str, Any], body: Any = None) -> bytes:
    """One whole frame as bytes.

    ``body`` None means no body; ``bytes``/``bytearray``/``memoryview`` travel raw
    (``b: "r"``); anything else is encoded as JSON (``b: "j"``). ``header`` needs ``t``.
    """
    if not isinstance(header, dict) or not isinstance(header.get(_T), str):
        raise ValueError("a frame header is a dict with a string 't'")
    return b"".join(frame_parts(dict(header), body))


# The receive buffer of a FrameReader: large enough that a read of many small frames never
# needs a second system call, small enough to stay in cache. Frames larger than this grow it
# for as long as they are being received.
_RECEIVE_SIZE: Final = 256 * 1024
# Free room a read should get at least; with less left at the end, what is buffered moves to
# the front first.
_MIN_READ: Final = 64 * 1024
# Frames up to this size have their header and body decoded from one string.
_JOINT_DECODE: Final = 4096
# How a header whose body is raw ends, as this SDK writes it.
_RAW_MARK: Final = b'"r"}'


class FrameReader:
    """Turns a byte stream into frames, however it is split into reads, reading into one
    buffer that is reused for every read (``asyncio.BufferedProtocol``'s
    ``get_buffer``/``buffer_updated``).

    ``received`` returns the frames a read completed and keeps the rest. Every malformed
    input raises ``ProtocolError``; after that the reader (and the connection) is not usable
    any more. A length above ``max_frame`` is refused as soon as the four length bytes are
    in, before any of the body is buffered.

    A plain ``asyncio.Protocol`` gets a freshly allocated bytes object per read, which for
    the transport's 256 KiB reads means an ``mmap`` and a ``munmap`` per read: the largest
    cost of a small request. Here the socket reads straight into memory that stays put.

    The buffer is never resized in place (the transport may still hold a view of it while
    ``received`` runs); growing means a new buffer. Decoded frames hold no views of it: raw
    bodies are copied, JSON is decoded.
    """

    __slots__ = ("max_frame", "_buffer", "_start", "_end", "_need")

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        if max_frame < 6:
            raise ValueError(f"max_frame must allow at least a minimal frame, got {max_frame}")
        self.max_frame = max_frame
        self._buffer = memoryview(bytearray(_RECEIVE_SIZE))
        # Received bytes not yet decoded (the start of an incomplete frame) lie in [_start, _end).
        self._start = 0
        self._end = 0
        # Bytes the incomplete frame at _start needs in all, as far as known.
        self._need = 0

    @property
    def buffered(self) -> int:
        """Bytes of an incomplete frame held back for the next read."""
        return self._end - self._start

    def get_buffer(self) -> memoryview:
        """Where the next read goes: the free part of the buffer, at least ``_MIN_READ`` bytes
        (and always room for the whole incomplete frame)."""
        buffer = self._buffer
        start = self._start
        end = self._end
        if start == end:
            # The common case: the last read ended on a frame boundary.
            self._start = self._end = 0
            if len(buffer) > _RECEIVE_SIZE:
                # A large frame grew the buffer; do not keep megabytes for small frames.
                buffer = self._buffer = memoryview(bytearray(_RECEIVE_SIZE))
            return buffer
        capacity = len(buffer)
        if capacity - end >= _MIN_READ and start + self._need <= capacity:
            return buffer[end:]
        held = end - start
        wanted = max(self._need, held) + _MIN_READ
        if wanted > capacity:
            grown = memoryview(bytearray(max(wanted, _RECEIVE_SIZE)))
            grown[:held] = buffer[start:end]
            buffer = self._buffer = grown
        else:
            buffer[:held] = buffer[start:end]  # memmove: the ranges may overlap
        self._start = 0
        self._end = held
        return buffer[held:]

    def received(self, nbytes: int) -> list[Frame]:
        """Takes ``nbytes`` just read into ``get_buffer()``'s view and returns every frame they
        complete, in order; raises ``ProtocolError`` for malformed input."""
        view = self._buffer
        end = self._end + nbytes
        self._end = end
        pos = self._start
        max_frame = self.max_frame
        unpack_from = _PREFIX.unpack_from
        scan = _scan
        kinds = FRAME_KINDS
        frames: list[Frame] = []
        append = frames.append
        need = 0
        while True:
            if end - pos < 8:
                if end - pos >= 4:
                    # Enough for N: a frame that is too long must fail before it is buffered.
                    _check_length(_LENGTH.unpack_from(view, pos)[0], max_frame)
                need = 8
                break
            n, h = unpack_from(view, pos)
            if n > max_frame or n < 4:
                _check_length(n, max_frame)
            if end - pos - 4 < n:
                need = 4 + n
                break
            # The common case, decoded here: a valid ASCII header, a JSON or no body. Anything
            # else (including every error) goes through _decode_frame, which says what is wrong.
            start = pos + 8
            body_start = start + h
            body_end = pos + 4 + n
            frame = None
            if 2 <= h <= n - 4:
                try:
                    # A small frame's header and body are decoded as one string: as long as
                    # the header is ASCII (it then ends where its byte length says), the body
                    # starts at index h. A large body may well be raw bytes that are no UTF-8.
                    # A header that ends with a raw body's mark ("b":"r", this SDK's writers put it
                    # last) is decoded alone: the raw bytes after it are seldom UTF-8, and trying
                    # them would send the frame down the slow path.
                    joint = n <= _JOINT_DECODE and view[body_start - 4 : body_start] != _RAW_MARK
                    text = str(view[start : body_end if joint else body_start], "utf-8")
                    header, stop = scan(text, 0)
                    if stop == h and type(header) is dict and header.get(_T) in kinds:
                        b = header.get(_B)
                        if b is None:
                            if body_end == body_start:
                                frame = Frame(header)
                        elif b == _JSON:
                            if joint:
                                body, stop = scan(text, h)
                            else:
                                text = str(view[body_start:body_end], "utf-8")
                                body, stop = scan(text, 0)
                            if stop == len(text):
                                frame = Frame(header, body)
                        elif b == _RAW:
                            frame = Frame(header, view[body_start:body_end].tobytes())
                except (ValueError, StopIteration):
                    pass
            append(frame if frame is not None else _decode_frame(view, pos, n))
            pos = body_end
        self._start = pos
        self._need = need
        return frames


def _check_length(n: int, max_frame: int) -> None:
    if n > max_frame:
        raise ProtocolError(f"frame length {n} exceeds the maximum frame size {max_frame}")
    if n < 4:
        raise ProtocolError(f"frame length {n} is below 4, too short for the header length")


def _decode_frame(view: memoryview, pos: int, n: int) -> Frame:
    """The frame at ``pos`` whose length field says ``n``; the bytes are all present."""
    (h,) = _LENGTH.unpack_from(view, pos + 4)
    if h < 2:
        raise ProtocolError(f"header length {h} is below 2, too short for a JSON object")
    if h > n - 4:
        raise ProtocolError(f"header length {h} exceeds the frame's {n - 4} bytes after the header length")
    start = pos + 8
    body_start = start + h
    body_end = pos + 4 + n
    try:
        header = _decode_text(str(view[start:body_start], "utf-8"))
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"frame header is not UTF-8: {exc}") from exc
    except ValueError as exc:
        raise ProtocolError(f"frame header is not valid JSON: {exc}") from exc
    if type(header) is not dict:
        raise ProtocolError(f"frame header is not a JSON object but {type(header).__name__}")
    t = header.get(_T)
    if t is None:
        raise ProtocolError(f"frame header has no 't': {_clip(header)}")
    if t not in FRAME_KINDS:
        raise ProtocolError(f"unknown frame kind t={t!r}")
    b = header.get(_B)
    if b is None:
        if body_end != body_start:
            raise ProtocolError(f"'{t}' frame has a {body_end - body_start}-byte body but no 'b' encoding")
        return Frame(header)
    if b == _JSON:
        try:
            body = _decode_text(str(view[body_start:body_end], "utf-8"))
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"'{t}' frame's JSON body is not UTF-8: {exc}") from exc
        except ValueError as exc:
            raise ProtocolError(f"'{t}' frame's body is not valid JSON: {exc}") from exc
        return Frame(header, body)
    if b == _RAW:
        return Frame(header, view[body_start:body_end].tobytes())
    raise ProtocolError(f"'{t}' frame has unknown body encoding b={b!r}")


def _clip(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
