"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``.

Graphs are named indirectly (``/store?graph=IRI``, ``/store?default``) or directly
(``/store/{path}`` is the graph whose IRI is that URL). ``GET``/``HEAD`` read a graph as
stored, for anyone; ``PUT`` (replace), ``POST`` (merge; to ``/store`` alone: a new graph,
its IRI in ``Location``) and ``DELETE`` need a write token and pass the same checks as any
write (see :mod:`.writes`). ``?default`` is the store's own default graph, not the union
of all graphs that queries see.
"""

from __future__ import annotations

import uuid
from functools import partial

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..store import GRAPH_MEDIA_TYPES, QuerySyntaxError
from . import negotiation
from .common import query_response, settings_of
from .writes import BadDocument, WriteDenied, WriteRejected, denied_response, read_document, \
    report_response, request_id, write_id
from .uploads import disconnect_event

__all__ = ["router"]

router = APIRouter(tags=["Graph Store"])

_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
_OFFERS = tuple(m for m in GRAPH_MEDIA_TYPES if m not in ("application/trig", "application/n-quads"))
_OPENAPI = {
    "parameters": [
        {"name": "graph", "in": "query", "schema": {"type": "string"}, "description": "The graph's IRI."},
        {"name": "default", "in": "query", "schema": {"type": "string"}, "allowEmptyValue": True,
         "description": "The store's own default graph (not the union that queries see)."},
    ],
    "responses": {
        "200": {"description": "The graph (GET), in the RDF format chosen by Accept"},
        "201": {"description": "Created (PUT or POST of a new graph; POST /store: Location is the new graph)"},
        "204": {"description": "Done"},
        "401": {"description": "No token: send Authorization: Bearer TOKEN"},
        "403": {"description": "Wrong token, writes switched off, or a graph the server keeps itself"},
        "404": {"description": "No such graph"},
        "415": {"description": "Not an RDF media type we read"},
        "422": {"description": "The write would break the SHACL shapes: the report (JSON or Turtle by Accept)"},
    },
}


class _Target:
    """The graph a request names: an IRI, or None for the default graph."""

    def __init__(self, iri: str | None):
        self.iri = iri

    @property
    def node(self) -> ox.NamedNode | ox.DefaultGraph:
        return ox.DefaultGraph() if self.iri is None else ox.NamedNode(self.iri)


def _target(request: Request, path: str | None) -> _Target | None | Response:
    """The graph named by the request; None when it names none (POST /store: a new graph)."""
    params = request.query_params
    if path:
        if "graph" in params or "default" in params:
            return PlainTextResponse("Name the graph once: by the URL, ?graph= or ?default.\n", status_code=400)
        # the URL as the client wrote it (percent-encoded), not as decoded for routing
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        iri = str(request.base_url).rstrip("/") + raw_path.decode("latin-1").partition("?")[0]
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            return PlainTextResponse(f"This URL is not a graph IRI we can store ({exc}): {iri!r}.\n", status_code=400)
        return _Target(iri)
    graphs = params.getlist("graph")
    if "default" in params:
        if graphs:
            return PlainTextResponse("Give either ?graph=IRI or ?default, not both.\n", status_code=400)
        return _Target(None)
    if len(graphs) > 1:
        return PlainTextResponse("Give one ?graph=IRI.\n", status_code=400)
    if not graphs:
        return None
    try:
        ox.NamedNode(graphs[0])
    except ValueError:
        return PlainTextResponse(f"Not an absolute IRI: {graphs[0]!r}.\n", status_code=400)
    return _Target(graphs[0])


async def indirect(request: Request) -> Response:
    return await _handle(request, None)


async def direct(request: Request, path: str) -> Response:
    return await _handle(request, path)


_SUMMARIES = {"GET": "Read a graph", "HEAD": "Does the graph exist", "PUT": "Replace a graph (token)",
              "POST": "Add to a graph; to /store alone: a new graph (token)", "DELETE": "Delete a graph (token)"}
for _method in _METHODS:
    router.add_api_route("/store", indirect, methods=[_method], operation_id=f"store_{_method.lower()}",
                         summary=_SUMMARIES[_method] + " (?graph=IRI or ?default)", openapi_extra=_OPENAPI,
                         response_class=Response, include_in_schema=_method != "HEAD")
    router.add_api_route("/store/{path:path}", direct, methods=[_method],
                         operation_id=f"store_direct_{_method.lower()}",
                         summary=_SUMMARIES[_method] + " (direct: this URL is the graph's IRI)",
                         response_class=Response, include_in_schema=_method != "HEAD")


async def _handle(request: Request, path: str | None) -> Response:
    target = _target(request, path)
    if isinstance(target, Response):
        return target
    if request.method in ("GET", "HEAD"):
        if target is None:
            return PlainTextResponse("Name a graph: /store?graph=IRI or /store?default.\n", status_code=400)
        return await _read(request, target)
    service = request.app.state.writes
    try:
        agent = service.authenticate(request)
    except WriteDenied as exc:
        return denied_response(exc)
    try:
        return await _write(request, service, agent, target)
    except WriteDenied as exc:
        return denied_response(exc)
    except WriteRejected as exc:
        return report_response(request, exc.report, 422)
    except BadDocument as exc:
        return PlainTextResponse(exc.message + "\n", status_code=exc.status)


async def _read(request: Request, target: _Target) -> Response:
    store = settings_of(request).store
    if target.iri is not None and not store.has_graph(target.iri):
        return PlainTextResponse(f"No graph <{target.iri}> in this store.\n", status_code=404)
    media_type = negotiation.rdf_media_type(request.headers.get("accept"))
    if media_type is None or media_type not in _OFFERS:
        return PlainTextResponse("A graph is available as " + ", ".join(_OFFERS) + "\n", status_code=406)

    async def produce():
        return await run_in_threadpool(store.read_graph, target.iri, media_type)

    response = await query_response(request, produce, "store", target.iri, media_type)
    if request.method == "HEAD":
        return Response(status_code=response.status_code, headers=dict(response.headers))
    return response


async def _write(request: Request, service, agent: str, target: _Target | None) -> Response:
    settings = settings_of(request)
    store = settings.store
    method = request.method
    location = None
    if target is None:
        if method != "POST":
            return PlainTextResponse("Name a graph: /store?graph=IRI or /store?default.\n", status_code=400)
        target = _Target(f"{settings.base}graph/contributed/{uuid.uuid4()}")
        location = target.iri
    body = await request.body()
    if method == "DELETE":
        if target.iri is not None and not store.has_graph(target.iri):
            return PlainTextResponse(f"No graph <{target.iri}> in this store.\n", status_code=404)
        quads = []
    else:
        quads = await read_document(request, body, base_iri=settings.base, graph=target.node)
    operation = {"PUT": "put", "POST": "post", "DELETE": "delete"}[method]
    plan = partial(service.plan_graph, operation, target.iri, quads)
    try:
        result = await run_in_threadpool(partial(service.write, plan, agent=agent, request=request,
                                                 gone=disconnect_event(request)))
    except QuerySyntaxError as exc:  # cannot happen for N-Triples we wrote, but never a 500
        return PlainTextResponse(exc.message + "\n", status_code=400)
    headers = {"X-Request-ID": request_id(request), "X-Write-ID": write_id(request),
               "X-Dataset-Version": result.version}
    if location is not None:
        headers["Location"] = location
    created = method in ("PUT", "POST") and target.iri is not None and not result.existed
    return Response(status_code=201 if created else 204, headers=headers)
