"""The home page, the VoID description (``/.well-known/void``) and the dumps listing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..namespaces import BKG_URI, GRAPH
from ..stats import TRIPLES_QUERY, entities_query
from ..store import ResultFormats
from . import negotiation
from .common import query_response, render, run_query, settings_of, store_of
from .linkeddata import href

__all__ = ["router"]

router = APIRouter(tags=["Site"])

_CLASS_COUNTS = f"""SELECT ?class ?label (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s a ?class FILTER(STRSTARTS(STR(?class), {str(ox.Literal(BKG_URI))}))
  OPTIONAL {{ ?class <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(lang(?label) = "en") }}
}} GROUP BY ?class ?label ORDER BY DESC(?n) ?class"""


@router.head("/", include_in_schema=False)
@router.get("/", summary="Home page", response_class=Response)
async def home(request: Request) -> Response:
    settings = settings_of(request)

    async def produce():
        store = store_of(request)
        classes = (await run_query(request, _CLASS_COUNTS, inference=False)).solutions()
        entities = (await run_query(request, entities_query(settings.base))).solutions()
        triples = (await run_query(request, TRIPLES_QUERY)).solutions()  # as stats, build and VoID count
        graphs = store.graphs()
        return render(request, "home.html", {
            "triples": int(triples[0]["n"].value) if triples else 0,
            "entities": int(entities[0]["n"].value) if entities else 0,
            "graphs": [(g, href(g.iri, settings.base)) for g in graphs],
            "inferred": next((g.triples for g in graphs if g.iri == str(GRAPH.INFERRED)), 0),
            "classes": [(row.get("label").value if row.get("label") else row["class"].value.rsplit("#", 1)[-1],
                         href(row["class"].value, settings.base), int(row["n"].value)) for row in classes],
            "version": store.version,
            "queries": list(request.app.state.registry),
            "has_dumps": _dump_files(settings.dumps_dir) != [],
        })

    return await query_response(request, produce, "home")


_VOID_OFFERS = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")


@router.head("/.well-known/void", include_in_schema=False)
@router.get("/.well-known/void", summary="VoID description of the dataset",
                  response_class=Response)
async def void(request: Request) -> Response:
    """The release's VoID/DCAT description (graph ``graph/void``), in an RDF format by Accept."""
    media_type = negotiation.negotiate(request.headers.get("accept"), _VOID_OFFERS)
    if media_type is None:
        return PlainTextResponse("Available as " + ", ".join(_VOID_OFFERS), status_code=406)
    sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {str(ox.NamedNode(str(GRAPH.VOID)))} {{ ?s ?p ?o }} }}"

    async def produce():
        result = await run_query(request, sparql, formats=ResultFormats(graph=media_type))
        return result if result.count else PlainTextResponse("This server has no VoID description loaded.",
                                                             status_code=404)

    return await query_response(request, produce, "void", media_type)


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
