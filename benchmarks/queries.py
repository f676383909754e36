"""Each published query, uncached, on the shipped data replicated N times, in the three kinds of
store the project queries, beside the query text it replaced (if it was rewritten for speed).

Stores (all pyoxigraph, one process, rows read into Python as ``benchmarks/scale.py`` does):

- ``graphs``: the build's store, one named graph per file, queried with its union as default
  graph (``use_default_graph_as_union``): what ``scale.py`` times in process;
- ``view``: the union of the graphs stored as the default graph, in memory (the build's
  ``union`` store, what ``serve`` queries below ``--memory-views`` quads);
- ``disk``: the same view in a RocksDB store on disk, compacted once (what ``serve`` and the CLI
  query above ``--memory-views``, 100k quads by default: 100x and up).

For a query whose earlier text is kept in ``tests/fixtures/published-before/`` (the test
``test_a_rewritten_query_answers_as_before`` checks both give the same answers), the earlier
text is timed in the same run and the ratio printed. Default parameter values, as ``scale.py``.

    nice .venv/bin/python benchmarks/queries.py --factor 10 --clock cpu
    nice .venv/bin/python benchmarks/queries.py --nquads dump.nq --stores view disk

``--clock cpu`` gives CPU seconds of this process (the query engine is single-threaded), much
steadier than wall seconds on the shared machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
BEFORE = ROOT / "tests" / "fixtures" / "published-before"
STORES = ("graphs", "view", "disk")


def nquads(factor: int, folder: Path) -> bytes:
    """The built dataset (asserted and inferred named graphs) of the project replicated ``factor`` times."""
    from synthetic import make_project

    from basel_kg.build import build_knowledge_graph

    root = make_project(factor, folder / "project", source=ROOT)
    return build_knowledge_graph(root=root, validate=False).dataset.serialize(format="nquads", encoding="utf-8")


def stores(data: bytes, wanted: list[str], folder: Path) -> dict:
    import pyoxigraph as ox

    graphs = ox.Store()
    graphs.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    union = graphs.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }").serialize(
        format=ox.RdfFormat.N_TRIPLES)
    out = {}
    if "graphs" in wanted:
        out["graphs"] = (graphs, True)
    if "view" in wanted:
        view = ox.Store()
        view.bulk_load(union, format=ox.RdfFormat.N_TRIPLES)
        out["view"] = (view, False)
    if "disk" in wanted:
        disk = ox.Store(str(folder / "disk"))
        disk.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        disk.bulk_load(union, format=ox.RdfFormat.N_TRIPLES)
        disk.optimize()
        out["disk"] = (disk, False)
    return out


def timed(store, union: bool, text: str, repeat: int, clock) -> tuple[float, list]:
    times, rows = [], []
    for _ in range(repeat):
        start = clock()
        rows = list(store.query(text, use_default_graph_as_union=union))
        times.append(clock() - start)
    return statistics.median(times), rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--factor", type=int, default=10, help="replication factor (default 10)")
    source.add_argument("--nquads", type=Path, help="an N-Quads dump of a built dataset instead of building one")
    parser.add_argument("--stores", nargs="+", choices=STORES, default=list(STORES))
    parser.add_argument("--repeat", type=int, default=5, help="runs per query; the median is shown (default 5)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--queries", nargs="+", help="only these published queries")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter

    from basel_kg.queries import load_registry, parse_query_file

    folder = Path(tempfile.mkdtemp(prefix="basel-kg-queries-"))
    try:
        data = args.nquads.read_bytes() if args.nquads else nquads(args.factor, folder)
        kinds = stores(data, args.stores, folder)
        del data
        registry = load_registry(ROOT)
        print(f"({args.clock} ms, median of {args.repeat}; "
              f"{args.nquads or f'{args.factor}x'}; before = the text in tests/fixtures/published-before)")
        print("| query | rows | " + " | ".join(args.stores) + " |")
        print("|---|---|" + "---|" * len(args.stores))
        for query in registry.published():
            if args.queries and query.name not in args.queries:
                continue
            try:
                text = query.bind().sparql
            except Exception:  # noqa: BLE001 - a parameter without a default
                continue
            old = BEFORE / f"{query.name}.rq"
            before = parse_query_file(old).bind().sparql if old.is_file() else None
            cells, count = [], 0
            for kind in args.stores:
                store, union = kinds[kind]
                seconds, rows = timed(store, union, text, args.repeat, clock)
                count = len(rows)
                cell = f"{seconds * 1000:.1f}"
                if before is not None:
                    then, old_rows = timed(store, union, before, args.repeat, clock)
                    same = "" if sorted(map(str, old_rows)) == sorted(map(str, rows)) else ", ROWS DIFFER"
                    cell += f" (before {then * 1000:.1f}, {then / seconds:.1f}x{same})"
                cells.append(cell)
            print(f"| {query.name} | {count:,} | " + " | ".join(cells) + " |", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
