"""Counts that describe the knowledge graph, with one definition used everywhere.

- **triples**: distinct triples of the union of the knowledge graph's named graphs (the
  default graph every query sees, RDF merge: a triple stated in two graphs counts once);
- **entities**: distinct IRIs under the base IRI that are the subject of one of them.

The knowledge graph's graphs are every named graph of the store except the description of
the dataset (``graph/void``) and the shapes. ``basel-kg stats`` and ``build``, the release's
VoID description and the server's home page all use :func:`compute_stats` or the queries
below, run through the one :class:`~basel_kg.store.model.Store` interface.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import BASE, GRAPH

__all__ = ["Stats", "compute_stats", "dataset_stats", "store_stats", "TRIPLES_QUERY", "ENTITIES_QUERY", "entities_query", "NOT_COUNTED"]

#: Named graphs that are about the knowledge graph, not part of it.
NOT_COUNTED = (str(GRAPH.VOID), str(GRAPH.SHAPES))

_IN_KG = "FILTER(?g NOT IN (" + ", ".join(f"<{g}>" for g in NOT_COUNTED) + "))"
_DISTINCT = f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_IN_KG} }}"

TRIPLES_QUERY = f"SELECT (COUNT(*) AS ?n) WHERE {{ {_DISTINCT} }}"


def entities_query(base: str = BASE) -> str:
    """The query counting entities: distinct IRIs under ``base`` used as subjects."""
    return (f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_IN_KG} "
            f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {ox.Literal(base)})) }}")


ENTITIES_QUERY = entities_query()
_NODES = (f"SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects) "
          f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_IN_KG} }}")
_CLASSES = (f"SELECT ?key (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?key }} {_IN_KG} }} "
            "GROUP BY ?key")
_PROPERTIES = f"SELECT (?p AS ?key) (COUNT(*) AS ?n) WHERE {{ {_DISTINCT} }} GROUP BY ?p"
_LANGUAGES = (f"SELECT ?key (COUNT(*) AS ?n) WHERE {{ {{ {_DISTINCT} }} FILTER(isLiteral(?o)) "
              "BIND(LANG(?o) AS ?key) } GROUP BY ?key")


@dataclass(frozen=True)
class Stats:
    """Counts over the knowledge graph; each mapping is sorted by count, largest first."""

    triples: int  # distinct triples of the union of the counted graphs
    entities: int  # distinct IRIs under the basel-kg base used as subjects
    subjects: int
    objects: int
    graphs: dict[str, int]  # graph IRI -> triples
    classes: dict[str, int]  # class IRI -> distinct instances
    properties: dict[str, int]  # property IRI -> distinct triples
    languages: dict[str, int]  # language tag -> literals ("" for literals without one)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False)


def compute_stats(store, *, inference: bool = True) -> Stats:
    """Counts over the knowledge graph held by ``store`` (a :class:`~basel_kg.store.model.Store`),
    without the inferred graphs when ``inference`` is False.

    Class counts include inferred types when the inferred graph is counted, so a
    ``bkg:DraftDecision`` also counts as a ``bkg:Decision``.
    """

    def rows(sparql: str) -> list[dict]:
        return store.query(sparql, inference=inference, max_rows=None).solutions()

    def number(sparql: str, name: str = "n") -> int:
        found = rows(sparql)
        return int(found[0][name].value) if found else 0

    def counts(sparql: str) -> dict[str, int]:
        return _by_count({r["key"].value if "key" in r else "": int(r["n"].value) for r in rows(sparql)})

    inferred = {str(GRAPH.INFERRED)}
    graphs = {g.iri: g.triples for g in store.graphs()
              if g.iri not in NOT_COUNTED and g.triples and (inference or g.iri not in inferred)}
    nodes = rows(_NODES)
    return Stats(
        triples=number(TRIPLES_QUERY),
        entities=number(ENTITIES_QUERY),
        subjects=int(nodes[0]["subjects"].value) if nodes else 0,
        objects=int(nodes[0]["objects"].value) if nodes else 0,
        graphs=_by_count(graphs),
        classes=counts(_CLASSES),
        properties=counts(_PROPERTIES),
        languages=counts(_LANGUAGES),
    )


def _by_count(counts) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def dataset_stats(dataset, *, inference: bool = True) -> Stats:
    """:func:`compute_stats` of an rdflib Dataset (its named graphs), through an in-process store."""
    from .store import EmbeddedStore

    with EmbeddedStore(processes=False) as store:
        store.load_dataset(dataset)
        return compute_stats(store, inference=inference)


def store_stats(store: ox.Store) -> Stats:
    """:func:`compute_stats` of the named graphs of a pyoxigraph store (the build's store), read
    in place: no copy into another store."""
    return compute_stats(_InPlace(store))


class _InPlace:
    """The two calls :func:`compute_stats` makes of a Store, answered by a pyoxigraph store
    (every query above reads named graphs only: the default graph is not counted)."""

    @dataclass(frozen=True)
    class _Graph:
        iri: str
        triples: int

    class _Rows(list):
        def solutions(self) -> list[dict]:
            return self

    def __init__(self, store: ox.Store):
        self._store = store

    def query(self, sparql: str, *, inference: bool = True, max_rows=None):
        if not inference:
            raise NotImplementedError("counts without the inferred graph need a basel_kg Store")
        solutions = self._store.query(sparql)
        names = [v.value for v in solutions.variables]
        return self._Rows({n: row[n] for n in names if row[n] is not None} for row in solutions)

    def graphs(self) -> list[_Graph]:
        from .store.model import graph_counts

        return [self._Graph(iri, n) for iri, n in graph_counts(self._store).items()]
