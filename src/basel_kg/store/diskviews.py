"""The query views of an on-disk store, kept on disk beside it, and the read-only snapshots of
them that query workers open.

A store on disk at ``PATH`` (the holder's RocksDB, what was written: :mod:`.holder`) keeps in
``PATH/basel-kg-views/``:

- ``full/`` and ``asserted/``: two more pyoxigraph (RocksDB) stores, the views queries see
  (every named graph, or the asserted ones only, plus their union as default graph, with set
  semantics: a triple in two graphs is one triple of the union). The holder updates them after
  each committed write, in time proportional to the write;
- ``state.json``: the store version the views hold, with the triple counts; written after the
  views are updated (in the holder's thread for them, after the write was answered: see
  :mod:`.holder`). On opening, views whose version is not the store's (a write or a load cut
  short, a process killed before its views took its last write) are rebuilt from the store, so
  they never disagree with what was written;
- ``snapshots/N/{raw,full,asserted}``: RocksDB checkpoints (hard links) of the three stores at
  one version. Query workers open one read-only: nobody writes a checkpoint, so a worker reads a
  fixed state while the holder goes on writing. A snapshot is taken when a worker is started
  and the last one is older than the data (not on every write: a checkpoint flushes every
  column family of the three stores to new files, a few hundred milliseconds, so a stream of
  writes takes none, and the first query after them one); it is deleted once no worker uses it.

So a restart opens these stores instead of reading the data into memory (seconds at 100x
instead of half a minute), and worker processes share the files through the page cache
instead of each dirtying its own copy of an in-memory store.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .model import view_counts

__all__ = ["DiskViews", "FOLDER"]

FOLDER = "basel-kg-views"
_DELETED = "deleted"
_DEFAULT = ox.DefaultGraph()


class DiskViews:
    """The two views of the on-disk store ``raw`` (see the module docstring)."""

    def __init__(self, store_path: str | os.PathLike[str], raw: ox.Store, version: str, *,
                 record: ox.NamedNode, inferred: Iterable[str], rebuild: bool = False):
        self.root = Path(store_path) / FOLDER
        self.raw = raw
        self._record, self._inferred = record, tuple(inferred)
        self.snapshots: dict[str, list[int]] = {}  # snapshot folder -> pids of the workers using it
        self._serial = 0
        self.current: str | None = None  # the last snapshot taken, of version ``self._taken``
        self.version, self._taken = version, None
        for leftover in ("snapshots", _DELETED):  # a previous run's: its workers are gone
            shutil.rmtree(self.root / leftover, ignore_errors=True)
        state = self.read_state(store_path)
        if not rebuild and state is not None and state.get("version") == version and self._complete():
            self.full, self.asserted = ox.Store(str(self.root / "full")), ox.Store(str(self.root / "asserted"))
            self.counts = tuple((g, n) for g, n in state["counts"])
            self.triples = int(state["triples"])
        else:
            self.rebuild(version)

    # -- state
    @staticmethod
    def read_state(store_path: str | os.PathLike[str]) -> dict[str, Any] | None:
        """What ``state.json`` says (version, counts, triples), or None."""
        try:
            return json.loads((Path(store_path) / FOLDER / "state.json").read_text())
        except (OSError, ValueError):
            return None

    def _complete(self) -> bool:
        return (self.root / "full").is_dir() and (self.root / "asserted").is_dir()

    def commit(self, version: str, counts: tuple[tuple[str, int], ...], triples: int, *, sync: bool = False) -> None:
        """Record that the views now hold ``version`` (the next worker gets a snapshot of it).

        Replaced whole (``os.replace``), so a process killed at any moment leaves the old state
        or the new one. ``sync`` (after a rebuild, whose files are synced) also forces it to the
        disk; after a write it is not: the views' own RocksDB writes, like the store's, reach
        the operating system before the write is acknowledged but are not forced to the disk,
        so a forced state could not order itself after them anyway (and cost a few
        milliseconds a write)."""
        self.counts, self.triples, self.version = counts, triples, version
        temporary = self.root / "state.json.tmp"
        with open(temporary, "w") as out:  # dumps: json's C encoder (dump's iterative one is Python)
            out.write(json.dumps({"version": version, "counts": [list(c) for c in counts], "triples": triples}))
            if sync:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temporary, self.root / "state.json")
        self.prune()

    # -- building
    def rebuild(self, version: str) -> None:
        """Build both views from the store (a load, or views that do not hold its version)."""
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "state.json").unlink(missing_ok=True)  # until they are whole again
        for name in ("full", "asserted"):
            if getattr(self, name, None) is not None:
                setattr(self, name, None)  # closes it (the last reference)
            shutil.rmtree(self.root / name, ignore_errors=True)
        self.full, self.asserted = ox.Store(str(self.root / "full")), ox.Store(str(self.root / "asserted"))
        # Through files, so that nothing as large as the data is held in memory: the store's
        # N-Quads (one quad a line, ending with its graph), split by graph into each view's
        # file, bulk-loaded; then each view's union, a CONSTRUCT written to a file, loaded into
        # its default graph. Bulk loads keep one copy of a quad loaded twice (it is a RocksDB
        # key), so the union has set semantics. A line with a blank node is added as parsed
        # instead: a load renames blank nodes, and the views must name them as the store does
        # (a write removes them by name).
        work = self.root / "rebuild"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        try:
            self.raw.dump(output=str(work / "store.nq"), format=ox.RdfFormat.N_QUADS)
            record = f" {self._record} .\n".encode()
            inferred = tuple(f" <{g}> .\n".encode() for g in self._inferred)
            with open(work / "store.nq", "rb") as lines, open(work / "full.nq", "wb") as full, \
                    open(work / "asserted.nq", "wb") as asserted:
                for line in lines:
                    if not line.endswith(record):
                        full.write(line)
                        if not line.endswith(inferred):
                            asserted.write(line)
            (work / "store.nq").unlink()
            for name, store in (("full", self.full), ("asserted", self.asserted)):
                _load(store, work / f"{name}.nq", ox.RdfFormat.N_QUADS)
                union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
                union.serialize(output=str(work / "union.nt"), format=ox.RdfFormat.N_TRIPLES)
                _load(store, work / "union.nt", ox.RdfFormat.N_TRIPLES)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        # one compaction, so that a lookup reads one file per index, not one per bulk load
        # (queries about a tenth faster at 10x, for half a second)
        self.full.optimize()
        self.asserted.optimize()
        self.current = None  # the last snapshot is of the views before: the next worker gets a new one
        self.commit(version, *view_counts(self.full, self.raw, self._record), sync=True)

    # -- snapshots
    def snapshot(self) -> str:
        """The folder of a snapshot of the current version, taken now if the last one is older."""
        if self.snapshot_due():
            self.current, self._taken = self._snapshot(), self.version
        return self.current

    def snapshot_due(self) -> bool:
        """Whether the last snapshot is older than the views (or there is none)."""
        return self.current is None or self._taken != self.version

    def flush(self) -> None:
        """Write the memtables of the three stores out to files (RocksDB compacts those)."""
        for store in (self.raw, self.full, self.asserted):
            store.flush()

    def _snapshot(self) -> str:
        self._serial += 1
        folder = self.root / "snapshots" / str(self._serial)
        folder.mkdir(parents=True)
        self.flush()  # then the checkpoints link files (a checkpoint's own flush is two to ten times slower)
        for name, store in (("raw", self.raw), ("full", self.full), ("asserted", self.asserted)):
            store.backup(str(folder / name))
        self.snapshots[str(folder)] = []
        return str(folder)

    def used_by(self, folder: str, pid: int) -> None:
        """A worker was started on the snapshot in ``folder``."""
        self.snapshots.setdefault(folder, []).append(pid)

    def prune(self) -> None:
        """Delete the snapshots, other than the current one, that no running worker uses."""
        for folder, pids in list(self.snapshots.items()):
            if folder == self.current:
                continue
            alive = [pid for pid in pids if _alive(pid)]
            self.snapshots[folder] = alive
            if not alive:
                _delete(folder)
                del self.snapshots[folder]


def _delete(folder: str) -> None:
    """Delete a snapshot folder: renamed at once out of ``snapshots/`` (so it is gone for
    everyone, into ``deleted/``), its files unlinked by a thread (tens of milliseconds a store, off the path of
    the write or the query that let it go)."""
    path = Path(folder)
    gone = path.parent.parent / _DELETED / path.name
    try:
        gone.parent.mkdir(exist_ok=True)
        os.rename(path, gone)
    except OSError:
        gone = path
    threading.Thread(target=shutil.rmtree, args=(gone,), kwargs={"ignore_errors": True}, daemon=True,
                     name="delete-snapshot").start()


def _load(store: ox.Store, path: Path, format: ox.RdfFormat) -> None:
    """Load an N-Quads/N-Triples file (N-Triples into the default graph), keeping the names of
    blank nodes: the lines without one are bulk-loaded (from a file written beside it), those
    with one (few) added as parsed."""
    blank = []
    plain = path.with_name(path.name + ".plain")
    with open(path, "rb") as lines, open(plain, "wb") as out:
        for line in lines:
            if b"_:" in line:
                blank.append(line)
            else:
                out.write(line)
    path.unlink()
    to_graph = _DEFAULT if format == ox.RdfFormat.N_TRIPLES else None
    store.bulk_load(path=str(plain), format=format, to_graph=to_graph)
    plain.unlink()
    if blank:
        parsed = ox.parse(b"".join(blank), format=format)
        store.bulk_extend(parsed if to_graph is None else
                          (ox.Quad(q.subject, q.predicate, q.object, _DEFAULT) for q in parsed))


def open_snapshot(folder: str) -> tuple[ox.Store, ox.Store, ox.Store]:
    """(raw, full, asserted) of a snapshot, read-only (in a worker)."""
    return tuple(ox.Store.read_only(os.path.join(folder, name)) for name in ("raw", "full", "asserted"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
