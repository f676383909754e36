"""The build holds the knowledge graph in pyoxigraph: what it parses, reasons and validates is
the same graph as before, and no rdflib copy of the data is made on the way."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from basel_kg.build import build_knowledge_graph
from basel_kg.namespaces import GRAPH
from basel_kg.reasoning import infer
from basel_kg.terms import triple_to_rdflib
from basel_kg.sources import ParseError, load_sources


def _triples(store: ox.Store, graph) -> set:
    return {triple_to_rdflib(q) for q in store.quads_for_pattern(None, None, None, graph)}


def test_the_stores_hold_each_source_graph_the_inferred_graph_and_their_union(mini_root: Path):
    kg = build_knowledge_graph(root=mini_root)
    asserted = load_sources(mini_root)  # the rdflib way of reading the same files
    inferred = ox.NamedNode(str(GRAPH.INFERRED))
    names = {str(g) for g in kg.graph_sizes}
    assert {g.value for g in kg.store.named_graphs()} == names
    assert not list(kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    union = set()
    for graph in asserted.graphs():
        if len(graph):
            mine = _triples(kg.store, ox.NamedNode(str(graph.identifier)))
            assert len(mine) == len(graph) == kg.graph_sizes[graph.identifier]
            # equal up to blank-node labels: compare the triples without blank nodes
            assert {t for t in mine if not any(n.startswith("_:") for n in map(lambda x: x.n3(), t))} == \
                {t for t in graph if not any(n.startswith("_:") for n in map(lambda x: x.n3(), t))}
            union |= mine
    assert _triples(kg.store, inferred) == set(infer(asserted))  # the reference path: rdflib, IncrementalReasoner
    assert not list(kg.union.named_graphs()), "the reasoner's working graphs are gone"
    assert _triples(kg.union, ox.DefaultGraph()) == union | _triples(kg.store, inferred)
    assert kg.report is not None and kg.conforms


def test_build_release_and_cache_make_no_rdflib_copy_of_the_data(mini_root: Path, tmp_path: Path, monkeypatch):
    from basel_kg.cache import built
    from basel_kg.release import write_release

    monkeypatch.setenv("BASEL_KG_CACHE", str(tmp_path / "cache"))
    kg = build_knowledge_graph(root=mini_root)
    write_release(kg, tmp_path / "dist")
    built(mini_root, kg=kg)
    assert "dataset" not in kg.__dict__, "the rdflib view was made"
    # made on demand, it is the named graphs of the store
    view = kg.dataset
    assert {str(g.identifier) for g in view.graphs() if len(g)} == {str(g) for g in kg.graph_sizes if kg.graph_sizes[g]}
    assert len(view) == len(_triples(kg.union, ox.DefaultGraph()))


def test_blank_nodes_of_different_files_stay_apart(mini_root: Path):
    for name in ("900-a.ttl", "901-b.ttl"):
        (mini_root / "data" / name).write_text(
            '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n_:x rdfs:comment "same label"@en .\n',
            encoding="utf-8")
    kg = build_knowledge_graph(root=mini_root, validate=False)
    subjects = {q.subject for q in kg.union.quads_for_pattern(None, None, ox.Literal("same label", language="en"))}
    assert len(subjects) == 2


def test_a_syntax_error_names_file_line_and_column_and_nothing_is_built(mini_root: Path):
    bad = mini_root / "data" / "900-bad.ttl"
    bad.write_text('@prefix bkg: <https://w3id.org/basel-kg/ontology#> .\n\n<https://w3id.org/basel-kg/x> bkg:p "open .\n',
                   encoding="utf-8")
    with pytest.raises(ParseError) as info:
        build_knowledge_graph(root=mini_root)
    assert info.value.source == str(bad)
    assert info.value.line == 3 and info.value.column
    assert str(info.value).startswith(f"{bad}:3:")
