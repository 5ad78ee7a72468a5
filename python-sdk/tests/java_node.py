"""Drives the real Java side (``io.commbus.process.SdkTestNode``) from pytest.

The node runs in its own JVM; each command is one JSON line on its stdin and each answer
one JSON line on its stdout. ``mvn verify`` sets ``COMMBUS_TEST_CLASSPATH`` (and
``COMMBUS_TEST_JAVA``) when it runs these tests after the Java ones.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

WORKERS = Path(__file__).resolve().parent / "workers"


class JavaError(Exception):
    """The node answered with an error: ``code``, ``message``, and what the Java side knows."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code: str = error.get("code", "")
        self.message: str = error.get("message", "")
        self.remote_type: str | None = error.get("remoteType")
        self.remote_trace: str | None = error.get("remoteTrace")
        self.reason: str | None = error.get("reason")


class JavaNode:
    """A running SdkTestNode; use as a context manager."""

    def __init__(self, runtime: str | None = None) -> None:
        """``runtime``: the node's directory (its journal, sockets); a fresh temporary one by
        default. A node started again on the same one finds the journal the last one left."""
        classpath = os.environ.get("COMMBUS_TEST_CLASSPATH")
        if not classpath:
            raise RuntimeError(
                "these tests drive the real Java side and need COMMBUS_TEST_CLASSPATH: run them with "
                "`mvn -B -ntp verify` from the repository root (it sets it), not with pytest alone"
            )
        self._runtime = tempfile.TemporaryDirectory(prefix="commbus-sdk-test-") if runtime is None else None
        directory = runtime if runtime is not None else self._runtime.name  # type: ignore[union-attr]
        java = os.environ.get("COMMBUS_TEST_JAVA", "java")
        self._process = subprocess.Popen(
            [java, "-cp", classpath, "io.commbus.process.SdkTestNode", directory],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
            bufsize=1,
        )
        ready = self._read()
        if ready != {"ok": "ready"}:
            raise RuntimeError(f"the Java node did not start: {ready}")

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the Java node exited with status {self._process.wait()}")
        return json.loads(line)

    def call(self, op: str, **fields: Any) -> Any:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self._process.stdin.flush()
        answer = self._read()
        if "error" in answer:
            raise JavaError(answer["error"])
        return answer["ok"]

    def deploy(self, name: str, module: str, function: str, **fields: Any) -> list[dict[str, Any]]:
        return self.call("deploy", name=name, module=module, function=function, path=[str(WORKERS)], **fields)

    def query(self, type: str, payload: Any = None, timeout_ms: int = 30_000) -> Any:
        return self.call("query", type=type, payload=payload if payload is not None else {}, timeout_ms=timeout_ms)

    def query_bytes(self, type: str, data: bytes) -> bytes:
        answer = self.call("query", type=type, payload_b64=base64.b64encode(data).decode())
        return base64.b64decode(answer["b64"])

    def stream(self, type: str, payload: Any = None, take: int | None = None) -> list[Any]:
        fields: dict[str, Any] = {"type": type, "payload": payload if payload is not None else {}}
        if take is not None:
            fields["take"] = take
        return self.call("stream", **fields)

    def endpoint(self, **fields: Any) -> dict[str, Any]:
        """Starts the node's client endpoint (see SdkTestNode's ``endpoint`` command); answers
        its ``socket``, ``tcpPort`` and, without tokens given, ``tokenFile``."""
        started: dict[str, Any] = self.call("endpoint", **fields)
        return started

    def endpoint_status(self) -> dict[str, Any]:
        status: dict[str, Any] = self.call("endpoint_status")
        return status

    def close(self) -> None:
        if self._process.poll() is None:
            try:
                self.call_quit()
                self._process.wait(timeout=30)
            except Exception:
                self._process.kill()
                self._process.wait()
        if self._runtime is not None:
            self._runtime.cleanup()

    def call_quit(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"op": "quit"}) + "\n")
        self._process.stdin.flush()
        self._process.stdin.close()

    def __enter__(self) -> "JavaNode":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
