"""How the child tells a handler's kind (reported in `ready`)."""

import functools

from commbus._handlers import detect_kind


def plain(payload):
    return payload


async def coroutine(payload):
    return payload


async def generator(payload):
    yield payload


def sync_generator(payload):
    yield payload


class Handlers:
    def method(self, payload):
        return payload

    async def async_method(self, payload):
        return payload

    async def stream_method(self, payload):
        yield payload


class AsyncCallable:
    async def __call__(self, payload):
        return payload


class StreamCallable:
    async def __call__(self, payload):
        yield payload


def test_functions():
    assert detect_kind(plain) == "sync"
    assert detect_kind(coroutine) == "async"
    assert detect_kind(generator) == "stream"
    assert detect_kind(lambda payload: payload) == "sync"


def test_a_sync_generator_is_sync():
    # Only async generators stream; the protocol has no kind for a plain generator.
    assert detect_kind(sync_generator) == "sync"


def test_methods():
    handlers = Handlers()
    assert detect_kind(handlers.method) == "sync"
    assert detect_kind(handlers.async_method) == "async"
    assert detect_kind(handlers.stream_method) == "stream"


def test_partials():
    assert detect_kind(functools.partial(coroutine)) == "async"
    assert detect_kind(functools.partial(generator)) == "stream"
    assert detect_kind(functools.partial(plain)) == "sync"


def test_callable_objects_count_by_their_call():
    assert detect_kind(AsyncCallable()) == "async"
    assert detect_kind(StreamCallable()) == "stream"
