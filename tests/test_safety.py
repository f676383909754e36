"""Parsing and querying never reach the network or files nobody named.

A canary HTTP server on a local port records every request, and canary files hold content
that would show up in the results if they were read. Each test also shows the canary works
(it is reachable or readable outside the guarded code), so "not hit" means something.
"""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from support.net import local_http

from basel_kg import cli
from basel_kg.formats import Format
from basel_kg.jsonld import CONTEXT_IRI
from basel_kg.safety import OutsideAccessError, no_outside_access
from basel_kg.sources import ParseError, parse_bytes, parse_file
from basel_kg.store import EmbeddedStore, QueryRefused

CANARY_TEXT = "CANARY-SECRET-7f3a"


class Canary:
    def __init__(self):
        self.hits: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                canary.hits.append(self.path)
                body = json.dumps({"@context": {"name": "http://example.org/" + CANARY_TEXT}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server, self.url = local_http(Handler)


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.server.shutdown()
    c.server.server_close()


@pytest.fixture
def canary_file(tmp_path) -> Path:
    path = tmp_path / "secret.ttl"
    path.write_text(f'<http://example.org/s> <http://example.org/p> "{CANARY_TEXT}" .\n', encoding="utf-8")
    return path


def test_the_canaries_work(canary, canary_file):
    with urllib.request.urlopen(canary.url + "/ping") as r:
        assert CANARY_TEXT in r.read().decode()
    assert canary.hits == ["/ping"]
    assert CANARY_TEXT in canary_file.read_text()


# --- JSON-LD contexts -------------------------------------------------------------------------------

def jsonld(context) -> bytes:
    return json.dumps({"@context": context, "@id": "http://example.org/a", "name": "x"}).encode()


def test_remote_jsonld_context_is_not_fetched(canary):
    with pytest.raises(ParseError, match="refused"):
        parse_bytes(jsonld(canary.url + "/context.jsonld"), format=Format.JSONLD)
    assert canary.hits == []


def test_remote_jsonld_import_is_not_fetched(canary):
    with pytest.raises(ParseError, match="refused"):
        parse_bytes(jsonld({"@import": canary.url + "/ctx"}), format=Format.JSONLD)
    with pytest.raises(ParseError, match="refused"):
        parse_bytes(jsonld([{"name": "http://x/"}, canary.url + "/ctx2"]), format=Format.JSONLD)
    assert canary.hits == []


def test_scoped_remote_context_is_not_fetched(canary):
    doc = {"@context": {"knows": {"@id": "http://x/knows", "@context": canary.url + "/scoped"}},
           "@id": "http://x/a", "knows": {"@id": "http://x/b"}}
    with pytest.raises(ParseError, match="refused"):
        parse_bytes(json.dumps(doc).encode(), format=Format.JSONLD)
    assert canary.hits == []


def test_local_file_context_is_not_read(tmp_path):
    ctx = tmp_path / "ctx.jsonld"
    ctx.write_text(json.dumps({"@context": {"name": "http://example.org/" + CANARY_TEXT}}))
    for reference in (ctx.as_uri(), "ctx.jsonld"):
        data = tmp_path / "data.jsonld"
        data.write_bytes(jsonld(reference))
        with pytest.raises(ParseError, match="refused") as info:
            parse_file(data)
        assert CANARY_TEXT not in str(info.value)


def test_the_basel_kg_context_is_used_offline(canary):
    for reference in (CONTEXT_IRI, "context.jsonld"):
        doc = {"@context": reference, "@id": "https://w3id.org/basel-kg/decision/x",
               "decisionNumber": "IX/9", "label": {"en": "x", "zh": "十"}}
        g = parse_bytes(json.dumps(doc).encode(), format=Format.JSONLD, into=Graph())
        assert len(g) == 3
    assert canary.hits == []


def test_cli_validate_refuses_a_remote_context(canary, mini_root, tmp_path, capsys):
    data = tmp_path / "new.jsonld"
    data.write_bytes(jsonld(canary.url + "/context.jsonld"))
    assert cli.main(["validate", "--standalone", str(data)]) == 2
    assert "refused" in capsys.readouterr().err
    assert canary.hits == []


# --- RDF/XML external entities ------------------------------------------------------------------------

def rdfxml(entity_url: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY leak SYSTEM "{entity_url}">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&leak;</ex:p></rdf:Description>
</rdf:RDF>""".encode()


def test_xml_external_entities_are_not_resolved(canary, canary_file):
    for url in (canary.url + "/entity", canary_file.as_uri()):
        try:
            g = parse_bytes(rdfxml(url), format=Format.RDFXML, into=Graph())
        except ParseError:
            continue
        assert CANARY_TEXT not in g.serialize(format="nt")
    assert canary.hits == []


# --- local queries --------------------------------------------------------------------------------------

@pytest.fixture
def store() -> EmbeddedStore:
    s = EmbeddedStore(processes=False)
    s.load_dataset(b'<http://example.org/a> <http://example.org/p> "local" <http://example.org/g> .\n')
    return s


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?a ?b ?c .SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "PREFIX s: <{url}/> SELECT * WHERE {{ SERVICE s:sparql {{ ?s ?p ?o }} }}",
])
def test_service_is_refused(canary, store, template):
    with pytest.raises(QueryRefused, match="SERVICE"):
        store.query(template.format(url=canary.url))
    assert canary.hits == []


def test_the_word_service_elsewhere_is_fine(store):
    q = 'PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ?o FILTER (?o != "SERVICE") } # SERVICE'
    assert len(store.query(q).solutions()) == 1


def test_from_does_not_fetch(canary, store, canary_file):
    for source in (canary.url + "/data.ttl", canary_file.as_uri()):
        for clause in ("FROM", "FROM NAMED"):
            q = "SELECT ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
            q = q.replace("WHERE", f"{clause} <{source}> WHERE")
            values = [str(r["o"]) for r in store.query(q).solutions()]
            assert all(CANARY_TEXT not in v for v in values)
    assert canary.hits == []


def test_cli_query_refuses_service(canary, mini_root, capsys):
    assert cli.main(["query", f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"]) == 2
    assert "SERVICE is not allowed" in capsys.readouterr().err
    assert canary.hits == []


def test_cli_query_never_uses_rdflib_sparql(mini_root, monkeypatch, capsys):
    """rdflib's SPARQL engine dereferences FROM IRIs; user queries must never reach it."""

    from basel_kg.cache import built

    built(mini_root)  # the build may use rdflib (the reasoner does); the query must not

    def forbidden(*args, **kwargs):
        raise AssertionError("rdflib SPARQL used on a user query")

    monkeypatch.setattr(Graph, "query", forbidden)
    monkeypatch.setattr(Dataset, "query", forbidden)
    assert cli.main(["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]) == 0
    assert "n" in capsys.readouterr().out


# --- the guard itself ---------------------------------------------------------------------------------

def test_guard_blocks_the_network(canary):
    with pytest.raises(OutsideAccessError, match="network"):
        with no_outside_access():
            urllib.request.urlopen(canary.url + "/guarded")
    with pytest.raises(OutsideAccessError, match="network"):
        with no_outside_access():
            socket.create_connection(("127.0.0.1", canary.server.server_address[1]))
    assert canary.hits == []
    with urllib.request.urlopen(canary.url + "/after"):  # the guard is off again
        pass
    assert canary.hits == ["/after"]


def test_guard_blocks_unnamed_files(canary_file, tmp_path):
    with pytest.raises(OutsideAccessError, match="not named"):
        with no_outside_access():
            canary_file.read_text()
    with no_outside_access(allow=[canary_file]):
        assert CANARY_TEXT in canary_file.read_text()
    with pytest.raises(OutsideAccessError, match="writing"):
        with no_outside_access(allow=[tmp_path / "out.txt"]):
            (tmp_path / "out.txt").write_text("x")
    assert not (tmp_path / "out.txt").exists()


def test_guard_blocks_processes():
    with pytest.raises(OutsideAccessError, match="process"):
        with no_outside_access():
            subprocess.run(["true"])


def test_guard_reports_a_swallowed_refusal(canary):
    with pytest.raises(OutsideAccessError):
        with no_outside_access():
            try:
                urllib.request.urlopen(canary.url + "/swallowed")
            except Exception:
                pass
    assert canary.hits == []
