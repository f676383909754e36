"""Search, class listings, network and timeline over HTTP (JSON and HTML), on the shipped data."""

from __future__ import annotations

import httpx
import pytest

from basel_kg.namespaces import BASE, BKG_URI, GRAPH
from basel_kg.search import SearchIndex, excerpt
from basel_kg.sources import load_sources
from basel_kg.store import EmbeddedStore
from support.explore import reasoned_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    with reasoned_server() as server, httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def search(client, q, **params):
    response = client.get("/search", params={"q": q, "format": "json", **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_acronym_finds_its_partnership_first(client):
    hits = search(client, "PACE")["hits"]
    assert hits[0]["iri"] == BASE + "partnership/pace"
    assert hits[0]["href"] == "/partnership/pace"


def test_a_decision_number_finds_the_decision_first(client):
    hits = search(client, "IX/9")["hits"]
    assert hits[0]["label"].startswith("Decision IX/9")
    assert hits[0]["type"] == BKG_URI + "Decision"


def test_a_document_symbol_finds_the_document(client):
    hits = search(client, "UNEP/CHW.9/INF/18")["hits"]
    assert hits[0]["label"].startswith("UNEP/CHW.9/INF/18")


def test_chinese_without_spaces_is_matched_inside_names_and_descriptions(client):
    """巴塞尔 (Basel) is three characters inside longer Chinese names with no word breaks."""
    result = search(client, "巴塞尔")
    assert result["total"] > 5
    assert any("Basel" in h["label"] for h in result["hits"])
    two = search(client, "秘书")  # two characters: below the trigram length, found by substring scan
    assert two["total"] > 0


def test_type_facets_count_and_filter(client):
    result = search(client, "mercury")
    facets = {f["type"]: f["count"] for f in result["facets"]}
    assert sum(facets.values()) == result["total"]
    only = search(client, "mercury", type=BKG_URI + "Partnership")
    assert only["total"] == facets[BKG_URI + "Partnership"]
    assert {h["type"] for h in only["hits"]} == {BKG_URI + "Partnership"}


def test_search_page_is_html_with_links_to_entities(client):
    response = client.get("/search", params={"q": "Geneva"})
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    assert 'href="/place/geneva"' in response.text or 'href="/city/geneva"' in response.text


def test_suggestions_give_names_and_local_links(client):
    suggestions = client.get("/search/suggest", params={"q": "mercury part"}).json()
    assert suggestions and suggestions[0]["label"] == "UNEP Global Mercury Partnership"
    assert all(s["href"].startswith("/") for s in suggestions)


def test_the_index_follows_the_dataset_version_after_a_write():
    with EmbeddedStore() as store:
        store.load_dataset(load_sources())
        index = SearchIndex()
        index.ensure(store)
        assert index.search("Zanzibar Waste Forum").total == 0
        store.put_graph(BASE + "graph/test-search", f"<{BASE}forum/zwf> <http://www.w3.org/2000/01/rdf-schema#label> "
                        '"Zanzibar Waste Forum"@en .\n', format="application/n-triples")
        index.ensure(store)
        assert index.version == store.version
        assert [h.iri for h in index.search("Zanzibar Waste Forum").hits] == [BASE + "forum/zwf"]


def test_the_search_route_answers_from_the_current_version_after_a_write():
    from basel_kg.server import Settings, create_app
    from basel_kg.server.background import BackgroundServer

    with EmbeddedStore() as store:
        store.load_dataset(load_sources())
        with BackgroundServer(create_app(Settings(store=store))) as server, httpx.Client(base_url=server.url) as c:
            assert c.get("/search", params={"q": "Zanzibar", "format": "json"}).json()["total"] == 0
            store.put_graph(BASE + "graph/test-search", f"<{BASE}forum/zwf> <http://www.w3.org/2000/01/rdf-schema#label> "
                            '"Zanzibar Waste Forum"@en .\n', format="application/n-triples")
            found = c.get("/search", params={"q": "Zanzibar", "format": "json"}).json()
            assert found["version"] == store.version
            assert [h["href"] for h in found["hits"]] == ["/forum/zwf"]


def test_the_index_reads_touched_subjects_as_it_reads_them_in_a_rebuild(shipped_store):
    """What a write's update of the index reads for its subjects (a subject-first query of the
    data as stored: the other way round, Oxigraph scanned every statement of the indexed
    predicates, 1.3 s a write at 100x) is what a rebuild reads for them from the union of the
    asserted graphs, for subjects with and without indexed statements, some of them with
    entailments in graph/inferred that the index leaves out."""
    from basel_kg.search import _index_query

    def rows(text: str, **options) -> list[tuple]:
        return sorted(((r["s"], r["p"], r["o"]) for r in shipped_store.query(text, max_rows=None, **options).solutions()),
                      key=str)

    everything = rows(_index_query(), inference=False)
    subjects = sorted({s.value for s, _, _ in everything})[::7] + [BASE + "no/such-entity"]
    assert len(subjects) > 50
    inferred = rows(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH.INFERRED}> {{ ?s a ?o BIND(rdf:type AS ?p) }} }}")
    asserted = set(everything)
    assert any(row[0].value in subjects and row not in asserted for row in inferred), "no entailment to leave out"
    assert rows(_index_query(subjects), trusted=True) == [row for row in everything if row[0].value in subjects]


def test_a_write_finds_the_rows_it_replaces_in_the_index_through_its_iri_index():
    """Not by reading the whole table for each touched subject (0.3 s a write at 100x)."""
    from basel_kg.search import _BY_IRI

    with EmbeddedStore() as store:
        store.load_dataset(load_sources())
        index = SearchIndex()
        index.ensure(store)
        plan = " ".join(row[-1] for row in index._db.execute(f"EXPLAIN QUERY PLAN {_BY_IRI}", ("x",)))
    assert "USING INDEX entity_iri" in plan, plan


def test_a_validated_write_updates_the_index_without_a_rebuild():
    """The write path hands each change to the index: only the touched subjects are re-read."""
    from basel_kg.server import Settings, create_app
    from basel_kg.server.background import BackgroundServer
    from basel_kg.cache import built
    from support import ROOT

    token = "explore-secret-token-0123456789"
    turtle = (f"@base <{BASE}> . @prefix bkg: <{BKG_URI}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
              "@prefix org: <http://www.w3.org/ns/org#> . @prefix prov: <http://www.w3.org/ns/prov#> .\n"
              '<org/zanzibar-waste-forum> a bkg:IntergovernmentalOrganisation ; rdfs:label "Zanzibar Waste Forum"@en ; '
              f"org:memberOf <org/sbc> ; prov:wasDerivedFrom <{BASE}source/002_2e5438f9604e1223#annex-wco> .")
    with EmbeddedStore() as store:
        build = built(ROOT)
        store.load_dataset(build.nquads, version=build.version)
        app = create_app(Settings(store=store, write_tokens=(("explore", token),)))
        with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as c:
            assert c.get("/search", params={"q": "Zanzibar", "format": "json"}).json()["total"] == 0
            written = c.put("/store", params={"graph": "https://example.org/contrib/explore"}, content=turtle,
                            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"})
            assert written.status_code in (200, 201, 204), written.text
            index = app.state.search
            assert index.version != store.version and index.builds == 1  # noted, read at the next search
            hits = c.get("/search", params={"q": "Zanzibar", "format": "json"}).json()["hits"]
            assert [h["href"] for h in hits] == ["/org/zanzibar-waste-forum"]
            assert index.version == store.version and index.builds == 1


def test_writes_the_index_noted_are_read_at_the_next_search_and_one_it_missed_rebuilds_it(monkeypatch):
    """A write does not wait for the index: it notes the subjects the write touched, and the next
    search re-reads those of every write since, in one go; a write it was not handed (here one
    made on the store directly) breaks the chain, and the next search rebuilds the index, as it
    does when the writes touched more than a quarter of its entities."""
    import pyoxigraph as ox

    from basel_kg.store import Delta

    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    graph = ox.NamedNode(BASE + "graph/test-search")

    def write(n: int, name: str, noted: bool = True) -> bool | None:
        before = store.version
        delta = Delta(add=(ox.Quad(ox.NamedNode(f"{BASE}forum/f{n}"), label, ox.Literal(name, language="en"), graph),))
        store.apply(delta)
        return index.changed(store, delta, before) if noted else None

    with EmbeddedStore() as store:
        store.load_dataset(load_sources())
        index = SearchIndex()
        index.ensure(store)
        assert write(1, "Zanzibar Waste Forum") and write(2, "Pemba Waste Forum")
        assert index.version != store.version
        real, reads = store.query, []

        def failing(*args, **options):  # the second batch of the read fails: the next search reads all again
            if options.get("trusted"):
                reads.append(1)
                if len(reads) == 2:
                    store.query = real
                    raise OSError("the store went away")
            return real(*args, **options)

        monkeypatch.setattr("basel_kg.search._REREAD", 1)
        store.query = failing
        with pytest.raises(OSError):
            index.ensure(store)
        index.ensure(store)
        assert index.builds == 1 and index.version == store.version
        assert [h.iri for h in index.search("Waste Forum").hits] == [f"{BASE}forum/f2", f"{BASE}forum/f1"]
        write(3, "Unguja Waste Forum", noted=False)
        assert write(4, "Mafia Waste Forum") is False
        index.ensure(store)
        assert index.builds == 2
        assert len(index.search("Waste Forum").hits) == 4
        # writes that touched more than a quarter of the entities: a rebuild costs less
        many = len(index._info) // 4 + 1
        before = store.version
        delta = Delta(add=tuple(ox.Quad(ox.NamedNode(f"{BASE}forum/m{n}"), label, ox.Literal(f"Forum {n}", language="en"),
                                        graph) for n in range(many)))
        store.apply(delta)
        assert index.changed(store, delta, before)
        index.ensure(store)
        assert index.builds == 3 and index.search("Forum 7").total >= 1


def test_excerpts_are_cut_between_words():
    text = " ".join(f"word{i}" for i in range(100))
    cut = excerpt(text, "word50", width=60)
    assert "word50" in cut
    for piece in cut.strip("… ").split():
        assert piece.startswith("word") and piece[4:].isdigit()


def test_class_listing_pages_sorts_and_facets(client):
    data = client.get("/class/Meeting", params={"format": "json", "sort": "date"}).json()
    dates = [i["date"] for i in data["items"] if i["date"]]
    assert dates == sorted(dates) and data["total"] >= 30
    years = {f["value"]: f["count"] for f in data["facets"]["year"]}
    year, n = next(iter(years.items()))
    only = client.get("/class/Meeting", params={"format": "json", "year": year}).json()
    assert only["total"] == n and all(i["date"].startswith(year) for i in only["items"])
    bodies = data["facets"]["body"]
    assert bodies, "meetings have bodies"
    by_body = client.get("/class/Meeting", params={"format": "json", "body": bodies[0]["value"]}).json()
    assert by_body["total"] == bodies[0]["count"]
    newest = client.get("/class/Meeting", params={"format": "json", "sort": "-date"}).json()["items"][0]
    assert newest["date"] == max(dates + [newest["date"]])


def test_class_listing_pages_and_other_vocabularies(client):
    first = client.get("/class/CooperationActivity", params={"format": "json"}).json()
    assert first["pages"] == 2 and len(first["items"]) == 50
    second = client.get("/class/CooperationActivity", params={"format": "json", "page": 2}).json()
    assert not {i["iri"] for i in first["items"]} & {i["iri"] for i in second["items"]}
    organisations = client.get("/class/org:Organization", params={"format": "json"}).json()
    assert organisations["total"] > 50  # every subclass of org:Organization
    assert client.get("/class/nope:Thing").status_code == 404


def test_home_leads_with_key_classes_and_keeps_bookkeeping_apart(client):
    html = client.get("/").text
    key = html[html.index('id="key-classes"'):]
    assert key.index("Decisions") < key.index("Meetings") < key.index("Organisations")
    bookkeeping = html[html.index("How the graph was made"):]
    assert "source passage" in bookkeeping
    assert html.index("source passage") > html.index("How the graph was made")


def test_network_filters_by_topic_and_period(client):
    everything = client.get("/network.json").json()
    published = client.get("/queries/cooperation-network.json").json()["results"]["bindings"]
    pairs = {(row["a"]["value"], row["b"]["value"]) for row in published}
    assert {(e["data"]["source"], e["data"]["target"]) for e in everything["edges"]} == pairs
    topic = everything["filters"]["topic"][0]["value"]
    some = client.get("/network.json", params={"topic": topic}).json()
    assert 0 < len(some["edges"]) < len(everything["edges"])
    years = everything["filters"]["years"]
    period = client.get("/network.json", params={"from": years[-1], "to": years[-1]}).json()
    assert len(period["edges"]) < len(everything["edges"])
    assert all(n["data"]["href"].startswith("/") for n in everything["nodes"])


def test_neighbourhood_of_an_organisation_has_its_partners_but_not_itself_twice(client):
    data = client.get("/neighbourhood.json", params={"iri": BASE + "org/sbc"}).json()
    ids = [n["data"]["id"] for n in data["nodes"]]
    assert len(ids) == len(set(ids)) and BASE + "org/sbc" in ids
    assert len(ids) > 20
    assert all(e["data"]["source"] != e["data"]["target"] for e in data["edges"])


def test_timeline_filters_by_body_and_kind(client):
    data = client.get("/timeline.json").json()
    assert {i["kind"] for i in data["items"]} == {"meeting", "decision", "partnership"}
    assert all(len(i["start"]) == 10 for i in data["items"])
    body = data["filters"]["body"][0]
    only = client.get("/timeline.json", params={"body": body["value"]}).json()["items"]
    assert only and all(i["body"] == body["value"] for i in only)
    meetings = client.get("/timeline.json", params={"kind": "meeting"}).json()["items"]
    assert meetings and {i["kind"] for i in meetings} == {"meeting"}


def test_timeline_around_a_partnership(client):
    items = client.get("/timeline.json", params={"around": BASE + "partnership/pace"}).json()["items"]
    assert BASE + "partnership/pace" in {i["id"] for i in items}


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")


def page(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    return response.text


def test_entity_page_opens_with_key_facts_and_folds_what_is_inferred(client):
    html = page(client, "/meeting/basel-cop-9")
    facts = html[html.index('<dl class="keyfacts">'):html.index("</dl>")]
    assert "June 2008" in facts  # a readable date, not "2008-06-23"^^xsd:date
    assert "Bali" in facts and "Conference of the Parties to the Basel Convention" in facts
    assert html.index('class="keyfacts"') < html.index("<h2>Statements</h2>") if "<h2>Statements</h2>" in html else True
    assert "(inferred)" not in html.replace("Inferred by the reasoner", "")


def test_one_row_per_cited_decision_however_many_properties_entail_it(client):
    """Decision IX/9 refers to four texts; cites, eli:cites, dcterms:references and the
    transitive closure entail the same four: they are shown once, not under five headings."""
    html = page(client, "/decision/basel-cop-IX-9")
    asserted, inferred = html.split('id="inferred"', 1) if 'id="inferred"' in html else (html, "")
    assert asserted.count(">Decision VIII/2</a>") == 1
    assert ">Decision VIII/2</a>" not in inferred.split("<h2>Provenance</h2>")[0]


def test_no_self_links_and_inferred_cooperation_is_folded(client):
    html = page(client, "/org/sbc")
    main = html[html.index("<main>"):]
    before_fold = main.split('<details class="inferred-block"', 1)[0]
    assert 'href="/org/sbc"' not in before_fold
    cooperates = 'title="https://w3id.org/basel-kg/ontology#cooperatesWith"'
    assert cooperates not in before_fold
    assert cooperates in main.split('<details class="inferred-block"', 1)[1]


def test_provenance_links_to_the_passage_in_its_source_text(client):
    html = page(client, "/decision/basel-cop-IX-9")
    assert 'href="/source/000_b70848e70e6ee01f#intro"' in html


def test_void_description_is_a_page_for_browsers_and_turtle_for_rdf_clients(client):
    html = client.get("/.well-known/void", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Dataset description" in html.text and "void:triples" in html.text
    browser = client.get("/.well-known/void", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html")
    turtle = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert client.get("/.well-known/void").headers["content-type"].startswith("text/turtle")  # no Accept
    assert client.get("/.well-known/void", headers={"Accept": "*/*"}).headers["content-type"].startswith("text/turtle")


def test_one_version_string_in_every_footer(client):
    from basel_kg import __version__

    for path in ("/", "/search?q=PACE", "/class/Decision", "/network", "/org/sbc", "/.well-known/void"):
        html = page(client, path)
        footer = html[html.index("<footer>"):]
        assert f"basel-kg {__version__} " in footer, path


def test_ontology_documentation_has_one_title_and_english_labels():
    import re

    from rdflib import Graph

    from basel_kg.namespaces import ONTOLOGY_FILE
    from basel_kg.release import ontology_html

    html = ontology_html(Graph().parse(ONTOLOGY_FILE))
    title = "basel-kg: an ontology of the Basel Convention, its decisions, meetings, partnerships and cooperation"
    assert re.findall(r"<title>(.*?)</title>", html) == [title]
    assert re.findall(r"<h1>(.*?)</h1>", html, re.S)[0] == title
    assert "RoleScheme</a>" not in html.split("<h2", 1)[0]  # no concept scheme shown as the ontology
    assert not re.search(r"[\u4e00-\u9fff]", html), "labels of two languages run together"


def test_api_docs_lead_back_to_the_site(client):
    html = client.get("/docs").text
    assert 'aria-label="Site"' in html and 'href="/"' in html and 'href="/search"' in html


@pytest.mark.parametrize("q", ['"', '" OR * NEAR(', "a\"b\"c AND NOT", "^x", "🙂🙂🙂", "  ", "IX/"])
def test_any_query_text_is_searched_as_text(client, q):
    """FTS5 query syntax in the search box is matched literally, never an error."""
    response = client.get("/search", params={"q": q, "format": "json"})
    assert response.status_code == 200
    assert client.get("/search/suggest", params={"q": q}).status_code == 200


def test_overlong_queries_are_refused_with_a_clear_status(client):
    response = client.get("/search", params={"q": "x" * 201})
    assert response.status_code == 400 and "q" in response.text
