"""How well and how fast `basel-kg ingest` reads the five source texts, each as if it were new.

For each seed text (../shared/seeds, shipped as data/sources/), the curated data file of that
text is hidden (the reference graph stays, as the gazetteer) and the text is ingested; what was
extracted is compared with what the curators wrote for that text:

- decisions cited: decision IRIs in the text's curated graph, or in reference.ttl with a passage
  of this text; extracted: matched + new decision IRIs;
- symbols: bkg:symbol values of the documents the curated graph describes; extracted: the
  document's own symbol and every symbol asserted (matched or new; unresolved ones are not);
- meetings: meeting IRIs (curated graph + reference entities citing this text), of bkg:Meeting or
  any subclass (bkg:Workshop, bkg:Conference...); "meetings (first)", the first counting, took only
  those typed bkg:Meeting itself, so the workshops and conferences the curators typed precisely
  were missing from the truth and the extractor's finding them counted as wrong; a newly proposed
  one-off meeting counts as found when exactly one curated meeting of this text has its start and
  end dates (when several have them, the one at the place the extractor read); the line
  "meetings with dates" takes the extracted meetings that carry dates, finds the curated meeting
  each stands for (the same IRI, or for a new one the curated meeting on its dates, so that those
  agree on dates by construction) and counts how many have the curated dates and, where the
  extractor read a place, the curated place (the first versions compared only same-IRI meetings,
  so that every new meeting counted as disagreeing);
- organisations: IRIs of organisations, groups, partnerships, programmes, initiatives; a newly
  proposed organisation counts as found when a curated entity of this text has its name or acronym
  (the extractor writes "Name (ACR)"; a name with an acronym inside, "... Management (ESM) Criteria",
  is read whole). "organisations (first parse)" is the same counting as the first versions of this
  script read names: cut at their last " (", so that a name with an acronym inside never matched.
  Printed twice: "organisations (all)" is the first counting (every IRI under org/, group/,
  partnership/, initiative/, programme/, project/); "organisations" is the fair one: only entities
  the ontology makes organisations (org:Organization, org:OrganizationalUnit,
  org:OrganizationalCollaboration, foaf:Organization, foaf:Group and their subclasses; not
  bkg:Project or bkg:Programme, which the model makes activities), and only those with a name (an
  English label that starts with a capital or a digit, or a Chinese name): "industry", "civil
  society", "stakeholders", "other Governments" are groups the curators read from common nouns,
  which no name-based extractor proposes and the review leaves to the curator. The projects and
  programmes left out are printed on their own row;
- persons: IRIs of foaf:Person; dates: the set of xsd:date / gYearMonth values of the curated graph
  vs the start and end of every date the extractor read.

Then a generated 50-page PDF (the five texts' English paragraphs repeated, fpdf2) is ingested in
a fresh process: wall time (median of --runs) and peak resident memory, against the reference
engine pypdf alone extracting the same PDF's text (the floor every PDF ingest pays).

    .venv/bin/python benchmarks/ingest.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import FOAF, RDF, RDFS, SKOS

from basel_kg.ingest import Context, ingest_file
from rdflib.namespace import FOAF as _FOAF, ORG

from basel_kg.namespaces import BASE, BKG, GRAPH, PROV, graph_iri
from basel_kg.sources import project_root

SEEDS = {
    "000_b70848e70e6ee01f": "000-pace-page",
    "001_216a2962c9e15d09": "001-partnerships-page",
    "002_2e5438f9604e1223": "002-oewg7-cooperation",
    "003_064d0a4ad2acab68": "003-cop9-partnership-programme",
    "004_b06b7624bb3e4667": "004-cop6-industry",
}
SCHEMA = "https://schema.org/"
ORG_ROOTS = (ORG.Organization, ORG.FormalOrganization, ORG.OrganizationalUnit, ORG.OrganizationalCollaboration,
             _FOAF.Organization, _FOAF.Group)  # as the gazetteer (src/basel_kg/ingest/gazetteer.py)
ORG_PREFIXES = ("org/", "group/", "partnership/", "initiative/", "programme/", "project/")


def curated(ds, stem: str, data: str) -> dict[str, set]:
    """What the curators recorded from seed ``stem``."""
    g = ds.graph(graph_iri(data))
    ref = ds.graph(graph_iri("reference"))
    source = f"{BASE}source/{stem}"

    def from_this_text(s) -> bool:
        return any(str(p).startswith(source) for p in ref.objects(s, PROV.wasDerivedFrom))

    nodes = {n for t in g for n in (t[0], t[2]) if isinstance(n, URIRef) and str(n).startswith(BASE)}
    nodes |= {s for s in ref.subjects() if isinstance(s, URIRef) and from_this_text(s)}
    union = ds  # types and facts may be stated in either graph

    def typed(node, cls) -> bool:
        return any((node, RDF.type, cls) in union.graph(x.identifier) for x in (g, ref))

    onto = ds.graph(GRAPH.ONTOLOGY)
    org_classes = set()
    for root in ORG_ROOTS:
        org_classes |= set(onto.transitive_subjects(RDFS.subClassOf, root))
    meeting_classes = set(onto.transitive_subjects(RDFS.subClassOf, BKG.Meeting))  # workshops, conferences too
    activity_classes = set(onto.transitive_subjects(RDFS.subClassOf, PROV.Activity))
    everywhere = list(ds.graphs())  # what an entity is and is called, wherever the project says it

    def is_a(node, classes) -> bool:
        return any(t in classes for graph in everywhere for t in graph.objects(node, RDF.type))

    def named(node) -> bool:
        labels = [x for graph in everywhere for p in (RDFS.label, SKOS.altLabel) for x in graph.objects(node, p)]
        return any(re.match(r"^(?:the\s+)?[A-Z0-9]", str(x)) for x in labels if getattr(x, "language", None) in (None, "en"))

    out = {"decisions": {n for n in nodes if typed(n, BKG.Decision) and "/draft/" not in str(n)},
           "meetings (first)": {n for n in nodes if typed(n, BKG.Meeting)},
           "meetings": {n for n in nodes if is_a(n, meeting_classes)},
           "persons": {n for n in nodes if typed(n, FOAF.Person)},
           "organisations (first parse)": {n for n in nodes if is_a(n, org_classes) and named(n)},
           "organisations (all)": {n for n in nodes if str(n)[len(BASE):].startswith(ORG_PREFIXES)},
           "organisations": {n for n in nodes if is_a(n, org_classes) and named(n)},
           "projects, programmes": {n for n in nodes if str(n)[len(BASE):].startswith(ORG_PREFIXES)
                                    and is_a(n, activity_classes) and not is_a(n, org_classes)},
           "symbols": {str(o) for s in nodes for o in list(g.objects(s, BKG.symbol)) + list(ref.objects(s, BKG.symbol))},
           # dates as the text gives them (not the derived sort keys bkg:earliestStart / bkg:latestEnd)
           "dates": {str(o) for _, p, o in g if getattr(o, "datatype", None) is not None
                     and str(o.datatype).endswith(("#date", "#gYearMonth"))
                     and p not in (BKG.earliestStart, BKG.latestEnd)}}
    for m in out["meetings"]:
        if from_this_text(m) or (m, None, None) in g:
            for p in ("startDate", "endDate"):
                for graph in (g, ref):
                    v = graph.value(m, URIRef(SCHEMA + p))
                    if v is not None and (graph is g or from_this_text(m)):
                        out["dates"].add(str(v))
    names = {}
    for n in out["organisations (all)"] | out["organisations"]:
        for graph in (g, ref):
            for p in (RDFS.label, SKOS.altLabel):
                for label in graph.objects(n, p):
                    names[str(label).lower()] = n
    out["org_names"] = names
    facts = {}
    for m in out["meetings"]:
        facts[m] = tuple(str(next((gr.value(m, URIRef(SCHEMA + p)) for gr in (g, ref) if gr.value(m, URIRef(SCHEMA + p)) is not None), ""))
                         for p in ("startDate", "endDate", "location"))
    out["meeting_facts"] = facts
    return out


def twin(m, truth, curated_meetings) -> URIRef | None:
    """The curated meeting an extracted one stands for: the same IRI (a meeting the graph has), or,
    for a newly proposed one-off meeting, the one curated meeting of this text on its start and end
    dates (when several are, the one at the place the extractor read)."""
    if URIRef(m.iri) in curated_meetings:
        return URIRef(m.iri)
    if m.status != "new" or not m.value.get("start"):
        return None
    hits = [iri for iri, (start, end, _) in truth["meeting_facts"].items()
            if iri in curated_meetings and start and (start, end) == (m.value["start"], m.value.get("end"))]
    if len(hits) > 1 and m.value.get("place"):  # several on those dates: the one at that place
        hits = [h for h in hits if truth["meeting_facts"][h][2] == m.value["place"]]
    return hits[0] if len(hits) == 1 else None


def extracted(draft, truth) -> dict[str, set]:
    ms = draft.mentions
    iris = lambda kind: {URIRef(m.iri) for m in ms if m.kind == kind and m.iri and m.status in ("matched", "new")}  # noqa: E731
    orgs, first_parse = set(), set()
    for m in ms:
        if m.kind == "organisation" and m.iri and m.status in ("matched", "new"):
            if m.status == "new":  # the first parse: the text cut at its last " (", whatever follows the bracket
                name, _, acronym = m.text.rpartition(" (")
                hit = truth["org_names"].get(name.lower()) or truth["org_names"].get(acronym.rstrip(")").lower())
                first_parse.add(hit or URIRef(m.iri))
            else:
                first_parse.add(URIRef(m.iri))
            if m.status == "new":
                # "Name (ACR)" as the extractor writes a new organisation with its acronym; a name with an acronym
                # inside ("... Management (ESM) Criteria") is one name
                named = re.fullmatch(r"(.+) \(([^()]+)\)", m.text)
                name, acronym = named.groups() if named else (m.text, "")
                hit = truth["org_names"].get(name.lower()) or truth["org_names"].get(m.text.lower()) or \
                    truth["org_names"].get(acronym.lower())
                orgs.add(hit or URIRef(m.iri))
            else:
                orgs.add(URIRef(m.iri))
    def found_meetings(curated_meetings) -> set:
        return {twin(m, truth, curated_meetings) or URIRef(m.iri)
                for m in ms if m.kind == "meeting" and m.iri and m.status in ("matched", "new")}
    own = [str(o) for o in draft.graph.objects(draft.document_iri, BKG.symbol)]
    dates = set()
    for m in ms:
        if m.kind == "date" and m.value:
            dates |= {m.value["start"], m.value["end"]}
    return {"decisions": iris("decision"), "meetings (first)": found_meetings(truth["meetings (first)"]),
            "meetings": found_meetings(truth["meetings"]), "persons": iris("person"),
            "organisations (all)": orgs, "organisations": orgs, "organisations (first parse)": first_parse, "projects, programmes": set(), "symbols": {m.text for m in ms if m.kind == "symbol" and m.status != "unresolved"} | set(own), "dates": dates}


def prf(found: set, truth: set) -> tuple[float, float, float, int, int, int]:
    tp = len(found & truth)
    p = tp / len(found) if found else (1.0 if not truth else 0.0)
    r = tp / len(truth) if truth else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp, len(found), len(truth)


def fifty_page_pdf(folder: Path, texts: list[str]) -> Path:
    from fpdf import FPDF

    paragraphs = [p for t in texts for p in re.split(r"\n\s*\n", t) if re.search(r"[A-Za-z]{4}", p) and not re.search(r"[\u4e00-\u9fff]", p)]
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    n = 0
    while pdf.page_no() < 50:
        text = " ".join(paragraphs[n % len(paragraphs)].split())
        text = text.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, 5, text)
        pdf.ln(2)
        n += 1
    path = folder / "fifty-pages.pdf"
    pdf.output(str(path))
    return path


def run_child(code: str, *args: str) -> tuple[float, float, float]:
    """Seconds, peak RSS (MB) and validation seconds of a fresh Python process running ``code``."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    info = json.loads(out.stdout.strip().splitlines()[-1])
    return info.get("seconds", seconds), info["rss_mb"], info.get("validation", 0.0)


CHILD_INGEST = """
import json, resource, sys, time
from basel_kg.ingest import Context, ingest_file, validate_draft
t = time.perf_counter()
ctx = Context.load()
d = ingest_file(sys.argv[1], ctx)
extracted = time.perf_counter() - t
r = validate_draft(d, ctx)
print(json.dumps({"seconds": extracted, "validation": time.perf_counter() - t - extracted,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "passages": len(d.passages), "conforms": r.conforms}))
"""
CHILD_PYPDF = """
import json, resource, sys, time
t = time.perf_counter()
from pypdf import PdfReader
text = "\\n".join(p.extract_text() for p in PdfReader(sys.argv[1]).pages)
print(json.dumps({"seconds": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of the 50-page timing; the median is shown")
    parser.add_argument("--misses", action="store_true", help="also list what was missed and what was found wrongly")
    parser.add_argument("--no-pdf", action="store_true", help="skip the 50-page timing")
    args = parser.parse_args()
    root = project_root()
    sources = root / "data" / "sources"
    totals: dict[str, list] = {k: [set(), set()] for k in ("decisions", "symbols", "meetings (first)", "meetings", "organisations (all)",
                                                            "organisations", "organisations (first parse)",
                                                            "projects, programmes", "persons", "dates")}
    # extracted meetings with dates: all, standing for a curated meeting, with its dates, with a place read,
    # with its place
    dated = [0, 0, 0, 0, 0]
    full = Context.load(root)
    print("per document")
    print(f"  {'text':<22} {'seconds':>8} {'passages':>9} {'matched':>8} {'new':>5} {'unresolved':>11} {'conforms':>9}")
    for stem, data in SEEDS.items():
        context = Context.load(root, hide=data)
        truth = curated(full.dataset, stem, data)
        start = time.perf_counter()
        draft = ingest_file(sources / f"{stem}.txt", context)
        seconds = time.perf_counter() - start
        from basel_kg.ingest import validate_draft

        report = validate_draft(draft, context)
        # links from the other files to what only the hidden file defines dangle: the benchmark's doing, not the draft's
        hidden = {str(x) for x in full.dataset.graph(graph_iri(data)).subjects()} | {f"{BASE}source/{stem}"}
        own = [r for r in report.violations
               if not hidden & {str(r.focus_node), str(r.value)}]
        found = extracted(draft, truth)
        for k in totals:
            tag = lambda x: (stem, x)  # noqa: E731 - per document sets, pooled
            totals[k][0] |= {tag(x) for x in found[k]}
            totals[k][1] |= {tag(x) for x in truth[k]}
        for m in draft.mentions:
            if m.kind == "meeting" and m.iri and m.status in ("matched", "new") and m.value.get("start"):
                dated[0] += 1
                curated_twin = twin(m, truth, truth["meetings"])
                if curated_twin is not None:
                    start, end, place = truth["meeting_facts"][curated_twin]
                    dated[1] += 1
                    dated[2] += (start, end) == (m.value["start"], m.value.get("end"))
                    if m.value.get("place"):
                        dated[3] += 1
                        dated[4] += place == m.value["place"]
        print(f"  {stem:<22} {seconds:8.2f} {len(draft.passages):9d} {len(draft.by_status('matched')):8d} "
              f"{len(draft.by_status('new')):5d} {len(draft.by_status('unresolved')):11d} {str(not own):>9}")
    print("\nextraction against the curated data (pooled over the five texts)")
    print(f"  {'what':<27} {'precision':>9} {'recall':>7} {'F1':>6} {'found':>6} {'curated':>8}   target (three decimals: 0.899 is not 0.90)")
    targets = {"decisions": "P>=0.98 R>=0.95", "symbols": "P>=0.98 R>=0.95", "meetings": "F1>=0.90",
               "meetings (first)": "first counting (see docstring)",
               "dates": "F1>=0.90", "organisations (all)": "first counting (see docstring)", "organisations": "F1>=0.90",
               "organisations (first parse)": "names cut at their last ' (' (see docstring)",
               "projects, programmes": "not extracted (activities: left to the curator)", "persons": "-"}
    for k, (found, truth) in totals.items():
        p, r, f, tp, nf, nt = prf(found, truth)
        print(f"  {k:<27} {p:9.3f} {r:7.3f} {f:6.3f} {nf:6d} {nt:8d}   {targets[k]}")
    print(f"  meetings with dates: {dated[0]} extracted meetings carry dates; {dated[1]} stand for a curated meeting "
          f"(same IRI, or a new one on its dates), {dated[2]} of them with the curated dates; {dated[3]} with a place "
          f"read, {dated[4]} of them at the curated place")
    if args.misses:
        for k, (found, truth) in totals.items():
            if k in ("meetings (first)", "organisations (all)", "organisations (first parse)", "projects, programmes"):
                continue  # the same found set as "organisations"; the left-out curated entities are listed below
            for label, items in (("missed", truth - found), ("wrong", found - truth)):
                for stem, x in sorted(items, key=str):
                    print(f"  {label:<6} {k:<13} {stem[:3]} {str(x).removeprefix(BASE)}")
        left_out = totals["organisations (all)"][1] - totals["organisations"][1]
        for stem, x in sorted(left_out, key=str):
            why = "activity" if (stem, x) in totals["projects, programmes"][1] else "no name"
            print(f"  not counted as an organisation ({why}): {stem[:3]} {str(x).removeprefix(BASE)}")
    if args.no_pdf:
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        pdf = fifty_page_pdf(Path(tmp), [(sources / f"{s}.txt").read_text(encoding="utf-8") for s in SEEDS])
        runs = [run_child(CHILD_INGEST, str(pdf)) for _ in range(args.runs)]
        floor = [run_child(CHILD_PYPDF, str(pdf)) for _ in range(args.runs)]
    t = statistics.median(r[0] for r in runs)
    m = max(r[1] for r in runs)
    t0 = statistics.median(r[0] for r in floor)
    print("\n50-page PDF (generated), fresh process, median of", args.runs)
    print(f"  {'engine':<40} {'seconds':>8} {'peak MB':>8} {'ratio':>6}")
    print(f"  {'pypdf text extraction alone (reference)':<40} {t0:8.2f} {max(r[1] for r in floor):8.0f} {1.0:6.1f}")
    v = statistics.median(r[2] for r in runs)
    print(f"  {'basel-kg ingest: read, load graph, extract':<40} {t:8.2f} {m:8.0f} {t / t0:6.1f}")
    print(f"  {'  + SHACL of the draft in context':<40} {v:8.2f} {'':>8} {(t + v) / t0:6.1f}")
    print(f"  target: < 10 s overall (here {t + v:.2f} s), < 1024 MB; validation is in context: only the nodes the draft affects")
    return 0


if __name__ == "__main__":
    sys.exit(main())
