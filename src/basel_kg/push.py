"""``basel-kg push``: load a release into any SPARQL 1.1 store, one named graph per source.

Every named graph of the release (``basel-kg.nq``: one per source document, the
ontology, the reference data, the reasoner's entailments) plus its VoID description
(``void.ttl``, as ``graph/void``) replaces the graph of the same name in the store; other
graphs of the store are left alone. Each graph is sent with a Graph Store Protocol ``PUT``
(``--graph-store``) or a SPARQL Update ``DROP SILENT GRAPH`` + ``INSERT DATA`` in one
request (``--endpoint``), so on stores with transactions a graph is replaced whole or not
at all. Graphs that share blank nodes are sent together in one update (see :func:`push`).

The library function is :func:`push`; the CLI calls :func:`add_push_arguments` and
:func:`push_from_args`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .store.remote import AUTH_ENV, Endpoints, RemoteStore, make_auth
from .store import StoreError

__all__ = ["push", "PushReport", "add_push_arguments", "push_from_args", "release_graphs"]


@dataclass
class PushReport:
    """What was pushed: triples per graph, and the seconds it took."""

    graphs: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def release_graphs(release: Path, only: Iterable[str] = ()) -> dict[str, bytes]:
    """The named graphs of a release folder as N-Triples, by graph IRI (``basel-kg.nq`` and,
    as ``graph/void``, ``void.ttl``); ``only``: just these graphs."""
    from .namespaces import GRAPH

    nquads = release / "basel-kg.nq"
    if not nquads.is_file():
        raise FileNotFoundError(f"no release at {release}: {nquads.name} is missing (run `basel-kg build` first)")
    grouped: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS):
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise ValueError(f"{nquads}: a triple outside a named graph: {quad.triple}")
        grouped.setdefault(quad.graph_name.value, []).append(quad.triple)
    void = release / "void.ttl"
    if void.is_file():
        grouped[str(GRAPH.VOID)] = [q.triple for q in ox.parse(path=void, format=ox.RdfFormat.TURTLE)]
    wanted = set(only)
    unknown = wanted - set(grouped)
    if unknown:
        raise ValueError(f"the release has no graph {', '.join(sorted(unknown))}")
    return {iri: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            for iri, triples in sorted(grouped.items()) if not wanted or iri in wanted}


def push(graphs: dict[str, bytes], store: RemoteStore, *, progress=None) -> PushReport:
    """Replace each graph of ``graphs`` (IRI -> N-Triples) in ``store``.

    Graphs that share a blank node (the reasoner's entailments about a membership's
    interval, say) go together in one SPARQL Update, the only way to keep it one node;
    the others one by one (a Graph Store ``PUT`` when the store has that endpoint).
    """
    report = PushReport()
    start = time.perf_counter()
    for group in _blank_node_groups(graphs):
        if len(group) == 1:
            (iri,) = group
            store.put_graph(iri, graphs[iri])
        else:
            store.put_graphs({iri: graphs[iri] for iri in group})
        for iri in group:
            report.graphs[iri] = graphs[iri].count(b"\n")
            if progress is not None:
                progress(iri, report.graphs[iri])
    report.seconds = time.perf_counter() - start
    return report


def _blank_node_groups(graphs: dict[str, bytes]) -> list[list[str]]:
    """The graphs, grouped so that graphs sharing a blank node label are in one group."""
    owner: dict[str, str] = {}  # blank node -> a graph holding it
    parent = {iri: iri for iri in graphs}

    def find(iri: str) -> str:
        while parent[iri] != iri:
            parent[iri] = parent[parent[iri]]
            iri = parent[iri]
        return iri

    for iri, data in graphs.items():
        for triple in ox.parse(data, ox.RdfFormat.N_TRIPLES):
            for term in (triple.subject, triple.object):
                if isinstance(term, ox.BlankNode):
                    other = owner.setdefault(term.value, iri)
                    parent[find(other)] = find(iri)
    groups: dict[str, list[str]] = {}
    for iri in graphs:
        groups.setdefault(find(iri), []).append(iri)
    return list(groups.values())


def add_push_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``basel-kg push``, each with a line saying why."""
    parser.add_argument("--endpoint", metavar="URL", required=True,
                        help="the store's SPARQL 1.1 Update endpoint (Oxigraph /update, Fuseki /DATASET/update, "
                             "GraphDB /repositories/ID/statements); used unless --graph-store is given")
    parser.add_argument("--graph-store", metavar="URL",
                        help="the store's Graph Store Protocol endpoint (Oxigraph /store, Fuseki /DATASET/data): "
                             "each graph is sent with one PUT, which streams large graphs better")
    parser.add_argument("--auth", metavar="KIND:CREDENTIALS",
                        help="basic:USER:PASSWORD, digest:USER:PASSWORD or bearer:TOKEN; prefer the environment "
                             f"variable {AUTH_ENV}, which other users cannot see in the process list")
    parser.add_argument("--release", metavar="DIR", type=Path,
                        help="the release folder written by `basel-kg build` (default: dist/ of the project)")
    parser.add_argument("--graph", metavar="IRI", action="append", default=[],
                        help="push only this graph (a full IRI or a short name: reference, inferred, "
                             "002-oewg7-cooperation); repeatable (default: every graph of the release)")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=300.0,
                        help="give up on a request after this long (default 300)")


def push_from_args(args: argparse.Namespace) -> int:
    """Run ``basel-kg push``; returns the exit code (0 done, 1 the store failed, 2 bad input)."""
    from .namespaces import BASE
    from .project import project_root

    release = args.release or project_root() / "dist"
    names = [g if ":" in g else f"{BASE}graph/{g}" for g in args.graph]
    try:
        auth = make_auth(args.auth or os.environ.get(AUTH_ENV))
        graphs = release_graphs(release, names)
    except (ValueError, FileNotFoundError, SyntaxError) as exc:
        print(f"basel-kg push: {exc}", file=sys.stderr)
        return 2
    endpoints = Endpoints(query=args.endpoint, update=args.endpoint, store=args.graph_store)
    quiet = not sys.stderr.isatty()

    def progress(iri: str, n: int) -> None:
        if not quiet:
            print(f"  {iri}: {n} triples", file=sys.stderr)

    with RemoteStore(endpoints, timeout=args.timeout, auth=auth) as store:
        try:
            report = push(graphs, store, progress=progress)
        except StoreError as exc:
            print(f"basel-kg push: {exc}", file=sys.stderr)
            return 1
    target = args.graph_store or args.endpoint
    print(f"pushed {report.triples} triples in {len(report.graphs)} graphs to {target} in {report.seconds:.1f} s")
    return 0
