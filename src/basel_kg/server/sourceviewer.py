"""The source viewer: ``/source/{stem}`` in a browser shows the source text itself, line by line,
with every passage the graph defines anchored (``#para-3``, ``#r-l29``), so the IRI of a passage
(``{base}source/{stem}#{anchor}``) opens the text at that passage, highlighted. RDF clients (and
a text the project does not ship) get the Linked Data description as before.

The texts are ``data/sources/{stem}.txt`` (the five seeds and every ingested document), or,
for a document written into a running server (``basel-kg ingest --endpoint``), the text the
draft graph carries as the ``prov:value`` of its ``bkg:SourceText``; the passages and their
line ranges come from the store.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from ..namespaces import BKG_URI
from ..project import source_text
from . import linkeddata, negotiation
from .common import render, run_query, settings_of

router = APIRouter()

_STEM = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
DCTERMS = "http://purl.org/dc/terms/"
PROV_VALUE = "http://www.w3.org/ns/prov#value"


async def _text(request: Request, name: str) -> str | None:
    """The shipped text of source ``name``, else the text a graph in the store holds for it."""
    text = source_text(name)
    if text is not None or not _STEM.match(name):
        return text
    iri = settings_of(request).base + f"source/{name}"
    rows = (await run_query(request, f"SELECT ?text WHERE {{ <{iri}> a <{BKG_URI}SourceText> ; <{PROV_VALUE}> ?text }} "
                                     "LIMIT 1")).solutions()
    return next((row["text"].value for row in rows if isinstance(row.get("text"), ox.Literal)), None)


def _passages_query(iri: str) -> str:
    return (f"SELECT ?p ?locator ?start ?end WHERE {{ ?p <{DCTERMS}isPartOf> <{iri}> ; "
            f"<{BKG_URI}lineStart> ?start . OPTIONAL {{ ?p <{BKG_URI}lineEnd> ?end }} "
            f"OPTIONAL {{ ?p <{BKG_URI}locator> ?locator }} }}")


@router.get("/source/{stem}", name="source-text", summary="A source text with its passages anchored",
            description="HTML: the text of the source, one line per row, each passage of the graph anchored by its "
                        "fragment (the passage IRI opens the text there, highlighted). Other media types, or "
                        "`.txt`: the plain text; `.ttl`/`.jsonld`/`.nt`/`.rdf` or an RDF Accept: Linked Data.",
            response_class=Response)
async def source(request: Request, stem: str) -> Response:
    plain = stem.endswith(".txt")
    name = stem[:-4] if plain else stem
    text = await _text(request, name)
    if plain:
        if text is None:
            return PlainTextResponse("no such source text", status_code=404)
        return PlainTextResponse(text)
    wants_html = negotiation.rdf_media_type(request.headers.get("accept"), html=True) == negotiation.HTML
    if text is None or not wants_html:
        return await linkeddata.resource(request, f"source/{stem}")
    iri = settings_of(request).base + f"source/{name}"
    rows = (await run_query(request, _passages_query(iri))).solutions()
    passages = []
    for row in rows:
        p = row["p"].value
        if "#" not in p:
            continue
        start = int(row["start"].value)
        end = int(row["end"].value) if isinstance(row.get("end"), ox.Literal) else start
        passages.append({"anchor": p.split("#", 1)[1], "locator": row["locator"].value if row.get("locator") else "",
                         "start": start, "end": max(start, end)})
    passages.sort(key=lambda p: (p["start"], -p["end"], p["anchor"]))
    starts: dict[int, list[dict]] = {}
    for p in passages:
        starts.setdefault(p["start"], []).append(p)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return render(request, "source.html", {"stem": name, "iri": iri, "lines": lines, "passages": passages,
                                           "starts": starts})
