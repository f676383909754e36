"""Published queries (``queries/published/*.rq``): a page each with a form for its
parameters, and the results as ``.json`` (SPARQL JSON results) or ``.csv``.

The HTML page shows the answer :data:`PAGE_ROWS` rows at a time (``?page=N``), in the query's
order; ``.csv`` and ``.json`` give every row (up to the server's row limit). A page is cut from
the whole answer, which the query computes anyway (its ``ORDER BY`` sorts every row).

Parameter values arrive as URL parameters and are bound by the registry
(:meth:`basel_kg.queries.PublishedQuery.bind`): checked against their type and written as
RDF terms, never pasted into the query text.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..queries import ParameterError, PublishedQuery
from ..store import QueryResult, ResultFormats
from .common import query_response, render, run_query, settings_of
from .linkeddata import href

__all__ = ["router"]

router = APIRouter(tags=["Published queries"])

#: Rows of an answer on one HTML page (``.csv`` and ``.json`` give them all).
PAGE_ROWS = 500

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
            description="Parameters of the query are URL parameters; missing ones take their default. "
                        f"The HTML page shows {PAGE_ROWS} rows at a time (`page`, from 1); `.csv` and `.json` "
                        "give every row.",
            response_class=Response)
async def published(request: Request, name: str,
                    page: int = Query(1, ge=1, le=100_000, description="HTML only: which page of rows")) -> Response:
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

    async def html():
        result = await run_query(request, sparql)
        table = _table(result, settings_of(request).base, page)
        if page > table["pages"]:
            return PlainTextResponse(f"No page {page}: the answer has {table['pages']} page(s) of {PAGE_ROWS} rows.",
                                     status_code=404)
        return render(request, "query.html", {
            "query": query, "given": given, "error": None, "sparql": sparql, "page": page, **table,
            "link": lambda page: f"/queries/{query.name}?" + urlencode({**given, "page": page}),
        })

    return await query_response(request, html, name, sorted(given.items()), "html", page)


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


def _table(result: QueryResult, base: str, page: int) -> dict:
    """Page ``page`` of the answer as table cells, with the number of rows and pages. Only the
    page's rows become cells: at 100x, cells for the 10,000 rows of ``cooperation-network``
    took 277 ms, a page of them 76 ms (most of it parsing the answer, to count it)."""
    if result.kind == "boolean":
        columns, answer = ["answer"], [[ox.Literal(str(result.boolean()).lower())]]
    elif result.kind == "graph":
        columns, answer = ["subject", "predicate", "object"], ([t.subject, t.predicate, t.object] for t in result.triples())
    else:
        parsed = ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON)
        columns = [v.value for v in parsed.variables]
        answer = parsed  # solutions, indexed by position like the lists above
    start, rows, total = (page - 1) * PAGE_ROWS, [], 0
    for total, row in enumerate(answer, 1):  # every row counted, only the page's made into cells
        if start < total <= start + PAGE_ROWS:
            rows.append([_cell(row[i], base) for i in range(len(columns))])
    return {"columns": columns, "rows": rows, "truncated": result.truncated, "total": total, "first": start + 1,
            "pages": max(1, math.ceil(total / PAGE_ROWS))}
