"""Validating uploaded documents in a separate, limited, killable process.

``POST /validate`` checks a document as a write would (entailments, then SHACL on what it
touches; :class:`basel_kg.guard.WriteGuard`), but untrusted documents can make that cost
minutes and gigabytes. So the check does not run in the web process: a *validator process*
(``python -c``, never forked from the threaded server) holds its own
:class:`~basel_kg.guard.WriteGuard`, with the shapes and a copy of the graph, and

* follows the store: each write the server commits is passed on to it as the change that was
  applied (:meth:`WriteGuard.follow`, cost in proportion to the write); when it missed a
  change (a write from another process, a new validator) it reloads the store's export;
* checks one document at a time with ``keep=False`` (its copy is back as it was after);
* runs each check under ``RLIMIT_AS`` (its current size plus :attr:`UploadLimits.memory_mb`);
  past it the check answers 413 and the process exits (its copy may be half-changed).

The server waits for it without blocking the event loop and kills it after
:attr:`UploadLimits.seconds` of checking (413), when the client disconnects, or when a request
waited that long for it (503 with ``Retry-After``). A killed validator is replaced at the next
request. Writes never wait for it, nor it for them: it has its own copy, and the web process's
guard (the one writes use) is not involved.
"""

from __future__ import annotations

import asyncio
import pickle
import resource
import signal
import subprocess
import sys
import threading
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from ..limits import address_space, soft_limit
from ..store import Delta
from ..store.model import nquads_of, quads_of
from .writes import guard_arguments, renamed_blank_nodes
from .uploads import ClientGone, UploadLimits, UploadRefused, _kill, _read_frame, _write_frame, start_child

__all__ = ["ValidatorProcess", "ValidatorBusy"]

#: Committed writes remembered for the validator to follow, at most (beyond them it reloads the export).
_LOG = 256
_LOG_BYTES = 64 * 2**20


class ValidatorBusy(UploadRefused):
    """No validator became free in time: 503 with ``Retry-After``."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(503, message)
        self.retry_after = retry_after

    def __reduce__(self):
        return type(self), (self.message, self.retry_after)


# --------------------------------------------------------------------------- the child


class _Snapshot:
    """The store as the validator sees it: a version and, when asked, the export it was sent."""

    def __init__(self, version: str, export: bytes | None):
        self.version, self._export = version, export

    def export(self) -> bytes:
        if self._export is None:
            raise RuntimeError("the validator's copy is not at the store's version and no export was sent")
        return self._export


def _child_main() -> None:
    """Entry point of a validator process: a configuration, then requests, one at a time."""
    from rdflib import Graph

    from ..guard import WriteGuard

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        shapes_nt, inferred_graph, ontology_graph, excluded = _read_frame(stdin)  # see guard_arguments
    except EOFError:
        return
    shapes = None if shapes_nt is None else Graph().parse(data=shapes_nt, format="nt")
    guard = WriteGuard(shapes=shapes, inferred_graph=inferred_graph, ontology_graph=ontology_graph,
                       excluded_graphs=excluded)
    _write_frame(stdout, ("ready",))

    while True:
        try:
            request = _read_frame(stdin)
        except EOFError:
            return
        follow, version, export, add, limits = request
        for change_remove, change_add, after in follow:  # the writes committed since the last request
            if guard.version is not None:
                guard.follow(Delta(remove=quads_of(change_remove), add=quads_of(change_add)), after)
        if guard.version != version and export is None:
            _write_frame(stdout, ("stale", guard.version))  # the server sends the export next
            continue
        store = _Snapshot(version, export)
        if guard.version != version:
            guard.check(store, Delta(), keep=False)  # loads the export (whole graph, only when it missed changes)
        delta = Delta(add=quads_of(add))
        guard.tidy()  # before the memory limit: each check is undone, which leaves history in the copy
        _write_frame(stdout, ("started",))
        cap = address_space() + limits["memory_mb"] * 2**20
        soft_limit(resource.RLIMIT_AS, cap)
        try:
            outcome = guard.check(store, delta, keep=False)
            reply: Any = ("ok", outcome.report)
        except MemoryError:
            reply = ("memory",)
        except Exception as exc:  # noqa: BLE001 - answered as a 422 naming it
            reply = ("error", f"{type(exc).__name__}: {exc}")
        finally:
            soft_limit(resource.RLIMIT_AS, None)
        _write_frame(stdout, reply)
        if reply[0] != "ok":  # the copy may be half-changed: stop (the next request starts a new one)
            return


# --------------------------------------------------------------------------- the server side


class ValidatorProcess:
    """The app's validator process (see the module docstring): one at a time, replaced when killed.

    ``service``: the app's :class:`~basel_kg.server.writes.WriteService` (its settings, store
    and the listeners through which committed writes are passed on)."""

    def __init__(self, service: Any, limits: UploadLimits):
        self.service, self.limits = service, limits
        self._process: subprocess.Popen | None = None
        self._version: str | None = None  # what the process's copy is at
        self._log: deque[tuple[str, bytes, bytes, str]] = deque()
        self._log_lock = threading.Lock()
        self._log_bytes = 0
        self._busy: asyncio.Lock | None = None
        #: How many times the whole graph was sent (a new validator, or changes it could not follow).
        self.reloads = 0
        self._pids: set[int] = set()
        weakref.finalize(self, _kill, self._pids)
        service.listeners.append(self._committed)

    # -- following the store
    def _committed(self, change: Delta, before: str) -> None:
        """A write listener (called under the write lock, after the commit): remember the change."""
        if self._version is None:  # no copy to keep up to date (none yet, or it was killed): it will reload
            return
        if change.drop or renamed_blank_nodes(self.service.store, change):
            return  # graphs dropped whole (their statements are not listed), or blank nodes the store named: it reloads
        entry = (before, nquads_of(change.remove), nquads_of(change.add), self.service.store.version)
        with self._log_lock:
            self._log.append(entry)
            self._log_bytes += len(entry[1]) + len(entry[2])
            while (self._log_bytes > _LOG_BYTES or len(self._log) > _LOG) and len(self._log) > 1:  # past it the validator reloads instead
                _, remove, add, _ = self._log.popleft()
                self._log_bytes -= len(remove) + len(add)

    def _changes_since(self, version: str | None, target: str) -> list[tuple[bytes, bytes, str]] | None:
        """The logged changes from ``version`` to ``target``; None when the log does not join them."""
        if version == target:
            return []
        if version is None:
            return None
        with self._log_lock:
            entries = list(self._log)
        out: list[tuple[bytes, bytes, str]] = []
        current = version
        for before, remove, add, after in entries:
            if current == target:
                break
            if before == current:
                out.append((remove, add, after))
                current = after
        return out if current == target else None

    # -- the process
    def _start(self) -> subprocess.Popen:
        process = start_child("basel_kg.server.validator", self._pids)
        settings = self.service.settings
        shapes = settings.shapes
        config = (None if shapes is None else shapes.serialize(format="nt", encoding="utf-8"),
                  *guard_arguments(settings))
        _write_frame(process.stdin, config)
        if _read_frame(process.stdout) != ("ready",):
            raise RuntimeError("the validator process did not start")
        return process

    def _discard(self) -> int | None:
        """Stop the validator process (if it still runs); its exit status."""
        process, self._process, self._version = self._process, None, None
        if process is None:
            return None
        try:
            process.wait(timeout=0.2)  # one that stopped by itself: its own status
        except subprocess.TimeoutExpired:
            process.kill()
        status = process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        self._pids.discard(process.pid)
        return status

    def _export(self) -> tuple[str, bytes]:
        """The store's version and export, taken at that version (retried if a write came between)."""
        store = self.service.store
        self.reloads += 1
        while True:
            version = store.version
            export = store.export()
            if store.version == version:
                return version, export

    def _prepare(self, add: bytes) -> None:
        """In a worker thread: a running validator at the store's version, the document sent,
        until it says it started checking."""
        if self._process is None or self._process.poll() is not None:
            self._discard()
            self._process = self._start()
        process = self._process
        target = self.service.store.version
        changes = self._changes_since(self._version, target)
        limits = asdict(self.limits)
        export = None
        if changes is None:
            target, export = self._export()
        _write_frame(process.stdin, (changes or [], target, export, add, limits))
        answer = _read_frame(process.stdout)
        if answer[0] == "stale":  # it could not follow: send the whole graph
            target, export = self._export()
            _write_frame(process.stdin, ([], target, export, add, limits))
            answer = _read_frame(process.stdout)
        if answer != ("started",):
            raise RuntimeError(f"unexpected answer from the validator: {answer[0]!r}")
        self._version = target

    async def validate(self, quads: list, disconnected: Callable[[], Awaitable[None]] | None = None):
        """The :class:`~basel_kg.validation.ValidationReport` of adding ``quads``; raises
        :class:`UploadRefused` (413 time or memory, 503 busy) or :class:`ClientGone`."""
        limits = self.limits
        loop = asyncio.get_running_loop()
        if self._busy is None:
            self._busy = asyncio.Lock()
        watcher = asyncio.ensure_future(disconnected()) if disconnected is not None else None
        add = nquads_of(quads)
        try:
            acquire = asyncio.ensure_future(self._busy.acquire())
            waited = await _race(acquire, watcher, loop.time() + limits.seconds)
            if waited is _TIMEOUT:
                raise ValidatorBusy(f"Every validator stayed busy for {limits.seconds:g} s (the time limit for one "
                                    "document on this server); try again later.", max(1, int(limits.seconds)))
            try:
                # syncing the copy (following writes, or a reload after a kill) is not the document's time
                prepared = await _race(asyncio.ensure_future(asyncio.to_thread(self._prepare, add)), watcher, None)
                if prepared is _GONE:
                    await asyncio.to_thread(self._discard)
                    raise ClientGone
                result = await _race(asyncio.ensure_future(asyncio.to_thread(_read_or_eof, self._process)),
                                     watcher, loop.time() + limits.seconds)
                status = None
                if result in (_GONE, _TIMEOUT) or result is None or result[0] != "ok":
                    status = await asyncio.to_thread(self._discard)
                if result is _GONE:
                    raise ClientGone
                if result is _TIMEOUT:
                    raise UploadRefused(413, f"Validating the document took longer than {limits.seconds:g} s (the "
                                             "time limit for one document on this server); send it in parts.")
                if (result is None and status == -signal.SIGABRT) or (result is not None and result[0] == "memory"):
                    # (Rust code aborts when an allocation fails under RLIMIT_AS; Python raises MemoryError)
                    raise UploadRefused(413, f"Validating the document needed more than {limits.memory_mb} MiB (the "
                                             "memory limit for one document on this server); send it in parts.")
                if result is None:
                    raise UploadRefused(422, f"The document made the validator stop (exit status {status}); it was "
                                             "not validated. Check its structure (size, nesting).")
                if result[0] == "error":
                    raise UploadRefused(422, f"The document could not be validated: {result[1]}")
                return result[1]
            finally:
                self._busy.release()
        finally:
            if watcher is not None:
                watcher.cancel()

    def close(self) -> None:
        _kill(self._pids)
        self._process = None


_GONE, _TIMEOUT = object(), object()


async def _race(task: asyncio.Future, watcher: asyncio.Future | None, deadline: float | None) -> Any:
    loop = asyncio.get_running_loop()
    waiting = {task} if watcher is None else {task, watcher}
    timeout = None if deadline is None else max(0.0, deadline - loop.time())
    done, _ = await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        return task.result()
    task.cancel()  # (a thread runs on until its process is killed)
    return _GONE if watcher is not None and watcher in done else _TIMEOUT


def _read_or_eof(process: subprocess.Popen | None) -> Any:
    if process is None:
        return None
    try:
        return _read_frame(process.stdout)
    except (EOFError, OSError, ValueError, pickle.UnpicklingError):
        return None

