"""The OpenAPI description, completed: every operation gets its request body and, for every
status it can answer with, the media types and a schema of the body.

The routers declare what is particular to them (summaries, parameters, the SPARQL result
formats); this module adds what every route shares, from one table, so that no route
forgets its error statuses and the description stays true: ``tests/test_openapi.py`` runs
schemathesis against a live server and fails on any status, media type or body the
description does not announce.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

__all__ = ["install"]

_STRING = {"type": "string"}
_RDF = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
_DATASET_RDF = ("application/trig", "application/n-quads", "text/n3")
_UPLOAD_TYPES = ("text/turtle", "application/x-turtle", "application/n-triples", "text/plain", "application/ld+json",
                 "application/json", "application/rdf+xml", "application/xml", "text/xml", "application/n-quads",
                 "application/trig", "text/n3")

_REPORT = {
    "type": "object",
    "required": ["conforms", "results"],
    "properties": {
        "conforms": {"type": "boolean"},
        "results": {"type": "array", "items": {"type": "object", "properties": {
            "focusNode": {"type": ["string", "null"]},
            "resultPath": {"type": ["string", "null"]},
            "value": {"type": ["string", "null"]},
            "shape": {"type": ["string", "null"]},
            "sourceConstraintComponent": {"type": ["string", "null"]},
            "severity": {"type": ["string", "null"]},
            "message": {"type": ["string", "null"]},
        }}},
    },
}
_SPARQL_JSON = {
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {"type": "object"},
        "results": {"type": "object", "properties": {"bindings": {"type": "array", "items": {"type": "object"}}}},
        "boolean": {"type": "boolean"},
    },
}
_JSON_LD = {"type": ["object", "array"]}
_ANY = {"type": ["object", "array"]}
_DUMPS = {"type": "array", "items": {"type": "object", "required": ["name", "bytes", "url"], "properties": {
    "name": {"type": "string"}, "bytes": {"type": "integer"}, "url": {"type": "string"}}}}


def _schema(media_type: str) -> dict[str, Any]:
    if media_type == "application/sparql-results+json":
        return _SPARQL_JSON
    if media_type == "application/ld+json":
        return _JSON_LD
    return _STRING


def _content(*media_types: str, schemas: dict[str, dict] | None = None) -> dict[str, Any]:
    schemas = schemas or {}
    return {m: {"schema": schemas.get(m, _schema(m))} for m in media_types}


_TEXT = _content("text/plain")
_TEXT_OR_PAGE = _content("text/plain", "text/html")  # browsers get a page
_ERRORS = {
    "400": "Bad request: a malformed query or parameter, an IRI that is not one, a document that does not parse",
    "401": "No token: send 'Authorization: Bearer TOKEN'",
    "403": "Refused: a wrong token, writes switched off, LOAD or SERVICE, a graph the server keeps itself",
    "404": "Not found",
    "406": "No acceptable format for this resource (see Accept)",
    "409": "The data changed while the write was worked out: send it again",
    "413": "Too large: the request body, or a limit on one document (time, memory, triples; the message names it)",
    "415": "Not a media type this operation reads",
    "422": "Unprocessable: the write breaks the SHACL shapes (the report), or the document nests too deeply, "
           "declares XML entities or crashes the parser (text)",
    "503": "Unavailable for now: the query was stopped at the time limit, the server is busy (Retry-After), or "
           "the store is restarting (Retry-After)",
    "507": "The store's disk is full: the write was not applied",
}
_REPORT_422 = _content("application/json", "text/turtle", "text/plain", schemas={"application/json": _REPORT})
_HEALTH = {"type": "object", "required": ["status", "version", "writable"],
           "properties": {"status": {"type": "string"}, "version": {"type": ["string", "null"]},
                          "writable": {"type": "boolean"}}}
_HEADERS_503 = {"Retry-After": {"description": "Seconds to wait (busy server, restarting store)",
                                "schema": {"type": "integer"}}}

_QUERY_RESULTS = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values", *_RDF, *_DATASET_RDF)
_READ = ("400", "404", "406", "503")
_WRITE = ("400", "401", "403", "404", "409", "413", "415", "422", "503", "507")

# (method, path) -> (successes {status: content or None}, error statuses)
_OPERATIONS: dict[tuple[str, str], tuple[dict[str, Any], tuple[str, ...]]] = {
    ("get", "/sparql"): ({"200": _content(*_QUERY_RESULTS, "text/html"), "304": None},
                         ("400", "401", "403", "406", "503")),
    ("post", "/sparql"): ({"200": _content(*_QUERY_RESULTS), "204": None},
                          ("400", "401", "403", "406", "409", "413", "415", "422", "503", "507")),
    ("get", "/store"): ({"200": _content(*_RDF, "text/n3"), "304": None}, _READ),
    ("get", "/store/{path}"): ({"200": _content(*_RDF, "text/n3"), "304": None}, _READ),
    ("put", "/store"): ({"201": None, "204": None}, _WRITE),
    ("put", "/store/{path}"): ({"201": None, "204": None}, _WRITE),
    ("post", "/store"): ({"201": None, "204": None}, _WRITE),
    ("post", "/store/{path}"): ({"201": None, "204": None}, _WRITE),
    ("delete", "/store"): ({"204": None}, _WRITE),
    ("delete", "/store/{path}"): ({"204": None}, _WRITE),
    ("post", "/validate"): ({"200": _content("application/json", "text/turtle", "text/plain",
                                             schemas={"application/json": _REPORT})},
                            ("400", "403", "413", "415", "422", "503")),
    ("get", "/queries"): ({"200": _content("text/html")}, ("503",)),
    ("get", "/queries/{name}"): ({"200": _content("text/html", "application/sparql-results+json", "text/csv"),
                                  "304": None}, ("400", "404", "406", "503")),
    ("get", "/"): ({"200": _content("text/html"), "304": None}, ("503",)),
    ("get", "/.well-known/void"): ({"200": _content(*_RDF), "304": None}, _READ),
    ("get", "/dumps/"): ({"200": _content("text/html", "application/json", schemas={"application/json": _DUMPS})},
                         ()),
    ("get", "/{path}"): ({"200": _content("text/html", *_RDF, *_DATASET_RDF), "303": None, "304": None}, _READ),
    ("get", "/health"): ({"200": _content("application/json", schemas={"application/json": _HEALTH})},
                         ("503",)),
    ("get", "/context.jsonld"): ({"200": _content("application/ld+json"), "304": None}, ()),
    ("get", "/source/{stem}"): ({"200": _content("text/html", "text/plain", *_RDF, *_DATASET_RDF), "303": None,
                                 "304": None}, _READ),
    ("get", "/search"): ({"200": _content("text/html", "application/json", schemas={"application/json": _ANY})},
                         ("400", "503")),
    ("get", "/search/suggest"): ({"200": _content("application/json", schemas={"application/json": _ANY})},
                                 ("400", "503")),
    ("get", "/class/{name}"): ({"200": _content("text/html", "application/json", schemas={"application/json": _ANY})},
                               ("400", "404", "503")),
    ("get", "/network"): ({"200": _content("text/html")}, ()),
    ("get", "/network.json"): ({"200": _content("application/json", schemas={"application/json": _ANY})},
                               ("400", "503")),
    ("get", "/neighbourhood.json"): ({"200": _content("application/json", schemas={"application/json": _ANY})},
                                     ("400", "404", "503")),
    ("get", "/timeline"): ({"200": _content("text/html")}, ()),
    ("get", "/timeline.json"): ({"200": _content("application/json", schemas={"application/json": _ANY})},
                                ("400", "503")),
}
_REQUEST_BODIES = {
    ("put", "/store"): _content(*_UPLOAD_TYPES),
    ("put", "/store/{path}"): _content(*_UPLOAD_TYPES),
    ("post", "/store"): {**_content(*_UPLOAD_TYPES), "multipart/form-data": {"schema": {"type": "object"}}},
    ("post", "/store/{path}"): {**_content(*_UPLOAD_TYPES), "multipart/form-data": {"schema": {"type": "object"}}},
    ("post", "/validate"): {**_content(*_UPLOAD_TYPES), "multipart/form-data": {"schema": {"type": "object"}}},
}
_SUCCESS = {"200": "OK", "201": "Created (Location: the new graph, for POST /store)", "204": "Done",
            "303": "See other: the resource's page or data", "304": "Not modified (ETag / Last-Modified)"}


def complete(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with every operation's responses and request bodies filled in (in place)."""
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            known = _OPERATIONS.get((method, path))
            if known is None:
                continue
            successes, errors = known
            before = operation.get("responses", {})
            responses: dict[str, Any] = {}
            for status, content in successes.items():
                entry = {"description": before.get(status, {}).get("description") or _SUCCESS[status]}
                if content is not None:
                    entry["content"] = content
                responses[status] = entry
            for status in errors:
                description = before.get(status, {}).get("description") or _ERRORS[status]
                content = _REPORT_422 if status == "422" else _TEXT_OR_PAGE if status in ("400", "404") else _TEXT
                entry = {"description": description, "content": content}
                if status == "503":
                    entry["headers"] = _HEADERS_503
                responses[status] = entry
            operation["responses"] = responses
            body = _REQUEST_BODIES.get((method, path))
            if body is not None:
                operation["requestBody"] = {"content": body, "required": method != "delete"}
            elif method == "delete":
                operation.pop("requestBody", None)
    schemas = spec.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    if "components" in spec and not schemas:
        spec["components"].pop("schemas", None)
    return spec


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the completed description (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(get_openapi(title=app.title, version=app.version,
                                                      description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi
