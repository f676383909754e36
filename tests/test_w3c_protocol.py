"""The W3C SPARQL 1.1 Protocol and Service Description test manifests, run by our own runner
against a real server (uvicorn on 127.0.0.1 and a free port).

Every query test must pass. Every update test passes on a server started with a write
token (the runner sends it), and is refused with 401/403 by a server without one.
The runner (:func:`run_requests`) is reused by tests/test_graph_store_protocol.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS


from basel_kg.server import create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.store import EmbeddedStore
from support.w3c import (CNT, HT, MF, PROTOCOL, RDF_TYPES, SD, SERVICE_DESCRIPTION, TABULAR, UT, W3C, HTS,  # noqa: F401
                          ProtocolTest, Request, _manifest, _request, _status, _status_class, w3c_settings)

def protocol_tests() -> list[ProtocolTest]:
    g = _manifest(PROTOCOL)
    manifest = g.value(predicate=RDF.type, object=MF.Manifest)
    tests = []
    for node in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(node, MF.action)
        requests = tuple(_request(g, r) for r in Collection(g, g.value(action, HT.requests)))
        graph_data = tuple(
            (str(g.value(d, RDFS.label)), Path(str(g.value(d, UT.graph)).removeprefix("file://")))
            for d in g.objects(node, UT.graphData)
        )
        tests.append(ProtocolTest(str(node).rsplit("#", 1)[-1], str(g.value(node, MF.name)), requests, graph_data))
    return tests


TESTS = protocol_tests()


def test_the_manifest_was_read_completely():
    assert len(TESTS) == 34
    assert sum(t.is_update for t in TESTS) == 14  # 7 update tests + 7 bad_update tests
    assert all(t.requests for t in TESTS)


TOKEN = "w3c-protocol-test-token"
GRAPHS = {iri: path for test in TESTS for iri, path in test.graph_data}


@pytest.fixture(scope="module")
def server():
    assert len(GRAPHS) == 3 and all(p.is_file() for p in GRAPHS.values())
    with EmbeddedStore(inferred_graphs=(), prefixes={}) as store:
        store.load_dataset(b"", graphs=GRAPHS, version="w3c")
        with BackgroundServer(create_app(w3c_settings(store))) as running:
            yield running


@pytest.fixture(scope="module")
def writable():
    """A server that accepts writes with TOKEN; its store, to reset between tests."""
    with EmbeddedStore(inferred_graphs=(), prefixes={}) as store:
        with BackgroundServer(create_app(w3c_settings(store, write_tokens=(("w3c", TOKEN),)))) as running:
            yield running, store


def _url(server: BackgroundServer, path: str) -> str:
    assert path.startswith("/sparql/")  # the manifest says to map this prefix to our endpoint
    return server.url + "sparql" + path[len("/sparql/"):]


def _check_format(request: Request, response: httpx.Response) -> None:
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    if request.expected_format == "tabular":
        assert media_type in TABULAR, media_type
    elif request.expected_format == "boolean":
        assert media_type in ("application/sparql-results+json", "application/sparql-results+xml"), media_type
    elif request.expected_format == "RDF":
        assert media_type in RDF_TYPES, media_type
        rdflib.Graph().parse(data=response.content, format={"application/rdf+xml": "xml", "text/turtle": "turtle",
                                                            "application/n-triples": "nt"}.get(media_type, "turtle"))
    if request.expected_boolean is not None:
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        assert bool(ox.parse_query_results(response.content, fmt)) is request.expected_boolean


def run_requests(requests, url, *, label: str, headers: dict[str, str] | None = None,
                 check=None) -> list[httpx.Response]:
    """Send a manifest test's requests in order; each response must have an expected status
    (a class such as 2xx, or a code such as 201), and ``check(request, response)`` for 2xx."""
    responses = []
    with httpx.Client(timeout=30) as client:
        for request in requests:
            response = client.request(request.method, url(request.path), headers={**request.headers, **(headers or {})},
                                      content=request.body)
            got = {_status_class(response.status_code), str(response.status_code)}
            assert got & set(request.statuses), (label, request.method, request.path, response.status_code,
                                                 response.text)
            if response.status_code < 300 and check is not None:
                check(request, response)
            responses.append(response)
    return responses


@pytest.mark.parametrize("test", [t for t in TESTS if not t.is_update], ids=lambda t: t.name)
def test_query(server, test: ProtocolTest):
    run_requests(test.requests, lambda path: _url(server, path), label=test.label, check=_check_format)


@pytest.mark.parametrize("test", [t for t in TESTS if t.is_update], ids=lambda t: t.name)
def test_update_passes_with_a_write_token(writable, test: ProtocolTest):
    running, store = writable
    store.load_dataset(b"", graphs=GRAPHS, version="w3c")
    run_requests(test.requests, lambda path: _url(running, path), label=test.label,
                 headers={"Authorization": f"Bearer {TOKEN}"}, check=_check_format)


# Not recognisable as updates (no SPARQL Update media type, no form): refused as bad requests.
NOT_UPDATES = {"bad_update_wrong_media_type", "bad_update_missing_form_type"}


@pytest.mark.parametrize("test", [t for t in TESTS if t.is_update], ids=lambda t: t.name)
def test_update_is_refused_without_a_token(server, test: ProtocolTest):
    request = test.requests[0]
    with httpx.Client(timeout=30) as client:
        response = client.request(request.method, _url(server, request.path), headers=request.headers,
                                  content=request.body)
        ask = client.get(server.url + "sparql", params={"query": "ASK { GRAPH ?g { ?s a ?type } }"},
                         headers={"Accept": "application/sparql-results+json"})
    expected = (415,) if test.name in NOT_UPDATES else (401, 403)
    assert response.status_code in expected, (test.label, response.status_code)
    assert json.loads(ask.text)["boolean"] is True  # and nothing changed


# --------------------------------------------------------------------------- service description


def _service_description(server: BackgroundServer, accept: str) -> tuple[httpx.Response, rdflib.Graph]:
    response = httpx.get(server.url + "sparql", headers={"Accept": accept}, timeout=30)
    graph = rdflib.Graph()
    fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}[accept]
    graph.parse(data=response.content, format=fmt)
    return response, graph


def test_service_description_manifest_is_the_one_we_run():
    g = _manifest(SERVICE_DESCRIPTION)
    names = {str(n).rsplit("#", 1)[-1] for n in g.subjects(RDF.type, MF.ServiceDescriptionTest)}
    assert names == {"returns-rdf", "has-endpoint-triple", "conforms-to-schema"}


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json"])
def test_service_description_returns_rdf(server, accept):
    response, graph = _service_description(server, accept)
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    assert len(graph) > 10


def test_service_description_has_endpoint_triple(server):
    _, graph = _service_description(server, "text/turtle")
    assert (None, SD.endpoint, rdflib.URIRef(server.url + "sparql")) in graph


def test_service_description_conforms_to_schema(server):
    """The shape the SD spec requires: a Service with an endpoint, supported languages and
    result formats, a default dataset with a default graph and named graphs by name."""
    _, graph = _service_description(server, "text/turtle")
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert service is not None
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}  # read-only: no Update
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in set(graph.objects(service, SD.resultFormat))
    dataset = graph.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in graph
    default = graph.value(dataset, SD.defaultGraph)
    assert (default, RDF.type, SD.Graph) in graph
    names = {graph.value(n, SD.name) for n in graph.objects(dataset, SD.namedGraph)}
    assert names == {rdflib.URIRef(f"http://kasei.us/2009/09/sparql/data/data{i}.rdf") for i in (1, 2, 3)}
