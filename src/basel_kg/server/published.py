"""Published queries (``queries/published/*.rq``): a page each with a form for its
parameters, and the results as ``.json`` (SPARQL JSON results) or ``.csv``.

Parameter values arrive as URL parameters and are bound by the registry
(:meth:`basel_kg.queries.PublishedQuery.bind`): checked against their type and written as
RDF terms, never pasted into the query text.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..queries import ParameterError, PublishedQuery
from ..store import QueryResult, ResultFormats
from .common import query_response, render, run_query, settings_of
from .linkeddata import href

__all__ = ["router"]

router = APIRouter(tags=["Published queries"])

_SUFFIXES = {
    ".json": ResultFormats("application/sparql-results+json", "application/sparql-results+json", "application/ld+json"),
    ".csv": ResultFormats("text/csv", None, None),
}


@router.head("/queries", include_in_schema=False)
@router.get("/queries", summary="The published queries", response_class=Response)
async def index(request: Request) -> Response:
    return render(request, "queries.html", {"queries": list(request.app.state.registry)})


@router.head("/queries/{name}", include_in_schema=False)
@router.get("/queries/{name}", summary="One published query: a form (HTML), or its results (.json, .csv)",
            description="Parameters of the query are URL parameters; missing ones take their default.",
            response_class=Response)
async def published(request: Request, name: str) -> Response:
    suffix = next((s for s in _SUFFIXES if name.endswith(s)), None)
    query = _find(request, name[: -len(suffix)] if suffix else name)
    if query is None:
        return PlainTextResponse(f"No published query is named {name!r}.", status_code=404)
    given = {p.name: request.query_params[p.name] for p in query.parameters if request.query_params.get(p.name)}
    try:
        sparql = query.bind(given).sparql
    except ParameterError as exc:
        if suffix:
            return PlainTextResponse(str(exc), status_code=400)
        return render(request, "query.html", {"query": query, "given": given, "error": str(exc), "sparql": None},
                      status_code=400)
    if suffix:
        formats = _SUFFIXES[suffix]

        async def produce():
            return await run_query(request, sparql, formats=formats)

        return await query_response(request, produce, name, sorted(given.items()), extra_headers={
            "Content-Disposition": f'inline; filename="{query.name}{suffix}"'})

    async def page():
        result = await run_query(request, sparql)
        return render(request, "query.html", {
            "query": query, "given": given, "error": None, "sparql": sparql,
            **_table(result, settings_of(request).base),
        })

    return await query_response(request, page, name, sorted(given.items()), "html")


def _find(request: Request, name: str) -> PublishedQuery | None:
    return next((q for q in request.app.state.registry if q.name == name), None)


def _cell(term, base: str) -> dict | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"text": term.value, "href": href(term.value, base)}
    if isinstance(term, ox.Literal):
        return {"text": term.value, "language": term.language}
    return {"text": str(term)}


def _table(result: QueryResult, base: str) -> dict:
    if result.kind == "boolean":
        return {"columns": ["answer"], "rows": [[{"text": str(result.boolean()).lower()}]], "truncated": False}
    if result.kind == "graph":
        rows = [[_cell(t.subject, base), _cell(t.predicate, base), _cell(t.object, base)] for t in result.triples()]
        return {"columns": ["subject", "predicate", "object"], "rows": rows, "truncated": result.truncated}
    parsed = ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON)
    columns = [v.value for v in parsed.variables]
    rows = [[_cell(row[c], base) for c in columns] for row in parsed]
    return {"columns": columns, "rows": rows, "truncated": result.truncated}
