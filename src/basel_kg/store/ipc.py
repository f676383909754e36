"""Framing of the messages between the store's own processes (parent, holder, workers).

A message is a 4-byte length, then a pickle. Only ever sent over socketpairs the store
creates, so both ends are trusted.
"""

from __future__ import annotations

import pickle
import socket
import struct
import time
from typing import Any

__all__ = ["send", "recv"]

_LENGTH = struct.Struct("!I")


def send(sock: socket.socket, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_LENGTH.pack(len(data)))
    sock.sendall(data)


def _recv_exact(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    while got < size:
        if deadline is None:
            sock.settimeout(None)
        else:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
        n = sock.recv_into(view[got:])
        if n == 0:
            raise EOFError("peer closed the connection")
        got += n
    return bytes(buf)


def recv(sock: socket.socket, deadline: float | None = None) -> Any:
    (size,) = _LENGTH.unpack(_recv_exact(sock, _LENGTH.size, deadline))
    return pickle.loads(_recv_exact(sock, size, deadline))


