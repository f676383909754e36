"""``basel-kg ingest``: a new UN document (.txt, .html, .pdf, .docx; English and/or Chinese) to a
draft named graph in the project's model, with passage provenance, validated in the context of
the knowledge graph, and a review of every mention (matched, new, unresolved).

The pieces: :mod:`.reader` (formats, encodings, refusals), :mod:`.passages` (stable anchors),
:mod:`.patterns` (decisions, symbols, meetings, dates, persons), :mod:`.gazetteer` (the
reference graph's names and IRIs), :mod:`.extract` (the draft graph), :mod:`.report`.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.namespace import SH

from ..namespaces import BKG
from .extract import Draft, Mention, extract
from .gazetteer import Gazetteer
from .reader import MAX_BYTES, IngestError, ReadDocument, read_document

__all__ = ["Draft", "Mention", "IngestError", "Context", "ingest_file", "draft_turtle", "write_into",
           "with_source_text", "validate_draft", "read_document", "MAX_BYTES", "SOURCES_DIR"]

SOURCES_DIR = "sources"  # data/sources/: the text of every source, shipped with the release
_INTO = re.compile(r"^(\d{3})-[a-z0-9]+(?:-[a-z0-9]+)*\.ttl$")


@dataclass
class Context:
    """What extraction matches against: the knowledge graph's asserted graphs, the shapes, the
    gazetteer built from them (built once, reused for every file of a run)."""

    dataset: Dataset
    shapes: Graph
    gazetteer: Gazetteer
    root: Path

    @classmethod
    def load(cls, root: Path | None = None, *, hide: str | None = None) -> Context:
        """The project's graph; ``hide``: leave out the data file with this stem (benchmarks)."""
        from ..namespaces import GRAPH, graph_iri
        from ..project import project_root
        from ..sources import load_shapes, load_sources

        root = root or project_root()
        ds = load_sources(root)
        if hide:
            ds.remove_graph(ds.graph(graph_iri(hide)))
        ontology = ds.graph(GRAPH.ONTOLOGY)
        return cls(ds, load_shapes(root), Gazetteer.from_dataset(ds, ontology), root)

    def pattern(self, path) -> str | None:
        for shape in self.shapes.subjects(SH.path, path):
            value = self.shapes.value(shape, SH.pattern)
            if value is not None:
                return str(value)
        return None

    def next_number(self) -> int:
        used = [int(p.name[:3]) for p in (self.root / "data").glob("[0-9][0-9][0-9]-*.ttl")]
        return max(used, default=-1) + 1


def ingest_file(path: str | Path, context: Context, *, into: Path | None = None, symbol: str | None = None,
                max_bytes: int = MAX_BYTES, document: ReadDocument | None = None) -> Draft:
    """Read and extract one document (``document``: already read). ``into`` (data/NNN-slug.ttl) names
    its graph and number."""
    doc = document or read_document(path, max_bytes=max_bytes)
    if into is not None:
        m = _INTO.match(into.name)
        if not m:
            raise IngestError(into, "--into must name a data file NNN-slug.ttl (three digits, lowercase slug)")
        number, stem = int(m.group(1)), into.stem
    else:
        number = context.next_number()
        slug = re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-")[:40] or "document"
        stem = f"{number:03d}-{slug}"
    return extract(doc, context.gazetteer, number=number, graph_stem=stem, symbol=symbol,
                   symbol_pattern=context.pattern(BKG.symbol), number_pattern=context.pattern(BKG.decisionNumber))


def validate_draft(draft: Draft, context: Context):
    """SHACL on the draft in the context of the knowledge graph (the project's validation API)."""
    from ..validation import validate

    return validate(draft.graph, context=context.dataset, shapes=context.shapes)


def draft_turtle(draft: Draft) -> str:
    body = draft.graph.serialize(format="turtle")
    unresolved = draft.by_status("unresolved")
    head = [f"# {draft.graph_name} (drafted by basel-kg ingest from {Path(draft.file).name})",
            f"# Source text: data/{SOURCES_DIR}/{draft.stem}.txt; every entity cites the passage it was read from.",
            "# Review before committing: basel-kg ingest FILE --report html lists what matched, what is new and",
            f"# what could not be resolved ({len(unresolved)} mention(s), not asserted here)."]
    for m in unresolved[:200]:
        head.append(f"# unresolved: {m.kind} {m.text!r} ({m.passage}): {m.note}")
    return "\n".join(head) + "\n\n" + body


def with_source_text(draft: Draft) -> Graph:
    """The draft graph plus its source text as the ``prov:value`` of its ``bkg:SourceText``: what
    ``--endpoint`` sends, so that the server's ``/source/{stem}`` shows the text without a file
    (``--into`` writes the text as a file instead, and the graph does not repeat it)."""
    from rdflib import Literal
    from rdflib.namespace import PROV

    g = Graph()
    for prefix, ns in draft.graph.namespaces():
        g.bind(prefix, ns)
    g += draft.graph
    g.add((draft.source_iri, PROV.value, Literal(draft.text)))
    return g


def write_into(draft: Draft, into: Path, *, force: bool = False) -> tuple[Path, Path]:
    """Write the draft as ``into`` and its text as ``data/sources/{stem}.txt`` beside it; all or nothing."""
    into = Path(into)
    if into.exists() and not force:
        raise IngestError(into, "exists already; choose another NNN-slug.ttl (nothing written)")
    sources = into.parent / SOURCES_DIR
    sources.mkdir(parents=True, exist_ok=True)
    text_path = sources / f"{draft.stem}.txt"
    turtle = draft_turtle(draft).encode("utf-8")
    text = draft.text.encode("utf-8")
    tmp_paths = []
    try:
        for target, data in ((text_path, text), (into, turtle)):
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            tmp_paths.append((tmp, target))
        for tmp, target in tmp_paths:
            os.replace(tmp, target)
    finally:
        for tmp, _ in tmp_paths:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return into, text_path
