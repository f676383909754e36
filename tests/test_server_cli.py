"""``basel-kg serve`` end to end: ``python -m basel_kg.server`` on a small project, with an
on-disk store that a restart reuses instead of rebuilding, and ``--load`` for a user's file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from basel_kg.namespaces import BASE, ONTOLOGY_FILE  # noqa: F401
from support.net import SMALL_DATA as DATA, free_port, small_project

pytestmark = pytest.mark.slow

MINE = """@prefix ex: <http://example.org/> .
ex:note ex:says "my own annotation" .
"""


@pytest.fixture()
def project(tmp_path) -> Path:
    return small_project(tmp_path)


def run_server(root: Path, *args: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, BASEL_KG_ROOT=str(root))
    process = subprocess.Popen([sys.executable, "-m", "basel_kg.server", "--port", str(port), "--quiet", *args],
                               env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the server exited: " + process.stderr.read())
        try:
            if httpx.get(url + "sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    return err


def test_serve_builds_once_then_restarts_from_the_store(project, tmp_path):
    store = tmp_path / "store"
    mine = tmp_path / "mine.ttl"
    mine.write_text(MINE, encoding="utf-8")
    load = f"urn:x-mine:notes={mine}"

    process, url = run_server(project, "--store", str(store), "--load", load)
    try:
        label = httpx.get(url + "mea/basel", headers={"Accept": "text/html"}).text
        assert "Basel Convention" in label
        ask = 'ASK { GRAPH <urn:x-mine:notes> { ?s ?p "my own annotation" } }'
        assert '"boolean":true' in httpx.get(url + "sparql", params={"query": ask}).text
        assert httpx.get(url + "dumps/void.ttl").status_code == 200, "a release was written for the dumps"
        assert httpx.get(url + "ontology", headers={"Accept": "text/html"}).status_code == 200
        first_etag = httpx.get(url + "sparql", params={"query": ask}).headers["etag"]
    finally:
        first_log = stop(process)
    assert "building the knowledge graph" in first_log

    process, url = run_server(project, "--store", str(store), "--load", load)
    try:
        assert '"boolean":true' in httpx.get(url + "sparql", params={"query": ask}).text
        assert httpx.get(url + "sparql", params={"query": ask}).headers["etag"] == first_etag
    finally:
        second_log = stop(process)
    assert "not rebuilding" in second_log and "building the knowledge graph" not in second_log
    # the supervisor saw the store was current without loading it: only the server process loads it
    assert second_log.count("not rebuilding") == 1, second_log
    assert "writing the release" not in second_log

    # a changed source is noticed on the next start
    (project / "data" / "reference.ttl").write_text(DATA.replace("Basel Convention", "Basel Convention (changed)"))
    process, url = run_server(project, "--store", str(store), "--dumps", str(tmp_path))
    try:
        assert "(changed)" in httpx.get(url + "mea/basel", headers={"Accept": "text/html"}).text
    finally:
        assert "building the knowledge graph" in stop(process)


def test_the_supervisor_does_not_take_a_long_engine_call_for_a_hung_server():
    """uvicorn's process manager kills a server process that leaves its health ping unanswered
    for ``timeout_worker_healthcheck`` seconds (5 by default). The ping is answered by a Python
    thread, which waits while a pyoxigraph call holds the interpreter lock: about 2 s per million
    quads copied or listed, as when the write guard copies the graph (5.7 million quads at 700x).
    With the default, the first write at 100x on a busy machine and at 700x lost its server."""
    from basel_kg.cli import build_parser
    from basel_kg.server.cli import supervised_config

    args = build_parser(["serve"]).parse_args(["serve", "--port", "0"])
    config = supervised_config(args)
    assert config.timeout_worker_healthcheck >= 120
    assert config.host == "127.0.0.1" and config.workers == 1
