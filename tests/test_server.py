"""The HTTP server over the project's knowledge graph, through real HTTP on 127.0.0.1:
the SPARQL protocol details, limits, CORS, caching, Linked Data, the pages and the CLI wiring."""

from __future__ import annotations

import argparse
import csv
import io
import json
import threading
import time
from email.utils import format_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import rdflib
import rdflib.compare
from rdflib.namespace import OWL, RDF, RDFS

from basel_kg.namespaces import BASE, GRAPH
from basel_kg.queries import load_registry
from basel_kg.server import Settings, add_serve_arguments, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.sources import load_sources
from basel_kg.store import EmbeddedStore

JSON = "application/sparql-results+json"
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    "VALUES ?%s { %s }" % (v, " ".join(str(i) for i in range(300))) for v in "abcd"
) + " }"
VOID = f"""@prefix void: <http://rdfs.org/ns/void#> .
<{BASE}dataset> a void:Dataset ; void:sparqlEndpoint <{BASE}sparql> ; void:triples 42 .
"""
BASEL = BASE + "mea/basel"


@pytest.fixture(scope="module")
def store():
    with EmbeddedStore(timeout=30) as s:
        s.load_dataset(load_sources(), graphs={str(GRAPH.VOID): rdflib.Graph().parse(data=VOID).serialize(format="nt")
                                               .encode()}, version="test-1")
        yield s


@pytest.fixture(scope="module")
def dumps(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dumps")
    (folder / "basel-kg.ttl").write_text(f"<{BASEL}> a <{BASE}ontology#Convention> .\n", encoding="utf-8")
    (folder / "ontology").mkdir()
    (folder / "ontology" / "index.html").write_text("<html><body><h1>pyLODE docs</h1></body></html>")
    return folder


def serve(store, **settings) -> BackgroundServer:
    return BackgroundServer(create_app(Settings(store=store, **settings)))


@pytest.fixture(scope="module")
def server(store, dumps):
    with serve(store, dumps_dir=dumps, timeout=2.5) as running:
        yield running


def boolean(response: httpx.Response) -> bool:
    assert response.status_code == 200, response.text
    return json.loads(response.text)["boolean"]


# --------------------------------------------------------------------------- the SPARQL protocol

SELECT = f"SELECT ?label WHERE {{ <{BASEL}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }} ORDER BY ?label"


def test_get_post_form_and_post_direct_give_the_same_answer(client):
    by_get = client.get("/sparql", params={"query": SELECT}, headers={"Accept": JSON})
    by_form = client.post("/sparql", data={"query": SELECT}, headers={"Accept": JSON})
    by_direct = client.post("/sparql", content=SELECT, headers={"Accept": JSON,
                                                                "Content-Type": "application/sparql-query"})
    assert by_get.status_code == by_form.status_code == by_direct.status_code == 200
    assert by_get.content == by_form.content == by_direct.content
    labels = [b["label"]["value"] for b in json.loads(by_get.text)["results"]["bindings"]]
    assert any(label.startswith("Basel Convention") for label in labels)


@pytest.mark.parametrize("accept, expected", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.9, application/sparql-results+json;q=0.1", "text/csv"),
    ("application/json", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/*", "text/csv"),
    (None, "application/sparql-results+json"),
])
def test_select_format_follows_accept_with_q_values(client, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": SELECT}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize("fmt, expected", [("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
                                           ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_format_parameter_overrides_accept(client, fmt, expected):
    response = client.get("/sparql", params={"query": SELECT, "format": fmt}, headers={"Accept": "text/turtle"})
    assert response.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("application/trig", "trig"), ("application/n-quads", "nquads"),
])
def test_construct_in_every_rdf_format(client, accept, rdflib_format):
    query = f"CONSTRUCT WHERE {{ <{BASEL}> ?p ?o }}"
    response = client.post("/sparql", content=query, headers={"Accept": accept,
                                                              "Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = rdflib.Dataset()
    graph.parse(data=response.content, format=rdflib_format)
    assert (rdflib.URIRef(BASEL), RDF.type, rdflib.URIRef(BASE + "ontology#Convention")) in graph


def test_unsupported_accept_is_406(client):
    assert client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"}).status_code == 406
    construct = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/html"})
    assert construct.status_code == 406


def test_format_names_fit_the_query_form_or_give_way_to_accept(client):
    construct = f"CONSTRUCT WHERE {{ <{BASEL}> ?p ?o }}"
    # SPARQLWrapper asking RDF/XML: format=, output= and results= all say rdf+xml
    rdfxml = client.get("/sparql", params={"query": construct, "format": "rdf+xml", "output": "rdf+xml",
                                           "results": "rdf+xml"}, headers={"Accept": "application/rdf+xml"})
    assert rdfxml.status_code == 200 and rdfxml.headers["content-type"].startswith("application/rdf+xml")
    assert client.get("/sparql", params={"query": construct, "output": "json"}).headers["content-type"].startswith(
        "application/ld+json")
    unknown = client.get("/sparql", params={"query": SELECT, "format": "no-such-format"}, headers={"Accept": "*/*"})
    assert unknown.status_code == 200 and unknown.headers["content-type"].startswith(JSON)
    misfit = client.get("/sparql", params={"query": construct, "format": "csv"}, headers={"Accept": "application/n-triples"})
    assert misfit.status_code == 200 and misfit.headers["content-type"].startswith("application/n-triples")


def test_accept_of_another_query_form_gets_the_default_format(client):
    """Fuseki and Virtuoso do the same: roqet asks every query form as SPARQL XML results."""
    construct = client.get("/sparql", params={"query": f"CONSTRUCT WHERE {{ <{BASEL}> ?p ?o }}"},
                           headers={"Accept": "application/sparql-results+xml"})
    assert construct.status_code == 200 and construct.headers["content-type"].startswith("text/turtle")
    ask = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/turtle"})
    assert ask.status_code == 200 and ask.json() == {"head": {}, "boolean": True}
    csv_ask = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert csv_ask.headers["content-type"].startswith("text/csv") and csv_ask.text.strip() == "true"


def test_malformed_query_is_400_with_the_parsers_message_and_position(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n ?s ?p \n"})
    assert response.status_code == 400
    assert "line 3" in response.text and "error at 3:" in response.text


def test_protocol_errors(client):
    assert client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400
    assert client.post("/sparql", content="ASK {}").status_code == 415
    assert client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"}).status_code == 415
    utf16 = client.post("/sparql", content="ASK {}".encode("utf-16"),
                        headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert utf16.status_code == 415
    assert client.put("/sparql", content="ASK {}").status_code == 405


def test_updates_and_load_are_refused(client):
    load = "LOAD <http://example.org/data.ttl>"
    assert client.post("/sparql", content=load, headers={"Content-Type": "application/sparql-update"}).status_code == 403
    assert client.post("/sparql", data={"update": load}).status_code == 403
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 403
    assert boolean(client.get("/sparql", params={"query": f"ASK {{ <{BASEL}> ?p ?o }}"}))


def test_service_description_on_get_without_query(client, server):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(server.url + "sparql")) in graph
    names = {str(o) for o in graph.objects(None, sd.name)}
    assert str(GRAPH.REFERENCE) in names


def test_dataset_parameters_inference_and_named_graphs(client, store):
    typed = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?class }"
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

    def n(response):
        return int(json.loads(response.text)["results"]["bindings"][0]["n"]["value"])

    everything = n(client.get("/sparql", params={"query": typed}))
    reference = n(client.get("/sparql", params={"query": typed, "default-graph-uri": str(GRAPH.REFERENCE)}))
    assert 0 < reference < everything
    graphs = json.loads(client.get("/sparql", params={"query": per_graph, "named-graph-uri": str(GRAPH.REFERENCE)}).text)
    assert [b["g"]["value"] for b in graphs["results"]["bindings"]] == [str(GRAPH.REFERENCE)]
    assert n(client.get("/sparql", params={"query": typed, "inference": "false"})) <= everything


def test_row_cap_is_announced(store):
    with serve(store, max_rows=5) as running:
        response = httpx.get(running.url + "sparql", params={"query": "SELECT * { ?s ?p ?o }", "format": "csv"})
    assert response.status_code == 200 and response.headers["x-sparql-maxrows"] == "5"
    assert len(list(csv.reader(io.StringIO(response.text)))) == 1 + 5


def test_body_size_cap(client):
    big = "ASK {} #" + "x" * 1_100_000
    assert client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"}).status_code == 413

    def chunks():  # no Content-Length: the cap holds while streaming
        for _ in range(30):
            yield b"#" * 50_000

    streamed = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert streamed.status_code == 413


def test_timeout_stops_the_pathological_query_while_ask_still_answers(server):
    outcome = {}

    def heavy():
        start = time.monotonic()
        response = httpx.post(server.url + "sparql", data={"query": PATHOLOGICAL}, timeout=60)
        outcome["heavy"] = (response.status_code, response.text, time.monotonic() - start)

    thread = threading.Thread(target=heavy)
    thread.start()
    time.sleep(0.5)
    start = time.monotonic()
    assert boolean(httpx.get(server.url + "sparql", params={"query": "ASK { FILTER (1 + 1 = 2) }"}, timeout=10))
    ask_seconds = time.monotonic() - start
    thread.join(timeout=30)
    status, text, seconds = outcome["heavy"]
    assert status == 503 and "stopped" in text and "2.5 s" in text
    assert seconds < 6
    assert ask_seconds < 0.5


def test_service_is_refused_but_an_allow_listed_endpoint_is_reached(store):
    with serve(store) as target, serve(store, cors_origins=()) as refusing:
        query = f"SELECT ?label WHERE {{ SERVICE <{target.url}sparql> {{ <{BASEL}> <{RDFS.label}> ?label }} }}"
        refused = httpx.get(refusing.url + "sparql", params={"query": query})
        assert refused.status_code == 403 and "not allowed" in refused.text
        with EmbeddedStore(allowed_services=[target.url + "sparql"]) as federating:
            federating.load_dataset(b"")
            with serve(federating) as allowed:
                answer = httpx.get(allowed.url + "sparql", params={"query": query}, headers={"Accept": JSON}, timeout=30)
    assert answer.status_code == 200
    assert json.loads(answer.text)["results"]["bindings"], "the allow-listed endpoint answered"


def test_from_never_fetches(client, listener):
    response = client.get("/sparql", params={"query": f"ASK FROM <{listener.url}> {{ ?s ?p ?o }}"})
    assert boolean(response) is False
    listener.assert_never_contacted()


# --------------------------------------------------------------------------- CORS and caching


def test_cors_allows_any_origin_without_credentials(client):
    preflight = client.options("/sparql", headers={"Origin": "https://query.example", "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in preflight.headers
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://query.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "etag" in response.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize("headers", [
    "x-requested-with", "cache-control", "x-request-id", "accept, content-type", "pragma, if-none-match",
    "accept-language, x-requested-with, cache-control",
])
def test_cors_preflight_allows_the_headers_browser_clients_send(client, headers):
    preflight = client.options("/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "GET",
                                                   "Access-Control-Request-Headers": headers})
    assert preflight.status_code == 200, preflight.text
    allowed = {h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert {h.strip() for h in headers.split(",")} <= allowed


def test_cors_allows_authorization_and_writes_only_on_a_writable_server(client, store):
    ask = {"Origin": "https://editor.example", "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization, content-type"}
    assert client.options("/sparql", headers=ask).status_code == 400, "read-only: no Authorization"
    with serve(store, write_tokens=(("alice", "a-secret-of-16-chars"),)) as running:
        preflight = httpx.options(running.url + "sparql", headers=ask)
        put = httpx.options(running.url + "store", headers={**ask, "Access-Control-Request-Method": "PUT"})
    assert preflight.status_code == 200 and "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert put.status_code == 200 and "PUT" in put.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers


def test_cors_is_configurable(store):
    with serve(store, cors_origins=("https://allowed.example",)) as running:
        allowed = httpx.get(running.url + "sparql", params={"query": "ASK {}"}, headers={"Origin": "https://allowed.example"})
        other = httpx.get(running.url + "sparql", params={"query": "ASK {}"}, headers={"Origin": "https://other.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
    assert "access-control-allow-origin" not in other.headers
    with serve(store, cors_origins=()) as running:
        none = httpx.get(running.url + "sparql", params={"query": "ASK {}"}, headers={"Origin": "https://allowed.example"})
    assert "access-control-allow-origin" not in none.headers


def test_etag_last_modified_and_304(client, store):
    params = {"query": SELECT}
    first = client.get("/sparql", params=params)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert store.version in etag
    assert modified == format_datetime(store.modified.replace(microsecond=0), usegmt=True)
    assert client.get("/sparql", params=params).headers["etag"] == etag
    assert client.get("/sparql", params=params, headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/sparql", params=params, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/sparql", params=params, headers={"If-None-Match": '"other"'}).status_code == 200
    as_xml = client.get("/sparql", params=params, headers={"Accept": "application/sparql-results+xml"})
    assert as_xml.headers["etag"] != etag, "each representation has its own ETag"
    page = client.get("/mea/basel", headers={"Accept": "text/html"})
    assert client.get("/mea/basel", headers={"Accept": "text/html", "If-None-Match": page.headers["etag"]}).status_code == 304


def test_a_new_dataset_version_changes_etags_and_bypasses_the_cache():
    with EmbeddedStore() as s:
        s.load_dataset(b"<urn:a> <urn:p> <urn:b> <urn:g> .\n", version="one")
        with serve(s) as running:
            url, query = running.url + "sparql", {"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}
            before = httpx.get(url, params=query)
            s.put_graph("urn:g2", b"<urn:c> <urn:p> <urn:d> .\n", format="nt")
            after = httpx.get(url, params=query)
    assert before.headers["etag"] != after.headers["etag"]
    counts = [json.loads(r.text)["results"]["bindings"][0]["n"]["value"] for r in (before, after)]
    assert counts == ["1", "2"]


def test_results_are_cached_by_query_format_and_version(store):
    app = create_app(Settings(store=store))
    with BackgroundServer(app) as running:
        cache = app.state.cache
        query = {"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o } # cache test"}
        httpx.get(running.url + "sparql", params=query)
        hits = cache.hits
        httpx.get(running.url + "sparql", params=query)
        assert cache.hits == hits + 1
        httpx.get(running.url + "sparql", params={**query, "format": "xml"})
        assert cache.hits == hits + 1, "another format is another entry"


# --------------------------------------------------------------------------- Linked Data


def test_entity_page_for_a_browser(client):
    response = client.get("/mea/basel", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<h1>Basel Convention on the Control of Transboundary Movements" in html
    assert "巴塞尔公约" in html and 'lang="zh"' in html, "labels in every language"
    assert 'href="/ontology#Convention"' in html, "types link to the ontology docs"
    assert 'href="/body/basel-cop"' in html, "incoming links are links"
    assert 'href="/link/informea/basel"' in html, "outgoing links are links"
    assert 'href="https://www.informea.org/treaties/basel"' in html, "external links"
    assert 'href="/source/000_b70848e70e6ee01f#r-l1"' in html, "the passage it comes from"
    assert "graph/reference" in html, "the named graph that states it"


def test_source_text_page_lists_its_passages_as_anchors(client):
    html = client.get("/source/000_b70848e70e6ee01f", headers={"Accept": "text/html"}).text
    assert 'id="r-l1"' in html


@pytest.mark.parametrize("how", ["accept", "suffix"])
@pytest.mark.parametrize("media_type, suffix, rdflib_format", [
    ("text/turtle", ".ttl", "turtle"), ("application/ld+json", ".jsonld", "json-ld"),
    ("application/n-triples", ".nt", "nt"), ("application/rdf+xml", ".rdf", "xml"),
    ("application/n-quads", ".nq", "nquads"), ("application/trig", ".trig", "trig"),
])
def test_entity_as_rdf(client, how, media_type, suffix, rdflib_format):
    if how == "accept":
        response = client.get("/mea/basel", headers={"Accept": media_type})
    else:
        response = client.get("/mea/basel" + suffix, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    dataset = rdflib.Dataset().parse(data=response.content, format=rdflib_format)
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    assert (rdflib.URIRef(BASEL), RDFS.label, rdflib.Literal("巴塞尔公约", lang="zh")) in graph or \
        (rdflib.URIRef(BASEL), rdflib.URIRef("http://www.w3.org/2004/02/skos/core#altLabel"),
         rdflib.Literal("巴塞尔公约", lang="zh")) in graph
    assert (None, None, rdflib.URIRef(BASEL)) in graph, "incoming links too"


def test_entity_page_links_every_rdf_form(client):
    html = client.get("/mea/basel", headers={"Accept": "text/html"}).text
    for media_type, suffix in (("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"),
                               ("application/n-triples", ".nt"), ("application/rdf+xml", ".rdf"),
                               ("application/n-quads", ".nq"), ("application/trig", ".trig")):
        assert f'<link rel="alternate" type="{media_type}" href="/mea/basel{suffix}">' in html


def test_entity_jsonld_is_compact_one_node_per_subject_with_the_published_context(client):
    from basel_kg.jsonld import jsonld_context

    response = client.get("/mea/basel", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert 'profile="http://www.w3.org/ns/json-ld#compacted"' in response.headers["content-type"]
    doc = response.json()
    assert doc["@context"] == jsonld_context()["@context"], "the published context, embedded"
    ids = [node["@id"] for node in doc["@graph"]]
    assert len(ids) == len(set(ids)), "one node object per subject"
    basel = doc["@graph"][0]
    assert basel["@id"] == BASEL and basel["@type"] == "Convention"
    assert basel["altLabel"]["zh"] == "巴塞尔公约"
    turtle = rdflib.Graph().parse(data=client.get("/mea/basel.ttl").text, format="turtle")
    assert rdflib.compare.isomorphic(rdflib.Graph().parse(data=response.text, format="json-ld"), turtle)


def test_entity_jsonld_expanded_on_request(client):
    expanded = "http://www.w3.org/ns/json-ld#expanded"
    response = client.get("/mea/basel", headers={"Accept": f'application/ld+json;profile="{expanded}"'})
    assert response.status_code == 200 and f'profile="{expanded}"' in response.headers["content-type"]
    nodes = response.json()
    assert isinstance(nodes, list) and nodes[0]["@id"] == BASEL
    assert nodes[0]["@type"] == [BASE + "ontology#Convention"]
    assert {"@value": "巴塞尔公约", "@language": "zh"} in nodes[0]["http://www.w3.org/2004/02/skos/core#altLabel"]
    assert client.get("/mea/basel", headers={"Accept": "application/ld+json"}).headers["etag"] != \
        response.headers["etag"], "each form has its own ETag"


def test_entity_jsonld_says_when_it_is_cut_off(store):
    with serve(store, max_rows=3) as running:
        response = httpx.get(running.url + "mea/basel", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200 and response.headers["x-sparql-maxrows"] == "3"
    assert sum(len([k for k in node if not k.startswith("@")]) for node in response.json()["@graph"]) <= 3


def test_ontology_as_compact_jsonld(client):
    response = client.get("/ontology", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    doc = response.json()
    assert doc["@graph"][0]["@id"] == BASE + "ontology" and doc["@graph"][0]["@type"] == "owl:Ontology"
    decision = next(n for n in doc["@graph"] if n["@id"] == "bkg:Decision")
    assert decision["@type"] == "owl:Class"


def test_jsonld_context_resolves_at_its_iri(client):
    from basel_kg.jsonld import CONTEXT_IRI, jsonld_context

    assert CONTEXT_IRI == BASE + "context.jsonld"
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    assert response.json() == jsonld_context()


def test_unknown_iris_are_404(client):
    assert client.get("/no/such/thing", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/no/such/thing", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/no/such/thing.ttl").status_code == 404
    assert client.get('/mea/basel"><script>', headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/mea/basel%0A%3E%20%7D", headers={"Accept": "text/turtle"}).status_code == 404


def test_ontology_terms_resolve_to_the_ontology_documentation(client):
    docs = client.get("/ontology", headers={"Accept": "text/html"})
    assert docs.status_code == 200 and "pyLODE docs" in docs.text
    assert '"https://w3id.org/basel-kg/ontology#"' in docs.text, "finds a term's section by its IRI"
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert (rdflib.URIRef(BASE + "ontology"), RDF.type, OWL.Ontology) in graph
    assert (rdflib.URIRef(BASE + "ontology#Decision"), RDF.type, OWL.Class) in graph


def test_ontology_page_without_release_docs(store):
    with serve(store) as running:
        response = httpx.get(running.url + "ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "<h1>" in response.text


# --------------------------------------------------------------------------- pages


def test_home_page_has_counts_and_links(client, store):
    from basel_kg.stats import compute_stats

    html = client.get("/").text
    stats = compute_stats(store)  # the one definition of triples and entities
    assert stats.triples < store.triples  # the VoID description is not counted
    assert f'<span class="n" id="count-triples">{stats.triples:,}</span>' in html
    assert f'<span class="n" id="count-entities">{stats.entities:,}</span>' in html
    for link in ('href="/sparql"', 'href="/queries"', 'href="/dumps/"', 'href="/ontology"', 'href="/.well-known/void"',
                 'href="/docs"'):
        assert link in html


def test_void_description(client):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (rdflib.URIRef(BASE + "dataset"), RDF.type, rdflib.URIRef("http://rdfs.org/ns/void#Dataset")) in graph
    assert client.get("/dataset", headers={"Accept": "text/html"}).status_code == 200, "the dataset IRI resolves too"


def test_editor_is_yasgui_prefilled_with_prefixes_and_published_queries(client):
    html = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert '<script src="/static/yasgui/yasgui.min.js"' in html
    config = json.loads(html.split('<script type="application/json" id="editor-config">')[1].split("</script>")[0])
    assert "PREFIX bkg: <https://w3id.org/basel-kg/ontology#>" in config["defaultQuery"]
    assert {e["name"] for e in config["examples"]} == {q.name for q in load_registry().published()}
    assert client.get("/static/yasgui/yasgui.min.js").status_code == 200


def test_published_queries(client):
    published = load_registry().published()
    index = client.get("/queries").text
    for q in published:
        assert f'href="/queries/{q.name}"' in index
    page = client.get("/queries/organisation-profile").text
    assert 'name="org"' in page and "<table" in page
    as_json = client.get("/queries/organisation-profile.json", params={"org": BASE + "org/sbc"})
    assert as_json.headers["content-type"].startswith(JSON)
    parsed = json.loads(as_json.text)
    assert "relation" in parsed["head"]["vars"]
    as_csv = client.get("/queries/decisions.csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(as_csv.text)))[0] == "decision"
    assert client.get("/queries/nope").status_code == 404


class _Cells(HTMLParser):
    """The text of each cell of the results table's body, row by row."""

    def __init__(self):
        super().__init__()
        self.rows, self._in_body, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "td" and self._in_body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _shown(html: str) -> list[list[str]]:
    parser = _Cells()
    parser.feed(html)
    return parser.rows


def test_a_published_query_page_shows_its_answer_a_page_at_a_time(client, monkeypatch):
    """The HTML page cuts the answer into pages of PAGE_ROWS rows, in the query's order, with links
    from one to the next; the CSV still gives every row; a page past the last is a 404."""
    from basel_kg.server import published

    monkeypatch.setattr(published, "PAGE_ROWS", 7)
    every = list(csv.DictReader(io.StringIO(client.get("/queries/cooperation-network.csv").text)))
    assert len(every) > 2 * 7, "the shipped network has more than two pages of 7 rows"
    pages = -(-len(every) // 7)
    seen = []
    for n in range(1, pages + 1):
        page = client.get("/queries/cooperation-network", params={"page": n})
        assert page.status_code == 200
        rows = _shown(page.text)
        assert len(rows) == (7 if n < pages else len(every) - 7 * (pages - 1))
        assert f"{len(every)} rows" in page.text and f"page {n} of {pages}" in page.text
        assert ('rel="next"' in page.text) == (n < pages) and ('rel="prev"' in page.text) == (n > 1)
        seen += [(r[0], r[2]) for r in rows]
    assert seen == [(r["a"], r["b"]) for r in every], "the pages, one after the other, are the whole answer in order"
    topic = BASE + "topic/e-waste"
    on_topic = len(list(csv.DictReader(io.StringIO(
        client.get("/queries/cooperation-network.csv", params={"topic": topic}).text))))
    assert 7 < on_topic < len(every), "e-waste's network has two pages or more, and fewer rows than the whole"
    filtered = client.get("/queries/cooperation-network", params={"topic": topic, "page": 1}).text
    assert f"{on_topic} rows" in filtered
    assert f'href="/queries/cooperation-network?topic={quote(topic, safe="")}&amp;page=2" rel="next"' in filtered, \
        "the links to other pages keep the parameters"
    past = client.get("/queries/cooperation-network", params={"page": pages + 1})
    assert past.status_code == 404 and f"{pages} page(s)" in past.text
    assert client.get("/queries/cooperation-network", params={"page": 0}).status_code == 400
    monkeypatch.setattr(published, "PAGE_ROWS", 500)
    single = client.get("/queries/cooperation-network")
    assert len(_shown(single.text)) == len(every) and "page 1 of" not in single.text


def test_published_query_parameters_are_bound_safely(client):
    injection = BASE + "org/sbc> } } ; DROP ALL ; #"
    assert client.get("/queries/organisation-profile.csv", params={"org": injection}).status_code == 400
    page = client.get("/queries/organisation-profile", params={"org": injection})
    assert page.status_code == 400 and "not valid" in page.text
    assert client.get("/queries/meetings-timeline.csv", params={"from": "2008-13-45"}).status_code == 400


def test_dumps(client, dumps):
    listing = client.get("/dumps/")
    assert 'href="/dumps/basel-kg.ttl"' in listing.text and 'href="/dumps/ontology/index.html"' in listing.text
    download = client.get("/dumps/basel-kg.ttl")
    assert download.status_code == 200 and download.content == (dumps / "basel-kg.ttl").read_bytes()
    assert client.get("/dumps/basel-kg.ttl", headers={"If-None-Match": download.headers["etag"]}).status_code == 304


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/sparql", "/queries/{name}", "/.well-known/void"} <= set(paths)
    assert {"get", "post"} <= set(paths["/sparql"])


# --------------------------------------------------------------------------- CLI wiring


def test_serve_options_have_safe_defaults_and_say_why():
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    args = parser.parse_args([])
    assert (args.host, args.port, args.timeout, args.base, args.store) == ("127.0.0.1", 8000, 30.0, BASE, None)
    assert args.allow_service == [] and not args.no_cors
    options = [a for a in parser._actions if a.option_strings and a.dest != "help"]
    assert {a.option_strings[0] for a in options} >= {"--host", "--port", "--store", "--timeout", "--load", "--base"}
    assert all(a.help and len(a.help) > 20 for a in options)
    assert "by accident" in next(a.help for a in options if a.dest == "host")
