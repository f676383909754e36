"""Regression: owlrl gives every property `rdfs:domain owl:Thing` / `rdfs:range owl:Thing`.

Kept in graph/inferred, those axioms made the domain check of the shapes demand that every
subject be typed owl:Thing, and the shipped build failed with ~1,950 violations.
"""

from rdflib import OWL, RDFS

from basel_kg.reasoning import infer
from basel_kg.sources import load_sources


def test_inferred_graph_has_no_trivial_owl_thing_axioms():
    inferred = infer(load_sources())
    trivial = [(s, p) for p in (RDFS.domain, RDFS.range, RDFS.subClassOf) for s in inferred.subjects(p, OWL.Thing)]
    assert trivial == []
    assert len(inferred) > 1000  # the real entailments are still there
