"""The child process end to end, against a scripted parent (tests/fake_parent.py).

Each test starts a real ``python -m commbus.child`` and plays the parent's side of
docs/protocol.md frame by frame.
"""

import time

from fake_parent import TOKEN, FakeParent, run_with_parent

# ---- handshake


def test_hello_then_ready_with_the_detected_kind():
    async def scenario(parent: FakeParent):
        hello, ready = await parent.handshake(function="async_handler")
        assert hello.header["v"] == 1
        assert hello.header["token"] == TOKEN
        assert hello.header["pid"] == parent.process.pid
        assert hello.header["runtime"].startswith("python 3.")
        assert ready.header == {"t": "ready", "kind": "async"}
        parent.close_connection()
        assert await parent.exit_status() == 0

    run_with_parent(scenario)


def test_kinds_reported_in_ready():
    for function, kind in (("sync_handler", "sync"), ("stream_handler", "stream")):

        async def scenario(parent: FakeParent):
            _, ready = await parent.handshake(function=function)
            assert ready.header["kind"] == kind
            parent.send({"t": "bye", "grace": 1000})
            assert await parent.exit_status() == 0

        run_with_parent(scenario)


def test_refused_handshake_exits_3():
    async def scenario(parent: FakeParent):
        await parent.expect("hello")
        parent.send({"t": "fail", "reason": "bad-token", "message": "token mismatch"})
        parent.close_connection()
        assert await parent.exit_status() == 3
        assert b"bad-token" in parent.stderr

    run_with_parent(scenario)


def test_missing_module_sends_fail_import_and_exits_4():
    async def scenario(parent: FakeParent):
        await parent.expect("hello")
        parent.send({"t": "welcome", "v": 1, "child": "test#1", "entry": {"module": "no_such_worker", "function": "f"}, "callbacks": [], "maxFrame": 1 << 20})
        fail = await parent.expect("fail")
        assert fail.header["reason"] == "import"
        assert "no_such_worker" in fail.header["message"]
        assert "ModuleNotFoundError" in fail.header["traceback"]
        assert await parent.exit_status() == 4

    run_with_parent(scenario)


def test_module_failing_at_import_sends_its_traceback():
    async def scenario(parent: FakeParent):
        await parent.expect("hello")
        parent.send({"t": "welcome", "v": 1, "child": "test#1", "entry": {"module": "broken_worker", "function": "f"}, "callbacks": [], "maxFrame": 1 << 20})
        fail = await parent.expect("fail")
        assert fail.header["reason"] == "import"
        assert "broken_worker.py" in fail.header["traceback"]
        assert "the broken worker cannot start" in fail.header["traceback"]
        assert await parent.exit_status() == 4

    run_with_parent(scenario)


def test_missing_function_exits_4():
    async def scenario(parent: FakeParent):
        await parent.expect("hello")
        parent.send({"t": "welcome", "v": 1, "child": "test#1", "entry": {"module": "child_workers", "function": "nope"}, "callbacks": [], "maxFrame": 1 << 20})
        fail = await parent.expect("fail")
        assert fail.header["message"] == "entry module 'child_workers' has no function 'nope'"
        assert await parent.exit_status() == 4

    run_with_parent(scenario)


def test_missing_environment_exits_2():
    async def scenario(parent: FakeParent):
        assert await parent.exit_status() == 2
        assert b"COMMBUS_TOKEN" in parent.stderr

    run_with_parent(scenario, drop=("COMMBUS_TOKEN",))


def test_unreachable_socket_exits_2():
    async def scenario(parent: FakeParent):
        assert await parent.exit_status() == 2
        assert b"cannot connect" in parent.stderr

    run_with_parent(scenario, env={"COMMBUS_SOCKET": "/nonexistent/commbus.sock"})


def test_wrong_protocol_version_in_welcome_exits_3():
    async def scenario(parent: FakeParent):
        await parent.expect("hello")
        parent.send({"t": "welcome", "v": 2, "child": "x", "entry": {"module": "m", "function": "f"}, "callbacks": [], "maxFrame": 1 << 20})
        await parent.closed()
        assert await parent.exit_status() == 3

    run_with_parent(scenario)


# ---- requests


def test_sync_handler_runs_on_a_worker_thread_and_sees_its_request():
    async def scenario(parent: FakeParent):
        await parent.handshake(function="sync_handler")
        res = await parent.answer(parent.request({"x": 1}, type="test.Echo"))
        assert res.body["echo"] == {"x": 1}
        assert res.body["type"] == "test.Echo"
        assert res.body["thread"].startswith("commbus-handler")

    run_with_parent(scenario)


def test_a_blocking_sync_handler_leaves_the_loop_free():
    async def scenario(parent: FakeParent):
        await parent.handshake(function="sync_handler")
        blocked = parent.request("block")
        parent.send({"t": "ping", "id": 41})
        assert (await parent.expect("pong")).header == {"t": "pong", "id": 41}
        released = parent.request("release")
        answers = await parent.answers(blocked, released)
        assert answers[released].body == "released"
        assert answers[blocked].body["released"] is True

    run_with_parent(scenario)


def test_async_handler_results_json_raw_and_none():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        res = await parent.answer(parent.request({"a": [1, 2, {"b": None}]}))
        assert res.header == {"t": "res", "id": 1, "b": "j"} and res.body == {"a": [1, 2, {"b": None}]}
        res = await parent.answer(parent.request({"do": "raw"}))
        assert res.header["b"] == "r" and res.body == b"\x00raw\xff"
        res = await parent.answer(parent.request({"do": "none"}))
        assert res.header == {"t": "res", "id": 3} and res.body is None

    run_with_parent(scenario)


def test_raw_request_payload_reaches_the_handler_as_bytes():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        res = await parent.answer(parent.request(b"\x01\x02"))
        assert res.header["b"] == "r" and res.body == b"\x01\x02"

    run_with_parent(scenario)


def test_handler_exception_is_handler_failed_with_type_and_traceback():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        err = await parent.answer(parent.request({"do": "fail"}))
        assert err.t == "err"
        assert err.header["code"] == "HANDLER_FAILED"
        assert err.header["etype"] == "ValueError"
        assert err.header["message"] == "bad input"
        trace = err.header["traceback"]
        assert trace.startswith("Traceback") and "child_workers.py" in trace
        assert "_serving.py" not in trace  # the SDK's own frames are left out

    run_with_parent(scenario)


def test_commbus_error_from_a_handler_keeps_its_code():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        err = await parent.answer(parent.request({"do": "reject"}))
        assert (err.header["code"], err.header["message"], err.header["etype"]) == (
            "REJECTED",
            "not today",
            "commbus.errors.RejectedError",
        )

    run_with_parent(scenario)


def test_an_exception_of_the_programs_own_travels_by_its_qualified_name():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        err = await parent.answer(parent.request({"do": "fail_own"}))
        assert (err.header["code"], err.header["etype"]) == ("HANDLER_FAILED", "child_workers.QuoteError")

    run_with_parent(scenario)


def test_unserialisable_result_is_a_codec_error():
    async def scenario(parent: FakeParent):
        await parent.handshake(function="unserialisable")
        err = await parent.answer(parent.request(None))
        assert err.header["code"] == "CODEC"
        assert "cannot encode dict as JSON" in err.header["message"]

    run_with_parent(scenario)


def test_current_request_carries_type_trace_and_deadline():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        deadline = int(time.time() * 1000) + 60_000
        res = await parent.answer(parent.request({"do": "context"}, type="test.Ctx", tp="00-abc-def-01", dl=deadline))
        assert res.body == {"type": "test.Ctx", "traceparent": "00-abc-def-01", "deadline": deadline / 1000}

    run_with_parent(scenario)


def test_requests_are_served_concurrently():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        hanging = parent.request({"do": "hang", "tag": "first"})
        quick = parent.request({"x": 1})
        assert (await parent.answer(quick)).body == {"x": 1}
        parent.send({"t": "cancel", "id": hanging})
        call = await parent.expect("call")
        assert (call.header["op"], call.header["type"], call.body) == ("send", "test.Cancelled", "first")

    run_with_parent(scenario)


def test_ping_is_answered_with_pong():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        parent.send({"t": "ping", "id": 7})
        assert (await parent.expect("pong")).header == {"t": "pong", "id": 7}

    run_with_parent(scenario)


# ---- streams answered by the child


def test_stream_handler_batches_items_within_credit():
    async def scenario(parent: FakeParent):
        await parent.handshake(function="stream_handler")
        request_id = parent.request({"n": 5}, credit=2)
        first = await parent.expect("items")
        assert first.header == {"t": "items", "id": request_id, "n": 2, "b": "j"}
        assert first.body == [{"i": 0}, {"i": 1}]
        # With its credit used up the child waits: the pong overtakes the next items.
        parent.send({"t": "ping", "id": 1})
        await parent.expect("pong")
        parent.send({"t": "credit", "id": request_id, "n": 10})
        second = await parent.expect("items")
        assert second.body == [{"i": 2}, {"i": 3}, {"i": 4}]
        assert (await parent.expect("end")).header == {"t": "end", "id": request_id}

    run_with_parent(scenario)


def test_stream_raw_items_go_alone_and_in_order():
    async def scenario(parent: FakeParent):
        await parent.handshake(function="stream_handler")
        request_id = parent.request({"n": 3, "raw": True})
        frames = []
        while not frames or frames[-1].t != "end":
            frames.append(await parent.next())
        assert [(f.t, f.header.get("b"), f.body) for f in frames] == [
            ("items", "j", [{"i": 0}, {"i": 1}, {"i": 2}]),
            ("item", "r", b"raw-tail"),
            ("item", "j", {"after": "raw"}),
            ("end", None, None),
        ]
        assert all(f.header["id"] == request_id for f in frames)

    run_with_parent(scenario)


def test_stream_handler_failure_after_items():
    async def scenario(parent: FakeParent):
        await parent.handshake(function="stream_handler")
        parent.request({"n": 2, "fail": True})
        assert (await parent.expect("items")).body == [{"i": 0}, {"i": 1}]
        err = await parent.expect("err")
        assert (err.header["code"], err.header["etype"]) == ("HANDLER_FAILED", "KeyError")

    run_with_parent(scenario)


def test_cancel_closes_the_async_generator():
    async def scenario(parent: FakeParent):
        await parent.handshake(function="stream_handler")
        request_id = parent.request({"n": 1, "hang": True, "report_close": True})
        await parent.expect("item")
        parent.send({"t": "cancel", "id": request_id})
        call = await parent.expect("call")
        assert (call.header["op"], call.header["type"]) == ("send", "test.StreamClosed")
        parent.send({"t": "res", "id": call.header["id"]})
        # Nothing more for the cancelled request: the next frame is the pong.
        parent.send({"t": "ping", "id": 2})
        await parent.expect("pong")

    run_with_parent(scenario)


# ---- calls made by the child


def test_query_carries_timeout_trace_and_deadline_of_the_request():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        request_id = parent.request({"do": "query"}, tp="00-trace-span-01", dl=4_102_444_800_000)
        call = await parent.expect("call")
        assert call.header == {
            "t": "call", "id": 1, "op": "query", "type": "test.Quote", "timeout": 1500,
            "tp": "00-trace-span-01", "dl": 4_102_444_800_000, "b": "j",
        }
        assert call.body == {"symbol": "ACME"}
        parent.send({"t": "res", "id": 1}, {"bid": 1.5})
        assert (await parent.answer(request_id)).body == {"bid": 1.5}

    run_with_parent(scenario)


def test_err_answer_raises_the_mapped_exception():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        request_id = parent.request({"do": "query_error"})
        call = await parent.expect("call")
        parent.send({"t": "err", "id": call.header["id"], "code": "TIMEOUT", "message": "query test.Quote timed out after 2000 ms"})
        res = await parent.answer(request_id)
        assert res.body == {"caught": "Timeout", "str": "TIMEOUT: query test.Quote timed out after 2000 ms"}

    run_with_parent(scenario)


def test_publish_returns_the_position_and_send_returns_none():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        request_id = parent.request({"do": "publish"})
        call = await parent.expect("call")
        assert (call.header["op"], call.header["type"], call.body) == ("publish", "test.Happened", {"n": 1})
        parent.send({"t": "res", "id": call.header["id"]}, {"position": 42})
        assert (await parent.answer(request_id)).body == 42
        request_id = parent.request({"do": "send"})
        call = await parent.expect("call")
        assert call.header["op"] == "send"
        parent.send({"t": "res", "id": call.header["id"]})
        assert (await parent.answer(request_id)).body == "sent"

    run_with_parent(scenario)


def test_callback_attribute_streams_items_and_grants_credit():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        request_id = parent.request({"do": "callback"})
        call = await parent.expect("call")
        assert (call.header["op"], call.header["type"], call.header["credit"]) == ("callback", "market.MarketData", 256)
        call_id = call.header["id"]
        parent.send({"t": "items", "id": call_id, "n": 256}, list(range(256)))
        # Taking the 256 items grants two half windows.
        for _ in range(2):
            assert (await parent.expect("credit")).header == {"t": "credit", "id": call_id, "n": 128}
        parent.send({"t": "item", "id": call_id}, "last")
        parent.send({"t": "end", "id": call_id})
        res = await parent.answer(request_id)
        assert res.body == list(range(256)) + ["last"]

    run_with_parent(scenario)


def test_breaking_out_of_a_callback_stream_sends_cancel():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        request_id = parent.request({"do": "callback_break"})
        call = await parent.expect("call")
        assert call.header["type"] == "trading.DataFetch"
        parent.send({"t": "items", "id": call.header["id"], "n": 3}, ["a", "b", "c"])
        cancel = await parent.expect("cancel")
        assert cancel.header == {"t": "cancel", "id": call.header["id"]}
        assert (await parent.answer(request_id)).body == ["a", "b"]

    run_with_parent(scenario)


def test_callback_handle_reaches_unlisted_paths_and_single_res_is_a_stream_of_one():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        request_id = parent.request({"do": "callback_handle"})
        call = await parent.expect("call")
        assert (call.header["op"], call.header["type"]) == ("callback", "not.Listed")
        parent.send({"t": "res", "id": call.header["id"]}, {"only": 1})
        assert (await parent.answer(request_id)).body == [{"only": 1}]

    run_with_parent(scenario)


def test_callback_handle_returns_the_stream_with_or_without_await():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        for action, x in (("callback_handle_direct", 2), ("callback_handle", 1)):
            request_id = parent.request({"do": action})
            call = await parent.expect("call")
            assert (call.header["op"], call.header["type"], call.body) == ("callback", "not.Listed", {"x": x})
            parent.send({"t": "item", "id": call.header["id"]}, {"n": 1})
            parent.send({"t": "end", "id": call.header["id"]})
            assert (await parent.answer(request_id)).body == [{"n": 1}]

    run_with_parent(scenario)


def test_errors_are_builtin_timeouts_and_name_the_call_that_failed():
    cases = [
        ("query_timeout", "TIMEOUT", {"caught": "Timeout", "operation": "query", "message_type": "test.Quote"}),
        ("callback_rejected", "REJECTED", {"caught": "RejectedError", "operation": "callback", "message_type": "market.MarketData"}),
    ]

    async def scenario(parent: FakeParent):
        await parent.handshake()
        for action, code, expected in cases:
            request_id = parent.request({"do": action})
            call = await parent.expect("call")
            parent.send({"t": "err", "id": call.header["id"], "code": code, "message": "no"})
            assert (await parent.answer(request_id)).body == expected

    run_with_parent(scenario)


def test_items_on_a_subscription_are_a_protocol_error():
    # The protocol sends events one `item` each: only an item header carries type and position.
    async def scenario(parent: FakeParent):
        await parent.handshake(module="subscriber_worker", function="handle")
        call = await parent.expect("call")
        assert call.header["op"] == "subscribe"
        parent.send({"t": "items", "id": call.header["id"], "n": 2, "type": "test.Event"}, [{"n": 1}, {"n": 2}])
        await parent.closed()
        assert await parent.exit_status() == 3
        assert b"a subscription, whose events come one 'item' each" in parent.stderr

    run_with_parent(scenario)


def test_a_callback_the_parent_did_not_list_is_still_called():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        request_id = parent.request({"do": "callback_unknown"})
        call = await parent.expect("call")
        assert (call.header["op"], call.header["type"]) == ("callback", "market.MarketDta")
        parent.send({"t": "err", "id": call.header["id"], "code": "NO_HANDLER",
                     "message": "no node of the bus has a handler for callback market.MarketDta"})
        res = await parent.answer(request_id)
        assert res.body == {"error": "NO_HANDLER: no node of the bus has a handler for callback market.MarketDta",
                            "listed": ["MarketData"]}

    run_with_parent(scenario)


def test_subscription_at_import_time_starts_after_ready():
    async def scenario(parent: FakeParent):
        await parent.handshake(module="subscriber_worker", function="handle")
        call = await parent.expect("call")  # held back until `ready` went out
        assert (call.header["op"], call.header["type"]) == ("subscribe", "test.Event")
        assert "b" not in call.header
        sub_id = call.header["id"]
        parent.send({"t": "item", "id": sub_id, "type": "test.Event", "pos": 10}, "boom")
        parent.send({"t": "item", "id": sub_id, "type": "test.Event", "pos": 11}, {"n": 1})
        seen = await parent.expect("call")
        assert (seen.header["op"], seen.header["type"], seen.body) == ("send", "test.Seen", {"n": 1})
        parent.send({"t": "res", "id": seen.header["id"]})
        # A handler starts within the read that brings its request, so the request must not
        # share a read with the answer the subscriber waits for: a round trip keeps them apart.
        parent.send({"t": "ping", "id": 1})
        assert (await parent.expect("pong")).header["id"] == 1
        res = await parent.answer(parent.request(None))
        assert res.body == {"last_position": 11, "failures": 1}

    run_with_parent(scenario)


# ---- protocol errors and shutdown


def test_protocol_error_exits_3():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        parent.send_bytes(b"\x00\x00\x00\x02\x00\x00")  # N=2 < 4
        await parent.closed()
        assert await parent.exit_status() == 3
        assert b"protocol error" in parent.stderr

    run_with_parent(scenario)


def test_items_beyond_the_granted_credit_are_a_protocol_error():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        parent.request({"do": "callback"})
        call = await parent.expect("call")
        parent.send({"t": "items", "id": call.header["id"], "n": 257}, list(range(257)))
        # The child may grant credit for what it consumed before it notices; then it closes.
        while (frame := await parent.next()) is not None:
            assert frame.t == "credit", frame
        assert await parent.exit_status() == 3

    run_with_parent(scenario)


def test_request_before_ready_is_a_protocol_error():
    async def scenario(parent: FakeParent):
        await parent.expect("hello")
        parent.send({"t": "req", "id": 1, "type": "x"}, {})
        await parent.closed()
        assert await parent.exit_status() == 3

    run_with_parent(scenario)


def test_bye_lets_requests_in_flight_finish_and_refuses_new_ones():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        in_flight = parent.request({"do": "wait_for_parent"})
        call = await parent.expect("call")
        parent.send({"t": "bye", "grace": 10_000})
        refused = parent.request({"x": 1})
        err = await parent.answer(refused)
        assert err.header["code"] == "UNAVAILABLE"
        parent.send({"t": "res", "id": call.header["id"]}, "done")
        assert (await parent.answer(in_flight)).body == "done"
        await parent.closed()
        assert await parent.exit_status() == 0

    run_with_parent(scenario)


def test_bye_grace_expires_and_the_rest_is_cancelled():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        in_flight = parent.request({"do": "wait_for_parent"})
        call = await parent.expect("call")
        parent.send({"t": "bye", "grace": 0})
        # The cancelled handler abandons its own call first, then its request is answered.
        assert (await parent.expect("cancel")).header == {"t": "cancel", "id": call.header["id"]}
        err = await parent.answer(in_flight)
        assert err.header["code"] == "CANCELLED"
        await parent.closed()
        assert await parent.exit_status() == 0

    run_with_parent(scenario)


def test_parent_closing_the_connection_exits_0():
    async def scenario(parent: FakeParent):
        await parent.handshake()
        parent.request({"do": "hang"})
        parent.close_connection()
        assert await parent.exit_status() == 0

    run_with_parent(scenario)

