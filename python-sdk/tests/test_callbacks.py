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


def test_unknown_namespace_names_the_known_paths():
    tree = CallbackTree(["market.MarketData", "trading.DataFetch"], opened()[1])
    with pytest.raises(AttributeError) as caught:
        tree.lookup("martket")
    assert "'martket'" in str(caught.value)
    assert "known callbacks: market.MarketData, trading.DataFetch" in str(caught.value)


def test_unknown_type_names_the_known_paths():
    tree = CallbackTree(["market.MarketData"], opened()[1])
    with pytest.raises(AttributeError) as caught:
        tree.lookup("market").MarketDta
    assert "no callback market.MarketDta" in str(caught.value)
    assert "known callbacks: market.MarketData" in str(caught.value)


def test_no_callbacks_at_all_says_so():
    with pytest.raises(AttributeError, match="has no callbacks"):
        CallbackTree([], opened()[1]).lookup("market")


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
