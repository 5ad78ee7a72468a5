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

``serve_node`` is the entry of a session's node process: the node sends it one request naming
the function and the channels, and it answers with a stream of the node's events (``ready``,
then ``failed`` if the function raised) that ends when the node is done.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Final

from ._handlers import format_traceback, type_name
from .channels import ChannelReader, ChannelWriter, Item
from .child import load_entry
from .errors import CommBusError, HandlerFailedError, UnavailableError

__all__ = ["Ports", "run_node", "serve_node"]

# How often an output port tries its reader again while the reader's node is still starting.
_CONNECT_RETRY = 0.01
# How long a node being stopped waits for a reader to take its outputs' err.
_STOP_CLOSE = 1.0


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


async def _connect(path: str, deadline: float, resume_timeout: float | None) -> ChannelWriter:
    """Connects to the reader at ``path``, trying again while its node has not listened yet."""
    while True:
        try:
            return await ChannelWriter.connect(path, resume_timeout=resume_timeout)
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no node listened at {path} in time") from None
            await asyncio.sleep(_CONNECT_RETRY)


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
    on_failure: Callable[[CommBusError, BaseException, str], None] | None = None,
    resumable: bool = False,
    on_resumed: Callable[[str, int], None] | None = None,
) -> None:
    """Runs ``function`` over the node's channels: ``inputs`` maps each input port to the socket
    path it listens at and its capacity, ``outputs`` each output port to the path it connects to.
    ``on_ready`` is called once every channel is in place; ``on_failure``, when the function
    raised, with the error the outputs end with, the exception, and where it came from:
    ``"input"`` (an input's error passing through: a node upstream failed), ``"output"`` (an
    output's reader went away: a node downstream failed) or ``"node"`` (this node failed).
    ``resumable`` channels outlive a neighbour's restart (see ``commbus.channels``); each time an
    output resumed, ``on_resumed`` hears the port and how many items were lost."""
    readers: dict[str, ChannelReader] = {}
    writers: dict[str, ChannelWriter] = {}
    error: CommBusError | None = None
    stopped = False
    try:
        for port, (path, capacity) in inputs.items():
            readers[port] = await ChannelReader.listen(path, capacity, resumable=resumable)
        deadline = time.monotonic() + connect_timeout
        for port, path in outputs.items():  # each waits for its reader; all of them together within the deadline
            writers[port] = writer = await _connect(path, deadline, connect_timeout if resumable else None)
            if on_resumed is not None:
                writer.on_resumed = functools.partial(on_resumed, port)
        if on_ready is not None:
            on_ready()
        try:
            await _run(function, config, readers, writers)
        except Exception as exc:
            error = exc if isinstance(exc, CommBusError) else HandlerFailedError(f"{type(exc).__name__}: {exc}")
            if on_failure is not None:
                on_failure(error, exc, _origin(exc, readers, writers))
            raise
        except BaseException:
            # Cancelled or interrupted: what went downstream is not the whole stream, and must not look it.
            error = UnavailableError("the node was stopped before it finished")
            stopped = True
            raise
    finally:
        # A resumable node that failed by itself goes as a crashed one would, so its neighbours
        # wait for its restart rather than end: an err would end the stream downstream.
        restarting = resumable and error is not None and not stopped
        cancelled_again = False
        for writer in writers.values():
            try:
                if restarting or (stopped and resumable):
                    writer.abort()
                elif stopped:
                    # Its readers are being stopped too: the err is a courtesy, not worth the grace period.
                    await asyncio.wait_for(writer.close(error), _STOP_CLOSE)
                else:
                    await writer.close(error)
            except asyncio.CancelledError:
                writer.abort()  # cancelled while it closed: the rest are dropped too, and the cancel goes on
                cancelled_again = True
            except Exception:  # noqa: BLE001 - one writer's failure must not keep the others open
                writer.abort()
        for reader in readers.values():
            await reader.close()
        if cancelled_again:
            raise asyncio.CancelledError()


def _origin(exc: BaseException, readers: Mapping[str, ChannelReader], writers: Mapping[str, ChannelWriter]) -> str:
    """Where a node's failure came from: an input's error, an output's loss, or the node itself."""
    if any(reader.failure is exc for reader in readers.values()):
        return "input"
    if any(writer.failure is exc for writer in writers.values()):
        return "output"
    return "node"


async def _run(function: Callable[..., Any], config: Any, readers: dict[str, ChannelReader],
               writers: dict[str, ChannelWriter]) -> None:
    if _form(function) == "ports":
        await function(Ports(readers, writers), config)
        return
    if len(readers) > 1 or len(writers) > 1:
        raise TypeError(f"{function.__qualname__} is a transform, for a node of at most one input and one output; "
                        f"this node has inputs {sorted(readers)} and outputs {sorted(writers)}: take ports instead "
                        "(async def node(ports, config))")
    # The reader itself: an async iterator of Items, with no generator between it and the function.
    arguments = ([next(iter(readers.values()))] if readers else []) + [config]
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


#: The events a node process streams to the session (``serve_node``'s items), by ``event``.
READY: Final = "ready"
FAILED: Final = "failed"
RESUMED: Final = "resumed"


async def serve_node(node: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """The entry function of a session's node process (docs/pipelines.md): ``node`` names the
    function (``module``, ``function``), its ``config``, its channels (``inputs``: port to
    ``{path, capacity}``; ``outputs``: port to path), ``connectTimeout`` in milliseconds, and
    whether the channels are ``resumable``. Streams ``{"event": "ready"}`` once the channels are
    in place, ``{"event": "resumed", "port", "lost"}`` each time an output's reader was replaced,
    and, when the function raised,
    ``{"event": "failed", ...}`` with its code, message, type, traceback and origin (see
    ``run_node``); ends when the node is done. A function that does not import fails the
    request itself."""
    function = load_entry(node["module"], node["function"])
    inputs = {port: (spec["path"], int(spec["capacity"])) for port, spec in node.get("inputs", {}).items()}
    outputs = dict(node.get("outputs", {}))
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    reported: list[BaseException] = []

    def failed(error: CommBusError, exc: BaseException, origin: str) -> None:
        reported.append(exc)
        events.put_nowait({"event": FAILED, "code": error.code, "message": error.message, "type": type_name(exc),
                           "trace": format_traceback(exc), "origin": origin})

    def resumed(port: str, lost: int) -> None:
        events.put_nowait({"event": RESUMED, "port": port, "lost": lost})

    run = asyncio.ensure_future(run_node(
        function, node.get("config"), inputs, outputs, connect_timeout=node.get("connectTimeout", 30000) / 1000.0,
        on_ready=lambda: events.put_nowait({"event": READY}), on_failure=failed,
        resumable=bool(node.get("resumable")), on_resumed=resumed))
    try:
        while True:
            next_event = asyncio.ensure_future(events.get())
            await asyncio.wait({next_event, run}, return_when=asyncio.FIRST_COMPLETED)
            if next_event.done():
                yield next_event.result()
                continue
            next_event.cancel()
            while not events.empty():
                yield events.get_nowait()
            if run.exception() is not None and not reported:
                run.result()  # it failed before its function ran (a channel), or was interrupted: the request fails
            return
    finally:
        if not run.done():
            run.cancel()
            await asyncio.gather(run, return_exceptions=True)
