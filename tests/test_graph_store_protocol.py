"""The W3C SPARQL 1.1 Graph Store HTTP Protocol manifests (direct and indirect graph
identification, graph creation by POST), run against a real server with a write token.

The requests are read by the protocol runner's parser (tests/test_w3c_protocol.py); what
this file adds is what these manifests need on top: the ``/gsp`` prefix mapped to our
``/store``, ``$LOCATION$`` templates, and expected bodies compared by graph isomorphism.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from support.w3c import CNT, HT, MF, W3C, Request, _manifest, _request, _status_class, w3c_settings

from basel_kg.server import create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.store import EmbeddedStore

GSP = W3C / "graph-store-protocol" / "manifest.ttl"
TOKEN = "graph-store-protocol-test-token"


@dataclass(frozen=True)
class Step:
    request: Request
    location_variable: str | None  # the response's Location replaces this text in later requests
    expected_type: str | None
    expected_body: str | None


@dataclass(frozen=True)
class GraphStoreTest:
    name: str
    label: str
    steps: tuple[Step, ...]


def _step(g: rdflib.Graph, node) -> Step:
    response = g.value(node, HT.resp)
    expected_type = None
    headers = g.value(response, HT.headers)
    if headers is not None:
        for header in Collection(g, headers):
            if str(g.value(header, HT.fieldName)).lower() == "content-type":
                expected_type = str(g.value(header, HT.fieldValue))
    body = g.value(response, HT.body)
    location = g.value(response, MF.expectedLocation)
    return Step(_request(g, node), str(location) if location else None, expected_type,
                str(g.value(body, CNT.chars)) if body is not None else None)


def graph_store_tests() -> list[GraphStoreTest]:
    top = _manifest(GSP)
    tests = []
    for include in Collection(top, top.value(top.value(predicate=RDF.type, object=MF.Manifest), MF.include)):
        g = _manifest(Path(str(include).removeprefix("file://")))
        manifest = g.value(predicate=RDF.type, object=MF.Manifest)
        for node in Collection(g, g.value(manifest, MF.entries)):
            requests = g.value(g.value(node, MF.action), HT.requests)
            steps = tuple(_step(g, r) for r in Collection(g, requests))
            tests.append(GraphStoreTest(str(node).rsplit("#", 1)[-1], str(g.value(node, MF.name)), steps))
    return tests


TESTS = graph_store_tests()


def test_the_manifests_were_read_completely():
    assert len(TESTS) == 13  # the entries listed: 4 direct + 9 indirect
    assert sum(len(t.steps) for t in TESTS) == 39
    assert any(s.location_variable for t in TESTS for s in t.steps)


@pytest.fixture(scope="module")
def writable():
    with EmbeddedStore(inferred_graphs=(), prefixes={}) as store:
        app = create_app(w3c_settings(store, write_tokens=(("gsp", TOKEN),)))
        with BackgroundServer(app) as running:
            yield running, store


def _url(server: BackgroundServer, path: str) -> str:
    assert path.startswith("/gsp")  # the manifest says to map this prefix to our Graph Store endpoint
    return server.url + "store" + path[len("/gsp"):]


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.name)
def test_graph_store_protocol(writable, test: GraphStoreTest):
    running, store = writable
    store.load_dataset(b"", version="empty")  # every test starts from an empty store
    variables: dict[str, str] = {}
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        for step in test.steps:
            request = step.request
            path, body = request.path, request.body
            for name, value in variables.items():
                path = path.replace(name, value)
                body = body.replace(name.encode(), value.encode()) if body is not None else None
            response = client.request(request.method, _url(running, path), headers=request.headers, content=body)
            got = {_status_class(response.status_code), str(response.status_code)}
            assert got & set(request.statuses), (test.label, request.method, path, response.status_code, response.text)
            if step.location_variable:
                assert response.headers.get("location"), "a created graph's IRI comes back in Location"
                variables[step.location_variable] = response.headers["location"]
            if step.expected_type:
                assert response.headers["content-type"].split(";")[0] == step.expected_type.split(";")[0]
            if step.expected_body is not None and request.method == "GET":
                expected = rdflib.Graph().parse(data=step.expected_body, format="turtle")
                actual = rdflib.Graph().parse(data=response.text, format="turtle")
                assert isomorphic(expected, actual), (test.label, response.text)


def test_without_the_token_every_write_is_refused(writable):
    running, _ = writable
    url = running.url + "store?graph=http://www.example/gsp/person/9"
    data = "<http://www.example/gsp/person/9> a <http://xmlns.com/foaf/0.1/Person> ."
    for method in ("PUT", "POST", "DELETE"):
        bare = httpx.request(method, url, content=data, headers={"Content-Type": "text/turtle"})
        wrong = httpx.request(method, url, content=data, headers={"Content-Type": "text/turtle",
                                                                  "Authorization": "Bearer not-the-token"})
        assert (bare.status_code, wrong.status_code) == (401, 403), method
        assert bare.headers["www-authenticate"].startswith("Bearer")
    assert httpx.head(url).status_code == 404  # nothing was written
