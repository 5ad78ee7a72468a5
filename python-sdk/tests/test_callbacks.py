"""Callback paths as attributes, and the API's behaviour outside a child."""

import asyncio

import pytest

import commbus
from commbus._callbacks import CallbackHandle, CallbackTree


def opened():
    calls = []

    def opener(path, payload, timeout, window):
        calls.append((path, payload, timeout, window))
        return f"stream of {path}"

    return calls, opener


def test_paths_become_namespaces_and_callables():
    calls, opener = opened()
    tree = CallbackTree(["market.MarketData", "trading.DataFetch", "trading.Quotes", "a.b.C"], opener)
    handle = tree.lookup("trading").DataFetch
    assert isinstance(handle, CallbackHandle)
    assert handle.path == "trading.DataFetch"
    assert handle({"symbol": "ACME"}, timeout=2, window=64) == "stream of trading.DataFetch"
    assert calls == [("trading.DataFetch", {"symbol": "ACME"}, 2, 64)]
    assert tree.lookup("a").b.C.path == "a.b.C"
    assert dir(tree.lookup("trading")) == ["DataFetch", "Quotes"]
    assert tree.names() == ["a", "market", "trading"]


def test_a_path_the_parent_did_not_list_is_still_callable():
    calls, opener = opened()
    tree = CallbackTree(["market.MarketData"], opener)
    # Its handler may be on another node, or registered after the child started.
    later = tree.lookup("trading").DataFetch
    assert isinstance(later, CallbackHandle) and later.path == "trading.DataFetch"
    assert later({"symbol": "ACME"}) == "stream of trading.DataFetch"
    assert tree.lookup("market").Depth.path == "market.Depth"
    assert calls[0][0] == "trading.DataFetch"
    assert tree.names() == ["market"]  # dir() shows what was listed


def test_calling_a_namespace_says_what_a_callback_path_is():
    tree = CallbackTree(["market.MarketData"], opened()[1])
    with pytest.raises(TypeError) as caught:
        tree.lookup("qeury")("a.B", {})
    assert "commbus.qeury is not a function of commbus but a namespace of callbacks" in str(caught.value)
    assert "known callbacks: market.MarketData" in str(caught.value)


def test_a_name_no_path_can_start_with_is_an_attribute_error():
    tree = CallbackTree([], opened()[1])
    with pytest.raises(AttributeError, match="the parent listed no callbacks"):
        tree.lookup("_private")
    with pytest.raises(AttributeError):
        tree.lookup("market")._hidden


def test_dunder_probes_fail_plainly():
    namespace = CallbackTree(["market.MarketData"], opened()[1]).lookup("market")
    assert not hasattr(namespace, "__wrapped__")


def test_unaddressable_paths_are_skipped():
    tree = CallbackTree(["", "a..b", "single", "single.deeper"], opened()[1])
    assert tree.lookup("single").path == "single"
    assert tree.names() == ["single"]


def test_module_attributes_outside_a_child():
    with pytest.raises(AttributeError, match="exist only inside a commbus child process"):
        commbus.market
    assert not hasattr(commbus, "__wrapped__")
    assert "publish" in dir(commbus)


def test_api_outside_a_child_raises_a_clear_runtime_error():
    async def attempts():
        for call in (
            lambda: commbus.publish("a.B", {}),
            lambda: commbus.send("a.B", {}),
            lambda: commbus.query("a.B", {}),
            lambda: commbus.callback_handle("a.B", {}),
        ):
            with pytest.raises(RuntimeError, match="not running inside a commbus child process"):
                await call()
        for call in (
            lambda: commbus.query_stream("a.B", {}),
            lambda: commbus.subscribe("a.B", print),
            commbus.callback_paths,
        ):
            with pytest.raises(RuntimeError, match="not running inside a commbus child process"):
                call()

    asyncio.run(attempts())


def test_no_current_request_outside_a_handler():
    assert commbus.current_request() is None
