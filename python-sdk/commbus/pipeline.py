"""A pipeline node's side: runs the node's function over its channels (docs/pipelines.md).

A node function takes one of two forms:

- **a transform**, for a node with at most one input and one output::

      async def gate(frames, config):          # frames: the input's Items
          async for frame in frames:
              if loud(frame.data):
                  yield frame.data             # or an Item, to give its ts and content type

  A source has no ``frames`` (``async def tone(config)``, an async generator); a sink is a
  coroutine that returns when its input ends (``async def sink(frames, config)``).

- **multi-port**, for any ports: ``async def mix(ports, config)``, reading with
  ``async for item in ports.input("voice")`` and writing with
  ``await ports.output("mixed").send(data)``.

``run_node`` listens on the node's input channels, connects its output channels (waiting for
their readers to listen, up to a deadline), runs the function, and ends every output channel
when the function returns: with ``end``, or with ``err`` when it raised.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from .channels import ChannelReader, ChannelWriter, Item
from .errors import CommBusError, HandlerFailedError, UnavailableError

__all__ = ["Ports", "run_node"]

# How often an output port tries its reader again while the reader's node is still starting.
_CONNECT_RETRY = 0.01


class Ports:
    """A multi-port node's channels, by port name."""

    def __init__(self, inputs: Mapping[str, ChannelReader], outputs: Mapping[str, ChannelWriter]) -> None:
        self._inputs = dict(inputs)
        self._outputs = dict(outputs)

    def input(self, name: str) -> ChannelReader:
        """The items of input port ``name``, to ``async for`` over."""
        try:
            return self._inputs[name]
        except KeyError:
            raise KeyError(f"this node has no input port {name!r}; it has {sorted(self._inputs) or 'none'}") from None

    def output(self, name: str) -> ChannelWriter:
        """Output port ``name``: ``await ports.output(name).send(data)``."""
        try:
            return self._outputs[name]
        except KeyError:
            raise KeyError(f"this node has no output port {name!r}; it has {sorted(self._outputs) or 'none'}") from None

    @property
    def inputs(self) -> list[str]:
        return sorted(self._inputs)

    @property
    def outputs(self) -> list[str]:
        return sorted(self._outputs)


async def _connect(path: str, deadline: float) -> ChannelWriter:
    """Connects to the reader at ``path``, trying again while its node has not listened yet."""
    while True:
        try:
            return await ChannelWriter.connect(path)
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no node listened at {path} in time") from None
            await asyncio.sleep(_CONNECT_RETRY)


async def _items(reader: ChannelReader) -> AsyncIterator[Item]:
    async for item in reader:
        yield item


async def _send(writer: ChannelWriter, value: Any) -> None:
    if isinstance(value, Item):
        await writer.send(value.data, ts=value.ts, content_type=value.content_type)
    else:
        await writer.send(value)


def _form(function: Callable[..., Any]) -> str:
    """``transform`` or ``ports``, by the function's first parameter's name and its kind."""
    parameters = list(inspect.signature(function).parameters)
    if parameters and parameters[0] == "ports":
        return "ports"
    return "transform"


async def run_node(
    function: Callable[..., Any],
    config: Any,
    inputs: Mapping[str, tuple[str, int]],
    outputs: Mapping[str, str],
    *,
    connect_timeout: float = 30.0,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Runs ``function`` over the node's channels: ``inputs`` maps each input port to the socket
    path it listens at and its capacity, ``outputs`` each output port to the path it connects to.
    ``on_ready`` is called once every channel is in place."""
    readers: dict[str, ChannelReader] = {}
    writers: dict[str, ChannelWriter] = {}
    error: CommBusError | None = None
    try:
        for port, (path, capacity) in inputs.items():
            readers[port] = await ChannelReader.listen(path, capacity)
        deadline = time.monotonic() + connect_timeout
        for port, path in outputs.items():  # each waits for its reader; all of them together within the deadline
            writers[port] = await _connect(path, deadline)
        if on_ready is not None:
            on_ready()
        try:
            await _run(function, config, readers, writers)
        except CommBusError as exc:
            error = exc
            raise
        except Exception as exc:
            error = HandlerFailedError(f"{type(exc).__name__}: {exc}")
            raise
        except BaseException:
            # Cancelled or interrupted: what went downstream is not the whole stream, and must not look it.
            error = UnavailableError("the node was stopped before it finished")
            raise
    finally:
        for writer in writers.values():
            try:
                await writer.close(error)
            except Exception:  # noqa: BLE001 - one writer's failure must not keep the others open
                pass
        for reader in readers.values():
            await reader.close()


async def _run(function: Callable[..., Any], config: Any, readers: dict[str, ChannelReader],
               writers: dict[str, ChannelWriter]) -> None:
    if _form(function) == "ports":
        await function(Ports(readers, writers), config)
        return
    if len(readers) > 1 or len(writers) > 1:
        raise TypeError(f"{function.__qualname__} is a transform, for a node of at most one input and one output; "
                        f"this node has inputs {sorted(readers)} and outputs {sorted(writers)}: take ports instead "
                        "(async def node(ports, config))")
    arguments = ([_items(next(iter(readers.values())))] if readers else []) + [config]
    writer = next(iter(writers.values()), None)
    result = function(*arguments)
    if inspect.isasyncgen(result):
        async for value in result:
            if writer is None:
                raise TypeError(f"{function.__qualname__} yields, but this node has no output")
            await _send(writer, value)
    elif inspect.isawaitable(result):
        await result  # a sink: done when it returns
    elif result is not None:
        raise TypeError(f"{function.__qualname__} is neither an async generator nor a coroutine function")
