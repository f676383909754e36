"""Where the knowledge graph lives, behind one small interface.

Everything above this module (the HTTP server, scripts) talks to a :class:`Store`:
``query``, ``graphs``, ``version``, ``put_graph``, ``delete_graph``; a :class:`WritableStore`
also plans changes (:class:`Delta`) without applying them and applies them atomically. Two
implementations: :class:`EmbeddedStore` (pyoxigraph, in memory or on disk, here; writable)
and :class:`basel_kg.remote.RemoteStore` (any SPARQL 1.1 endpoint + Graph Store; see
:func:`open_store`).

How the embedded store runs a query
-----------------------------------
pyoxigraph has no query timeout, so a runaway query can only be stopped by stopping the
process that runs it. The store therefore lives in a helper process, the *holder*, started
fresh (``python -c``, never forked from a threaded web server). The holder is
single-threaded; it owns the data and forks *query workers* on request. A worker shares the
holder's memory copy-on-write, answers queries one at a time over a socket, and is killed
(SIGKILL) and replaced when a query overruns its time limit. Each worker sees the dataset
as it was when it was forked, so every query reads one consistent snapshot.

Writes are commands to the holder, which applies them one at a time; afterwards idle
workers are retired and new ones are forked from the updated holder. What a SPARQL Update
would change is worked out by a worker on a scratch copy (so it can be stopped at the time
limit, and nothing changes until the change is applied). With ``path=`` the holder keeps
the data in an on-disk pyoxigraph (RocksDB) store, so a restart does not reload, plus an
in-memory copy that the workers query (the on-disk store is never touched by forked
workers); a write is one RocksDB transaction, data and new version together.

The data as stored (``raw``): named graphs (empty ones too) and the store's own default
graph, which SPARQL Update and the Graph Store Protocol's ``?default`` address. What
queries see (the views) adds the union of all of them as the default graph.

The dataset a query sees: every named graph of the store, and as default graph their union,
with RDF merge (set) semantics: a triple asserted in two graphs counts once. A second view
leaves out the inferred graphs (``inference=False``). Both views are materialised in memory
when the data changes, which favours query speed over memory; that is the right trade for a
curated graph of this size (a graph that outgrows memory belongs in a ``RemoteStore``).

No query reaches the network: ``SERVICE`` is refused unless its endpoint is allow-listed
(checked on the query text before it runs, see :func:`scan_sparql`), and pyoxigraph never
dereferences ``FROM``/``FROM NAMED``.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import pyoxigraph as ox

__all__ = [
    "Store",
    "WritableStore",
    "EmbeddedStore",
    "Delta",
    "StaleWrite",
    "rename_blank_nodes",
    "query_form",
    "open_store",
    "QueryResult",
    "ResultFormats",
    "GraphInfo",
    "SparqlScan",
    "scan_sparql",
    "SOLUTIONS_MEDIA_TYPES",
    "BOOLEAN_MEDIA_TYPES",
    "GRAPH_MEDIA_TYPES",
    "StoreError",
    "QuerySyntaxError",
    "QueryTimeout",
    "QueryRefused",
    "NotAcceptable",
    "QueryFailed",
]

Kind = Literal["solutions", "boolean", "graph"]

#: Media types the embedded store can write, per kind of result, in our order of preference.
SOLUTIONS_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
BOOLEAN_MEDIA_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
GRAPH_MEDIA_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
    "text/n3",
)


# --------------------------------------------------------------------------- errors


class StoreError(Exception):
    """Base class of everything a store raises on purpose."""


class QuerySyntaxError(StoreError):
    """The SPARQL text does not parse; ``line``/``column`` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def __reduce__(self):
        return type(self), (self.message, self.line, self.column)


class QueryTimeout(StoreError):
    """The query ran longer than its time limit and was stopped."""

    def __init__(self, seconds: float):
        super().__init__(f"query stopped after {seconds:g} s (the time limit)")
        self.seconds = seconds

    def __reduce__(self):
        return type(self), (self.seconds,)


class QueryRefused(StoreError):
    """The query asks for something this store does not do (e.g. a ``SERVICE`` call)."""


class NotAcceptable(StoreError):
    """No requested format can carry this kind of result."""

    def __init__(self, kind: str, offered: Sequence[str]):
        super().__init__(f"a {kind} result can be returned as: {', '.join(offered)}")
        self.kind, self.offered = kind, tuple(offered)

    def __reduce__(self):
        return type(self), (self.kind, self.offered)


class QueryFailed(StoreError):
    """The query parsed but could not be answered (evaluation error, worker crash...)."""


class StaleWrite(StoreError):
    """A change was planned on a version of the data that is no longer current."""


# --------------------------------------------------------------------------- values


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


# --------------------------------------------------------------------------- the interface


@runtime_checkable
class Store(Protocol):
    """What the server and scripts need from a store to read it (writes: :class:`WritableStore`)."""

    @property
    def version(self) -> str:
        """Changes whenever the data changes; caches and ETags key on it."""

    @property
    def modified(self) -> datetime:
        """When the data last changed (UTC)."""

    @property
    def triples(self) -> int:
        """Number of distinct triples in the default graph (the union of all graphs)."""

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
    ) -> QueryResult:
        """Run a SPARQL 1.1 query.

        ``default_graph_uris``/``named_graph_uris`` replace the query's own dataset, as the
        SPARQL protocol's ``default-graph-uri``/``named-graph-uri`` do. Otherwise the default
        graph is the union of all named graphs (``union_default=False``: empty unless the
        query says ``FROM``). ``inference=False`` leaves the inferred graphs out.
        """

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


def open_store(location: str | os.PathLike[str] | None = None, **options: Any) -> Store:
    """The store for ``location``: ``None`` -> in memory, a path -> on disk,
    ``sparql+http://...`` / ``sparql+https://...`` -> a :class:`basel_kg.remote.RemoteStore`
    (see :func:`basel_kg.remote.parse_store_url` for the URL)."""
    text = os.fspath(location) if location is not None else None
    if text and text.startswith(("sparql+http://", "sparql+https://")):
        from .remote import RemoteStore

        remote_options = {k: v for k, v in options.items() if k in ("timeout", "inferred_graphs", "auth")}
        return RemoteStore.from_url(text, **remote_options)
    return EmbeddedStore(text, **options)


# --------------------------------------------------------------------------- query text


@dataclass(frozen=True, slots=True)
class SparqlScan:
    """What the lexical scan of a SPARQL text found outside strings, IRIs and comments.

    ``keywords``: the operation keywords present (SERVICE, FROM, LOAD, INSERT ...).
    ``services``: the endpoint of each ``SERVICE``; ``None`` when it is not a full IRI.
    """

    keywords: frozenset[str]
    services: tuple[str | None, ...]


_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
    | (?P<code>[^#<'"]+|[#<'"])
    """,
    re.VERBOSE | re.DOTALL,
)
_KEYWORDS = (
    "SERVICE", "FROM", "LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
    "COPY", "WITH", "USING", "SELECT", "ASK", "CONSTRUCT", "DESCRIBE",
)
# A keyword is a bare word: not part of a variable (?x $x), prefixed name (ex:x x:), blank
# node label (_:x), language tag (@x) or longer name. A preceding "." does not protect it,
# since "?o .SERVICE <x> {}" is valid SPARQL.
_KEYWORD = re.compile(
    r"(?<![\w?$:@\-\u00B7])(" + "|".join(_KEYWORDS) + r")(?![\w:\-\u00B7])", re.IGNORECASE
)
_SERVICE_TARGET = re.compile(r"\s*(?:(?<![\w:])SILENT(?![\w:\-])\s*)?\x01(\d+)\x01", re.IGNORECASE)


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@lru_cache(maxsize=1024)
def scan_sparql(text: str) -> SparqlScan:
    """Scan SPARQL text (query or update) for operations that matter to safety and datasets.

    The scan tokenises strings, IRIs and comments the way the SPARQL grammar does, so a
    keyword inside a literal or an IRI is not mistaken for an operation. Where it is unsure it
    errs towards finding a keyword, never towards missing one: the text is scanned both as
    written (what pyoxigraph parses) and with ``\\u`` escapes applied (what the SPARQL spec
    describes), and whatever either reading finds counts.
    """
    keywords, services = _scan(text)
    unescaped = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    if unescaped != text:
        more_keywords, more_services = _scan(unescaped)
        keywords |= more_keywords
        services += [s for s in more_services if s not in services]
    return SparqlScan(frozenset(keywords), tuple(services))


def _scan(text: str) -> tuple[set[str], list[str | None]]:
    iris: list[str] = []
    skeleton: list[str] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "iri":
            skeleton.append(f" \x01{len(iris)}\x01 ")
            iris.append(m.group()[1:-1])
        elif kind == "string":
            skeleton.append(" \x02 ")
        elif kind == "comment":
            skeleton.append(" ")
        else:
            skeleton.append(m.group())
    code = "".join(skeleton)
    keywords: set[str] = set()
    services: list[str | None] = []
    for m in _KEYWORD.finditer(code):
        word = m.group(1).upper()
        keywords.add(word)
        if word == "SERVICE":
            target = _SERVICE_TARGET.match(code, m.end())
            services.append(iris[int(target.group(1))] if target else None)
    return keywords, services


def _check_services(scan: SparqlScan, allowed: frozenset[str]) -> None:
    for endpoint in scan.services:
        if endpoint is None:
            raise QueryRefused("SERVICE needs the full IRI of an allow-listed endpoint")
        if endpoint not in allowed:
            raise QueryRefused(
                f"SERVICE <{endpoint}> is not allowed: this server makes no outbound requests "
                "unless the endpoint is on its allow-list"
            )


def _code_tokens(text: str) -> Iterable[tuple[str, int, str]]:
    """(kind, start, text) of each token; kind is comment, iri, string or code."""
    for m in _TOKEN.finditer(text):
        yield m.lastgroup, m.start(), m.group()


_WORD = re.compile(r"[A-Za-z_][\w\-]*|[{}]")
_FORMS = {"SELECT": "solutions", "CONSTRUCT": "graph", "DESCRIBE": "graph", "ASK": "boolean"}


def query_form(sparql: str) -> Kind | None:
    """The kind of result a query gives (its first query form keyword outside strings, IRIs
    and comments), or None when it has none (not a query)."""
    for kind, _, token in _code_tokens(sparql):
        if kind == "code":
            for word in _WORD.findall(token):
                form = _FORMS.get(word.upper())
                if form:
                    return form  # type: ignore[return-value]
    return None


def _inject_using(update: str, graphs: Sequence[str], named: Sequence[str]) -> str:
    """Add ``USING``/``USING NAMED`` clauses (the protocol's using-graph-uri and
    using-named-graph-uri) before the ``WHERE`` of every DELETE/INSERT operation."""
    clause = " ".join([f"USING {ox.NamedNode(g)}" for g in graphs] + [f"USING NAMED {ox.NamedNode(g)}" for g in named])
    out: list[str] = []
    depth = 0
    previous = ""
    for kind, _, token in _code_tokens(update):
        if kind != "code":
            out.append(token)
            if kind != "comment":
                previous = "term"
            continue
        pieces, last = [], 0
        for m in _WORD.finditer(token):
            word = m.group().upper()
            if word == "{":
                depth += 1
            elif word == "}":
                depth -= 1
            elif word == "WHERE" and depth == 0 and previous != "DELETE":
                pieces.append(token[last:m.start()] + clause + " ")
                last = m.start()
            previous = word
        out.append("".join(pieces) + token[last:])
    return "".join(out)


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


_SYNTAX_POSITION = re.compile(r"error at (\d+):(\d+)")


def _syntax_error(message: str) -> QuerySyntaxError:
    m = _SYNTAX_POSITION.search(message)
    return QuerySyntaxError(message, int(m.group(1)), int(m.group(2))) if m else QuerySyntaxError(message)


# --------------------------------------------------------------------------- framing
# Messages between our own processes: a 4-byte length, then a pickle. Only ever sent over
# socketpairs this module creates, so both ends are trusted.

_LENGTH = struct.Struct("!I")


def _send(sock: socket.socket, message: Any) -> None:
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


def _recv(sock: socket.socket, deadline: float | None = None) -> Any:
    (size,) = _LENGTH.unpack(_recv_exact(sock, _LENGTH.size, deadline))
    return pickle.loads(_recv_exact(sock, size, deadline))


# --------------------------------------------------------------------------- holder process

_META_GRAPH = ox.NamedNode("urn:x-basel-kg:store")  # on disk only: version, time, source
_META_VERSION = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
_META_MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")
_META_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
_UNION = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
_GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_DEFAULT = ox.DefaultGraph()


@dataclass(slots=True)
class _Views:
    """The in-memory stores workers query: named graphs + their union as default graph."""

    full: ox.Store
    asserted: ox.Store


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


def _has_blank(q: ox.Quad) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)


class _Holder:
    """Runs in the holder process: the primary data, the views, the metadata; forks workers.

    ``raw`` is the dataset as stored (named graphs, empty ones included, and the store's own
    default graph); ``views`` are what queries see. With a path, ``disk`` persists ``raw``.
    """

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.inferred = frozenset(config["inferred_graphs"])
        self.disk = ox.Store(config["path"]) if config["path"] else None
        self.raw = ox.Store()
        self.views: _Views | None = None
        self.version, self.modified, self.source = "empty", time.time(), ""
        if self.disk is not None:
            self._read_meta()
            self.raw.extend(q for q in self.disk.quads_for_pattern(None, None, None, None) if q.graph_name != _META_GRAPH)
            for graph in self.disk.named_graphs():
                if graph != _META_GRAPH:
                    self.raw.add_graph(graph)
        self._rebuild()

    # -- data
    def _rebuild(self) -> None:
        quads = list(self.raw)
        asserted = [q for q in quads if not self._is_inferred(q.graph_name)]
        self.views = _Views(_build_view(quads), _build_view(asserted))
        self._count()

    def _count(self) -> None:
        full = self.views.full
        counts = {row["g"].value: int(row["n"].value) for row in full.query(_GRAPH_COUNTS)}
        for graph in self.raw.named_graphs():
            counts.setdefault(graph.value, 0)
        self.counts = tuple(sorted(counts.items()))
        self.triples = int(next(iter(full.query(_TRIPLES)))["n"].value)

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
        }

    # -- commands (the parent calls them by name)
    def replace(self, nquads: bytes, version: str, source: str) -> None:
        quads = list(ox.parse(nquads, ox.RdfFormat.N_QUADS))
        _require_named(quads)
        self.version, self.modified, self.source = version, time.time(), source
        if self.disk is not None:
            # clear() drops the metadata too, and it is written last: a load cut short
            # leaves a store that claims nothing, so the next start loads again.
            self.disk.clear()
            self.disk.extend(quads)
            self.disk.update(self._meta_update())
            self.disk.flush()
        self.raw = ox.Store()
        self.raw.extend(quads)
        self._rebuild()

    def plan_graph(self, operation: str, graph: str | None, ntriples: bytes) -> tuple[Delta, bool]:
        """The change a Graph Store request makes (nothing is applied) and whether the graph existed."""
        node = ox.NamedNode(graph) if graph is not None else _DEFAULT
        exists = graph is None or self.raw.contains_named_graph(node)
        old = set(self.raw.quads_for_pattern(None, None, None, node))
        new = {ox.Quad(q.subject, q.predicate, q.object, node) for q in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES)}
        created = frozenset({graph}) if graph is not None and not exists else frozenset()
        if operation == "put":
            delta = Delta(remove=tuple(old - new), add=tuple(new - old), create=created)
        elif operation == "post":
            delta = Delta(add=tuple(new - old), create=created)
        elif operation == "delete":
            delta = Delta(remove=tuple(old), drop=frozenset({graph}) if graph is not None and exists else frozenset())
        else:
            raise ValueError(f"unknown graph operation {operation!r}")
        return delta.based_on(self.version), exists

    def apply(self, delta: Delta, what: str) -> None:
        """Apply ``delta``: on disk in one transaction (with the new version), then in memory."""
        if delta.base_version is not None and delta.base_version != self.version:
            raise StaleWrite(f"the data changed (version {self.version}) since this change was planned "
                             f"(on version {delta.base_version})")
        raw = self.raw
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
        self._changed(what + "\n" + hashlib.sha256(pickle.dumps((sorted(map(str, removed)), sorted(map(str, added)),
                                                                 sorted(map(str, drop | create))))).hexdigest())
        if self.disk is not None:
            self.disk.update(self._disk_update(removed, added, drop, create))
        for q in removed:
            raw.remove(q)
        for graph in drop:
            raw.remove_graph(graph)
        for graph in create:
            raw.add_graph(graph)
        raw.extend(added)
        self._update_views(removed, added)

    def _disk_update(self, removed: set[ox.Quad], added: set[ox.Quad], drop: set, create: set) -> str:
        """One SPARQL Update (one transaction) taking the disk store to the new state.

        SPARQL cannot name a stored blank node (``DELETE DATA`` may not hold one, and
        ``INSERT DATA`` mints new ones), so a graph that loses a statement with a blank node
        is rewritten whole from memory; ``INSERT DATA`` is a single operation, so a blank
        node used in several places stays one node.
        """
        removed_by_graph = _by_graph(q for q in removed if q.graph_name not in drop)
        rewrite = {g for g, quads in removed_by_graph.items() if any(map(_has_blank, quads))}
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

    def _update_views(self, removed: set[ox.Quad], added: set[ox.Quad]) -> None:
        full, asserted = self.views.full, self.views.asserted
        for q in removed:
            if isinstance(q.graph_name, ox.NamedNode):
                full.remove(q)
                asserted.remove(q)
        for q in added:
            if isinstance(q.graph_name, ox.NamedNode):
                full.add(q)
                if not self._is_inferred(q.graph_name):
                    asserted.add(q)
        for triple in {q.triple for q in removed | added}:
            s, p, o = triple
            graphs = [q.graph_name for q in self.raw.quads_for_pattern(s, p, o, None)]
            union = ox.Quad(s, p, o, _DEFAULT)
            (full.add if graphs else full.remove)(union)
            (asserted.add if any(not self._is_inferred(g) for g in graphs) else asserted.remove)(union)
        self._count()

    def export(self) -> bytes:
        return ox.serialize(self.raw, format=ox.RdfFormat.N_QUADS)

    def _changed(self, what: str) -> None:
        self.version = hashlib.sha256(f"{self.version}\n{what}".encode()).hexdigest()[:16]
        self.modified = time.time()

    def spawn(self, channel: socket.socket) -> None:
        parent_end, child_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                channel.close()
                parent_end.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _die_with_parent()
                _limit_memory(self.config["worker_memory_mb"])
                _Worker(self.views, self.raw, self.version, self.config).serve(child_end)
            except BaseException:  # noqa: BLE001 - a worker must never return into the holder loop
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        child_end.close()
        socket.send_fds(channel, [b"F"], [parent_end.fileno()])
        parent_end.close()
        _send(channel, ("ok", {"pid": pid, "version": self.version}))


def _require_named(quads: Sequence[ox.Quad]) -> None:
    for q in quads:
        if not isinstance(q.graph_name, ox.NamedNode):
            raise ValueError(f"every triple must be in a named graph; found {q.triple} outside one")


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

    try:
        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        current = 0
    limit = current + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


# commands -> do they change the data (and so retire the workers)?
_HOLDER_COMMANDS = {"replace": True, "apply": True, "plan_graph": False, "export": False}


def _holder_main(fd: int) -> None:
    """Entry point of the holder process (see the module docstring)."""
    channel = socket.socket(fileno=fd)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps finished workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops us
    try:
        holder = _Holder(_recv(channel))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        _send(channel, ("error", type(exc).__name__, str(exc)))
        return
    _send(channel, ("ok", holder.info()))
    while True:
        try:
            command, *args = _recv(channel)
        except (EOFError, OSError):
            return
        if command == "spawn":
            holder.spawn(channel)
            continue
        try:
            if command not in _HOLDER_COMMANDS:
                raise ValueError(f"unknown command {command!r}")
            result = getattr(holder, command)(*args)
        except StoreError as exc:
            _send(channel, ("raise", exc))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
            _send(channel, ("error", type(exc).__name__, str(exc)))
        else:
            _send(channel, ("ok", holder.info(), result))


# --------------------------------------------------------------------------- worker process


class _Worker:
    """Runs in a forked worker: answers one request at a time over its socket (a query, or
    working out what an update would change)."""

    def __init__(self, views: _Views, raw: ox.Store, version: str, config: Mapping[str, Any]):
        self.views, self.raw, self.version = views, raw, version
        self.base_iri = config["base_iri"]
        self.prefixes = dict(config["prefixes"])

    def serve(self, sock: socket.socket) -> None:
        while True:
            try:
                request = _recv(sock)
            except (EOFError, OSError):
                return
            try:
                if request.pop("op", "query") == "plan_update":
                    reply = ("ok", self.plan_update(**request))
                else:
                    reply = ("ok", self.execute(**request))
            except StoreError as exc:
                reply = ("error", exc)
            except Exception as exc:  # noqa: BLE001 - any other failure is the query's, not ours
                reply = ("error", QueryFailed(f"{type(exc).__name__}: {exc}"))
            _send(sock, reply)

    def plan_update(self, sparql: str) -> Delta:
        """What a SPARQL Update would change, found by running it on a scratch copy of the data."""
        scratch = ox.Store()
        scratch.extend(self.raw)
        for graph in self.raw.named_graphs():
            scratch.add_graph(graph)
        try:
            scratch.update(sparql, base_iri=self.base_iri)
        except SyntaxError as exc:
            raise _syntax_error(str(exc)) from None
        except OSError as exc:
            raise QueryFailed(str(exc)) from None
        before, after = set(self.raw), set(scratch)
        graphs_before = {g.value for g in self.raw.named_graphs()}
        graphs_after = {g.value for g in scratch.named_graphs()}
        return Delta(
            remove=tuple(before - after),
            add=tuple(after - before),
            drop=frozenset(graphs_before - graphs_after),
            create=frozenset(graphs_after - graphs_before),
            base_version=self.version,
        )

    def execute(
        self,
        sparql: str,
        default_graph_uris: Sequence[str],
        named_graph_uris: Sequence[str],
        union_default: bool,
        inference: bool,
        has_from: bool,
        formats: ResultFormats,
        max_rows: int | None,
        stored: bool = False,
    ) -> QueryResult:
        options: dict[str, Any] = {}
        if stored:  # the dataset as stored: the store's own default graph, not the union
            view = self.raw
        else:
            view = self.views.full if inference else self.views.asserted
            if default_graph_uris or named_graph_uris:
                options["default_graph"] = [ox.NamedNode(u) for u in default_graph_uris]
                options["named_graphs"] = [ox.NamedNode(u) for u in named_graph_uris]
            elif not union_default and not has_from:
                options["default_graph"] = []
        try:
            result = view.query(sparql, base_iri=self.base_iri, **options)
        except SyntaxError as exc:
            raise _syntax_error(str(exc)) from None
        if isinstance(result, ox.QueryBoolean):
            media_type = _pick(formats, "boolean", BOOLEAN_MEDIA_TYPES)
            body = result.serialize(format=ox.QueryResultsFormat.from_media_type(media_type))
            return QueryResult("boolean", media_type, body, self.version)
        if isinstance(result, ox.QuerySolutions):
            media_type = _pick(formats, "solutions", SOLUTIONS_MEDIA_TYPES)
            body, count, truncated = _solutions(result, media_type, max_rows)
            return QueryResult("solutions", media_type, body, self.version, count, truncated)
        media_type = _pick(formats, "graph", GRAPH_MEDIA_TYPES)
        triples = list(itertools.islice(result, max_rows + 1 if max_rows is not None else None))
        truncated = max_rows is not None and len(triples) > max_rows
        if truncated:
            triples = triples[:max_rows]
        fmt = ox.RdfFormat.from_media_type(media_type)
        body = ox.serialize(triples, format=fmt, prefixes=self.prefixes if fmt in _PREFIXED else None)
        return QueryResult("graph", media_type, body, self.version, len(triples), truncated)


_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3, ox.RdfFormat.RDF_XML)


def _pick(formats: ResultFormats, kind: Kind, offered: Sequence[str]) -> str:
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


def _solutions(result: ox.QuerySolutions, media_type: str, max_rows: int | None) -> tuple[bytes, int, bool]:
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


# --------------------------------------------------------------------------- parent side


@dataclass(eq=False)
class _WorkerHandle:
    pid: int
    sock: socket.socket
    version: str


@dataclass(eq=False)
class _Pool:
    """Query workers, as seen from the process that serves requests."""

    spawn: Any  # () -> _WorkerHandle
    size: int
    idle: list[_WorkerHandle] = field(default_factory=list)
    total: int = 0
    version: str = ""
    closed: bool = False
    cond: threading.Condition = field(default_factory=threading.Condition)

    def run(self, request: dict[str, Any], timeout: float) -> Any:
        worker = self._acquire()
        try:
            _send(worker.sock, request)
            status, payload = _recv(worker.sock, time.monotonic() + timeout)
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

    def _acquire(self) -> _WorkerHandle:
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

    def _release(self, worker: _WorkerHandle) -> None:
        with self.cond:
            if worker.version == self.version and not self.closed:
                self.idle.append(worker)
                self.cond.notify()
                return
        self._discard(worker, kill=False)

    def _discard(self, worker: _WorkerHandle, *, kill: bool) -> None:
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


def _shutdown(process: subprocess.Popen, channel: socket.socket, pool: _Pool) -> None:
    pool.close()
    channel.close()  # the holder exits on EOF; the kernel then kills its workers
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class EmbeddedStore:
    """pyoxigraph in a helper process, in memory (``path=None``) or on disk (``path=``).

    >>> store = EmbeddedStore()                     # doctest: +SKIP
    >>> store.load_dataset(nquads_bytes, version="2024-01")
    >>> store.query("ASK { ?s ?p ?o }").boolean()
    True

    Options: ``workers`` (most queries at once; default twice the CPUs, at least 2),
    ``timeout`` (seconds, default for :meth:`query`), ``allowed_services`` (``SERVICE``
    endpoints a query may call), ``base_iri`` (resolves relative IRIs in queries; default
    our base, so ``<org/sbc>`` means ``basel:org/sbc``),
    ``inferred_graphs`` (left out by ``inference=False``; default the reasoner's graph),
    ``prefixes`` (used when writing Turtle), ``worker_memory_mb`` (per-worker memory cap).

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
        prefork: int = 2,
    ):
        if inferred_graphs is None or prefixes is None or base_iri is None:
            from .namespaces import BASE, GRAPH, PREFIXES

            inferred_graphs = (str(GRAPH.INFERRED),) if inferred_graphs is None else inferred_graphs
            prefixes = {p: iri for p, iri in PREFIXES.items() if iri != BASE} if prefixes is None else prefixes
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
        }
        if self.path:
            self.path.mkdir(parents=True, exist_ok=True)
        ours, theirs = socket.socketpair()
        package_parent = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])))
        self._process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from basel_kg.store import _holder_main; _holder_main(int(sys.argv[1]))",
             str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            env=env,
        )
        theirs.close()
        self._channel = ours
        self._channel_lock = threading.Lock()
        self._pool = _Pool(self._spawn_worker, max(2, workers or 2 * (os.cpu_count() or 1)))
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
                _send(self._channel, message)
                status, *payload = _recv(self._channel)
            except (EOFError, OSError) as exc:
                raise StoreError(f"the store process stopped ({exc})") from None
        if status == "raise":
            raise payload[0]
        if status == "error":
            name, text = payload
            raise (ValueError if name in {"ValueError", "SyntaxError"} else StoreError)(f"{name}: {text}")
        return payload

    def _call(self, *command: Any) -> Any:
        info, result = self._call_raw(command)
        self._info = info
        self._pool.retire_stale(info["version"])
        return result

    def _spawn_worker(self) -> _WorkerHandle:
        with self._channel_lock:
            try:
                _send(self._channel, ("spawn",))
                _, fds, _, _ = socket.recv_fds(self._channel, 1, 1)
                status, info = _recv(self._channel)
            except (EOFError, OSError) as exc:
                raise StoreError(f"the store process stopped ({exc})") from None
        return _WorkerHandle(info["pid"], socket.socket(fileno=fds[0]), info["version"])

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
    def triples(self) -> int:
        """Number of distinct triples in the union of all graphs."""
        return self._info["triples"]

    def graphs(self) -> tuple[GraphInfo, ...]:
        return tuple(GraphInfo(iri, n) for iri, n in self._info["graphs"])

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
    ) -> QueryResult:
        scan = scan_sparql(sparql)
        _check_services(scan, self.allowed_services)
        request = {
            "sparql": sparql,
            "default_graph_uris": tuple(default_graph_uris),
            "named_graph_uris": tuple(named_graph_uris),
            "union_default": union_default,
            "inference": inference,
            "has_from": "FROM" in scan.keywords,
            "formats": formats or ResultFormats(),
            "max_rows": max_rows,
        }
        return self._pool.run(request, self.timeout if timeout is None else timeout)

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
        parts = [_as_nquads(data)]
        for iri, document in (graphs or {}).items():
            node = ox.NamedNode(str(iri))
            ntriples = _as_ntriples(document, None if isinstance(document, Path) else "nt")
            quads = (ox.Quad(q.subject, q.predicate, q.object, node) for q in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES))
            parts.append(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        nquads = b"\n".join(p.rstrip(b"\n") for p in parts if p.strip()) + b"\n"
        if version is None:
            version = hashlib.sha256(b"\n".join(sorted(nquads.splitlines()))).hexdigest()[:16]
        self._call("replace", nquads, version, source)

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
        _check_services(scan, self.allowed_services)
        if using_graphs or using_named_graphs:
            if scan.keywords & {"USING", "WITH"}:
                raise QuerySyntaxError("using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH "
                                       "in the update (SPARQL 1.1 Protocol, 2.2.3)")
            sparql = _inject_using(sparql, using_graphs, using_named_graphs)
        request = {"op": "plan_update", "sparql": sparql}
        return self._pool.run(request, self.timeout if timeout is None else timeout)

    def apply(self, delta: Delta, *, note: str = "") -> None:
        self._call("apply", delta, note)

    def export(self) -> bytes:
        return self._call("export")

    def has_graph(self, graph: str) -> bool:
        return any(iri == graph for iri, _ in self._info["graphs"])

    def read_graph(self, graph: str | None, media_type: str) -> QueryResult:
        where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
        request = {
            "sparql": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}",
            "default_graph_uris": (), "named_graph_uris": (), "union_default": False, "inference": True,
            "has_from": False, "formats": ResultFormats(graph=media_type), "max_rows": None, "stored": True,
        }
        return self._pool.run(request, self.timeout)

    def close(self) -> None:
        self._finalizer()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _rdf_format(format: str | None, path: Path | None) -> ox.RdfFormat:
    if format:
        fmt = ox.RdfFormat.from_media_type(format) or ox.RdfFormat.from_extension(format)
    elif path is not None:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower())
        if fmt is None and path.suffix.lower() in {".owl", ".xml"}:
            fmt = ox.RdfFormat.RDF_XML
        if fmt is None and path.suffix.lower() == ".json":
            fmt = ox.RdfFormat.JSON_LD
    else:
        fmt = None
    if fmt is None:
        raise ValueError(f"unknown RDF format {format or (path.suffix if path else '')!r}; "
                         "use .ttl, .nt, .nq, .trig, .rdf/.owl, .jsonld or .n3")
    return fmt


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
    if fmt is ox.RdfFormat.N_QUADS:
        return raw
    return ox.serialize(ox.parse(raw, fmt), format=ox.RdfFormat.N_QUADS)
