"""Build the knowledge graph: parse the sources, reason, validate.

:func:`build_knowledge_graph` is what ``basel-kg build`` and the web server start from. It
returns a :class:`KnowledgeGraph` whose ``store`` (an in-memory pyoxigraph store) holds one
named graph per ontology/data file plus ``graph/inferred``, and whose ``union`` (another
one) holds their union (RDF merge) in its default graph; the shapes are kept apart in
``shapes``. Parsing, reasoning (in ``union``), whole-graph validation (of ``union``), the
release and the build cache (from ``store``) all read these stores: no rdflib copy of the
data is made on the way (at 100x the rdflib copies were most of the build's time and
memory). Two stores, and the reasoner's working graphs in a third: the shapes' SPARQL
constraints ran 2-3x slower on the default graph of one store that also held the named graphs
and the reasoner's dropped working graphs (pyoxigraph's in-memory store keeps removed quads as
versions that every later query steps over).
``dataset`` is an rdflib view of the named graphs, made on first use, for the library's
rdflib consumers.
"""

from __future__ import annotations

import hashlib
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from tqdm import tqdm

from .formats import Format
from .namespaces import GRAPH, bind_prefixes
from .project import project_root
from .sources import SourceFile, discover, parse_file, parse_into_store, store_to_dataset
from .store.model import graph_counts
if TYPE_CHECKING:
    from .validation import ValidationReport

__all__ = ["KnowledgeGraph", "build_knowledge_graph", "content_version"]


@dataclass(frozen=True)
class KnowledgeGraph:
    """The built knowledge graph and what was measured while building it."""

    store: ox.Store  # asserted named graphs + graph/inferred (no shapes); empty default graph
    union: ox.Store  # the union of those graphs (RDF merge) in its default graph, nothing else
    version: str  # short content hash of the asserted sources; stable across runs
    report: ValidationReport | None  # None when built without validation
    shapes: Graph
    root: Path
    sources: tuple[SourceFile, ...]
    graph_sizes: dict[URIRef, int]  # triples per named graph, inferred included
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    prefixes: dict[str, str] = field(default_factory=dict)  # declared by the source files

    @cached_property
    def dataset(self) -> Dataset:
        """The named graphs as an rdflib Dataset (default graph: their union), made from
        ``store`` on first use; the build, the release and the cache never ask for it."""
        return store_to_dataset(self.store, [ox.NamedNode(str(g)) for g in self.graph_sizes], self.prefixes)

    @cached_property
    def stats(self):
        """:class:`basel_kg.stats.Stats` of the named graphs (counted once: the release's VoID
        description and ``basel-kg build``'s summary both use them)."""
        from .stats import store_stats

        return store_stats(self.store)

    def graph(self, iri: URIRef) -> Graph:
        """One named graph as a new rdflib Graph (for the small ones: the ontology)."""
        return store_to_dataset(self.store, [ox.NamedNode(str(iri))]).graph(iri)

    @property
    def conforms(self) -> bool:
        """True when validated and conforming, or when built without validation."""
        return self.report is None or self.report.conforms

    @property
    def asserted_triples(self) -> int:
        return sum(n for g, n in self.graph_sizes.items() if g != GRAPH.INFERRED)

    @property
    def inferred_triples(self) -> int:
        return self.graph_sizes.get(GRAPH.INFERRED, 0)

    @property
    def graphs(self) -> list[URIRef]:
        """The named graphs, in source order, ``graph/inferred`` last when present."""
        return list(self.graph_sizes)


def content_version(sources: list[SourceFile] | tuple[SourceFile, ...]) -> str:
    """A 12-hex-digit SHA-256 of the ontology and data files (graph IRI + bytes, in order)."""
    digest = hashlib.sha256()
    for src in sources:
        if src.role == "shapes":
            continue
        digest.update(str(src.graph).encode() + b"\0")
        digest.update(src.path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def build_knowledge_graph(
    *,
    root: Path | None = None,
    reason: bool = True,
    validate: bool = True,
    progress: bool = False,
) -> KnowledgeGraph:
    """Parse ontology, data and shapes under ``root``; add the inferred graph; validate.

    Raises :class:`basel_kg.sources.ParseError` for a syntax error (naming file, line and
    column), ``OSError`` for an unreadable file and
    :class:`basel_kg.reasoning.ReasoningError` for data inconsistent with the ontology.
    Non-conforming data is not an exception: look at ``report``.
    """
    root = Path(root) if root is not None else project_root()
    sources = tuple(discover(root))
    missing = [s.path for s in sources if not s.path.is_file()]
    if missing:
        raise FileNotFoundError(f"no such file: {missing[0]}")
    timings: dict[str, float] = {}
    store, union = ox.Store(), ox.Store()
    prefixes: dict[str, str] = {}
    shapes = bind_prefixes(Graph())
    steps = len(sources) + int(reason) + int(validate)
    with tqdm(total=steps, desc="build", unit="step", file=sys.stderr, disable=not progress, leave=False) as bar:

        @contextmanager
        def stage(name: str):
            bar.set_description(name)
            start = time.perf_counter()
            yield
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start

        for src in sources:
            with stage("parse"):
                if src.role == "shapes":
                    parse_file(src.path, format=Format.TURTLE, into=shapes)
                else:
                    declared = parse_into_store(src.path, store, ox.NamedNode(str(src.graph)), format=Format.TURTLE,
                                                union=union)
                    for prefix, namespace in declared.items():
                        prefixes.setdefault(prefix, namespace)
            bar.update()
        if reason:
            from .reasoning import infer_in_store

            with stage("reason"):
                inferred = infer_in_store(union)
                union.extend(inferred)
                graph = ox.NamedNode(str(GRAPH.INFERRED))
                store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in inferred)
                del inferred
            bar.update()
        report = None
        if validate:
            from .validation import validate_store

            with stage("validate"):
                names = bind_prefixes(Graph())
                for prefix, namespace in prefixes.items():
                    names.bind(prefix, namespace, override=False)
                report = validate_store(union, shapes=shapes, names=names)
            bar.update()

    counts = graph_counts(store)
    sizes = {s.graph: counts.get(str(s.graph), 0) for s in sources if s.role != "shapes"}
    if reason:
        sizes[GRAPH.INFERRED] = counts.get(str(GRAPH.INFERRED), 0)
    return KnowledgeGraph(
        store=store,
        union=union,
        version=content_version(sources),
        report=report,
        shapes=shapes,
        root=root,
        sources=sources,
        graph_sizes=sizes,
        timings=timings,
        prefixes=prefixes,
    )
