"""The published-query registry: headers, typed parameters, safe binding."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from basel_kg.queries import (
    PARAMETER_TYPES,
    Parameter,
    ParameterError,
    RegistryError,
    load_registry,
    parse_query_file,
)
from basel_kg.store import EmbeddedStore
from basel_kg.sparqltext import bind_values as inject_values
from basel_kg.sources import load_sources

from support import ROOT

XSD = "http://www.w3.org/2001/XMLSchema#"


def write(tmp_path: Path, text: str, name: str = "q.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def local_store(dataset) -> EmbeddedStore:
    store = EmbeddedStore(processes=False)
    store.load_dataset(dataset)
    return store


@pytest.fixture
def store(mini_root) -> EmbeddedStore:
    return local_store(load_sources(mini_root))


def test_registry_reads_headers_and_parameters(mini_root):
    registry = load_registry(mini_root)
    assert list(registry) == ["decisions-of-body", "what-established-pace"]
    q = registry["decisions-of-body"]
    assert (q.kind, q.title, q.description) == ("published", "Decisions of a body", "Every decision a body adopted, with its number.")
    assert q.parameters == (
        Parameter("body", "iri", "https://w3id.org/basel-kg/body/basel-cop", "the adopting body"),
        Parameter("number", "string", None, "only the decision with this number"),
    )
    cq = registry["what-established-pace"]
    assert (cq.kind, cq.title) == ("cq", "Which decision established PACE?")
    assert [q.name for q in registry.published()] == ["decisions-of-body"]
    with pytest.raises(KeyError, match="no published query named 'nope'"):
        registry["nope"]


def test_the_project_registry_loads_and_every_query_runs_with_its_defaults():
    registry = load_registry(ROOT)
    assert registry.published(), "queries/published/ has queries"
    store = local_store(load_sources(ROOT))
    for query in registry.values():
        result = store.query(query.bind().sparql)
        assert result.kind in ("solutions", "boolean", "graph"), query.name


def test_binding_filters_by_value(store, mini_root):
    q = load_registry(mini_root)["decisions-of-body"]
    rows = store.query(q.bind().sparql).solutions()
    assert sorted(r["number"].value for r in rows) == ["IX/10", "IX/9", "VIII/1"]
    rows = store.query(q.bind({"number": "IX/9"}).sparql).solutions()
    assert [r["decision"].value for r in rows] == ["https://w3id.org/basel-kg/decision/basel-cop-IX-9"]
    rows = store.query(q.bind({"body": "basel:body/other"}).sparql).solutions()
    assert rows == []


@pytest.mark.parametrize("value", [
    'IX/9" } ?decision ?p ?o . { "',
    "IX/9' } UNION { ?decision ?p ?o } #",
    'IX/9\\" }',
    "\n}\nSELECT * WHERE { ?s ?p ?o }",
])
def test_string_values_cannot_change_the_query(store, mini_root, value):
    q = load_registry(mini_root)["decisions-of-body"]
    bound = q.bind({"number": value})
    assert bound.values["number"] == ox.Literal(value)
    rows = store.query(bound.sparql).solutions()
    assert rows == []  # no decision has that number; an injection would have matched everything


@pytest.mark.parametrize("value", [
    "https://w3id.org/basel-kg/x> . ?s ?p ?o . <x:y",
    "https://w3id.org/basel-kg/has space",
    'https://w3id.org/basel-kg/"quote',
    "https://w3id.org/basel-kg/{brace}",
    "not an iri",
    "",
])
def test_bad_iris_are_refused(mini_root, value):
    q = load_registry(mini_root)["decisions-of-body"]
    with pytest.raises(ParameterError, match="body"):
        q.bind({"body": value})


def test_iri_forms(mini_root):
    q = load_registry(mini_root)["decisions-of-body"]
    full = "https://w3id.org/basel-kg/body/basel-cop"
    for value in (full, f"<{full}>", "basel:body/basel-cop"):
        assert q.bind({"body": value}).values["body"] == ox.NamedNode(full)


@pytest.mark.parametrize("type_, good, term", [
    ("string", "a \"b\"", ox.Literal('a "b"')),
    ("lang", "zh", ox.Literal("zh")),
    ("lang", "EN-gb", ox.Literal("en-gb")),
    ("integer", "+42", ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))),
    ("decimal", "-1.50", ox.Literal("-1.50", datatype=ox.NamedNode(XSD + "decimal"))),
    ("boolean", "TRUE", ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))),
    ("date", "2008-06-23", ox.Literal("2008-06-23", datatype=ox.NamedNode(XSD + "date"))),
    ("iri", "bkg:Decision", ox.NamedNode("https://w3id.org/basel-kg/ontology#Decision")),
])
def test_parameter_types(type_, good, term):
    assert Parameter("p", type_).term(good) == term


@pytest.mark.parametrize("type_, bad", [
    ("lang", "zh; drop"), ("lang", "toolonglanguage"), ("integer", "4.2"), ("integer", "1 OR 1"),
    ("decimal", "1e5x"), ("boolean", "yes"), ("date", "2008-13-01"), ("date", "23/06/2008"), ("date", "2008-06"),
])
def test_parameter_types_refuse_bad_values(type_, bad):
    with pytest.raises(ParameterError, match=type_):
        Parameter("p", type_).term(bad)


def test_every_documented_type_is_accepted():
    assert set(PARAMETER_TYPES) == {"iri", "string", "lang", "integer", "decimal", "boolean", "date"}
    conventions = (ROOT / "docs" / "conventions.md").read_text(encoding="utf-8")
    assert "## Query files" in conventions
    for t in PARAMETER_TYPES:
        assert f"`{t}`" in conventions, t


def test_unknown_parameter_is_refused(mini_root):
    with pytest.raises(ParameterError, match="no parameter 'boddy'"):
        load_registry(mini_root)["decisions-of-body"].bind({"boddy": "x"})


def test_values_go_at_the_start_of_the_where_group():
    lit = ox.Literal('} {"')
    q = 'PREFIX a: <x:y> # { not this\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER (?x != "{") }'
    bound = inject_values(q, {"x": lit})
    assert bound.endswith('WHERE { VALUES (?x) { ("} {\\"") }  ?s ?p ?o FILTER (?x != "{") }')
    assert inject_values("ASK { ?s ?p ?o }", {"s": ox.NamedNode("x:a")}) == "ASK { VALUES (?s) { (<x:a>) }  ?s ?p ?o }"
    assert inject_values("ASK { ?s ?p ?o }", {}) == "ASK { ?s ?p ?o }"


@pytest.mark.parametrize("text, message", [
    ("SELECT * WHERE { ?s ?p ?o }\n", "no '# title:'"),
    ("# title: t\n# param: x (colour) — c\nSELECT ?x WHERE { ?x ?p ?o }\n", "unknown parameter type 'colour'"),
    ("# title: t\n# param: y (iri) — c\nSELECT ?x WHERE { ?x ?p ?o }\n", "parameter y is not a variable"),
    ("# title: t\n# param: x (date) = yesterday — c\nSELECT ?x WHERE { ?x ?p ?o }\n", "default of parameter x"),
    ("# title: t\n# param: x iri\nSELECT ?x WHERE { ?x ?p ?o }\n", "cannot read '# param: x iri'"),
    ("# title: t\nSELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }\n", "SERVICE is not allowed"),
    ("# title: t\nSELECT * WHERE { ?s ?p }\n", "q.rq"),
])
def test_malformed_query_files_are_refused(tmp_path, text, message):
    with pytest.raises(RegistryError, match=message):
        parse_query_file(write(tmp_path, text))


def test_two_queries_with_one_name_are_refused(mini_root):
    (mini_root / "queries" / "cq" / "decisions-of-body.rq").write_text(
        "# question: q?\nASK { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="two queries are named decisions-of-body"):
        load_registry(mini_root)
