"""Real clients against a running server: SPARQLWrapper (SELECT, ASK, CONSTRUCT) and rdflib
dereferencing an entity IRI the way Linked Data clients do."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS
from SPARQLWrapper import JSON, N3, TURTLE, XML, SPARQLWrapper

from basel_kg.namespaces import BASE

BASEL = rdflib.URIRef(BASE + "mea/basel")
CONVENTION = rdflib.URIRef(BASE + "ontology#Convention")


@pytest.fixture(scope="module")
def server(shipped_server):
    return shipped_server


def client(server, query: str, return_format, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(return_format)
    sparql.setMethod(method)
    return sparql


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select(server, method):
    query = f"SELECT ?convention ?label WHERE {{ ?convention a <{CONVENTION}> ; <{RDFS.label}> ?label " \
            'FILTER (lang(?label) = "en") }'
    results = client(server, query, JSON, method).queryAndConvert()
    rows = {(b["convention"]["value"], b["label"]["value"]) for b in results["results"]["bindings"]}
    assert any(c == str(BASEL) and label.startswith("Basel Convention") for c, label in rows)


def test_sparqlwrapper_select_as_xml(server):
    document = client(server, f"SELECT ?type WHERE {{ <{BASEL}> a ?type }}", XML).queryAndConvert()
    values = [n.firstChild.data for n in document.getElementsByTagName("uri")]
    assert str(CONVENTION) in values


def test_sparqlwrapper_ask(server):
    assert client(server, f"ASK {{ <{BASEL}> a <{CONVENTION}> }}", JSON).queryAndConvert()["boolean"] is True
    assert client(server, f"ASK {{ <{BASEL}> a <{RDFS.Class}> }}", JSON).queryAndConvert()["boolean"] is False


@pytest.mark.parametrize("return_format", [XML, TURTLE, N3])
def test_sparqlwrapper_construct(server, return_format):
    query = f"CONSTRUCT {{ <{BASEL}> ?p ?o }} WHERE {{ <{BASEL}> ?p ?o }}"
    result = client(server, query, return_format).queryAndConvert()
    graph = result if isinstance(result, rdflib.Graph) else rdflib.Graph().parse(data=result, format="turtle")
    assert (BASEL, RDF.type, CONVENTION) in graph


def test_rdflib_dereferences_an_entity_iri(server):
    graph = rdflib.Graph()
    graph.parse(server.url + "mea/basel")
    assert (BASEL, RDF.type, CONVENTION) in graph
    assert (BASEL, RDFS.label, rdflib.Literal("巴塞尔公约", lang="zh")) in graph or \
        any(o.language == "zh" for o in graph.objects(BASEL, None) if isinstance(o, rdflib.Literal))


def test_rdflib_dereferences_with_each_format_it_asks_for(server):
    for fmt in ("turtle", "xml", "json-ld", "nt"):
        graph = rdflib.Graph().parse(server.url + "mea/basel", format=fmt)
        assert (BASEL, RDF.type, CONVENTION) in graph, fmt
