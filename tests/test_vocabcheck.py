"""Terms of our namespace that the ontology does not define: found in a query, reported by the
CLI on stderr and by the endpoint in a ``Warning`` header, instead of a silent empty answer."""

from __future__ import annotations

import httpx
import pytest
import rdflib

from basel_kg import cli
from basel_kg.namespaces import BASE, BKG_URI
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.store import EmbeddedStore
from basel_kg.vocabcheck import WARNING_HEADER, unknown_terms, warning_header

TYPO = "SELECT ?d WHERE { ?d a bkg:Decisoin }"
GOOD = "SELECT ?d WHERE { ?d a bkg:Decision ; bkg:decisionNumber ?n }"


def names(query: str) -> list[str]:
    return [t.local_name for t in unknown_terms(query)]


def test_a_misspelt_class_is_found_with_a_suggestion():
    [term] = unknown_terms(TYPO)
    assert term.local_name == "Decisoin"
    assert term.iri == BKG_URI + "Decisoin"
    assert "Decision" in term.suggestions
    assert "did you mean bkg:Decision" in term.message()


def test_defined_terms_and_other_namespaces_pass():
    assert names(GOOD) == []
    assert names("SELECT * WHERE { ?s <http://example.org/Decisoin> ?o ; rdfs:labl ?l }") == []


def test_full_iris_own_prefixes_and_several_terms():
    assert names(f"SELECT * WHERE {{ ?s <{BKG_URI}adoptedOn> ?o }}") == ["adoptedOn"]
    assert names(f"PREFIX k: <{BKG_URI}> SELECT * WHERE {{ ?s k:adoptedBy ?b ; k:foo ?x ; k:foo ?y }}") == ["foo"]
    # a query may rebind bkg: to something else: then bkg:foo is not ours
    assert names("PREFIX bkg: <http://example.org/> SELECT * WHERE { ?s bkg:foo ?o }") == []
    assert names(f"PREFIX : <{BKG_URI}> SELECT * WHERE {{ ?s a :Decisoin }}") == ["Decisoin"]


def test_strings_comments_and_instance_iris_are_not_terms():
    query = ('# bkg:Nothing here\nSELECT * WHERE { ?s rdfs:label "bkg:Decisoin" ; '
             f'<{BASE}org/sbc> ?o }}')
    assert names(query) == []


def test_header_is_ascii_and_lists_each_term_once():
    header = warning_header(TYPO + " # and again bkg:Decisoin\n" + "SELECT * WHERE { ?x bkg:Décisïon ?y }")
    value = header[WARNING_HEADER]
    value.encode("ascii")
    assert value.startswith('299 basel-kg "bkg:Decisoin is not defined')
    assert value.count("299 basel-kg") == 2  # Decisoin, and the non-ASCII one percent-encoded
    assert "D%C3%A9cis%C3%AFon" in value
    assert warning_header(GOOD) == {}


def test_cli_warns_on_stderr_and_still_answers(capsys):
    code = cli.main(["query", TYPO, "--format", "tsv"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "warning: bkg:Decisoin is not defined by the ontology" in err
    assert "did you mean bkg:Decision" in err
    assert out.strip() == "?d"  # the (empty) answer itself is unchanged
    code = cli.main(["query", "ASK { ?d a bkg:Decision }", "--format", "tsv"])
    out, err = capsys.readouterr()
    assert code == 0 and "warning" not in err


@pytest.fixture(scope="module")
def endpoint():
    data = f"<{BASE}decision/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BKG_URI}Decision> .\n"
    with EmbeddedStore(timeout=30) as store:
        store.load_dataset(rdflib.Dataset(), graphs={BASE + "graph/test": data.encode()}, version="test-1")
        with BackgroundServer(create_app(Settings(store=store))) as server:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                yield client


@pytest.mark.slow
def test_endpoint_sends_a_warning_header(endpoint):
    declare = f"PREFIX bkg: <{BKG_URI}>\n"
    r = endpoint.get("/sparql", params={"query": declare + TYPO}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert r.json()["results"]["bindings"] == []
    assert 'bkg:Decisoin is not defined by the ontology' in r.headers[WARNING_HEADER]
    assert r.headers[WARNING_HEADER].startswith("299 basel-kg ")
    r = endpoint.post("/sparql", content=declare + GOOD, headers={"Content-Type": "application/sparql-query",
                                                        "Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 0
    assert WARNING_HEADER not in r.headers
    r = endpoint.post("/sparql", data={"query": declare + "ASK { ?d a bkg:Decisoin }"},
                      headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is False
    assert "Decisoin" in r.headers[WARNING_HEADER]
