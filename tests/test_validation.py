"""basel_kg.validation.validate: results, report formats, validation in context and standalone."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH

from basel_kg.formats import Format
from basel_kg.namespaces import BKG
from basel_kg.sources import load_shapes, load_sources, parse_bytes, parse_file
from basel_kg.validation import ValidationReport, ValidationResult, validate

PREFIXES = """
@prefix bkg: <https://w3id.org/basel-kg/ontology#> .
@prefix basel: <https://w3id.org/basel-kg/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
GOOD = PREFIXES + """
<https://w3id.org/basel-kg/decision/basel-cop-IX-1> a bkg:Decision ;
    bkg:decisionNumber "IX/1" ;
    bkg:adoptedBy <https://w3id.org/basel-kg/body/basel-cop> .
"""
BAD = PREFIXES + """
<https://w3id.org/basel-kg/decision/basel-cop-IX-2> a bkg:Decision ;
    bkg:decisionNumber "9/2" , "IX/2" ;
    bkg:adoptedBy <https://w3id.org/basel-kg/body/basel-cop> .
<https://w3id.org/basel-kg/decision/basel-cop-IX-3> a bkg:Decision .
"""


def turtle(text: str) -> Graph:
    return parse_bytes(text, format=Format.TURTLE, into=Graph())


@pytest.fixture
def kg(mini_root) -> Dataset:
    return load_sources(mini_root)


@pytest.fixture
def shapes(mini_root) -> Graph:
    return load_shapes(mini_root)


def test_conforming_data_in_context(kg, shapes):
    """The new decision refers to a body that only the knowledge graph describes."""
    report = validate(turtle(GOOD), context=kg, shapes=shapes)
    assert isinstance(report, ValidationReport)
    assert report.conforms
    assert report.results == []
    assert report.text.startswith("Conforms")


def test_the_same_data_standalone_does_not_conform(mini_root, shapes):
    """Without the knowledge graph, the body is not known to be a governing body (sh:class)."""
    report = validate(turtle(GOOD), context=parse_file(mini_root / "ontology" / "basel-kg.ttl", into=Graph()),
                      shapes=shapes)
    assert not report.conforms
    [result] = report.results
    assert result.constraint_component == SH.ClassConstraintComponent
    assert result.path == "bkg:adoptedBy"


def test_data_alone_has_no_ontology(shapes):
    """With no context at all even bkg:Decision is unknown: the whole-graph class check fires."""
    report = validate(turtle(GOOD), shapes=shapes)
    assert {r.value for r in report.results if r.constraint_component == SH.SPARQLConstraintComponent} == {BKG.Decision}


def test_violations_are_reported_with_every_field(kg, shapes):
    report = validate(turtle(BAD), context=kg, shapes=shapes)
    assert not report.conforms
    by_component = {(str(r.focus_node).rsplit("/", 1)[-1], r.constraint_component) for r in report.results}
    assert by_component == {
        ("basel-cop-IX-2", SH.PatternConstraintComponent),
        ("basel-cop-IX-2", SH.MaxCountConstraintComponent),
        ("basel-cop-IX-3", SH.MinCountConstraintComponent),  # no number
        ("basel-cop-IX-3", SH.MinCountConstraintComponent),  # no adopting body (same key)
    }
    pattern = next(r for r in report.results if r.constraint_component == SH.PatternConstraintComponent)
    assert isinstance(pattern, ValidationResult)
    assert pattern.value == Literal("9/2")
    assert pattern.path == "bkg:decisionNumber"
    assert pattern.severity == "Violation"
    assert pattern.message == "A decision has one number such as IX/9."
    assert pattern.shape_label == "t:DecisionNumber"
    assert len(report.violations) == 4


def test_text_report_one_sorted_line_per_result(kg, shapes):
    report = validate(turtle(BAD), context=kg, shapes=shapes)
    header, *lines = report.to_text().splitlines()
    assert header == "Does not conform: 4 result(s)"
    assert len(lines) == 4 and lines == sorted(lines)
    line = next(ln for ln in lines if '"9/2"' in ln)
    focus, path, value, shape, message = line.split("  ")
    assert (focus, path, value, shape) == (
        "basel:decision/basel-cop-IX-2", "bkg:decisionNumber", '"9/2"', "t:DecisionNumber")
    assert message == "A decision has one number such as IX/9."
    blank_shape_line = next(ln for ln in lines if "bkg:adoptedBy" in ln)
    assert "t:DecisionShape bkg:adoptedBy" in blank_shape_line  # a blank property shape is named by its parent


def test_json_and_turtle_reports(kg, shapes):
    report = validate(turtle(BAD), context=kg, shapes=shapes)
    doc = json.loads(report.to_json())
    assert doc["conforms"] is False
    assert len(doc["results"]) == 4
    assert {"focusNode", "resultPath", "value", "sourceShape", "sourceConstraintComponent", "severity", "message"} <= set(doc["results"][0])
    graph = Graph().parse(data=report.to_turtle(), format="turtle")
    assert len(list(graph.subjects(None, SH.ValidationResult))) == 4


def test_in_context_only_the_new_data_is_judged(kg, shapes):
    """A violation already in the context is not blamed on new, conforming data."""
    broken = URIRef("https://w3id.org/basel-kg/decision/basel-cop-VIII-1")
    kg.graph(URIRef("https://w3id.org/basel-kg/graph/000-decisions")).remove((broken, BKG.decisionNumber, None))
    assert not validate(kg, shapes=shapes).conforms
    assert validate(turtle(GOOD), context=kg, shapes=shapes).conforms


def test_new_data_about_an_existing_node_is_judged_with_it(kg, shapes):
    """A second number for an existing decision violates sh:maxCount on that decision."""
    extra = turtle(PREFIXES + '<https://w3id.org/basel-kg/decision/basel-cop-IX-9> bkg:decisionNumber "IX/99" .')
    report = validate(extra, context=kg, shapes=shapes)
    assert not report.conforms
    assert [r.constraint_component for r in report.results] == [SH.MaxCountConstraintComponent]


def test_empty_data_conforms(kg, shapes):
    assert validate(Graph(), context=kg, shapes=shapes).conforms


def test_shapes_default_to_the_project_shapes(mini_root):
    report = validate(turtle(BAD))
    assert {r.shape_label for r in report.results} >= {"t:DecisionNumber"}


def test_whole_graph_checks_see_new_data_in_context(kg, shapes):
    """A check aimed at one fixed node (sh:targetNode) still judges the new statements."""
    typo = turtle(PREFIXES + "<https://w3id.org/basel-kg/decision/basel-cop-IX-4> a bkg:Decsion .")
    report = validate(typo, context=kg, shapes=shapes)
    assert not report.conforms
    [result] = report.results
    assert result.focus_node == URIRef("https://w3id.org/basel-kg/ontology")
    assert result.value == URIRef("https://w3id.org/basel-kg/ontology#Decsion")
    assert result.constraint_component == SH.SPARQLConstraintComponent
