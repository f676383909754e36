"""The holder process: owns the data (in memory, and on disk with ``path=``), applies
writes one at a time, and forks query workers on request.

It is started fresh (``python -c``, never forked from a threaded web server) and answers one
command at a time. ``raw`` is the dataset as stored (named graphs, empty ones too, and the
store's own default graph); the views are what queries see.

In memory (no path), ``raw`` and both views are in-memory stores and the holder forks the
workers, which share them copy-on-write. With a path, ``raw`` is the on-disk pyoxigraph
(RocksDB) store itself and the views are two more on disk (:mod:`.diskviews`), so nothing is
read into memory on opening; the workers are forked by a separate process that never opened a
store (:mod:`.forker`) and each opens a read-only snapshot.

A write to a store on disk is answered once its transaction on ``raw`` is committed (and the
statements of each named graph counted); a thread then works out what each view gains and
loses (the union's bookkeeping) while the parent goes on (the write guard checking the next
write, the response). The views owe it (:meth:`Holder._owe`), netted with the writes before it
that they owe too, until something reads them: then they take it all in one go (two more
RocksDB transactions and the views' state file, which written for every write were two thirds
of the store's CPU a PUT at 100x). Every command that reads the views (a query, a worker's
snapshot, a replacement, the process ending) first waits for the thread and has them take what
they owe, so a query after a write always sees it; so do :data:`IDLE_PAY` seconds without a
command (which also take the snapshot the next query worker opens), and past :data:`OWED_MAX`
owed statements each write has them take the excess. The next write waits for the thread only
(its bookkeeping reads ``raw``, which the next write changes), and so does the union's size
(:meth:`Holder.info` says None until then, and the parent asks again with ``settle``);
planning a write reads ``raw`` only and does not wait. The same thread reads ahead, while the
parent checks a planned write, which graphs hold its statements (what the union's bookkeeping
needs), and after every 20,000 removed statements flushes the RocksDB stores' memtables (see
:meth:`Holder._flush_later`).

Views in memory take a write the same way: ``raw`` (and the store on disk, if any) is changed
before the answer, the views in the same thread after it (about 8 ms of a write at 1x, and
every hundred or so writes the views made afresh without their history: 200 ms at 1x). A
worker is forked only once they hold the last write (it shares them, copy-on-write).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import itertools
import os
import pickle
import select
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from datetime import datetime, timezone
from typing import Any, TypeVar

import pyoxigraph as ox

from ..errors import StaleWrite, StoreError, StoreFull, StoreInUse
from ..limits import address_space
from ..terms import without_history
from .diskviews import DiskViews
from .ipc import recv, send
from .model import RECORD_GRAPH, Delta, graph_change, has_blank_node, view_counts
from .worker import Views, Worker

__all__ = ["Holder", "main", "stored_source", "in_use", "open_when_free", "MEMORY_VIEWS_MAX"]

T = TypeVar("T")

#: Up to this many quads, a store on disk is read into memory and its views made there (see
#: Holder._open_views); above, its views are kept on disk beside it.
MEMORY_VIEWS_MAX = 100_000

_META_GRAPH = RECORD_GRAPH  # on disk only: version, time, source
_META_VERSION = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
_META_MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")
_META_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
_UNION = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
#: Statements removed from a store on disk after which the memtables of its RocksDB stores are
#: written out (see Holder._flush_later). Each flush leaves files that RocksDB's compactions then
#: rewrite level by level: at 100x, flushed every 5,000 removed statements, the compaction threads
#: took 33-39 ms of CPU a PUT beside the write's own 40-45 ms; every 20,000, 23-28 ms.
FLUSH_AFTER = 20_000
#: Statements the views on disk may owe (see Holder._owe): past it, each write has them take the
#: excess (so a stream of new graphs costs the views about what it would written at once, a
#: write's worth at a time, while a graph replaced again and again, or a few in turn, owes its
#: first and last contents only). What is owed when the views are read is taken then: this
#: many, about 70 ms at 100x (a PUT of 100 triples owes about 1,000 and takes 14 ms written at
#: once: ``benchmarks/diskwrites.py``'s store side).
OWED_MAX = 5_000
#: Seconds without a command after which the holder process writes what its views on disk owe
#: (so that they seldom lag the store for long, and a process killed after a burst of writes
#: seldom leaves views to rebuild), and takes the snapshot the next query worker will open
#: (:meth:`Holder.idle`).
IDLE_PAY = 0.25
_DEFAULT = ox.DefaultGraph()
_VIEWS = ("full", "asserted")


class _Owed:
    """What the views on disk owe (see :meth:`Holder._owe`): for each view the statements it
    lacks and those it has too many, netted write after write (a statement one write added and
    the next removed is owed neither way), and the state the views record once they take them."""

    __slots__ = ("lose", "gain", "version", "counts", "triples")

    def __init__(self) -> None:
        self.lose: dict[str, set[ox.Quad]] = {name: set() for name in _VIEWS}
        self.gain: dict[str, set[ox.Quad]] = {name: set() for name in _VIEWS}

    def add(self, lose: dict[str, list[ox.Quad]], gain: dict[str, list[ox.Quad]]) -> None:
        """Add a write's exact change (it loses only statements a view holds with what it owes,
        gains only statements it does not)."""
        for name in _VIEWS:
            lost, gained = self.lose[name], self.gain[name]
            for q in lose[name]:
                if q in gained:
                    gained.discard(q)  # added since the views were last written: they never had it
                else:
                    lost.add(q)
            for q in gain[name]:
                if q in lost:
                    lost.discard(q)  # removed since: the views still have it
                else:
                    gained.add(q)

    def part(self, count: int) -> tuple[dict[str, list[ox.Quad]], dict[str, list[ox.Quad]]]:
        """Up to ``count`` of the owed statements, as (lose, gain): still owed until
        :meth:`paid` (each is a change of its own: a view may take any of them first)."""
        lose: dict[str, list[ox.Quad]] = {}
        gain: dict[str, list[ox.Quad]] = {}
        for side, out in ((self.lose, lose), (self.gain, gain)):
            for name in _VIEWS:
                out[name] = list(itertools.islice(side[name], max(count, 0)))
                count -= len(out[name])
        return lose, gain

    def paid(self, lose: dict[str, list[ox.Quad]], gain: dict[str, list[ox.Quad]]) -> None:
        for name in _VIEWS:
            self.lose[name].difference_update(lose[name])
            self.gain[name].difference_update(gain[name])

    def holds(self, name: str, quad: ox.Quad, view: ox.Store) -> bool:
        """Whether ``view`` holds ``quad`` once it takes what it owes."""
        if quad in self.gain[name]:
            return True
        return quad not in self.lose[name] and quad in view

    def __len__(self) -> int:
        return sum(len(group) for side in (self.lose, self.gain) for group in side.values())


def in_use(path: str) -> bool:
    """Is the store on disk at ``path`` open in another process? RocksDB holds a POSIX record lock
    on its ``LOCK`` file while the store is open; this asks for the same lock without waiting
    (and lets it go at once). False when there is no store there yet."""
    try:
        fd = os.open(os.path.join(path, "LOCK"), os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in (errno.EACCES, errno.EAGAIN)
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def open_when_free(open_store: Callable[[], T], seconds: float, every: float = 0.5) -> T:
    """``open_store()``, tried again every ``every`` seconds while it raises :class:`StoreInUse`
    (another process, such as the store process of a server process that is exiting, still
    holds the store), for up to ``seconds``; then the error is raised."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return open_store()
        except StoreInUse:
            if time.monotonic() > deadline:
                raise
            time.sleep(every)


def stored_source(path: str) -> str | None:
    """What the on-disk store at ``path`` was loaded from (its ``source``), read without loading
    its data and without taking its lock (RocksDB opened read-only); None when there is no
    readable store there."""
    try:
        disk = ox.Store.read_only(path)
    except OSError:
        return None
    try:
        for q in disk.quads_for_pattern(_META_GRAPH, _META_SOURCE, None, _META_GRAPH):
            return q.object.value
        return None
    finally:
        del disk


def _build_view(quads: Iterable[ox.Quad]) -> ox.Store:
    view = ox.Store()
    view.extend(quads)
    view.update(_UNION)
    return view


def _ntriples(triples: Iterable[ox.Triple]) -> str:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def _graph_block(graph: ox.NamedNode | ox.DefaultGraph, quads: Iterable[ox.Quad]) -> str:
    """Quads of one graph as the body of ``INSERT DATA``/``DELETE DATA``."""
    body = _ntriples(q.triple for q in quads)
    return body if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{\n{body}}}\n"


def _by_graph(quads: Iterable[ox.Quad]) -> dict[ox.NamedNode | ox.DefaultGraph, list[ox.Quad]]:
    groups: dict[Any, list[ox.Quad]] = {}
    for q in quads:
        groups.setdefault(q.graph_name, []).append(q)
    return groups


class Holder:
    """Runs in the holder process: the primary data, the views, the metadata; forks workers.

    ``raw`` is the dataset as stored (named graphs, empty ones included, and the store's own
    default graph); ``views`` are what queries see. With a path, ``disk`` persists ``raw``.
    """

    def __init__(self, config: dict[str, Any], *, workers: bool = False, views_thread: bool | None = None):
        self.config = config
        self.inferred = frozenset(config["inferred_graphs"])
        self.read_only = False
        self.disk = self._open(config["path"]) if config["path"] else None
        self.raw = ox.Store()
        self.views: Views | None = None
        self.stored: DiskViews | None = None  # the views on disk (a large store on disk)
        self.workers = workers  # whether this holder starts workers (not when in-process)
        self.forker: socket.socket | None = None
        self.version, self.modified, self.source = "empty", time.time(), ""
        # the views on disk taking the last write, in a thread (see the module docstring): in
        # the holder process; in a parent's process (``workers=False``) only when asked
        self.views_thread = workers if views_thread is None else views_thread
        self._views_writer: ThreadPoolExecutor | None = None
        self._pending: tuple[Future, dict[str, Any]] | None = None  # see _take_write_later
        self._graphs_read: Future | None = None  # see _read_graphs_later
        self._removed = 0  # statements removed from the stores on disk since they were last flushed
        self._flushing: Future | None = None  # see _flush_later
        self._owed: _Owed | None = None  # what the views on disk owe (see _owe)
        self._flusher: ThreadPoolExecutor | None = None
        if self.disk is not None:
            self._read_meta()
            self._open_views()
        else:
            self._rebuild()

    def _open_views(self, *, replaced: bool = False) -> None:
        """The views of a store on disk: on disk too when it is large (so that opening it reads
        nothing into memory); read into memory when it is small (up to ``memory_views_max``
        quads: queries are faster there, and the memory and the time to read it are small)
        or when its disk is full (nothing can be written there)."""
        limit = self.config.get("memory_views_max", MEMORY_VIEWS_MAX)
        if not self.read_only and self._quads_over(limit):
            if self.workers and self.forker is None:
                self.forker = start_forker(self.config)  # its start overlaps opening the views
            self.raw = self.disk
            if self.stored is None:  # opened, and rebuilt when they are not the store's (or it was replaced)
                self.stored = DiskViews(self.config["path"], self.disk, self.version, record=_META_GRAPH,
                                        inferred=self.inferred, rebuild=replaced)
            elif replaced:
                self.views = None  # the last references to the old views, which the rebuild deletes
                self.stored.rebuild(self.version)
            self._from_stored()
            return
        self.stored = self.views = None
        self.raw = ox.Store()
        self.raw.extend(self._stored_quads())
        for graph in self._stored_graphs():
            self.raw.add_graph(graph)
        self._rebuild()

    def _quads_over(self, limit: int) -> bool:
        """Whether the store on disk holds more than ``limit`` quads (read from the views'
        state when they are current; else counted up to ``limit + 1``)."""
        state = DiskViews.read_state(self.config["path"])
        if state is not None and state.get("version") == self.version:
            return sum(n for _, n in state["counts"]) > limit
        return sum(1 for _ in itertools.islice(self._stored_quads(), limit + 1)) > limit

    def _stored_quads(self):
        return (q for q in self.disk.quads_for_pattern(None, None, None, None) if q.graph_name != _META_GRAPH)

    def _stored_graphs(self):
        return (g for g in self.disk.named_graphs() if g != _META_GRAPH)

    def _from_stored(self) -> None:
        self.views = Views(self.stored.full, self.stored.asserted)
        self.counts, self.triples = self.stored.counts, self.stored.triples

    def _open(self, path: str) -> ox.Store:
        """The on-disk store; read-only when the disk is too full to open it for writing (RocksDB
        writes on opening), so reads go on and writes get :class:`StoreFull`."""
        try:
            return ox.Store(path)
        except OSError as exc:
            if in_use(path):
                raise StoreInUse(path) from None
            if not _disk_full(exc):
                raise
            print("basel-kg: the store's disk is full: opening it read-only", file=sys.stderr)
            self.read_only = True
            return ox.Store.read_only(path)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreFull("the store was opened read-only because its disk was full; free space and restart "
                            "to write again")

    # -- data
    def _rebuild(self) -> None:
        """The views, in memory, made from ``raw`` (in memory)."""
        quads = list(self.raw)
        self._size, self._history = len(quads), 0  # statements removed since: see apply
        asserted = [q for q in quads if not self._is_inferred(q.graph_name)]
        self.views = Views(_build_view(quads), _build_view(asserted))
        self._count()

    def _count(self) -> None:
        self.counts, self.triples = view_counts(self.views.full, self.raw)

    def _is_inferred(self, graph: Any) -> bool:
        return isinstance(graph, ox.NamedNode) and graph.value in self.inferred

    def _read_meta(self) -> None:
        for q in self.disk.quads_for_pattern(None, None, None, _META_GRAPH):
            if q.predicate == _META_VERSION:
                self.version = q.object.value
            elif q.predicate == _META_MODIFIED:
                self.modified = datetime.fromisoformat(q.object.value).timestamp()
            elif q.predicate == _META_SOURCE:
                self.source = q.object.value

    def _meta_update(self) -> str:
        """SPARQL Update that records version, time and source on disk."""
        stamp = datetime.fromtimestamp(self.modified, timezone.utc).isoformat()
        meta = _ntriples([
            ox.Triple(_META_GRAPH, _META_VERSION, ox.Literal(self.version)),
            ox.Triple(_META_GRAPH, _META_MODIFIED, ox.Literal(stamp, datatype=_XSD_DATETIME)),
            ox.Triple(_META_GRAPH, _META_SOURCE, ox.Literal(self.source)),
        ])
        return f"DROP SILENT GRAPH {_META_GRAPH} ; INSERT DATA {{ GRAPH {_META_GRAPH} {{ {meta} }} }}"

    def info(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "modified": self.modified,
            "source": self.source,
            "triples": self.triples,
            "graphs": self.counts,
            "read_only": self.read_only,
            # queries and plans read the store on disk, which names the blank nodes written to it
            # afresh (SPARQL's INSERT DATA does; a graph losing one is written again whole)
            "renames_blank_nodes": self.disk is not None and self.raw is self.disk,
        }

    # -- commands (the parent calls them by name)
    def replace(self, nquads: bytes, version: str, source: str, file: str | None = None) -> None:
        """Replace the data with the N-Quads of ``file`` (read here) followed by ``nquads``."""
        # on disk, the data goes from the bytes to the store by a bulk load: no copy of it in
        # this process, no transaction holding all of it
        quads = ox.parse(nquads, ox.RdfFormat.N_QUADS)
        if file is not None:
            quads = itertools.chain(ox.parse(path=file, format=ox.RdfFormat.N_QUADS), quads)
        if self.disk is None:
            quads = list(quads)
        _require_named(quads)
        self._writable()
        self.settle()
        self._flushed()
        before = self.version, self.modified, self.source
        self.version, self.modified, self.source = version, time.time(), source
        if self.disk is not None:
            # clear() drops the metadata too, and it is written last: a load cut short
            # leaves a store that claims nothing, so the next start loads again.
            try:
                self.disk.clear()
                if file is not None:
                    self.disk.bulk_load(path=file, format=ox.RdfFormat.N_QUADS)
                if nquads.strip() or file is None:
                    self.disk.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
                self.disk.update(self._meta_update())
                self.disk.flush()
                self.disk.optimize()  # compacted now, not in the background while serving
            except OSError as exc:
                self.version, self.modified, self.source = before
                if _disk_full(exc):
                    raise StoreFull("the store's disk is full: the data was not replaced") from None
                raise
            self._open_views(replaced=True)
            return
        self.raw = ox.Store()
        self.raw.extend(quads)
        self._rebuild()

    def plan_graph(self, operation: str, graph: str | None, ntriples: bytes) -> tuple[Delta, bool]:
        """The change a Graph Store request makes (nothing is applied) and whether the graph existed."""
        node = ox.NamedNode(graph) if graph is not None else _DEFAULT
        exists = graph is None or self.raw.contains_named_graph(node)
        old = self.raw.quads_for_pattern(None, None, None, node)
        triples = (q.triple for q in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES))
        delta = graph_change(operation, node, old, triples, exists).based_on(self.version)
        if self.stored is not None and self.views_thread:
            self._read_graphs_later(delta)
        return delta, exists

    def _read_graphs_later(self, delta: Delta) -> None:
        """Read, in the views' thread, which graphs hold each statement of a planned change now:
        what the union's bookkeeping of its apply needs (:meth:`_view_changes`), read while the
        parent checks the change (the store does not change before the apply: writes come
        through this process one at a time, and the read is kept for this version only)."""
        triples = {q.triple for q in (*delta.remove, *delta.add)}
        version, raw = self.version, self.raw

        def read() -> tuple[str, dict[ox.Triple, frozenset]]:
            return version, {t: frozenset(q.graph_name for q in raw.quads_for_pattern(t.subject, t.predicate, t.object, None))
                             for t in triples}

        self._graphs_read = self._views_executor().submit(read)

    def _graphs_before(self) -> dict[ox.Triple, frozenset]:
        """The graphs read by :meth:`_read_graphs_later` for the current version ({} if none)."""
        pending, self._graphs_read = self._graphs_read, None
        if pending is None:
            return {}
        try:
            version, graphs = pending.result()
        except Exception:  # noqa: BLE001 - only a shortcut: the apply reads the graphs itself
            return {}
        return graphs if version == self.version else {}

    def apply(self, delta: Delta, what: str) -> None:
        """Apply ``delta``: on disk in one transaction (with the new version), then in memory."""
        if delta.base_version is not None and delta.base_version != self.version:
            raise StaleWrite(f"the data changed (version {self.version}) since this change was planned "
                             f"(on version {delta.base_version})")
        self.settle(views=False)  # the previous write is worked out (read from raw) before this one changes raw
        raw = self.raw
        if any(q.graph_name == _META_GRAPH for q in (*delta.remove, *delta.add)) or \
                _META_GRAPH.value in delta.create | delta.drop:
            raise ValueError(f"the graph {_META_GRAPH} is the store's own record and cannot be written")
        create = {ox.NamedNode(g) for g in delta.create}
        drop = {ox.NamedNode(g) for g in delta.drop} - create
        drop = {g for g in drop if raw.contains_named_graph(g)}
        removed = {q for q in delta.remove if q in raw}
        for graph in drop:
            removed.update(raw.quads_for_pattern(None, None, None, graph))
        added = {q for q in delta.add if q not in raw or q in removed}
        kept = removed & added
        removed -= kept
        added -= kept
        create = {g for g in create if not raw.contains_named_graph(g)}
        if not (removed or added or drop or create):
            return
        self._writable()
        # On disk, the views must name blank nodes as the store does, and SPARQL cannot name
        # them (see _disk_update): the views take the whole of a graph a blank node was written
        # to or removed from, as the store holds it after the write.
        touched = {q.graph_name for q in removed | added if has_blank_node(q)} - drop if self.stored is not None else set()
        held = {g: set(raw.quads_for_pattern(None, None, None, g)) for g in touched}
        graphs_before = self._graphs_before() if self.stored is not None else {}
        before = self.version, self.modified
        self._changed(what + "\n" + hashlib.sha256(pickle.dumps((sorted(map(str, removed)), sorted(map(str, added)),
                                                                 sorted(map(str, drop | create))))).hexdigest())
        if self.disk is not None:
            try:
                self.disk.update(self._disk_update(removed, added, drop, create))
            except OSError as exc:  # one transaction: nothing was written, memory is unchanged too
                self.version, self.modified = before
                if _disk_full(exc):
                    raise StoreFull("the store's disk is full: the write was not applied") from None
                raise
            if self.stored is not None:  # raw is the disk store, changed already: now the views
                for graph in touched:
                    removed = {q for q in removed if q.graph_name != graph} | held[graph]
                    added = {q for q in added if q.graph_name != graph} | set(raw.quads_for_pattern(None, None, None, graph))
                kept = removed & added
                removed, added = removed - kept, added - kept
                self.counts = self._counted(removed, added, drop, create)
                self._removed += len(removed)
                flush = self._removed >= FLUSH_AFTER
                if flush:
                    self._removed = 0
                self._take_write_later({"removed": removed, "added": added, "graphs_before": graphs_before,
                                        "triples": self.triples, "version": self.version, "counts": self.counts,
                                        "flush": flush})
                return
        for q in removed:
            raw.remove(q)
        for graph in drop:
            raw.remove_graph(graph)
        for graph in create:
            raw.add_graph(graph)
        raw.extend(added)
        self.counts = self._counted(removed, added, drop, create)
        self._take_write_later({"removed": removed, "added": added, "graphs_before": {}, "triples": self.triples,
                                "version": self.version, "counts": self.counts, "flush": False})

    def _write_memory(self, lose: dict[str, list[ox.Quad]], gain: dict[str, list[ox.Quad]], removed: int) -> None:
        """The views in memory take a change (``removed``: statements ``raw`` lost by it).
        Removed statements stay in memory as history (see :func:`terms.without_history`): the
        store and the views are made afresh once more went out of them than the store held."""
        self._write_views(lose, gain)
        self._history += removed + sum(map(len, lose.values()))
        fresh = without_history(self.raw, self._history, self._size)
        if fresh is not None:
            self.raw = fresh  # the same statements: a read of the one before it is still right
            self._rebuild()

    def _disk_update(self, removed: set[ox.Quad], added: set[ox.Quad], drop: set, create: set) -> str:
        """One SPARQL Update (one transaction) taking the disk store to the new state.

        SPARQL cannot name a stored blank node (``DELETE DATA`` may not hold one, and
        ``INSERT DATA`` mints new ones), so a graph that loses a statement with a blank node
        is rewritten whole from memory; ``INSERT DATA`` is a single operation, so a blank
        node used in several places stays one node.
        """
        removed_by_graph = _by_graph(q for q in removed if q.graph_name not in drop)
        rewrite = {g for g, quads in removed_by_graph.items() if any(map(has_blank_node, quads))}
        added_by_graph = _by_graph(added)
        operations = []
        deletions = "".join(_graph_block(g, quads) for g, quads in removed_by_graph.items() if g not in rewrite)
        if deletions:
            operations.append(f"DELETE DATA {{\n{deletions}}}")
        for graph in rewrite:
            operations.append("CLEAR SILENT DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"CLEAR SILENT GRAPH {graph}")
        operations += [f"DROP SILENT GRAPH {g}" for g in drop]
        operations += [f"CREATE SILENT GRAPH {g}" for g in create]
        insert = []
        for graph in rewrite:
            gone = set(removed_by_graph[graph])
            content = [q for q in self.raw.quads_for_pattern(None, None, None, graph) if q not in gone]
            insert.append(_graph_block(graph, content + added_by_graph.pop(graph, [])))
        insert += [_graph_block(g, quads) for g, quads in added_by_graph.items()]
        if any(insert):
            operations.append(f"INSERT DATA {{\n{''.join(insert)}}}")
        operations.append(self._meta_update())
        return " ;\n".join(operations)

    def _counted(self, removed: set[ox.Quad], added: set[ox.Quad], drop: set, create: set) -> tuple[tuple[str, int], ...]:
        """The statements of each named graph after a change (``removed`` and ``added`` exact)."""
        counts = dict(self.counts)
        for q in removed:
            if isinstance(q.graph_name, ox.NamedNode):
                counts[q.graph_name.value] -= 1
        for q in added:
            if isinstance(q.graph_name, ox.NamedNode):
                counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
        for graph in drop:
            counts.pop(graph.value, None)
        for graph in create:
            counts.setdefault(graph.value, 0)
        return tuple(sorted(counts.items()))

    def _view_changes(self, removed: set[ox.Quad], added: set[ox.Quad], triples: int,
                      graphs_before: dict[ox.Triple, frozenset] | None = None,
                      ) -> tuple[dict[str, list[ox.Quad]], dict[str, list[ox.Quad]], int]:
        """What each view loses and gains by a change already applied to ``raw`` (read here, so
        before the next change), and the union's size after it (``triples`` before), in time
        proportional to the change. ``graphs_before``: the graphs that held some of the
        statements before the change (read while it was checked: see
        :meth:`_read_graphs_later`); the others are read here: a statement the change only
        adds, from the views (which hold the store as it was before it), one it removes, from
        ``raw``."""
        lose: dict[str, list[ox.Quad]] = {"full": [], "asserted": []}
        gain: dict[str, list[ox.Quad]] = {"full": [], "asserted": []}
        for q in removed:
            if isinstance(q.graph_name, ox.NamedNode):
                lose["full"].append(q)
                lose["asserted"].append(q)
        for q in added:
            if isinstance(q.graph_name, ox.NamedNode):
                gain["full"].append(q)
                if not self._is_inferred(q.graph_name):
                    gain["asserted"].append(q)
        # the union (each view's default graph): a triple joins it when no graph held it before
        # the change and one does after, and leaves it the other way round; what held it before
        # is what holds it now, less the change, and what holds it now is what held it before,
        # plus the change (``removed`` and ``added`` are exact: removed statements were there,
        # added ones were not)
        moved: dict[ox.Triple, list[tuple[Any, int]]] = {}
        for q in removed:
            moved.setdefault(q.triple, []).append((q.graph_name, 1))
        for q in added:
            moved.setdefault(q.triple, []).append((q.graph_name, -1))
        graphs_before = graphs_before or {}
        owed = self._owed if self._owed is not None else _Owed()
        for triple, changes in moved.items():
            s, p, o = triple
            union = ox.Quad(s, p, o, _DEFAULT)
            known = graphs_before.get(triple)
            if known is None and all(sign < 0 for _, sign in changes):
                # only added: in the union now; in it before if the views' union holds it (they
                # hold the store as it was before this change, with what they owe): two lookups
                # of one key each, not a scan of the store's statements with this triple (about
                # 30 µs each on disk, whatever the store's size: a 100-triple write's took 9 ms)
                was_full, was_asserted = (owed.holds(name, union, getattr(self.views, name)) for name in _VIEWS)
                triples += not was_full
                if not was_full:
                    gain["full"].append(union)
                if not was_asserted and any(not self._is_inferred(g) for g, _ in changes):
                    gain["asserted"].append(union)
                continue
            if known is None:
                after = {q.graph_name for q in self.raw.quads_for_pattern(s, p, o, None)}
                before = set(after)
                for graph, sign in changes:
                    (before.add if sign > 0 else before.discard)(graph)
            else:
                before, after = set(known), set(known)
                for graph, sign in changes:
                    (after.discard if sign > 0 else after.add)(graph)
            triples += bool(after) - bool(before)
            for name, was, now in (("full", bool(before), bool(after)),
                                   ("asserted", any(not self._is_inferred(g) for g in before),
                                    any(not self._is_inferred(g) for g in after))):
                if now and not was:
                    gain[name].append(union)
                elif was and not now:
                    lose[name].append(union)
        return lose, gain, triples

    def _write_views(self, lose: dict[str, list[ox.Quad]], gain: dict[str, list[ox.Quad]]) -> None:
        """What each view loses, then what it gains, in one operation each (on disk, a
        transaction each instead of one per statement)."""
        for name in ("full", "asserted"):
            _remove_all(getattr(self.views, name), lose[name])
            getattr(self.views, name).extend(gain[name])

    def _write_stored(self, lose: dict[str, list[ox.Quad]], gain: dict[str, list[ox.Quad]], version: str,
                      counts: tuple[tuple[str, int], ...], triples: int) -> None:
        """The views on disk take a change, then record its version (see :meth:`DiskViews.commit`)."""
        self._write_views(lose, gain)
        self.stored.commit(version, counts, triples)

    def _flush_later(self) -> None:
        """Write the memtables of the stores on disk out (:meth:`DiskViews.flush`) in a thread
        of its own, which nothing waits for: RocksDB flushes while the stores take writes, and
        pyoxigraph lets the interpreter go meanwhile. In the views' thread the next write
        waited for it (about 300 ms at 100x, every 40 writes of 100 triples). One at a time: a
        flush asked for while one runs is left out (the next threshold asks again).

        Asked for after every :data:`FLUSH_AFTER` statements removed from the stores. A removed
        statement stays in RocksDB's memtable as a tombstone, which every read of its key range
        steps over until the memtable is flushed and compacted: a graph replaced 3,000 times in
        a row took 166 ms to read instead of 0.1 ms; flushed every 2,000-10,000 removed
        statements (a few tens of milliseconds, off the write's path), 2-9 ms. At 100x a graph of
        100 statements replaced 200 times (20,000 removed) takes 6.8 ms to read (1.7 ms after 50
        times); only the store's own plan of a write reads it so (the write guard's copy plans
        the others, and queries read a snapshot, which flushes)."""
        running = self._flushing
        if running is not None:
            if not running.done():
                return
            if running.exception() is not None:  # not the writes' failure: they were written
                print(f"basel-kg: writing the stores' memtables out failed ({running.exception()})", file=sys.stderr)
        if self._flusher is None:
            self._flusher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="basel-kg-flush")
        self._flushing = self._flusher.submit(self.stored.flush)

    def _flushed(self) -> None:
        """Wait for a flush under way (before the stores it writes are replaced or closed)."""
        running, self._flushing = self._flushing, None
        if running is not None:
            futures_wait([running])

    def _take_write_later(self, job: dict[str, Any]) -> None:
        """:meth:`_take_write` in the views' thread (see :attr:`views_thread`), else now. Until
        it is done the union's size is not known (:meth:`info` says None: a caller that needs
        it waits with :meth:`settle`)."""
        if not self.views_thread:
            self._take_write(job)
            return
        self.triples = None
        self._pending = self._views_executor().submit(self._take_write, job), job

    def _take_write(self, job: dict[str, Any]) -> None:
        """The views take a write applied to ``raw``: what each loses and gains, worked out once
        (:meth:`_view_changes`, which reads ``raw``: nothing changes it before :meth:`settle`),
        then taken: in memory written (:meth:`_write_memory`); on disk owed (:meth:`_owe`), or
        written at once by a holder without the views' thread (:meth:`_write_stored`); then the
        memtables flushed when due (:meth:`_flush_later`). Run again after a failure, it takes
        what it worked out."""
        if "views" not in job:
            lose, gain, triples = self._view_changes(job["removed"], job["added"], job["triples"],
                                                     job["graphs_before"])
            job["views"] = (lose, gain, job["version"], job["counts"], triples)
            self.triples = triples
        if self.stored is None:
            self._write_memory(*job["views"][:2], removed=len(job["removed"]))
        elif not self.views_thread:  # in the caller's process: nothing would write what they owe
            self._write_stored(*job["views"])
        else:
            if not job.get("owed"):
                self._owe(*job["views"])
                job["owed"] = True
            if len(self._owed) > OWED_MAX:
                self._pay_part(len(self._owed) - OWED_MAX)
        if job["flush"]:
            self._flush_later()

    def _owe(self, lose: dict[str, list[ox.Quad]], gain: dict[str, list[ox.Quad]], version: str,
             counts: tuple[tuple[str, int], ...], triples: int) -> None:
        """The views on disk owe a write, netted with what they owed (:class:`_Owed`), until
        something reads them (:meth:`settle`: a query, a worker's snapshot, the process ending)
        or the process has had no command for :data:`IDLE_PAY` seconds (:func:`main`); past
        :data:`OWED_MAX` owed statements they take the excess at once (:meth:`_pay_part`).
        Written at once, a write's share of the views' two transactions and state file was two
        thirds of the store's CPU a PUT at 100x; a client replacing a graph again and again owes
        its first and last contents only."""
        owed = self._owed if self._owed is not None else _Owed()
        owed.add(lose, gain)
        owed.version, owed.counts, owed.triples = version, counts, triples
        self._owed = owed

    def _pay(self) -> None:
        """The views on disk take what they owe (:meth:`_write_stored`). On a failure they
        still owe it: written again, removing what is gone and adding what is there change
        nothing."""
        owed = self._owed
        if owed is None:
            return
        self._write_stored(*owed.part(len(owed)), owed.version, owed.counts, owed.triples)
        self._owed = None

    def _pay_part(self, count: int) -> None:
        """The views on disk take ``count`` of the statements they owe. Their state file keeps
        the version it records: they are between two versions until they take the rest (a
        process killed meanwhile leaves them to rebuild, as one killed before its views took a
        write does)."""
        lose, gain = self._owed.part(count)
        self._write_views(lose, gain)
        self._owed.paid(lose, gain)

    def owes(self) -> bool:
        """Whether the views on disk lag the store (a write not yet worked out, or owed)."""
        return self.stored is not None and (self._pending is not None or self._owed is not None)

    def idle_work(self) -> bool:
        """Whether :meth:`idle` has something to do: views on disk that owe a write, or a
        snapshot to take ahead (:meth:`_snapshot_ahead`)."""
        return self.owes() or self._snapshot_ahead()

    def _snapshot_ahead(self) -> bool:
        """Whether to take the next query worker's snapshot before it is asked for: once query
        workers have been started (the forker runs) and the last snapshot is older than the views."""
        return self.forker is not None and self.stored.snapshot_due()

    def idle(self) -> None:
        """What no command waits for: the views on disk take what they owe, and, once query
        workers have been started, the snapshot of this version is taken for the next one. The
        first query after a write then only forks a worker: at 100x the snapshot's flush and
        checkpoints were 53 of its 95 ms (a write arriving meanwhile waits for them instead)."""
        self.settle()
        if self._snapshot_ahead():
            self.stored.snapshot()
            self.stored.prune()

    def _views_executor(self) -> ThreadPoolExecutor:
        """The views' thread (one: its jobs run in the order given)."""
        if self._views_writer is None:
            self._views_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="basel-kg-views")
        return self._views_writer

    def settle(self, views: bool = True) -> None:
        """Wait until the last write is worked out in the views' thread (the union's size known)
        and, with ``views``, until the views hold it (on disk, what they owe written: see
        :meth:`_owe`). Their thread failing (a full disk) is not the write's failure (the store
        has it): the same change is written again here, and an error then goes to the command
        that waited (a query, the next write)."""
        pending, self._pending = self._pending, None
        try:
            if pending is not None:
                done, job = pending
                try:
                    done.result()
                except Exception as exc:  # noqa: BLE001 - retried at once; a second failure is raised
                    print(f"basel-kg: the query views could not take a write ({exc}); trying again", file=sys.stderr)
                    try:
                        self._take_write(job)  # removing what is gone and adding what is there change nothing
                    finally:
                        if self.triples is None:  # the union's size as the views still hold it: before the write
                            self.triples = job["triples"]
            if views and self._owed is not None:
                try:
                    self._pay()
                except Exception as exc:  # noqa: BLE001 - as above: once more, then raised
                    print(f"basel-kg: the query views could not take the writes they owe ({exc}); trying again",
                          file=sys.stderr)
                    self._pay()
        except OSError as exc:
            if _disk_full(exc):
                raise StoreFull("the store's disk is full: the query views could not take the last write "
                                "(restart when there is space: they are rebuilt from the store)") from None
            raise

    def query(self, request: dict[str, Any]) -> Any:
        """Answer a trusted query (see :meth:`basel_kg.store.model.Store.query`) here: no
        worker, so no snapshot of a store on disk is taken for it. One on the dataset as stored
        (``stored``, as trusted queries are) reads ``raw``, which holds the last write as soon as
        it is applied, and does not wait for the views' thread; others read the views."""
        if not request.get("stored"):
            self.settle()
        return Worker(self.views, self.raw, self.version, self.config).answer(request)

    def export(self) -> bytes:
        quads = self._stored_quads() if self.raw is self.disk else self.raw
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)

    def _changed(self, what: str) -> None:
        self.version = hashlib.sha256(f"{self.version}\n{what}".encode()).hexdigest()[:16]
        self.modified = time.time()

    def spawn(self, channel: socket.socket) -> None:
        """Start a query worker and hand its socket to the parent (over ``channel``)."""
        if self.stored is not None:
            self._spawn_on_disk(channel)
            return
        try:
            self.settle()  # the worker shares the views as they are: whole, and no thread writing them
        except Exception as exc:  # noqa: BLE001 - the views did not take the last write: no worker on them
            _no_worker(channel, exc)
            return
        pid, parent_end = fork_worker(channel, self.config["worker_memory_mb"],
                                      lambda end: Worker(self.views, self.raw, self.version, self.config).serve(end))
        socket.send_fds(channel, [b"F"], [parent_end.fileno()])
        parent_end.close()
        send(channel, ("ok", {"pid": pid, "version": self.version}))

    def _spawn_on_disk(self, channel: socket.socket) -> None:
        """A worker forked by the forker, on the current snapshot; ``b"E"`` and the error if
        none could be started."""
        try:
            self.settle()
            folder = self.stored.snapshot()  # of the current version: taken now if the last is older
        except Exception as exc:  # noqa: BLE001 - a full disk, views that did not take the last write: no worker
            _no_worker(channel, exc)
            return
        try:
            if self.forker is None:
                self.forker = start_forker(self.config)
            send(self.forker, (folder, self.version))
            status, value = recv(self.forker)
            if status != "ok":
                raise StoreError(value)
            _, fds, _, _ = socket.recv_fds(self.forker, 1, 1)
        except (EOFError, OSError, StoreError) as exc:
            if not isinstance(exc, StoreError) and self.forker is not None:
                self.forker.close()  # it died: a new one next time
                self.forker = None
            _no_worker(channel, exc)
            return
        self.stored.used_by(folder, value)
        socket.send_fds(channel, [b"F"], fds)
        os.close(fds[0])
        send(channel, ("ok", {"pid": value, "version": self.version}))
        self.stored.prune()  # while the worker answers


def _settle_quietly(holder: Holder, *, idle: bool = False) -> bool:
    """:meth:`Holder.settle` (:meth:`Holder.idle` with ``idle``) when no command waits for it
    (the process ending, or idle): a failure is reported, not raised, and False returned (the
    next command that reads the views gets it; the views of a store opened again are rebuilt
    when their state file is not the store's version)."""
    try:
        holder.idle() if idle else holder.settle()
    except Exception as exc:  # noqa: BLE001 - nobody to raise it to: say it
        what = "take the last write or snapshot it" if idle else "take the last write"
        print(f"basel-kg: the query views could not {what}: {exc}", file=sys.stderr)
        return False
    return True


def _no_worker(channel: socket.socket, exc: BaseException) -> None:
    """Tell the parent waiting on ``channel`` that no query worker could be started, and why."""
    channel.sendall(b"E")
    send(channel, ("error", "StoreError", f"no query worker could be started: {exc}"))


def start_forker(config: dict[str, Any]) -> socket.socket:
    """Start the forker process (:mod:`.forker`) and return the socket to it."""
    import subprocess

    ours, theirs = socket.socketpair()
    subprocess.Popen(
        [sys.executable, "-c", "import sys; from basel_kg.store.forker import main; main(int(sys.argv[1]))",
         str(theirs.fileno())],
        pass_fds=[theirs.fileno()],
        stdin=subprocess.DEVNULL,
    )
    theirs.close()
    send(ours, config)
    return ours


def _remove_all(store: ox.Store, quads: list[ox.Quad]) -> None:
    """Remove ``quads`` (those present) from ``store``: one ``DELETE DATA`` for those without a
    blank node (which SPARQL cannot name), one by one for the others."""
    named = [q for q in quads if not has_blank_node(q)]
    if named:
        body = "".join(_graph_block(g, group) for g, group in _by_graph(named).items())
        store.update(f"DELETE DATA {{\n{body}}}")
    for q in quads:
        if has_blank_node(q):
            store.remove(q)


def _require_named(quads: Iterable[ox.Quad]) -> None:
    for q in quads:
        if not isinstance(q.graph_name, ox.NamedNode):
            raise ValueError(f"every triple must be in a named graph; found {q.triple} outside one")


def fork_worker(channel: socket.socket, memory_mb: int | None,
                run: Callable[[socket.socket], None]) -> tuple[int, socket.socket]:
    """Fork a query worker that runs ``run(its end of a new socket pair)`` with its memory limited
    and dies with its parent; it never returns into the caller's loop. The parent gets the
    worker's pid and its own end of the pair (``channel``, the caller's, is closed in the child)."""
    parent_end, child_end = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 0
        try:
            channel.close()
            parent_end.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            _die_with_parent()
            _limit_memory(memory_mb)
            run(child_end)
        except BaseException:  # noqa: BLE001 - a worker must never return into the forking loop
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    child_end.close()
    return pid, parent_end


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker when the holder exits, whatever the reason."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the holder died before prctl took effect
        os._exit(0)


def _limit_memory(megabytes: int | None) -> None:
    """Cap a worker's address space, so one query cannot take the machine's memory."""
    if not megabytes:
        return
    import resource

    limit = address_space() + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


# commands -> do they change the data (and so retire the workers)?
_HOLDER_COMMANDS = {"replace": True, "apply": True, "plan_graph": False, "export": False, "query": False,
                    "settle": False}


def _disk_full(exc: OSError) -> bool:
    return exc.errno == errno.ENOSPC or "No space left on device" in str(exc)


def main(fd: int) -> None:
    """Entry point of the holder process (see the module docstring)."""
    channel = socket.socket(fileno=fd)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps finished workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops us
    try:
        holder = Holder(recv(channel), workers=True)
    except StoreError as exc:  # raised in the parent as itself
        send(channel, ("raise", exc))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        send(channel, ("error", type(exc).__name__, str(exc)))
        return
    send(channel, ("ok", holder.info()))
    idle = True  # not again after a failed one until the next command
    while True:
        if idle and holder.idle_work() and not select.select([channel], [], [], IDLE_PAY)[0]:
            idle = _settle_quietly(holder, idle=True)  # no command for a while: see Holder.idle
            continue
        idle = True
        try:
            command, *args = recv(channel)
        except (EOFError, OSError):
            _settle_quietly(holder)  # the views take the last write before the process ends
            return
        if command == "spawn":
            holder.spawn(channel)
            continue
        try:
            if command not in _HOLDER_COMMANDS:
                raise ValueError(f"unknown command {command!r}")
            result = getattr(holder, command)(*args)
        except StoreError as exc:
            send(channel, ("raise", exc))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
            send(channel, ("error", type(exc).__name__, str(exc)))
        else:
            send(channel, ("ok", holder.info(), result))


