"""The plain baseline of the pipeline benchmark: a chain of ordinary Python processes joined by
socketpairs, with no commbus import, passing the frames a session's nodes pass
(pipeline_nodes.py) in the same framing, so the bytes on the wire are the same:

    N: u32 BE | H: u32 BE | header: H bytes of compact JSON | body: N-4-H raw bytes

with the header {"t":"item","seq":i,"ts":...,"b":"r"} (ts only when paced) and a last
{"t":"end"} frame, as the SDK's encode_frame writes them. Each process is a plain blocking
loop, with no asyncio and no credit: the socket's own buffer holds a fast writer back, which is
as little as a Python process can do to move a frame. The source, relays and sink share their
work around the socket with the SDK's nodes (pipe_workload).

    python3 pipe_baseline.py --nodes K --frames N --size BYTES [--rate PER_SECOND] [--latencies]

starts K processes (source, K-2 relays, sink), waits for them, and prints the sink's report,
one line of JSON, as the session's sink yields it.
"""

import argparse
import json
import socket
import struct
import subprocess
import sys
import time

import pipe_workload

_PREFIX = struct.Struct(">II")
# What a reader asks the socket for at a time: the size of the SDK's receive buffer.
_READ_BUFFER = 256 * 1024
_encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
_decode = json.JSONDecoder().decode
_END = {"t": "end"}


def _frame(header, body=None):
    head = _encode(header).encode("ascii")
    if body is None:
        return _PREFIX.pack(4 + len(head), len(head)) + head
    return b"".join((_PREFIX.pack(4 + len(head) + len(body), len(head)), head, body))


def _item(seq, ts, body):
    header = {"t": "item", "seq": seq}
    if ts is not None:
        header["ts"] = ts
    header["b"] = "r"
    return _frame(header, body)


def _frames(sock):
    """(header, body) for every item the socket brings, until its end frame."""
    stream = sock.makefile("rb", buffering=_READ_BUFFER)
    read = stream.read
    unpack = _PREFIX.unpack
    while True:
        prefix = read(8)
        if len(prefix) < 8:
            raise ConnectionError("the upstream process went away before its end frame")
        n, h = unpack(prefix)
        header = _decode(read(h).decode("ascii"))
        if header["t"] == "end":
            return
        yield header, read(n - 4 - h)


def source(out, frames, size, rate):
    ring = pipe_workload.ring(size)
    pace = pipe_workload.Pace(rate)
    send = out.sendall
    for i in range(frames):
        delay = pace.delay(i)
        if delay:
            time.sleep(delay)
        send(_item(i, time.time() if pace.interval else None, ring[i % len(ring)]))
    send(_frame(_END))


def relay(into, out):
    send = out.sendall
    seq = 0
    for header, body in _frames(into):
        send(_item(seq, header.get("ts"), body))
        seq += 1
    send(_frame(_END))


def sink(into, latencies):
    counted = pipe_workload.Tally(latencies=latencies)
    for header, _body in _frames(into):
        counted.arrived(header.get("ts"))
    print(json.dumps(counted.report()), flush=True)


def _chain(args):
    """Starts the chain's processes, each with its ends of the socketpairs, and waits for them."""
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(args.nodes - 1)]
    children = []
    for position in range(args.nodes):
        fds = []
        command = [sys.executable, __file__, "--nodes", str(args.nodes)]
        if position > 0:
            fds.append(pairs[position - 1][1].fileno())
            command += ["--in", str(fds[-1])]
        if position < args.nodes - 1:
            fds.append(pairs[position][0].fileno())
            command += ["--out", str(fds[-1])]
        command += ["--frames", str(args.frames), "--size", str(args.size), "--rate", str(args.rate)]
        if args.latencies:
            command.append("--latencies")
        children.append(subprocess.Popen(command, pass_fds=fds))
    for pair in pairs:  # the children hold their ends; an end left open here would hide an exit
        for end in pair:
            end.close()
    failed = [child for child in children if child.wait() != 0]
    if failed:
        sys.exit(f"pipe_baseline: {len(failed)} of the chain's processes failed")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--frames", type=int, required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--rate", type=float, default=0)
    parser.add_argument("--latencies", action="store_true")
    parser.add_argument("--in", dest="into", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.nodes < 2:
        parser.error("a chain has at least a source and a sink")
    into = socket.socket(fileno=args.into) if args.into is not None else None
    out = socket.socket(fileno=args.out) if args.out is not None else None
    if into is None and out is None:
        _chain(args)
    elif into is None:
        source(out, args.frames, args.size, args.rate)
    elif out is None:
        sink(into, args.latencies)
    else:
        relay(into, out)


if __name__ == "__main__":
    main()
