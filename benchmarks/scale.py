"""How basel-kg scales: the shipped data replicated N times (benchmarks/synthetic.py), each step
timed beside its reference engine in the same run.

For each factor N (default 1 and 10; 100 and 700 when asked), the project is written once, then

in a fresh process (so the peak memory read after the build is the build's):

- ``build``: parse, reason, validate (whole graph), write the release; the stages separately,
  and the peak RSS of the process at the end of the build;
- reasoning: ours (OWL 2 RL rules compiled to SPARQL, in pyoxigraph) beside owlrl;
- whole-graph validation: pyshacl-turbo beside pySHACL;
- ``validate`` of a 5-triple file in context: only the file's neighbourhood is read from the
  store and validated (beside the previous way, the whole graph copied into rdflib);
- the incremental reasoner on a 100-triple change (add, then remove);
- every published query, uncached, in process (pyoxigraph): the slowest one;

then through ``basel-kg serve --store`` (the real process tree: supervisor, server, store holder,
query workers, validator; result cache off, no row cut) beside ``oxigraph serve`` on the same
dataset (``--no-serve`` leaves these out):

- cold start (build without SHACL, load, release) beside ``oxigraph load``;
- restart on its store, to the first answer, beside ``oxigraph serve`` starting on its store;
- published-query throughput, uncached, by 1 and 4 clients (``--clients``), and the slowest
  published query over HTTP;
- validated 100-triple PUTs per second (parse, reason, SHACL on what the write touches, atomic
  apply, PROV-O record) beside ``oxigraph serve``'s unvalidated PUT, then again once the
  server's search index is in use (a ``/search`` builds it), as on a server people search;
- peak memory of the whole ``serve`` process tree, during the cold start (the process that
  builds the graph included) and while serving (psutil; PSS counts pages that forked
  processes share once, the RSS sum counts them in each).

The reference engines owlrl and pySHACL take minutes at 10x and hours at 100x: they run up to
``--reference-max`` (default 10). Each figure is the median of ``--repeat`` runs (the build and
the cold start: one run). The machine is shared: read the ratios, not the seconds.

    nice .venv/bin/python benchmarks/scale.py                  # 1x and 10x
    nice .venv/bin/python benchmarks/scale.py --factors 1 10 100 --repeat 1
    nice .venv/bin/python benchmarks/scale.py --factors 700 --reference-max 0 --repeat 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from harness import (  # noqa: E402
    TOKEN, Server, answers, first_search_seconds, first_write_seconds, free_port, load, oxigraph_binary,
    published_queries, writes_per_second)

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


def median_time(fn, repeat: int, first: float | None = None) -> tuple[float, object]:
    """The median seconds of ``repeat`` calls of ``fn`` (and its last value); ``first``: one
    run already timed (the build's stage doing the same work), counted as one of them."""
    times, value = ([first] if first is not None else []), None
    for _ in range(repeat - len(times)):
        start = CLOCK()
        value = fn()
        times.append(CLOCK() - start)
    return statistics.median(times), value


def measure(factor: int, root: Path, repeat: int, reference: bool, incremental: bool = True) -> dict:
    """One factor (the project at ``root``), in this process: a dict of figures (seconds,
    counts, bytes). The build runs first, so the peak RSS read after it is the build's. The
    steps after it read the build's pyoxigraph stores; an rdflib copy of the graph is made only
    for the reference engines (``reference``) and the incremental reasoner (``incremental``),
    which take rdflib graphs."""
    import pyoxigraph as ox
    from rdflib import Graph

    from basel_kg.build import build_knowledge_graph
    from basel_kg.namespaces import GRAPH
    from basel_kg.reasoning import IncrementalReasoner, infer_in_store, infer_owlrl
    from basel_kg.terms import triple_to_ox
    from basel_kg.release import write_release
    from basel_kg.validation import neighbourhood, validate, validate_store

    out: dict = {"factor": factor}
    with tempfile.TemporaryDirectory() as tmp:
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
        out["build_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out.update({f"build_{k}": v for k, v in kg.timings.items()})
        out["asserted"], out["inferred"] = kg.asserted_triples, kg.inferred_triples

        def stage(name: str) -> float | None:  # the build's wall time of a stage, one of the repeats
            return kg.timings.get(name) if CLOCK is time.perf_counter else None

        asserted_graphs = [ox.NamedNode(str(g)) for g in kg.graph_sizes if g != GRAPH.INFERRED]

        def reason_again() -> int:  # what the build's reasoning stage does, on a fresh store
            store = ox.Store()
            store.extend(ox.Quad(q.subject, q.predicate, q.object)
                         for g in asserted_graphs for q in kg.store.quads_for_pattern(None, None, None, g))
            return len(infer_in_store(store))
        out["reason"], _ = median_time(reason_again, repeat, stage("reason"))
        asserted = None
        if reference or incremental:
            asserted = Graph()
            for g in kg.dataset.graphs():
                if g.identifier not in (GRAPH.INFERRED, GRAPH.SHAPES):
                    asserted += g
        if reference:
            out["reason_owlrl"], _ = median_time(lambda: infer_owlrl(asserted), 1)

        out["validate_whole"], _ = median_time(lambda: validate_store(kg.union, shapes=kg.shapes), repeat,
                                               stage("validate"))
        if reference:
            out["validate_whole_pyshacl"], _ = median_time(
                lambda: validate(kg.dataset, shapes=kg.shapes, engine="pyshacl"), 1)

        new = Graph().parse(data=NEW_FILE, format="turtle")
        assert len(new) == 5
        store = ox.Store()  # what `basel-kg validate FILE` reads (on disk there)
        store.extend(kg.store)
        out["validate_file"], report = median_time(lambda: validate(new, context=store, shapes=kg.shapes), repeat)
        out["validate_file_conforms"] = report.conforms
        out["validate_file_triples"] = len(neighbourhood(store, new, kg.shapes))
        if reference:  # the previous way: the whole graph copied into rdflib as the context
            out["validate_file_copy"], _ = median_time(
                lambda: validate(new, context=kg.dataset, shapes=kg.shapes), 1)

        if incremental:
            reasoner = IncrementalReasoner(asserted)
            change = sorted(t for t in asserted if "-r" not in str(t[0]) and t[1].endswith(
                ("participant", "cites", "hasMembership", "type")))[:100]

            change = [triple_to_ox(t) for t in change]

            def remove_and_add():
                reasoner.change(remove=change)
                reasoner.change(add=change)
            out["reason_incremental_100"], _ = median_time(remove_and_add, repeat)
            del reasoner
        del asserted

        times = {}  # every published query's, in the JSON (benchmarks/queries.py prints them by store)
        for name, text in published_queries(root):
            times[name], _ = median_time(lambda: list(store.query(text, use_default_graph_as_union=True)), repeat)
        slowest = max(times, key=times.get)
        out["query_times"] = times
        out["query_slowest"], out["query_slowest_name"] = times[slowest], slowest
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure_serve(factor: int, root: Path, folder: Path, args: argparse.Namespace, out: dict | None = None) -> dict:
    """``basel-kg serve`` on the project at ``root`` (a real process tree: supervisor, server,
    store holder, query workers, validator) beside ``oxigraph serve`` on the same dataset:
    cold start, restart on its store, the first write after the start, uncached published-query
    throughput, the slowest published query over HTTP, validated 100-triple PUTs per second
    (without and with the search index in use), peak memory of the tree. The figures go into
    ``out`` as they are measured (kept if a later step fails)."""
    out = {} if out is None else out
    port = free_port()
    cache = folder / "cache"
    env = {**os.environ, "BASEL_KG_ROOT": str(root), "BASEL_KG_CACHE": str(cache),
           "XDG_CACHE_HOME": str(folder / "xdg"), "BASEL_KG_WRITE_TOKEN": f"bench={TOKEN}"}
    # the result cache off and no row cut, so both servers run every query in full
    command = [str(Path(sys.executable).with_name("basel-kg")), "serve", "--store", str(folder / "store"),
               "--port", str(port), "--quiet", "--result-cache", "0", "--max-rows", "100000000", "--timeout", "900"]
    url = f"http://127.0.0.1:{port}/"
    queries = published_queries(root)

    def serve_figures(name: str, server: Server, endpoint: str, base: str, prefix: str) -> None:
        try:
            measure(endpoint, base, prefix)
        except Exception:
            out[f"{prefix}_log"] = server.log_tail()  # what the server said before the step failed
            raise
        print(f"  {name}: measured", file=sys.stderr)

    def measure(endpoint: str, base: str, prefix: str) -> None:
        out[f"{prefix}_first_write"] = first_write_seconds(base)
        timed = answers(endpoint, queries, repeat=args.repeat)
        out[f"{prefix}_rows"] = {q: n for q, (n, _) in timed.items()}
        slowest = max(timed, key=lambda q: timed[q][1])
        out[f"{prefix}_query_times"] = {q: t for q, (_, t) in timed.items()}
        out[f"{prefix}_query_slowest"], out[f"{prefix}_query_slowest_name"] = timed[slowest][1], slowest
        for clients in args.clients:
            figures = asyncio.run(load(endpoint, queries, clients, args.seconds))
            out[f"{prefix}_qps_{clients}"] = figures.throughput
            out[f"{prefix}_query_errors_{clients}"] = figures.errors
        out[f"{prefix}_writes"] = statistics.median(
            writes_per_second(base, args.writes, replace=True) for _ in range(args.repeat))
        if prefix == "ours":  # the same writes once the server's search index is in use (as on a real server)
            out["ours_search_build"] = first_search_seconds(base)
            out["ours_writes_search"] = statistics.median(
                writes_per_second(base, args.writes, replace=True) for _ in range(args.repeat))

    with Server("basel-kg serve", command, url + "sparql", env=env, start_timeout=4 * 3600,
                watch_memory=True) as ours:
        out["serve_cold"] = ours.started
        # the cold start's peak includes the child process that builds the graph; the serving
        # peak (queries, writes, restarts) is counted from the first answer on
        out["serve_cold_peak_pss_mb"] = ours.memory.peak_pss / 2**20
        out["serve_cold_peak_rss_mb"] = ours.memory.peak_rss / 2**20
        ours.memory.reset()
        serve_figures("basel-kg serve", ours, url + "sparql", url, "ours")
    out["serve_peak_pss_mb"] = ours.memory.peak_pss / 2**20
    out["serve_peak_rss_mb"] = ours.memory.peak_rss / 2**20
    out["serve_processes"] = ours.memory.peak_processes
    restarts = []
    for _ in range(args.repeat):
        with Server("basel-kg serve (restart)", command, url + "sparql", env=env, start_timeout=3600,
                    watch_memory=True) as again:
            restarts.append(again.started)
        out["serve_peak_pss_mb"] = max(out["serve_peak_pss_mb"], again.memory.peak_pss / 2**20)
        out["serve_peak_rss_mb"] = max(out["serve_peak_rss_mb"], again.memory.peak_rss / 2**20)
    out["serve_restart"] = statistics.median(restarts)

    # `basel-kg validate FILE` as a user runs it: a whole process (start-up and imports included),
    # reading the build the cold start cached; the median of three
    new = folder / "new.ttl"
    new.write_text(NEW_FILE, encoding="utf-8")
    validate = [str(Path(sys.executable).with_name("basel-kg")), "validate", str(new)]
    times = []
    for _ in range(max(3, args.repeat)):
        start = time.perf_counter()
        done = subprocess.run(validate, env=env, cwd=root, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):  # 1: the report has results (the text says which)
            raise RuntimeError(f"basel-kg validate failed: {done.stderr.decode(errors='replace')[-2000:]}")
    out["validate_file_process"] = statistics.median(times)

    # the reference: oxigraph serve (unvalidated writes, no reasoning) on the same dataset
    dataset = next(cache.glob("*/dataset.nq"))
    location = folder / "oxigraph"
    start = time.perf_counter()
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(dataset)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out["oxigraph_load"] = time.perf_counter() - start
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
               "--union-default-graph"]
    starts = []
    for attempt in range(args.repeat):
        with Server("oxigraph serve", command, url + "query", watch_memory=True) as reference:
            starts.append(reference.started)
            if attempt == 0:
                serve_figures("oxigraph serve", reference, url + "query", url, "oxigraph")
                out["oxigraph_peak_rss_mb"] = reference.memory.peak_rss / 2**20
    out["oxigraph_restart"] = statistics.median(starts)
    differing = sorted(q for q in out["ours_rows"] if out["ours_rows"][q] != out["oxigraph_rows"].get(q))
    out["rows_differ"] = differing
    return out


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def ratio(ours: float | None, ref: float | None) -> str:
    return f" (ref {fmt(ref)}, {ref / ours:.1f}x)" if ours and ref else ""


def per_second(ours: float | None, ref: float | None) -> str:
    if ours is None:
        return "-"
    return f"{ours:.1f}/s" + (f" (ref {ref:.1f}/s, {ours / ref:.2f}x)" if ref else "")


def mb(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} MB"


def table(rows: list[dict], clients: list[int]) -> str:
    header = "| step | " + " | ".join(f"{r['factor']}x ({r.get('asserted', 0):,} + {r.get('inferred', 0):,} triples)"
                                      for r in rows) + " |"
    lines = [header, "|---|" + "---|" * len(rows)]

    def shown(cell, r: dict) -> str:
        try:
            return cell(r)
        except KeyError:  # not measured (--serve-only, or a step that failed)
            return "-"

    def line(label: str, cell):
        lines.append(f"| {label} | " + " | ".join(shown(cell, r) for r in rows) + " |")

    line("`build` (parse + reason + validate + release)", lambda r: fmt(r["build"]))
    line("  stages: parse / reason / validate / release", lambda r: " / ".join(
        fmt(r.get(k)) for k in ("build_parse", "build_reason", "build_validate", "release")))
    line("  peak RSS of the build", lambda r: mb(r.get("build_peak_rss_mb")))
    line("reasoning: ours (ref owlrl)", lambda r: fmt(r["reason"]) + ratio(r["reason"], r.get("reason_owlrl")))
    line("incremental reasoning, 100 statements removed + added", lambda r: fmt(r.get("reason_incremental_100")))
    line("whole-graph SHACL: pyshacl-turbo (ref pySHACL)",
         lambda r: fmt(r["validate_whole"]) + ratio(r["validate_whole"], r.get("validate_whole_pyshacl")))
    line("`validate` of a 5-triple file in context (ref: whole graph copied to rdflib, the previous way)",
         lambda r: fmt(r["validate_file"]) + ratio(r["validate_file"], r.get("validate_file_copy")))
    line("  triples handed to the SHACL engine for it", lambda r: f"{r['validate_file_triples']:,}")
    line("slowest published query, uncached, in process (pyoxigraph)",
         lambda r: f"{fmt(r['query_slowest'])} ({r['query_slowest_name']})")
    line("SHACL results (in replicas)", lambda r: f"{r['results']} ({r['results_in_replicas']})")
    if not any("serve_cold" in r for r in rows):
        return "\n".join(lines)

    def served(cell):
        return lambda r: cell(r) if "serve_cold" in r else "-"

    line("`basel-kg validate` of the 5-triple file, a whole process on the cached build (median of 3)",
         served(lambda r: fmt(r["validate_file_process"]) if "validate_file_process" in r else "-"))
    line("`serve` cold start: build (no SHACL) + load + release (ref: `oxigraph load`)",
         served(lambda r: fmt(r["serve_cold"]) + (f" (ref {fmt(r['oxigraph_load'])})" if "oxigraph_load" in r else "")))
    line("`serve` restart on its store, to the first answer (ref: `oxigraph serve` start)",
         served(lambda r: fmt(r["serve_restart"]) + ratio(r["serve_restart"], r["oxigraph_restart"])))
    for clients in clients:
        line(f"published queries uncached over HTTP, {clients} client(s) (ref `oxigraph serve`)",
             served(lambda r, c=clients: per_second(r[f"ours_qps_{c}"], r[f"oxigraph_qps_{c}"])
                    + (f", {r[f'ours_query_errors_{c}']} errors" if r[f"ours_query_errors_{c}"] else "")))
    line("slowest published query over HTTP, uncached (ref: `oxigraph serve`, same query)",
         served(lambda r: f"{fmt(r['ours_query_slowest'])} ({r['ours_query_slowest_name']})"
                + ratio(r["ours_query_slowest"], r["oxigraph_query_times"].get(r["ours_query_slowest_name"]))))
    line("the first validated 100-triple PUT, as soon as `serve` answers (ref: `oxigraph serve`'s first PUT)",
         served(lambda r: fmt(r["ours_first_write"])
                + (f" (ref {fmt(r['oxigraph_first_write'])})" if "oxigraph_first_write" in r else "")))
    line("validated 100-triple PUTs through `serve` (ref: `oxigraph serve` PUT, unvalidated)",
         served(lambda r: per_second(r["ours_writes"], r["oxigraph_writes"])))
    line("the same once `serve`'s search index is in use (ref: as above); the index's first build",
         served(lambda r: f"{per_second(r['ours_writes_search'], r['oxigraph_writes'])}; {fmt(r['ours_search_build'])}"
                if "ours_writes_search" in r else "-"))
    line("peak memory of the whole `serve` tree during the cold start (the build's process included): PSS (RSS summed)",
         served(lambda r: f"{mb(r['serve_cold_peak_pss_mb'])} ({mb(r['serve_cold_peak_rss_mb'])})"
                if "serve_cold_peak_pss_mb" in r else "-"))
    line("peak memory of the whole `serve` tree serving (queries, writes, restarts): PSS (RSS summed) "
         "(ref: `oxigraph serve` RSS)",
         served(lambda r: f"{mb(r['serve_peak_pss_mb'])} ({mb(r['serve_peak_rss_mb'])}, {r['serve_processes']} "
                          f"processes) (ref {mb(r['oxigraph_peak_rss_mb'])})"))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10], help="replication factors (default 1 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the median is shown (default 3)")
    parser.add_argument("--reference-max", type=int, default=10,
                        help="run owlrl and pySHACL up to this factor (default 10)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall-clock seconds, or CPU seconds of the process (on a busy shared machine)")
    parser.add_argument("--no-serve", action="store_true", help="leave out the server rows")
    parser.add_argument("--serve-only", action="store_true",
                        help="only the server rows (the in-process build and its steps take 40 minutes at 700x)")
    parser.add_argument("--incremental-max", type=int, default=100,
                        help="time the incremental reasoner (which holds an rdflib copy of the graph) up to this "
                             "factor (default 100)")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="seconds of published queries per server and client count (default 10)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4], help="concurrent query clients (default 1 4)")
    parser.add_argument("--writes", type=int, default=20, help="100-triple PUTs per write measurement (default 20)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--table", type=Path, nargs="+", metavar="JSON",
                        help="print the table of earlier runs (their --json files) instead of measuring")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one factor, print JSON
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global CLOCK
    if args.clock == "cpu":
        CLOCK = time.process_time
    if args.one is not None:
        print(json.dumps(measure(args.one, args.project, args.repeat, args.one <= args.reference_max,
                                 args.one <= args.incremental_max)))
        return 0
    if args.table:
        rows = sorted((row for path in args.table for row in json.loads(path.read_text())), key=lambda r: r["factor"])
        print(table(rows, args.clients))
        return 0
    from synthetic import make_project

    rows = []
    for factor in args.factors:
        with tempfile.TemporaryDirectory(prefix=f"basel-kg-scale-{factor}x-") as tmp:
            folder = Path(tmp)
            root = make_project(factor, folder / "project", source=ROOT)
            row = {"factor": factor}
            if not args.serve_only:
                done = subprocess.run([sys.executable, __file__, "--one", str(factor), "--project", str(root),
                                       "--repeat", str(args.repeat), "--reference-max", str(args.reference_max),
                                       "--incremental-max", str(args.incremental_max), "--clock", args.clock],
                                      capture_output=True, text=True)
                if done.returncode != 0:
                    print(done.stderr, file=sys.stderr)
                    return 1
                row = json.loads(done.stdout.strip().splitlines()[-1])
                print(f"{factor}x: in-process steps done", file=sys.stderr)
            if args.json:  # kept even if the server steps fail
                args.json.write_text(json.dumps([*rows, row], indent=1))
            if not args.no_serve:
                try:
                    measure_serve(factor, root, folder, args, out=row)
                except Exception as exc:  # noqa: BLE001 - the figures measured so far are kept and printed
                    row["serve_error"] = f"{type(exc).__name__}: {exc}"
                    print(f"{factor}x: a server step failed: {row['serve_error']}", file=sys.stderr)
                    for prefix in ("ours", "oxigraph"):
                        if row.get(f"{prefix}_log"):
                            print(f"  its standard error, the end:\n{row[f'{prefix}_log']}", file=sys.stderr)
                else:
                    print(f"{factor}x: server steps done", file=sys.stderr)
                if "asserted" not in row:  # --serve-only: the sizes the cold start's build cached
                    from basel_kg.namespaces import GRAPH

                    sizes = json.loads(next((folder / "cache").glob("*/meta.json")).read_text())["graphs"]
                    row["inferred"] = sizes.get(str(GRAPH.INFERRED), 0)
                    row["asserted"] = sum(n for g, n in sizes.items() if g not in (str(GRAPH.INFERRED), str(GRAPH.VOID)))
        rows.append(row)
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1))
    print(f"({args.clock} seconds, median of {args.repeat}; {os.cpu_count()} CPUs)")
    print(table(rows, args.clients))
    for r in rows:
        if "serve_error" in r:
            print(f"{r['factor']}x: the server steps stopped early ({r['serve_error']}): '-' where not measured")
    differing = sorted({q for r in rows for q in r.get("rows_differ", ())})
    if differing:
        print("\nrows differ from oxigraph serve (its union default graph keeps a triple once per graph) for: "
              + ", ".join(differing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
