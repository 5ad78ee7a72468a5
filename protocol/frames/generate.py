"""Writes the sample frames of this directory and their manifest from the literal bytes below.

The files are the spec; this script only spares a hex editor. It uses no commbus code: each
header and body is written here byte for byte, exactly as it lies in the file. Run it from
anywhere (``python3 protocol/frames/generate.py``) after changing a sample, and commit the
regenerated files with it.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))

#: The maximum N every decoder is configured with for this set (the protocol's default).
MAX_FRAME = 16 * 1024 * 1024

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
TOKEN = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

# (file, sender, header bytes, body bytes or None for no body)
VALID: list[tuple[str, str, bytes, bytes | None]] = [
    ("hello.frame", "child",
     b'{"t":"hello","v":1,"token":"' + TOKEN.encode() + b'","pid":4242,"runtime":"python 3.11.7"}', None),
    ("welcome.frame", "parent",
     b'{"t":"welcome","v":1,"child":"trading#2","entry":{"module":"workers.pricing","function":"handle"},'
     b'"callbacks":["market.MarketData","trading.DataFetch"],"maxFrame":16777216,"log":"info"}', None),
    ("ready.frame", "child", b'{"t":"ready","kind":"async"}', None),
    ("fail.frame", "either",
     b'{"t":"fail","reason":"import","message":"cannot import entry module \'workers.pricing\': '
     b'ModuleNotFoundError: No module named \'workers\'","etype":"ModuleNotFoundError",'
     b'"traceback":"Traceback (most recent call last):\\n'
     b'  File \\"<frozen importlib._bootstrap>\\", line 1140, in _find_and_load_unlocked\\n'
     b'ModuleNotFoundError: No module named \'workers\'\\n"}', None),
    ("req_json.frame", "parent",
     b'{"t":"req","id":7,"type":"trading.Quote","tp":"' + TRACEPARENT.encode() + b'","dl":1767225600000,'
     b'"credit":256,"b":"j"}',
     '{"symbol":"ACME","qty":100,"limit":99.5,"tags":["z\u00fcrich","\u65e5\u672c"],"hedge":null,"urgent":false}'.encode()),
    ("call.frame", "child",
     b'{"t":"call","id":1,"op":"callback","type":"market.MarketData","timeout":2000,"credit":256,'
     b'"tp":"' + TRACEPARENT.encode() + b'","dl":1767225600000,"b":"j"}', b'{"symbol":"ACME"}'),
    ("call_subscribe.frame", "child",
     b'{"t":"call","id":2,"op":"subscribe","type":"trading.OrderPlaced","credit":256}', None),
    ("res_json.frame", "either", b'{"t":"res","id":1,"b":"j"}', b'{"position":42}'),
    ("res_raw.frame", "either", b'{"t":"res","id":7,"b":"r"}', bytes([0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x0A, 0x7B])),
    ("res_raw_empty.frame", "either", b'{"t":"res","id":8,"b":"r"}', b""),
    ("res_empty.frame", "either", b'{"t":"res","id":9}', None),
    ("res_json_string.frame", "either", b'{"t":"res","id":10,"b":"j"}', b'"quote \\" backslash \\\\ newline \\n"'),
    ("item_json.frame", "either", b'{"t":"item","id":1,"b":"j"}', b'{"bid":99.25,"ask":99.75}'),
    ("item_event.frame", "parent",
     b'{"t":"item","id":2,"type":"trading.OrderPlaced","pos":1042,"b":"j"}', b'{"order":17}'),
    ("items.frame", "either", b'{"t":"items","id":1,"n":3,"b":"j"}', b'[{"i":0},"one",2]'),
    ("end.frame", "either", b'{"t":"end","id":1}', None),
    ("err.frame", "either",
     b'{"t":"err","id":7,"code":"HANDLER_FAILED","message":"bad input: \\"qty\\" must be positive",'
     b'"etype":"ValueError","traceback":"Traceback (most recent call last):\\n'
     b'  File \\"/srv/workers/pricing.py\\", line 12, in handle\\nValueError: bad input\\n"}', None),
    ("credit.frame", "either", b'{"t":"credit","id":1,"n":128}', None),
    ("cancel.frame", "either", b'{"t":"cancel","id":1}', None),
    ("ping.frame", "parent", b'{"t":"ping","id":1}', None),
    ("pong.frame", "child", b'{"t":"pong","id":1}', None),
    ("log.frame", "child",
     b'{"t":"log","level":"error","logger":"workers.pricing","message":"quote failed for ACME",'
     b'"traceback":"Traceback (most recent call last):\\n  File \\"/srv/workers/pricing.py\\", line 12, in handle\\n'
     b'ValueError: bad input","tp":"' + TRACEPARENT.encode() + b'","dropped":3}', None),
    ("bye.frame", "parent", b'{"t":"bye","grace":5000}', None),
    # What a client and the node's client endpoint send (docs/protocol.md, "Clients").
    ("hello_client.frame", "client",
     b'{"t":"hello","v":1,"token":"' + TOKEN.encode() + b'","pid":4243,"runtime":"python 3.11.7","client":"notebook"}',
     None),
    ("welcome_client.frame", "node",
     b'{"t":"welcome","v":1,"client":"client web#3 (notebook)","allow":["publish","query","serve"],'
     b'"maxFrame":16777216,"ping":15000}', None),
    ("call_serve.frame", "client",
     b'{"t":"call","id":3,"op":"serve","type":"ml.Embed","credit":1,"kind":"async","concurrency":8}', None),
    ("call_replay.frame", "client",
     b'{"t":"call","id":4,"op":"replay","type":"trading.OrderPlaced","credit":256,"from":1001}', None),
    ("call_group.frame", "client",
     b'{"t":"call","id":5,"op":"group","type":"billing","credit":1,"kind":"sync","concurrency":4,'
     b'"types":["trading.OrderPlaced"]}', None),
    ("req_group.frame", "node",
     b'{"t":"req","id":12,"type":"trading.OrderPlaced","dl":1767225600000,"group":"billing","pos":1042,"b":"j"}',
     b'{"order":17}'),
    ("bye_client.frame", "client", b'{"t":"bye","grace":0}', None),
    ("call_publish_id.frame", "either",
     b'{"t":"call","id":6,"op":"publish","type":"orders.Placed","mid":"order-17-placed","b":"j"}', b'{"order":17}'),
]

# (file, whole file bytes, error code, reason)
_RES_J = b'{"t":"res","id":1,"b":"j"}'


def frame(header: bytes, body: bytes = b"", *, n: int | None = None, h: int | None = None) -> bytes:
    """A frame with the option to lie in its length fields."""
    return struct.pack(">II", 4 + len(header) + len(body) if n is None else n, len(header) if h is None else h) + header + body


MALFORMED: list[tuple[str, bytes, str, str]] = [
    ("bad_length_below_4.frame", struct.pack(">I", 3) + b"\x00\x00\x00", "PROTOCOL",
     "N is 3, below the 4 bytes of the header length"),
    ("bad_header_length_below_2.frame", frame(b"{", h=1), "PROTOCOL",
     "H is 1, below the 2 bytes of the shortest JSON object"),
    ("bad_header_length_beyond_frame.frame", frame(b'{"t":"', h=11), "PROTOCOL",
     "H is 11 but only 6 bytes follow it in the frame"),
    ("bad_frame_too_large.frame", frame(b'{"t":"res","id":1,"b":"r"}', n=MAX_FRAME + 1), "PROTOCOL",
     "N is one more than the maximum frame size; only the start of the frame is here, and a decoder "
     "refuses it from its first four bytes"),
    ("bad_header_not_json.frame", frame(b"{t:end}"), "PROTOCOL", "the header is not JSON"),
    ("bad_header_not_utf8.frame", frame(b'{"t":"\xff"}'), "PROTOCOL", "the header is not UTF-8"),
    ("bad_header_not_object.frame", frame(b'["t","end"]'), "PROTOCOL", "the header is a JSON array, not an object"),
    ("bad_header_trailing_data.frame", frame(b'{"t":"end","id":1} {}'), "PROTOCOL",
     "the header's H bytes hold more than one JSON value"),
    ("bad_header_nan.frame", frame(b'{"t":"credit","id":1,"n":NaN}'), "PROTOCOL", "the header holds NaN, which is not JSON"),
    ("bad_missing_kind.frame", frame(b'{"id":1}'), "PROTOCOL", "the header has no t"),
    ("bad_unknown_kind.frame", frame(b'{"t":"shout","id":1}'), "PROTOCOL", "t is not a frame kind of version 1"),
    ("bad_kind_not_string.frame", frame(b'{"t":7}'), "PROTOCOL", "t is a number, not a string"),
    ("bad_body_without_encoding.frame", frame(b'{"t":"res","id":1}', b"{}"), "PROTOCOL",
     "a 2-byte body but no b"),
    ("bad_unknown_body_encoding.frame", frame(b'{"t":"res","id":1,"b":"x"}', b"abc"), "PROTOCOL",
     "b is neither j nor r"),
    ("bad_body_json_invalid.frame", frame(_RES_J, b"{nope"), "PROTOCOL", "b is j but the body is not JSON"),
    ("bad_body_json_empty.frame", frame(_RES_J), "PROTOCOL", "b is j but the body is empty, which is no JSON value"),
    ("bad_body_json_not_utf8.frame", frame(_RES_J, b'"\xff"'), "PROTOCOL", "b is j but the body is not UTF-8"),
    ("bad_body_json_trailing_data.frame", frame(_RES_J, b'{"a":1} 2'), "PROTOCOL",
     "b is j but the body holds two JSON values"),
    ("bad_body_json_nan.frame", frame(_RES_J, b"NaN"), "PROTOCOL", "b is j but NaN is not JSON"),
]


def main() -> None:
    for name in os.listdir(HERE):
        if name.endswith(".frame"):
            os.remove(os.path.join(HERE, name))
    entries: list[dict[str, Any]] = []
    for name, sender, header, body in VALID:
        kind = json.loads(header)["t"]
        with open(os.path.join(HERE, name), "wb") as out:
            out.write(frame(header, body or b""))
        value: dict[str, Any] | None
        if body is None:
            value = None
        elif b'"b":"r"' in header:
            value = {"raw_hex": body.hex()}
        else:
            value = {"json": json.loads(body)}
        entries.append({"file": name, "kind": kind, "sender": sender, "valid": True,
                        "header": json.loads(header), "body": value})
    for name, data, error, reason in MALFORMED:
        with open(os.path.join(HERE, name), "wb") as out:
            out.write(data)
        entries.append({"file": name, "valid": False, "error": error, "reason": reason})
    manifest = {"protocol": 1, "maxFrame": MAX_FRAME, "frames": entries}
    with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=2, ensure_ascii=False)
        out.write("\n")


if __name__ == "__main__":
    main()
