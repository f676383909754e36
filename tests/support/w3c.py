"""The W3C SPARQL 1.1 test manifests (protocol, service description, graph store): reading
them into requests, and the server settings their tests run with."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import Graph
from rdflib.collection import Collection

from basel_kg.server import Settings
from basel_kg.store import EmbeddedStore
from support import ROOT

#: The W3C test suites: beside the checkout (../shared/w3c-sparql11), or $BASEL_KG_W3C_TESTS.
W3C = Path(os.environ.get("BASEL_KG_W3C_TESTS") or ROOT.parent / "shared" / "w3c-sparql11")
PROTOCOL = W3C / "protocol" / "manifest.ttl"
SERVICE_DESCRIPTION = W3C / "service-description" / "manifest.ttl"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")

TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json",
             "application/trig", "application/n-quads", "text/n3")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: tuple[str, ...]  # "2xx", "3xx", "4xx" ...
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    label: str
    requests: tuple[Request, ...]
    graph_data: tuple[tuple[str, Path], ...]

    @property
    def is_update(self) -> bool:
        """The manifest names its update tests update_*, bad_update_* and bad_multiple_updates."""
        return "update" in self.name


def _manifest(path: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(path, format="turtle", publicID=path.as_uri())
    return graph


_STATUS_NAMES = {"OK": "200", "Created": "201", "NoContent": "204", "BadRequest": "400", "Unauthorized": "401",
                 "Forbidden": "403", "NotFound": "404", "MethodNotAllowed": "405", "UnsupportedMediaType": "415"}


def _status(node) -> str:
    """hts:StatusCode2xx -> "2xx"; hts:Created -> "201"."""
    name = str(node).rsplit("#", 1)[-1]
    return name.removeprefix("StatusCode") if name.startswith("StatusCode") else _STATUS_NAMES[name]


def _request(g: rdflib.Graph, node) -> Request:
    body = g.value(node, HT.body)
    data = None
    if body is not None:
        chars = str(g.value(body, CNT.chars))
        encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
        data = chars.encode("utf-16" if encoding.upper() == "UTF-16" else "utf-8")
    headers = {}
    header_list = g.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(g, header_list):
            headers[str(g.value(header, HT.fieldName)).lower()] = str(g.value(header, HT.fieldValue))
    response = g.value(node, HT.resp)
    statuses = tuple(sorted(_status(s) for s in g.objects(response, MF.expectedStatus)))
    expected_format = g.value(response, MF.expectedFormat)
    expected_boolean = g.value(response, MF.expectedBoolean)
    return Request(
        method=str(g.value(node, HT.methodName)),
        path=str(g.value(node, HT.absolutePath)),
        headers=headers,
        body=data,
        statuses=statuses,
        expected_format=str(expected_format) if expected_format is not None else None,
        expected_boolean=expected_boolean.toPython() if expected_boolean is not None else None,
    )


def w3c_settings(store: EmbeddedStore, **options) -> Settings:
    """A server for the W3C tests: their data, no shapes (the tests are about the protocol),
    no reasoning, no write records."""
    return Settings(store=store, dumps_dir=None, shapes=Graph(), reasoning=False, provenance_graph=None, **options)


def _status_class(status: int) -> str:
    return f"{status // 100}xx"
