"""How long `basel-kg build` takes on the shipped data, stage by stage.

Runs the build (parse, reason, validate) and the release (six dumps, context, VoID, ontology
HTML) several times in one process and prints the median of each stage, plus one cold run of
the command itself (a fresh `python -m basel_kg build`, imports included).

    .venv/bin/python benchmarks/build.py [--runs 3] [--root PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from basel_kg.build import build_knowledge_graph
from basel_kg.release import write_release
from basel_kg.project import project_root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="in-process runs; the median is shown (default 3)")
    parser.add_argument("--root", type=Path, default=None, help="project folder (default: this checkout)")
    args = parser.parse_args()
    root = (args.root or project_root()).resolve()

    stages: dict[str, list[float]] = {}
    kg = None
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            start = time.perf_counter()
            kg = build_knowledge_graph(root=root)
            built = time.perf_counter()
            # A non-conforming graph is not released; time the release of the same graph unvalidated.
            releasable = kg if kg.conforms else replace(kg, report=None)
            write_release(releasable, Path(tmp) / f"dist-{run}")
            done = time.perf_counter()
            for name, seconds in kg.timings.items():
                stages.setdefault(name, []).append(seconds)
            stages.setdefault("release", []).append(done - built)
            stages.setdefault("total (in process)", []).append(done - start)

        env = dict(os.environ, BASEL_KG_ROOT=str(root))
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "basel_kg", "build", "--out", str(Path(tmp) / "cold")],
                              env=env, capture_output=True, text=True)
        cold = time.perf_counter() - start

    print(f"basel-kg build on {root} (version {kg.version}): {kg.asserted_triples} asserted + "
          f"{kg.inferred_triples} inferred triples, {len(kg.graphs)} graphs, "
          f"{'conforms' if kg.conforms else 'DOES NOT CONFORM (release timed without the report)'}")
    print(f"{'stage':<22}{'median s':>10}{'min s':>8}{'max s':>8}")
    for name, values in stages.items():
        print(f"{name:<22}{statistics.median(values):>10.2f}{min(values):>8.2f}{max(values):>8.2f}")
    print(f"{'python -m basel_kg build (cold, exit ' + str(proc.returncode) + ')':<38}{cold:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
