"""Run SPARQL queries locally (pyoxigraph) or on a remote endpoint (SPARQLWrapper), and print results.

Local queries never reach outside the store: pyoxigraph does not fetch the graphs named in
``FROM`` (it reads them from the store), but it would evaluate ``SERVICE`` over HTTP, so
:func:`check_local_query` refuses any query using the ``SERVICE`` keyword. rdflib's own SPARQL
engine, which dereferences ``FROM`` IRIs, is never used for queries.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox
from rdflib import Dataset

from .namespaces import GRAPH, PREFIXES, shorten
from .sparqltext import scan_sparql, with_prefixes

__all__ = [
    "QueryError",
    "QuerySyntaxError",
    "UnsafeQueryError",
    "ResultFormat",
    "QueryResult",
    "check_local_query",
    "local_store",
    "run_local",
    "run_remote",
    "formats_for",
    "render",
    "short",
    "table",
]


class QueryError(RuntimeError):
    """The query could not be run (syntax error, endpoint failure...)."""


class QuerySyntaxError(QueryError):
    """The query is not valid SPARQL (locally, or according to the endpoint)."""


class UnsafeQueryError(QueryError):
    """The query would reach outside the local store."""


class ResultFormat(str, Enum):
    """Output formats of ``basel-kg query``; the value is the command-line name."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"
    XML = "xml"
    TURTLE = "turtle"
    JSONLD = "json-ld"


_SOLUTION_FORMATS = {
    ResultFormat.JSON: ox.QueryResultsFormat.JSON,
    ResultFormat.CSV: ox.QueryResultsFormat.CSV,
    ResultFormat.TSV: ox.QueryResultsFormat.TSV,
    ResultFormat.XML: ox.QueryResultsFormat.XML,
}
_GRAPH_FORMATS = {
    ResultFormat.TURTLE: ox.RdfFormat.TURTLE,
    ResultFormat.JSONLD: ox.RdfFormat.JSON_LD,
    ResultFormat.XML: ox.RdfFormat.RDF_XML,
}


@dataclass
class QueryResult:
    """A query's answer, read once: pyoxigraph solutions (SELECT), a boolean (ASK) or triples."""

    kind: str  # "solutions" | "boolean" | "triples"
    answer: ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]


def check_local_query(query: str) -> None:
    """Refuse a query that would make pyoxigraph reach the network (``SERVICE``).

    Uses :func:`basel_kg.sparqltext.scan_sparql`, which reads the text both as written and
    with ``\\u`` escapes applied and errs towards finding the keyword.
    """
    if "SERVICE" in scan_sparql(query).keywords:
        raise UnsafeQueryError(
            "SERVICE is not allowed in local queries: it would fetch data from the network "
            "(use --endpoint to query a remote endpoint)"
        )


# --- running ------------------------------------------------------------------------------------

def local_store(dataset: Dataset, *, inferred: bool = True) -> ox.Store:
    """An in-memory pyoxigraph store holding the named graphs of ``dataset`` (shapes excluded)."""
    store = ox.Store()
    skip = {GRAPH.SHAPES} | (set() if inferred else {GRAPH.INFERRED})
    keep = Dataset()
    for graph in dataset.graphs():
        if graph.identifier not in skip and len(graph):
            keep.graph(graph.identifier).__iadd__(graph)
    store.bulk_load(keep.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def run_local(store: ox.Store, query: str) -> QueryResult:
    """Run ``query`` with the union of the store's graphs as the default graph.

    The standard prefixes (``bkg:``, ``rdfs:``, ``schema:``...) are predeclared.
    """
    check_local_query(query)
    try:
        answer = store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"syntax error in the query: {_first_line(exc.msg)}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(str(exc)) from None
    return _wrap(answer)


def _wrap(answer) -> QueryResult:
    if isinstance(answer, ox.QuerySolutions):
        return QueryResult("solutions", answer)
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("boolean", answer)
    return QueryResult("triples", list(answer))


def _first_line(message: str, limit: int = 240) -> str:
    line = message.strip().splitlines()[0] if message.strip() else message
    return line if len(line) <= limit else line[:limit] + "..."


def run_remote(endpoint: str, query: str, *, timeout: float = 60.0) -> QueryResult:
    """Run ``query`` on a SPARQL 1.1 endpoint; results are parsed by pyoxigraph (nothing else is fetched).

    The standard prefixes are declared in front of the query, as for local queries.
    """
    from urllib.error import URLError

    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

    client = SPARQLWrapper(endpoint)
    client.setQuery(with_prefixes(query, PREFIXES))
    client.setMethod(POST)
    client.setTimeout(int(timeout))
    graph_query = client.queryType in ("CONSTRUCT", "DESCRIBE")
    client.setReturnFormat(TURTLE if graph_query else JSON)
    try:
        response = client.query().response
        body = response.read()
        content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip()
    except QueryBadFormed as exc:
        raise QuerySyntaxError(f"the endpoint says the query is malformed: {_first_line(str(exc))}") from None
    except SPARQLWrapperException as exc:
        raise QueryError(f"the endpoint failed to run the query: {_first_line(str(exc))}") from None
    except (URLError, OSError, ValueError) as exc:
        raise QueryError(f"cannot reach {endpoint}: {getattr(exc, 'reason', exc)}") from None
    try:
        if graph_query:
            fmt = ox.RdfFormat.from_media_type(content_type) or ox.RdfFormat.TURTLE
            return QueryResult("triples", [q.triple for q in ox.parse(body, fmt)])
        fmt = ox.QueryResultsFormat.from_media_type(content_type) or ox.QueryResultsFormat.JSON
        return _wrap(ox.parse_query_results(body, fmt))
    except (SyntaxError, ValueError) as exc:
        raise QueryError(f"the endpoint sent an answer that cannot be read: {exc}") from None


# --- printing -------------------------------------------------------------------------------------

def formats_for(kind: str) -> list[ResultFormat]:
    """The output formats that suit a result kind."""
    if kind == "triples":
        return [ResultFormat.TABLE, *_GRAPH_FORMATS]
    return [ResultFormat.TABLE, *_SOLUTION_FORMATS]


def render(result: QueryResult, format: ResultFormat) -> bytes:
    """The result in ``format``, ending with a newline; raises ValueError when the format does not suit."""
    data = _render(result, format)
    return data if data.endswith(b"\n") else data + b"\n"


def _render(result: QueryResult, format: ResultFormat) -> bytes:
    if format not in formats_for(result.kind):
        names = ", ".join(f.value for f in formats_for(result.kind))
        what = "CONSTRUCT/DESCRIBE" if result.kind == "triples" else "SELECT/ASK"
        raise ValueError(f"--format {format.value} does not suit a {what} query; use one of: {names}")
    if result.kind == "triples":
        if format is ResultFormat.TABLE:
            rows = [(t.subject, t.predicate, t.object) for t in result.answer]
            return table(["subject", "predicate", "object"], rows).encode()
        return ox.serialize(result.answer, format=_GRAPH_FORMATS[format], prefixes=_prefixes())
    if format is not ResultFormat.TABLE:
        return result.answer.serialize(format=_SOLUTION_FORMATS[format])
    if result.kind == "boolean":
        return b"true\n" if result.answer else b"false\n"
    names = [v.value for v in result.answer.variables]
    return table(names, (tuple(s[v] for v in names) for s in result.answer)).encode()


def _prefixes() -> dict[str, str]:
    return {p: iri for p, iri in PREFIXES.items() if p != "basel"}


def short(term) -> str:
    """A term for people: prefixed IRIs, literal values with their language tag."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def table(names: list[str], rows: Iterable[tuple]) -> str:
    """An aligned text table: a header, a rule, one line per row (newlines in values shown as ⏎)."""
    cells = [[short(t).replace("\n", "⏎") for t in row] for row in rows]
    widths = [max([_width(n), *(_width(r[i]) for r in cells)]) for i, n in enumerate(names)]

    def line(values):
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(names), "  ".join("-" * w for w in widths)] + [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"

