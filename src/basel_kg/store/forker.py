"""The forker: forks the query workers of an on-disk store.

A process that has opened a RocksDB store has RocksDB's background threads and locks, which a
forked child does not safely inherit; so the holder, which writes the store, does not fork the
workers of an on-disk store itself. It starts this process fresh (``python -c``) instead, which
never opens a store: for each worker it forks one, which opens a snapshot of the store
(:mod:`.diskviews`) read-only and then answers queries like any worker (:mod:`.worker`). The
forker dies with the holder, and the workers with the forker.
"""

from __future__ import annotations

import signal
import socket

from .ipc import recv, send

__all__ = ["main"]


def main(fd: int) -> None:
    """Entry point of the forker process: one request (snapshot folder, version) per worker;
    answers ``("ok", pid)`` followed by the worker's socket, or ``("error", text)``."""
    from .diskviews import open_snapshot
    from .holder import _die_with_parent, fork_worker
    from .worker import Views, Worker

    channel = socket.socket(fileno=fd)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps finished workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    config = recv(channel)
    while True:
        try:
            folder, version = recv(channel)
        except (EOFError, OSError):
            return

        def run(end: socket.socket, folder=folder, version=version) -> None:
            raw, full, asserted = open_snapshot(folder)
            send(end, "ready")
            Worker(Views(full, asserted), raw, version, config).serve(end)

        pid, parent_end = fork_worker(channel, config["worker_memory_mb"], run)
        try:
            recv(parent_end, None)
        except (EOFError, OSError) as exc:
            parent_end.close()
            send(channel, ("error", f"a query worker could not open the store's snapshot ({exc})"))
            continue
        send(channel, ("ok", pid))
        socket.send_fds(channel, [b"F"], [parent_end.fileno()])
        parent_end.close()
