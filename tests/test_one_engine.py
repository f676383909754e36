"""One query engine: every competency question and published query gives the same answer
through the library (the Store), the command line (``basel-kg query``) and ``/sparql``.

All three start from the same build (the cache of :mod:`basel_kg.cache`) and use each door's
defaults: the union of all graphs, inferred ones included, the same predeclared prefixes.
The CLI runs in-process (its ``main``), the server once for the module.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import httpx
import pyoxigraph as ox
import pytest

from basel_kg import cli
from basel_kg.cache import built
from basel_kg.namespaces import PREFIXES
from basel_kg.queries import load_registry
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.store import EmbeddedStore
from support.shipped import QUERIES, ROOT, shipped_store

CQ_FILES = sorted((QUERIES / "cq").glob("*.rq"))
PUBLISHED = [q for q in load_registry(ROOT).published()]
SOLUTIONS = "application/sparql-results+json"


@pytest.fixture(scope="module")
def endpoint():
    """``/sparql`` of a server over the same build (the process-based store, as `serve` runs it)."""
    with EmbeddedStore(timeout=60) as store:
        build = built(ROOT)
        store.load_dataset(build.nquads, version=build.version)
        with BackgroundServer(create_app(Settings(store=store, max_rows=100_000))) as running:
            with httpx.Client(base_url=running.url, timeout=60) as client:
                yield client


def _rows(body: bytes, media_type: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """Variables and rows (terms in N-Triples, blank nodes unlabelled) of a result document."""
    if media_type.startswith(("text/turtle", "application/n-triples")):
        fmt = ox.RdfFormat.from_media_type(media_type.split(";")[0])
        triples = [q.triple for q in ox.parse(body, fmt)]
        return ["s", "p", "o"], [tuple(_term(t) for t in (x.subject, x.predicate, x.object)) for x in triples]
    parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return ["ask"], [(str(bool(parsed)).lower(),)]
    names = [v.value for v in parsed.variables]
    return names, [tuple(_term(row[n]) for n in names) for row in parsed]


def _term(term) -> str:
    return "" if term is None else "_:b" if isinstance(term, ox.BlankNode) else str(term)


def _same(a, b, ordered: bool) -> bool:
    return a[0] == b[0] and (a[1] == b[1] if ordered else Counter(a[1]) == Counter(b[1]))


def _three_doors(text: str, cli_args: list[str], endpoint, capsys):
    graph = re.search(r"^\s*(CONSTRUCT|DESCRIBE)\b", re.sub(r"(?m)^\s*(#.*|PREFIX.*|BASE.*)$", "", text), re.I | re.M)
    media_type = "application/n-triples" if graph else SOLUTIONS
    from basel_kg.store import ResultFormats

    library = shipped_store().query(text, max_rows=None, formats=ResultFormats(graph="application/n-triples"))
    by_library = _rows(library.body, library.media_type)

    assert cli.main(["query", *cli_args, "--format", "turtle" if graph else "json"]) == 0
    out = capsys.readouterr().out.encode()
    by_cli = _rows(out, "text/turtle" if graph else SOLUTIONS)

    response = endpoint.post("/sparql", data={"query": text}, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    by_endpoint = _rows(response.content, response.headers["content-type"])
    return by_library, by_cli, by_endpoint


@pytest.mark.parametrize("path", CQ_FILES, ids=lambda p: p.stem)
def test_competency_question_answers_the_same_through_every_door(path, endpoint, capsys):
    text = path.read_text(encoding="utf-8")
    library, by_cli, by_endpoint = _three_doors(text, ["--file", str(path)], endpoint, capsys)
    ordered = bool(re.search(r"\bORDER\s+BY\b", text, re.I))
    assert library[1], f"{path.name} has an answer"
    assert _same(library, by_cli, ordered), "the CLI answers differently from the library"
    assert _same(library, by_endpoint, ordered), "/sparql answers differently from the library"


@pytest.mark.parametrize("query", PUBLISHED, ids=lambda q: q.name)
def test_published_query_answers_the_same_through_every_door(query, endpoint, capsys):
    text = query.bind().sparql
    library, by_cli, by_endpoint = _three_doors(text, ["--name", query.name], endpoint, capsys)
    ordered = bool(re.search(r"\bORDER\s+BY\b", text, re.I))
    assert _same(library, by_cli, ordered)
    assert _same(library, by_endpoint, ordered)


def test_counting_every_triple_agrees_and_is_a_set_union(endpoint, capsys):
    """A triple stated in two graphs is one triple of the default graph, through every door."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    library, by_cli, by_endpoint = _three_doors(count, [count], endpoint, capsys)
    assert library == by_cli == by_endpoint
    quads = list(ox.parse(path=built(ROOT).nquads, format=ox.RdfFormat.N_QUADS))
    distinct = len({q.triple for q in quads})
    assert distinct < len(quads), "the shipped graphs restate some triples (else this test proves nothing)"
    assert library[1] == [(f'"{distinct}"^^<http://www.w3.org/2001/XMLSchema#integer>',)]


def test_the_predeclared_prefixes_are_the_same_and_listed(endpoint, capsys):
    query = "SELECT ?d WHERE { ?d a bkg:Decision ; skos:prefLabel|rdfs:label ?l } LIMIT 1"
    library, by_cli, by_endpoint = _three_doors(query, [query], endpoint, capsys)
    assert library[1] and library == by_cli == by_endpoint
    description = endpoint.get("/sparql", headers={"Accept": "text/turtle"})
    declared = ox.Store()
    declared.load(description.content, ox.RdfFormat.TURTLE)
    rows = declared.query("SELECT ?p ?ns WHERE { ?s <http://www.w3.org/ns/shacl#declare> [ "
                          "<http://www.w3.org/ns/shacl#prefix> ?p ; <http://www.w3.org/ns/shacl#namespace> ?ns ] }")
    assert {r["p"].value: r["ns"].value for r in rows} == PREFIXES == shipped_store().prefixes
    assert json.loads(endpoint.get("/sparql", params={"query": "ASK { ?s a bkg:Decision }"},
                                   headers={"Accept": SOLUTIONS}).text)["boolean"] is True
