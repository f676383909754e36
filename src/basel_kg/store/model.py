"""The values a store hands out and takes in, and the interface every store implements.

:class:`QueryResult` (a serialised answer), :class:`ResultFormats` (what the caller accepts),
:class:`GraphInfo`, :class:`Delta` (a change, planned before it is applied), and the
:class:`Store` / :class:`WritableStore` protocols. Nothing here starts a process or opens a file.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from ..errors import NotAcceptable
from ..formats import BOOLEAN_MEDIA_TYPES, GRAPH_MEDIA_TYPES, SOLUTIONS_MEDIA_TYPES
from ..sparqltext import Kind, SparqlScan, check_services, scan_sparql

__all__ = [
    "Kind",
    "SOLUTIONS_MEDIA_TYPES",
    "BOOLEAN_MEDIA_TYPES",
    "GRAPH_MEDIA_TYPES",
    "PREFIXED_FORMATS",
    "QueryRequest",
    "ResultFormats",
    "GraphInfo",
    "QueryResult",
    "Delta",
    "Store",
    "WritableStore",
    "pick_media_type",
    "serialize_solutions",
    "rename_blank_nodes",
    "RECORD_GRAPH",
    "graph_change",
    "has_blank_node",
    "graph_counts",
    "view_counts",
    "nquads_of",
    "quads_of",
]

#: The graph an on-disk store keeps its own record in (version, time, source): never a graph
#: of the data, never seen by queries or writes.
RECORD_GRAPH = ox.NamedNode("urn:x-basel-kg:store")



def graph_counts(store: ox.Store) -> dict[str, int]:
    """Triples per named graph of a pyoxigraph store that holds any (empty graphs are not listed)."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


def view_counts(full: ox.Store, raw: ox.Store, record: ox.NamedNode | None = None
                ) -> tuple[tuple[tuple[str, int], ...], int]:
    """What a store reports of itself: triples per named graph, read from its query view ``full``
    (every named graph of ``raw`` listed, empty ones with 0; ``record``, the store's own, left
    out), and the triples of the union default graph."""
    counts = graph_counts(full)
    for graph in raw.named_graphs():
        if graph != record:
            counts.setdefault(graph.value, 0)
    triples = int(next(iter(full.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    return tuple(sorted(counts.items())), triples


@dataclass(frozen=True, slots=True)
class ResultFormats:
    """The media type wanted for each kind of result; ``None`` means "not acceptable"."""

    solutions: str | None = SOLUTIONS_MEDIA_TYPES[0]
    boolean: str | None = BOOLEAN_MEDIA_TYPES[0]
    graph: str | None = "application/n-triples"

    def for_kind(self, kind: Kind) -> str | None:
        return getattr(self, kind)


@dataclass(frozen=True, slots=True)
class GraphInfo:
    """A named graph of the store and its number of triples."""

    iri: str
    triples: int


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A serialised query result: ``body`` in ``media_type``, computed on dataset ``version``.

    ``count`` is the number of solutions or triples (``None`` for ASK); ``truncated`` says the
    row cap cut the result short.
    """

    kind: Kind
    media_type: str
    body: bytes
    version: str
    count: int | None = None
    truncated: bool = False

    def boolean(self) -> bool:
        """The answer of an ASK query."""
        if self.kind != "boolean":
            raise TypeError(f"not a boolean result but {self.kind}")
        parsed = ox.parse_query_results(self.body, ox.QueryResultsFormat.from_media_type(self.media_type))
        return bool(parsed)

    def solutions(self) -> list[dict[str, Any]]:
        """The rows of a SELECT result as dicts of variable name -> pyoxigraph term."""
        if self.kind != "solutions":
            raise TypeError(f"not a solutions result but {self.kind}")
        parsed = ox.parse_query_results(self.body, ox.QueryResultsFormat.from_media_type(self.media_type))
        names = [v.value for v in parsed.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in parsed]

    def triples(self) -> list[ox.Triple]:
        """The triples of a CONSTRUCT/DESCRIBE result."""
        if self.kind != "graph":
            raise TypeError(f"not a graph result but {self.kind}")
        fmt = ox.RdfFormat.from_media_type(self.media_type)
        return [q.triple for q in ox.parse(self.body, fmt)]


@dataclass(frozen=True, slots=True)
class Delta:
    """A change to the dataset, applied in this order: drop the named graphs ``drop`` (with
    their statements), remove the quads ``remove``, create the (empty) named graphs
    ``create``, add the quads ``add``. Quads in ``DefaultGraph`` are the store's own default
    graph. ``base_version``: the dataset version the change was worked out on; applying it
    to any other version fails (:class:`StaleWrite`) instead of mixing two writers' views.
    """

    remove: tuple[ox.Quad, ...] = ()
    add: tuple[ox.Quad, ...] = ()
    drop: frozenset[str] = frozenset()
    create: frozenset[str] = frozenset()
    base_version: str | None = None

    def based_on(self, version: str | None) -> Delta:
        return Delta(self.remove, self.add, self.drop, self.create, version)

    def __add__(self, other: Delta) -> Delta:
        """Both changes as one (``other`` must not undo this one's statements)."""
        return Delta(self.remove + other.remove, self.add + other.add, self.drop | other.drop,
                     self.create | other.create, self.base_version or other.base_version)

    @property
    def empty(self) -> bool:
        return not (self.remove or self.add or self.drop or self.create)

    def graphs(self) -> set[str | None]:
        """The graphs it touches: IRIs, and None for the default graph."""
        touched: set[str | None] = set(self.drop) | set(self.create)
        for q in itertools.chain(self.remove, self.add):
            touched.add(q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None)
        return touched

    def __reduce__(self):
        """Pickled with its quads as N-Quads (what a write sends to the store's process):
        pickling them one object at a time took about 17 µs a quad, 4 ms for a 100-triple write."""
        return _delta, (nquads_of(self.remove), nquads_of(self.add), self.drop, self.create, self.base_version)


def nquads_of(quads: Iterable[ox.Quad]) -> bytes:
    """``quads`` as N-Quads bytes (b"" for none): how quads go between processes."""
    quads = list(quads)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) if quads else b""


def has_blank_node(q: ox.Quad | ox.Triple) -> bool:
    """Does ``q`` hold a blank node (subject or object)? A store on disk names the blank nodes it
    is given afresh (SPARQL's ``INSERT DATA`` does), so other copies cannot name its ones."""
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)


def graph_change(operation: str, graph: ox.NamedNode | ox.DefaultGraph, old: Iterable[ox.Quad],
                 triples: Iterable[ox.Triple], exists: bool) -> Delta:
    """The change a Graph Store ``put``, ``post`` or ``delete`` of ``triples`` makes to
    ``graph``, whose statements are ``old`` (an iterable read only here) and which ``exists``
    (a named graph may exist empty). The store plans it from what it holds; the write guard,
    from its copy of the same version (:meth:`basel_kg.guard.WriteGuard.plan_graph`)."""
    if graph == RECORD_GRAPH:
        raise ValueError(f"the graph {graph} is the store's own record and cannot be written")
    old = set(old)
    new = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples}
    created = frozenset({graph.value}) if isinstance(graph, ox.NamedNode) and not exists else frozenset()
    if operation == "put":
        return Delta(remove=tuple(old - new), add=tuple(new - old), create=created)
    if operation == "post":
        return Delta(add=tuple(new - old), create=created)
    if operation == "delete":
        return Delta(remove=tuple(old), drop=frozenset({graph.value}) if isinstance(graph, ox.NamedNode) and exists
                     else frozenset())
    raise ValueError(f"unknown graph operation {operation!r}")


def quads_of(data: bytes) -> tuple[ox.Quad, ...]:
    """The quads of N-Quads bytes made by :func:`nquads_of`."""
    return tuple(ox.parse(data, format=ox.RdfFormat.N_QUADS)) if data else ()


def _delta(remove: bytes, add: bytes, drop: frozenset[str], create: frozenset[str], base_version: str | None) -> Delta:
    return Delta(quads_of(remove), quads_of(add), drop, create, base_version)


@dataclass(frozen=True, slots=True)
class QueryRequest:
    """A query as :meth:`Store.query` hands it to a store: scanned, checked, with its options."""

    sparql: str
    scan: SparqlScan
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    union_default: bool = True
    inference: bool = True
    timeout: float | None = None
    formats: ResultFormats = field(default_factory=ResultFormats)
    max_rows: int | None = None
    trusted: bool = False


@runtime_checkable
class Store(Protocol):
    """What the server and scripts need from a store to read it (writes: :class:`WritableStore`).

    The stores subclass it, so that :meth:`query` (the checks every query gets, whatever the
    store) is written once; each store answers in its own ``_query``.
    """

    #: Endpoints a query may name in ``SERVICE``; every other ``SERVICE`` is refused.
    allowed_services: frozenset[str]

    @property
    def version(self) -> str:
        """Changes whenever the data changes; caches and ETags key on it."""

    @property
    def modified(self) -> datetime:
        """When the data last changed (UTC)."""

    @property
    def triples(self) -> int:
        """Number of distinct triples in the default graph (the union of all graphs)."""

    #: The prefixes every query may use without declaring them.
    prefixes: Mapping[str, str]

    def graphs(self) -> tuple[GraphInfo, ...]:
        """The named graphs, by IRI."""

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        union_default: bool = True,
        inference: bool = True,
        timeout: float | None = None,
        formats: ResultFormats | None = None,
        max_rows: int | None = None,
        trusted: bool = False,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query.

        ``default_graph_uris``/``named_graph_uris`` replace the query's own dataset, as the
        SPARQL protocol's ``default-graph-uri``/``named-graph-uri`` do. Otherwise the default
        graph is the union of all named graphs (``union_default=False``: empty unless the
        query says ``FROM``). ``inference=False`` leaves the inferred graphs out.

        ``trusted``: the program's own query, small and bounded (e.g. about the subjects a
        write touched, right after it), never a client's: a store may run it where the data
        is, without a query process or a time limit, on the dataset as stored: its named
        graphs, and as default graph the store's own (not the union), so such a query names
        its graphs (``GRAPH ?g``); the dataset options and ``inference`` do not apply. (The
        embedded store answers it in its store process from the store itself, which needs
        neither a new snapshot of the data after a write nor the query views, which take a
        write after it is answered.)
        """
        scan = scan_sparql(sparql)
        check_services(scan, self.allowed_services)
        return self._query(QueryRequest(sparql, scan, tuple(default_graph_uris), tuple(named_graph_uris),
                                        union_default, inference, timeout, formats or ResultFormats(), max_rows,
                                        trusted))

    def _query(self, request: QueryRequest) -> QueryResult:
        """Answer a query that :meth:`query` has checked (``SERVICE`` only to allowed endpoints)."""
        raise NotImplementedError

    def put_graph(self, graph_iri: str, data: bytes | str | Path, *, format: str | None = None) -> None:
        """Replace one named graph with the triples of ``data``."""

    def delete_graph(self, graph_iri: str) -> None:
        """Remove one named graph."""

    def close(self) -> None:
        """Release processes and files."""


@runtime_checkable
class WritableStore(Store, Protocol):
    """A store that can plan a change, let the caller check it, and apply it atomically.

    Planning never changes anything; :meth:`apply` applies all of a :class:`Delta` or none
    of it, and fails with :class:`StaleWrite` when the data changed since it was planned.
    """

    def plan_graph(self, operation: str, graph: str | None, data: bytes) -> tuple[Delta, bool]:
        """What a Graph Store ``put``/``post``/``delete`` of ``data`` (N-Triples) on ``graph``
        (None: the default graph) would change, and whether the graph exists."""

    def plan_update(self, sparql: str, *, using_graphs: Sequence[str] = (),
                    using_named_graphs: Sequence[str] = (), timeout: float | None = None) -> Delta:
        """What a SPARQL 1.1 Update would change."""

    def apply(self, delta: Delta, *, note: str = "") -> None:
        """Apply ``delta`` atomically (and durably, for a store on disk)."""

    def export(self) -> bytes:
        """The whole dataset as stored, as N-Quads."""

    def has_graph(self, graph: str) -> bool:
        """Whether the named graph exists (it may be empty)."""

    def read_graph(self, graph: str | None, media_type: str) -> QueryResult:
        """One graph as stored (None: the store's own default graph), in an RDF media type."""

    @property
    def renames_blank_nodes(self) -> bool:
        """Does the store name the blank nodes of a write afresh (then a copy that applied the
        write with the write's own names no longer names them as the store does)? Not unless
        the store says so."""
        return False


def rename_blank_nodes(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with every blank node replaced by a fresh one (the same label -> the same
    new node). Parsers keep a document's labels (``_:b1``), which must not meet the blank
    nodes of another document already in the store."""
    fresh: dict[str, ox.BlankNode] = {}

    def term(t: Any) -> Any:
        if isinstance(t, ox.BlankNode):
            return fresh.setdefault(t.value, ox.BlankNode())
        return t

    return [ox.Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name)) for q in quads]


#: RDF formats whose serialisation uses prefixes.
PREFIXED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3, ox.RdfFormat.RDF_XML)


def pick_media_type(formats: ResultFormats, kind: Kind, offered: Sequence[str]) -> str:
    media_type = formats.for_kind(kind)
    if media_type is None or media_type not in offered:
        raise NotAcceptable(kind, offered)
    return media_type


class _RowCap(Exception):
    pass


class _LineBuffer:
    """A write target that keeps at most ``limit`` complete lines, then stops the writer."""

    def __init__(self, limit: int | None):
        self.limit, self.lines, self.chunks, self.full = limit, 0, [], False

    def write(self, data: bytes) -> int:
        if self.limit is not None and self.lines + data.count(b"\n") >= self.limit:
            cut = -1
            for _ in range(self.limit - self.lines):
                cut = data.index(b"\n", cut + 1)
            self.chunks.append(bytes(data[: cut + 1]))
            self.lines, self.full = self.limit, True
            raise _RowCap
        self.chunks.append(bytes(data))
        self.lines += data.count(b"\n")
        return len(data)

    def flush(self) -> None:
        pass


def serialize_solutions(result: ox.QuerySolutions, media_type: str, max_rows: int | None) -> tuple[bytes, int, bool]:
    """Serialise at most ``max_rows`` solutions.

    Solutions are first written as TSV (one solution per line, terms in full) while counting
    lines, which lets the row cap stop the evaluation early; the kept lines are then read back
    and written in the requested format. TSV keeps every term exactly, so nothing is lost.
    """
    buffer = _LineBuffer(None if max_rows is None else max_rows + 2)  # header + rows + one more
    try:
        result.serialize(buffer, ox.QueryResultsFormat.TSV)
    except (_RowCap, OSError):
        if not buffer.full:
            raise
    tsv = b"".join(buffer.chunks)
    rows = tsv.count(b"\n") - 1
    truncated = max_rows is not None and rows > max_rows
    if truncated:
        tsv = tsv[: _nth_newline(tsv, max_rows + 1) + 1]
        rows = max_rows
    if media_type == "text/tab-separated-values":
        return tsv, rows, truncated
    parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=ox.QueryResultsFormat.from_media_type(media_type)), rows, truncated


def _nth_newline(data: bytes, n: int) -> int:
    index = -1
    for _ in range(n):
        index = data.index(b"\n", index + 1)
    return index


