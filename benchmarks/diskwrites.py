"""Validated writes into a store on disk: ``basel-kg serve --store`` with its query views on disk
(RocksDB) beside ``oxigraph serve`` on the same dataset, and where the time of a write goes.

The shipped data replicated ``--factor`` times (``benchmarks/synthetic.py``; a project written
beforehand with ``--project``). ``--memory-views`` (default 0) is passed to ``serve``: above it
the store keeps its two query views on disk (the default, 100k quads, puts 100x there but not
10x). Measured, each the median of ``--repeat`` runs:

- validated 100-triple PUTs per second over HTTP (parse, reason, SHACL on what the write
  touches, atomic apply to the store, the views' share worked out (they take it when read), PROV-O
  record), one client,
  beside ``oxigraph serve``'s unvalidated PUT of the same documents (same run, same data);
- the same PUTs once the server's search index is in use (a ``/search`` builds it; from then
  on each write hands it the subjects it touched, which the next search re-reads), and that
  first build;
- the first query after a write (a query process on a new snapshot of the store) beside a
  query with no write before it;
- with ``--sustained N``, N PUTs in a row: the median time of the first 20 and of the last 20
  (a write must not cost more for the writes before it: RocksDB's tombstones, the in-memory
  stores' history);
- over those PUTs in a row (or ``--writes`` of them), the CPU a PUT of each part of the ``serve``
  tree, read from ``/proc`` (:func:`harness.tree_cpu`): the web process, the store process's
  Python threads, RocksDB's compaction and flush threads, the parser processes: on two cores,
  the background work of one write competes with the next;
- then, in this process on the same store (the server stopped), the store's side of the same
  writes alone, split: the change planned, applied to the store, to both views, recorded;
- and the cold start of ``serve`` (build without SHACL, load, views, release): its time and the
  peak memory of its process tree (PSS, psutil).

    nice .venv/bin/python benchmarks/diskwrites.py --factor 10 --writes 20 --repeat 3
    flock /tmp/basel-heavy.lock nice .venv/bin/python benchmarks/diskwrites.py --factor 100 --writes 10 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from harness import (  # noqa: E402
    ACCEPT, CPU_PARTS, TOKEN, Server, document, first_search_seconds, free_port, oxigraph_binary, print_rows,
    tree_cpu, write_latencies, writes_per_second)

GRAPH = "https://example.org/bench/replaced"
ASK = "ASK { ?s ?p ?o }"


def first_query_after_write(url: str, repeat: int) -> tuple[float, float]:
    """Seconds of a query right after a write (median) and of the same query with none before it."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
    after, warm = [], []
    with httpx.Client(timeout=600) as client:
        for n in range(repeat + 1):
            response = client.put(url + "store", params={"graph": GRAPH}, content=document(f"q{n}", 100),
                                  headers=headers)
            assert response.status_code in (200, 201, 204), response.text[:2000]
            for times in (after, warm):
                start = time.perf_counter()
                client.post(url + "sparql", data={"query": ASK}, headers={"Accept": ACCEPT}).raise_for_status()
                times.append(time.perf_counter() - start)
    return statistics.median(after[1:]), statistics.median(warm[1:])


def store_side(path: Path, writes: int, memory_views: int) -> dict[str, float]:
    """The store's side of the benchmark's PUTs alone (no guard), in this process, milliseconds
    per write (median): planned, applied (store, views, state). Here the views take every write
    as it comes (no views' thread): the cost a write puts on them before any netting."""
    import pyoxigraph as ox

    from basel_kg.namespaces import GRAPH as G
    from basel_kg.store import diskviews, holder

    spent: dict[str, list[float]] = {}

    def timed(owner, name: str, key: str) -> None:
        method = getattr(owner, name)

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent.setdefault(key, []).append(time.perf_counter() - start)
        setattr(owner, name, wrapper)

    timed(holder.Holder, "plan_graph", "plan the change (read the graph)")
    timed(holder.Holder, "apply", "apply: in all")
    timed(holder.Holder, "_view_changes",
          "apply: what each view gains and loses (the union's bookkeeping; in serve, in the views' thread)")
    timed(holder.Holder, "_write_views", "apply: both views written, every write (in serve they owe it, netted with "
                                         "the writes before, and take it when read)")
    timed(diskviews.DiskViews, "commit", "apply: the views' state recorded (in serve, when they take what they owe)")
    timed(diskviews.DiskViews, "_snapshot", "a snapshot for query processes (not per write)")
    config = {"path": str(path), "base_iri": "https://w3id.org/basel-kg/", "inferred_graphs": (str(G.INFERRED),),
              "prefixes": {}, "worker_memory_mb": None, "memory_views_max": memory_views}
    # the server's store process may still be closing the store (its lock)
    store = holder.open_when_free(lambda: holder.Holder(config), 120, every=1)
    spent.clear()
    for n in range(writes):
        turtle = document(f"s{n}", 100).encode()
        ntriples = ox.serialize([q.triple for q in ox.parse(turtle, ox.RdfFormat.TURTLE)], format=ox.RdfFormat.N_TRIPLES)
        delta, _ = store.plan_graph("put", GRAPH, ntriples)
        store.apply(delta, "bench")
    if store.stored is not None and hasattr(store.stored, "snapshot"):  # (before: one per write, in "apply")
        store.stored.snapshot()
    return {key: statistics.median(values) * 1000 for key, values in spent.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=10, help="the shipped data replicated N times (default 10)")
    parser.add_argument("--project", type=Path, help="a project written beforehand by benchmarks/synthetic.py")
    parser.add_argument("--memory-views", type=int, default=0, help="serve's --memory-views (default 0: on disk)")
    parser.add_argument("--writes", type=int, default=20, help="PUTs per measurement (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="measurements (default 3)")
    parser.add_argument("--sustained", type=int, default=0,
                        help="then this many PUTs in a row: the median time of the first 20 and of the last 20 "
                             "(does a write cost more after many writes?); default 0, none")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    out: dict = {"factor": args.factor, "memory_views": args.memory_views}
    with tempfile.TemporaryDirectory(prefix=f"basel-kg-diskwrites-{args.factor}x-") as tmp:
        folder = Path(tmp)
        root = args.project
        if root is None:
            from synthetic import make_project

            root = make_project(args.factor, folder / "project", source=ROOT)
        cache = folder / "cache"
        env = {**os.environ, "BASEL_KG_ROOT": str(root), "BASEL_KG_CACHE": str(cache),
               "XDG_CACHE_HOME": str(folder / "xdg"), "BASEL_KG_WRITE_TOKEN": f"bench={TOKEN}"}
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        command = [str(Path(sys.executable).with_name("basel-kg")), "serve", "--store", str(folder / "store"),
                   "--port", str(port), "--quiet", "--result-cache", "0", "--memory-views", str(args.memory_views)]
        with Server("basel-kg serve", command, url + "sparql", env=env, start_timeout=4 * 3600,
                    watch_memory=True) as ours:
            out["cold_start"] = ours.started
            out["cold_pss_mb"], out["cold_rss_mb"] = ours.memory.peak_pss / 2**20, ours.memory.peak_rss / 2**20
            out["ours"] = statistics.median(writes_per_second(url, args.writes, replace=True)
                                            for _ in range(args.repeat))
            out["after_write"], out["no_write"] = first_query_after_write(url, args.repeat)
            out["search_build"] = first_search_seconds(url)
            out["with_search"] = statistics.median(writes_per_second(url, args.writes, replace=True)
                                                   for _ in range(args.repeat))
            before = tree_cpu(ours.process.pid)
            count = args.sustained or args.writes
            times = write_latencies(url, count, replace=True, run=7)
            after = tree_cpu(ours.process.pid)
            out["cpu_ms"] = {part: (after[part] - before[part]) / count * 1000 for part in CPU_PARTS}
            out["cpu_wall_ms"] = statistics.mean(times) * 1000
            if args.sustained:
                out["sustained_first"] = statistics.median(times[:20])
                out["sustained_last"] = statistics.median(times[-20:])
        print("basel-kg serve: measured", file=sys.stderr)
        out["store_ms"] = store_side(folder / "store", args.writes, args.memory_views)
        dataset = next(cache.glob("*/dataset.nq"))
        out["quads"] = sum(1 for _ in dataset.open("rb"))
        location = folder / "oxigraph"
        subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(dataset)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        command = [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                   "--union-default-graph"]
        with Server("oxigraph serve", command, url + "query"):
            out["oxigraph"] = statistics.median(writes_per_second(url, args.writes, replace=True)
                                                for _ in range(args.repeat))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    where = "views on disk" if args.memory_views < out["quads"] else "views in memory"
    rows = [
        (f"validated 100-triple PUTs/s over HTTP, {args.project or f'{args.factor}x'} ({out['quads']:,} quads, {where})",
         f"{out['ours']:.1f}/s"),
        ("reference: oxigraph serve, unvalidated PUTs/s (ratio)",
         f"{out['oxigraph']:.1f}/s ({out['ours'] / out['oxigraph']:.3f}x)"),
        ("validated PUTs/s once the search index is in use (each write notes what it touched) / its first build",
         f"{out['with_search']:.1f}/s / {out['search_build']:.1f} s"),
        ("first query after a write (ASK; a query process on a new snapshot) / with no write before it",
         f"{out['after_write'] * 1000:.0f} ms / {out['no_write'] * 1000:.0f} ms"),
        ("serve cold start (build without SHACL, load, views, release): seconds, peak PSS (RSS summed) of the tree",
         f"{out['cold_start']:.1f} s, {out['cold_pss_mb']:,.0f} MB ({out['cold_rss_mb']:,.0f} MB)"),
        (f"CPU a PUT of the serve tree over {args.sustained or args.writes} PUTs in a row (/proc), in all / "
         "the PUT's mean time", f"{sum(out['cpu_ms'].values()):.1f} ms / {out['cpu_wall_ms']:.1f} ms"),
        *((f"  of which {part}", f"{ms:.1f} ms") for part, ms in out["cpu_ms"].items()),
        *((f"store side alone, in process, per write: {key}", f"{ms:.1f} ms") for key, ms in out["store_ms"].items()),
    ]
    if args.sustained:
        rows.insert(2, (f"{args.sustained} PUTs in a row: median time of the first 20 / of the last 20 (ratio)",
                        f"{out['sustained_first'] * 1000:.1f} ms / {out['sustained_last'] * 1000:.1f} ms "
                        f"({out['sustained_last'] / out['sustained_first']:.2f}x)"))
    print(f"({args.writes} writes, median of {args.repeat}; {os.cpu_count()} CPUs)")
    print_rows(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
