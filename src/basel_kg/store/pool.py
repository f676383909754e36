"""The query workers as seen from the process that serves requests: at most ``size`` at once,
each used by one query at a time, killed and replaced when a query overruns its time limit,
retired when the data changes.

A query's time limit covers its wait for a worker too; when ``max_waiting`` queries already
wait, a new one is refused at once (:class:`~basel_kg.errors.ServerBusy`, 503 with
``Retry-After``). An idle worker is checked before use (alive, nothing unread on its socket),
and a worker that turns out dead when the query is sent is replaced, so a worker that died
while idle costs nobody an error.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import QueryFailed, QueryTimeout, ServerBusy, StoreError
from .ipc import recv, send

__all__ = ["WorkerHandle", "Pool"]

@dataclass(eq=False)
class WorkerHandle:
    pid: int
    sock: socket.socket
    version: str


@dataclass(eq=False)
class Pool:
    """Query workers, as seen from the process that serves requests."""

    spawn: Any  # () -> WorkerHandle
    size: int
    max_waiting: int = 64
    idle: list[WorkerHandle] = field(default_factory=list)
    total: int = 0
    waiting: int = 0
    version: str = ""
    closed: bool = False
    cond: threading.Condition = field(default_factory=threading.Condition)

    def run(self, request: dict[str, Any], timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        for attempt in range(3):
            worker = self._acquire(deadline, timeout)
            try:
                send(worker.sock, request)
            except OSError:  # died between the check and the send: nothing ran, take another
                self._discard(worker, kill=True)
                continue
            break
        else:
            raise QueryFailed("no query worker could be started")
        try:
            status, payload = recv(worker.sock, deadline)
        except TimeoutError:
            self._discard(worker, kill=True)
            raise QueryTimeout(timeout) from None
        except (EOFError, OSError) as exc:
            self._discard(worker, kill=True)
            raise QueryFailed(f"the query worker stopped while answering ({exc}): the query needed more memory "
                              "than a worker may use, or nested too deeply") from None
        except BaseException:
            self._discard(worker, kill=True)
            raise
        self._release(worker)
        if status == "error":
            raise payload
        return payload

    def _acquire(self, deadline: float | None = None, timeout: float = 0.0) -> WorkerHandle:
        with self.cond:
            if not self.idle and self.total >= self.size and self.waiting >= self.max_waiting:
                raise ServerBusy(self.waiting)
            self.waiting += 1
            try:
                while True:
                    if self.closed:
                        raise StoreError("the store is closed")
                    while self.idle:
                        worker = self.idle.pop()
                        if _usable(worker):
                            return worker
                        self._forget(worker)
                    if self.total < self.size:
                        self.total += 1
                        break
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        raise QueryTimeout(timeout)
                    self.cond.wait(remaining)
            finally:
                self.waiting -= 1
        try:
            return self.spawn()
        except BaseException:
            with self.cond:
                self.total -= 1
                self.cond.notify()
            raise

    def _forget(self, worker: WorkerHandle) -> None:
        """Drop a dead idle worker (``cond`` held)."""
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.sock.close()
        self.total -= 1

    def _release(self, worker: WorkerHandle) -> None:
        with self.cond:
            if worker.version == self.version and not self.closed:
                self.idle.append(worker)
                self.cond.notify()
                return
        self._discard(worker, kill=False)

    def _discard(self, worker: WorkerHandle, *, kill: bool) -> None:
        if kill:
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        worker.sock.close()  # an idle worker exits when its socket closes
        with self.cond:
            self.total -= 1
            self.cond.notify()

    def retire_stale(self, version: str) -> None:
        """After a change: new queries go to workers forked from the changed data."""
        with self.cond:
            self.version = version
            stale = [w for w in self.idle if w.version != version]
            self.idle = [w for w in self.idle if w.version == version]
        for worker in stale:
            self._discard(worker, kill=False)

    def close(self) -> None:
        with self.cond:
            self.closed = True
            idle, self.idle = self.idle, []
            self.cond.notify_all()
        for worker in idle:
            self._discard(worker, kill=False)


def _usable(worker: WorkerHandle) -> bool:
    """An idle worker is alive and has sent nothing since its last answer (EOF included)."""
    try:
        os.kill(worker.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        readable, _, _ = select.select([worker.sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
