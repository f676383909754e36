"""What every router needs: the app's settings and store, running a query off the event
loop (through the app's result cache), HTTP validators (ETag, Last-Modified, 304), and
rendering templates.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..store import QueryResult, ResultFormats, Store
from .settings import Settings

__all__ = [
    "ResultCache",
    "settings_of",
    "store_of",
    "run_query",
    "validators",
    "not_modified",
    "query_response",
    "render",
    "TEXT_TYPES",
]

#: Media types served with an explicit ``charset=utf-8``.
TEXT_TYPES = ("text/", "application/sparql-results+", "application/ld+json", "application/n-", "application/trig",
              "application/rdf+xml")


class ResultCache:
    """Query results by (dataset version, request), least recently used first out, bounded in bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size = max_bytes, 0
        self._entries: OrderedDict[Hashable, QueryResult] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> QueryResult | None:
        result = self._entries.get(key)
        if result is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return result

    def put(self, key: Hashable, result: QueryResult) -> None:
        size = len(result.body)
        if size > self.max_bytes // 8:  # one big result must not flush everything else
            return
        if key in self._entries:
            self.size -= len(self._entries.pop(key).body)
        self._entries[key] = result
        self.size += size
        while self.size > self.max_bytes:
            _, old = self._entries.popitem(last=False)
            self.size -= len(old.body)


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def store_of(request: Request) -> Store:
    return request.app.state.settings.store


async def run_query(
    request: Request,
    sparql: str,
    *,
    formats: ResultFormats | None = None,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
    inference: bool = True,
    max_rows: int | None = None,
) -> QueryResult:
    """Run a query in a worker thread (never in the event loop), through the result cache."""
    settings = settings_of(request)
    formats = formats or ResultFormats()
    max_rows = settings.max_rows if max_rows is None else max_rows
    key = (settings.store.version, sparql, tuple(default_graph_uris), tuple(named_graph_uris), inference, formats,
           max_rows)
    cache: ResultCache = request.app.state.cache
    result = cache.get(key)
    if result is None:
        result = await run_in_threadpool(
            partial(
                settings.store.query,
                sparql,
                default_graph_uris=default_graph_uris,
                named_graph_uris=named_graph_uris,
                inference=inference,
                formats=formats,
                max_rows=max_rows,
                timeout=settings.timeout,
            )
        )
        cache.put((result.version, *key[1:]), result)
    return result


def validators(version: str, modified: datetime, *parts: object) -> dict[str, str]:
    """ETag (the dataset version + what was asked) and Last-Modified headers."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    return {
        "ETag": f'"{version}-{digest}"',
        "Last-Modified": format_datetime(modified.replace(microsecond=0), usegmt=True),
        "Cache-Control": "public, no-cache",
    }


def not_modified(request: Request, headers: dict[str, str]) -> bool:
    """RFC 9110 §13.1: If-None-Match wins over If-Modified-Since; only for GET and HEAD."""
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or headers["ETag"] in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(headers["Last-Modified"])
        except (TypeError, ValueError):
            return False
    return False


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith(TEXT_TYPES) else media_type


async def query_response(
    request: Request,
    produce: Callable[[], Any],
    *parts: object,
    extra_headers: dict[str, str] | None = None,
) -> Response | None:
    """A cacheable response: 304 when the client's copy is current, else ``await produce()``.

    ``produce`` returns a :class:`QueryResult`, a :class:`Response`, or None (nothing to
    send: None is returned); ``parts`` identify the representation (with the dataset version
    they make the ETag).
    """
    store = store_of(request)
    headers = validators(store.version, store.modified, request.url.path, *parts)
    headers["Vary"] = "Accept"
    if not_modified(request, headers):
        return Response(status_code=304, headers=headers)
    produced = await produce()
    if produced is None:
        return None
    if isinstance(produced, Response):
        produced.headers.update(headers)
        return produced
    if produced.truncated:
        headers["X-SPARQL-MaxRows"] = str(produced.count)
    headers.update(extra_headers or {})
    return Response(produced.body, headers=headers, media_type=content_type(produced.media_type))


def render(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)
