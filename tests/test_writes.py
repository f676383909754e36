"""Writes to the project's knowledge graph through a real server (uvicorn on 127.0.0.1 and a
free port): tokens, the Graph Store Protocol and SPARQL Update guarded by SHACL, 422 with the
report and nothing changed, atomic updates, protected graphs, provenance, entailments,
``POST /validate`` in every RDF format, concurrent writers and readers."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from basel_kg.build import build_knowledge_graph
from basel_kg.errors import InputError
from basel_kg.namespaces import BASE, GRAPH
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.server.cli import write_tokens
from basel_kg.server.settings import PROVENANCE_GRAPH
from basel_kg.store import EmbeddedStore

TOKEN = "alice-secret-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = "application/sparql-results+json"
PASSAGE = BASE + "source/002_2e5438f9604e1223#annex-wco"
PREFIXES = f"""@base <{BASE}> .
@prefix bkg: <https://w3id.org/basel-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix org: <http://www.w3.org/ns/org#> .
"""


def organisations(tag: str, n: int = 5) -> str:
    """A conforming contribution: n intergovernmental organisations, members of the SBC."""
    return PREFIXES + "\n".join(
        f'<org/contrib-{tag}-{i}> a bkg:IntergovernmentalOrganisation ; rdfs:label "Contributed {tag} {i}"@en ; '
        f"org:memberOf <org/sbc> ; prov:wasDerivedFrom <{PASSAGE}> ." for i in range(n))


BROKEN = PREFIXES + """<org/contrib-broken> a bkg:IntergovernmentalOrganisation ;
    rdfs:label "没有英文标签"@zh ; prov:wasDerivedFrom <org/sbc> ."""


@pytest.fixture(scope="module")
def kg():
    return build_knowledge_graph(validate=False)


@pytest.fixture(scope="module")
def store(kg):
    with EmbeddedStore(timeout=30) as s:
        s.load_dataset(kg.dataset, version="test")
        yield s


@pytest.fixture(scope="module")
def server(store):
    settings = Settings(store=store, dumps_dir=None, write_tokens=(("alice", TOKEN),))
    with BackgroundServer(create_app(settings)) as running:
        yield running


def ask(client: httpx.Client, query: str) -> bool:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    return json.loads(response.text)["boolean"]


def put(client: httpx.Client, graph: str, turtle: str, **headers) -> httpx.Response:
    return client.put("/store", params={"graph": graph}, content=turtle,
                      headers={"Content-Type": "text/turtle", **AUTH, **headers})


# --------------------------------------------------------------------------- tokens


def test_writes_need_the_token(client, store):
    before = store.version
    graph = "https://example.org/contrib/no-token"
    for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": "Basic YWxpY2U6eA=="}):
        status = client.put("/store", params={"graph": graph}, content=organisations("x"),
                            headers={"Content-Type": "text/turtle", **headers}).status_code
        update = client.post("/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update",
                                                                       **headers}).status_code
        expected = 403 if headers.get("Authorization", "").startswith("Bearer") else 401
        assert (status, update) == (expected, expected)
    assert store.version == before


def test_a_server_without_tokens_refuses_every_write(store):
    with BackgroundServer(create_app(Settings(store=store, dumps_dir=None))) as running, \
            httpx.Client(base_url=running.url, timeout=60) as c:
        assert c.put("/store?graph=https://example.org/g", content=organisations("x"),
                     headers={"Content-Type": "text/turtle", **AUTH}).status_code == 403
        assert c.post("/sparql", data={"update": "CLEAR ALL"}, headers=AUTH).status_code == 403
        assert c.delete("/store?graph=" + str(GRAPH.REFERENCE), headers=AUTH).status_code == 403
        assert c.post("/validate", content=organisations("x"), headers={"Content-Type": "text/turtle"}).status_code == 200


def test_tokens_come_from_options_and_the_environment():
    tokens = write_tokens(["alice=" + "a" * 20], {"BASEL_KG_WRITE_TOKEN": "bob=" + "b" * 20 + ", " + "c" * 20})
    assert tokens == (("alice", "a" * 20), ("bob", "b" * 20), ("writer", "c" * 20))
    with pytest.raises(InputError, match="16 characters"):
        write_tokens(["alice=short"], {})
    with pytest.raises(InputError, match="letters"):
        write_tokens(["al ice=" + "a" * 20], {})


# --------------------------------------------------------------------------- validated writes


def test_provenance_records_who_when_which_graph_and_how_many_never_the_request_text(client):
    """A token pasted by mistake into the query string or a header must not become public."""
    graph = "https://example.org/contrib/provenance"
    secret = "pasted-by-mistake-0123456789"
    response = client.post(f"/sparql?note={secret}", headers={**AUTH, "X-Request-ID": secret,
                                                               "Content-Type": "application/sparql-update"},
                           content=f"INSERT DATA {{ GRAPH <{graph}> {{ <https://example.org/thing> <http://www.w3.org/2000/01/rdf-schema#comment> "
                                   f"'provenance test'@en }} }}")
    assert response.status_code == 204, response.text
    record = client.get("/sparql", headers={"Accept": JSON}, params={"query": f"""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?p ?o WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?write prov:generated <{graph}> ; ?p ?o }} }}"""})
    rows = json.loads(record.text)["results"]["bindings"]
    values = {row["p"]["value"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]: row["o"]["value"] for row in rows}
    assert values["wasAssociatedWith"] == BASE + "agent/alice" and "endedAtTime" in values
    assert values["description"] == "1 statement(s) added, 0 removed"
    assert values["label"] == "POST /sparql"
    dump = client.get("/store", params={"graph": PROVENANCE_GRAPH}, headers={"Accept": "application/n-triples"})
    assert secret not in dump.text and TOKEN not in dump.text and "INSERT" not in dump.text


def test_a_valid_contribution_is_written_with_entailments_and_provenance(client):
    graph = "https://example.org/contrib/valid"
    response = put(client, graph, organisations("valid"), **{"X-Request-ID": "request-valid-1"})
    assert response.status_code == 201, response.text
    assert response.headers["x-request-id"] == "request-valid-1"
    back = client.get("/store", params={"graph": graph}, headers={"Accept": "text/turtle"})
    assert back.status_code == 200
    expected = rdflib.Graph().parse(data=organisations("valid"), format="turtle")
    assert isomorphic(rdflib.Graph().parse(data=back.text, format="turtle"), expected)
    assert ask(client, f'ASK {{ <{BASE}org/contrib-valid-0> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}')
    # the reasoner's entailments of the new statements, in the inferred graph
    assert ask(client, f"ASK {{ GRAPH <{GRAPH.INFERRED}> {{ <{BASE}org/contrib-valid-0> ?p ?o }} }}")
    # who, when, which request
    record = client.get("/sparql", headers={"Accept": JSON}, params={"query": f"""
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?who ?when ?request ?label WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
            ?write prov:generated <{graph}> ; prov:wasAssociatedWith ?who ; prov:endedAtTime ?when ;
                   dcterms:identifier ?request ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }} }}"""})
    rows = json.loads(record.text)["results"]["bindings"]
    assert len(rows) == 1
    assert rows[0]["who"]["value"] == BASE + "agent/alice"
    assert rows[0]["request"]["value"] == response.headers["x-write-id"]
    assert rows[0]["label"]["value"] == "PUT /store"
    # replacing it: 204, and the old statements are gone
    again = put(client, graph, organisations("valid", 2))
    assert again.status_code == 204
    assert not ask(client, f"ASK {{ GRAPH <{graph}> {{ <{BASE}org/contrib-valid-4> ?p ?o }} }}")
    assert client.delete("/store", params={"graph": graph}, headers=AUTH).status_code == 204
    assert client.get("/store", params={"graph": graph}).status_code == 404


def test_a_write_that_breaks_a_shape_gets_422_with_the_report_and_changes_nothing(client, store):
    before = store.version
    graph = "https://example.org/contrib/broken"
    response = put(client, graph, BROKEN)
    assert response.status_code == 422
    report = json.loads(response.text)
    assert report["conforms"] is False
    focus = {r["focusNode"] for r in report["results"]}
    assert f"<{BASE}org/contrib-broken>" in focus
    as_turtle = put(client, graph, BROKEN, Accept="text/turtle")
    assert as_turtle.status_code == 422 and as_turtle.headers["content-type"].startswith("text/turtle")
    shacl = rdflib.Graph().parse(data=as_turtle.text, format="turtle")
    assert (None, SH.conforms, rdflib.Literal(False)) in shacl
    assert store.version == before
    assert client.head("/store", params={"graph": graph}).status_code == 404
    assert not ask(client, f"ASK {{ <{BASE}org/contrib-broken> ?p ?o }}")


def test_sparql_update_is_validated_and_atomic(client, store):
    good = f"""PREFIX bkg: <https://w3id.org/basel-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        INSERT DATA {{ GRAPH <https://example.org/contrib/update> {{
            <{BASE}org/contrib-update> a bkg:IntergovernmentalOrganisation ; rdfs:label "By update"@en ;
                prov:wasDerivedFrom <{PASSAGE}> }} }}"""
    assert client.post("/sparql", content=good, headers={"Content-Type": "application/sparql-update",
                                                          **AUTH}).status_code == 204
    assert ask(client, f"ASK {{ <{BASE}org/contrib-update> ?p ?o }}")
    before = store.version
    # the first operation is fine, the second breaks a shape: neither is applied
    mixed = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        INSERT DATA {{ GRAPH <https://example.org/contrib/update> {{ <{BASE}org/contrib-update> rdfs:comment "ok"@en }} }} ;
        DELETE WHERE {{ GRAPH <https://example.org/contrib/update> {{ <{BASE}org/contrib-update> rdfs:label ?l }} }}"""
    response = client.post("/sparql", data={"update": mixed}, headers=AUTH)
    assert response.status_code == 422, response.text
    assert store.version == before
    assert not ask(client, f'ASK {{ <{BASE}org/contrib-update> <http://www.w3.org/2000/01/rdf-schema#comment> "ok"@en }}')


def test_load_service_and_protected_graphs_are_refused_even_with_the_token(client, store):
    before = store.version

    def update(text: str) -> int:
        return client.post("/sparql", content=text, headers={"Content-Type": "application/sparql-update",
                                                              **AUTH}).status_code

    assert update("LOAD <http://example.org/data.ttl>") == 403
    assert update("INSERT { GRAPH <urn:x> { ?s ?p ?o } } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }") == 403
    assert update(f"INSERT DATA {{ GRAPH <{GRAPH.INFERRED}> {{ <urn:a> <urn:b> <urn:c> }} }}") == 403
    assert update("CLEAR ALL") == 403  # would empty the inferred graph and the write records
    assert update("CLEAR XYZ") == 400
    assert store.version == before


# --------------------------------------------------------------------------- /validate


def _formats() -> dict[str, bytes]:
    graph = rdflib.Graph().parse(data=organisations("fmt", 2), format="turtle")
    dataset = rdflib.Dataset()
    named = dataset.graph(rdflib.URIRef("https://example.org/contrib/fmt"))
    for triple in graph:
        named.add(triple)
    return {
        "text/turtle": graph.serialize(format="turtle").encode(),
        "application/n-triples": graph.serialize(format="nt").encode(),
        "application/ld+json": graph.serialize(format="json-ld").encode(),
        "application/rdf+xml": graph.serialize(format="xml").encode(),
        "application/n-quads": dataset.serialize(format="nquads").encode(),
        "application/trig": dataset.serialize(format="trig").encode(),
    }


@pytest.mark.parametrize("media_type", list(_formats()))
def test_validate_reads_every_rdf_format_and_writes_nothing(client, store, media_type):
    before = store.version
    response = client.post("/validate", content=_formats()[media_type], headers={"Content-Type": media_type})
    assert response.status_code == 200, response.text
    assert json.loads(response.text)["conforms"] is True
    assert store.version == before


def test_validate_reports_violations_as_json_turtle_or_text(client):
    as_json = client.post("/validate", content=BROKEN, headers={"Content-Type": "text/turtle"})
    assert json.loads(as_json.text)["conforms"] is False
    as_text = client.post("/validate", content=BROKEN, headers={"Content-Type": "text/turtle", "Accept": "text/plain"})
    assert as_text.text.startswith("Does not conform") and "org/contrib-broken" in as_text.text
    as_turtle = client.post("/validate", content=BROKEN, headers={"Content-Type": "text/turtle",
                                                                   "Accept": "text/turtle"})
    assert (None, SH.conforms, rdflib.Literal(False)) in rdflib.Graph().parse(data=as_turtle.text, format="turtle")


def test_validate_refuses_what_it_cannot_read_safely(client):
    remote_context = b'{"@context": "http://example.org/context.jsonld", "@id": "http://example.org/a", "name": "x"}'
    assert client.post("/validate", content=remote_context, headers={"Content-Type": "application/ld+json"}).status_code == 400
    assert client.post("/validate", content=b"<a> <b>", headers={"Content-Type": "text/turtle"}).status_code == 400
    assert client.post("/validate", content=b"x", headers={"Content-Type": "image/png"}).status_code == 415


# --------------------------------------------------------------------------- concurrency


def test_concurrent_writers_are_serialised_and_readers_see_whole_writes(server, store):
    """Four writers replace four graphs three times each with 5 organisations (20 statements);
    meanwhile readers count each graph's statements: always 0 or 20, never a part."""
    graphs = [f"https://example.org/contrib/concurrent-{w}" for w in range(4)]
    seen: set[int] = set()
    stop = threading.Event()

    def writer(w: int) -> list[int]:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            return [put(c, graphs[w], organisations(f"w{w}r{r}")).status_code for r in range(3)]

    def reader() -> None:
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), " \
                "'https://example.org/contrib/concurrent-')) } GROUP BY ?g"
        with httpx.Client(base_url=server.url, timeout=60) as c:
            for _ in range(200):
                if stop.is_set():
                    break
                rows = json.loads(c.get("/sparql", params={"query": query}, headers={"Accept": JSON}).text)
                seen.update(int(b["n"]["value"]) for b in rows["results"]["bindings"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        readers = [pool.submit(reader) for _ in range(2)]
        statuses = [pool.submit(writer, w) for w in range(4)]
        results = [f.result() for f in statuses]
        stop.set()
        for f in readers:
            f.result()
    assert all(codes[0] == 201 and codes[1:] == [204, 204] for codes in results), results
    assert seen <= {20}, seen
    for graph in graphs:
        n = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").solutions()[0]["n"]
        assert int(n.value) == 20


def test_graphs_written_through_the_server_are_kept_when_the_store_is_rebuilt(client, store):
    from basel_kg.server.cli import _written_graphs

    graph = "https://example.org/contrib/kept"
    assert put(client, graph, organisations("kept", 1)).status_code == 201
    release = {g.iri for g in store.graphs() if g.iri.startswith(BASE)} - {PROVENANCE_GRAPH}
    kept = _written_graphs(store, release)
    assert {graph, PROVENANCE_GRAPH} <= set(kept) and not set(kept) & release
    assert kept[graph].count(b"\n") == 4


# --------------------------------------------------------------------------- warming up


def test_serve_makes_the_write_guard_before_the_first_write(store):
    """With ``warm_writes`` (what ``serve`` sets), the guard's copy of the graph and its reasoner
    are made in the background as the app starts (minutes at 700x that the first write used to
    wait); without it, or on a read-only server, nothing is made before a write."""
    tokens = (("alice", TOKEN),)
    assert create_app(Settings(store=store, dumps_dir=None, write_tokens=tokens)).state.writes._guard is None
    read_only = create_app(Settings(store=store, dumps_dir=None, warm_writes=True)).state.writes
    assert read_only.start_warming() is None and read_only._guard is None
    writes = create_app(Settings(store=store, dumps_dir=None, write_tokens=tokens, warm_writes=True)).state.writes
    writes.warming.join(120)
    assert not writes.warming.is_alive()
    assert writes._guard is not None and writes._guard.version == store.version
    assert writes._guard._reasoner_state  # the incremental reasoner, made from the copy


# --------------------------------------------------------------------------- planning


def _same_change(ours, theirs) -> bool:
    (a, a_existed), (b, b_existed) = ours, theirs
    return (set(a.remove), set(a.add), a.drop, a.create, a.base_version, a_existed) == \
        (set(b.remove), set(b.add), b.drop, b.create, b.base_version, b_existed)


def test_a_graph_store_change_planned_on_the_guards_copy_is_the_one_the_store_plans(store):
    """A Graph Store write is planned on the write guard's copy (no round trip to the store's
    process): put, post and delete on a graph with statements, an empty named graph, a new
    graph and the default graph, with blank nodes in the document, give the change and the
    "existed" the store itself works out. The store plans what the copy cannot tell: a graph
    the copy leaves out (the write records), a graph holding a blank node (a store on disk
    names them its own way), a copy of another version."""
    from basel_kg.server.writes import ntriples
    from basel_kg.store import Delta

    def stated(graph: str, turtle: str) -> Delta:
        return Delta(add=tuple(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph))
                               for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE))).based_on(store.version)

    assert not store.renames_blank_nodes  # in memory: the names written are kept
    empty, full, blank = (f"https://example.org/contrib/planned-{name}" for name in ("empty", "full", "blank"))
    store.apply(Delta(create=frozenset({empty})).based_on(store.version))
    store.apply(stated(full, organisations("planned", 2)))
    store.apply(stated(blank, organisations("blank", 1) + '\n<org/contrib-blank-0> bkg:note [ rdfs:label "b"@en ] .'))
    writes = create_app(Settings(store=store, dumps_dir=None, write_tokens=(("alice", TOKEN),),
                                 warm_writes=True)).state.writes
    writes.warming.join(120)
    guard = writes._guard
    assert guard.version == store.version
    new = [q.triple for q in ox.parse((organisations("planned", 1) + "\n<org/contrib-planned-0> bkg:note [] .").encode(),
                                      ox.RdfFormat.TURTLE)]
    for graph in (full, empty, "https://example.org/contrib/planned-new", None, blank, PROVENANCE_GRAPH):
        node = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        for operation, triples in (("put", new), ("post", new), ("delete", []), ("put", [])):
            quads = [ox.Quad(t.subject, t.predicate, t.object, node) for t in triples]
            theirs = store.plan_graph(operation, graph, ntriples(quads))
            ours = guard.plan_graph(store, operation, graph, (q.triple for q in quads))
            assert (ours is None) == (graph in (blank, PROVENANCE_GRAPH)), (operation, graph)
            assert ours is None or _same_change(ours, theirs), (operation, graph)
            assert _same_change(writes.plan_graph(operation, graph, quads), theirs), (operation, graph)
    assert guard.plan_graph(store, "put", empty, [])[1] and not guard.plan_graph(store, "put", empty, [])[0].create
    assert len(guard.plan_graph(store, "put", full, [])[0].remove) == 8
    with pytest.raises(ValueError, match="own record"):
        writes.plan_graph("put", "urn:x-basel-kg:store", [])
    # a copy of another version (a write that went another way): the store plans
    store.apply(Delta(drop=frozenset({empty})).based_on(store.version))
    assert guard.plan_graph(store, "put", full, new) is None
    assert _same_change(writes.plan_graph("put", full, []), store.plan_graph("put", full, b""))


def test_blank_nodes_a_store_on_disk_names_afresh_leave_no_stale_copy(kg, tmp_path):
    """A large store on disk names the blank nodes written to it afresh (SPARQL's INSERT DATA),
    so after a write with one the guard's copy is made again from the store: it then holds what
    the store holds, and a write replacing that graph leaves nothing of it in the copy."""
    from basel_kg.store import Delta

    store = EmbeddedStore(tmp_path / "store", timeout=30, memory_views_max=0)  # views on disk: RocksDB read
    with store:
        store.load_dataset(kg.dataset, version="disk")
        assert store.renames_blank_nodes
        app = create_app(Settings(store=store, dumps_dir=None, write_tokens=(("alice", TOKEN),), warm_writes=True))
        writes = app.state.writes
        graph = "https://example.org/contrib/blank"
        with BackgroundServer(app) as running, httpx.Client(base_url=running.url, timeout=60) as client:
            document = organisations("blank", 1) + '\n<org/contrib-blank-0> rdfs:seeAlso [ <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> "b" ] .'
            for n in range(2):
                response = put(client, graph, document.replace("contrib-blank", f"contrib-blank{n}"))
                assert response.status_code in (201, 204), response.text
                writes.warming.join(120)  # made again from the store after the write
                stored = {q for q in ox.parse(store.export(), ox.RdfFormat.N_QUADS) if q.graph_name == ox.NamedNode(graph)}
                copy = set(writes._guard._mirror.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
                assert writes._guard.version == store.version and copy == stored
                assert sum(isinstance(q.object, ox.BlankNode) for q in copy) == 1
        # the /validate process's copy is not told such a change (it would apply the write's names): it reloads
        validator = app.state.validator
        validator._version, logged = "following", len(validator._log)
        blank = ox.Quad(ox.NamedNode(BASE + "org/sbc"), ox.NamedNode("urn:test:p"), ox.BlankNode(), ox.NamedNode(graph))
        validator._committed(Delta(add=(blank,)), store.version)
        assert len(validator._log) == logged
        validator._committed(Delta(add=(ox.Quad(blank.subject, blank.predicate, ox.Literal("x"), blank.graph_name),)),
                             store.version)
        assert len(validator._log) == logged + 1
