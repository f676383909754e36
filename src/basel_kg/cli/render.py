"""How ``basel-kg`` prints query results: an aligned table for people, or a standard format."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import Enum

import pyoxigraph as ox

from ..errors import InputError
from ..formats import syntax
from ..namespaces import BASE, PREFIXES, shorten
from ..store.model import QueryResult

__all__ = ["ResultFormat", "formats_for", "render", "short", "table"]


class ResultFormat(str, Enum):
    """Output formats of ``basel-kg query``; the value is the command-line name."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"
    XML = "xml"
    TURTLE = "turtle"
    JSONLD = "json-ld"


# command-line name -> format, per kind of result, from the one table (basel_kg.formats)
_SOLUTION_FORMATS = {f: syntax(m).oxigraph for f, m in (
    (ResultFormat.JSON, "application/sparql-results+json"), (ResultFormat.CSV, "text/csv"),
    (ResultFormat.TSV, "text/tab-separated-values"), (ResultFormat.XML, "application/sparql-results+xml"))}
_GRAPH_FORMATS = {f: syntax(m).oxigraph for f, m in (
    (ResultFormat.TURTLE, "text/turtle"), (ResultFormat.JSONLD, "application/ld+json"),
    (ResultFormat.XML, "application/rdf+xml"))}


def formats_for(kind: str) -> list[ResultFormat]:
    """The output formats that suit a result kind (``solutions``, ``boolean`` or ``graph``)."""
    if kind == "graph":
        return [ResultFormat.TABLE, *_GRAPH_FORMATS]
    return [ResultFormat.TABLE, *_SOLUTION_FORMATS]


def render(result: QueryResult, format: ResultFormat) -> bytes:
    """The result in ``format``, ending with a newline; :class:`InputError` when the format does not suit."""
    data = _render(result, format)
    return data if data.endswith(b"\n") else data + b"\n"


def _render(result: QueryResult, format: ResultFormat) -> bytes:
    if format not in formats_for(result.kind):
        names = ", ".join(f.value for f in formats_for(result.kind))
        what = "CONSTRUCT/DESCRIBE" if result.kind == "graph" else "SELECT/ASK"
        raise InputError(f"--format {format.value} does not suit a {what} query; use one of: {names}")
    if result.kind == "graph":
        triples = result.triples()
        if format is ResultFormat.TABLE:
            return table(["subject", "predicate", "object"], [(t.subject, t.predicate, t.object) for t in triples]).encode()
        prefixes = {p: iri for p, iri in PREFIXES.items() if iri != BASE}
        return ox.serialize(triples, format=_GRAPH_FORMATS[format], prefixes=prefixes)
    parsed = ox.parse_query_results(result.body, ox.QueryResultsFormat.from_media_type(result.media_type))
    if format is not ResultFormat.TABLE:
        return parsed.serialize(format=_SOLUTION_FORMATS[format])
    if result.kind == "boolean":
        return b"true\n" if parsed else b"false\n"
    names = [v.value for v in parsed.variables]
    return table(names, (tuple(s[v] for v in names) for s in parsed)).encode()


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
