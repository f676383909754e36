"""Counts that describe the knowledge graph: by graph, class, property and language.

``basel-kg stats`` prints them and the release's VoID description is made from them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF

from .namespaces import BASE, GRAPH

__all__ = ["Stats", "compute_stats"]


@dataclass(frozen=True)
class Stats:
    """Counts over the chosen graphs; each mapping is sorted by count, largest first."""

    triples: int  # quads in the chosen graphs
    distinct_triples: int  # triples of their union
    entities: int  # distinct IRIs under the basel-kg base used as subjects
    subjects: int
    objects: int
    graphs: dict[str, int]  # graph IRI -> triples
    classes: dict[str, int]  # class IRI -> distinct instances
    properties: dict[str, int]  # property IRI -> triples
    languages: dict[str, int]  # language tag -> literals ("" for literals without one)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False)


def compute_stats(dataset: Dataset, *, inferred: bool = True) -> Stats:
    """Counts over the named graphs of ``dataset`` (without ``graph/inferred`` if ``inferred`` is False).

    Class counts include inferred types when the inferred graph is counted, so a
    ``bkg:DraftDecision`` also counts as a ``bkg:Decision``.
    """
    graph_sizes: dict[str, int] = {}
    seen: set = set()
    instances: dict[URIRef, set] = {}
    properties: Counter = Counter()
    languages: Counter = Counter()
    for graph in dataset.graphs():
        if graph.identifier == GRAPH.SHAPES or (not inferred and graph.identifier == GRAPH.INFERRED):
            continue
        if not len(graph):
            continue
        graph_sizes[str(graph.identifier)] = len(graph)
        for triple in graph:
            if triple in seen:
                continue
            seen.add(triple)
            s, p, o = triple
            properties[str(p)] += 1
            if p == RDF.type:
                instances.setdefault(o, set()).add(s)
            if isinstance(o, Literal):
                languages[o.language or ""] += 1
    subjects = {s for s, _, _ in seen}
    objects = {o for _, _, o in seen}
    return Stats(
        triples=sum(graph_sizes.values()),
        distinct_triples=len(seen),
        entities=sum(1 for s in subjects if isinstance(s, URIRef) and str(s).startswith(BASE)),
        subjects=len(subjects),
        objects=len(objects),
        graphs=_by_count(graph_sizes),
        classes=_by_count({str(c): len(members) for c, members in instances.items()}),
        properties=_by_count(properties),
        languages=_by_count(languages),
    )


def _by_count(counts) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
