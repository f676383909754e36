"""Every client error is a 4xx with a message, never a 500: the cases the probe of issue 11
answered with 500 (invalid IRIs anywhere in the protocol, deep nesting, lines over 16 MiB)."""

from __future__ import annotations

import socket

import httpx
import pytest

from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.server.uploads import UploadRefused, parse_in_child
from basel_kg.store import EmbeddedStore

pytestmark = pytest.mark.slow

TOKEN = "client-errors-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LONG = 17 * 2**20


@pytest.fixture(scope="module")
def server():
    with EmbeddedStore(timeout=20) as store:
        store.load_dataset(b'<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n')
        settings = Settings(store=store, write_tokens=(("tester", TOKEN),), max_write_bytes=20 * 2**20)
        with BackgroundServer(create_app(settings)) as running:
            yield running


@pytest.mark.parametrize("params, named", [
    ({"query": "ASK {}", "default-graph-uri": ""}, "default-graph-uri"),
    ({"query": "ASK {}", "named-graph-uri": "a b"}, "named-graph-uri"),
    ({"query": "ASK {}", "default-graph-uri": "http://example.org/a\x01b"}, "default-graph-uri"),
])
def test_invalid_dataset_iris_are_400(client, params, named):
    response = client.get("/sparql", params=params)
    assert response.status_code == 400 and named in response.text and "not an absolute IRI" in response.text


def test_invalid_using_graph_iri_is_400(client):
    response = client.post("/sparql", data={"update": "INSERT DATA {}", "using-graph-uri": "a b"}, headers=AUTH)
    assert response.status_code == 400 and "using-graph-uri" in response.text


@pytest.mark.parametrize("path", ["/store/a%01b", "/store/a%25zz", "/store/%3C%3E", "/store?graph=a%01b",
                                  "/store?graph=http://example.org/a%25zz%01"])
@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_odd_graph_names_in_the_store_are_never_a_server_error(client, path, method):
    """The graph of /store/PATH is the URL as written (percent-encoding kept): a%01b is a valid IRI."""
    response = client.request(method, path, content=b"<http://example.org/a> <http://example.org/b> 'c' .",
                              headers={"Content-Type": "text/turtle", **AUTH})
    assert response.status_code < 500, response.text
    assert response.status_code < 400 or response.text.strip()


def test_a_graph_iri_that_is_not_an_iri_is_400(client):
    response = client.get("/store", params={"graph": "http://example.org/a\x01b"})
    assert response.status_code == 400 and "Not an absolute IRI" in response.text


@pytest.mark.parametrize("query", [
    "SELECT * { BIND(" + "(" * 5000 + "1" + ")" * 5000 + " AS ?x) }",
    "SELECT * { " + "OPTIONAL { " * 5000 + "?s ?p ?o" + " }" * 5000 + " }",
])
def test_deep_nesting_in_a_query_is_400(client, query):
    response = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400 and "nesting-depth limit" in response.text
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_deep_nesting_in_an_update_is_400(client):
    update = "INSERT { <http://example.org/a> <http://example.org/b> ?x } WHERE { BIND(" + "(" * 5000 + "1" \
             + ")" * 5000 + " AS ?x) }"
    response = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update", **AUTH})
    assert response.status_code == 400 and "nesting-depth limit" in response.text


def test_a_line_over_16_mib_is_413(client):
    document = b'<http://example.org/a> <http://example.org/b> "' + b"x" * LONG + b'" .'
    response = client.post("/validate", content=document, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 413 and "16 MiB" in response.text


@pytest.mark.parametrize("fmt", ["N-Triples", "Turtle", "JSON-LD"])
def test_the_parser_process_names_the_16_mib_token_bound(fmt):
    value = b"x" * LONG
    body = (b'{"@id": "http://example.org/a", "http://example.org/b": "' + value + b'"}' if fmt == "JSON-LD"
            else b'<http://example.org/a> <http://example.org/b> "' + value + b'" .')
    with pytest.raises(UploadRefused) as refused:
        parse_in_child(body, fmt, "http://example.org/", {"depth": 10, "triples": 10, "memory_mb": 512})
    assert refused.value.status == 413 and "16 MiB" in refused.value.message


def test_a_request_line_over_16_mib_is_refused_by_the_http_layer(server):
    with socket.create_connection((server.host, server.port)) as sock:
        try:
            sock.sendall(b"GET /sparql?query=ASK%7B%7D%23" + b"x" * LONG + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        except OSError:
            pass  # the server may close before reading it all
        sock.settimeout(20)
        assert sock.recv(100).startswith(b"HTTP/1.1 400")
    assert httpx.get(server.url + "sparql", params={"query": "ASK {}"}).status_code == 200
