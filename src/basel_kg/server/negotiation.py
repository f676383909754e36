"""Content negotiation in one place: the ``Accept`` header (with q-values), the ``format``
parameter and file suffixes, mapped to the formats the store writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..formats import (
    BOOLEAN_MEDIA_TYPES,
    KIND_NAMES,
    RDF_SYNTAXES,
    RESULT_SYNTAXES,
    SOLUTIONS_MEDIA_TYPES,
    SYNTAXES,
)
from ..store import ResultFormats

__all__ = [
    "MediaRange",
    "parse_accept",
    "negotiate",
    "result_formats",
    "format_parameter",
    "rdf_media_type",
    "jsonld_profile",
    "FORMAT_NAMES",
    "SUFFIX_MEDIA_TYPES",
    "DOCUMENT_TYPES",
    "ENTITY_TYPES",
    "JSONLD_EXPANDED",
    "JSONLD_COMPACTED",
    "HTML",
    "charset_of",
]

HTML = "text/html"

# offered media type -> the store's media type, per kind of result, in our order of preference
# (the first one answers "*/*"), aliases included: all from the one table, basel_kg.formats.
def _table(syntaxes) -> dict[str, str]:
    table = {s.media_type: s.media_type for s in syntaxes}
    for s in syntaxes:
        table.update({alias: s.media_type for alias in s.aliases if alias not in table})
    return table


_SOLUTIONS = _table(RESULT_SYNTAXES)
_BOOLEAN = _table([s for s in RESULT_SYNTAXES if s.boolean])
_GRAPH = _table(RDF_SYNTAXES)
_ALL_TYPES = frozenset(_SOLUTIONS) | frozenset(_BOOLEAN) | frozenset(_GRAPH)

#: ``format=NAME`` (and ``output=``/``results=``, which SPARQLWrapper and Jena send too): the
#: names used by SPARQLWrapper, YASGUI, Jena/Fuseki, rdflib and Virtuoso, each standing for one
#: media type, which the tables above map to a format for each kind of result ("json" is SPARQL
#: JSON for a SELECT and JSON-LD for a CONSTRUCT). A name that does not fit the query's kind,
#: or that we do not know, is ignored: ``Accept`` decides.
FORMAT_NAMES = {**{name: s.media_type for s in SYNTAXES for name in s.names}, **KIND_NAMES}
#: The query parameters that name a format, in the order they are read.
FORMAT_PARAMETERS = ("format", "output", "results")

#: Linked Data file suffixes (``/org/sbc.ttl``): the first suffix of each RDF syntax.
SUFFIX_MEDIA_TYPES = {s.suffixes[0]: s.media_type for s in RDF_SYNTAXES}

#: What a document about one resource is offered as (``rdf_media_type``), RDF first.
DOCUMENT_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
#: Entity pages add the dataset formats Comunica asks for first.
ENTITY_TYPES = DOCUMENT_TYPES + ("application/n-quads", "application/trig")

#: JSON-LD profiles (JSON-LD 1.1 §9): a client asks for one with ``Accept: application/ld+json;profile=...``.
JSONLD_EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
JSONLD_COMPACTED = "http://www.w3.org/ns/json-ld#compacted"


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    def specificity(self, media_type: str) -> int:
        """-1 if this range does not match ``media_type``, else how specific the match is."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        if self.subtype != sub:
            return -1
        return 2 + len(self.params)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed entries are skipped."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            if media == "*":  # seen in the wild for "*/*"
                media = "*/*"
            else:
                continue
        kind, _, sub = media.partition("/")
        q, params = 1.0, []
        for f in fields[1:]:
            name, _, value = f.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
            elif name and name != "charset":
                params.append((name, value))
        ranges.append(MediaRange(kind, sub, q, tuple(params)))
    return ranges


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers (RFC 9110 §12.5.1), ties going to the earlier offer.

    No ``Accept`` header means anything goes: the first offer. ``None``: nothing acceptable.
    """
    if not offers:
        return None
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if not (accept or "").strip() else None
    best, best_q = None, 0.0
    for offer in offers:
        matches = [(r.specificity(offer), r.q) for r in ranges]
        matches = [m for m in matches if m[0] >= 0]
        if not matches:
            continue
        q = max(matches)[1]  # the most specific range decides
        if q > best_q:
            best, best_q = offer, q
    return best


def _choose(accept: str | None, table: dict[str, str]) -> str | None:
    chosen = negotiate(accept, list(table))
    return table[chosen] if chosen else None


def result_formats(accept: str | None, format_param: str | None = None) -> ResultFormats:
    """The format for each kind of query result (solutions, boolean, graph).

    The rule, for each kind:

    1. ``format=`` (a name of :data:`FORMAT_NAMES` or a media type) wins when it fits the kind;
    2. else the client's ``Accept`` header (q-values, aliases such as ``application/json``);
    3. else, when ``Accept`` names formats of *another* kind only (roqet asks for
       ``application/sparql-results+xml`` whatever the query; a CONSTRUCT is sent ``text/csv``),
       the kind's default: SPARQL JSON for solutions and booleans, Turtle for graphs, as
       Fuseki and Virtuoso do;
    4. else ``None``: 406 Not Acceptable (``Accept`` names nothing this endpoint writes).
    """
    hint = None
    if format_param:
        name = format_param.strip().lower()
        hint = name if "/" in name else FORMAT_NAMES.get(name)
    ours = negotiate(accept, sorted(_ALL_TYPES)) is not None

    def pick(table: dict[str, str], default: str) -> str | None:
        if hint is not None and (chosen := _choose(hint, table)):
            return chosen
        if chosen := _choose(accept, table):
            return chosen
        return default if ours else None

    return ResultFormats(
        solutions=pick(_SOLUTIONS, SOLUTIONS_MEDIA_TYPES[0]),
        boolean=pick(_BOOLEAN, BOOLEAN_MEDIA_TYPES[0]),
        graph=pick(_GRAPH, "text/turtle"),
    )


def format_parameter(items: Sequence[tuple[str, str]]) -> str | None:
    """The first non-empty ``format``/``output``/``results`` parameter of a request."""
    for name in FORMAT_PARAMETERS:
        value = next((v for k, v in items if k == name and v.strip()), None)
        if value is not None:
            return value
    return None


def rdf_media_type(accept: str | None, *, html: bool = False, offers: Sequence[str] = DOCUMENT_TYPES) -> str | None:
    """For a document about a resource: one of ``offers`` (RDF), or ``text/html`` if offered.

    RDF comes first, so ``*/*`` (curl, scripts) gets Turtle; browsers ask for HTML by name.
    """
    table = {m: m for m in offers}
    table |= {alias: m for alias, m in _GRAPH.items() if m in offers and alias not in table}
    if html:
        table |= {HTML: HTML, "application/xhtml+xml": HTML}
    return _choose(accept, table)


def jsonld_profile(accept: str | None) -> str:
    """The JSON-LD form a client asks for: :data:`JSONLD_EXPANDED` when its ``application/ld+json``
    range says ``profile="...#expanded"``, else :data:`JSONLD_COMPACTED` (JSON-LD 1.1 §9)."""
    for r in parse_accept(accept):
        if r.q > 0 and (r.type, r.subtype) == ("application", "ld+json"):
            for name, value in r.params:
                if name == "profile" and JSONLD_EXPANDED in value.split():
                    return JSONLD_EXPANDED
    return JSONLD_COMPACTED


def charset_of(params: str) -> str | None:
    """The ``charset`` parameter of a media type's parameters (``"; charset=UTF-8"``), lowercased."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None
