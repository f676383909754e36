"""The compiled-rule reasoner against owlrl (the reference engine), full and incremental.

``basel_kg.reasoning.infer`` runs the ontology's axioms as SPARQL rules inside pyoxigraph;
``infer_owlrl`` is owlrl on the same input. They must give the same entailments on the
shipped data, and the incremental reasoner (writes) must end where a full recompute does.
"""

from __future__ import annotations

import random

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import ORG, OWL, RDF, RDFS

from basel_kg.namespaces import BASE, BKG
from basel_kg.reasoning import IncrementalReasoner, InferredDelta, infer, infer_in_store, infer_owlrl, is_schema
from basel_kg.sources import load_sources
from basel_kg.terms import triple_to_ox, triple_to_rdflib


@pytest.fixture(scope="module")
def asserted() -> Graph:
    union = Graph()
    for graph in load_sources().graphs():
        union += graph
    return union


@pytest.fixture(scope="module")
def reference(asserted) -> set:
    return set(infer_owlrl(asserted))


def copy(graph: Graph) -> Graph:
    out = Graph()
    for t in graph:
        out.add(t)
    return out


def test_same_entailments_as_owlrl_on_the_shipped_data(asserted, reference):
    ours = set(infer(asserted))
    assert reference, "owlrl infers something"
    assert ours - reference == set(), "entailments owlrl does not make"
    assert reference - ours == set(), "entailments of owlrl we miss"


def test_the_compiled_rules_cover_property_chains(asserted, reference):
    """prp-spo2 is what the Rust engine `reasonable` lacks: check we have those entailments."""
    chained = {t for t in reference if t[1] in (BKG.involvedIn, BKG.cooperatesWith)}
    assert chained
    assert chained <= set(infer(asserted))


def _ox(triples) -> list:
    return [triple_to_ox(t) for t in triples]


def _rdflib(delta: InferredDelta) -> InferredDelta:
    """A change to the inferred graph (in pyoxigraph's terms) in rdflib's, as the reference engine gives them."""
    return InferredDelta(frozenset(map(triple_to_rdflib, delta.add)), frozenset(map(triple_to_rdflib, delta.remove)),
                         delta.full)


def _data_statements(graph: Graph, seed: int, n: int) -> list:
    """A fixed random sample of statements a rule can use (types, linked properties), no schema."""
    schema_terms = {x for s, p, o in graph if is_schema(p, o) for x in (s, o)}
    usable = sorted(t for t in graph if not is_schema(t[1], t[2]) and (t[1] == RDF.type or t[1] in schema_terms))
    return random.Random(seed).sample(usable, n)


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_removal_and_addition_equal_a_full_recompute(asserted, reference, seed):
    """DRed for removals, semi-naive for additions: each ends where a full recompute does."""
    graph = copy(asserted)
    reasoner = IncrementalReasoner(graph)
    assert set(reasoner.inferred()) == reference
    sample = _data_statements(graph, seed, 40)

    for t in sample:
        graph.remove(t)
    delta = _rdflib(reasoner.change(remove=_ox(sample)))
    expected = set(infer(graph)) if seed > 1 else set(infer_owlrl(graph))
    assert (reference | delta.add) - delta.remove == expected
    assert set(reasoner.inferred()) == expected

    for t in sample:
        graph.add(t)
    back = _rdflib(reasoner.change(add=_ox(sample)))
    assert (expected | back.add) - back.remove == reference
    assert set(reasoner.inferred()) == reference


def test_incremental_transitive_chain_and_membership(asserted):
    """A citation chain grows and is cut in the middle; a membership brings its property-chain
    link and loses it: each step ends where a full recompute does."""
    graph = copy(asserted)
    reasoner = IncrementalReasoner(graph)
    a, b, c = (URIRef(BASE + f"decision/test-{n}") for n in "abc")
    org, membership = URIRef(BASE + "org/test-new"), URIRef(BASE + "membership/test-new")
    steps = [
        ([(a, BKG.cites, b), (b, BKG.recalls, c), (c, RDF.type, BKG.Decision)], []),
        ([(org, BKG.hasMembership, membership), (membership, RDF.type, ORG.Membership),
          (membership, ORG.organization, URIRef(BASE + "org/sbc"))], [(b, BKG.recalls, c)]),
        ([], [(membership, ORG.organization, URIRef(BASE + "org/sbc"))]),
    ]
    state = set(reasoner.inferred())
    for added, removed in steps:
        for t in removed:
            graph.remove(t)
        for t in added:
            graph.add(t)
        delta = _rdflib(reasoner.change(add=_ox(added), remove=_ox(removed)))
        state = (state | delta.add) - delta.remove
        assert state == set(infer(graph))
    assert (a, BKG.citesTransitively, b) in state and (a, BKG.citesTransitively, c) not in state
    assert (org, BKG.involvedIn, URIRef(BASE + "org/sbc")) not in state


def test_schema_change_recomputes_everything(asserted):
    graph = copy(asserted)
    reasoner = IncrementalReasoner(graph)
    axiom = (BKG.recalls, RDFS.subPropertyOf, BKG.welcomes)
    graph.add(axiom)
    delta = reasoner.change(add=_ox([axiom]))
    assert delta.full
    delta = _rdflib(delta)
    assert set(reasoner.inferred()) == set(infer(graph))
    assert any(p == BKG.welcomes for _, p, _ in delta.add)


@pytest.fixture(scope="module")
def uncovered(asserted) -> tuple[Graph, set]:
    """The shipped data with an owl:sameAs (outside the compiled rules), and owlrl's entailments
    of it: computed once for the two tests that check the fallback to owlrl."""
    graph = copy(asserted)
    graph.add((URIRef(BASE + "org/sbc"), OWL.sameAs, URIRef(BASE + "org/test-alias")))
    return graph, set(infer_owlrl(graph))


def test_a_construct_the_rules_do_not_cover_goes_to_owlrl(uncovered):
    """owl:sameAs is outside the compiled rules: infer() must still give owlrl's answer."""
    graph, reference = uncovered
    inferred = set(infer(graph))
    assert inferred == reference
    assert (URIRef(BASE + "org/test-alias"), OWL.sameAs, URIRef(BASE + "org/sbc")) in inferred


def _in_store(graph: Graph):
    import pyoxigraph as ox

    from basel_kg.terms import to_ox

    store = ox.Store()
    store.extend(ox.Quad(*map(to_ox, t)) for t in graph)
    return store


def _triples(store, graph) -> set:

    return {triple_to_rdflib(q) for q in store.quads_for_pattern(None, None, None, graph)}


def test_reasoning_inside_the_build_store_gives_the_same_entailments(asserted, reference):
    """What the build runs (infer_in_store: the rules over a pyoxigraph store's default graph,
    no rdflib round trip) infers exactly owlrl's entailments and leaves the store as it was."""
    import pyoxigraph as ox


    store = _in_store(asserted)
    inferred = infer_in_store(store)
    assert all(q.graph_name == ox.DefaultGraph() for q in inferred)
    assert {triple_to_rdflib(q) for q in inferred} == reference
    assert len(inferred) == len(reference)
    assert _triples(store, ox.DefaultGraph()) == set(asserted)
    assert not list(store.named_graphs())


def test_reasoning_inside_the_store_sends_an_uncovered_construct_to_owlrl(uncovered):
    graph, reference = uncovered
    inferred = infer_in_store(_in_store(graph))
    assert {triple_to_rdflib(q) for q in inferred} == reference
