"""The protocol's vocabulary: the pre-formatted headers of the hot paths are what the
builders and the header encoder write, and the credit rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from commbus import _protocol as protocol
from commbus._protocol import Body, FrameKind, HandlerKind, Key, counted_header, encode_header, exchange_header
from commbus.errors import CodecError

IDS = (0, 1, 7, 12345, 2**31, 2**53 + 1)


def with_body(header: dict, body: str | None) -> dict:
    if body is not None:
        header[Key.BODY] = body
    return header


@pytest.mark.parametrize(
    "template,kind,body",
    [
        (protocol.RES_EMPTY_HEAD, FrameKind.RES, None),
        (protocol.RES_JSON_HEAD, FrameKind.RES, Body.JSON),
        (protocol.RES_RAW_HEAD, FrameKind.RES, Body.RAW),
        (protocol.ITEM_JSON_HEAD, FrameKind.ITEM, Body.JSON),
        (protocol.ITEM_RAW_HEAD, FrameKind.ITEM, Body.RAW),
        (protocol.END_HEAD, FrameKind.END, None),
        (protocol.CANCEL_HEAD, FrameKind.CANCEL, None),
        (protocol.PONG_HEAD, FrameKind.PONG, None),
    ],
)
def test_preformatted_exchange_headers_are_the_builders_headers(template: bytes, kind: str, body: str | None) -> None:
    for exchange_id in IDS:
        assert template % exchange_id == encode_header(with_body(exchange_header(kind, exchange_id), body))


@pytest.mark.parametrize(
    "template,kind,body",
    [(protocol.ITEMS_HEAD, FrameKind.ITEMS, Body.JSON), (protocol.CREDIT_HEAD, FrameKind.CREDIT, None)],
)
def test_preformatted_counted_headers_are_the_builders_headers(template: bytes, kind: str, body: str | None) -> None:
    for exchange_id in IDS:
        for n in (1, 128, 4096):
            assert template % (exchange_id, n) == encode_header(with_body(counted_header(kind, exchange_id, n), body))


def test_headers_are_compact_ascii_json() -> None:
    header = protocol.err_header(3, "REJECTED", "zürich \"closed\"", "ValueError")
    encoded = encode_header(header)
    assert encoded == b'{"t":"err","id":3,"code":"REJECTED","message":"z\\u00fcrich \\"closed\\"","etype":"ValueError"}'
    assert json.loads(encoded) == header
    with pytest.raises(CodecError):
        encode_header({Key.KIND: FrameKind.RES, "x": float("nan")})


def test_optional_fields_are_left_out() -> None:
    assert protocol.call_header(1, "query", "a.B") == {"t": "call", "id": 1, "op": "query", "type": "a.B"}
    assert protocol.err_header(1, "CANCELLED", "stopped") == {"t": "err", "id": 1, "code": "CANCELLED", "message": "stopped"}
    assert protocol.fail_header("import", "no module", "") == {"t": "fail", "reason": "import", "message": "no module"}


def test_every_frame_kind_is_listed() -> None:
    kinds = {value for name, value in vars(FrameKind).items() if name.isupper()}
    assert protocol.FRAME_KINDS == kinds and len(kinds) == 17


def test_handler_kinds_travel_as_their_names() -> None:
    assert [kind.value for kind in HandlerKind] == ["sync", "async", "stream"]
    assert protocol.ready_header(HandlerKind.STREAM) == {"t": "ready", "kind": "stream"}


@pytest.mark.parametrize("window,batch", [(1, 1), (2, 1), (3, 1), (8, 4), (256, 128), (257, 128)])
def test_credit_is_granted_again_once_half_a_window_is_taken(window: int, batch: int) -> None:
    assert protocol.credit_batch(window) == batch


@pytest.mark.parametrize("type_", ["trading.Quote", 'odd "quoted" \\ type', "z\u00fcrich.\u65e5\u672c", "tab\tand\nnewline"])
@pytest.mark.parametrize("timeout_ms", [None, 2000])
@pytest.mark.parametrize("credit", [None, 256])
@pytest.mark.parametrize("traceparent", [None, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
@pytest.mark.parametrize("deadline_ms", [None, 1767225600000])
@pytest.mark.parametrize("body", [None, "j", "r"])
def test_the_preformatted_call_header_is_the_builders_header_encoded(
    type_: str, timeout_ms: Any, credit: Any, traceparent: Any, deadline_ms: Any, body: Any
) -> None:
    header = protocol.call_header(7, protocol.Op.QUERY, type_, timeout_ms, credit, traceparent, deadline_ms)
    if body is not None:
        header[protocol.Key.BODY] = body
    assert protocol.call_head(
        7, protocol.Op.QUERY, protocol.json_string(type_), timeout_ms, credit, traceparent, deadline_ms, body
    ) == protocol.encode_header(header)
