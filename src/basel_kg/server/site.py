"""The home page, the VoID description (``/.well-known/void``) and the dumps listing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..namespaces import GRAPH
from ..stats import TRIPLES_QUERY, entities_query
from ..store import ResultFormats
from . import explore, negotiation
from .common import query_response, render, run_query, settings_of, store_of
from . import linkeddata
from .linkeddata import href

__all__ = ["router"]

router = APIRouter(tags=["Site"])



@router.head("/", include_in_schema=False)
@router.get("/", summary="Home page", response_class=Response)
async def home(request: Request) -> Response:
    settings = settings_of(request)

    async def produce():
        store = store_of(request)
        key, other, bookkeeping = await explore.class_counts(request)
        entities = (await run_query(request, entities_query(settings.base))).solutions()
        triples = (await run_query(request, TRIPLES_QUERY)).solutions()  # as stats, build and VoID count
        graphs = store.graphs()
        return render(request, "home.html", {
            "triples": int(triples[0]["n"].value) if triples else 0,
            "entities": int(entities[0]["n"].value) if entities else 0,
            "graphs": [(g, href(g.iri, settings.base)) for g in graphs],
            "inferred": next((g.triples for g in graphs if g.iri == str(GRAPH.INFERRED)), 0),
            "key_classes": key,
            "other_classes": other,
            "bookkeeping_classes": bookkeeping,
            "dataset_version": store.version,
            "queries": list(request.app.state.registry),
            "has_dumps": _dump_files(settings.dumps_dir) != [],
        })

    return await query_response(request, produce, "home")


_VOID_OFFERS = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")


@router.head("/.well-known/void", include_in_schema=False)
@router.get("/.well-known/void", summary="VoID description of the dataset",
                  response_class=Response)
async def void(request: Request) -> Response:
    """The release's VoID/DCAT description (graph ``graph/void``): an HTML page for browsers,
    an RDF format by Accept (Turtle when anything goes)."""
    media_type = negotiation.negotiate(request.headers.get("accept"), _VOID_OFFERS + ("text/html",))
    if media_type is None:
        return PlainTextResponse("Available as " + ", ".join(_VOID_OFFERS + ("text/html",)), status_code=406)
    if media_type == "text/html":
        return await _void_page(request)
    sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {str(ox.NamedNode(str(GRAPH.VOID)))} {{ ?s ?p ?o }} }}"

    async def produce():
        result = await run_query(request, sparql, formats=ResultFormats(graph=media_type))
        return result if result.count else PlainTextResponse("This server has no VoID description loaded.",
                                                             status_code=404)

    return await query_response(request, produce, "void", media_type)


async def _void_page(request: Request) -> Response:
    """The VoID/DCAT description as a page: what the dataset says of itself first; then what it
    links to (class and property partitions, subsets, distributions) as one table each, a row
    per part and a column per property; then anything else."""
    base = settings_of(request).base
    sparql = f"SELECT ?s ?p ?o WHERE {{ GRAPH {str(ox.NamedNode(str(GRAPH.VOID)))} {{ ?s ?p ?o }} }}"

    async def produce():
        rows = (await run_query(request, sparql)).solutions()
        if not rows:
            return PlainTextResponse("This server has no VoID description loaded.", status_code=404)
        index = await explore.search_index(request)
        labels = linkeddata._Labels()
        subjects: dict[str, dict[str, list]] = {}
        nodes: dict[str, object] = {}
        for row in rows:
            nodes[str(row["s"])] = row["s"]
            subjects.setdefault(str(row["s"]), {}).setdefault(row["p"].value, []).append(row["o"])

        def term(node):
            t = linkeddata._term(node, labels, base)
            if t.kind == "iri" and t.label is None and t.value.startswith(base) and t.value in index._info:
                t.label = index.label(t.value)
            return t

        def name(iri: str):
            return term(ox.NamedNode(iri))

        dataset = str(ox.NamedNode(base + "dataset"))
        own = subjects.get(dataset, {})
        parts, facts, shown = [], [], {dataset}
        for prop, values in sorted(own.items(), key=lambda kv: linkeddata.curie(kv[0]) or kv[0]):
            children = [str(v) for v in values if str(v) in subjects and str(v) != dataset]
            if children:
                columns = sorted({p for c in children for p in subjects[c] if p != linkeddata.RDF_TYPE},
                                 key=lambda p: linkeddata.curie(p) or p)
                table = [[sorted((term(v) for v in subjects[c].get(p, [])), key=lambda t: t.text) for p in columns]
                         for c in children]
                named = [(term(nodes[c]) if not str(c).startswith("_:") else None) for c in children]
                order = sorted(range(len(children)), key=lambda i: [[t.text for t in cell] for cell in table[i]])
                parts.append((name(prop), [name(p) for p in columns], [(named[i], table[i]) for i in order], any(named)))
                shown.update(children)
            else:
                facts.append((name(prop), sorted((term(v) for v in values), key=lambda t: t.text)))
        others = [(term(nodes[s]), [(name(p), sorted((term(v) for v in vs), key=lambda t: t.text))
                                    for p, vs in sorted(subjects[s].items())])
                  for s in sorted(subjects) if s not in shown]
        return render(request, "void.html", {"dataset": term(nodes[dataset]) if dataset in nodes else None,
                                             "facts": facts, "parts": parts, "others": others})

    return await query_response(request, produce, "void", "text/html")


def _dump_files(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not any(part.startswith(".") for part in
                                                                          p.relative_to(folder).parts))


@router.head("/dumps/", include_in_schema=False)
@router.get("/dumps/", summary="The release files", response_class=Response)
async def dumps(request: Request) -> Response:
    folder = settings_of(request).dumps_dir
    files = [(p.relative_to(folder).as_posix(), p.stat().st_size) for p in _dump_files(folder)]
    if negotiation.negotiate(request.headers.get("accept"), ("text/html", "application/json")) == "application/json":
        from starlette.responses import JSONResponse

        return JSONResponse([{"name": n, "bytes": size, "url": f"/dumps/{n}"} for n, size in files])
    return render(request, "dumps.html", {"files": files})


_FAVICON = Path(__file__).parent / "static" / "favicon.svg"


@router.get("/favicon.ico", include_in_schema=False)
@router.get("/favicon.svg", include_in_schema=False)
async def favicon() -> Response:
    """The site icon (SVG; browsers that ask for /favicon.ico accept it too)."""
    return Response(_FAVICON.read_bytes(), media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})
