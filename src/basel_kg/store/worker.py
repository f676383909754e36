"""The query worker: a process forked from the holder that answers one request at a time.

A worker shares the holder's memory copy-on-write, so it sees the dataset as it was when it
was forked: every query reads one consistent snapshot. It is killed (SIGKILL) and replaced
when a query overruns its time limit (see :mod:`basel_kg.store.pool`).
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..errors import QueryFailed, StoreError
from ..sparqltext import syntax_error
from .ipc import recv, send
from .model import (
    RECORD_GRAPH,
    BOOLEAN_MEDIA_TYPES,
    GRAPH_MEDIA_TYPES,
    PREFIXED_FORMATS,
    SOLUTIONS_MEDIA_TYPES,
    Delta,
    QueryResult,
    ResultFormats,
    pick_media_type,
    serialize_solutions,
)

__all__ = ["Views", "Worker"]


@dataclass(slots=True)
class Views:
    """The stores workers query: named graphs + their union as default graph (in memory, or
    read-only snapshots of the views on disk)."""

    full: ox.Store
    asserted: ox.Store


class Worker:
    """Runs in a forked worker: answers one request at a time over its socket (a query, or
    working out what an update would change)."""

    def __init__(self, views: Views, raw: ox.Store, version: str, config: Mapping[str, Any]):
        self.views, self.raw, self.version = views, raw, version
        self.base_iri = config["base_iri"]
        self.prefixes = dict(config["prefixes"])  # predeclared in every query
        self.output_prefixes = {p: iri for p, iri in self.prefixes.items() if iri != self.base_iri}

    def serve(self, sock: socket.socket) -> None:
        while True:
            try:
                request = recv(sock)
            except (EOFError, OSError):
                return
            try:
                reply = ("ok", self.answer(request))
            except StoreError as exc:
                reply = ("error", exc)
            send(sock, reply)

    def answer(self, request: dict[str, Any]) -> Any:
        """Answer one request (a query, or ``op="plan_update"``); every failure is a StoreError."""
        request = dict(request)
        try:
            if request.pop("op", "query") == "plan_update":
                return self.plan_update(**request)
            return self.execute(**request)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure is the query's, not ours
            raise QueryFailed(f"{type(exc).__name__}: {exc}") from None

    def plan_update(self, sparql: str) -> Delta:
        """What a SPARQL Update would change, found by running it on a scratch copy of the data."""
        scratch = ox.Store()
        scratch.extend(q for q in self.raw if q.graph_name != RECORD_GRAPH)  # the store's own record stays out
        for graph in self.raw.named_graphs():
            if graph != RECORD_GRAPH:
                scratch.add_graph(graph)
        try:
            scratch.update(sparql, base_iri=self.base_iri)
        except SyntaxError as exc:
            raise syntax_error(str(exc)) from None
        except OSError as exc:
            raise QueryFailed(str(exc)) from None
        before, after = {q for q in self.raw if q.graph_name != RECORD_GRAPH}, set(scratch)
        graphs_before = {g.value for g in self.raw.named_graphs() if g != RECORD_GRAPH}
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
            result = view.query(sparql, base_iri=self.base_iri, prefixes=self.prefixes, **options)
        except SyntaxError as exc:
            raise syntax_error(str(exc)) from None
        if isinstance(result, ox.QueryBoolean):
            media_type = pick_media_type(formats, "boolean", BOOLEAN_MEDIA_TYPES)
            body = result.serialize(format=ox.QueryResultsFormat.from_media_type(media_type))
            return QueryResult("boolean", media_type, body, self.version)
        if isinstance(result, ox.QuerySolutions):
            media_type = pick_media_type(formats, "solutions", SOLUTIONS_MEDIA_TYPES)
            body, count, truncated = serialize_solutions(result, media_type, max_rows)
            return QueryResult("solutions", media_type, body, self.version, count, truncated)
        media_type = pick_media_type(formats, "graph", GRAPH_MEDIA_TYPES)
        triples = list(itertools.islice(result, max_rows + 1 if max_rows is not None else None))
        truncated = max_rows is not None and len(triples) > max_rows
        if truncated:
            triples = triples[:max_rows]
        fmt = ox.RdfFormat.from_media_type(media_type)
        body = ox.serialize(triples, format=fmt, prefixes=self.output_prefixes if fmt in PREFIXED_FORMATS else None)
        return QueryResult("graph", media_type, body, self.version, len(triples), truncated)


