"""``python -m commbus.forkserver MODULE FUNCTION``: a pool's template process in fork mode.

It imports the SDK and the entry module once, then forks a child for each ``fork`` command,
so a child starts with the import already done: a pool resize or a restart is ready in
milliseconds even when the module takes seconds to import. Each child then runs the plain
child session (``commbus.child``): it connects to its socket, says ``hello`` and serves.

It stays single-threaded and never starts an event loop, since only the forking thread lives
on in a child: it reads commands, relays the children's output and reaps them in one
``selectors`` loop. Lines on stdin (from the node)::

    fork {"child": CHILD_ID, "socket": SOCKET_PATH, "token": TOKEN}

and lines on stdout (the node's; the forked children's output comes here too, relayed)::

    ready PID                     the entry module is imported; forks may come
    failed TEXT                   it could not be imported (TEXT is JSON: message, type, traceback); exits 4
    forked CHILD_ID PID           a child was forked
    refused CHILD_ID TEXT         that child could not be forked (TEXT is JSON: why)
    exit PID STATUS               a child exited: its code, or 128 + the signal that killed it
    out PID STREAM TEXT           a line the child wrote to stdout or stderr (STREAM), TEXT as JSON

It exits when its stdin closes (the node is gone or stopped the pool), leaving its children
to end as their sockets close.
"""

from __future__ import annotations

import io
import json
import os
import random
import selectors
import signal
import sys
from typing import Any, Final, NoReturn, TextIO

from ._handlers import format_traceback, type_name
from .child import EntryError, load_entry

__all__ = ["main"]

_EXIT_IMPORT: Final = 4
_READ_SIZE: Final = 65536


class _Child:
    """A forked child's output pipes, read here and relayed line by line."""

    def __init__(self, pid: int, out_fd: int, err_fd: int) -> None:
        self.pid = pid
        self.pending: dict[int, bytes] = {out_fd: b"", err_fd: b""}
        self.streams = {out_fd: "stdout", err_fd: "stderr"}


class _Output(io.TextIOWrapper):
    """A forked child's stdout or stderr: a pipe to the template, which may die before the
    child does. Then what the child writes is dropped rather than raising in its handler."""

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except BrokenPipeError:
            self._orphaned()
            return len(text)

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            self._orphaned()

    def _orphaned(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self.fileno())
        os.close(devnull)


def _output(fd: int) -> _Output:
    return _Output(io.BufferedWriter(io.FileIO(fd, "w", closefd=False)), line_buffering=True)


class _Server:
    def __init__(self, control: TextIO) -> None:
        self.control = control
        self.children: dict[int, _Child] = {}  # by output fd
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        # A handler (not SIG_DFL) so SIGCHLD reaches the wakeup fd; the reaping is in the loop.
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        self.stdin_buffer = b""

    def say(self, line: str) -> None:
        self.control.write(line + "\n")
        self.control.flush()

    def serve(self) -> int:
        stdin = sys.stdin.fileno()
        self.selector.register(stdin, selectors.EVENT_READ)
        self.selector.register(self.wake_r, selectors.EVENT_READ)
        while True:
            readable = [key.fd for key, _ in self.selector.select()]
            if self.wake_r in readable:
                os.read(self.wake_r, 4096)
            self.reap()
            for fd in readable:
                if fd in self.children:
                    self.relay(fd)
            if stdin in readable:
                data = os.read(stdin, _READ_SIZE)
                if not data:
                    return 0
                self.stdin_buffer += data
                while b"\n" in self.stdin_buffer:
                    line, self.stdin_buffer = self.stdin_buffer.split(b"\n", 1)
                    self.command(line.decode())

    def command(self, line: str) -> None:
        verb, _, argument = line.partition(" ")
        try:
            request: Any = json.loads(argument) if verb == "fork" else None
            child_id, socket_path, token = request["child"], request["socket"], request["token"]
        except (ValueError, TypeError, KeyError):
            print(f"commbus fork server: unknown command {line[:80]!r}", file=sys.stderr, flush=True)
            return
        try:
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
        except OSError as exc:
            self.say(f"refused {child_id} {json.dumps(f'cannot make its output pipes: {exc}')}")
            return
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:
            for fd in (out_r, out_w, err_r, err_w):
                os.close(fd)
            self.say(f"refused {child_id} {json.dumps(f'cannot fork: {exc}')}")
            return
        if pid == 0:
            self.become_child(child_id, socket_path, token, out_w, err_w, (out_r, err_r))
        os.close(out_w)
        os.close(err_w)
        child = _Child(pid, out_r, err_r)
        for fd in (out_r, err_r):
            self.children[fd] = child
            self.selector.register(fd, selectors.EVENT_READ)
        self.say(f"forked {child_id} {pid}")

    def become_child(self, child_id: str, socket_path: str, token: str, out_w: int, err_w: int,
                     template_ends: tuple[int, int]) -> NoReturn:
        """Runs in the forked child: leaves the template's state behind and runs the child session."""
        status = 1
        try:
            os.setsid()  # a process group of its own, as a spawned child has: the node signals the group
            self.stdin_buffer = b""  # the next forks' lines, their tokens among them, are not this child's
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            self.selector.close()
            for fd in (self.wake_r, self.wake_w, self.control.fileno(), *template_ends, *self.children):
                os.close(fd)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.close(devnull)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.close(out_w)
            os.close(err_w)
            # New file objects over the new fds: the template's buffered ones belong to its pipes.
            sys.stdin = open(0, closefd=False)
            sys.stdout = _output(1)
            sys.stderr = _output(2)
            random.seed()  # the template's state is every child's otherwise
            os.environ["COMMBUS_SOCKET"] = socket_path
            os.environ["COMMBUS_TOKEN"] = token
            os.environ["COMMBUS_CHILD_ID"] = child_id
            from . import child

            status = child.main()
        except SystemExit as exc:
            # As the interpreter exits for sys.exit(): None is 0, a message goes to stderr and is 1.
            if exc.code is None or isinstance(exc.code, int):
                status = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                status = 1
        except BaseException:  # noqa: BLE001 - whatever happens, this process must not return into the template
            print(format_traceback(sys.exc_info()[1] or RuntimeError()), file=sys.stderr)
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(status)

    def relay(self, fd: int) -> bool:
        """Relays what the child wrote to ``fd``; at its end, the rest, and forgets the pipe.
        True if there may be more to read now."""
        child = self.children[fd]
        try:
            data = os.read(fd, _READ_SIZE)
        except BlockingIOError:
            return False
        stream = child.streams[fd]
        if not data:
            rest = child.pending.pop(fd)
            if rest:
                self.line(child.pid, stream, rest)
            del self.children[fd]
            self.selector.unregister(fd)
            os.close(fd)
            return False
        buffered = child.pending[fd] + data
        *lines, rest = buffered.split(b"\n")
        if len(rest) > _READ_SIZE:  # a line without an end: relayed in pieces rather than held
            lines.append(rest)
            rest = b""
        child.pending[fd] = rest
        for line in lines:
            self.line(child.pid, stream, line)
        return True

    def line(self, pid: int, stream: str, text: bytes) -> None:
        self.say(f"out {pid} {stream} {json.dumps(text.decode(errors='replace'))}")

    def drain(self, pid: int) -> None:
        """Relays what an exited child left in its pipes, so its last lines come before its exit."""
        for fd in [fd for fd, child in self.children.items() if child.pid == pid]:
            os.set_blocking(fd, False)  # a grandchild may still hold the pipe: read only what is there
            while self.relay(fd):
                pass

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.drain(pid)
            code = os.waitstatus_to_exitcode(status)
            # As the JVM reports a process it started itself: 128 + the signal that killed it.
            self.say(f"exit {pid} {code if code >= 0 else 128 - code}")


def main() -> int:
    """Imports the entry module named on the command line, says ``ready`` and forks on command."""
    if len(sys.argv) != 3:
        print("usage: python -m commbus.forkserver MODULE FUNCTION (started by a commbus pool in fork mode)",
              file=sys.stderr)
        return 2
    # The control channel is the original stdout; what the module prints goes to stderr instead.
    control = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    module, function = sys.argv[1], sys.argv[2]
    try:
        load_entry(module, function)
    except EntryError as exc:
        cause = exc.__cause__ or exc
        failure = {"message": str(exc), "type": type_name(cause),
                   "traceback": format_traceback(cause) if exc.__cause__ is not None else ""}
        control.write("failed " + json.dumps(failure) + "\n")
        control.flush()
        return _EXIT_IMPORT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the node stops its pools in order, as for plain children
    server = _Server(control)
    server.say(f"ready {os.getpid()}")
    return server.serve()


if __name__ == "__main__":
    sys.exit(main())
