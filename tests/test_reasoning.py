"""basel_kg.reasoning.infer: one test per OWL 2 RL rule family, on tiny graphs and on the real data.

Each tiny graph is the real ontology plus the few statements the rule needs; each real-data
test checks the rule for every statement of the data it applies to (and that there is one).
"""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, RDF, RDFS

from basel_kg.namespaces import BASE, BKG, ELI, GRAPH
from basel_kg.reasoning import STANDARD_VOCABULARIES, ReasoningError, infer
from basel_kg.sources import load_sources, parse_file

from support import ROOT


def iri(path: str) -> URIRef:
    return URIRef(BASE + path)


LEGISLATION = URIRef("https://schema.org/Legislation")
A, B, C = iri("decision/basel-cop-VIII-1"), iri("decision/basel-cop-IX-9"), iri("decision/basel-cop-X-1")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return parse_file(ROOT / "ontology" / "basel-kg.ttl", into=Graph())


def closure(ontology: Graph, *triples) -> Graph:
    """The inferred graph of the ontology plus ``triples`` (in their own named graph)."""
    ds = Dataset()
    ds.graph(GRAPH.ONTOLOGY).__iadd__(ontology)
    data = ds.graph(URIRef(BASE + "graph/test"))
    for t in triples:
        data.add(t)
    return infer(ds)


@pytest.fixture(scope="module")
def real() -> tuple[Dataset, Graph]:
    ds = load_sources()
    return ds, infer(ds)


def holds(triple, ds: Dataset, inferred: Graph) -> bool:
    return triple in inferred or any(triple in g for g in ds.graphs())


def asserted(ds: Dataset, predicate) -> list[tuple]:
    return sorted({(s, o) for g in ds.graphs() if g.identifier != GRAPH.INFERRED for s, o in g.subject_objects(predicate)})


# --- subclass closure into the standard vocabularies (cax-sco) ----------------------------------

def test_subclass_closure_reaches_eli_and_schema(ontology):
    """cax-sco: T(?c1, rdfs:subClassOf, ?c2), T(?x, rdf:type, ?c1) -> T(?x, rdf:type, ?c2)."""
    draft = iri("decision/draft/basel-cop-9-partnership-programme")
    inferred = closure(ontology, (draft, RDF.type, BKG.DraftDecision))
    for cls in (BKG.Decision, ELI.LegalResource, LEGISLATION):
        assert (draft, RDF.type, cls) in inferred


def test_subclass_closure_on_the_real_data(real):
    ds, inferred = real
    decisions = sorted({s for g in ds.graphs() for s in g.subjects(RDF.type, BKG.Decision)})
    assert decisions, "the data has decisions"
    for d in decisions:
        assert holds((d, RDF.type, ELI.LegalResource), ds, inferred), d
        assert holds((d, RDF.type, LEGISLATION), ds, inferred), d


# --- subproperty closure (prp-spo1) ----------------------------------------------------------------

def test_subproperty_closure_reaches_eli_and_dcterms(ontology):
    """prp-spo1: T(?p1, rdfs:subPropertyOf, ?p2), T(?x, ?p1, ?y) -> T(?x, ?p2, ?y)."""
    inferred = closure(ontology, (B, BKG.recalls, A))
    for p in (BKG.cites, ELI.cites, DCTERMS.references, BKG.citesTransitively):
        assert (B, p, A) in inferred
    assert (B, BKG.recalls, A) not in inferred, "asserted statements are not repeated"


def test_subproperty_closure_on_the_real_data(real):
    ds, inferred = real
    citing = asserted(ds, BKG.recalls) + asserted(ds, BKG.refersTo) + asserted(ds, BKG.considers)
    assert citing, "the data has citations"
    for s, o in citing:
        assert holds((s, ELI.cites, o), ds, inferred), (s, o)
        assert holds((s, DCTERMS.references, o), ds, inferred), (s, o)


# --- inverse properties (prp-inv1/2) -------------------------------------------------------------------

def test_inverse_properties(ontology):
    """prp-inv1/2: T(?p1, owl:inverseOf, ?p2), T(?x, ?p1, ?y) -> T(?y, ?p2, ?x), and back."""
    pace, sbc, membership = iri("partnership/pace"), iri("org/sbc"), iri("membership/sbc--member--pace")
    inferred = closure(ontology, (B, BKG.establishes, pace), (membership, ORG.member, sbc))
    assert (pace, BKG.establishedBy, B) in inferred
    assert (sbc, BKG.hasMembership, membership) in inferred
    inferred = closure(ontology, (pace, BKG.establishedBy, B))
    assert (B, BKG.establishes, pace) in inferred


def test_inverse_properties_on_the_real_data(real):
    ds, inferred = real
    members = asserted(ds, ORG.member)
    established = asserted(ds, BKG.establishedBy)
    assert members and established
    for membership, agent in members:
        assert holds((agent, BKG.hasMembership, membership), ds, inferred)
    for thing, by in established:
        assert holds((by, BKG.establishes, thing), ds, inferred)


# --- transitive citation (prp-trp) ---------------------------------------------------------------------

def test_transitive_citation(ontology):
    """prp-trp: T(?p, rdf:type, owl:TransitiveProperty), T(?x, ?p, ?y), T(?y, ?p, ?z) -> T(?x, ?p, ?z)."""
    inferred = closure(ontology, (C, BKG.recalls, B), (B, BKG.refersTo, A))
    assert (C, BKG.citesTransitively, A) in inferred
    assert (C, BKG.cites, A) not in inferred, "only citesTransitively is transitive"


def test_transitive_citation_on_the_real_data(real):
    ds, inferred = real
    cited = asserted(ds, BKG.recalls) + asserted(ds, BKG.refersTo) + asserted(ds, BKG.considers)
    assert cited
    for s, o in cited:
        assert holds((s, BKG.citesTransitively, o), ds, inferred)
    chains = [(x, z) for x, y in inferred.subject_objects(BKG.citesTransitively)
              for z in inferred.objects(y, BKG.citesTransitively)]
    for x, z in chains:
        assert (x, BKG.citesTransitively, z) in inferred


# --- property chains (prp-spo2) --------------------------------------------------------------------

def test_cooperates_with_links_two_different_participants(ontology):
    """The rule: two different participants of one activity cooperate, never an agent with itself."""
    activity, sbc, wco = iri("activity/green-customs-2009"), iri("org/sbc"), iri("org/wco")
    inferred = closure(ontology, (activity, BKG.participant, sbc), (activity, BKG.participant, wco))
    assert (sbc, BKG.cooperatesWith, wco) in inferred
    assert (wco, BKG.cooperatesWith, sbc) in inferred
    assert (sbc, BKG.cooperatesWith, sbc) not in inferred
    assert (wco, BKG.cooperatesWith, wco) not in inferred


def test_cooperates_with_through_participates_in(ontology):
    """An agent stated as bkg:participatesIn (the inverse) cooperates with the other participants."""
    activity, sbc, wco = iri("activity/green-customs-2009"), iri("org/sbc"), iri("org/wco")
    inferred = closure(ontology, (sbc, BKG.participatesIn, activity), (activity, BKG.participant, wco))
    assert (sbc, BKG.cooperatesWith, wco) in inferred
    assert (sbc, BKG.cooperatesWith, sbc) not in inferred


def test_the_ontology_entails_no_reflexive_cooperates_with(ontology):
    """No axiom of the ontology (property chain, symmetry) makes an agent cooperate with itself."""
    assert (BKG.cooperatesWith, OWL.propertyChainAxiom, None) not in ontology
    alone = closure(ontology, (iri("activity/a"), BKG.participant, iri("org/sbc")))
    assert list(alone.triples((None, BKG.cooperatesWith, None))) == []


def test_no_agent_cooperates_with_itself_in_graph_inferred(real):
    ds, inferred = real
    assert list(inferred.subject_objects(BKG.cooperatesWith)), "no cooperatesWith inferred at all"
    assert [(s, o) for s, o in inferred.subject_objects(BKG.cooperatesWith) if s == o] == []


def test_property_chain_involved_in(ontology):
    """prp-spo2: involvedIn = hasMembership o org:organization (hasMembership from the inverse of org:member)."""
    membership, sbc, pace = iri("membership/sbc--member--pace"), iri("org/sbc"), iri("partnership/pace")
    inferred = closure(ontology, (membership, ORG.member, sbc), (membership, ORG.organization, pace))
    assert (sbc, BKG.involvedIn, pace) in inferred


def test_property_chains_on_the_real_data(real):
    ds, inferred = real
    participations = asserted(ds, BKG.participant)
    assert participations
    by_activity: dict = {}
    for activity, agent in participations:
        by_activity.setdefault(activity, set()).add(agent)
    for activity, agents in by_activity.items():
        for a in agents:
            for b in agents:
                if a != b:
                    assert holds((a, BKG.cooperatesWith, b), ds, inferred), (activity, a, b)
    organisations = dict(asserted(ds, ORG.organization))
    involved = [(agent, organisations[m]) for m, agent in asserted(ds, ORG.member) if m in organisations]
    assert involved
    for agent, organisation in involved:
        assert holds((agent, BKG.involvedIn, organisation), ds, inferred)


# --- domain typing (prp-dom) -------------------------------------------------------------------------

def test_domain_typing(ontology):
    """prp-dom: T(?p, rdfs:domain, ?c), T(?x, ?p, ?y) -> T(?x, rdf:type, ?c)."""
    inferred = closure(ontology, (B, BKG.decisionNumber, Literal("IX/9")))
    assert (B, RDF.type, BKG.Decision) in inferred


# --- what is left out ----------------------------------------------------------------------------------

def test_no_noise(ontology, real):
    """No axiomatic triples, x owl:sameAs x, owl:Thing/rdfs:Resource typing, literal subjects, vocabulary facts."""
    _, inferred = real
    tiny = closure(ontology, (B, BKG.recalls, A), (B, RDFS.label, Literal("IX/9", lang="en")))
    for graph in (tiny, inferred):
        assert len(graph)
        for s, p, o in graph:
            assert not isinstance(s, Literal)
            assert not (p == OWL.sameAs and s == o)
            assert not (p == RDF.type and o in (OWL.Thing, RDFS.Resource, RDFS.Class, RDF.Property, RDFS.Datatype))
            assert not (p in (RDFS.subClassOf, RDFS.subPropertyOf) and s == o)
            assert not str(s).startswith(STANDARD_VOCABULARIES), (s, p, o)


def test_only_new_statements(real):
    ds, inferred = real
    for g in ds.graphs():
        assert not any(t in g for t in inferred), g.identifier


def test_inferred_and_shapes_graphs_are_not_input(ontology):
    """infer() reads the asserted graphs: an existing graph/inferred or graph/shapes is ignored."""
    ds = Dataset()
    ds.graph(GRAPH.ONTOLOGY).__iadd__(ontology)
    ds.graph(GRAPH.INFERRED).add((B, BKG.recalls, A))
    ds.graph(GRAPH.SHAPES).add((C, BKG.recalls, B))
    inferred = infer(ds)
    assert (B, ELI.cites, A) not in inferred
    assert (C, ELI.cites, B) not in inferred


def test_inconsistency_is_an_error(ontology):
    """eq-diff1: owl:sameAs and owl:differentFrom on the same pair is a contradiction."""
    with pytest.raises(ReasoningError, match="sameAs"):
        closure(ontology, (A, OWL.sameAs, B), (A, OWL.differentFrom, B))
