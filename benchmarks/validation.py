"""What validation in context costs as the graph grows: a small file, validated writes, the
whole graph, the published queries.

For each factor N the shipped data is replicated N times (``benchmarks/synthetic.py``: every
replica links to the same source passages, which become hubs), built without validation and
loaded into an in-memory pyoxigraph store. Measured, median of ``--repeat`` runs (seconds):

- ``validate`` of a 5-triple file in context (``benchmarks/scale.py``'s file: a new
  organisation derived from a shared passage), ours (the shapes' read plan: only what the
  shapes can read, from the store) beside the reference: pyshacl-turbo on the whole graph
  with the file (what it costs without the read plan);
- validated 100-triple writes (``benchmarks/writes.py``'s document) through the write guard
  (entailments and SHACL of what the write can affect), in process: checks per second, and
  the CPU time of one (on a shared machine, the figure that does not depend on the others' load);
- whole-graph SHACL, once: the library's (turbo, each SPARQL constraint of a node shape run
  once over the graph) beside pyshacl-turbo alone (each run once per focus node);
- every published query, uncached: the slowest ones.

    nice .venv/bin/python benchmarks/validation.py --factors 1 10 100
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


WHOLE_GRAPH = {
    "OntologyTermShape": ("UndefinedPredicateConstraint", "NotAClassConstraint", "PropertyKindConstraint",
                          "DomainConstraint"),
    "IriResolvesShape": ("IriResolvesConstraint",),
    "TextShape": ("TextLanguageConstraint", "ChineseTextConstraint"),
}
# a constraint that matches nothing: what the engine spends per focus node before the query
NO_OP = "SELECT $this ?value WHERE { $this <urn:basel-kg:bench:none> ?value }"


def constraint_times(data, shapes) -> dict[str, float]:
    """Each SPARQL constraint of the whole-graph shapes run alone by pyshacl-turbo on ``data``
    (one run each, seconds), and ``no-op:SHAPE``: a constraint that matches nothing on the same
    focus nodes, the engine's cost per focus node whatever the query."""
    import pyshacl_turbo
    from pyshacl_turbo.rdf import input_graph
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import SH

    base = "https://w3id.org/basel-kg/shapes#"
    prepared = input_graph(data, direct=True)
    out: dict[str, float] = {}
    for shape, constraints in WHOLE_GRAPH.items():
        node = URIRef(base + shape)
        for keep in (*constraints, "no-op"):
            alone = Graph()
            for triple in shapes:
                alone.add(triple)
            kept = constraints[0] if keep == "no-op" else keep
            for name in constraints:
                if name != kept:
                    alone.remove((node, SH.sparql, URIRef(base + name)))
            if keep == "no-op":
                alone.set((URIRef(base + kept), SH.select, Literal(NO_OP)))
            compiled = pyshacl_turbo.compile_shapes(alone)
            start = time.perf_counter()
            compiled.validate(prepared, allow_warnings=True, allow_infos=True, use_shapes=[node])
            out[f"no-op:{shape}" if keep == "no-op" else keep] = time.perf_counter() - start
    return out


def measure(factor: int, repeat: int, whole: bool, writes: int = 20) -> dict:
    sys.path.insert(0, str(HERE))
    import pyoxigraph as ox
    from rdflib import Graph
    from scale import NEW_FILE
    from synthetic import make_project
    from writes import document

    from basel_kg.build import build_knowledge_graph
    from basel_kg.guard import WriteGuard
    from basel_kg.namespaces import GRAPH
    from basel_kg.queries import load_registry
    from basel_kg.store import Delta
    from basel_kg.validation import PreparedQueryGraph, neighbourhood, shacl_report, validate

    out: dict = {"factor": factor}
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(factor, Path(tmp) / "project", source=ROOT)
        kg = build_knowledge_graph(root=root, validate=False)
        nquads = kg.dataset.serialize(format="nquads", encoding="utf-8")
        store = ox.Store()
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        out["triples"] = len(store)
        shapes = kg.shapes

        new = Graph().parse(data=NEW_FILE, format="turtle")
        out["file"], report = median_time(lambda: validate(new, context=store, shapes=shapes), repeat)
        out["file_conforms"] = report.conforms
        out["file_read"] = len(neighbourhood(store, new, shapes))
        union = PreparedQueryGraph()
        for graph in kg.dataset.graphs():
            union += graph
        with_file = PreparedQueryGraph()
        with_file += union
        with_file += new
        out["file_reference"], _ = median_time(lambda: shacl_report(with_file, shapes), 1)
        if whole:
            out["whole"], _ = median_time(lambda: shacl_report(union, shapes), 1)
            from basel_kg.validation import _compiled  # the reference: turbo alone, once per focus node

            out["whole_reference"], _ = median_time(
                lambda: _compiled(shapes).validate(union, allow_warnings=True, allow_infos=True), 1)
            out["constraints"] = constraint_times(union, shapes)
        # the writes below run as in the server's web process, which holds no rdflib copy of the
        # graph: the copies made for the references above would only slow Python's collector
        del union, with_file, kg
        gc.collect()

        class Store:  # what the guard reads of a store: its version and its dump
            version = "0"

            def export(self) -> bytes:
                return nquads

        writable = Store()
        guard = WriteGuard(shapes=shapes, inferred_graph=str(GRAPH.INFERRED), ontology_graph=str(GRAPH.ONTOLOGY))

        def delta(n: int) -> Delta:
            graph = ox.NamedNode(f"https://example.org/bench/{n}")
            return Delta(add=tuple(ox.Quad(q.subject, q.predicate, q.object, graph) for q in ox.parse(
                document(f"v{n}", 100).encode(), format=ox.RdfFormat.TURTLE)))

        guard.check(writable, delta(0), keep=False)  # the guard's copy of the graph is made once
        times, cpu, steps = [], [], []
        for n in range(1, 1 + writes):
            change = delta(n)
            start, start_cpu = time.perf_counter(), time.process_time()
            outcome = guard.check(writable, change)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            steps.append(outcome.timings)
            assert outcome.conforms, outcome.report.text
            writable.version = str(n)
            guard.committed(writable.version)
        out["write"] = statistics.median(times)
        out["write_cpu"] = statistics.median(cpu)  # what the write costs whatever else the machine runs
        out["write_validate"] = statistics.median(t.get("validate", 0.0) for t in steps)
        out["write_reason"] = statistics.median(t.get("reason", 0.0) for t in steps)

        slowest = []
        for query in load_registry(root).published():
            try:
                text = query.bind().sparql
            except Exception:  # noqa: BLE001 - a query that needs a value without a default
                continue
            seconds, _ = median_time(lambda: list(store.query(text, use_default_graph_as_union=True)), repeat)
            slowest.append((seconds, query.name))
        out["queries"] = sorted(slowest, reverse=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10], help="replication factors (default 1 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the median is shown (default 3)")
    parser.add_argument("--no-whole", action="store_true", help="skip the whole-graph SHACL run")
    parser.add_argument("--writes", type=int, default=20, help="validated writes timed, the median shown (default 20)")
    args = parser.parse_args()
    rows = [measure(f, args.repeat, not args.no_whole, args.writes) for f in args.factors]
    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    print("| step | " + " | ".join(f"{r['factor']}x" for r in rows) + " |")
    print("|---|" + "---|" * len(rows))
    lines = [
        ("triples (asserted + inferred)", lambda r: f"{r['triples']:,}"),
        ("`validate` of a 5-triple file, read plan", lambda r: ms(r["file"])),
        ("  reference: pyshacl-turbo on the whole graph", lambda r: f"{ms(r['file_reference'])} "
                                                                   f"({r['file_reference'] / r['file']:.0f}x)"),
        ("  triples read from the store", lambda r: f"{r['file_read']:,}"),
        ("validated 100-triple writes per second", lambda r: f"{1 / r['write']:.1f}"),
        ("  CPU seconds of one write (writes per CPU-second)",
         lambda r: f"{ms(r['write_cpu'])} ({1 / r['write_cpu']:.1f})" if "write_cpu" in r else "-"),
        ("  of one write: validation / reasoning", lambda r: f"{ms(r['write_validate'])} / {ms(r['write_reason'])}"),
        ("whole-graph SHACL (SPARQL constraints once each)", lambda r: f"{r['whole']:.1f} s" if "whole" in r else "-"),
        ("  reference: pyshacl-turbo alone (per focus node)", lambda r: f"{r['whole_reference']:.1f} s "
                                                                        f"({r['whole_reference'] / r['whole']:.1f}x)"
                                                                        if "whole" in r else "-"),
        ("slowest published query, uncached", lambda r: f"{ms(r['queries'][0][0])} ({r['queries'][0][1]})"),
        ("published queries over 100 ms", lambda r: str(sum(1 for s, _ in r["queries"] if s > 0.1))),
    ]
    for label, cell in lines:
        print(f"| {label} | " + " | ".join(cell(r) for r in rows) + " |")
    if all("constraints" in r for r in rows):
        for name in rows[0]["constraints"]:
            print(f"|   {name} alone | " + " | ".join(f"{r['constraints'][name]:.2f} s" for r in rows) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
