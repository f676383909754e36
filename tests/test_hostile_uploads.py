"""Hostile documents sent to /validate and /store: each is read in a limited parser process
(see basel_kg.server.uploads), answered with a 4xx naming the limit, and the server keeps
serving. The documents are the ones that took the server down before (issue 11)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from urllib.parse import urlparse

import httpx
import pytest

from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.server.uploads import UploadLimits, nesting_depth
from basel_kg.store import EmbeddedStore

pytestmark = pytest.mark.slow

TOKEN = "hostile-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ASK = {"query": "ASK {}"}


def nested_jsonld(depth: int) -> bytes:
    return ('{"@id":"http://example.org/a","http://example.org/p":' * depth + '"v"' + "}" * depth).encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="http://example.org/a"><rdf:value>&lol3;</rdf:value></rdf:Description>
</rdf:RDF>"""


@pytest.fixture(scope="module")
def store(mini_release):
    kg, _ = mini_release
    with EmbeddedStore(timeout=20) as s:
        s.load_dataset(kg.dataset, version="hostile")
        yield s


def serve(store, **limits):
    settings = Settings(store=store, write_tokens=(("tester", TOKEN),), uploads=UploadLimits(**limits))
    return BackgroundServer(create_app(settings))


@pytest.fixture(scope="module")
def server(store):
    with serve(store, seconds=10, memory_mb=512, triples=1000, depth=64) as running:
        yield running


def client(server) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=60)


def alive(server) -> None:
    with client(server) as c:
        response = c.get("/sparql", params=ASK, headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200 and json.loads(response.text)["boolean"] is True


def test_jsonld_nested_5000_deep_is_refused_before_parsing(server):
    with client(server) as c:
        response = c.post("/validate", content=nested_jsonld(5000), headers={"Content-Type": "application/ld+json"})
    assert response.status_code == 422
    assert "deeper than 64 levels" in response.text and "nesting-depth limit" in response.text
    alive(server)


def test_a_parser_crash_is_a_clean_422_and_the_server_keeps_serving(store):
    """5,000 deep JSON-LD makes the parser itself crash (a segmentation fault in its own process)."""
    with serve(store, seconds=20, memory_mb=8192, depth=100_000) as running, client(running) as c:
        response = c.post("/validate", content=nested_jsonld(5000), headers={"Content-Type": "application/ld+json"})
        assert response.status_code == 422, response.text
        assert "made the parser stop" in response.text
        alive(running)


def test_a_slow_document_is_stopped_at_the_time_limit(store):
    with serve(store, seconds=1, memory_mb=4096, depth=100_000) as running, client(running) as c:
        started = time.monotonic()
        response = c.post("/validate", content=nested_jsonld(3000), headers={"Content-Type": "application/ld+json"})
        assert time.monotonic() - started < 6
        assert response.status_code == 413 and "1 s (the time limit" in response.text
        alive(running)


def test_a_greedy_document_is_stopped_at_the_memory_limit(store):
    """3,000 deep JSON-LD allocates about 1.75 GB in the parser."""
    with serve(store, seconds=20, memory_mb=200, depth=100_000) as running, client(running) as c:
        response = c.post("/validate", content=nested_jsonld(3000), headers={"Content-Type": "application/ld+json"})
        assert response.status_code == 413, response.text
        assert "200 MiB (the memory limit" in response.text
        alive(running)


def test_xml_entity_expansion_is_refused(server):
    with client(server) as c:
        for path, headers in (("/validate", {}), ("/store?graph=https://example.org/laughs", AUTH)):
            response = c.request("PUT" if path.startswith("/store") else "POST", path, content=BILLION_LAUGHS,
                                 headers={"Content-Type": "application/rdf+xml", **headers})
            assert response.status_code == 422, response.text
            assert "DOCTYPE" in response.text
        assert c.get("/store", params={"graph": "https://example.org/laughs"}).status_code == 404


@pytest.mark.parametrize("media_type, document", [
    ("application/rdf+xml", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                            + b"<a>" * 20_000 + b"</a>" * 20_000 + b"</rdf:RDF>"),
    ("text/turtle", b"<http://example.org/a> <http://example.org/p> " + b"(" * 5000 + b'"v"' + b")" * 5000 + b" ."),
    ("text/turtle", b"<http://example.org/a> <http://example.org/p> " + b"[ <http://example.org/p> " * 5000
     + b'"v"' + b"]" * 5000 + b" ."),
    ("application/trig", b"{" * 5000 + b"}" * 5000),
])
def test_every_parser_is_bounded_in_depth(server, media_type, document):
    with client(server) as c:
        response = c.post("/validate", content=document, headers={"Content-Type": media_type})
    assert response.status_code == 422 and "nesting-depth limit" in response.text, response.text


def test_depth_prescan_ignores_brackets_in_strings_iris_and_comments():
    turtle = b'<http://ex/a[(> <http://ex/p> "(((" , """[[[""" . # (((((\n'
    assert nesting_depth(turtle, "Turtle", 2) == 0
    assert nesting_depth(b'{"a": "[[[[{{{", "b": [1]}', "JSON-LD", 2) == 2


def test_too_many_triples_is_413_and_nothing_is_written(server):
    document = "".join(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n" for i in range(1001)).encode()
    with client(server) as c:
        response = c.put("/store", params={"graph": "https://example.org/many"}, content=document,
                         headers={"Content-Type": "application/n-triples", **AUTH})
        assert response.status_code == 413 and "more than 1000 triples" in response.text
        assert c.get("/store", params={"graph": "https://example.org/many"}).status_code == 404


def test_the_event_loop_keeps_answering_while_a_document_is_read(store):
    """A document that takes seconds to read does not hold other requests: ASK {} stays fast."""
    with serve(store, seconds=20, memory_mb=4096, depth=100_000) as running:
        upload = threading.Thread(target=lambda: httpx.post(
            running.url + "validate", content=nested_jsonld(2500), timeout=60,
            headers={"Content-Type": "application/ld+json"}))
        upload.start()
        latencies = []
        with client(running) as c:
            time.sleep(0.3)
            while upload.is_alive() and len(latencies) < 40:
                started = time.monotonic()
                query = f"ASK {{ <urn:x:{len(latencies)}> ?p ?o }}"  # uncached: a new query each time
                assert c.get("/sparql", params={"query": query}).status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.05)
        upload.join()
        assert len(latencies) >= 5, "the document was read too fast to measure anything"
        assert max(latencies) < 1.0, latencies


def _parser_processes() -> set[int]:
    """Parser processes of this test run that are working (not the one waiting for a request)."""
    found = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{pid}/stat") as f:
                state, ppid = f.read().rsplit(")", 1)[1].split()[:2]
        except OSError:
            continue
        if b"basel_kg.server.uploads" in cmdline and state in ("R", "D") and int(ppid) == os.getpid():
            found.add(int(pid))
    return found


def test_a_client_that_leaves_stops_its_work_and_its_write_is_not_applied(store):
    """The client sends a slow document and disconnects: the parser process is killed at once
    (not left running for minutes) and the write is never applied."""
    with serve(store, seconds=30, memory_mb=4096, depth=100_000) as running:
        document = nested_jsonld(2500)
        url = urlparse(running.url)
        request = (f"PUT /store?graph=https://example.org/left HTTP/1.1\r\nHost: {url.netloc}\r\n"
                   f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/ld+json\r\n"
                   f"Content-Length: {len(document)}\r\n\r\n").encode() + document
        with socket.create_connection((url.hostname, url.port)) as sock:
            sock.sendall(request)
            deadline = time.monotonic() + 10
            while not _parser_processes() and time.monotonic() < deadline:
                time.sleep(0.05)
            working = _parser_processes()
            assert working, "the parser never started"
        # The process that was reading this document must go; a spare the pool starts for the
        # next request may be busy importing meanwhile, and is not this document's work.
        deadline = time.monotonic() + 5
        while working & _parser_processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not working & _parser_processes(), "the parser kept running after the client left"
        with client(running) as c:
            assert c.get("/store", params={"graph": "https://example.org/left"}).status_code == 404
        alive(running)


def test_a_write_waiting_for_the_lock_is_dropped_when_its_client_leaves(store):
    """A write queued behind another writer, whose client disconnects meanwhile, is never applied."""
    settings = Settings(store=store, write_tokens=(("tester", TOKEN),), reasoning=False, provenance_graph=None)
    app = create_app(settings)
    lock = app.state.writes._lock
    with BackgroundServer(app) as running:
        url = urlparse(running.url)
        document = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
        request = (f"PUT /store?graph=https://example.org/queued HTTP/1.1\r\nHost: {url.netloc}\r\n"
                   f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/n-triples\r\n"
                   f"Content-Length: {len(document)}\r\n\r\n").encode() + document
        with lock:  # another writer holds the lock
            with socket.create_connection((url.hostname, url.port)) as sock:
                sock.sendall(request)
                time.sleep(1.5)  # read, parsed, now waiting for the lock
            time.sleep(0.5)  # the server notices the disconnect
        time.sleep(1.0)
        with client(running) as c:
            assert c.get("/store", params={"graph": "https://example.org/queued"}).status_code == 404
            again = c.put("/store", params={"graph": "https://example.org/queued"}, content=document,
                          headers={**AUTH, "Content-Type": "application/n-triples"})
            assert again.status_code == 201, again.text  # a client that stays gets its write
