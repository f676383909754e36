"""Remote stores, with a real ``oxigraph serve`` (PyPI ``oxigraph``) on a free port: push the
release (Graph Store Protocol and SPARQL Update), query it with ``basel-kg query
--endpoint``, serve our HTTP API on top of it, and compare every published query's answer
with the embedded store's."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from support.net import free_port

from basel_kg.build import build_knowledge_graph
from basel_kg.errors import InputError
from basel_kg.namespaces import BASE, GRAPH
from basel_kg.push import release_graphs
from basel_kg.queries import load_registry
from basel_kg.release import write_release
from basel_kg.server import Settings, add_serve_arguments, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.server.cli import prepare
from basel_kg.store import EmbeddedStore, QuerySyntaxError
from basel_kg.store.remote import RemoteStore, make_auth, parse_store_url

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("release") / "dist"
    write_release(build_knowledge_graph(validate=False), folder)
    return folder


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """``oxigraph serve`` on 127.0.0.1 and a free port, union default graph on; its base URL."""
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location / "db"), "--bind", f"127.0.0.1:{port}",
                                "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "oxigraph serve stopped"
            try:
                httpx.get(url + "query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "oxigraph serve did not start"
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def pushed(release, oxigraph):
    result = subprocess.run([sys.executable, "-m", "basel_kg", "push", "--release", str(release), "--endpoint",
                             oxigraph + "update", "--graph-store", oxigraph + "store"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def remote_counts(oxigraph: str) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = httpx.post(oxigraph + "query", data={"query": query}, headers={"Accept": JSON})
    return {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(response.text)["results"]["bindings"]}


def test_push_loads_one_named_graph_per_source(pushed, release, oxigraph):
    expected = {iri: data.count(b"\n") for iri, data in release_graphs(release).items()}
    assert remote_counts(oxigraph) == expected
    assert str(GRAPH.VOID) in expected and str(GRAPH.INFERRED) in expected
    assert f"pushed {sum(expected.values())} triples in {len(expected)} graphs" in pushed.stdout


def test_push_replaces_what_was_there_and_leaves_other_graphs(pushed, release, oxigraph):
    httpx.post(oxigraph + "update", content=f"""INSERT DATA {{ GRAPH <{GRAPH.REFERENCE}> {{ <urn:stale> <urn:p> 1 }}
        GRAPH <https://example.org/someone-elses> {{ <urn:mine> <urn:p> 1 }} }}""",
               headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    result = subprocess.run([sys.executable, "-m", "basel_kg", "push", "--release", str(release),
                             "--endpoint", oxigraph + "update", "--graph", "reference"],  # by SPARQL Update
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    counts = remote_counts(oxigraph)
    assert counts[str(GRAPH.REFERENCE)] == release_graphs(release, [str(GRAPH.REFERENCE)])[str(GRAPH.REFERENCE)].count(b"\n")
    assert counts["https://example.org/someone-elses"] == 1


def test_push_reports_bad_input_and_unreachable_stores(release, tmp_path):
    nothing = subprocess.run([sys.executable, "-m", "basel_kg", "push", "--release", str(tmp_path), "--endpoint",
                              "http://127.0.0.1:9/update"], capture_output=True, text=True, timeout=60)
    assert nothing.returncode == 2 and "basel-kg build" in nothing.stderr
    down = subprocess.run([sys.executable, "-m", "basel_kg", "push", "--release", str(release), "--endpoint",
                           f"http://127.0.0.1:{free_port()}/update"], capture_output=True, text=True, timeout=60)
    assert down.returncode == 1 and "did not answer" in down.stderr


def test_basel_kg_query_reads_the_remote_store(pushed, oxigraph, run_cli):
    result = run_cli("query", "--endpoint", oxigraph + "query", "--format", "csv",
                     f"SELECT ?label WHERE {{ <{BASE}mea/basel> <http://www.w3.org/2000/01/rdf-schema#label> ?label "
                     "FILTER(lang(?label) = 'en') }")
    assert result.returncode == 0, result.stderr
    assert "Basel Convention" in result.stdout


@pytest.fixture(scope="module")
def servers(pushed, release, oxigraph):
    """Our HTTP API on the remote store, and on an embedded store with the same graphs."""
    remote = RemoteStore.from_url(f"sparql+{oxigraph}query#union&store=store", timeout=30)
    with EmbeddedStore() as embedded:
        embedded.load_dataset(b"", graphs=release_graphs(release), version="same-release")
        with remote, BackgroundServer(create_app(Settings(store=remote, dumps_dir=None))) as on_remote, \
                BackgroundServer(create_app(Settings(store=embedded, dumps_dir=None))) as on_embedded:
            yield on_remote, on_embedded


def rows(response: httpx.Response) -> list[tuple]:
    assert response.status_code == 200, response.text
    data = json.loads(response.text)
    return [tuple(sorted((k, v["value"]) for k, v in b.items())) for b in data["results"]["bindings"]]


@pytest.mark.parametrize("name", [q.name for q in load_registry().published()])
def test_every_published_query_answers_as_on_the_embedded_store(servers, name):
    """The same rows, each as often. (Oxigraph's union default graph keeps a triple stated in
    two graphs twice, the embedded store once; the published queries use DISTINCT where that
    matters, so they answer alike on both.)"""
    on_remote, on_embedded = servers
    remote = rows(httpx.get(on_remote.url + f"queries/{name}.json", timeout=60))
    embedded = rows(httpx.get(on_embedded.url + f"queries/{name}.json", timeout=60))
    assert embedded, f"{name} has no answer to compare"
    assert sorted(remote) == sorted(embedded)


def test_the_http_api_works_on_the_remote_store(servers):
    on_remote, on_embedded = servers
    for path, accept in (("", "text/html"), ("queries", "text/html"), ("org/sbc", "text/html"),
                         (".well-known/void", "text/turtle"), ("sparql", "text/turtle")):
        assert httpx.get(on_remote.url + path, headers={"Accept": accept}, timeout=60).status_code == 200, path

    def page(server):
        response = httpx.get(server.url + "mea/basel", headers={"Accept": "text/turtle"}, timeout=60)
        return rdflib.Graph().parse(data=response.text, format="turtle")

    assert isomorphic(page(on_remote), page(on_embedded))
    bad = httpx.get(on_remote.url + "sparql", params={"query": "SELEC * WHERE { ?s ?p ?o }"}, timeout=60)
    assert bad.status_code == 400
    no_inference = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    for server in (on_remote, on_embedded):  # inference=false leaves graph/inferred out on both
        everything = rows(httpx.get(server.url + "sparql", params={"query": no_inference}, headers={"Accept": JSON}))
        asserted = rows(httpx.get(server.url + "sparql", params={"query": no_inference, "inference": "false"},
                                  headers={"Accept": JSON}))
        assert int(dict(asserted[0])["n"]) < int(dict(everything[0])["n"])
    report = httpx.post(on_remote.url + "validate", content=f"<{BASE}org/x> <http://www.w3.org/2000/01/rdf-schema#label> "
                        '"x"@en .', headers={"Content-Type": "application/n-triples"}, timeout=120)
    assert report.status_code == 200 and "conforms" in json.loads(report.text)
    refused = httpx.put(on_remote.url + "store?graph=urn:x", content="<urn:a> <urn:b> <urn:c> .",
                        headers={"Content-Type": "application/n-triples", "Authorization": "Bearer x" * 3})
    assert refused.status_code == 403


def test_serve_takes_a_remote_store_url(pushed, oxigraph):
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    prepared = prepare(parser.parse_args(["--store", f"sparql+{oxigraph}query#union", "--dumps", "."]))
    try:
        assert isinstance(prepared.store, RemoteStore) and not prepared.rebuilt
        assert prepared.store.triples > 10_000
    finally:
        prepared.close()
    with pytest.raises(InputError, match="embedded store"):
        prepare(parser.parse_args(["--store", f"sparql+{oxigraph}query", "--write-token", "a=" + "b" * 20]))


def test_store_urls_and_auth_are_parsed():
    fuseki = parse_store_url("sparql+https://example.org/basel/sparql#store=/basel/data")
    assert (fuseki.query, fuseki.update, fuseki.store, fuseki.union) == (
        "https://example.org/basel/sparql", "https://example.org/basel/update", "https://example.org/basel/data", False)
    assert parse_store_url("sparql+http://h:7878/query#union&update=http://h:7879/up").update == "http://h:7879/up"
    with pytest.raises(ValueError, match="unknown"):
        parse_store_url("sparql+http://h/query#colour=red")
    assert isinstance(make_auth("basic:alice:secret:with:colons"), httpx.BasicAuth)
    assert make_auth(None) is None
    with pytest.raises(ValueError):
        make_auth("basic:nopassword")


def test_a_malformed_query_is_a_syntax_error_on_the_remote_store(pushed, oxigraph):
    with RemoteStore.from_url(f"sparql+{oxigraph}query") as remote:
        with pytest.raises(QuerySyntaxError):
            remote.query("SELECT * WHERE { ?s ?p }")
        assert remote.query("ASK { ?s ?p ?o }").boolean() is True
        construct = remote.query(f"CONSTRUCT WHERE {{ <{BASE}mea/basel> ?p ?o }}").triples()
        assert construct and all(isinstance(t, ox.Triple) for t in construct)
