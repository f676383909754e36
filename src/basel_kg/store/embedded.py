"""The embedded store: pyoxigraph in a helper process, in memory or on disk.

pyoxigraph has no query timeout, so a runaway query can only be stopped by stopping the
process that runs it. The store therefore lives in a helper process, the *holder*
(:mod:`basel_kg.store.holder`), which owns the data and forks *query workers*
(:mod:`basel_kg.store.worker`); this process keeps a pool of them (:mod:`basel_kg.store.pool`)
and talks to both over sockets (:mod:`basel_kg.store.ipc`).

Writes are commands to the holder, which applies them one at a time; afterwards idle
workers are retired and new ones are started on the updated data. What a SPARQL Update
would change is worked out by a worker on a scratch copy (so it can be stopped at the time
limit, and nothing changes until the change is applied). With ``path=`` the holder keeps
the data in an on-disk pyoxigraph (RocksDB) store; a write is one RocksDB transaction, data
and new version together.

The dataset a query sees: every named graph of the store, and as default graph their union,
with RDF merge (set) semantics: a triple asserted in two graphs counts once. A second view
leaves out the inferred graphs (``inference=False``). Both views are materialised (the union
is stored, not computed per query; pyoxigraph's own union default graph would count a triple
once per graph). In memory (no ``path``, or a small store on disk, up to ``memory_views_max``
quads, read into memory on opening) the holder forks the workers, which share the views
copy-on-write: the fastest queries. A larger store on disk keeps them on disk beside it
(:mod:`.diskviews`), updated by each write in proportion to it, so that a restart opens them
instead of reading the data into memory, and the workers (forked by :mod:`.forker`) read
read-only snapshots of them through the page cache they all share: memory and restart time no
longer grow with the data.

No query reaches the network: ``SERVICE`` is refused unless its endpoint is allow-listed
(checked on the query text before it runs, see :func:`basel_kg.sparqltext.scan_sparql`),
and pyoxigraph never dereferences ``FROM``/``FROM NAMED``.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import QueryRefused, QuerySyntaxError, StoreError, StoreUnavailable
from ..formats import rdf_syntax_for
from ..sparqltext import add_using, check_services, scan_sparql
from .holder import MEMORY_VIEWS_MAX, Holder
from .ipc import recv, send
from .model import Delta, GraphInfo, QueryRequest, QueryResult, ResultFormats, WritableStore, rename_blank_nodes
from .pool import Pool, WorkerHandle
from .worker import Worker

__all__ = ["EmbeddedStore"]


def _shutdown(process: subprocess.Popen, channel: socket.socket, pool: Pool) -> None:
    pool.close()
    channel.close()  # the holder exits on EOF; the kernel then kills its workers
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()



class EmbeddedStore(WritableStore):
    """pyoxigraph in a helper process, in memory (``path=None``) or on disk (``path=``).

    With ``processes=False`` the same store runs in this process instead (no holder, no
    workers, so no time limit): what a command-line tool wants, which runs one query and
    exits. It answers exactly as the process-based store does.

    >>> store = EmbeddedStore()                     # doctest: +SKIP
    >>> store.load_dataset(nquads_bytes, version="2024-01")
    >>> store.query("ASK { ?s ?p ?o }").boolean()
    True

    Options: ``workers`` (most queries at once; default twice the CPUs, at least 2),
    ``timeout`` (seconds, default for :meth:`query`), ``allowed_services`` (``SERVICE``
    endpoints a query may call), ``base_iri`` (resolves relative IRIs in queries; default
    our base, so ``<org/sbc>`` means ``basel:org/sbc``),
    ``inferred_graphs`` (left out by ``inference=False``; default the reasoner's graph),
    ``prefixes`` (predeclared in every query, and used when writing Turtle; default
    :data:`basel_kg.namespaces.PREFIXES`), ``worker_memory_mb`` (per-worker memory cap),
    ``memory_views_max`` (with ``path``: up to this many quads the data is read into memory on
    opening and queried there, above it the query views are kept on disk; default
    :data:`~basel_kg.store.holder.MEMORY_VIEWS_MAX`),
    ``max_waiting`` (queries that may wait for a busy worker; one more is refused at once
    with :class:`~basel_kg.errors.ServerBusy`). A query's ``timeout`` covers its wait.

    Writes: :meth:`plan_graph` / :meth:`plan_update` work out a :class:`Delta` without
    changing anything, :meth:`apply` applies one atomically. With ``path=`` a write is one
    RocksDB transaction (data and new version together), committed to RocksDB's write-ahead
    log before :meth:`apply` returns, so it survives the server being killed at any moment.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        workers: int | None = None,
        timeout: float = 30.0,
        allowed_services: Iterable[str] = (),
        base_iri: str | None = None,
        inferred_graphs: Iterable[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
        worker_memory_mb: int | None = 4096,
        memory_views_max: int | None = None,
        prefork: int = 2,
        processes: bool = True,
        max_waiting: int = 64,
    ):
        if inferred_graphs is None or prefixes is None or base_iri is None:
            from ..namespaces import BASE, GRAPH, PREFIXES

            inferred_graphs = (str(GRAPH.INFERRED),) if inferred_graphs is None else inferred_graphs
            prefixes = PREFIXES if prefixes is None else prefixes
            base_iri = BASE if base_iri is None else base_iri
        self.path = Path(path) if path is not None else None
        self.timeout = timeout
        self.allowed_services = frozenset(allowed_services)
        config = {
            "path": os.fspath(self.path) if self.path else None,
            "base_iri": base_iri,
            "inferred_graphs": tuple(str(g) for g in inferred_graphs),
            "prefixes": dict(prefixes),
            "worker_memory_mb": worker_memory_mb,
            "memory_views_max": MEMORY_VIEWS_MAX if memory_views_max is None else memory_views_max,
        }
        if self.path:
            self.path.mkdir(parents=True, exist_ok=True)
        self._config = config
        self._local: Holder | None = None
        if not processes:
            self._local = Holder(config)
            self._info = self._local.info()
            self._finalizer = weakref.finalize(self, lambda: None)
            return
        ours, theirs = socket.socketpair()
        package_parent = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])))
        self._process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from basel_kg.store.holder import main; main(int(sys.argv[1]))",
             str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            env=env,
        )
        theirs.close()
        self._channel = ours
        self._channel_lock = threading.Lock()
        self._pool = Pool(self._spawn_worker, max(2, workers or 2 * (os.cpu_count() or 1)), max_waiting=max_waiting)
        self._finalizer = weakref.finalize(self, _shutdown, self._process, self._channel, self._pool)
        try:
            self._info = self._call_raw(config)[0]
        except BaseException:
            self.close()
            raise
        self._pool.version = self._info["version"]
        self._prefork(min(prefork, self._pool.size))

    # -- holder calls
    def _call_raw(self, message: Any) -> list[Any]:
        with self._channel_lock:
            try:
                send(self._channel, message)
                status, *payload = recv(self._channel)
            except (EOFError, OSError) as exc:
                raise StoreUnavailable(f"the store process stopped ({exc})") from None
        if status == "raise":
            raise payload[0]
        if status == "error":
            name, text = payload
            raise (ValueError if name in {"ValueError", "SyntaxError"} else StoreError)(f"{name}: {text}")
        return payload

    def _call(self, *command: Any) -> Any:
        if self._local is not None:
            try:
                return getattr(self._local, command[0])(*command[1:])
            finally:
                self._info = self._local.info()
        info, result = self._call_raw(command)
        self._info = info
        self._pool.retire_stale(info["version"])
        return result

    def _run(self, request: dict[str, Any], timeout: float | None) -> Any:
        """Run a query or update plan in a worker (here, in-process)."""
        if self._local is not None:
            local = self._local
            return Worker(local.views, local.raw, local.version, self._config).answer(request)
        return self._pool.run(request, self.timeout if timeout is None else timeout)

    def _spawn_worker(self) -> WorkerHandle:
        with self._channel_lock:
            try:
                send(self._channel, ("spawn",))
                _, fds, _, _ = socket.recv_fds(self._channel, 1, 1)
                status, *info = recv(self._channel)
            except (EOFError, OSError) as exc:
                raise StoreUnavailable(f"the store process stopped ({exc})") from None
        if status != "ok" or not fds:
            raise StoreUnavailable(info[-1] if info else "no query worker could be started")
        info = info[0]
        return WorkerHandle(info["pid"], socket.socket(fileno=fds[0]), info["version"])

    def _prefork(self, count: int) -> None:
        workers = [self._pool._acquire() for _ in range(count)]
        for worker in workers:
            self._pool._release(worker)

    # -- the Store interface
    @property
    def version(self) -> str:
        return self._info["version"]

    @property
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self._info["modified"], timezone.utc)

    @property
    def source(self) -> str:
        """What the data was loaded from, as the loader described it (see :meth:`load_dataset`)."""
        return self._info["source"]

    @property
    def prefixes(self) -> Mapping[str, str]:
        return dict(self._config["prefixes"])

    @property
    def read_only(self) -> bool:
        """Whether the store was opened read-only (its disk was full when it started)."""
        return bool(self._info.get("read_only"))

    def alive(self) -> bool:
        """Whether the store's process (the holder) is running: what a health check asks."""
        return self._local is not None or self._process.poll() is None

    @property
    def process_id(self) -> int:
        """The holder process's id (for supervisors and health checks); this process's in-process."""
        return os.getpid() if self._local is not None else self._process.pid

    @property
    def triples(self) -> int:
        """Number of distinct triples in the union of all graphs (after a write to a store on
        disk, the store process works it out with the views: asked for, it is waited for)."""
        if self._info["triples"] is None:
            self._call("settle", False)  # worked out: the views need not take it yet
        return self._info["triples"]

    def graphs(self) -> tuple[GraphInfo, ...]:
        return tuple(GraphInfo(iri, n) for iri, n in self._info["graphs"])

    def _query(self, q: QueryRequest) -> QueryResult:
        request = {
            "sparql": q.sparql,
            "default_graph_uris": q.default_graph_uris,
            "named_graph_uris": q.named_graph_uris,
            "union_default": q.union_default,
            "inference": q.inference,
            "has_from": "FROM" in q.scan.keywords,
            "formats": q.formats,
            "max_rows": q.max_rows,
            "stored": q.trusted,  # (see Store.query)
        }
        if q.trusted and self._local is None:  # in the holder, on the data as it is (see Store.query)
            return self._call("query", request)
        return self._run(request, q.timeout)

    def load_dataset(
        self,
        data: bytes | str | Path | Any,
        *,
        graphs: Mapping[str, bytes | str | Path] | None = None,
        version: str | None = None,
        source: str = "",
    ) -> None:
        """Replace everything with ``data`` (N-Quads/TriG bytes or file, or an rdflib Dataset)
        plus ``graphs``: more documents, each loaded as the named graph its key names (files
        in any RDF format, by extension; bytes as N-Triples).

        Every triple of ``data`` must be in a named graph. ``version`` defaults to a hash of
        the content; ``source`` is kept as given (the server stores a fingerprint of its
        inputs there, to know on restart whether an on-disk store is current).
        """
        # an N-Quads file with its version known is read by the store process itself, not copied
        # through this one (at 100x: 200 MB read, joined and pickled here, unpickled there)
        file = None
        if isinstance(data, Path) and version is not None and _rdf_format(None, data) == ox.RdfFormat.N_QUADS:
            file, data = str(data.resolve()), b""
        parts = [_as_nquads(data)]
        for iri, document in (graphs or {}).items():
            node = ox.NamedNode(str(iri))
            ntriples = _as_ntriples(document, None if isinstance(document, Path) else "nt")
            quads = (ox.Quad(q.subject, q.predicate, q.object, node) for q in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES))
            parts.append(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        nquads = b"\n".join(p.rstrip(b"\n") for p in parts if p.strip()) + b"\n"
        if version is None:
            version = hashlib.sha256(b"\n".join(sorted(nquads.splitlines()))).hexdigest()[:16]
        self._call("replace", nquads, version, source, file)

    def put_graph(self, graph_iri: str, data: bytes | str | Path, *, format: str | None = None) -> None:
        delta, _ = self.plan_graph("put", graph_iri, _as_ntriples(data, format))
        self.apply(delta, note=f"put {graph_iri}")

    def delete_graph(self, graph_iri: str) -> None:
        delta, exists = self.plan_graph("delete", graph_iri, b"")
        if exists:
            self.apply(delta, note=f"delete {graph_iri}")

    # -- writes (see WritableStore)
    def plan_graph(self, operation: str, graph: str | None, data: bytes) -> tuple[Delta, bool]:
        return self._call("plan_graph", operation, graph, data)

    def plan_update(self, sparql: str, *, using_graphs: Sequence[str] = (),
                    using_named_graphs: Sequence[str] = (), timeout: float | None = None) -> Delta:
        """Work out what a SPARQL 1.1 Update would change, in a worker (stopped at the time
        limit), on a scratch copy of the data. ``using_graphs``/``using_named_graphs`` are the
        protocol's ``using-graph-uri``/``using-named-graph-uri``.

        In an update, the default graph is the store's own default graph (what was written
        to it), not the union that queries see: name graphs with ``GRAPH``, ``WITH`` or
        ``USING``. Raises :class:`QuerySyntaxError`, :class:`QueryRefused` (``LOAD``,
        ``SERVICE``, or the protocol's dataset together with ``USING``/``WITH``),
        :class:`QueryTimeout`, :class:`QueryFailed`.
        """
        scan = scan_sparql(sparql)
        if "LOAD" in scan.keywords:
            raise QueryRefused("LOAD is refused: this server fetches nothing from the network or the file system")
        check_services(scan, self.allowed_services)
        if using_graphs or using_named_graphs:
            if scan.keywords & {"USING", "WITH"}:
                raise QuerySyntaxError("using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH "
                                       "in the update (SPARQL 1.1 Protocol, 2.2.3)")
            sparql = add_using(sparql, using_graphs, using_named_graphs)
        request = {"op": "plan_update", "sparql": sparql}
        return self._run(request, timeout)

    def apply(self, delta: Delta, *, note: str = "") -> None:
        self._call("apply", delta, note)

    def export(self) -> bytes:
        return self._call("export")

    def has_graph(self, graph: str) -> bool:
        return any(iri == graph for iri, _ in self._info["graphs"])

    @property
    def renames_blank_nodes(self) -> bool:
        """Does the store name the blank nodes of a write afresh (a large store on disk, whose
        queries read RocksDB: SPARQL's ``INSERT DATA`` mints new ones)? Then a copy that applied
        the write with the write's own names no longer names them as the store does."""
        return bool(self._info.get("renames_blank_nodes"))

    def read_graph(self, graph: str | None, media_type: str) -> QueryResult:
        where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
        request = {
            "sparql": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}",
            "default_graph_uris": (), "named_graph_uris": (), "union_default": False, "inference": True,
            "has_from": False, "formats": ResultFormats(graph=media_type), "max_rows": None, "stored": True,
        }
        return self._run(request, None)

    def close(self) -> None:
        self._finalizer()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _rdf_format(format: str | None, path: Path | None) -> ox.RdfFormat:
    """The RDF syntax of ``format`` (a media type or a name), else of ``path``'s suffix."""
    if format:
        found = rdf_syntax_for(media_type=format) if "/" in format else rdf_syntax_for(name=format)
    else:
        found = rdf_syntax_for(path=path) if path is not None else None
    if found is None:
        raise ValueError(f"unknown RDF format {format or (path.suffix if path else '')!r}; "
                         "use .ttl, .nt, .nq, .trig, .rdf/.owl, .jsonld or .n3")
    return found.oxigraph


def _read(data: bytes | str | Path) -> tuple[bytes, Path | None]:
    if isinstance(data, Path):
        return data.read_bytes(), data
    if isinstance(data, str):
        return data.encode("utf-8"), None
    return bytes(data), None


def _as_ntriples(data: bytes | str | Path, format: str | None) -> bytes:
    """Parse any RDF document (no network: pyoxigraph fetches no remote contexts or
    entities); its blank nodes are renamed apart from everything else."""
    raw, path = _read(data)
    fmt = _rdf_format(format, path)
    try:
        triples = [q.triple for q in rename_blank_nodes(ox.parse(raw, fmt))]
    except SyntaxError as exc:
        raise ValueError(f"{path or 'data'}: {exc}") from None
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _as_nquads(data: bytes | str | Path | Any) -> bytes:
    if hasattr(data, "serialize") and hasattr(data, "graphs"):  # an rdflib Dataset
        return data.serialize(format="nquads", encoding="utf-8")
    raw, path = _read(data)
    fmt = _rdf_format(None, path) if path is not None else ox.RdfFormat.N_QUADS
    if fmt == ox.RdfFormat.N_QUADS:
        return raw
    return ox.serialize(ox.parse(raw, fmt), format=ox.RdfFormat.N_QUADS)
