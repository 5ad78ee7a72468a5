"""How async handlers start: the choice per interpreter, and each way it can go.

Only Python 3.11 is installed where these run, so the 3.12 way (asyncio's eager tasks) is
tested for its wiring, with a stand-in for ``asyncio.eager_task_factory``.
"""

from __future__ import annotations

import asyncio
import sys
import types
from typing import Any

import pytest

from commbus import _eager
from commbus._eager import FirstStep, Start, select_start
from commbus.frames import encode_frame
from test_serving import _Child, run


def private_api(**functions: Any) -> types.SimpleNamespace:
    return types.SimpleNamespace(**functions)


def test_312_and_newer_use_asyncio_eager_tasks() -> None:
    for version in ((3, 12), (3, 13), (3, 14), (4, 0)):
        assert select_start(version, private_api()) is Start.EAGER_TASK


def test_311_runs_the_first_step_inline_when_asyncio_records_tasks() -> None:
    both = private_api(_enter_task=lambda loop, task: None, _leave_task=lambda loop, task: None)
    assert select_start((3, 11), both) is Start.FIRST_STEP
    assert select_start((3, 11), private_api(_enter_task=lambda loop, task: None)) is Start.TASK
    assert select_start((3, 11), private_api(_enter_task=None, _leave_task=None)) is Start.TASK
    assert select_start((3, 11), private_api()) is Start.TASK


def test_this_interpreter_uses_what_it_has() -> None:
    assert _eager.START is select_start()
    if sys.version_info >= (3, 12):
        assert _eager.START is Start.EAGER_TASK
    else:
        assert _eager.START is Start.FIRST_STEP


async def echo_or_wait(payload: Any) -> Any:
    if payload == "wait":
        await asyncio.get_running_loop().create_future()
    return payload


def test_with_eager_tasks_a_request_runs_in_one_and_cancel_reaches_it(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str | None] = []

    def eager_task_factory(loop: asyncio.AbstractEventLoop, coro: Any, *, name: str | None = None, context: Any = None) -> Any:
        started.append(name)
        return loop.create_task(coro, name=name, context=context)

    monkeypatch.setattr(_eager, "START", Start.EAGER_TASK)
    monkeypatch.setattr(asyncio, "eager_task_factory", eager_task_factory, raising=False)

    async def scenario() -> None:
        child = _Child(echo_or_wait)
        await child.deliver(child.req({"n": 1}), child.req("wait"))
        await child.turns()
        assert started == ["commbus request 1", "commbus request 2"]
        assert [(f.header["id"], f.body) for f in child.written()] == [(1, {"n": 1})]
        assert child.server.in_flight == 1
        await child.deliver(({"t": "cancel", "id": 2}, None))
        await child.turns()
        assert child.server.in_flight == 0
        assert child.written() == []

    run(scenario)


def test_without_either_a_request_runs_in_a_plain_task(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_eager, "START", Start.TASK)

    async def scenario() -> None:
        child = _Child(echo_or_wait)
        await child.deliver(child.req({"n": 1}))
        assert child.written() == []  # not within the read: the task runs a turn later
        await child.turns()
        assert [(f.header["id"], f.body) for f in child.written()] == [(1, {"n": 1})]

    run(scenario)


def test_frames_read_within_a_task_start_their_handler_in_a_task() -> None:
    # A stand-in cannot take the place of a task that is running already.
    async def in_a_real_task(payload: Any) -> Any:
        return [payload, isinstance(asyncio.current_task(), FirstStep)]

    async def scenario() -> None:
        child = _Child(in_a_real_task)
        child._read(b"".join(encode_frame(*child.req(value)) for value in (1, 2)))  # from this task
        await child.turns()
        assert [(f.header["id"], f.body) for f in child.written()] == [(1, [1, False]), (2, [2, False])]
        assert child.server.in_flight == 0
        # Read from a loop callback, as the transport does, the first step runs inline.
        await child.deliver(child.req(3))
        assert [(f.header["id"], f.body) for f in child.written()] == [(3, [3, _eager.START is Start.FIRST_STEP])]

    run(scenario)
