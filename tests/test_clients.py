"""Real clients against a live server (127.0.0.1, a free port) that serves a release of the
shipped data, its dump files at /dumps/ and its entity pages: the clients people use, each
used as its documentation says (the README's "Use it from your tools" shows the same calls).

Python: SPARQLWrapper (every query form with every return format it offers, GET and POST),
rdflib (``SPARQLStore``, ``Graph.parse`` of an entity IRI), pyoxigraph and rdflib parsing every
dump file. JavaScript (node, tests/clients/): jsonld.js reading the JSON-LD dump offline and
Comunica. Debian: roqet (rasqal) and rapper (raptor). A page of another origin in headless
Chromium. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from support.net import local_http

from basel_kg.build import build_knowledge_graph
from basel_kg.formats import Format
from basel_kg.namespaces import BASE
from basel_kg.release import write_release
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.store import EmbeddedStore

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = Path(__file__).resolve().parent / "clients"
NODE = shutil.which("node")
BASEL = rdflib.URIRef(BASE + "mea/basel")
CONVENTION = rdflib.URIRef(BASE + "ontology#Convention")
ZH_NAME = rdflib.Literal("巴塞尔公约", lang="zh")
SELECT = f"SELECT ?label WHERE {{ <{BASEL}> <{RDFS.label}> ?label }} ORDER BY ?label"
ASK = f"ASK {{ <{BASEL}> a <{CONVENTION}> }}"
CONSTRUCT = f"CONSTRUCT {{ <{BASEL}> ?p ?o }} WHERE {{ <{BASEL}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{BASEL}>"
DUMPS = [f"basel-kg.{fmt.extension}" for fmt in Format]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """The shipped data released as `basel-kg build` does; to keep it quick, without inference and
    without the ontology's HTML documentation (pyLODE), which no client here reads."""
    from basel_kg import release as release_module

    kg = build_knowledge_graph(reason=False, validate=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(release_module, "ontology_html", lambda ontology: "<!doctype html><title>ontology</title>")
        return write_release(kg, tmp_path_factory.mktemp("clients") / "dist")


@pytest.fixture(scope="module")
def server(release):
    """`basel-kg serve` of that release: the store loaded from its N-Quads dump, the dumps at /dumps/."""
    with EmbeddedStore() as store:
        store.load_dataset(release.files["basel-kg.nq"])
        settings = Settings(store=store, dumps_dir=release.directory, max_rows=1_000_000)
        with BackgroundServer(create_app(settings)) as running:
            yield running


def entity_url(server, iri: str = str(BASEL)) -> str:
    return server.url + iri[len(BASE):]


# --------------------------------------------------------------------------- SPARQLWrapper


def wrapper(server, query: str, return_format: str, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(return_format)
    sparql.setMethod(method)
    return sparql


def converted(sparql: SPARQLWrapper):
    """queryAndConvert(), failing on SPARQLWrapper's warning that the server sent another format."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return sparql.queryAndConvert()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(server, return_format, method):
    result = converted(wrapper(server, SELECT, return_format, method))
    if return_format == JSON:
        labels = [b["label"] for b in result["results"]["bindings"]]
        assert any(b.get("xml:lang") == "en" and b["value"].startswith("Basel Convention on") for b in labels)
    elif return_format == XML:
        literals = result.getElementsByTagName("literal")
        assert any(n.getAttribute("xml:lang") == "en" and n.firstChild.data.startswith("Basel Convention on")
                   for n in literals)
    else:
        text = result.decode("utf-8") if isinstance(result, bytes) else result
        assert "Basel Convention on the Control" in text
        assert text.splitlines()[0] == ("label" if return_format == CSV else "?label")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_ask(server, return_format, method):
    result = converted(wrapper(server, ASK, return_format, method))
    if return_format == JSON:
        assert result["boolean"] is True
    elif return_format == XML:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert (result.decode() if isinstance(result, bytes) else result).strip() == "true"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("return_format", [TURTLE, N3, XML, RDFXML, JSONLD])
def test_sparqlwrapper_graph_results(server, query, return_format, method):
    result = converted(wrapper(server, query, return_format, method))
    if isinstance(result, rdflib.Graph):
        graph = result
    else:
        text = result.decode("utf-8") if isinstance(result, bytes) else result
        graph = rdflib.Graph().parse(data=text, format="turtle")
    assert (BASEL, RDF.type, CONVENTION) in graph
    assert (BASEL, SKOS.altLabel, ZH_NAME) in graph


# --------------------------------------------------------------------------- rdflib


def test_rdflib_sparqlstore(server):
    graph = rdflib.Graph(SPARQLStore(server.url + "sparql", returnFormat="json"))
    labels = {row.label for row in graph.query(SELECT)}
    assert any(label.language == "en" and label.startswith("Basel Convention on") for label in labels)
    assert graph.query(ASK).askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert (BASEL, SKOS.altLabel, ZH_NAME) in constructed
    assert (BASEL, RDF.type, CONVENTION) in graph, "triple patterns become queries"
    assert ZH_NAME in set(graph.objects(BASEL, SKOS.altLabel))


# (not "nquads": rdflib then sends no Accept of its own, only the list of every parser's type)
@pytest.mark.parametrize("rdflib_format", [None, "turtle", "xml", "json-ld", "nt", "trig"])
def test_rdflib_parses_an_entity_iri(server, rdflib_format):
    dataset = rdflib.Dataset()
    dataset.parse(entity_url(server), format=rdflib_format)
    assert any(True for _ in dataset.quads((BASEL, RDF.type, CONVENTION, None)))
    assert any(True for _ in dataset.quads((BASEL, SKOS.altLabel, ZH_NAME, None)))


def test_pyoxigraph_reads_an_entity_page_in_every_format_as_the_same_graph(server):
    """Turtle, JSON-LD (compact, its context embedded; and expanded), N-Triples, RDF/XML, N-Quads, TriG."""
    graphs = {}
    for accept in ("text/turtle", "application/ld+json",
                   'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"',
                   "application/n-triples", "application/rdf+xml", "application/n-quads", "application/trig"):
        response = httpx.get(entity_url(server), headers={"Accept": accept})
        assert response.status_code == 200, accept
        media_type = response.headers["content-type"].split(";")[0]
        assert accept.startswith(media_type)
        quads = ox.parse(response.content, format=ox.RdfFormat.from_media_type(media_type))
        graphs[accept] = {(_key(q.subject), _key(q.predicate), _key(q.object), _key(q.graph_name)) for q in quads}
    first = graphs["text/turtle"]
    assert (("iri", str(BASEL)), ("iri", str(SKOS.altLabel)), _key(ox.Literal("巴塞尔公约", language="zh")), None) in first
    for accept, graph in graphs.items():
        assert graph == first, accept


# --------------------------------------------------------------------------- dump files


def _key(term) -> tuple | None:
    """A pyoxigraph or rdflib term as a comparable tuple; blank nodes None (their labels are the parser's)."""
    if term is None or isinstance(term, (ox.BlankNode, rdflib.BNode, ox.DefaultGraph)):
        return None
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    if isinstance(term, rdflib.Literal):
        datatype = term.datatype or (RDF.langString if term.language else rdflib.URIRef(XSD_STRING))
        return ("literal", str(term), str(datatype), term.language)
    return ("iri", str(term.value if isinstance(term, ox.NamedNode) else term))


def quads_of(path: Path) -> list[tuple]:
    """The quads of ``path`` read by pyoxigraph, as sorted comparable tuples (graph None for triples)."""
    fmt = Format.guess(path)
    return sorted(((_key(q.subject), _key(q.predicate), _key(q.object), _key(q.graph_name))
                   for q in ox.parse(path=str(path), format=fmt.oxigraph)), key=repr)


def rdflib_quads_of(path: Path) -> list[tuple]:
    """The same, read by rdflib."""
    fmt = Format.guess(path)
    if not fmt.has_graphs:
        return sorted(((_key(s), _key(p), _key(o), None) for s, p, o in rdflib.Graph().parse(path, format=fmt.rdflib)),
                      key=repr)
    dataset = rdflib.Dataset().parse(path, format=fmt.rdflib)
    return sorted(((_key(s), _key(p), _key(o), _key(g)) for s, p, o, g in dataset.quads()), key=repr)


@pytest.fixture(scope="module")
def nquads(release) -> list[tuple]:
    return quads_of(release.files["basel-kg.nq"])


@pytest.mark.parametrize("name", DUMPS)
def test_pyoxigraph_and_rdflib_parse_every_dump_file(release, nquads, name):
    """Every dump holds the quads of the N-Quads dump (the triple formats: their triples, merged)."""
    path = release.files[name]
    expected = nquads if Format.guess(path).has_graphs else sorted({(s, p, o, None) for s, p, o, _ in nquads}, key=repr)
    assert set(quads_of(path)) == set(expected), f"{name} by pyoxigraph"
    assert set(rdflib_quads_of(path)) == set(expected), f"{name} by rdflib"


# --------------------------------------------------------------------------- literals, end to end


def _binding_key(value: dict | None) -> tuple | None:
    """A SPARQL JSON results term as :func:`_key` writes it."""
    if value is None or value["type"] == "bnode":
        return None
    if value["type"] == "uri":
        return ("iri", value["value"])
    language = value.get("xml:lang")
    datatype = value.get("datatype") or str(RDF.langString if language else rdflib.URIRef(XSD_STRING))
    return ("literal", value["value"], datatype, language)


def test_every_literal_of_the_dump_is_what_the_endpoint_returns(server, nquads):
    """RDF 1.1 Concepts §3.3: same lexical form, same datatype IRI, same language tag. A store that
    normalises (xsd:positiveInteger -> xsd:integer, "01" -> "1") would make DATATYPE() and
    comparisons with the dumps disagree."""
    expected = {q for q in nquads if q[2] is not None and q[2][0] == "literal"}
    query = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o FILTER(isLiteral(?o)) } }"
    response = httpx.get(server.url + "sparql", params={"query": query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200 and "x-sparql-maxrows" not in response.headers
    rows = response.json()["results"]["bindings"]
    got = {tuple(_binding_key(row.get(v)) for v in ("s", "p", "o", "g")) for row in rows}
    assert len(rows) >= len(expected) > 1000
    assert got == expected, (sorted(expected - got, key=repr)[:5], sorted(got - expected, key=repr)[:5])


def test_entity_pages_return_the_literals_of_the_dump(server, nquads):
    """One subject for each (property, datatype) of a typed literal: its page (N-Triples) has the dump's literals."""
    chosen: dict[tuple, str] = {}
    for s, p, o, _ in nquads:
        if s is not None and o is not None and o[0] == "literal" and o[2] not in (XSD_STRING, str(RDF.langString)) \
                and s[1].startswith(BASE) and "#" not in s[1]:
            chosen.setdefault((p, o[2]), s[1])
    assert len(chosen) >= 3
    for subject in sorted(set(chosen.values())):
        expected = {(p, o) for s, p, o, _ in nquads if s == ("iri", subject) and o is not None and o[0] == "literal"}
        page = httpx.get(entity_url(server, subject), headers={"Accept": "application/n-triples"})
        assert page.status_code == 200, subject
        got = {(_key(t.predicate), _key(t.object)) for t in ox.parse(page.content, format=ox.RdfFormat.N_TRIPLES)
               if t.subject == ox.NamedNode(subject) and isinstance(t.object, ox.Literal)}
        assert got == expected, (subject, expected ^ got)


def test_dumps_are_served_for_download(server, release):
    for name in DUMPS:
        response = httpx.get(server.url + "dumps/" + name)
        assert response.status_code == 200 and response.content == release.files[name].read_bytes(), name


# --------------------------------------------------------------------------- JavaScript: jsonld.js, Comunica


def node(script: str, *args: str) -> dict:
    if NODE is None or not (ROOT / "node_modules" / "jsonld").is_dir():
        pytest.fail("node and the npm packages are needed: run scripts/setup")
    done = subprocess.run([NODE, str(CLIENTS / script), *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_jsonld_js_reads_the_jsonld_dump_offline_as_the_nquads_dump(release):
    result = node("jsonld-nquads.mjs", str(release.files["basel-kg.jsonld"]), str(release.files["basel-kg.nq"]))
    assert result["fetched"] == [], "the context is embedded: nothing to fetch"
    assert result["jsonldQuads"] == result["nquadsQuads"] > 1000
    assert result["same"], (result["onlyInJsonld"], result["onlyInNquads"])


def test_comunica_queries_the_endpoint_and_reads_an_entity_url(server):
    result = node("comunica.mjs", server.url + "sparql", entity_url(server), str(BASEL))
    assert {"termType": "Literal", "value": "巴塞尔公约", "language": "zh",
            "datatype": str(RDF.langString)} not in result["select"]  # that is an altLabel
    assert any(t["language"] == "en" and t["value"].startswith("Basel Convention on") for t in result["select"])
    assert result["ask"] is True
    altlabel = [{"termType": "NamedNode", "value": str(SKOS.altLabel)},
                {"termType": "Literal", "value": "巴塞尔公约", "language": "zh", "datatype": str(RDF.langString)}]
    assert [{"termType": "NamedNode", "value": str(BASEL)}, *altlabel] in result["construct"]
    assert altlabel in result["document"], "the entity URL, read as a Linked Data document"
    constructed = sorted(json.dumps(t[1:], sort_keys=True) for t in result["construct"])
    assert constructed == sorted(json.dumps(t, sort_keys=True) for t in result["document"])


# --------------------------------------------------------------------------- Debian: roqet, rapper


def run(*command: str) -> str:
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} is needed: run scripts/setup (Debian packages rasqal-utils, raptor2-utils)")
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_roqet_queries_the_endpoint(server):
    out = run("roqet", "-q", "-i", "sparql", "-p", server.url + "sparql", "-e", SELECT)
    assert 'string("Basel Convention on the Control' in out and '"@en)' in out


@pytest.mark.parametrize("query, expected", [
    (SELECT, 'string("Basel Convention on the Control'),
    (ASK, "Query has a boolean result: true"),
    (CONSTRUCT, f"<{BASEL}> <{RDF.type}> <{CONVENTION}> ."),
], ids=["select", "ask", "construct"])
def test_roqet_queries_an_entity_url(server, query, expected):
    done = subprocess.run(["roqet", "-i", "sparql", "-D", entity_url(server), "-e", query],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout + done.stderr


def test_rapper_reads_an_entity_url_by_content_negotiation(server):
    graph = rdflib.Graph().parse(data=run("rapper", "-q", "-g", "-o", "ntriples", entity_url(server)), format="nt")
    assert (BASEL, RDF.type, CONVENTION) in graph and (BASEL, SKOS.altLabel, ZH_NAME) in graph


@pytest.mark.parametrize("name", [n for n in DUMPS if not n.endswith(".jsonld")])  # raptor reads no JSON-LD
def test_rapper_reads_every_dump_from_its_url(server, release, name):
    fmt = Format.guess(name)
    syntax = {Format.TURTLE: "turtle", Format.NTRIPLES: "ntriples", Format.NQUADS: "nquads", Format.TRIG: "trig",
              Format.RDFXML: "rdfxml"}[fmt]
    out = run("rapper", "-q", "-i", syntax, "-o", "nquads", server.url + "dumps/" + name)
    parsed = sorted(((_key(q.subject), _key(q.predicate), _key(q.object), _key(q.graph_name))
                     for q in ox.parse(out.encode("utf-8"), format=ox.RdfFormat.N_QUADS)), key=repr)
    assert parsed == quads_of(release.files[name]) and len(parsed) > 1000


# --------------------------------------------------------------------------- the README's examples


README_ADDRESS = "http://127.0.0.1:8000/"


def readme_examples() -> list[tuple[str, str]]:
    """(language, code) of each fenced block of the README's "Use it from your tools" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Use it from your tools\n", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]
    return [(block.split("\n", 1)[0].strip(), block.split("\n", 1)[1]) for block in blocks]


# what each example must print, in the README's order
README_OUTPUT = [
    ("python", ["Basel Convention on the Control", " en"]),  # SPARQLWrapper
    ("python", ["True"]),  # rdflib
    ("python", [" quads"]),  # pyoxigraph
    ("js", ["Basel Convention on the Control", f"<{BASEL}> <{RDF.type}> <{CONVENTION}> ."]),  # jsonld.js
    ("js", ["Basel Convention on the Control"]),  # Comunica
    ("sh", ['string("Basel Convention on the Control', "boolean result: true", f"<{BASEL}> "]),  # roqet, rapper
    ("html", []),  # a page of another site: test_a_page_of_another_origin_runs_the_readme_example
]


def test_readme_lists_the_examples_this_module_runs():
    assert [language for language, _ in readme_examples()] == [language for language, _ in README_OUTPUT]


@pytest.mark.parametrize("index", [i for i, (language, _) in enumerate(README_OUTPUT) if language != "html"])
def test_readme_example_runs(server, index):
    language, code = readme_examples()[index]
    code = code.replace(README_ADDRESS, server.url)
    command = {"python": [sys.executable, "-c", code], "js": [NODE or "node", "--input-type=module", "-e", code],
               "sh": ["bash", "-e", "-c", code]}[language]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    for expected in README_OUTPUT[index][1]:
        assert expected in done.stdout + done.stderr, (expected, done.stdout[-2000:])


# --------------------------------------------------------------------------- a browser on another origin


PAGE = """<!doctype html><meta charset="utf-8"><title>another site</title>
<script>
async function run(endpoint, entity) {
  const headers = {"X-Requested-With": "XMLHttpRequest", "Cache-Control": "no-cache", "X-Request-ID": "page-1"};
  const select = await fetch(endpoint + "?query=" + encodeURIComponent(%(select)s),
                             {headers: {...headers, "Accept": "application/sparql-results+json"}});
  const post = await fetch(endpoint, {method: "POST", body: %(ask)s,
                                      headers: {...headers, "Content-Type": "application/sparql-query",
                                                "Accept": "application/sparql-results+json"}});
  const doc = await fetch(entity, {headers: {...headers, "Accept": "application/ld+json"}});
  return {select: await select.json(), ask: await post.json(), etag: doc.headers.get("ETag"),
          entity: await doc.json()};
}
</script>"""


class _Site(http.server.BaseHTTPRequestHandler):
    """Another origin (127.0.0.1, another port): serves the pages in ``pages`` by path."""

    pages: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = self.pages.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser_page(server):
    """A Chromium page (Debian's, driven by Playwright) and the origin of another site it can open."""
    playwright = pytest.importorskip("playwright.sync_api")
    readme_html = next(code for language, code in readme_examples() if language == "html")
    _Site.pages = {
        "/": (PAGE % {"select": json.dumps(SELECT), "ask": json.dumps(ASK)}).encode("utf-8"),
        "/readme": readme_html.replace(README_ADDRESS, server.url).encode("utf-8"),
    }
    site, origin = local_http(_Site)
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                              "--disable-background-networking", "--disable-component-update"])
            try:
                yield browser.new_page(), origin
            finally:
                browser.close()
    finally:
        site.shutdown()


def test_a_page_of_another_origin_reads_with_custom_headers(server, browser_page):
    page, origin = browser_page
    page.goto(origin + "/")
    result = page.evaluate("([e, d]) => run(e, d)", [server.url + "sparql", entity_url(server)])
    labels = [b["label"]["value"] for b in result["select"]["results"]["bindings"]]
    assert any(label.startswith("Basel Convention on") for label in labels)
    assert result["ask"]["boolean"] is True
    assert result["etag"], "ETag is exposed to scripts"
    assert result["entity"]["@graph"][0]["altLabel"]["zh"] == "巴塞尔公约"


def test_a_page_of_another_origin_runs_the_readme_example(browser_page):
    page, origin = browser_page
    page.goto(origin + "/readme")
    page.wait_for_function("() => document.body && document.body.textContent.startsWith('answer:')", timeout=15000)
    assert page.evaluate("() => document.body.textContent") == "answer: true"
