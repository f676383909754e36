"""The write guard validates only what a write can affect; these tests hold it to the same
answers as validating everything.

1. Every SHACL example of the project (tests/shapes/*/*.ttl), written into a graph that
   holds the ontology and the shapes' fixture, gets from the guard exactly the results its
   ``# expect:`` lines announce (support.shacl.expectations), which tests/test_shapes.py checks a full pySHACL run
   against: the guard finds what validating everything finds, and nothing else.
2. On a small graph made for it: violations already in the graph are not blamed on a
   write; a change is caught two steps from its focus node; whole-graph checks and
   blank-node shapes are run; entailments are found locally and, after a removal, in full.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import SH
from support.shacl import curie, expectations, owner_shape, path_text

from basel_kg.guard import WriteGuard
from basel_kg.namespaces import ONTOLOGY_FILE
from basel_kg.sources import load_shapes
from basel_kg.store import Delta, rename_blank_nodes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "tests" / "shapes").glob("*/*.ttl"))
FIXTURE = ROOT / "tests" / "shapes" / "fixture.ttl"
ONTOLOGY = "https://w3id.org/basel-kg/graph/ontology"


class FakeStore:
    """What the guard needs from a store: its version and an export of its data."""

    def __init__(self, nquads: bytes, version: str = "v1"):
        self.nquads, self.version = nquads, version

    def export(self) -> bytes:
        return self.nquads


def quads(path_or_text, graph: str, fmt=ox.RdfFormat.TURTLE) -> list[ox.Quad]:
    data = path_or_text.read_bytes() if isinstance(path_or_text, Path) else path_or_text.encode()
    node = ox.NamedNode(graph)
    return [ox.Quad(q.subject, q.predicate, q.object, node) for q in rename_blank_nodes(ox.parse(data, fmt))]


@cache
def context_store() -> FakeStore:
    data = quads(ONTOLOGY_FILE, ONTOLOGY) + quads(FIXTURE, "urn:test:fixture")
    return FakeStore(ox.serialize(data, format=ox.RdfFormat.N_QUADS))


@cache
def shapes() -> Graph:
    return load_shapes(ROOT)


@cache
def guard() -> WriteGuard:
    return WriteGuard(shapes=shapes(), inferred_graph=None, ontology_graph=ONTOLOGY)


def result_keys(report: Graph) -> Counter:
    """What an example's '# expect:' line names, for each result: component, shape, path (+ constraint)."""
    keys = Counter()
    for r in report.objects(None, SH.result):
        component = report.value(r, SH.sourceConstraintComponent)
        key = (curie(component), curie(owner_shape(shapes(), report.value(r, SH.sourceShape))),
               path_text(report, report.value(r, SH.resultPath)))
        if component == SH.SPARQLConstraintComponent:
            key += (curie(report.value(r, SH.sourceConstraint)),)
        keys[key] += 1
    return keys


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_guard_finds_what_full_validation_finds(example: Path):
    outcome = guard().check(context_store(), Delta(add=tuple(quads(example, "urn:test:example"))), keep=False)
    assert result_keys(outcome.report.graph) == expectations(example), outcome.report.to_text()
    assert outcome.conforms == example.name.endswith(".conforms.ttl")


# --------------------------------------------------------------------------- a graph made for it

EX = "http://example.org/"
MINI_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] ;
    sh:property [ sh:path ex:employer ; sh:class ex:Company ] ;
    sh:property [ sh:path (ex:employer ex:city) ; sh:maxCount 1 ] .
ex:IntervalShape a sh:NodeShape ; sh:targetObjectsOf ex:during ;
    sh:property [ sh:path ex:start ; sh:minCount 1 ] .
ex:LinksResolve a sh:NodeShape ; sh:targetNode ex: ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:message "{{?value}} has no type" ;
        sh:select "SELECT $this ?value WHERE {{ ?x ?p ?value . FILTER (isIRI(?value) && STRSTARTS(STR(?value), 'http://example.org/thing/')) FILTER NOT EXISTS {{ ?value a ?t }} }}" ] .
"""
MINI_ONTOLOGY = f"""
@prefix ex: <{EX}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
ex:Person a owl:Class . ex:Company a owl:Class . ex:Agent a owl:Class . ex:Person rdfs:subClassOf ex:Agent .
ex:employer a owl:ObjectProperty ; rdfs:range ex:Company .
"""
MINI_DATA = f"""
@prefix ex: <{EX}> .
ex:alice a ex:Person ; ex:name "Alice" ; ex:employer ex:acme .
ex:acme a ex:Company ; ex:city ex:geneva .
ex:bob a ex:Person .
"""


def mini(*, reasoning: bool) -> tuple[WriteGuard, FakeStore]:
    data = quads(MINI_ONTOLOGY, "urn:g:ontology") + quads(MINI_DATA, "urn:g:data")
    if reasoning:
        data.append(ox.Quad(ox.NamedNode(EX + "alice"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                            ox.NamedNode(EX + "Agent"), ox.NamedNode("urn:g:inferred")))
        data.append(ox.Quad(ox.NamedNode(EX + "bob"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                            ox.NamedNode(EX + "Agent"), ox.NamedNode("urn:g:inferred")))
    store = FakeStore(ox.serialize(data, format=ox.RdfFormat.N_QUADS))
    g = WriteGuard(shapes=Graph().parse(data=MINI_SHAPES, format="turtle"), ontology_graph="urn:g:ontology",
                   inferred_graph="urn:g:inferred" if reasoning else None)
    return g, store


def add(text: str) -> Delta:
    return Delta(add=tuple(quads(f"@prefix ex: <{EX}> .\n" + text, "urn:g:new")))


def messages(outcome) -> str:
    return outcome.report.to_text()


def test_violations_already_in_the_graph_are_not_blamed_on_a_write():
    g, store = mini(reasoning=False)
    assert g.check(store, add('ex:bob ex:note "bob has no name, before and after" .'), keep=False).conforms
    outcome = g.check(store, add("ex:carol a ex:Person ."), keep=False)
    assert not outcome.conforms and "carol" in messages(outcome) and "bob" not in messages(outcome)


def test_a_change_two_steps_from_the_focus_node_is_caught():
    """alice -employer-> acme -city-> ?: a second city for acme breaks alice's shape."""
    g, store = mini(reasoning=False)
    outcome = g.check(store, add("ex:acme ex:city ex:lausanne ."), keep=False)
    assert not outcome.conforms and "alice" in messages(outcome)


def test_whole_graph_checks_and_blank_node_shapes_run():
    g, store = mini(reasoning=False)
    dangling = g.check(store, add("ex:alice ex:knows <http://example.org/thing/nobody> ."), keep=False)
    assert not dangling.conforms and "thing/nobody" in messages(dangling)
    typed = g.check(store, add("ex:alice ex:knows <http://example.org/thing/x> . <http://example.org/thing/x> a ex:Agent ."),
                    keep=False)
    assert typed.conforms
    interval = g.check(store, add("ex:alice ex:during [ ex:end 2009 ] ."), keep=False)
    assert not interval.conforms and "ex:IntervalShape ex:start" in messages(interval)
    assert g.check(store, add("ex:alice ex:during [ ex:start 2008 ; ex:end 2009 ] ."), keep=False).conforms


def test_entailments_are_found_and_validated_with():
    """ex:employer has range ex:Company: employing via a new node types it a Company."""
    g, store = mini(reasoning=True)
    outcome = g.check(store, add("ex:dave a ex:Person ; ex:name 'Dave' ; ex:employer ex:initech ."), keep=False)
    assert outcome.conforms and not outcome.full_reasoning
    inferred = {(q.subject.value, q.object.value) for q in outcome.inferred.add}
    assert (EX + "initech", EX + "Company") in inferred and (EX + "dave", EX + "Agent") in inferred


def test_removing_a_statement_withdraws_what_it_alone_entailed():
    """initech is a Company because someone employs it (the range of ex:employer): it stays
    one while anyone does, and stops being one when the last employer goes."""
    g, store = mini(reasoning=True)
    bob_type = [q for q in quads(MINI_DATA, "urn:g:data") if q.subject.value == EX + "bob"]
    outcome = g.check(store, Delta(remove=tuple(bob_type)), keep=False)
    assert not outcome.full_reasoning
    assert (EX + "bob", EX + "Agent") in {(q.subject.value, q.object.value) for q in outcome.inferred.remove}

    dave, erin = add("ex:dave ex:employer ex:initech ."), add("ex:erin ex:employer ex:initech .")
    for step, version in ((dave, "v2"), (erin, "v3")):
        assert g.check(store, step).conforms
        store.version = version
        g.committed(version)
    company = (EX + "initech", EX + "Company")
    kept = g.check(store, Delta(remove=dave.add), keep=True)
    assert company not in {(q.subject.value, q.object.value) for q in kept.inferred.remove}
    store.version = "v4"
    g.committed("v4")
    gone = g.check(store, Delta(remove=erin.add), keep=False)
    assert company in {(q.subject.value, q.object.value) for q in gone.inferred.remove}


def test_changing_the_ontology_recomputes_the_whole_closure():
    g, store = mini(reasoning=True)
    schema = quads(f"<{EX}Company> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{EX}Agent> .", "urn:g:ontology")
    outcome = g.check(store, Delta(add=tuple(schema)), keep=False)
    assert outcome.full_reasoning
    assert (EX + "acme", EX + "Agent") in {(q.subject.value, q.object.value) for q in outcome.inferred.add}


REGISTRY_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
ex:RegistryShape a sh:NodeShape ; sh:targetNode ex:registry ;
    sh:property [ sh:path ex:lists ; sh:class ex:Company ] .
"""


def test_a_shape_aimed_at_one_node_reads_what_its_plan_follows_however_many_links_it_has():
    """sh:targetNode shapes go through the read plan like any other: the registry (a hub of
    200 links, past any degree cut-off) is validated when a change is readable from it, a
    listed company losing its type included, and not when the change is out of its reach."""
    listed = "\n".join(f"ex:registry ex:lists ex:c{i} . ex:c{i} a ex:Company ." for i in range(200))
    data = quads(MINI_ONTOLOGY, "urn:g:ontology") + quads(f"@prefix ex: <{EX}> .\n{listed}\n{MINI_DATA}", "urn:g:data")
    store = FakeStore(ox.serialize(data, format=ox.RdfFormat.N_QUADS))
    g = WriteGuard(shapes=Graph().parse(data=REGISTRY_SHAPES, format="turtle"), ontology_graph="urn:g:ontology",
                   inferred_graph=None)
    person = g.check(store, add("ex:registry ex:lists ex:bob ."), keep=False)
    assert not person.conforms and "registry" in messages(person) and "bob" in messages(person)
    assert person.focus_nodes == 1
    untyped = next(q for q in data if q.subject.value == EX + "c7" and q.predicate.value.endswith("#type"))
    retyped = g.check(store, Delta(remove=(untyped,)), keep=False)
    assert not retyped.conforms and "c7" in messages(retyped)
    assert g.check(store, add("ex:alice ex:lists ex:bob ."), keep=False).conforms  # no shape aims at alice
    assert g.check(store, add("ex:registry ex:lists ex:acme ."), keep=False).conforms


def test_the_copy_and_the_reasoner_are_compacted_and_stay_right(monkeypatch):
    """The in-memory store keeps removed statements as history: after more removals than it
    holds, the guard's copy and the reasoner's store are copied afresh (here with no minimum),
    and what the guard finds afterwards is what it found before and what a reasoner made from
    scratch finds."""
    import basel_kg.terms as terms_module
    from basel_kg.reasoning import IncrementalReasoner

    monkeypatch.setattr(terms_module, "TIDY_MIN", 0)
    g, store = mini(reasoning=True)
    assert g.check(store, Delta(), keep=False).conforms
    copy = g._mirror.store
    g._reasoner()
    reasoner_store = g._reasoner_state._store
    previous: tuple = ()
    for n in range(40):  # one graph replaced again and again
        new = tuple(quads(f"@prefix ex: <{EX}> .\nex:p{n} a ex:Person ; ex:name 'P{n}' ; ex:employer ex:firm{n} .",
                          "urn:g:replaced"))
        outcome = g.check(store, Delta(remove=previous, add=new))
        assert outcome.conforms, outcome.report.to_text()
        store.version = f"r{n}"
        g.committed(store.version)
        previous = new
    assert g._mirror.store is not copy and g._reasoner_state._store is not reasoner_store
    assert set(g._reasoner_state.inferred()) == set(IncrementalReasoner(g._mirror.asserted).inferred())
    employed = g.check(store, add("ex:dave a ex:Person ; ex:name 'Dave' ; ex:employer ex:initech ."), keep=False)
    assert (EX + "initech", EX + "Company") in {(q.subject.value, q.object.value) for q in employed.inferred.add}
    nameless = g.check(store, add("ex:carol a ex:Person ."), keep=False)
    assert not nameless.conforms and "carol" in messages(nameless) and "p39" not in messages(nameless)
    gone = g.check(store, Delta(remove=previous), keep=False)
    assert (EX + "firm39", EX + "Company") in {(q.subject.value, q.object.value) for q in gone.inferred.remove}


def test_the_reasoner_made_from_the_copy_in_pyoxigraph_terms_is_the_one_made_from_rdflib():
    """The guard's reasoner reads the copy's asserted statements in pyoxigraph's terms
    (``_Asserted.ox_quads``: no statement converted to rdflib's); on the shipped ontology (its
    property chains are RDF lists: blank nodes) with the shapes' fixture, it has the schema and
    the entailments of a reasoner made from an rdflib copy of the same statements."""
    from basel_kg.reasoning import IncrementalReasoner

    g = WriteGuard(shapes=shapes(), inferred_graph="urn:g:inferred", ontology_graph=ONTOLOGY)
    g.warm(context_store())
    ours = g._reasoner_state
    reference = IncrementalReasoner(g._mirror.asserted.graph())
    assert ours._schema == reference._schema and any(isinstance(t.subject, ox.BlankNode) for t in ours._schema)
    assert set(ours.inferred()) == set(reference.inferred())
    assert len(set(ours.inferred())) > 100


def test_warming_up_leaves_a_reasoner_with_no_history_for_the_first_write(monkeypatch):
    """The reasoner's first closure runs its rules through working graphs that the in-memory
    store keeps as history: warming up makes its store afresh, so the first write's commit does
    not (at 100x it took 2.7 s)."""
    import basel_kg.terms as terms_module

    monkeypatch.setattr(terms_module, "TIDY_MIN", 0)
    g, store = mini(reasoning=True)
    g.warm(store)
    reasoner_store = g._reasoner_state._store
    assert g._reasoner_state._churn == 0
    outcome = g.check(store, add("ex:dave a ex:Person ; ex:name 'Dave' ; ex:employer ex:initech ."))
    assert outcome.conforms and outcome.inferred.add
    store.version = "r1"
    g.committed(store.version)
    assert g._reasoner_state._store is reasoner_store  # no copy made at the first commit


def test_the_copy_names_blank_nodes_as_the_store_does():
    """The copy keeps the store's names of blank nodes, so a write that removes a statement
    with one (a graph replaced or deleted) removes it from the copy too. pyoxigraph's loaders
    rename blank nodes: a copy loaded with them kept such statements after the write and
    validated the next ones against them."""
    graph = ox.NamedNode("urn:test:blank")
    stated = [ox.Quad(ox.NamedNode("urn:test:a"), ox.NamedNode("urn:test:p"), ox.BlankNode("b1"), graph),
              ox.Quad(ox.BlankNode("b1"), ox.NamedNode("urn:test:q"), ox.Literal("x"), graph)]
    store = FakeStore(context_store().nquads + ox.serialize(stated, format=ox.RdfFormat.N_QUADS), "v-blank")
    g = WriteGuard(shapes=shapes(), inferred_graph=None, ontology_graph=ONTOLOGY)
    g.warm(store)
    assert all(q in g._mirror.store for q in stated)
    assert g._mirror.net(Delta(remove=tuple(stated))).remove == tuple(stated)
    assert g.check(store, Delta(remove=tuple(stated))).conforms
    g.committed("v-blank-2")
    assert not any(q in g._mirror.store for q in stated)


def _plain_graph(version: str) -> tuple[ox.NamedNode, list[ox.Quad], FakeStore]:
    """A store holding the context and a graph of three statements without blank nodes."""
    plain = ox.NamedNode("urn:test:plain")
    stated = [ox.Quad(ox.NamedNode(f"urn:test:a{i}"), ox.NamedNode("urn:test:p"), ox.Literal("x"), plain) for i in range(3)]
    store = FakeStore(context_store().nquads + ox.serialize(stated, format=ox.RdfFormat.N_QUADS), version)
    store.has_graph = lambda graph: graph == plain.value
    return plain, stated, store


def test_a_guard_without_a_copy_leaves_planning_to_the_store():
    """A guard that neither validates nor reasons keeps no copy of the graph: its version
    follows the commits, but it plans nothing (the store does), whatever that version says.
    A guard with a copy plans from it."""
    plain, stated, store = _plain_graph("v-none")
    g = WriteGuard(shapes=Graph(), inferred_graph=None, ontology_graph=ONTOLOGY)
    g.warm(store)
    assert g.check(store, Delta(remove=tuple(stated[:1]))).conforms
    g.committed(store.version)
    assert g.plan_graph(store, "put", plain.value, []) is None
    checking = WriteGuard(shapes=shapes(), inferred_graph=None, ontology_graph=ONTOLOGY)
    checking.warm(store)
    delta, existed = checking.plan_graph(store, "put", plain.value, [])
    assert existed and set(delta.remove) == set(stated) and not delta.add and delta.base_version == "v-none"
    assert checking.plan_graph(store, "put", ONTOLOGY, []) is None  # its lists' blank nodes


def test_graphs_replaced_again_and_again_are_planned_from_the_copys_record_of_them(monkeypatch):
    """A graph the guard plans is held in a record that every change to the copy keeps up to
    date (writes, checks put back, the copy compacted); the least recently read graphs leave
    it past HELD_MAX statements, and are read from the copy again. Every plan equals what the
    copy's store holds, and the copy's history is not read for a held graph."""
    import basel_kg.guard as guard_module
    import basel_kg.terms as terms_module

    monkeypatch.setattr(guard_module, "HELD_MAX", 5)
    monkeypatch.setattr(terms_module, "TIDY_MIN", 0)
    g, store = mini(reasoning=False)
    store.has_graph = lambda graph: graph.startswith("urn:g:")
    g.warm(store)
    mirror = g._mirror

    def planned(graph: str, text: str = "") -> Delta:
        triples = [q.triple for q in quads(f"@prefix ex: <{EX}> .\n" + text, graph)]
        delta, existed = g.plan_graph(store, "put", graph, triples)
        held = {q for q in mirror.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}
        assert existed and set(delta.remove) == held - set(delta.add) and delta.base_version == store.version
        return delta

    for n in range(12):
        graph = "urn:g:hot" if n % 3 else f"urn:g:other{n}"  # others push the hot graph out of the record
        delta = planned(graph, f"ex:p{n} a ex:Person ; ex:name 'P{n}' .")
        assert g.check(store, delta).conforms
        store.version = f"h{n}"
        g.committed(store.version)
        assert mirror._held_size == sum(map(len, mirror._held.values())) <= guard_module.HELD_MAX
        rejected = g.check(store, Delta(add=tuple(quads(f"@prefix ex: <{EX}> .\nex:c{n} a ex:Person .", graph))))
        assert not rejected.conforms  # put back: the record too
        if n == 6:
            mirror._removed = mirror._size + 1  # more removed than held: the copy made afresh
            g.tidy()
    assert ox.NamedNode("urn:g:hot") in mirror._held
    assert {q.subject.value for q in planned("urn:g:hot").remove} == {EX + "p11"}

    # a held graph is read from the record, not from the copy's store
    mirror.store.remove(next(iter(mirror.store.quads_for_pattern(None, None, None, ox.NamedNode("urn:g:hot")))))
    delta, _ = g.plan_graph(store, "put", "urn:g:hot", [])
    assert {q.subject.value for q in delta.remove} == {EX + "p11"}
