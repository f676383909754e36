"""Any SPARQL 1.1 store (Fuseki, GraphDB, Virtuoso, Oxigraph, QLever...) behind the
:class:`basel_kg.store.model.Store` interface: queries by the SPARQL 1.1 Protocol, graphs written
by the Graph Store Protocol or SPARQL Update.

The store URL
-------------
``sparql+http://HOST:PORT/QUERY-PATH`` (or ``sparql+https://``) names the query endpoint
``http://HOST:PORT/QUERY-PATH``; options follow in the fragment, ``&``-separated:

- ``update=URL``: the SPARQL Update endpoint (default: ``update`` beside the query
  endpoint, e.g. ``/query`` -> ``/update``, Fuseki's ``/ds/sparql`` -> ``/ds/update``);
- ``store=URL``: the Graph Store Protocol endpoint (default: none; Oxigraph ``/store``,
  Fuseki ``/ds/data``, GraphDB ``/repositories/ID/rdf-graphs/service``);
- ``union``: the store's default graph already is the union of its named graphs (Oxigraph
  ``--union-default-graph``, Fuseki ``tdb2:unionDefaultGraph true``), so plain queries are
  sent as they are.

Relative URLs resolve against the query endpoint. Without ``union``, a query that names no
dataset is sent with ``default-graph-uri`` and ``named-graph-uri`` listing every graph,
which gives the same default graph on every store. Either way the remote store decides
whether a triple stated in two graphs counts once or twice in the default graph (the
embedded store counts it once; Oxigraph twice): ``DISTINCT`` makes answers agree.

Examples: ``sparql+http://127.0.0.1:7878/query#union&store=/store`` (Oxigraph),
``sparql+http://127.0.0.1:3030/basel/sparql#store=/basel/data`` (Fuseki).

What a remote store cannot do: stop a query at our time limit (the client gives up and
answers 503; the remote store may run on), or give a version number: the version is a
digest of the graphs' sizes and changes at least every ``refresh_seconds`` so caches
cannot hold a stale answer longer than that.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urljoin

import httpx
import pyoxigraph as ox

from .. import __version__
from ..errors import NotAcceptable, QueryFailed, QueryRefused, QuerySyntaxError, QueryTimeout, StoreError
from ..sparqltext import query_form, with_prefixes
from .model import (
    BOOLEAN_MEDIA_TYPES,
    GRAPH_MEDIA_TYPES,
    PREFIXED_FORMATS,
    SOLUTIONS_MEDIA_TYPES,
    GraphInfo,
    QueryRequest,
    QueryResult,
    ResultFormats,
    Store,
    has_blank_node,
    serialize_solutions,
)

__all__ = ["RemoteStore", "Endpoints", "parse_store_url", "make_auth", "AUTH_ENV"]

#: Credentials for remote stores, when not given on the command line (see :func:`make_auth`).
AUTH_ENV = "BASEL_KG_REMOTE_AUTH"

_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8, application/ld+json;q=0.5"
_GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
_ALL_QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True)
class Endpoints:
    """Where a remote store answers."""

    query: str
    update: str | None
    store: str | None
    union: bool = False


def parse_store_url(url: str) -> Endpoints:
    """The endpoints of ``sparql+http(s)://...`` (see the module docstring)."""
    if not url.startswith(("sparql+http://", "sparql+https://")):
        raise ValueError(f"a remote store URL starts with sparql+http:// or sparql+https://, not {url!r}")
    address, _, fragment = url.removeprefix("sparql+").partition("#")
    options: dict[str, str] = {}
    for part in fragment.split("&") if fragment else ():
        name, sep, value = part.partition("=")
        options[name] = value if sep else ""
    unknown = set(options) - {"update", "store", "union"}
    if unknown:
        raise ValueError(f"unknown remote store option(s): {', '.join(sorted(unknown))} (use update=, store=, union)")
    update = urljoin(address, options["update"]) if options.get("update") else urljoin(address, "update")
    store = urljoin(address, options["store"]) if options.get("store") else None
    return Endpoints(address, update, store, "union" in options)


def make_auth(spec: str | None) -> httpx.Auth | None:
    """``basic:USER:PASSWORD``, ``digest:USER:PASSWORD`` or ``bearer:TOKEN`` (None: no auth)."""
    if not spec:
        return None
    kind, _, rest = spec.partition(":")
    kind = kind.lower()
    if kind in ("basic", "digest"):
        user, sep, password = rest.partition(":")
        if not sep:
            raise ValueError(f"{kind} auth is {kind}:USER:PASSWORD")
        return httpx.BasicAuth(user, password) if kind == "basic" else httpx.DigestAuth(user, password)
    if kind == "bearer" and rest:
        return _Bearer(rest)
    raise ValueError("auth is basic:USER:PASSWORD, digest:USER:PASSWORD or bearer:TOKEN")


class _Bearer(httpx.Auth):
    def __init__(self, token: str):
        self.token = token

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


@dataclass(frozen=True)
class _State:
    graphs: tuple[GraphInfo, ...]
    triples: int
    version: str
    modified: float
    fetched: float


class RemoteStore(Store):
    """A SPARQL 1.1 store over HTTP, read through the :class:`basel_kg.store.model.Store` interface.

    ``timeout``: seconds a query may take (the default for :meth:`query`); ``inferred_graphs``:
    left out by ``inference=False``; ``refresh_seconds``: how long graph sizes (and so the
    version) are trusted; ``auth``: an :class:`httpx.Auth` or a :func:`make_auth` string;
    ``prefixes``: declared in front of every query, as the embedded store predeclares them
    (default :data:`basel_kg.namespaces.PREFIXES`); ``track_version=False``: results carry no
    version, and the store's size is never asked (for one-off queries to a big endpoint).
    """

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        timeout: float = 30.0,
        inferred_graphs: Iterable[str] | None = None,
        allowed_services: Iterable[str] = (),
        refresh_seconds: float = 30.0,
        auth: httpx.Auth | str | None = None,
        prefixes: Mapping[str, str] | None = None,
        track_version: bool = True,
    ):
        if inferred_graphs is None or prefixes is None:
            from ..namespaces import GRAPH, PREFIXES

            inferred_graphs = (str(GRAPH.INFERRED),) if inferred_graphs is None else inferred_graphs
            prefixes = PREFIXES if prefixes is None else prefixes
        self.prefixes = dict(prefixes)
        self.track_version = track_version
        self.endpoints = endpoints
        self.timeout = timeout
        self.inferred = frozenset(inferred_graphs)
        self.allowed_services = frozenset(allowed_services)
        self.refresh_seconds = refresh_seconds
        if isinstance(auth, str) or auth is None:
            auth = make_auth(auth if auth is not None else os.environ.get(AUTH_ENV))
        self._client = httpx.Client(auth=auth, headers={"User-Agent": f"basel-kg/{__version__}"}, timeout=timeout,
                                    follow_redirects=False)
        self._lock = threading.Lock()
        self._state: _State | None = None

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RemoteStore:
        return cls(parse_store_url(url), **options)

    @property
    def query_endpoint(self) -> str:
        return self.endpoints.query

    # -- what the dataset is
    def _current(self) -> _State:
        with self._lock:
            now = time.time()
            if self._state is None or now - self._state.fetched > self.refresh_seconds:
                rows = self._select(_GRAPH_COUNTS)
                graphs = tuple(sorted((GraphInfo(r["g"].value, int(r["n"].value)) for r in rows if "g" in r),
                                      key=lambda g: g.iri))
                triples_rows = self._select(_DISTINCT_TRIPLES)
                triples = int(triples_rows[0]["n"].value) if triples_rows else 0
                bucket = int(now // self.refresh_seconds)
                version = hashlib.sha256(repr((graphs, bucket)).encode()).hexdigest()[:16]
                changed = self._state is None or self._state.graphs != graphs
                modified = now if changed else self._state.modified
                self._state = _State(graphs, triples, version, modified, now)
            return self._state

    @property
    def version(self) -> str:
        return self._current().version

    @property
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self._current().modified, timezone.utc)

    @property
    def triples(self) -> int:
        return self._current().triples

    def graphs(self) -> tuple[GraphInfo, ...]:
        return self._current().graphs

    def has_graph(self, graph: str) -> bool:
        return any(g.iri == graph for g in self.graphs())

    def refresh(self) -> None:
        """Forget what is known about the dataset (after writing to it)."""
        with self._lock:
            self._state = None

    # -- queries
    def _query(self, q: QueryRequest) -> QueryResult:
        sparql, scan, max_rows = q.sparql, q.scan, q.max_rows
        kind = query_form(sparql)
        if kind is None:
            raise QuerySyntaxError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
        formats = q.formats
        offered = {"solutions": SOLUTIONS_MEDIA_TYPES, "boolean": BOOLEAN_MEDIA_TYPES, "graph": GRAPH_MEDIA_TYPES}[kind]
        wanted = formats.for_kind(kind)
        if wanted is None or wanted not in offered:
            raise NotAcceptable(kind, offered)
        version = self.version if self.track_version else ""
        params = [("query", with_prefixes(sparql, self.prefixes))] + self._dataset(scan, q.default_graph_uris, q.named_graph_uris,
                                                                                   q.union_default, q.inference)
        accept = _GRAPH_ACCEPT if kind == "graph" else "application/sparql-results+json"
        limit = self.timeout if q.timeout is None else q.timeout
        response = self._post(self.endpoints.query, params, accept, limit)
        received = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "graph":
            fmt = ox.RdfFormat.from_media_type(received) or ox.RdfFormat.N_TRIPLES
            try:
                triples = [q.triple for q in ox.parse(response.content, fmt)]
            except SyntaxError as exc:
                raise QueryFailed(f"the remote store sent RDF that does not parse: {exc}") from None
            truncated = max_rows is not None and len(triples) > max_rows
            triples = triples[:max_rows] if truncated else triples
            out = ox.RdfFormat.from_media_type(wanted)
            from ..namespaces import BASE, PREFIXES

            prefixes = {p: iri for p, iri in PREFIXES.items() if iri != BASE} if out in PREFIXED_FORMATS else None
            return QueryResult("graph", wanted, ox.serialize(triples, format=out, prefixes=prefixes), version,
                               len(triples), truncated)
        try:
            parsed = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise QueryFailed(f"the remote store sent results that do not parse: {exc}") from None
        if kind == "boolean":
            body = parsed.serialize(format=ox.QueryResultsFormat.from_media_type(wanted))
            return QueryResult("boolean", wanted, body, version)
        body, count, truncated = serialize_solutions(parsed, wanted, max_rows)
        return QueryResult("solutions", wanted, body, version, count, truncated)

    def _dataset(self, scan, default_graph_uris, named_graph_uris, union_default, inference) -> list[tuple[str, str]]:
        if default_graph_uris or named_graph_uris:
            return [("default-graph-uri", g) for g in default_graph_uris] + \
                   [("named-graph-uri", g) for g in named_graph_uris]
        if "FROM" in scan.keywords:
            return []
        if self.endpoints.union and union_default and inference:
            return []
        graphs = [g.iri for g in self.graphs() if inference or g.iri not in self.inferred]
        default = graphs if union_default else []
        if not graphs:  # no named graph at all: an empty dataset
            graphs = ["urn:x-basel-kg:no-graph"]
        return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in graphs]

    def _select(self, sparql: str) -> list[dict[str, Any]]:
        response = self._post(self.endpoints.query, [("query", sparql)], "application/sparql-results+json",
                              self.timeout)
        parsed = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        names = [v.value for v in parsed.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in parsed]

    def _post(self, url: str, params: list[tuple[str, str]], accept: str, timeout: float) -> httpx.Response:
        try:
            response = self._client.post(url, content=urlencode(params).encode("ascii"), timeout=timeout,
                                         headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        except httpx.TimeoutException:
            raise QueryTimeout(timeout) from None
        except httpx.HTTPError as exc:
            raise QueryFailed(f"cannot reach the remote store at {url}: {exc}") from None
        _raise_for(response, url)
        return response

    def read_graph(self, graph: str | None, media_type: str) -> QueryResult:
        """One named graph (None: the default graph as the store queries it), in ``media_type``."""
        where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
        return self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}", formats=ResultFormats(graph=media_type))

    # -- the whole dataset (for validation)
    def export(self) -> bytes:
        """Every named graph as N-Quads (the remote's own default graph is left out)."""
        response = self._post(self.endpoints.query, [("query", _ALL_QUADS)], "application/sparql-results+json",
                              max(self.timeout, 300))
        parsed = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        quads = [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in parsed]
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)

    # -- writes (used by basel-kg push)
    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        """Send a SPARQL 1.1 Update to the update endpoint."""
        if not self.endpoints.update:
            raise StoreError("no update endpoint: add #update=URL to the store URL")
        try:
            response = self._client.post(self.endpoints.update, content=sparql.encode("utf-8"),
                                         headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                                         timeout=timeout or max(self.timeout, 300))
        except httpx.HTTPError as exc:
            raise StoreError(f"the remote store at {self.endpoints.update} did not answer: {exc}") from None
        _raise_for(response, self.endpoints.update, StoreError)
        self.refresh()

    def put_graph(self, graph_iri: str, data: bytes, *, format: str | None = None, batch: int = 50_000) -> None:
        """Replace one named graph with ``data`` (N-Triples): a Graph Store ``PUT`` when the
        store has a Graph Store endpoint, else ``DROP``/``INSERT DATA`` (one request when the
        graph has at most ``batch`` triples)."""
        if self.endpoints.store:
            try:
                response = self._client.put(self.endpoints.store, params={"graph": graph_iri}, content=data,
                                            headers={"Content-Type": "application/n-triples"},
                                            timeout=max(self.timeout, 300))
            except httpx.HTTPError as exc:
                raise StoreError(f"the remote store at {self.endpoints.store} did not answer: {exc}") from None
            _raise_for(response, self.endpoints.store, StoreError)
            self.refresh()
            return
        node = ox.NamedNode(graph_iri)
        triples = [q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)]
        # blank nodes keep their identity only within one INSERT DATA: they go in the first batch
        blank = [t for t in triples if has_blank_node(t)]
        plain = [t for t in triples if not has_blank_node(t)]
        ordered = blank + plain
        batches = [ordered[:max(batch, len(blank))]]
        rest = ordered[len(batches[0]):]
        batches += [rest[i:i + batch] for i in range(0, len(rest), batch)]
        for i, part in enumerate(batches):
            body = ox.serialize(part, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            insert = f"INSERT DATA {{ GRAPH {node} {{\n{body}}} }}" if part else ""
            drop = f"DROP SILENT GRAPH {node}" if i == 0 else ""
            self.update(" ;\n".join(x for x in (drop, insert) if x))

    def put_graphs(self, graphs: dict[str, bytes]) -> None:
        """Replace several named graphs (IRI -> N-Triples) with one SPARQL Update: a blank
        node used in several of them stays one node (each request, and each ``PUT``, mints
        its own blank nodes)."""
        drops = [f"DROP SILENT GRAPH {ox.NamedNode(iri)}" for iri in graphs]
        blocks = "".join(f"GRAPH {ox.NamedNode(iri)} {{\n{data.decode('utf-8')}}}\n" for iri, data in graphs.items())
        self.update(" ;\n".join(drops + [f"INSERT DATA {{\n{blocks}}}"]))

    def delete_graph(self, graph_iri: str) -> None:
        self.update(f"DROP SILENT GRAPH {ox.NamedNode(graph_iri)}")

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _raise_for(response: httpx.Response, url: str, error: type[StoreError] = QueryFailed) -> None:
    if response.status_code < 300:
        return
    text = response.text.strip()[:2000]
    if response.status_code == 400 and error is QueryFailed:
        raise QuerySyntaxError(f"the remote store says the query is malformed: {text}")
    if response.status_code in (401, 403):
        raise QueryRefused(f"the remote store at {url} refused access ({response.status_code}): {text}")
    raise error(f"the remote store at {url} answered {response.status_code}: {text}")
