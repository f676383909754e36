"""Two SHACL engines, full and incremental validation: the same results on every shape example.

For each example of tests/shapes/ (validated with the ontology and tests/shapes/fixture.ttl,
as tests/test_shapes.py does), pyshacl-turbo validates the whole graph and pySHACL (the
reference engine) validates only the nodes the example can affect
(:func:`basel_kg.validation.affected_nodes`, what `basel-kg validate FILE` and a write
check). Both must report exactly the same results: focus node, path, value, shape,
constraint, severity and message. One comparison tests the engines' agreement and that
incremental validation misses nothing a full run finds.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph

from basel_kg.namespaces import ONTOLOGY_FILE
from basel_kg.sources import load_shapes
from basel_kg.validation import affected_nodes, shacl_report
from support.shacl import results_of, run, union_graph

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).resolve().parent / "shapes"
FILES = sorted(EXAMPLES.glob("*/*.ttl"))


def in_store(graph: Graph):
    import pyoxigraph as ox

    from basel_kg.terms import to_ox

    store = ox.Store()
    store.extend(ox.Quad(*map(to_ox, t)) for t in graph)
    return store


@cache
def shapes() -> Graph:
    return load_shapes(ROOT)


@cache
def context() -> Graph:
    g = Graph().parse(ONTOLOGY_FILE, format="turtle")
    g.parse(EXAMPLES / "fixture.ttl", format="turtle")
    return g


def test_the_fixture_alone_gives_the_same_report_with_both_engines():
    data = union_graph([context()])
    assert run(data, shapes(), engine="pyshacl") == run(data, shapes(), engine="turbo")
    assert results_of(shacl_report(data, shapes()), shapes()) == run(data, shapes(), engine="turbo")
    assert results_of(shacl_report(in_store(data), shapes()), shapes()) == run(data, shapes(), engine="turbo")


def test_sparql_constraints_of_node_shapes_run_once_each_over_the_graph():
    from rdflib import URIRef
    from rdflib.namespace import RDF, SH

    from basel_kg.validation import _batched

    batched = _batched(shapes())
    bkgsh = "https://w3id.org/basel-kg/shapes#"
    moved = {(str(b.shape), str(b.constraint)) for b in batched.constraints}
    # the three shapes aimed at every typed or described resource are among them
    for shape, constraint in [("OntologyTermShape", "DomainConstraint"), ("IriResolvesShape", "IriResolvesConstraint"),
                              ("TextShape", "TextLanguageConstraint"), ("TextShape", "ChineseTextConstraint")]:
        assert (bkgsh + shape, bkgsh + constraint) in moved
    # each moved constraint leaves turbo's shapes; besides, only the targets of shapes left
    # with no constraint (OntologyTermShape targets every typed node) leave them
    left = set(shapes()) - set(batched.rest)
    assert set(batched.rest) <= set(shapes())
    links = {(b.shape, SH.sparql, b.constraint) for b in batched.constraints}
    assert links <= left
    targets = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}
    assert all(p in targets and (s, SH.property, None) not in batched.rest
               for s, p, _ in left - links)
    assert (URIRef(bkgsh + "OntologyTermShape"), SH.targetSubjectsOf, RDF.type) in left
    assert (URIRef(bkgsh + "LabelShape"), SH.targetClass, None) in batched.rest
    # property shapes keep theirs ($PATH is substituted per shape)
    assert all((b.shape, SH.path, None) not in shapes() for b in batched.constraints)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_full_turbo_equals_incremental_pyshacl(path: Path):
    example = Graph().parse(path, format="turtle")
    data = union_graph([context(), example])
    full = run(data, shapes(), engine="turbo")
    # the library's whole-graph run: turbo, with the whole-graph shapes' SPARQL constraints run
    # once each over the whole graph (validation._Batched)
    assert results_of(shacl_report(data, shapes()), shapes()) == full
    # the build's run: the same statements in a pyoxigraph store, read in place (no rdflib copy)
    assert results_of(shacl_report(in_store(data), shapes()), shapes()) == full
    focus = affected_nodes(example, data, shapes())
    incremental = results_of(shacl_report(data, shapes(), focus=focus, engine="pyshacl"), shapes())
    # the library's run on focus nodes (what `validate FILE` and a write run): turbo, with the
    # batched SPARQL constraints of the shapes that target a focus node run on those nodes only
    assert results_of(shacl_report(in_store(data), shapes(), focus=focus), shapes()) == incremental
    # the fixture conforms (test above), so every result of the full run is the example's doing
    assert incremental == full, "\n".join(
        [f"full only: {r.line()}" for r in full if r not in incremental]
        + [f"incremental only: {r.line()}" for r in incremental if r not in full])


def test_focus_runs_only_the_batched_constraints_aimed_at_a_focus_node_and_only_on_them():
    import pyoxigraph as ox
    from rdflib import URIRef
    from rdflib.namespace import RDF, RDFS

    from basel_kg.validation import _batched, _Targets

    ex = "https://example.org/"
    bkg = "https://w3id.org/basel-kg/ontology#"
    data = Graph().parse(data=f"""
        @prefix bkg: <{bkg}> . @prefix rdfs: <{RDFS}> . @prefix dcterms: <http://purl.org/dc/terms/> .
        <{ex}sub> rdfs:subClassOf <{ex}middle> . <{ex}middle> rdfs:subClassOf <{ex}top> .
        <{ex}a> a <{ex}sub> ; dcterms:description "no language" ; <{ex}p> <{ex}b> .
        <{ex}c> dcterms:description "no language either" .
        """, format="turtle")
    store = in_store(data)
    a, b = ox.NamedNode(ex + "a"), ox.NamedNode(ex + "b")
    # what the focus nodes are, read as the batched queries' targets read them
    found = _Targets.of(store, [a, b])
    assert found.classes == {ox.NamedNode(ex + n) for n in ("sub", "middle", "top")}
    assert found.subjects_of == {ox.NamedNode(str(RDF.type)), ox.NamedNode("http://purl.org/dc/terms/description"),
                                 ox.NamedNode(ex + "p")}
    assert found.objects_of == {ox.NamedNode(ex + "p")}
    # a described resource meets TextShape's targets; none of the decisions' shapes' do
    aimed = {str(c.constraint).rpartition("#")[2] for c in _batched(shapes()).constraints
             if c.targets.meet(_Targets.of(store, [a]))}
    assert {"TextLanguageConstraint", "ChineseTextConstraint"} <= aimed
    assert not any("Decision" in name for name in aimed)
    # both untagged descriptions break TextLanguageConstraint; on focus node a, only a's is reported
    everyone = {(r.focus, r.shape) for r in results_of(shacl_report(store, shapes()), shapes())}
    assert {"<https://example.org/a>", "<https://example.org/c>"} <= {focus for focus, _ in everyone}
    only_a = results_of(shacl_report(store, shapes(), focus=[URIRef(ex + "a")]), shapes())
    assert only_a and {r.focus for r in only_a} == {"<https://example.org/a>"}
    assert any(r.shape == "bkgsh:TextShape" for r in only_a)
