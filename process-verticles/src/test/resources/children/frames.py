"""Just enough framing for the misbehaving test children; they do not use the SDK on purpose."""
import json
import os
import socket
import struct


def connect():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.environ["COMMBUS_SOCKET"])
    return sock


def send(sock, header, body=b""):
    head = json.dumps(header).encode()
    sock.sendall(struct.pack(">II", 4 + len(head) + len(body), len(head)) + head + body)


def receive(sock):
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError("parent closed the connection")
            data += chunk
        return data
    length, head_length = struct.unpack(">II", exactly(8))
    rest = exactly(length - 4)
    return json.loads(rest[:head_length]), rest[head_length:]
