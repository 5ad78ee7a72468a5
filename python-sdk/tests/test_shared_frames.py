"""The shared sample frames (protocol/frames/, part of the spec; see its README).

The SDK's decoder reads each valid sample to exactly the manifest's header and body, in
one read and byte by byte; its encoder writes the decoded frame back to exactly the
sample's bytes; and each malformed sample fails with the listed error, producing no frame.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from commbus import _protocol as protocol
from commbus._protocol import HandlerKind
from commbus.errors import CommBusError
from commbus.frames import FRAME_KINDS, Frame, encode_frame, frame_parts, pack_prefix
from frame_feed import FrameFeed

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "protocol", "frames")

with open(os.path.join(SAMPLES, "manifest.json"), encoding="utf-8") as _file:
    MANIFEST: dict[str, Any] = json.load(_file)

MAX_FRAME: int = MANIFEST["maxFrame"]
VALID = [entry for entry in MANIFEST["frames"] if entry["valid"]]
MALFORMED = [entry for entry in MANIFEST["frames"] if not entry["valid"]]


def sample(entry: dict[str, Any]) -> bytes:
    with open(os.path.join(SAMPLES, entry["file"]), "rb") as file:
        return file.read()


def decode(data: bytes, one_byte_at_a_time: bool = False) -> list[Frame]:
    feed = FrameFeed(MAX_FRAME)
    if not one_byte_at_a_time:
        frames = feed.feed(data)
    else:
        frames = []
        for i in range(len(data)):
            frames += feed.feed(data[i : i + 1])
    assert feed.buffered == 0, "bytes left over after the frame"
    return frames


def expected_body(entry: dict[str, Any]) -> Any:
    body = entry["body"]
    if body is None:
        return None
    if "raw_hex" in body:
        return bytes.fromhex(body["raw_hex"])
    return body["json"]


def by_file(entries: list[dict[str, Any]]) -> Any:
    return pytest.mark.parametrize("entry", entries, ids=[entry["file"] for entry in entries])


@by_file(VALID)
@pytest.mark.parametrize("one_byte_at_a_time", [False, True], ids=["one read", "byte by byte"])
def test_a_valid_sample_decodes_to_the_manifests_header_and_body(entry: dict[str, Any], one_byte_at_a_time: bool) -> None:
    (frame,) = decode(sample(entry), one_byte_at_a_time)
    assert frame.t == entry["kind"]
    # Same keys in the same order, same values.
    assert list(frame.header.items()) == list(entry["header"].items())
    body = expected_body(entry)
    if isinstance(body, bytes):
        assert type(frame.body) is bytes and frame.body == body
    else:
        assert frame.body == body


@by_file(VALID)
def test_a_valid_sample_encodes_back_to_its_bytes(entry: dict[str, Any]) -> None:
    data = sample(entry)
    (frame,) = decode(data)
    assert encode_frame(frame.header, frame.body) == data
    # And from the manifest's values, which are what the SDK's own callers hand the encoder.
    assert encode_frame(entry["header"], expected_body(entry)) == data


@by_file(MALFORMED)
@pytest.mark.parametrize("one_byte_at_a_time", [False, True], ids=["one read", "byte by byte"])
def test_a_malformed_sample_fails_with_the_listed_error(entry: dict[str, Any], one_byte_at_a_time: bool) -> None:
    feed = FrameFeed(MAX_FRAME)
    data = sample(entry)
    decoded: list[Frame] = []
    with pytest.raises(CommBusError) as caught:
        for chunk in [data[i : i + 1] for i in range(len(data))] if one_byte_at_a_time else [data]:
            decoded += feed.feed(chunk)
    assert caught.value.code == entry["error"], caught.value
    assert decoded == []


def test_the_manifest_lists_every_sample_once() -> None:
    files = [entry["file"] for entry in MANIFEST["frames"]]
    assert len(files) == len(set(files))
    assert set(files) == {name for name in os.listdir(SAMPLES) if name.endswith(".frame")}
    assert MANIFEST["protocol"] == 1


def test_every_frame_kind_has_a_sample_and_both_body_encodings_appear() -> None:
    assert {entry["kind"] for entry in VALID} == FRAME_KINDS
    bodies = [entry["body"] for entry in VALID]
    assert any(body is not None and "json" in body for body in bodies)
    assert any(body is not None and "raw_hex" in body for body in bodies)
    assert any(body is None for body in bodies)


def test_sample_headers_are_canonical() -> None:
    """What the README promises: ASCII headers, compact JSON, and ``b`` last where present."""
    for entry in VALID:
        data = sample(entry)
        h = int.from_bytes(data[4:8], "big")
        head = data[8 : 8 + h]
        assert head.isascii(), entry["file"]
        assert head == json.dumps(entry["header"], separators=(",", ":")).encode("ascii"), entry["file"]
        if "b" in entry["header"]:
            assert list(entry["header"])[-1] == "b", entry["file"]


def sample_by_file(name: str) -> tuple[dict[str, Any], bytes]:
    (entry,) = [entry for entry in VALID if entry["file"] == name]
    return entry, sample(entry)


def written(header: dict[str, Any], body: Any = None) -> bytes:
    """What the connection writes for a header built by the SDK (``Connection.send``)."""
    return b"".join(frame_parts(header, body))


def test_the_sdks_header_builders_write_the_samples_of_what_a_child_sends() -> None:
    token = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    built = {
        "hello.frame": written(protocol.hello_header(token, 4242, "python 3.11.7")),
        "ready.frame": written(protocol.ready_header(HandlerKind.ASYNC)),
        "call.frame": written(
            protocol.call_header(1, protocol.Op.CALLBACK, "market.MarketData", 2000, 256, traceparent, 1767225600000),
            {"symbol": "ACME"},
        ),
        "call_subscribe.frame": written(protocol.call_header(2, protocol.Op.SUBSCRIBE, "trading.OrderPlaced", credit=256)),
    }
    for name, data in built.items():
        assert data == sample_by_file(name)[1], name
    entry, data = sample_by_file("fail.frame")
    header = entry["header"]
    assert written(protocol.fail_header(header["reason"], header["message"], header["traceback"], header["etype"])) == data
    entry, data = sample_by_file("err.frame")
    header = entry["header"]
    assert written(protocol.err_header(7, header["code"], header["message"], header["etype"], header["traceback"])) == data
    entry, data = sample_by_file("log.frame")
    header = entry["header"]
    assert (
        written(
            protocol.log_header(
                header["level"], header["logger"], header["message"], header["traceback"], traceparent, dropped=3
            )
        )
        == data
    )


def test_a_clients_frames_are_the_samples_of_what_a_client_sends() -> None:
    token = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
    hello = protocol.hello_header(token, 4243, "python 3.11.7")
    hello[protocol.Key.CLIENT] = "notebook"  # as commbus.connect(name=...) adds it

    def call(call_id: int, op: str, type: str, credit: int, extra: dict[str, Any]) -> bytes:
        header = protocol.call_header(call_id, op, type, credit=credit)
        header.update(extra)  # as Caller.stream(..., extra=...) adds it
        return written(header)

    built = {
        "hello_client.frame": written(hello),
        "call_serve.frame": call(3, protocol.Op.SERVE, "ml.Embed", 1, {"kind": "async", "concurrency": 8}),
        "call_replay.frame": call(4, protocol.Op.REPLAY, "trading.OrderPlaced", 256, {"from": 1001}),
        "call_group.frame": call(
            5, protocol.Op.GROUP, "billing", 1, {"kind": "sync", "concurrency": 4, "types": ["trading.OrderPlaced"]}
        ),
        "bye_client.frame": written(protocol.bye_header(0)),
        "call_publish_id.frame": written(
            {**protocol.call_header(6, protocol.Op.PUBLISH, "orders.Placed"), protocol.Key.MESSAGE_ID: "order-17-placed"},
            {"order": 17},
        ),
    }
    for name, data in built.items():
        assert data == sample_by_file(name)[1], name


def test_the_preformatted_headers_of_the_hot_paths_write_the_samples() -> None:
    def frame(head: bytes, body: bytes = b"") -> bytes:
        """What ``Connection.send_frame`` writes."""
        return pack_prefix(4 + len(head) + len(body), len(head)) + head + body

    assert frame(protocol.RES_JSON_HEAD % 1, b'{"position":42}') == sample_by_file("res_json.frame")[1]
    assert frame(protocol.RES_RAW_HEAD % 7, bytes.fromhex("00017f80feff0a7b")) == sample_by_file("res_raw.frame")[1]
    assert frame(protocol.RES_RAW_HEAD % 8) == sample_by_file("res_raw_empty.frame")[1]
    assert frame(protocol.RES_EMPTY_HEAD % 9) == sample_by_file("res_empty.frame")[1]
    assert frame(protocol.ITEM_JSON_HEAD % 1, b'{"bid":99.25,"ask":99.75}') == sample_by_file("item_json.frame")[1]
    assert frame(protocol.ITEMS_HEAD % (1, 3), b'[{"i":0},"one",2]') == sample_by_file("items.frame")[1]
    assert frame(protocol.END_HEAD % 1) == sample_by_file("end.frame")[1]
    assert frame(protocol.CREDIT_HEAD % (1, 128)) == sample_by_file("credit.frame")[1]
    assert frame(protocol.CANCEL_HEAD % 1) == sample_by_file("cancel.frame")[1]
    assert frame(protocol.PONG_HEAD % 1) == sample_by_file("pong.frame")[1]
