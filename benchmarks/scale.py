"""How basel-kg scales: the shipped data replicated N times (benchmarks/synthetic.py), each step
timed beside its reference engine in the same run.

For each factor N (default 1 and 10; 100 and 700 when asked), in a fresh process (so peak
memory is that of one build):

- ``build``: parse, reason, validate (whole graph), write the release; the stages separately;
- reasoning: ours (OWL 2 RL rules compiled to SPARQL, in pyoxigraph) beside owlrl;
- whole-graph validation: pyshacl-turbo beside pySHACL;
- ``validate`` of a 5-triple file in context: only the file's neighbourhood is read from the
  store and validated (beside the previous way, the whole graph copied into rdflib);
- the incremental reasoner on a 100-triple change (add, then remove) beside a full recompute;
- every published query, uncached, in process (pyoxigraph): the slowest one;
- peak resident memory of the process.

The reference engines (owlrl, pySHACL) take minutes at 10x and hours at 100x: they run up
to ``--reference-max`` (default 10). Each figure is the median of ``--repeat`` runs (the
build: one run). The machine is shared: read the ratios, not the seconds.

    nice .venv/bin/python benchmarks/scale.py                  # 1x and 10x
    nice .venv/bin/python benchmarks/scale.py --factors 1 10 100
    nice .venv/bin/python benchmarks/scale.py --factors 700 --reference-max 0
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

NEW_FILE = """
@prefix bkg: <https://w3id.org/basel-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/basel-kg/org/benchmark-new-org> a bkg:IntergovernmentalOrganisation ;
    rdfs:label "Benchmark organisation"@en ;
    rdfs:comment "An organisation added to time the validation of a small file."@en ;
    bkg:participatesIn <https://w3id.org/basel-kg/activity/pace-guidance-document-comments-2011> ;
    prov:wasDerivedFrom <https://w3id.org/basel-kg/source/000_b70848e70e6ee01f#current-status> .
"""


CLOCK = time.perf_counter  # --clock cpu: time.process_time (this process's CPU seconds)


def in_memory(dataset):
    """A plain in-memory pyoxigraph store holding ``dataset``'s named graphs."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(dataset.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        start = CLOCK()
        value = fn()
        times.append(CLOCK() - start)
    return statistics.median(times), value


def measure(factor: int, repeat: int, reference: bool) -> dict:
    """One factor, in this process: a dict of figures (seconds, counts, bytes)."""
    sys.path.insert(0, str(HERE))
    from rdflib import Graph
    from synthetic import make_project

    from basel_kg.build import build_knowledge_graph
    from basel_kg.namespaces import GRAPH
    from basel_kg.queries import load_registry
    from basel_kg.reasoning import IncrementalReasoner, infer, infer_owlrl
    from basel_kg.release import write_release
    from basel_kg.validation import neighbourhood, validate

    out: dict = {"factor": factor}
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(factor, Path(tmp) / "project", source=ROOT)
        start = CLOCK()
        kg = build_knowledge_graph(root=root)
        built = CLOCK()
        results = kg.report.results if kg.report else []
        out["conforms"] = kg.conforms
        out["results"] = len(results)
        out["results_in_replicas"] = sum(1 for r in results if "-r" in str(r.focus_node))
        if kg.conforms:
            write_release(kg, Path(tmp) / "dist")
        else:  # replicas that do not conform (see synthetic.py): time the release all the same
            from dataclasses import replace

            write_release(replace(kg, report=None), Path(tmp) / "dist")
        out["build"] = CLOCK() - start
        out["release"] = CLOCK() - built
        out.update({f"build_{k}": v for k, v in kg.timings.items()})
        out["asserted"], out["inferred"] = kg.asserted_triples, kg.inferred_triples

        asserted = Graph()
        for g in kg.dataset.graphs():
            if g.identifier not in (GRAPH.INFERRED, GRAPH.SHAPES):
                asserted += g
        out["reason"], _ = median_time(lambda: infer(asserted), repeat)
        if reference:
            out["reason_owlrl"], _ = median_time(lambda: infer_owlrl(asserted), 1)

        out["validate_whole"], _ = median_time(lambda: validate(kg.dataset, shapes=kg.shapes), repeat)
        if reference:
            out["validate_whole_pyshacl"], _ = median_time(
                lambda: validate(kg.dataset, shapes=kg.shapes, engine="pyshacl"), 1)

        new = Graph().parse(data=NEW_FILE, format="turtle")
        assert len(new) == 5
        store = in_memory(kg.dataset)  # what `basel-kg validate FILE` reads (on disk there)
        out["validate_file"], report = median_time(lambda: validate(new, context=store, shapes=kg.shapes), repeat)
        out["validate_file_conforms"] = report.conforms
        out["validate_file_triples"] = len(neighbourhood(store, new, kg.shapes))
        if reference:  # the previous way: the whole graph copied into rdflib as the context
            out["validate_file_copy"], _ = median_time(
                lambda: validate(new, context=kg.dataset, shapes=kg.shapes), 1)

        reasoner = IncrementalReasoner(asserted)
        change = sorted(t for t in asserted if "-r" not in str(t[0]) and t[1].endswith(("participant", "cites",
                                                                                         "hasMembership", "type")))[:100]

        def remove_and_add():
            reasoner.change(remove=change)
            reasoner.change(add=change)
        out["reason_incremental_100"], _ = median_time(remove_and_add, repeat)

        slowest = ("", 0.0)
        for query in load_registry(root).published():
            try:
                text = query.bind().sparql
            except Exception:  # noqa: BLE001 - a query that needs a value without a default
                continue
            seconds, _ = median_time(lambda: list(store.query(text, use_default_graph_as_union=True)), repeat)
            if seconds > slowest[1]:
                slowest = (query.name, seconds)
        out["query_slowest"], out["query_slowest_name"] = slowest[1], slowest[0]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def ratio(ours: float | None, ref: float | None) -> str:
    return f" (ref {fmt(ref)}, {ref / ours:.1f}x)" if ours and ref else ""


def table(rows: list[dict]) -> str:
    header = "| step | " + " | ".join(f"{r['factor']}x ({r['asserted']:,} + {r['inferred']:,} triples)" for r in rows) + " |"
    lines = [header, "|---|" + "---|" * len(rows)]

    def line(label: str, cell):
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in rows) + " |")

    line("`build` (parse + reason + validate + release)", lambda r: fmt(r["build"]))
    line("  stages: parse / reason / validate (wall) / release", lambda r: " / ".join(
        fmt(r.get(k)) for k in ("build_parse", "build_reason", "build_validate", "release")))
    line("reasoning: ours (owlrl)", lambda r: fmt(r["reason"]) + ratio(r["reason"], r.get("reason_owlrl")))
    line("incremental reasoning, 100 statements removed + added", lambda r: fmt(r["reason_incremental_100"]))
    line("whole-graph SHACL: pyshacl-turbo (pySHACL)",
         lambda r: fmt(r["validate_whole"]) + ratio(r["validate_whole"], r.get("validate_whole_pyshacl")))
    line("`validate` of a 5-triple file in context (whole graph copied to rdflib, the previous way)",
         lambda r: fmt(r["validate_file"]) + ratio(r["validate_file"], r.get("validate_file_copy")))
    line("  triples handed to the SHACL engine for it", lambda r: f"{r['validate_file_triples']:,}")
    line("slowest published query, uncached, in process", lambda r: f"{fmt(r['query_slowest'])} ({r['query_slowest_name']})")
    line("peak RSS of the process", lambda r: f"{r['peak_rss_mb']:,.0f} MB")
    line("SHACL results (in replicas)", lambda r: f"{r['results']} ({r['results_in_replicas']})")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10], help="replication factors (default 1 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the median is shown (default 3)")
    parser.add_argument("--reference-max", type=int, default=10,
                        help="run owlrl and pySHACL up to this factor (default 10)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall-clock seconds, or CPU seconds of the process (on a busy shared machine)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one factor, print JSON
    args = parser.parse_args()
    global CLOCK
    if args.clock == "cpu":
        CLOCK = time.process_time
    if args.one is not None:
        print(json.dumps(measure(args.one, args.repeat, args.one <= args.reference_max)))
        return 0
    rows = []
    for factor in args.factors:
        done = subprocess.run([sys.executable, __file__, "--one", str(factor), "--repeat", str(args.repeat),
                               "--reference-max", str(args.reference_max), "--clock", args.clock],
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{factor}x done", file=sys.stderr)
    print(f"({args.clock} seconds, median of {args.repeat})")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
