"""The query worker pool under pressure: time spent waiting for a worker counts against the
query's time limit, a saturated pool refuses new queries at once (503 + Retry-After), and an
idle worker that died is noticed before use instead of costing a query a 500."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import pytest

from basel_kg.errors import QueryTimeout, ServerBusy
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.store import EmbeddedStore

pytestmark = pytest.mark.slow

DATA = "".join(f'<http://example.org/s{i}> <http://example.org/p> "{i}" <http://example.org/g> .\n'
               for i in range(300)).encode()
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture()
def store():
    with EmbeddedStore(workers=2, timeout=3, max_waiting=1) as s:
        s.load_dataset(DATA)
        yield s


def _occupy(store, n: int) -> list[threading.Thread]:
    """n heavy queries running (each stopped at its 3 s limit)."""
    def heavy():
        try:
            store.query(HEAVY)
        except QueryTimeout:
            pass
    threads = [threading.Thread(target=heavy) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    return threads


def test_time_waiting_for_a_worker_counts_against_the_timeout(store):
    threads = _occupy(store, 2)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.query("ASK {}", timeout=0.5)
    assert time.monotonic() - started < 1.5
    for t in threads:
        t.join()
    assert store.query("ASK {}").boolean()


def test_a_saturated_pool_refuses_at_once_and_the_server_says_503_with_retry_after(store):
    threads = _occupy(store, 2)
    waiter = threading.Thread(target=lambda: store.query("ASK {}", timeout=5))
    waiter.start()  # the one query allowed to wait
    time.sleep(0.2)
    started = time.monotonic()
    with pytest.raises(ServerBusy):
        store.query("ASK {}")
    assert time.monotonic() - started < 0.3
    with BackgroundServer(create_app(Settings(store=store))) as running:
        response = httpx.get(running.url + "sparql", params={"query": "ASK { ?s ?p 1 }"}, timeout=10)
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert "busy" in response.text
    for t in [*threads, waiter]:
        t.join()
    assert store.query("ASK {}").boolean()


def test_a_dead_idle_worker_costs_no_query_an_error(store):
    store.query("ASK {}")
    idle = [w.pid for w in store._pool.idle]
    assert idle
    for pid in idle:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    for _ in range(3):
        assert store.query("ASK { ?s ?p ?o }").boolean()
