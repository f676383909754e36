"""Rules of curation that can be checked mechanically on the shipped data.

- one named graph per seed text plus the reference graph, each derived from its source;
- Chinese literals are copied from the Chinese seed texts, never translated;
- every passage points at real lines of its seed file, and quoted snippets are on those lines;
- external identifiers come only from shared/external-ids.md.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import PROV, SKOS

from basel_kg.namespaces import BASE, BKG, GRAPH
from basel_kg.sources import discover, load_sources

ROOT = Path(__file__).resolve().parents[1]
# ../shared next to a clone of main; ../../shared from a helper worktree (/work/wt/NAME)
SHARED = next((d / "shared" for d in (ROOT.parent, ROOT.parent.parent) if (d / "shared" / "seeds").is_dir()),
              ROOT.parent / "shared")
SEEDS = {p.stem: p for p in (SHARED / "seeds").glob("0*.txt")}
DATA_FILES = [s for s in discover(ROOT) if s.role == "data" and s.graph != GRAPH.REFERENCE]


@cache
def dataset():
    ds = load_sources(ROOT)
    ds.default_union = True  # subjects()/value() see every named graph
    return ds


def test_one_data_file_and_named_graph_per_seed_text():
    assert sorted(s.path.stem[:3] for s in DATA_FILES) == sorted(stem[:3] for stem in SEEDS)
    graphs = {g.identifier for g in dataset().graphs() if len(g)}
    assert {s.graph for s in DATA_FILES} | {GRAPH.REFERENCE, GRAPH.ONTOLOGY} <= graphs


@pytest.mark.parametrize("src", DATA_FILES, ids=lambda s: s.path.stem)
def test_each_graph_is_derived_from_its_source_text(src):
    stem = next(k for k in SEEDS if k[:3] == src.path.stem[:3])
    source = URIRef(f"{BASE}source/{stem}")
    ds = dataset()
    assert (src.graph, PROV.wasDerivedFrom, source) in ds.graph(GRAPH.REFERENCE)
    assert (source, None, BKG.SourceText) in ds.graph(src.graph), f"{source} is not described in {src.path.name}"


def running_text(path: Path) -> str:
    """A seed's text with layout removed (emphasis asterisks, footnote markers, white space),
    once as printed and once with the footnote lines that interrupt sentences at page breaks
    taken out, so that a quote may come from either."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [ln for ln in lines if not re.match(r"^\s*(?:[*∗]|\d{1,2})(?:\s+\S|\s*$)", ln)]
    return "\n".join(re.sub(r"[\s*∗¹²³⁴⁵⁶⁷⁸⁹]+", "", "".join(x)) for x in (lines, body))


def test_chinese_literals_are_copied_from_the_chinese_texts():
    chinese = "".join(running_text(p) for k, p in SEEDS.items() if k[:3] in {"002", "003"})
    zh = {o for _, _, o, _ in dataset().quads((None, None, None, None)) if isinstance(o, Literal) and o.language == "zh"}
    assert zh, "no @zh literal at all"
    not_in_text = sorted(str(o) for o in zh if re.sub(r"[\s*∗¹²³⁴⁵⁶⁷⁸⁹]+", "", str(o)) not in chinese)
    assert not_in_text == []


def test_every_passage_points_at_real_lines_of_its_seed():
    ds = dataset()
    problems = []
    passages = set(ds.subjects(RDF.type, BKG.SourcePassage))
    assert len(passages) >= 100
    for passage in passages:
        parent = ds.value(passage, URIRef("http://purl.org/dc/terms/isPartOf"))
        stem = str(parent).rsplit("/", 1)[-1] if parent else None
        start, end = ds.value(passage, BKG.lineStart), ds.value(passage, BKG.lineEnd)
        if stem == "external-ids":
            path = SHARED / "external-ids.md"
        elif stem in SEEDS:
            path = SEEDS[stem]
        else:
            problems.append(f"{passage}: part of unknown source {parent}")
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        if start is None or end is None or not (1 <= int(start) <= int(end) <= len(lines)):
            problems.append(f"{passage}: lines {start}-{end} not within 1-{len(lines)}")
            continue
        locator = str(ds.value(passage, BKG.locator) or "")
        m = re.match(r"line \d+: …(.*)…$", locator)
        line = re.sub(r"<[^>]+>", "", lines[int(start) - 1].replace('"', "'"))
        if m and m.group(1) not in line:
            problems.append(f"{passage}: snippet not on line {start}")
    assert problems == []


def test_external_identifiers_come_from_external_ids_md():
    text = (SHARED / "external-ids.md").read_text(encoding="utf-8")
    known = set(re.findall(r"\|\s*((?:Q\d+)|(?:TRE-\d+)|[a-z]+)\s*\|\s*$", text, re.M))
    ds = dataset()
    outside = []
    for s, p, o, g in ds.quads((None, None, None, None)):
        if not isinstance(o, URIRef):
            continue
        if p in (SKOS.exactMatch, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), BKG.target, SKOS.closeMatch):
            if any(h in str(o) for h in ("wikidata.org", "informea.org", "ecolex.org")):
                ident = str(o).rstrip("/").rsplit("/", 1)[-1]
                if ident not in known:
                    outside.append(str(o))
    assert outside == []
    assert len([1 for _ in ds.subjects(None, BKG.ExternalLink)]) >= 20


def test_every_base_iri_used_as_object_is_described():
    """No dangling links: an IRI of ours that is linked to is typed in some graph."""
    ds = dataset()
    typed = set(ds.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None))
    dangling = sorted({str(o) for _, _, o, _ in ds.quads((None, None, None, None))
                       if isinstance(o, URIRef) and str(o).startswith(BASE)
                       and not str(o).startswith(BASE + "ontology") and o not in typed})
    assert dangling == []


def test_every_literal_is_kept_as_is_by_the_store():
    """The endpoint (pyoxigraph) and the dumps (rdflib) show the same RDF term for every literal:
    no datatype the store normalises (xsd:positiveInteger -> xsd:integer, issue #14)."""
    import pyoxigraph as ox

    ds = dataset()
    literals = {o for _, _, o, _ in ds.quads((None, None, None, None)) if isinstance(o, Literal) and o.datatype}
    assert literals
    doc = "".join(f"<urn:s> <urn:p> {lit.n3()} .\n" for lit in literals)
    store = ox.Store()
    store.load(doc.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    stored = {(q.object.value, q.object.datatype.value) for q in store}
    changed = sorted(f"{lit.n3()}" for lit in literals if (str(lit), str(lit.datatype)) not in stored)
    assert changed == []


def _passage_text(ds, passage) -> str | None:
    parent = ds.value(passage, URIRef("http://purl.org/dc/terms/isPartOf"))
    stem = str(parent).rsplit("/", 1)[-1] if parent else None
    start, end = ds.value(passage, BKG.lineStart), ds.value(passage, BKG.lineEnd)
    if stem not in SEEDS or start is None or end is None:
        return None
    lines = SEEDS[stem].read_text(encoding="utf-8").splitlines()
    return re.sub(r"\s+", " ", " ".join(lines[int(start) - 1:int(end)]))


def test_every_acronym_is_written_in_one_of_its_passages():
    """An acronym or short code given as skos:altLabel (SBC, GEMI, COP-9) occurs in the lines of
    at least one passage its entity is derived from; a common abbreviation the texts do not
    write goes in skos:hiddenLabel instead (for search only)."""
    ds = dataset()
    checked, missing = 0, []
    for s, label in ds.subject_objects(SKOS.altLabel):
        if not isinstance(label, Literal) or label.language != "en":
            continue
        if not re.fullmatch(r"[A-Z][A-Za-z0-9&./-]*[A-Z0-9][A-Za-z0-9&./-]*", str(label)):
            continue
        texts = [t for t in (_passage_text(ds, p) for p in ds.objects(s, PROV.wasDerivedFrom)) if t]
        if not texts:
            continue
        checked += 1
        if not any(str(label) in t for t in texts):
            missing.append(f"{s} skos:altLabel {label!r}")
    assert checked >= 50
    assert missing == []


PAGE_HEADER = "International and regional organizations and multilateral environmental agreements Activities"


def test_bullet_passages_of_002_quote_their_bullet():
    """The annex of 002 has one line per table row: a passage for one bullet or sentence of a row
    carries the exact words of that bullet (prov:value), which occur in its lines."""
    ds = dataset()
    bullets, problems = 0, []
    for passage, locator in ds.subject_objects(BKG.locator):
        if "002_2e5438f9604e1223" not in str(passage):
            continue
        quote = ds.value(passage, PROV.value)
        is_bullet = re.search(r", (bullet|sentences?) \d", str(locator)) is not None
        if is_bullet:
            bullets += 1
            if quote is None:
                problems.append(f"{passage}: a bullet passage without prov:value")
                continue
        if quote is None:
            continue
        text = (_passage_text(ds, passage) or "").replace(PAGE_HEADER, " ")  # a row continued after a page break
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>|•|\t", " ", text))
        words = re.sub(r"\s+", " ", str(quote)).strip()
        if words not in text:
            problems.append(f"{passage}: prov:value not in lines")
    assert bullets >= 60
    assert problems == []
