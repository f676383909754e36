"""Regression: validating new triples *in context* skipped constraints of nested shapes.

pySHACL's ``focus_nodes=`` option also filters the value nodes that nested shapes (``sh:or``,
``sh:node``) check, so a date written as free text (checked by an ``sh:or`` of datatypes) and a
label-less entity passed `basel-kg validate` in context while failing standalone.
"""

from rdflib import Graph

from basel_kg.sources import load_sources
from basel_kg.validation import validate

NEW_MEETING = """
@base <https://w3id.org/basel-kg/> .
@prefix bkg: <https://w3id.org/basel-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<meeting/basel-cop-11> a bkg:Meeting ;
    rdfs:label "Eleventh meeting of the Conference of the Parties to the Basel Convention"@en ;
    bkg:meetingOf <body/basel-cop> ;
    bkg:ordinal 11 ;
    schema:startDate "June 2008" ;
    prov:wasDerivedFrom <source/000_b70848e70e6ee01f#r-l29> .
"""


def test_free_text_date_is_a_violation_in_context_as_standalone():
    data = Graph().parse(data=NEW_MEETING, format="turtle")
    standalone = validate(data)
    in_context = validate(data, context=load_sources())
    assert not standalone.conforms
    assert not in_context.conforms, "context validation missed a nested-shape constraint"
    date_problems = [r for r in in_context.results if r.path and "startDate" in r.path]
    assert date_problems, in_context.to_text()
