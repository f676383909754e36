"""Serialise the knowledge graph, or some of its named graphs, in one RDF format.

Triple formats (Turtle, N-Triples, RDF/XML) get the selected graphs merged; by default the
asserted graphs (ontology and data, not ``graph/inferred``). Dataset formats (N-Quads,
TriG, JSON-LD) keep the named graphs; by default all of them, ``graph/inferred`` included.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from rdflib import Dataset, Graph, URIRef

from .formats import Format
from .jsonld import jsonld_context
from .namespaces import GRAPH, bind_prefixes

__all__ = ["serialize", "select_graphs", "jsonld_document", "UnknownGraphError"]


class UnknownGraphError(KeyError):
    """A graph was asked for that the dataset does not have."""

    def __init__(self, graph: str, available: list[URIRef]):
        self.graph, self.available = graph, available
        names = "\n  ".join(str(g) for g in available)
        super().__init__(f"no graph {graph}; the graphs are:\n  {names}")

    def __str__(self) -> str:
        return self.args[0]


def select_graphs(dataset: Dataset, graphs: Iterable[URIRef] | None, *, format: Format) -> list[Graph]:
    """The named graphs to export: ``graphs`` (each must exist) or the default for ``format``."""
    present = {g.identifier: g for g in dataset.graphs() if len(g)}
    if graphs is None:
        return [g for iri, g in sorted(present.items()) if format.has_graphs or iri != GRAPH.INFERRED]
    chosen = []
    for iri in graphs:
        if iri not in present:
            raise UnknownGraphError(str(iri), sorted(present))
        chosen.append(present[iri])
    return chosen


def serialize(
    dataset: Dataset,
    *,
    format: Format,
    graphs: Iterable[URIRef] | None = None,
) -> bytes:
    """``dataset`` (or the named ``graphs`` of it) as bytes in ``format``.

    N-Triples and N-Quads lines are sorted, so the same data always gives the same file.
    JSON-LD is compacted with the basel-kg context, embedded (:func:`jsonld_document`), so any
    JSON-LD processor reads it offline.
    """
    selected = select_graphs(dataset, graphs, format=format)
    if format.has_graphs:
        out: Graph = bind_prefixes(Dataset())
        for g in selected:
            out.graph(g.identifier).__iadd__(g)
    else:
        out = bind_prefixes(Graph())
        for g in selected:
            out += g
    if format is Format.JSONLD:
        return (json.dumps(jsonld_document(out), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    data = out.serialize(format=format.rdflib, encoding="utf-8")
    if format in (Format.NTRIPLES, Format.NQUADS):
        lines = sorted(set(data.splitlines()))
        data = b"\n".join(line for line in lines if line.strip()) + b"\n"
    return data


def jsonld_document(graph: Graph, *, expanded: bool = False, first: str | None = None) -> dict | list:
    """``graph`` (a Graph or Dataset) as a JSON-LD document, one node object per subject (per graph).

    Compacted with the basel-kg context embedded in the document (``{"@context": {...},
    "@graph": [...]}``), or ``expanded`` (JSON-LD 1.1 expanded form: a list of node objects,
    full IRIs, no context). ``first``: the IRI whose node comes first (an entity page's subject);
    the others follow in IRI order.
    """
    if expanded:
        nodes = json.loads(graph.serialize(format="json-ld", auto_compact=False))
    else:
        nodes = json.loads(graph.serialize(format="json-ld", context=jsonld_context()["@context"], auto_compact=False))
    listed = nodes if isinstance(nodes, list) else nodes.get("@graph")
    if first is not None and isinstance(listed, list):
        listed.sort(key=lambda n: (n.get("@id") != first, str(n.get("@id", ""))))
    return nodes
