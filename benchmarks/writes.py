"""Validated writes and pushes: what a write costs, and what pushing the release costs.

1. Throughput of validated writes of a 100-triple document into the shipped graph (or the
   shipped data replicated ``--factor`` times, ``benchmarks/synthetic.py``), through the HTTP
   API (Graph Store Protocol, one client; writers are serialised anyway): POST of new graphs
   (additions only) and PUT replacing one graph (additions and removals), on an in-memory and
   an on-disk (RocksDB, durable) store. Each write is parsed, reasoned about, SHACL-validated
   on what it touches, applied atomically and recorded (PROV-O). The reference, in the same
   run: the same writes, unvalidated, into ``oxigraph serve`` holding the same data.
2. Latency of validating a 1,000-triple document (``POST /validate``).
3. Time to push the release (``basel-kg push``: every named graph plus VoID) into a fresh
   ``oxigraph serve``, by Graph Store Protocol PUTs and by SPARQL Update.

    .venv/bin/python benchmarks/writes.py [--writes 20] [--repeat 5] [--factor 10]

Every figure is the median of ``--repeat`` runs (each run's writes are new documents).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from harness import TOKEN, document, free_port, oxigraph_binary, print_rows, writes_per_second

ROOT = Path(__file__).resolve().parent.parent

def _tree_cpu() -> float:
    """CPU seconds of this process (the server runs in a thread of it) and its children (the
    store's and the parser's processes) so far."""
    import psutil

    total = 0.0
    for process in (me := psutil.Process(), *me.children(recursive=True)):
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _with_cpu(measure, *args, **kwargs) -> tuple[float, float]:
    """``measure(...)`` and the CPU seconds the server's processes spent meanwhile (the tree's,
    less this thread's: the client). On a machine shared with other jobs, the figure that does
    not depend on their load, where writes per second does."""
    before, client = _tree_cpu(), time.thread_time()
    value = measure(*args, **kwargs)
    return value, (_tree_cpu() - before) - (time.thread_time() - client)


def _medians(pairs) -> tuple[float, float]:
    values, cpus = zip(*pairs)
    return statistics.median(values), statistics.median(cpus)


def validation_latency(url: str, repeat: int) -> float:
    body = document("v", 1000)
    timings = []
    with httpx.Client(timeout=120) as client:
        for _ in range(repeat + 1):
            start = time.perf_counter()
            response = client.post(url + "validate", content=body, headers={"Content-Type": "text/turtle"})
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200 and '"conforms": true' in response.text, response.text[:500]
    return statistics.median(timings[1:]) * 1000


def push_seconds(release: Path, repeat: int, folder: Path, writes: int) -> tuple[dict[str, float], dict[str, float]]:
    """The push of the release into a fresh ``oxigraph serve`` (median seconds by each way), and
    then, into the server holding it, the benchmark's writes unvalidated (writes per second,
    POST of new graphs and PUT replacing one: the reference for the validated ones)."""
    oxigraph = oxigraph_binary()
    figures: dict[str, list[float]] = {"Graph Store PUT": [], "SPARQL Update": []}
    reference: dict[str, list[float]] = {"POST": [], "PUT": []}
    for attempt in range(repeat):
        for how in figures:
            port = free_port()
            process = subprocess.Popen([oxigraph, "serve", "--location", str(folder / f"oxigraph-{attempt}-{len(how)}"),
                                        "--bind", f"127.0.0.1:{port}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                url = f"http://127.0.0.1:{port}/"
                for _ in range(200):
                    try:
                        httpx.get(url + "query", params={"query": "ASK {}"}, timeout=1)
                        break
                    except httpx.HTTPError:
                        time.sleep(0.05)
                extra = ["--graph-store", url + "store"] if how == "Graph Store PUT" else []
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "basel_kg.push", "--release", str(release), "--endpoint",
                                url + "update", *extra], check=True, capture_output=True, timeout=600)
                figures[how].append(time.perf_counter() - start)
                if how == "Graph Store PUT":
                    reference["POST"].append(writes_per_second(url, writes, replace=False, run=attempt + 1))
                    reference["PUT"].append(writes_per_second(url, writes, replace=True, run=attempt + 1))
            finally:
                process.terminate()
                process.wait(timeout=30)
    return ({how: statistics.median(values) for how, values in figures.items()},
            {how: statistics.median(values) for how, values in reference.items()})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=20, help="writes per measurement (default 20)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of each measurement, the median printed (default 5)")
    parser.add_argument("--factor", type=int, default=1, help="the shipped data replicated N times (default 1)")
    args = parser.parse_args()

    from basel_kg.build import build_knowledge_graph
    from basel_kg.release import write_release
    from basel_kg.server import Settings, create_app
    from basel_kg.server.background import BackgroundServer
    from basel_kg.store import EmbeddedStore

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="basel-kg-bench-") as tmp:
        folder = Path(tmp)
        if args.factor == 1:
            kg = build_knowledge_graph(validate=False)
        else:
            from synthetic import make_project

            kg = build_knowledge_graph(root=make_project(args.factor, folder / "project", source=ROOT),
                                       validate=False)
        release = folder / "release"
        write_release(kg, release)
        nquads = kg.dataset.serialize(format="nquads", encoding="utf-8")
        # the server runs in this process: as in `basel-kg serve`'s web process, no rdflib copy of
        # the graph stays beside it (it would only slow Python's collector during the writes)
        del kg
        gc.collect()
        ours: dict[str, float] = {}
        for where, path in (("in memory", None), ("on disk", folder / "store")):
            with EmbeddedStore(path) as store:
                store.load_dataset(nquads, version="bench")
                settings = Settings(store=store, dumps_dir=None, write_tokens=(("bench", TOKEN),))
                with BackgroundServer(create_app(settings)) as server:
                    # medians of --repeat runs, each of new documents (see writes_per_second)
                    added, added_cpu = _medians(
                        _with_cpu(writes_per_second, server.url, args.writes, replace=False, run=run + 1)
                        for run in range(args.repeat))
                    replaced, replaced_cpu = _medians(
                        _with_cpu(writes_per_second, server.url, args.writes, replace=True, run=run + 1)
                        for run in range(args.repeat))
                    ours.setdefault("POST", added)
                    ours.setdefault("PUT", replaced)
                    for what, per_second, cpu in (("POST of a new graph", added, added_cpu),
                                                  ("PUT replacing a graph", replaced, replaced_cpu)):
                        rows.append((f"validated writes/s, 100-triple {what}, {where}", f"{per_second:.1f}"))
                        rows.append((f"  CPU per write of the server's processes (web, store, parser)",
                                     f"{cpu / (args.writes + 1) * 1000:.1f} ms"))
                    if path is None:
                        latency = validation_latency(server.url, args.repeat)
                        rows.append(("validation latency, 1,000-triple document (POST /validate, median)",
                                     f"{latency:.0f} ms"))
        triples = sum(1 for _ in (release / "basel-kg.nq").open("rb")) + sum(
            1 for line in (release / "void.ttl").open("rb") if line.strip())
        pushes, reference = push_seconds(release, args.repeat, folder, args.writes)
        for how, seconds in pushes.items():
            rows.append((f"push the release to oxigraph serve ({how}, ~{triples:,} triples, median)", f"{seconds:.2f} s"))
        for how, per_second in reference.items():
            rows.append((f"reference: oxigraph serve, unvalidated 100-triple {how} writes/s (ours in memory: ratio)",
                         f"{per_second:.1f} ({ours[how] / per_second:.2f}x)"))
    print_rows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
