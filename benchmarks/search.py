"""Search latency: the full-text index (SQLite FTS5, trigram) against a SPARQL substring
search (CONTAINS over labels, the usual way without an index) on the same store, same queries.

    python benchmarks/search.py [--repeats N]

Prints a table: median and 95th percentile per query kind, and the ratio to SPARQL. Target:
a search answers in under 50 ms (median). Also the time to (re)build the index, which happens
once per dataset version (after each write).
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx
import pyoxigraph as ox

from basel_kg.search import SearchIndex
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.sources import load_sources
from basel_kg.namespaces import BASE
from basel_kg.store import Delta, EmbeddedStore

QUERIES = {
    "acronym": "PACE",
    "decision number": "IX/9",
    "document symbol": "UNEP/CHW.9/15",
    "two words": "mercury partnership",
    "Chinese (3 chars)": "巴塞尔",
    "Chinese (2 chars)": "秘书",
    "description word": "refurbishment",
    "no match": "zzzqqq",
}


def sparql_search(q: str) -> str:
    literal = str(ox.Literal(q.casefold()))
    return ("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isLiteral(?o) && "
            f"CONTAINS(LCASE(STR(?o)), {literal})) }} LIMIT 50")


def measure(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    with EmbeddedStore() as store:
        store.load_dataset(load_sources())
        index = SearchIndex()
        builds = []
        for _ in range(5):
            index.version = None
            start = time.perf_counter()
            index.ensure(store)
            builds.append((time.perf_counter() - start) * 1000)
        print(f"index build: median {statistics.median(builds):.0f} ms over 5 builds "
              f"({store.triples:,} triples)")
        updates = []
        label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        for i in range(5):
            quad = ox.Quad(ox.NamedNode(f"{BASE}org/bench-{i}"), label, ox.Literal(f"Benchmark forum {i}", language="en"),
                           ox.NamedNode(BASE + "graph/bench"))
            before = store.version
            delta = Delta(add=(quad,))
            store.apply(delta)
            start = time.perf_counter()
            assert index.changed(store, delta, before)
            updates.append((time.perf_counter() - start) * 1000)
        print(f"index update after a one-entity write: median {statistics.median(updates):.1f} ms over 5 writes "
              f"({statistics.median(builds) / statistics.median(updates):.0f}x less than a rebuild)\n")
        print("| query | hits | index median ms | index p95 ms | HTTP /search median ms | "
              "SPARQL CONTAINS median ms | ratio index/SPARQL |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        all_http = []
        with BackgroundServer(create_app(Settings(store=store))) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client:
            client.get("/search", params={"q": "warm-up", "format": "json"})
            for kind, q in QUERIES.items():
                fts = measure(lambda: index.search(q), args.repeats)
                http = measure(lambda: client.get("/search", params={"q": q, "format": "json"}).raise_for_status(),
                               args.repeats)
                ref = measure(lambda: store.query(sparql_search(q), inference=False), max(5, args.repeats // 5))
                all_http += http
                hits = index.search(q).total
                p95 = sorted(fts)[int(len(fts) * 0.95) - 1]
                print(f"| {kind} `{q}` | {hits} | {statistics.median(fts):.2f} | {p95:.2f} | "
                      f"{statistics.median(http):.1f} | {statistics.median(ref):.1f} | "
                      f"{statistics.median(ref) / statistics.median(fts):.0f}× |")
        median = statistics.median(all_http)
        print(f"\nall queries over HTTP: median {median:.1f} ms — target < 50 ms: {'met' if median < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
