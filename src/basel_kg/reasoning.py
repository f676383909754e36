"""OWL 2 RL entailments of the ontology and the asserted data, computed with owlrl.

:func:`infer` returns only what is new and worth querying: the subclass and subproperty
closure into the standard vocabularies, inverse and symmetric properties, the transitive
citation closure and the property chains the ontology declares. It leaves out the noise a
complete OWL 2 RL closure carries: axiomatic triples, ``x owl:sameAs x``, typing of
literals and datatypes, ``rdf:type owl:Thing`` / ``rdfs:Resource``, reflexive
``rdfs:subClassOf`` and the like, and statements about the standard vocabularies themselves.

Two things keep owlrl fast on our data without changing the result:

- only triples that an OWL 2 RL rule can use are given to it: the ontology, ``rdf:type`` and
  ``owl:sameAs`` statements, statements whose predicate the ontology mentions, and every
  statement about a resource in an ``owl:sameAs`` link. Labels, definitions, provenance
  links and other annotations can match no rule, so they only slow every round down;
- the equality rules run only for ``owl:sameAs`` statements (rule eq-ref would otherwise add
  ``x owl:sameAs x`` for every term, which we drop anyway).
"""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
from owlrl.OWLRL import OWLRL_Semantics
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .namespaces import GRAPH, PREFIXES, bind_prefixes

__all__ = ["infer", "ReasoningError", "RULES", "STANDARD_VOCABULARIES"]

# Namespaces whose terms are vocabulary, not data: statements *about* them are not ours to infer.
STANDARD_VOCABULARIES: tuple[str, ...] = tuple(
    iri for prefix, iri in PREFIXES.items() if prefix not in ("bkg", "basel", "wd")
) + ("http://www.w3.org/ns/sparql-service-description#",)

_NOISE_TYPES = frozenset({OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class, RDF.Property, RDFS.Datatype,
                          RDFS.Literal, OWL.NamedIndividual})
_REFLEXIVE_NOISE = frozenset({OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
                              OWL.equivalentProperty})
_ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"

# Entailments the ontology documents but OWL 2 RL cannot express, applied once to the closure.
# bkg:cooperatesWith links two *different* agents of one activity: as a property chain
# (participatesIn o participant) it would also link every agent to itself.
RULES: tuple[str, ...] = (
    """CONSTRUCT { ?a bkg:cooperatesWith ?b } WHERE {
        ?activity bkg:participant ?a , ?b . FILTER (?a != ?b) }""",
)


class ReasoningError(ValueError):
    """The data contradicts the ontology (owlrl reported inconsistencies)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("the data is inconsistent with the ontology:\n" + "\n".join(f"  {m}" for m in messages))


class _LeanOWLRL(OWLRL_Semantics):
    """OWL 2 RL without the eq-ref rule's ``x owl:sameAs x`` for every term."""

    def _equality(self, triple, cycle_num):
        s, p, o = triple
        if p == OWL.sameAs or (p == RDF.type and o == OWL.AllDifferent):
            super()._equality(triple, cycle_num)


def infer(dataset: Dataset | Graph) -> Graph:
    """The OWL 2 RL entailments of ``dataset`` that are not already asserted, without noise.

    ``dataset`` holds the ontology and the asserted data (a Dataset is read as the union of
    its graphs, leaving out ``graph/inferred`` and ``graph/shapes``). Raises
    :class:`ReasoningError` when owlrl finds an inconsistency.
    """
    asserted = _asserted(dataset)
    work = Graph()
    for triple in _relevant(asserted):
        work.add(triple)
    before = len(work)
    owlrl.DeductiveClosure(
        _LeanOWLRL, improved_datatypes=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(work)

    for rule in RULES:  # what OWL 2 RL cannot say (e.g. "two *different* agents")
        for triple in list(work.query(rule, initNs={"bkg": PREFIXES["bkg"]})):
            work.add(triple)

    errors = sorted(str(o) for o in work.objects(None, URIRef(_ERROR_NS + "error")))
    if errors:
        raise ReasoningError(errors)
    inferred = bind_prefixes(Graph())
    if len(work) == before:
        return inferred
    for triple in work:
        if triple not in asserted and _worth_keeping(triple):
            inferred.add(triple)
    return inferred


def _asserted(dataset: Dataset | Graph) -> Graph:
    if not isinstance(dataset, Dataset):
        return dataset
    union = Graph()
    for graph in dataset.graphs():
        if graph.identifier not in (GRAPH.INFERRED, GRAPH.SHAPES):
            union += graph
    return union


def _relevant(graph: Graph) -> Iterable[tuple]:
    """The statements an OWL 2 RL rule can use (see the module docstring)."""
    schema: set = set()
    for s, p, o in graph:
        if _is_schema(p, o):
            schema.add(s)
            schema.add(o)
    aliased = {t for s, o in graph.subject_objects(OWL.sameAs) for t in (s, o)}
    for triple in graph:
        s, p, o = triple
        if p == RDF.type or p in schema or _is_schema(p, o) or s in aliased or o in aliased:
            yield triple


def _is_schema(p, o) -> bool:
    """Statements of the RDFS/OWL vocabulary (axioms), as opposed to labels and data."""
    if p == RDF.type:
        return isinstance(o, URIRef) and str(o).startswith((str(OWL), str(RDFS)))
    if p in (RDF.first, RDF.rest):
        return True
    return str(p).startswith((str(OWL), str(RDFS))) and p not in (
        RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo
    )


def _worth_keeping(triple: tuple) -> bool:
    s, p, o = triple
    if isinstance(s, Literal) or isinstance(p, BNode):
        return False
    if str(p).startswith(_ERROR_NS):
        return False
    if s == o and p in _REFLEXIVE_NOISE:
        return False
    if p == RDF.type and (o in _NOISE_TYPES or isinstance(o, URIRef) and str(o).startswith(str(XSD))):
        return False
    # owlrl gives every class and property these trivial axioms (e.g. p rdfs:domain owl:Thing).
    if o in (OWL.Thing, RDFS.Resource) and p in (RDFS.subClassOf, OWL.equivalentClass, RDFS.domain, RDFS.range):
        return False
    if isinstance(s, URIRef) and str(s).startswith(STANDARD_VOCABULARIES):
        return False
    return True
