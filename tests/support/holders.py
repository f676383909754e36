"""What the store-process tests share about a :class:`basel_kg.store.holder.Holder`."""

from __future__ import annotations

import socket
from typing import Any

from basel_kg.store.ipc import recv


def refused_spawn(holder: Any) -> str:
    """Ask ``holder`` to start a query worker that it must refuse: it answers in the framing the
    parent reads (``E``, then an error saying no worker could be started), not by raising out of
    its command loop. Returns the error's text."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        holder.spawn(theirs)
        assert ours.recv(1) == b"E"
        status, _, text = recv(ours)
    assert status == "error" and "no query worker" in text
    return text
