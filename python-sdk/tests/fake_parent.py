"""A scripted parent for tests: the parent's side of the child protocol, driven by the test.

It listens on a Unix socket in a private temporary directory, starts ``python -m
commbus.child`` with the protocol's environment, and hands the test every frame the child
sends. Nothing here waits on a clock except the overall per-step timeout that turns a hang
into a failure.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from typing import Any

from commbus.frames import Frame, encode_frame
from frame_feed import FrameFeed

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
SDK_ROOT = os.path.dirname(TESTS_DIR)
TOKEN = "5e" * 32
STEP_TIMEOUT = 20.0


class FakeParent:
    def __init__(self) -> None:
        self.frames: asyncio.Queue[Frame | None] = asyncio.Queue()
        self.connected = asyncio.get_running_loop().create_future()
        self.writer: asyncio.StreamWriter | None = None
        self.process: asyncio.subprocess.Process | None = None
        self.next_id = 1
        self.stderr = b""

    async def start(self, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> None:
        """Listens and starts the child; ``env`` adds variables, ``drop`` removes some."""
        self.directory = tempfile.TemporaryDirectory(prefix="commbus-test-")
        os.chmod(self.directory.name, 0o700)
        self.socket_path = os.path.join(self.directory.name, "child.sock")
        self.server = await asyncio.start_unix_server(self._accept, self.socket_path)
        child_env = {
            "COMMBUS_SOCKET": self.socket_path,
            "COMMBUS_TOKEN": TOKEN,
            "COMMBUS_CHILD_ID": "test#1",
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": os.pathsep.join([SDK_ROOT, TESTS_DIR]),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        for name in drop:
            child_env.pop(name, None)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "commbus.child", env=child_env, stderr=asyncio.subprocess.PIPE
        )

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.connected.set_result(None)
        decoder = FrameFeed()
        while True:
            data = await reader.read(65536)
            if not data:
                await self.frames.put(None)
                return
            for frame in decoder.feed(data):
                await self.frames.put(frame)

    # ---- talking to the child

    def send(self, header: dict[str, Any], body: Any = None) -> None:
        assert self.writer is not None
        self.writer.write(encode_frame(header, body))

    def send_bytes(self, data: bytes) -> None:
        assert self.writer is not None
        self.writer.write(data)

    def close_connection(self) -> None:
        assert self.writer is not None
        self.writer.close()

    async def next(self) -> Frame | None:
        """The child's next frame; None once it closed the connection."""
        return await asyncio.wait_for(self.frames.get(), STEP_TIMEOUT)

    async def expect(self, kind: str) -> Frame:
        frame = await self.next()
        assert frame is not None, f"expected '{kind}', the child closed the connection"
        assert frame.t == kind, f"expected '{kind}', got {frame}"
        return frame

    async def closed(self) -> None:
        frame = await self.next()
        assert frame is None, f"expected the connection to close, got {frame}"

    async def handshake(
        self, module: str = "child_workers", function: str = "async_handler", callbacks: list[str] | None = None
    ) -> tuple[Frame, Frame]:
        """Runs the handshake to `ready`; returns the `hello` and `ready` frames."""
        hello = await self.expect("hello")
        self.send(
            {
                "t": "welcome",
                "v": 1,
                "child": "test#1",
                "entry": {"module": module, "function": function},
                "callbacks": callbacks if callbacks is not None else ["market.MarketData", "trading.DataFetch"],
                "maxFrame": 16 * 1024 * 1024,
            }
        )
        ready = await self.expect("ready")
        return hello, ready

    def request(self, payload: Any = None, *, type: str = "test.Request", **header: Any) -> int:
        """Sends a `req` and returns its id."""
        request_id = self.next_id
        self.next_id += 1
        self.send({"t": "req", "id": request_id, "type": type, **header}, payload)
        return request_id

    async def answer(self, request_id: int) -> Frame:
        """Waits for the single answer (`res` or `err`) to a request."""
        frame = await self.next()
        assert frame is not None, "the child closed the connection"
        assert frame.header.get("id") == request_id and frame.t in ("res", "err"), frame
        return frame

    async def answers(self, *request_ids: int) -> dict[int, Frame]:
        """The answers to several requests, whatever order they come in."""
        got: dict[int, Frame] = {}
        while len(got) < len(request_ids):
            frame = await self.next()
            assert frame is not None, "the child closed the connection"
            assert frame.t in ("res", "err") and frame.header.get("id") in request_ids, frame
            got[frame.header["id"]] = frame
        return got

    async def exit_status(self) -> int:
        assert self.process is not None
        _, self.stderr = await asyncio.wait_for(self.process.communicate(), STEP_TIMEOUT)
        return self.process.returncode  # type: ignore[return-value]

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self.server.close()
        self.directory.cleanup()


def run_with_parent(scenario: Any, **start: Any) -> Any:
    """Runs ``scenario(parent)`` against a freshly started child."""

    async def main() -> Any:
        parent = FakeParent()
        await parent.start(**start)
        try:
            return await scenario(parent)
        finally:
            await parent.stop()

    return asyncio.run(main())
