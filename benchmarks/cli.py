"""Command-line latency: what a user waits for `basel-kg query` and `basel-kg validate`.

Measured as a user runs them (a new process each time, wall clock, median of --repeats):

- `query`: a simple SELECT on the shipped data, from the cache of the built graph (warm),
  and with an empty cache (cold: parse and reason first, as every call did before the cache);
- `query` with a syntax error (reported before anything is loaded);
- `validate` of a 5-triple file in the context of the knowledge graph (warm cache).

Reference engine, measured in the same run: `oxigraph query` (Oxigraph's own CLI, Rust) on an
on-disk store holding the same N-Quads, for the same query and the same syntax error.

    .venv/bin/python benchmarks/cli.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
QUERY = "SELECT ?d ?n WHERE { ?d a bkg:Decision ; bkg:decisionNumber ?n } LIMIT 5"
PREFIXED = "PREFIX bkg: <https://w3id.org/basel-kg/ontology#> " + QUERY
BROKEN = "SELECT * WHERE { ?s ?p "
FIVE = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/basel-kg/org/x> rdfs:label "X"@en ; rdfs:comment "c"@en .
<https://w3id.org/basel-kg/org/y> rdfs:label "Y"@en ; rdfs:comment "d"@en .
<https://w3id.org/basel-kg/org/z> rdfs:label "Z"@en .
"""


def seconds(command: list[str], env: dict[str, str], *, expect: int | None = 0) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode not in ((0, 1) if expect is None else (expect,)):
        raise SystemExit(f"{' '.join(command)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return took


def median(command: list[str], env: dict[str, str], repeats: int, *, expect: int | None = 0, before=None) -> float:
    runs = []
    for _ in range(repeats):
        if before:
            before()
        runs.append(seconds(command, env, expect=expect))
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="basel-kg-bench-cli-"))
    env = dict(os.environ, BASEL_KG_CACHE=str(tmp / "cache"))
    env.pop("BASEL_KG_ROOT", None)
    five = tmp / "five.ttl"
    five.write_text(FIVE, encoding="utf-8")
    kg = [str(BIN / "basel-kg")]

    def empty_cache() -> None:
        subprocess.run(["rm", "-rf", env["BASEL_KG_CACHE"]], check=True)

    cold = median(kg + ["query", QUERY], env, max(1, args.repeats // 2), before=empty_cache)
    warm = median(kg + ["query", QUERY], env, args.repeats)
    syntax = median(kg + ["query", BROKEN], env, args.repeats, expect=2)
    validate = median(kg + ["validate", str(five)], env, args.repeats, expect=None)  # 1: does not conform

    from basel_kg.cache import built

    os.environ["BASEL_KG_CACHE"] = env["BASEL_KG_CACHE"]
    store = tmp / "oxigraph"
    subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(store), "--file", str(built().nquads)],
                   check=True, capture_output=True)
    ox = [str(BIN / "oxigraph"), "query", "--location", str(store), "--union-default-graph", "--results-format", "tsv"]
    ox_query = median(ox + ["--query", PREFIXED], env, args.repeats)
    ox_syntax = median(ox + ["--query", BROKEN], env, args.repeats, expect=1)

    rows = [
        ("basel-kg query (cache warm)", warm, ox_query),
        ("basel-kg query (cache cold: parse + reason)", cold, ox_query),
        ("basel-kg query, syntax error", syntax, ox_syntax),
        ("basel-kg validate, 5 triples (cache warm)", validate, None),
    ]
    print(f"{'command':48} {'seconds':>8} {'oxigraph query':>15} {'ratio':>6}")
    for name, ours, ref in rows:
        ref_text = f"{ref:15.2f}" if ref is not None else f"{'-':>15}"
        ratio = f"{ours / ref:6.1f}" if ref else f"{'-':>6}"
        print(f"{name:48} {ours:8.2f} {ref_text} {ratio}")
    print(f"(median of {args.repeats} runs; cold: median of {max(1, args.repeats // 2)}; reference: "
          f"`oxigraph query --union-default-graph` on an on-disk store of the same N-Quads)")


if __name__ == "__main__":
    main()
