"""The receiving half of a stream: hand-out order, credit, end, errors and cancellation."""

import asyncio
import gc

import pytest

from commbus._streams import Event, ItemStream, _Inbound
from commbus.errors import ProtocolError, Timeout


class Wire:
    """Records what the stream would send to the parent."""

    def __init__(self):
        self.credits = []
        self.cancels = []

    def credit(self, call_id, n):
        self.credits.append((call_id, n))

    def cancel(self, call_id):
        self.cancels.append(call_id)


def make(window=8, events=False):
    wire = Wire()
    inbound = _Inbound(3, "callback", "test.Items", window, events, wire.credit, wire.cancel)
    return wire, inbound, ItemStream(inbound)


def run(coroutine):
    return asyncio.run(coroutine)


async def next_iteration():
    """Lets every task that is ready run one step (one turn of the event loop)."""
    loop = asyncio.get_running_loop()
    turn = loop.create_future()
    loop.call_soon(turn.set_result, None)
    await turn


def test_items_come_out_in_order_and_end_stops():
    async def scenario():
        wire, inbound, stream = make(window=8)
        inbound.push_many([1, 2, 3])
        inbound.push(4)
        inbound.finish()
        return [item async for item in stream], wire

    items, wire = run(scenario())
    assert items == [1, 2, 3, 4]
    assert wire.cancels == []


def test_credit_is_granted_every_half_window():
    async def scenario():
        wire, inbound, stream = make(window=8)
        inbound.push_many(list(range(8)))
        taken = [await stream.__anext__() for _ in range(8)]
        assert taken == list(range(8))
        assert wire.credits == [(3, 4), (3, 4)]
        # The grants made room for eight more.
        inbound.push_many(list(range(8)))
        with pytest.raises(ProtocolError, match="more items than granted"):
            inbound.push(99)

    run(scenario())


def test_more_items_than_the_window_is_a_protocol_error():
    async def scenario():
        _, inbound, _ = make(window=4)
        with pytest.raises(ProtocolError, match="more items than granted"):
            inbound.push_many([1, 2, 3, 4, 5])

    run(scenario())


def test_consumer_waits_for_the_next_frame():
    async def scenario():
        _, inbound, stream = make()
        consumer = asyncio.ensure_future(stream.__anext__())
        await next_iteration()  # the consumer now waits on the empty stream
        assert not consumer.done()
        inbound.push_many(["a", "b"])
        assert await consumer == "a"
        assert await stream.__anext__() == "b"

    run(scenario())


def test_error_is_raised_after_the_buffered_items():
    async def scenario():
        _, inbound, stream = make()
        inbound.push_many([1, 2])
        inbound.finish(Timeout("callback test.Items timed out after 100 ms"))
        got = []
        with pytest.raises(Timeout, match="timed out"):
            async for item in stream:
                got.append(item)
        assert got == [1, 2]
        # Once raised, the stream is simply over.
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()

    run(scenario())


def test_aclose_cancels_an_open_exchange_once():
    async def scenario():
        wire, inbound, stream = make()
        inbound.push(1)
        await stream.aclose()
        await stream.aclose()
        assert wire.cancels == [3]
        assert [item async for item in stream] == []

    run(scenario())


def test_no_cancel_after_the_stream_ended():
    async def scenario():
        wire, inbound, stream = make()
        inbound.finish()
        async with stream:
            pass
        assert wire.cancels == []

    run(scenario())


def test_breaking_out_of_async_for_over_a_temporary_cancels():
    async def scenario():
        wire, inbound, _ = make()
        inbound.push_many([1, 2, 3])
        async for item in ItemStream(inbound):
            if item == 2:
                break
        gc.collect()
        assert wire.cancels == [3]

    run(scenario())


def test_async_with_cancels_on_exit():
    async def scenario():
        wire, inbound, stream = make()
        inbound.push_many([1, 2, 3])
        async with stream as items:
            assert await items.__anext__() == 1
        assert wire.cancels == [3]

    run(scenario())


def test_cancel_wakes_a_waiting_consumer():
    async def scenario():
        _, inbound, stream = make()
        consumer = asyncio.ensure_future(stream.__anext__())
        await next_iteration()
        stream.close()
        with pytest.raises(StopAsyncIteration):
            await consumer

    run(scenario())


def test_event_items_keep_type_and_position():
    event = Event("trading.OrderPlaced", 42, {"orderId": "o-1"})
    assert (event.type, event.position, event.payload) == ("trading.OrderPlaced", 42, {"orderId": "o-1"})
    assert "OrderPlaced" in repr(event)
