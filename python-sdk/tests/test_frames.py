"""The frame format: round trips, arbitrary read boundaries, and every malformed input."""

import json
import math
import struct

import pytest

from commbus.errors import Codec, ProtocolError
from commbus.frames import DEFAULT_MAX_FRAME, Frame, encode_frame
from frame_feed import FrameFeed


def raw_frame(header: bytes, body: bytes = b"", *, n: int | None = None, h: int | None = None) -> bytes:
    """A frame built by hand, with the option to lie in its length fields."""
    if h is None:
        h = len(header)
    if n is None:
        n = 4 + len(header) + len(body)
    return struct.pack(">II", n, h) + header + body


def decode_one(data: bytes, max_frame: int = DEFAULT_MAX_FRAME) -> Frame:
    frames = FrameFeed(max_frame).feed(data)
    assert len(frames) == 1
    return frames[0]


# ---- round trips


def test_json_body_round_trip():
    frame = decode_one(encode_frame({"t": "res", "id": 7}, {"symbol": "ACME", "bid": 99.5, "tags": ["a", None]}))
    assert frame.header == {"t": "res", "id": 7, "b": "j"}
    assert frame.body == {"symbol": "ACME", "bid": 99.5, "tags": ["a", None]}
    assert frame.t == "res"


def test_json_scalars_and_unicode_round_trip():
    for value in (0, -1.25, "zürich ✓", True, [], {}, "", 2**62):
        frame = decode_one(encode_frame({"t": "item", "id": 1}, value))
        assert frame.body == value
        assert frame.header["b"] == "j"


def test_raw_body_round_trip_for_every_bytes_like_type():
    payload = bytes(range(256))
    for body in (payload, bytearray(payload), memoryview(payload)):
        frame = decode_one(encode_frame({"t": "req", "id": 1, "type": "x.Y"}, body))
        assert frame.header["b"] == "r"
        assert bytes(frame.body) == payload


def test_bodies_of_every_size_and_kind_round_trip():
    for size in (10, 5000, 70000):
        for body in (bytes(range(256)) * (size // 256 + 1), b"utf-8 text " * (size // 11 + 1), "zürich ✓ " * (size // 9 + 1)):
            frames = FrameFeed().feed(encode_frame({"t": "item", "id": 1}, body) * 2)
            assert [bytes(f.body) if isinstance(body, bytes) else f.body for f in frames] == [body, body]


def test_non_ascii_header_round_trip():
    frame = decode_one(encode_frame({"t": "req", "id": 1, "type": "zürich.Ä"}, {"x": "✓"}))
    assert (frame.header["type"], frame.body) == ("zürich.Ä", {"x": "✓"})
    frame = decode_one(raw_frame('{"t":"req","id":1,"type":"zürich"}'.encode(), b""))
    assert frame.header["type"] == "zürich"


def test_empty_raw_body_is_empty_bytes():
    frame = decode_one(encode_frame({"t": "res", "id": 1}, b""))
    assert frame.header["b"] == "r"
    assert bytes(frame.body) == b""


def test_no_body_has_no_encoding_and_decodes_to_none():
    data = encode_frame({"t": "end", "id": 3, "b": "j"})  # a stale 'b' is dropped without a body
    frame = decode_one(data)
    assert frame.header == {"t": "end", "id": 3}
    assert frame.body is None
    assert len(data) == 4 + 4 + len(b'{"t":"end","id":3}')


def test_header_is_compact_json():
    data = encode_frame({"t": "credit", "id": 12, "n": 128})
    assert data[8:] == b'{"t":"credit","id":12,"n":128}'
    (n, h) = struct.unpack(">II", data[:8])
    assert n == len(data) - 4 and h == len(data) - 8


def test_encode_frame_leaves_the_callers_header_alone():
    header = {"t": "res", "id": 1}
    encode_frame(header, {"a": 1})
    assert header == {"t": "res", "id": 1}


def test_large_bodies_round_trip():
    blob = bytes(range(256)) * 40_000  # about 10 MB
    assert bytes(decode_one(encode_frame({"t": "res", "id": 1}, blob)).body) == blob
    items = [{"i": i, "name": f"item-{i}"} for i in range(100_000)]
    assert decode_one(encode_frame({"t": "items", "id": 1, "n": len(items)}, items)).body == items


def test_frames_split_at_every_boundary():
    frames = [
        encode_frame({"t": "req", "id": 1, "type": "a.B"}, {"x": [1, 2, 3]}),
        encode_frame({"t": "item", "id": 2}, b"\x00\xff raw"),
        encode_frame({"t": "end", "id": 2}),
        encode_frame({"t": "res", "id": 9}, "ü"),
    ]
    stream = b"".join(frames)
    expected = FrameFeed().feed(stream)
    assert [f.t for f in expected] == ["req", "item", "end", "res"]
    for cut in range(1, len(stream)):
        decoder = FrameFeed()
        got = decoder.feed(stream[:cut]) + decoder.feed(stream[cut:])
        assert got == expected, f"cut at {cut}"
        assert decoder.buffered == 0


def test_frames_fed_one_byte_at_a_time():
    stream = b"".join(encode_frame({"t": "items", "id": i, "n": 2}, [i, "x"]) for i in range(20))
    decoder = FrameFeed()
    got = []
    for i in range(len(stream)):
        got += decoder.feed(stream[i : i + 1])
    assert [f.body for f in got] == [[i, "x"] for i in range(20)]


def test_many_frames_in_one_feed():
    stream = b"".join(encode_frame({"t": "item", "id": 5}, {"i": i}) for i in range(10_000))
    frames = FrameFeed().feed(stream + stream[:7])
    assert [f.body["i"] for f in frames] == list(range(10_000))


def test_partial_frame_is_kept_until_complete():
    data = encode_frame({"t": "res", "id": 1}, {"k": "v"})
    decoder = FrameFeed()
    assert decoder.feed(data[:3]) == []
    assert decoder.feed(data[3:10]) == []
    assert decoder.buffered == 10
    assert decoder.feed(data[10:]) == [Frame({"t": "res", "id": 1, "b": "j"}, {"k": "v"})]
    assert decoder.buffered == 0


def test_feed_accepts_bytearray_and_memoryview():
    data = encode_frame({"t": "res", "id": 1}, [1])
    assert FrameFeed().feed(bytearray(data))[0].body == [1]
    assert FrameFeed().feed(memoryview(data))[0].body == [1]


def test_encoding_what_json_cannot_carry_is_a_codec_error():
    with pytest.raises(Codec, match="cannot encode"):
        encode_frame({"t": "res", "id": 1}, {"when": object()})
    with pytest.raises(Codec, match="cannot encode"):
        encode_frame({"t": "res", "id": 1}, math.nan)


# ---- malformed input


def assert_protocol_error(data: bytes, pattern: str, max_frame: int = DEFAULT_MAX_FRAME) -> None:
    with pytest.raises(ProtocolError, match=pattern) as caught:
        FrameFeed(max_frame).feed(data)
    assert caught.value.code == "PROTOCOL"


def test_length_below_four():
    assert_protocol_error(struct.pack(">I", 3) + b"\x00\x00\x00", r"frame length 3 is below 4")


def test_header_length_below_two():
    assert_protocol_error(raw_frame(b"{", h=1), r"header length 1 is below 2")


def test_header_length_beyond_frame():
    assert_protocol_error(raw_frame(b'{"t":"end"}', n=4 + 5, h=11), r"header length 11 exceeds the frame's 5 bytes")


def test_oversized_frame_is_refused_before_its_body_is_buffered():
    decoder = FrameFeed(max_frame=1024)
    with pytest.raises(ProtocolError, match=r"frame length 1025 exceeds the maximum frame size 1024"):
        decoder.feed(struct.pack(">I", 1025))  # only the length: nothing else has arrived yet


def test_frame_at_the_maximum_is_accepted():
    header = b'{"t":"res","id":1,"b":"r"}'
    body = b"x" * (1024 - 4 - len(header))
    assert len(decode_one(raw_frame(header, body), max_frame=1024).body) == len(body)


def test_header_not_utf8():
    assert_protocol_error(raw_frame(b'{"t":"\xff"}'), r"header is not UTF-8")


def test_header_not_json():
    assert_protocol_error(raw_frame(b"{t:end}"), r"header is not valid JSON")


def test_header_not_an_object():
    assert_protocol_error(raw_frame(b'["t","end"]'), r"header is not a JSON object but list")
    assert_protocol_error(raw_frame(b'"end"'), r"header is not a JSON object but str")


def test_header_without_kind():
    assert_protocol_error(raw_frame(b'{"id":1}'), r"has no 't'")


def test_unknown_kind():
    assert_protocol_error(raw_frame(b'{"t":"shout"}'), r"unknown frame kind t='shout'")
    assert_protocol_error(raw_frame(b'{"t":7}'), r"unknown frame kind t=7")


def test_body_without_encoding():
    assert_protocol_error(raw_frame(b'{"t":"res","id":1}', b"{}"), r"'res' frame has a 2-byte body but no 'b'")


def test_unknown_body_encoding():
    assert_protocol_error(raw_frame(b'{"t":"res","id":1,"b":"x"}', b"abc"), r"unknown body encoding b='x'")
    assert_protocol_error(raw_frame(b'{"t":"res","id":1,"b":"x"}'), r"unknown body encoding b='x'")


def test_invalid_json_body():
    assert_protocol_error(raw_frame(b'{"t":"res","id":1,"b":"j"}', b"{nope"), r"'res' frame's body is not valid JSON")


def test_empty_json_body_is_invalid():
    assert_protocol_error(raw_frame(b'{"t":"res","id":1,"b":"j"}'), r"body is not valid JSON")


def test_json_body_not_utf8():
    assert_protocol_error(raw_frame(b'{"t":"res","id":1,"b":"j"}', b'"\xff"'), r"JSON body is not UTF-8")


def test_error_after_good_frames_in_the_same_feed():
    data = encode_frame({"t": "end", "id": 1}) + raw_frame(b'{"t":"nope"}')
    assert_protocol_error(data, r"unknown frame kind")


def test_malformed_frame_split_across_feeds():
    data = raw_frame(b'{"t":"res","id":1,"b":"j"}', b"[1,")
    decoder = FrameFeed()
    assert decoder.feed(data[:9]) == []
    with pytest.raises(ProtocolError, match="not valid JSON"):
        decoder.feed(data[9:])


def test_json_body_reads_like_json_loads():
    body = {"nested": {"list": [1, 2.5, None, True]}, "s": "a\nb"}
    data = raw_frame(b'{"t":"res","id":1,"b":"j"}', json.dumps(body).encode())
    assert decode_one(data).body == body
