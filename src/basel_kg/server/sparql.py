"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: queries by GET, POST form and POST direct;
SPARQL 1.1 Update by POST form and POST direct (with a write token; see :mod:`.writes`);
the service description (GET without a query); the query editor (GET from a browser).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from functools import partial

from starlette.concurrency import run_in_threadpool

from ..namespaces import PREFIXES
from ..terms import RDF_TYPE
from ..vocabcheck import warning_header
from . import negotiation
from .common import content_type, query_response, render, run_query, settings_of, store_of
from .uploads import disconnect_event, nesting_depth
from .writes import WriteDenied, WriteRejected, denied_response, report_response, request_id, write_id

__all__ = ["router"]

router = APIRouter(tags=["SPARQL"])

_DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
_UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")

_QUERY_PARAMETERS = [
    {"name": "query", "in": "query", "schema": {"type": "string"},
     "description": "A SPARQL 1.1 query. Without it, GET returns the service description "
                    "(or the query editor, for a browser)."},
    {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
     "style": "form", "explode": True,
     "description": "Graphs whose merge is the default graph (replaces the query's FROM)."},
    {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
     "style": "form", "explode": True, "description": "Graphs available to GRAPH (replaces FROM NAMED)."},
    {"name": "inference", "in": "query", "schema": {"type": "boolean", "default": True},
     "description": "false: leave the inferred graph out of the default graph and GRAPH."},
    {"name": "format", "in": "query", "schema": {"type": "string"},
     "description": "Overrides Accept when it fits the query form (json, xml, csv, tsv, turtle, n3, nt, "
                    "json-ld, rdf, rdf+xml, trig, nq, or a media type); otherwise ignored. "
                    "'output' and 'results' are read the same way."},
]
_RESULT_CONTENT = {
    m: {} for m in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                    "text/tab-separated-values", "text/turtle", "application/ld+json", "application/n-triples",
                    "application/rdf+xml", "application/trig", "application/n-quads", "text/n3")
}
_OPENAPI = {
    "parameters": _QUERY_PARAMETERS,
    "responses": {
        "200": {"description": "Query results, in the format negotiated by Accept or format=",
                "content": _RESULT_CONTENT},
        "204": {"description": "Update applied (with a write token)"},
        "400": {"description": "Malformed query or update: the parser's message with line and column"},
        "401": {"description": "An update without 'Authorization: Bearer TOKEN'"},
        "403": {"description": "Refused: LOAD, SERVICE to an endpoint not allow-listed, an update with a wrong "
                               "token or on a read-only server, a graph the server keeps itself"},
        "422": {"description": "The update would break the SHACL shapes: the report (JSON or Turtle by Accept)"},
        "406": {"description": "Accept names no format this endpoint writes (a CONSTRUCT asked for result-set "
                               "types only gets Turtle, a SELECT asked for RDF types only gets SPARQL JSON)"},
        "413": {"description": "Request body too large"},
        "503": {"description": "The query was stopped at the time limit"},
    },
}


class ProtocolError(Exception):
    """A request that breaks the SPARQL protocol; answered with ``status`` and ``message``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@router.head("/sparql", include_in_schema=False)
@router.head("/sparql/", include_in_schema=False)
@router.get("/sparql/", include_in_schema=False)
@router.get("/sparql", name="sparql", summary="SPARQL query (GET)",
                  openapi_extra=_OPENAPI, response_class=Response)
async def sparql_get(request: Request) -> Response:
    params = request.query_params
    if any(p in params for p in _UPDATE_PARAMS):
        try:
            request.app.state.writes.authenticate(request)
        except WriteDenied as exc:
            return denied_response(exc)
        return PlainTextResponse("SPARQL Update is accepted by POST only (SPARQL 1.1 Protocol, 2.2).\n",
                                 status_code=400)
    queries = params.getlist("query")
    if not queries:
        return await _service_description(request)
    return await _answer(request, _one(queries), params.multi_items())


@router.post("/sparql/", include_in_schema=False)
@router.post("/sparql", summary="SPARQL query or update (POST form or direct)", openapi_extra={
    **_OPENAPI,
    "requestBody": {"content": {
        "application/sparql-query": {"schema": {"type": "string"}},
        "application/sparql-update": {"schema": {"type": "string"}},
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
            "query": {"type": "string"},
            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
            "update": {"type": "string", "description": "A SPARQL 1.1 Update (needs a write token)"},
            "using-graph-uri": {"type": "array", "items": {"type": "string"}},
            "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
        }}},
    }},
}, response_class=Response)
async def sparql_post(request: Request) -> Response:
    media_type, _, params = (request.headers.get("content-type") or "").partition(";")
    media_type = media_type.strip().lower()
    charset = negotiation.charset_of(params)
    if media_type == "application/sparql-update":  # a write: who asks comes first
        try:
            request.app.state.writes.authenticate(request)
        except WriteDenied as exc:
            return denied_response(exc)
    if charset not in (None, "utf-8", "utf8"):
        return PlainTextResponse(f"Only UTF-8 is accepted, not {charset}.", status_code=415)
    body = await request.body()
    if media_type == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode("utf-8", errors="strict"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            return PlainTextResponse("The form is not valid UTF-8.", status_code=400)
        if "update" in form:
            if "query" in form:
                return PlainTextResponse("Send a query or an update, not both.", status_code=400)
            items = list(request.query_params.multi_items()) + [(k, v) for k, vs in form.items() for v in vs]
            return await _update(request, form["update"], items)
        if any(p in form for p in _UPDATE_PARAMS):
            return PlainTextResponse("using-graph-uri/using-named-graph-uri go with an update.", status_code=400)
        if "query" not in form:
            return PlainTextResponse("The form has no 'query' field.", status_code=400)
        items = list(request.query_params.multi_items()) + [(k, v) for k, vs in form.items() for v in vs]
        return await _answer(request, _one(form["query"]), items)
    if media_type == "application/sparql-query":
        try:
            text = body.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            return PlainTextResponse("The query is not valid UTF-8.", status_code=400)
        return await _answer(request, text, request.query_params.multi_items())
    if media_type == "application/sparql-update":
        try:
            text = body.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            return PlainTextResponse("The update is not valid UTF-8.", status_code=400)
        return await _update(request, [text], request.query_params.multi_items())
    return PlainTextResponse(
        "POST a query as application/sparql-query, or as a form (application/x-www-form-urlencoded) "
        f"with a 'query' field; got {media_type or 'no content type'}.",
        status_code=415,
    )


def _one(values: list[str]) -> str:
    if len(values) != 1:
        raise ProtocolError(400, "Give exactly one query.")
    return values[0]


def _iris(parameter: str, values: list[str]) -> list[str]:
    """The values of a protocol parameter that names graphs, each an absolute IRI (else 400)."""
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise ProtocolError(400, f"{parameter}: {value!r} is not an absolute IRI ({exc}).") from None
    return values


def check_depth(sparql: str, limit: int) -> None:
    """Refuse a query or update nesting brackets deeper than ``limit`` (400) before any parser
    sees it: deep nesting is how a short text makes a recursive parser crash."""
    depth = nesting_depth(sparql.encode("utf-8", errors="replace"), "SPARQL", limit)
    if depth > limit:
        raise ProtocolError(400, f"The query nests brackets or groups deeper than {limit} levels (the nesting-depth "
                                 "limit of this server); flatten it.")


def _flag(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() not in ("false", "0", "no", "off")


async def _answer(request: Request, sparql: str, items: list[tuple[str, str]]) -> Response:
    def values(name: str) -> list[str]:
        return [v for k, v in items if k == name]

    default_graphs = _iris("default-graph-uri", values("default-graph-uri"))
    named_graphs = _iris("named-graph-uri", values("named-graph-uri"))
    check_depth(sparql, settings_of(request).max_query_depth)
    inference = _flag(next(iter(values("inference")), None), True)
    formats = negotiation.result_formats(request.headers.get("accept"), negotiation.format_parameter(items))

    async def produce():
        return await run_query(request, sparql, formats=formats, default_graph_uris=default_graphs,
                               named_graph_uris=named_graphs, inference=inference)

    return await query_response(request, produce, sparql, default_graphs, named_graphs, inference, formats,
                                extra_headers=warning_header(sparql))


async def _update(request: Request, updates: list[str], items: list[tuple[str, str]]) -> Response:
    """SPARQL 1.1 Update: authenticate, work out the change, check it, apply it."""
    service = request.app.state.writes
    try:
        agent = service.authenticate(request)
    except WriteDenied as exc:
        return denied_response(exc)
    if len(updates) != 1:
        return PlainTextResponse("Give exactly one update.", status_code=400)
    using = _iris("using-graph-uri", [v for k, v in items if k == "using-graph-uri"])
    using_named = _iris("using-named-graph-uri", [v for k, v in items if k == "using-named-graph-uri"])
    check_depth(updates[0], settings_of(request).max_query_depth)
    store = store_of(request)
    plan = partial(_plan_update, store, updates[0], using, using_named, settings_of(request).timeout)
    try:
        result = await run_in_threadpool(partial(service.write, plan, agent=agent, request=request,
                                                 gone=disconnect_event(request)))
    except WriteDenied as exc:
        return denied_response(exc)
    except WriteRejected as exc:
        return report_response(request, exc.report, 422)
    return Response(status_code=204, headers={"X-Request-ID": request_id(request), "X-Write-ID": write_id(request),
                                              "X-Dataset-Version": result.version})


def _plan_update(store, sparql: str, using: list[str], using_named: list[str], timeout: float):
    delta = store.plan_update(sparql, using_graphs=using, using_named_graphs=using_named, timeout=timeout)
    graphs = {g for g in delta.graphs() if g is not None}
    return delta, bool(graphs)


# --------------------------------------------------------------------------- service description

_SD = "http://www.w3.org/ns/sparql-service-description#"
_VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads", "N3")
_SD_OFFERS = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
              negotiation.HTML)


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


def _sd(term: str) -> ox.NamedNode:
    return ox.NamedNode(_SD + term)


def service_description(endpoint: str, store, *, updates: bool = False) -> list[ox.Triple]:
    """SPARQL 1.1 Service Description of this endpoint and its dataset."""
    service, dataset, default = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    t = ox.Triple
    triples = [
        t(service, RDF_TYPE, _sd("Service")),
        t(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        t(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        *([t(service, _sd("supportedLanguage"), _sd("SPARQL11Update"))] if updates else []),
        t(service, _sd("feature"), _sd("UnionDefaultGraph")),
        t(service, _sd("defaultDataset"), dataset),
        t(dataset, RDF_TYPE, _sd("Dataset")),
        t(dataset, _sd("defaultGraph"), default),
        t(default, RDF_TYPE, _sd("Graph")),
        t(default, _VOID_TRIPLES, _integer(store.triples)),
    ]
    triples += [t(service, _sd("resultFormat"), ox.NamedNode("http://www.w3.org/ns/formats/" + f))
                for f in _RESULT_FORMATS]
    for prefix, namespace in store.prefixes.items():  # predeclared in every query, as SHACL declares prefixes
        declaration = ox.BlankNode()
        triples += [
            t(service, _SH_DECLARE, declaration),
            t(declaration, _SH_PREFIX, ox.Literal(prefix)),
            t(declaration, _SH_NAMESPACE, ox.Literal(namespace, datatype=_XSD_ANY_URI)),
        ]
    for info in store.graphs():
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            t(dataset, _sd("namedGraph"), named),
            t(named, RDF_TYPE, _sd("NamedGraph")),
            t(named, _sd("name"), ox.NamedNode(info.iri)),
            t(named, _sd("graph"), graph),
            t(graph, RDF_TYPE, _sd("Graph")),
            t(graph, _VOID_TRIPLES, _integer(info.triples)),
        ]
    return triples


_SH = "http://www.w3.org/ns/shacl#"
_SH_DECLARE, _SH_PREFIX, _SH_NAMESPACE = (ox.NamedNode(_SH + n) for n in ("declare", "prefix", "namespace"))
_XSD_ANY_URI = ox.NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")


async def _service_description(request: Request) -> Response:
    media_type = negotiation.negotiate(request.headers.get("accept"), _SD_OFFERS)
    if media_type is None:
        return PlainTextResponse("The service description is available as " + ", ".join(_SD_OFFERS),
                                 status_code=406)
    if media_type == negotiation.HTML:
        return await _editor(request)
    endpoint = str(request.url_for("sparql"))

    async def produce():
        fmt = ox.RdfFormat.from_media_type(media_type)
        body = ox.serialize(service_description(endpoint, store_of(request),
                                                updates=request.app.state.writes.enabled), format=fmt,
                            prefixes={"sd": _SD, "void": "http://rdfs.org/ns/void#", "sh": _SH})
        return Response(body, media_type=content_type(media_type))

    return await query_response(request, produce, "service-description", endpoint, media_type)


async def _editor(request: Request) -> Response:
    settings = settings_of(request)
    registry = request.app.state.registry
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p in _EDITOR_PREFIXES)
    default_query = prefixes + "\nSELECT ?decision ?label WHERE {\n  ?decision a bkg:Decision ;\n" \
                               "            rdfs:label ?label .\n  FILTER (lang(?label) = \"en\")\n}\nLIMIT 20\n"
    examples = [{"name": q.name, "title": q.title, "query": q.bind().sparql} for q in registry]
    return render(request, "editor.html", {
        "default_query": default_query,
        "examples": examples,
        "editor_ready": request.app.state.editor_ready,
        "settings": settings,
    })


_EDITOR_PREFIXES = ("bkg", "basel", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "prov", "org", "schema")
