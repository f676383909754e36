"""Content negotiation in one place: the ``Accept`` header (with q-values), the ``format``
parameter and file suffixes, mapped to the formats the store writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..store import BOOLEAN_MEDIA_TYPES, GRAPH_MEDIA_TYPES, SOLUTIONS_MEDIA_TYPES, ResultFormats

__all__ = [
    "MediaRange",
    "parse_accept",
    "negotiate",
    "result_formats",
    "rdf_media_type",
    "SUFFIX_MEDIA_TYPES",
    "HTML",
    "charset_of",
]

HTML = "text/html"

# offered media type -> the store's media type, per kind of result, in our order of preference
# (the first one answers "*/*"). Aliases let generic clients ("application/json") get an answer.
_SOLUTIONS = {
    **{m: m for m in SOLUTIONS_MEDIA_TYPES},
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
_BOOLEAN = {
    **{m: m for m in BOOLEAN_MEDIA_TYPES},
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
_GRAPH = {
    **{m: m for m in GRAPH_MEDIA_TYPES},
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}

# format=NAME, for people typing URLs
_FORMAT_NAMES: dict[str, tuple[str | None, str | None, str | None]] = {
    # name: (solutions, boolean, graph)
    "json": ("application/sparql-results+json", "application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None, None),
    "tsv": ("text/tab-separated-values", None, None),
    "turtle": (None, None, "text/turtle"),
    "ttl": (None, None, "text/turtle"),
    "nt": (None, None, "application/n-triples"),
    "ntriples": (None, None, "application/n-triples"),
    "n-triples": (None, None, "application/n-triples"),
    "jsonld": (None, None, "application/ld+json"),
    "json-ld": (None, None, "application/ld+json"),
    "rdfxml": (None, None, "application/rdf+xml"),
    "rdf": (None, None, "application/rdf+xml"),
    "trig": (None, None, "application/trig"),
    "nq": (None, None, "application/n-quads"),
    "nquads": (None, None, "application/n-quads"),
    "n3": (None, None, "text/n3"),
}

#: Linked Data file suffixes (``/org/sbc.ttl``).
SUFFIX_MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
}


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
    """The format for each kind of query result, from ``format=`` or else ``Accept``."""
    if format_param:
        name = format_param.strip().lower()
        if "/" in name:  # a media type given as format=
            accept = name
        elif name in _FORMAT_NAMES:
            return ResultFormats(*_FORMAT_NAMES[name])
        else:
            return ResultFormats(None, None, None)
    return ResultFormats(
        solutions=_choose(accept, _SOLUTIONS),
        boolean=_choose(accept, _BOOLEAN),
        graph=_choose(accept, _GRAPH),
    )


def rdf_media_type(accept: str | None, *, html: bool = False) -> str | None:
    """For a document about a resource: an RDF media type, or ``text/html`` if offered.

    RDF comes first, so ``*/*`` (curl, scripts) gets Turtle; browsers ask for HTML by name.
    """
    table = {
        "text/turtle": "text/turtle",
        "application/ld+json": "application/ld+json",
        "application/n-triples": "application/n-triples",
        "application/rdf+xml": "application/rdf+xml",
        "application/x-turtle": "text/turtle",
        "text/plain": "application/n-triples",
        "application/json": "application/ld+json",
    }
    if html:
        table |= {HTML: HTML, "application/xhtml+xml": HTML}
    return _choose(accept, table)


def charset_of(params: str) -> str | None:
    """The ``charset`` parameter of a media type's parameters (``"; charset=UTF-8"``), lowercased."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None
