"""Durability: ``basel-kg serve --store PATH`` is killed with SIGKILL (the server and its store
processes, all at once) in the middle of a stream of writes, then started again on the same
folder. Every write it acknowledged with 2xx is there, whole; the write that was in flight
is there whole or not at all; nothing else is."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from support.net import free_port

from basel_kg.namespaces import BASE

TOKEN = "durability-test-token-0123456789"
PASSAGE = BASE + "source/002_2e5438f9604e1223#annex-wco"
JSON = "application/sparql-results+json"


def document(n: int) -> str:
    return """@prefix bkg: <https://w3id.org/basel-kg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix org: <http://www.w3.org/ns/org#> .
""" + "\n".join(f'<{BASE}org/durable-{n}-{i}> a bkg:IntergovernmentalOrganisation ; rdfs:label "Durable {n} {i}"@en ; '
                f"org:memberOf <{BASE}org/sbc> ; prov:wasDerivedFrom <{PASSAGE}> ." for i in range(5))


class Server:
    """``python -m basel_kg serve`` in its own process group (so that SIGKILL reaches its
    store process and query workers too)."""

    def __init__(self, store: Path, dumps: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = dict(os.environ, BASEL_KG_WRITE_TOKEN=f"durable={TOKEN}")
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "basel_kg", "serve", "--store", str(store), "--port", str(self.port),
             "--dumps", str(dumps), "--workers", "2", "--quiet"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server stopped"
            try:
                if httpx.get(self.url + "sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # this process group is the one started above
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def count(url: str, query: str) -> int:
    response = httpx.get(url + "sparql", params={"query": query}, headers={"Accept": JSON}, timeout=60)
    return int(json.loads(response.text)["results"]["bindings"][0]["n"]["value"])


def test_acknowledged_writes_survive_kill_9(tmp_path: Path):
    store, dumps = tmp_path / "store", tmp_path / "dumps"
    dumps.mkdir()
    server = Server(store, dumps, tmp_path / "server.log")
    acknowledged: list[int] = []
    sent: list[int] = []
    stop = threading.Event()

    def writes() -> None:
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}) as c:
            for n in range(200):
                if stop.is_set():
                    return
                sent.append(n)
                try:
                    response = c.post(server.url + "store", params={"graph": f"https://example.org/durable/{n}"},
                                      content=document(n))
                except httpx.HTTPError:
                    return  # the server is gone
                if response.status_code in (200, 201, 204):
                    acknowledged.append(n)
                else:
                    raise AssertionError(f"write {n}: {response.status_code} {response.text}")

    try:
        server.wait_ready()
        writer = threading.Thread(target=writes)
        writer.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 6 and writer.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()  # in the middle of the stream: a write is usually in flight
        stop.set()
        writer.join(timeout=60)
    finally:
        server.stop()
    assert len(acknowledged) >= 6, (tmp_path / "server.log").read_text(errors="replace")[-3000:]

    again = Server(store, dumps, tmp_path / "server.log")
    try:
        again.wait_ready()
        for n in sent:
            statements = count(again.url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <https://example.org/durable/{n}> "
                                          "{ ?s ?p ?o } }")
            records = count(again.url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?w "
                                       f"<http://www.w3.org/ns/prov#generated> <https://example.org/durable/{n}> }} }}")
            entailed = count(again.url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/inferred> "
                                        f"{{ <{BASE}org/durable-{n}-0> ?p ?o }} }}")
            if n in acknowledged:
                assert (statements, records) == (20, 1) and entailed > 0, n
            else:  # the write in flight: all or nothing
                assert (statements, records, entailed > 0) in ((0, 0, False), (20, 1, True)), n
        # and the store takes writes again
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}) as c:
            assert c.put(again.url + "store", params={"graph": "https://example.org/durable/after"},
                         content=document(999)).status_code == 201
    finally:
        again.stop()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
