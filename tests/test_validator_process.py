"""``POST /validate`` runs its SHACL check (and the reasoning it needs) in a limited, killable
validator process (basel_kg.server.validator): over the time or memory limit the client gets a
413 naming it, a client that leaves stops the work, /validate and writes do not wait for each
other, and the reports are the ones the in-process guard gives."""

from __future__ import annotations

import json
import os
import threading
import time

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph

from basel_kg.guard import WriteGuard
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.server.uploads import UploadLimits
from basel_kg.server.writes import guard_arguments
from basel_kg.store import Delta, EmbeddedStore

pytestmark = pytest.mark.slow

TOKEN = "validator-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle"}
EX = "https://example.org/v#"

#: ex:Slow: a SPARQL constraint joining every ex:n statement with every other, twice (its cost
#: grows with the cube of their number). ex:Hungry: one doubling a string 28 times (1 GiB).
_DOUBLINGS = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(28))
SLOW_SHAPES = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
ex:Slow a sh:NodeShape ; sh:targetClass ex:Slow ; sh:sparql [ sh:select \"\"\"
  SELECT $this WHERE {{ $this <{EX}n> ?b . ?c <{EX}n> ?d . ?e <{EX}n> ?f . FILTER(?b + ?d + ?f < 0) }}\"\"\" ] .
ex:Hungry a sh:NodeShape ; sh:targetClass ex:Hungry ; sh:sparql [ sh:select \"\"\"
  SELECT $this WHERE {{ $this <{EX}n> ?n . BIND(CONCAT(STR(?n), "abc") AS ?s0) {_DOUBLINGS}
  FILTER(STRLEN(?s28) < 0) }}\"\"\" ] .
"""


def cube(kind: str, k: int, tag: str = "x") -> bytes:
    lines = [f"<{EX}{tag}> a <{EX}{kind}> ."] + [f"<{EX}{tag}> <{EX}n> {i} ." for i in range(k)]
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def store(mini_release):
    kg, _ = mini_release
    with EmbeddedStore(timeout=30) as s:
        s.load_dataset(kg.dataset, version="validator")
        yield s


def serve(store, shapes=None, **limits):
    settings = Settings(store=store, dumps_dir=None, write_tokens=(("tester", TOKEN),), shapes=shapes,
                        uploads=UploadLimits(**limits))
    return BackgroundServer(create_app(settings))


def slow_shapes() -> Graph:
    return Graph().parse(data=SLOW_SHAPES, format="turtle")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def validator_pid(running) -> int:
    process = running.app.state.validator._process
    assert process is not None and process.poll() is None
    return process.pid


def wait_dead(pid: int, within: float = 5.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_a_validation_past_its_time_limit_is_killed_and_named_while_ask_answers(store):
    with serve(store, slow_shapes(), seconds=2) as running, httpx.Client(base_url=running.url, timeout=60) as c:
        assert c.post("/validate", content=cube("Slow", 3), headers=TURTLE).status_code == 200  # warm: copy loaded
        pid = validator_pid(running)
        result: dict = {}

        def slow():
            result["response"] = c.post("/validate", content=cube("Slow", 300), headers=TURTLE)
            result["end"] = time.monotonic()

        thread = threading.Thread(target=slow)
        start = time.monotonic()
        thread.start()
        asks = []
        with httpx.Client(base_url=running.url, timeout=60) as other:
            while thread.is_alive() and time.monotonic() - start < 30:
                t0 = time.monotonic()
                assert other.get("/sparql", params={"query": "ASK {}"}).status_code == 200
                asks.append((t0, time.monotonic()))
                time.sleep(0.1)
        thread.join()
        response = result["response"]
        assert response.status_code == 413, response.text
        assert "time limit" in response.text and "2 s" in response.text
        assert wait_dead(pid), "the validator process was not killed"
        during = [end for _, end in asks if end < result["end"]]
        assert len(during) >= 5  # ASK {} kept answering while the validation ran
        latencies = sorted(end - t0 for t0, end in asks)
        assert latencies[len(latencies) // 2] < (result["end"] - start) / 4  # (the median: a busy machine has spikes)
        # a new validator takes over at the next request
        again = c.post("/validate", content=cube("Slow", 3), headers=TURTLE)
        assert again.status_code == 200 and json.loads(again.text)["conforms"] is True
        assert validator_pid(running) != pid


def test_a_memory_hungry_validation_is_bounded(store):
    with serve(store, slow_shapes(), seconds=120, memory_mb=150) as running, \
            httpx.Client(base_url=running.url, timeout=150) as c:
        small = c.post("/validate", content=cube("Slow", 2), headers=TURTLE)
        assert small.status_code == 200, small.text
        pid = validator_pid(running)
        response = c.post("/validate", content=cube("Hungry", 1), headers=TURTLE)
        assert response.status_code == 413, response.text
        assert "memory limit" in response.text and "150 MiB" in response.text
        assert wait_dead(pid)
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_a_client_that_disconnects_stops_the_validation(store):
    with serve(store, slow_shapes(), seconds=120) as running:
        with httpx.Client(base_url=running.url, timeout=60) as c:
            assert c.post("/validate", content=cube("Slow", 3), headers=TURTLE).status_code == 200
        pid = validator_pid(running)
        with httpx.Client(base_url=running.url, timeout=1.5) as c, pytest.raises(httpx.ReadTimeout):
            c.post("/validate", content=cube("Slow", 300), headers=TURTLE)  # the client gives up after 1.5 s
        assert wait_dead(pid, within=5), "the validation went on after its client left"


def test_validate_and_writes_do_not_wait_for_each_other(store):
    """260 ex:n statements make ex:Slow take seconds (about 4.6 s in one process: its one query
    joins them three times), so the small request sent 0.5 s later must finish first."""
    with serve(store, slow_shapes(), seconds=120) as running, httpx.Client(base_url=running.url, timeout=120) as c:
        assert c.post("/validate", content=cube("Slow", 3), headers=TURTLE).status_code == 200
        marks: dict = {}

        def call(name, method, *args, **kwargs):
            marks[name + "-start"] = time.monotonic()
            marks[name] = getattr(c, method)(*args, **kwargs)
            marks[name + "-end"] = time.monotonic()

        # a slow /validate, and a small write sent while it runs
        slow = threading.Thread(target=call, args=("validate", "post", "/validate"),
                                kwargs={"content": cube("Slow", 260), "headers": TURTLE})
        slow.start()
        time.sleep(0.5)
        call("write", "put", "/store", params={"graph": "https://example.org/g/small"}, content=cube("Slow", 2, "w"),
             headers={**TURTLE, **AUTH})
        slow.join()
        assert marks["validate"].status_code == 200 and marks["write"].status_code in (200, 201, 204)
        assert marks["write-start"] < marks["validate-end"]
        assert marks["write-end"] < marks["validate-end"], "the write waited for /validate"

        # a slow write (its check runs in the web process), and a /validate sent while it runs
        marks.clear()
        slow = threading.Thread(target=call, args=("write", "put", "/store"),
                                kwargs={"params": {"graph": "https://example.org/g/slow"},
                                        "content": cube("Slow", 260, "s"), "headers": {**TURTLE, **AUTH}})
        slow.start()
        time.sleep(0.5)
        call("validate", "post", "/validate", content=cube("Slow", 2, "v"), headers=TURTLE)
        slow.join()
        assert marks["write"].status_code in (200, 201, 204) and marks["validate"].status_code == 200
        assert marks["validate-end"] < marks["write-end"], "/validate waited for the write"


PREFIXES = """@base <https://w3id.org/basel-kg/> .
@prefix bkg: <https://w3id.org/basel-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix org: <http://www.w3.org/ns/org#> .
"""
DOCUMENTS_ = {
    "conforming": PREFIXES +  """<org/v-ok> a bkg:IntergovernmentalOrganisation ; rdfs:label "Valid"@en ;
        org:memberOf <org/sbc> ; prov:wasDerivedFrom <{passage}> .""",
    "no English label": PREFIXES + """<org/v-broken> a bkg:IntergovernmentalOrganisation ;
        rdfs:label "没有英文标签"@zh ; prov:wasDerivedFrom <org/sbc> .""",
    "untyped link": PREFIXES + """<org/v-link> a bkg:IntergovernmentalOrganisation ; rdfs:label "Linked"@en ;
        org:memberOf <org/nowhere> ; prov:wasDerivedFrom <{passage}> .""",
    "depends on the write": PREFIXES + """<org/v-member> a bkg:IntergovernmentalOrganisation ;
        rdfs:label "Member"@en ; org:memberOf <org/v-written> ;
        prov:wasDerivedFrom <{passage}> .""",
}
WRITTEN_ = PREFIXES + """<org/v-written> a bkg:IntergovernmentalOrganisation ; rdfs:label "Written"@en ;
    org:memberOf <org/sbc> ; prov:wasDerivedFrom <{passage}> ."""


def in_process_guard(settings: Settings) -> WriteGuard:
    """The guard a server with these settings runs in its own process (it follows the store's version)."""
    inferred, ontology, excluded = guard_arguments(settings)
    return WriteGuard(shapes=settings.shapes, inferred_graph=inferred, ontology_graph=ontology,
                      excluded_graphs=excluded)


def in_process(guard: WriteGuard, store, document: str) -> dict:
    graph = ox.NamedNode("urn:x-basel-kg:validate:in-process")
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
             for t in ox.parse(document.encode(), ox.RdfFormat.TURTLE)]
    report = guard.check(store, Delta(add=tuple(quads)), keep=False).report
    return comparable(report.to_json())


def comparable(report_json: str) -> dict:
    """A JSON report with blank node labels (of nested shapes, different in each process) blanked."""
    report = json.loads(report_json)
    for result in report["results"]:
        for key, value in result.items():
            if isinstance(value, str) and value.startswith("_:"):
                result[key] = "_:"
    return report


def test_reports_are_the_in_process_guards():
    from basel_kg.build import build_knowledge_graph

    kg = build_knowledge_graph(validate=False)  # the project's data and shapes (as tests/test_writes.py)
    with EmbeddedStore(timeout=30) as store:
        store.load_dataset(kg.dataset, version="identical")
        with serve(store) as running, httpx.Client(base_url=running.url, timeout=120) as c:
            settings = running.app.state.settings
            guard = in_process_guard(settings)

            passage = "https://w3id.org/basel-kg/source/002_2e5438f9604e1223#annex-wco"
            documents = {name: text.replace("{passage}", passage) for name, text in DOCUMENTS_.items()}
            written = WRITTEN_.replace("{passage}", passage)

            def compare() -> list[bool]:
                seen = []
                for name, document in documents.items():
                    response = c.post("/validate", content=document.encode(), headers=TURTLE)
                    assert response.status_code == 200, response.text
                    assert comparable(response.text) == in_process(guard, store, document), name
                    seen.append(json.loads(response.text)["conforms"])
                return seen

            before = compare()
            reloads = running.app.state.validator.reloads
            assert before[:2] == [True, False] and before[3] is False  # (org/v-written is not there yet)
            # the validator follows a committed write (passed on as the change, no reload)
            put = c.put("/store", params={"graph": "https://example.org/g/written"}, content=written.encode(),
                        headers={**TURTLE, **AUTH})
            assert put.status_code in (200, 201, 204), put.text
            assert compare()[3] is True
            # and a removal (SPARQL Update): org/v-written goes, org/v-member links to an untyped node again
            update = ("DELETE WHERE { GRAPH <https://example.org/g/written> { "
                      "<https://w3id.org/basel-kg/org/v-written> ?p ?o } }")
            deleted = c.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update", **AUTH})
            assert deleted.status_code in (200, 204), deleted.text
            assert compare()[3] is False
            assert running.app.state.validator.reloads == reloads
