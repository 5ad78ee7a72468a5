"""The SDK against the real Java side: handshake, framing, handlers and callback iterators.

One JVM (SdkTestNode) serves the whole module; each test deploys the pools it needs.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from java_node import JavaError, JavaNode


@pytest.fixture(scope="module")
def node() -> Iterator[JavaNode]:
    with JavaNode() as running:
        yield running


def test_the_three_handler_kinds(node: JavaNode) -> None:
    children = node.deploy("kinds.sync", "sdk_workers", "sync_double")
    assert children[0]["kind"] == "sync"
    assert node.deploy("kinds.async", "sdk_workers", "async_double")[0]["kind"] == "async"
    assert node.deploy("kinds.stream", "sdk_workers", "ticks")[0]["kind"] == "stream"

    assert node.query("kinds.sync", {"x": 21}) == {"doubled": 42}
    assert node.query("kinds.async", {"x": 4}) == {"doubled": 8}
    assert node.stream("kinds.stream", {"n": 600}) == [{"i": i} for i in range(600)]


def test_bytes_cross_as_bytes(node: JavaNode) -> None:
    node.deploy("bytes", "sdk_workers", "reverse_bytes")
    data = bytes(range(256)) * 8
    assert node.query_bytes("bytes", data) == data[::-1]


def test_a_python_exception_reaches_java_with_type_and_traceback(node: JavaNode) -> None:
    node.deploy("explode", "sdk_workers", "explode")
    with pytest.raises(JavaError) as caught:
        node.query("explode", {"field": "price"})
    assert caught.value.code == "HANDLER_FAILED"
    assert caught.value.remote_type == "KeyError"
    assert "missing field price" in caught.value.message
    assert caught.value.remote_trace is not None and "sdk_workers.py" in caught.value.remote_trace


def test_a_large_frame_crosses_and_an_oversized_one_is_refused(node: JavaNode) -> None:
    node.deploy("sized", "sdk_workers", "sized", max_frame=256 * 1024)
    assert len(node.query("sized", {"size": 200 * 1024})["blob"]) == 200 * 1024
    with pytest.raises(JavaError) as caught:
        node.query("sized", {"size": 300 * 1024})
    # The child refuses to send a frame beyond the maximum announced in the handshake.
    assert caught.value.code in ("CODEC", "PROTOCOL", "HANDLER_FAILED"), caught.value
    assert node.query("sized", {"size": 10})["blob"] == "x" * 10


def test_callbacks_by_attribute_and_by_path(node: JavaNode) -> None:
    node.deploy("callbacks", "sdk_workers", "callbacks")
    for n in (0, 1, 700):
        answer = node.query("callbacks", {"n": n})
        assert answer["attr"] == list(range(n))
        assert answer["by_path"] == list(range(n))
        assert answer["direct"] == list(range(n))
    assert sorted(answer["paths"]) == ["test.Broken", "test.Numbers"]


def test_a_callback_error_raises_its_exception_after_the_items_before_it(node: JavaNode) -> None:
    node.deploy("callback.failure", "sdk_workers", "callback_failure")
    answer = node.query("callback.failure")
    assert answer["seen"] == [{"i": 0}]
    assert answer["code"] == "REJECTED"
    assert "market closed" in answer["message"]


def test_breaking_out_of_a_callback_loop_ends_the_exchange(node: JavaNode) -> None:
    node.deploy("callback.partial", "sdk_workers", "callback_partial")
    assert node.query("callback.partial", {"take": 5}) == {"taken": 5}
    assert node.query("callback.partial", {"take": 1}) == {"taken": 1}


def test_a_callback_no_node_handles_fails_naming_its_path(node: JavaNode) -> None:
    node.deploy("callback.unknown", "sdk_workers", "unknown_namespace")
    error = node.query("callback.unknown")["error"]
    assert error.startswith("NO_HANDLER: no node of the bus has a handler for callback nowhere.Thing"), error


def test_bus_calls_from_python(node: JavaNode) -> None:
    node.deploy("bus.calls", "sdk_workers", "bus_calls")
    answer = node.query("bus.calls")
    assert answer["answer"] == {"answer": "SELL"}
    assert answer["many"] == [0, 1, 2, 3]
    assert answer["position"] > 0  # the journal's position of the event
    assert answer["missing"] == "NO_HANDLER"


def test_the_request_context_carries_type_trace_and_deadline(node: JavaNode) -> None:
    node.deploy("info", "sdk_workers", "request_info")
    answer = node.query("info")
    assert answer["type"] == "info"
    assert answer["traceparent"].startswith("00-")
    assert answer["has_deadline"] is True


def test_an_import_failure_fails_the_handshake_with_the_traceback(node: JavaNode) -> None:
    with pytest.raises(JavaError) as caught:
        node.deploy("import.fails", "import_fails", "handle")
    assert caught.value.reason == "import"
    assert caught.value.remote_trace is not None
    assert "does_not_exist_anywhere" in caught.value.remote_trace
