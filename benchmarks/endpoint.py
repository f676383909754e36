"""SPARQL endpoint throughput: basel-kg's server against `oxigraph serve` and rdflib-endpoint.

All three serve the same release (the built knowledge graph as N-Quads, inferred graph
included, default graph = union of the named graphs) and answer the same mix: every
published query (queries/published/*.rq, parameters at their defaults), sent round-robin by
1 and by 8 concurrent clients, JSON results, in one run on this machine.

    .venv/bin/python benchmarks/endpoint.py [--seconds 8] [--concurrency 1 8]

basel-kg is measured twice: as deployed (its result cache on) and with the cache off, so the
figures show what the engine does, not only the cache. Needs the bench extras
(`pip install -e '.[bench]'`: oxigraph, rdflib-endpoint).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import Figures, Server, answers, free_port, load, oxigraph_binary, published_queries

BIN = Path(sys.executable).parent


def build_release(folder: Path) -> Path:
    """The knowledge graph (reasoned) as N-Quads: what every server loads."""
    from basel_kg.build import build_knowledge_graph

    kg = build_knowledge_graph(validate=False)
    path = folder / "basel-kg.nq"
    path.write_bytes(kg.dataset.serialize(format="nquads", encoding="utf-8"))
    return path


def serve_basel_kg(nquads: Path, port: int, cache: bool) -> None:
    """Child-process mode: our server over the release, as `basel-kg serve` runs it."""
    import uvicorn

    from basel_kg.server import Settings, create_app
    from basel_kg.store import EmbeddedStore

    with EmbeddedStore() as store:
        store.load_dataset(nquads)
        app = create_app(Settings(store=store, cache_bytes=64 * 2**20 if cache else 0))
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="measuring time per server and concurrency")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8], help="concurrent clients")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--serve-basel-kg", nargs=3, metavar=("NQUADS", "PORT", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_basel_kg:
        nquads, port, cache = args.serve_basel_kg
        serve_basel_kg(Path(nquads), int(port), cache == "on")
        return 0

    queries = published_queries()
    with tempfile.TemporaryDirectory(prefix="basel-kg-bench-") as tmp:
        folder = Path(tmp)
        print(f"building the knowledge graph ... ", end="", flush=True, file=sys.stderr)
        nquads = build_release(folder)
        print(f"{sum(1 for _ in nquads.open('rb'))} quads", file=sys.stderr)
        oxigraph = oxigraph_binary()
        subprocess.run([oxigraph, "load", "--location", str(folder / "oxigraph"), "--file", str(nquads)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ports = {name: free_port() for name in ("basel-kg", "basel-kg (no cache)", "oxigraph serve", "rdflib-endpoint")}
        servers = [
            Server("basel-kg", [sys.executable, __file__, "--serve-basel-kg", str(nquads), str(ports["basel-kg"]), "on"],
                   f"http://127.0.0.1:{ports['basel-kg']}/sparql"),
            Server("basel-kg (no cache)", [sys.executable, __file__, "--serve-basel-kg", str(nquads),
                                           str(ports["basel-kg (no cache)"]), "off"],
                   f"http://127.0.0.1:{ports['basel-kg (no cache)']}/sparql"),
            Server("oxigraph serve", [oxigraph, "serve-read-only", "--location", str(folder / "oxigraph"), "--bind",
                                      f"127.0.0.1:{ports['oxigraph serve']}", "--union-default-graph"],
                   f"http://127.0.0.1:{ports['oxigraph serve']}/query"),
            Server("rdflib-endpoint", [str(BIN / "rdflib-endpoint"), "serve", str(nquads), "--host", "127.0.0.1",
                                       "--port", str(ports["rdflib-endpoint"])],
                   f"http://127.0.0.1:{ports['rdflib-endpoint']}/"),
        ]
        results: list[Figures] = []
        rows: dict[str, dict[str, int]] = {}
        for server in servers:
            print(f"{server.name}: starting", file=sys.stderr)
            with server:
                rows[server.name] = {name: n for name, (n, _) in answers(server.url, queries).items()}
                for concurrency in args.concurrency:
                    figures = asyncio.run(load(server.url, queries, concurrency, args.seconds))
                    figures.server = server.name
                    results.append(figures)
                    print(f"  c={concurrency}: {figures.throughput:.1f} req/s", file=sys.stderr)
    report(results, rows, queries)
    if args.json:
        args.json.write_text(json.dumps([{
            "server": f.server, "concurrency": f.concurrency, "requests": f.requests, "errors": f.errors,
            "throughput": f.throughput, "p50_ms": f.percentile(50), "p99_ms": f.percentile(99)} for f in results],
            indent=2))
    return 0


def report(results: list[Figures], rows: dict[str, dict[str, int]], queries: list[tuple[str, str]]) -> None:
    print(f"\nPublished-query mix ({len(queries)} queries, JSON results), {os.cpu_count()} CPUs\n")
    print(f"{'server':<22}{'clients':>8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for f in results:
        print(f"{f.server:<22}{f.concurrency:>8}{f.throughput:>10.1f}{f.percentile(50):>10.2f}"
              f"{f.percentile(99):>10.2f}{f.errors:>8}")
    by = {(f.server, f.concurrency): f for f in results}
    print()
    for ours in ("basel-kg", "basel-kg (no cache)"):
        for concurrency in sorted({f.concurrency for f in results}):
            mine = by.get((ours, concurrency))
            if mine is None:
                continue
            ratios = [f"{mine.throughput / by[(other, concurrency)].throughput:.1f}x {other}"
                      for other in ("oxigraph serve", "rdflib-endpoint") if (other, concurrency) in by]
            print(f"{ours} at {concurrency} client(s): " + ", ".join(ratios))
    names = list(rows)
    differing = [q for q, _ in queries if len({rows[n].get(q) for n in names}) > 1]
    print("\nrows per query agree across servers" if not differing else
          "\nrows per query differ (oxigraph's union default graph keeps duplicates) for: " + ", ".join(differing))


if __name__ == "__main__":
    sys.exit(main())
