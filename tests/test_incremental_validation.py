"""`validate FILE` in the context of a store reads only what the shapes can reach from the file.

:func:`basel_kg.validation.validate` with a pyoxigraph Store as context extracts the
neighbourhood of the file's nodes (:func:`basel_kg.validation.neighbourhood`) instead of
copying the graph. On every example of tests/shapes/ (the ontology and the fixture in the
store) it must give exactly the results of a full validation of the union (pyshacl-turbo),
and the amount of data it hands to the engine must not depend on the size of the graph.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef

from basel_kg.namespaces import GRAPH, ONTOLOGY_FILE
from basel_kg.sources import load_shapes
from basel_kg.validation import affected_nodes, neighbourhood, read_plan, validate
from support.shacl import results_of, run, union_graph

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).resolve().parent / "shapes"
FILES = sorted(EXAMPLES.glob("*/*.ttl"))
BASE = "https://w3id.org/basel-kg/"


@cache
def shapes() -> Graph:
    return load_shapes(ROOT)


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@cache
def fixture() -> Graph:
    return Graph().parse(EXAMPLES / "fixture.ttl", format="turtle")


def store_of(data: Graph, graph: str) -> ox.Store:
    store = ox.Store()
    store.load(ontology().serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode(str(GRAPH.ONTOLOGY)))
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode(graph))
    return store


@cache
def fixture_store() -> ox.Store:
    return store_of(fixture(), BASE + "graph/fixture")


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_validating_in_the_store_equals_a_full_validation(path: Path):
    example = Graph().parse(path, format="turtle")
    full = run(union_graph([ontology(), fixture(), example]), shapes(), engine="turbo")
    local = results_of(validate(example, context=fixture_store(), shapes=shapes()).graph, shapes())
    assert local == full, "\n".join(
        [f"full only: {r.line()}" for r in full if r not in local]
        + [f"in store only: {r.line()}" for r in local if r not in full])


SHARED = tuple(BASE + p for p in ("ontology", "source/", "country/", "document/", "link/"))


def replicated(data: Graph, copies: int, shared: tuple[str, ...] = (BASE + "ontology",)) -> Graph:
    """``data`` and ``copies - 1`` renamed copies of its instances (IRIs under BASE get a suffix,
    blank nodes are new); ontology terms, external IRIs and the IRIs starting with ``shared``
    are shared (with :data:`SHARED`, as in benchmarks/synthetic.py: every copy links to the
    same source passages, which become hubs)."""
    out = Graph()
    for i in range(copies):
        def rename(t):
            if i and isinstance(t, URIRef) and str(t).startswith(BASE) and not str(t).startswith(shared):
                return URIRef(f"{t}-copy{i}")
            if i and isinstance(t, BNode):
                return BNode(f"{t}copy{i}")
            return t
        for s, p, o in data:
            out.add((rename(s), p, rename(o)))
    return out


def test_the_data_read_does_not_grow_with_the_graph():
    example = Graph().parse(FILES[0], format="turtle")
    sizes = []
    for copies in (1, 2, 4):
        store = store_of(replicated(fixture(), copies), BASE + "graph/fixture")
        sizes.append(len(neighbourhood(store, example, shapes())))
    assert sizes[0] == sizes[1] == sizes[2], sizes
    assert sizes[0] < len(ontology()) + len(fixture())


HUB = BASE + "source/900_0123456789abcdef#p1"  # the fixture's passage: 14 links or more to it in each copy
HUB_FILES = {
    "a new entity derived from the hub": f"""
        <org/new-org> a bkg:IntergovernmentalOrganisation ; rdfs:label "New organisation"@en ;
            prov:wasDerivedFrom <{HUB}> .
    """,
    "a new entity derived from the hub, no label": f"""
        <org/new-org> a bkg:IntergovernmentalOrganisation ; prov:wasDerivedFrom <{HUB}> .
    """,
    "a wrong locator on the hub": f"""
        <{HUB}> bkg:locator 7 ; bkg:lineEnd 0 .
    """,
    "the hub typed again": f"""
        <{HUB}> a bkg:SourcePassage .
    """,
    "a link from the hub to an undefined node": f"""
        <{HUB}> dcterms:isPartOf <source/no-such-text> .
    """,
}


def shared_store(copies: int) -> tuple[Graph, ox.Store]:
    data = replicated(fixture(), copies, SHARED)
    return data, store_of(data, BASE + "graph/fixture")


@pytest.mark.parametrize("name", list(HUB_FILES))
def test_a_file_touching_a_hub_gets_the_results_of_a_full_validation(name: str):
    """The fixture three times over, every copy linking to the same passages: the results of
    the file in the store are what a full validation adds to those of the graph alone."""
    example = Graph().parse(data=PREAMBLE + HUB_FILES[name], format="turtle")
    data, store = shared_store(3)
    before = run(union_graph([ontology(), data]), shapes(), engine="turbo")
    after = run(union_graph([ontology(), data, example]), shapes(), engine="turbo")
    full = [r for r in after if r not in before]
    local = results_of(validate(example, context=store, shapes=shapes()).graph, shapes())
    assert local == full, "\n".join(
        [f"full only: {r.line()}" for r in full if r not in local]
        + [f"in store only: {r.line()}" for r in local if r not in full])
    assert ("no label" in name or "wrong" in name or "undefined" in name) == bool(full)


def test_what_a_file_linking_to_a_hub_reads_does_not_grow_with_the_hub():
    example = Graph().parse(data=PREAMBLE + HUB_FILES["a new entity derived from the hub"], format="turtle")
    read, focus = [], []
    for copies in (1, 4, 16):
        data, store = shared_store(copies)
        assert len(list(store.quads_for_pattern(None, None, ox.NamedNode(HUB), None))) >= 14 * copies
        read.append(len(neighbourhood(store, example, shapes())))
        focus.append(affected_nodes(example, store, shapes(), extra=example))
    assert read[0] == read[1] == read[2], read
    assert focus[0] == focus[1] == focus[2] == [URIRef(BASE + "org/new-org")], focus


def test_the_read_plan_follows_every_shape():
    assert read_plan(shapes()) is not None  # None: validation in context would read the whole store


# Small files added to the shipped knowledge graph: new entities, new links on existing ones
# (a hub included), each breaking a different kind of shape, and one that conforms.
PERTURBATIONS = {
    "new decision, wrong session": """
        <decision/basel-oewg-VI-99> a bkg:Decision ;
            rdfs:label "Decision OEWG-VI/99"@en ;
            bkg:decisionNumber "VI/99" ;
            bkg:session "7"^^xsd:integer ; bkg:numberInSession "99"^^xsd:integer ;
            bkg:adoptedBy <body/basel-oewg> ;
            bkg:adoptedAt <meeting/basel-oewg-6> .
    """,
    "existing decision, undefined link and literal object": """
        <decision/basel-oewg-VI-19> bkg:concerns <programme/no-such-programme> ;
            bkg:adoptedAt "OEWG-6" .
    """,
    "existing decision, second number": """
        <decision/basel-oewg-VI-19> bkg:decisionNumber "VI/20" .
    """,
    "hub, new link": """
        <body/basel-oewg> bkg:hasMeeting <meeting/basel-oewg-6> ;
            rdfs:label "OEWG"@fr .
    """,
    "nothing wrong": """
        <decision/basel-oewg-VI-19> rdfs:comment "A comment."@en .
    """,
}
PREAMBLE = """
    @base <https://w3id.org/basel-kg/> .
    @prefix bkg: <https://w3id.org/basel-kg/ontology#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix dcterms: <http://purl.org/dc/terms/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@cache
def shipped_oxigraph() -> ox.Store:
    from basel_kg.cache import built, built_oxigraph

    return built_oxigraph(built(ROOT))


@pytest.mark.parametrize("name", list(PERTURBATIONS))
def test_a_file_added_to_the_shipped_graph_gets_the_results_of_a_full_validation(name: str):
    from support.shipped import shipped_dataset

    data = Graph().parse(data=PREAMBLE + PERTURBATIONS[name], format="turtle")
    dataset = shipped_dataset()
    graphs = [g for g in dataset.graphs() if g.identifier != GRAPH.SHAPES]
    full = run(union_graph([*graphs, data]), shapes(), engine="turbo")
    local = results_of(validate(data, context=shipped_oxigraph(), shapes=shapes()).graph, shapes())
    assert local == full, "\n".join(
        [f"full only: {r.line()}" for r in full if r not in local]
        + [f"in store only: {r.line()}" for r in local if r not in full])
    assert (name == "nothing wrong") == (not full)


def test_shapes_the_read_plan_cannot_follow_validate_the_whole_graph():
    """A SPARQL constraint with a pattern not linked to $this (any flagged node anywhere makes
    every ex:Thing fail) cannot be followed from the file's nodes: the whole store is read and
    every node validated, which finds what a full validation finds."""
    ex = "https://example.org/"
    odd_shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{ex}> .
        ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:sparql [ sh:message "a flag is raised somewhere" ;
                        sh:select "SELECT $this WHERE {{ $this a <{ex}Thing> . ?x <{ex}flag> true }}" ] .
    """, format="turtle")
    assert read_plan(odd_shapes) is None
    stored = Graph().parse(data=f"<{ex}a> a <{ex}Thing> .", format="turtle")
    store = store_of(stored, ex + "graph")
    new = Graph().parse(data=f"<{ex}b> <{ex}flag> true .", format="turtle")
    full = run(union_graph([ontology(), stored, new]), odd_shapes, engine="turbo")
    local = results_of(validate(new, context=store, shapes=odd_shapes).graph, odd_shapes)
    assert local == full and [r.focus for r in full] == [f"<{ex}a>"]
