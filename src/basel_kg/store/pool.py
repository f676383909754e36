"""The query workers as seen from the process that serves requests: at most ``size`` at once,
each used by one query at a time, killed and replaced when a query overruns its time limit,
retired when the data changes."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import QueryFailed, QueryTimeout, StoreError
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
    idle: list[WorkerHandle] = field(default_factory=list)
    total: int = 0
    version: str = ""
    closed: bool = False
    cond: threading.Condition = field(default_factory=threading.Condition)

    def run(self, request: dict[str, Any], timeout: float) -> Any:
        worker = self._acquire()
        try:
            send(worker.sock, request)
            status, payload = recv(worker.sock, time.monotonic() + timeout)
        except TimeoutError:
            self._discard(worker, kill=True)
            raise QueryTimeout(timeout) from None
        except (EOFError, OSError) as exc:
            self._discard(worker, kill=True)
            raise QueryFailed(f"the query worker stopped unexpectedly ({exc})") from None
        except BaseException:
            self._discard(worker, kill=True)
            raise
        self._release(worker)
        if status == "error":
            raise payload
        return payload

    def _acquire(self) -> WorkerHandle:
        with self.cond:
            while True:
                if self.closed:
                    raise StoreError("the store is closed")
                if self.idle:
                    return self.idle.pop()
                if self.total < self.size:
                    self.total += 1
                    break
                self.cond.wait()
        try:
            return self.spawn()
        except BaseException:
            with self.cond:
                self.total -= 1
                self.cond.notify()
            raise

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
