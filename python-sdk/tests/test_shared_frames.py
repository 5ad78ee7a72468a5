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

from commbus.errors import CommBusError
from commbus.frames import FRAME_KINDS, Frame, encode_frame
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
