"""Build the knowledge graph: parse the sources, reason, validate.

:func:`build_knowledge_graph` is what ``basel-kg build`` and the web server start from. It
returns a :class:`KnowledgeGraph` whose ``dataset`` holds one named graph per ontology/data
file plus ``graph/inferred`` (the shapes are kept apart in ``shapes``).
"""

from __future__ import annotations

import hashlib
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef
from tqdm import tqdm

from .formats import Format
from .namespaces import GRAPH, bind_prefixes
from .project import project_root
from .sources import SourceFile, discover, parse_file
if TYPE_CHECKING:
    from .validation import ValidationReport

__all__ = ["KnowledgeGraph", "build_knowledge_graph", "content_version"]


@dataclass(frozen=True)
class KnowledgeGraph:
    """The built knowledge graph and what was measured while building it."""

    dataset: Dataset  # asserted named graphs + graph/inferred (no shapes); default graph = their union
    version: str  # short content hash of the asserted sources; stable across runs
    report: ValidationReport | None  # None when built without validation
    shapes: Graph
    root: Path
    sources: tuple[SourceFile, ...]
    graph_sizes: dict[URIRef, int]  # triples per named graph, inferred included
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

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
    dataset = bind_prefixes(Dataset(default_union=True))
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
                into = shapes if src.role == "shapes" else dataset.graph(src.graph)
                parse_file(src.path, format=Format.TURTLE, into=into)
            bar.update()
        if reason:
            from .reasoning import infer

            with stage("reason"):
                inferred = infer(dataset)
                target = dataset.graph(GRAPH.INFERRED)
                for triple in inferred:
                    target.add(triple)
            bar.update()
        report = None
        if validate:
            from .validation import validate as validate_graph

            with stage("validate"):
                report = validate_graph(dataset, shapes=shapes)
            bar.update()

    sizes = {s.graph: len(dataset.graph(s.graph)) for s in sources if s.role != "shapes"}
    if reason:
        sizes[GRAPH.INFERRED] = len(dataset.graph(GRAPH.INFERRED))
    return KnowledgeGraph(
        dataset=dataset,
        version=content_version(sources),
        report=report,
        shapes=shapes,
        root=root,
        sources=sources,
        graph_sizes=sizes,
        timings=timings,
    )
