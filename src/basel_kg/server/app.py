"""The application factory: :func:`create_app` builds a FastAPI app from :class:`Settings`.

Nothing is created at import time and apps share no mutable state: each has its own
settings, result cache, templates and query registry (``app.state``).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..namespaces import BASE, PREFIXES
from ..queries import load_registry
from ..project import web_asset_dirs
from ..errors import BaselKgError, QuerySyntaxError, QueryTimeout, ServerBusy, StoreFull, StoreUnavailable
from ..search import SearchIndex
from . import explore, graphstore, health, linkeddata, openapi, published, site, sourceviewer, sparql, validate
from .common import ResultCache
from .settings import Settings
from .uploads import ClientGone, ParserPool, UploadRefused
from .validator import ValidatorProcess
from .writes import BadDocument, WriteService

__all__ = ["create_app"]

HERE = Path(__file__).parent
_DESCRIPTION = f"""An open knowledge graph of the Basel Convention: decisions, meetings, partnerships,
the other environmental agreements it works with and the organisations involved, every fact
traced to its source passage.

* **SPARQL 1.1 endpoint** at `/sparql` (GET, POST form, POST `application/sparql-query`).
  The default graph is the union of every named graph, the inferred one included
  (`inference=false` leaves it out).
* **Writes** (only when the server was started with a write token; `Authorization: Bearer TOKEN`):
  SPARQL 1.1 Update at `/sparql`, the Graph Store Protocol at `/store`. Every write is
  validated with SHACL against the graph as it would be after it (422 and the report if it
  breaks a shape) and applied atomically.
* **Validation** of a document without writing it: `POST /validate`.
* **Linked Data**: every IRI under `{BASE}` resolves at the same path here.
* **Published queries** at `/queries`.
"""


async def _api_docs(request: Request) -> HTMLResponse:
    """The OpenAPI documentation, with Swagger UI from npm (node_modules/swagger-ui-dist)."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=f"{request.app.title}: HTTP API",
        swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/favicon.svg",
    )
    return HTMLResponse(linkeddata.with_site_bar(request, page.body.decode()))


def create_app(settings: Settings) -> FastAPI:
    """A new app serving ``settings.store``; the caller opens and closes the store."""
    app = FastAPI(
        title=settings.title,
        version=__version__,
        description=_DESCRIPTION,
        docs_url=None,  # served below from our own copy of Swagger UI: no CDN, no outside request
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    assets = web_asset_dirs()  # a missing asset is an error now, not a 500 at the first request
    editor_dir = settings.editor_dir or assets["yasgui"]
    registry = load_registry(settings.queries_root)
    app.state.settings = settings
    app.state.cache = ResultCache(settings.cache_bytes)
    app.state.registry = registry.published()
    app.state.editor_ready = (editor_dir / "yasgui.min.js").is_file()
    app.state.templates = _templates(settings)
    app.state.writes = WriteService(settings)
    app.state.parsers = ParserPool(settings.uploads)
    app.state.validator = ValidatorProcess(app.state.writes, settings.uploads)
    app.state.search = SearchIndex()
    app.state.writes.listeners.append(partial(app.state.search.changed, settings.store))
    if settings.warm_writes:
        app.state.writes.start_warming()

    app.add_exception_handler(BaselKgError, _baselkg_error)
    app.add_exception_handler(sparql.ProtocolError, _protocol_error)
    app.add_exception_handler(BadDocument, _protocol_error)
    app.add_exception_handler(UploadRefused, _protocol_error)
    app.add_exception_handler(ClientGone, _client_gone)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_parameter)

    app.include_router(sparql.router)
    app.include_router(graphstore.router)
    app.include_router(validate.router)
    app.include_router(health.router)
    app.include_router(published.router)
    app.include_router(site.router)
    app.include_router(explore.router)
    app.include_router(sourceviewer.router)
    app.mount("/static/yasgui", _assets(editor_dir, "The query editor (YASGUI)"), name="yasgui")
    app.mount("/static/swagger-ui", StaticFiles(directory=assets["swagger-ui"]), name="swagger-ui")
    for name, folder in assets.items():  # the explore views' libraries, from npm (no CDN)
        if name not in ("yasgui", "swagger-ui"):
            app.mount(f"/static/lib/{name}", StaticFiles(directory=folder), name=name)
    app.add_api_route("/docs", _api_docs, methods=["GET"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    if settings.dumps_dir is not None:
        app.mount("/dumps", StaticFiles(directory=settings.dumps_dir, check_dir=False), name="dumps")
    app.include_router(linkeddata.router)  # last: it answers every other path
    openapi.install(app)

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       larger={"/store": settings.max_write_bytes, "/validate": settings.max_write_bytes})
    if settings.cors_origins:
        writes = app.state.writes.enabled
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_credentials=False,
            allow_methods=CORS_METHODS + (CORS_WRITE_METHODS if writes else ()),
            allow_headers=CORS_HEADERS + (("Authorization",) if writes else ()),
            expose_headers=["ETag", "Last-Modified", "X-SPARQL-MaxRows", "Content-Disposition", "X-Request-ID",
                            "X-Dataset-Version", "Location"],
            max_age=86400,
        )
    return app


def _assets(directory: Path, what: str) -> ASGIApp:
    """Files from npm (node_modules), or 404 saying they are not installed (never a 500)."""
    if directory.is_dir():
        return StaticFiles(directory=directory)

    async def missing(scope: Scope, receive: Receive, send: Send) -> None:
        response = PlainTextResponse(f"{what} is not installed on this server (npm ci, or scripts/setup).\n",
                                     status_code=404)
        await response(scope, receive, send)

    return missing


#: Request headers a cross-origin script may send (CORS preflight): those that browser SPARQL
#: clients (YASGUI, Comunica, jQuery- and axios-based tools) add to their requests. ``Authorization``
#: is added only on a server that accepts writes (a bearer token is never sent by the browser on
#: its own, so a page must know the token to write).
CORS_HEADERS = ("Accept", "Accept-Language", "Content-Type", "Content-Language", "Cache-Control", "Pragma",
                "If-None-Match", "If-Modified-Since", "X-Requested-With", "X-Request-ID")
CORS_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
CORS_WRITE_METHODS = ("PUT", "DELETE")


def _templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    env = templates.env
    env.globals.update(settings=settings, version=__version__, prefixes=PREFIXES)
    env.filters["href"] = lambda iri: linkeddata.href(iri, settings.base)
    return templates


async def _baselkg_error(request: Request, exc: Exception) -> PlainTextResponse:
    """Every error raised on purpose, with the status it carries (:mod:`basel_kg.errors`)."""
    headers = {}
    if isinstance(exc, QueryTimeout):
        message = (f"Query stopped: it ran longer than the {exc.seconds:g} s limit of this server (waiting for a "
                   "free worker included). Narrow it down (add a LIMIT, fewer unbound patterns) and try again.")
    elif isinstance(exc, QuerySyntaxError):
        where = f" (line {exc.line}, column {exc.column})" if exc.line else ""
        message = f"Malformed query{where}: {exc.message}"
    elif isinstance(exc, ServerBusy):
        message = f"The server is busy ({exc.waiting} queries are waiting for a worker); try again shortly."
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, StoreUnavailable):
        message = "The store is restarting; try again in a few seconds."
        headers["Retry-After"] = "5"
    elif isinstance(exc, StoreFull):
        message = "The store's disk is full: the write was not applied. Reads go on; writes resume when space is freed."
    else:
        message = str(exc)
    return PlainTextResponse(message + "\n", status_code=getattr(exc, "http_status", 500), headers=headers)


async def _protocol_error(request: Request, exc: Exception) -> PlainTextResponse:
    retry = getattr(exc, "retry_after", None)
    return PlainTextResponse(exc.message + "\n", status_code=exc.status,
                             headers={"Retry-After": str(retry)} if retry else None)


async def _http_error(request: Request, exc: Exception) -> PlainTextResponse:
    """Routing errors (no route for this path, a method not allowed) as plain text, like ours."""
    return PlainTextResponse(f"{exc.detail}\n", status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _invalid_parameter(request: Request, exc: Exception) -> PlainTextResponse:
    """A parameter FastAPI could not read (a page number that is not one...): 400 saying which."""
    problems = "; ".join(f"{'.'.join(str(p) for p in error.get('loc', ())[1:]) or 'request'}: {error.get('msg')}"
                         for error in exc.errors())
    return PlainTextResponse(f"Invalid parameter: {problems}\n", status_code=400)


async def _client_gone(request: Request, exc: Exception) -> PlainTextResponse:
    return PlainTextResponse("The client disconnected before the request was done: nothing was changed.\n",
                             status_code=400)


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, by Content-Length or while streaming;
    ``larger``: other limits for paths under some prefixes (graph uploads)."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None):
        self.app, self.default_max, self.larger = app, max_bytes, larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        max_bytes = next((n for prefix, n in self.larger.items() if path == prefix or path.startswith(prefix + "/")),
                         self.default_max)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > max_bytes):
            return await self._too_large(scope, receive, send, max_bytes)
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await self._too_large(scope, receive, send, max_bytes)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        response = PlainTextResponse(f"Request body larger than {max_bytes} bytes.\n", status_code=413)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
