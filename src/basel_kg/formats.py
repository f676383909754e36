"""The one table of the formats basel-kg reads and writes: RDF syntaxes and SPARQL result formats.

Each :class:`Syntax` row says everything about one format: its media type and the aliases
clients send for it, the names ``format=`` and the command line use, the file and URL
suffixes, the pyoxigraph (and rdflib) format, whether it keeps named graphs. Everything else
is derived from :data:`SYNTAXES`: content negotiation (``server/negotiation.py``), the media
types a write accepts, the formats each kind of query result can be written in, Linked Data
URL suffixes, and guessing a file's format from its name. To support another alias or
name, add it to its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

__all__ = [
    "Syntax",
    "SYNTAXES",
    "RDF_SYNTAXES",
    "RESULT_SYNTAXES",
    "KIND_NAMES",
    "SOLUTIONS_MEDIA_TYPES",
    "BOOLEAN_MEDIA_TYPES",
    "GRAPH_MEDIA_TYPES",
    "RDF_MEDIA_TYPES",
    "syntax",
    "rdf_syntax_for",
    "Format",
]


@dataclass(frozen=True, slots=True)
class Syntax:
    """One format. ``names``: ``format=`` / command-line names; ``suffixes``: file and URL
    suffixes (the first is the one written); ``aliases``: other media types meaning it."""

    media_type: str
    kind: Literal["rdf", "results"]
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat
    names: tuple[str, ...]
    suffixes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    graphs: bool = False  # RDF: keeps named graphs
    boolean: bool = False  # results: can carry an ASK answer
    rdflib: str | None = None  # RDF: rdflib's serializer name


#: Every format, in our order of preference within each kind (the first answers ``*/*``).
SYNTAXES: tuple[Syntax, ...] = (
    Syntax("text/turtle", "rdf", ox.RdfFormat.TURTLE, ("turtle", "ttl"), (".ttl", ".turtle"),
           ("application/x-turtle", "application/turtle"), rdflib="turtle"),
    Syntax("application/n-triples", "rdf", ox.RdfFormat.N_TRIPLES, ("nt", "nt11", "ntriples", "n-triples"),
           (".nt", ".ntriples"), ("text/plain",), rdflib="nt"),
    Syntax("application/ld+json", "rdf", ox.RdfFormat.JSON_LD, ("json-ld", "jsonld"), (".jsonld", ".json"),
           ("application/json", "application/x-json+ld"), graphs=True, rdflib="json-ld"),
    Syntax("application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML, ("rdf", "rdf+xml", "rdfxml", "rdf/xml", "pretty-xml"),
           (".rdf", ".xml", ".owl"), ("application/xml", "text/xml"), rdflib="xml"),
    Syntax("application/trig", "rdf", ox.RdfFormat.TRIG, ("trig",), (".trig",), ("application/x-trig",),
           graphs=True, rdflib="trig"),
    Syntax("application/n-quads", "rdf", ox.RdfFormat.N_QUADS, ("nq", "nquads", "n-quads"), (".nq", ".nquads"),
           ("text/x-nquads",), graphs=True, rdflib="nquads"),
    Syntax("text/n3", "rdf", ox.RdfFormat.N3, ("n3",), (".n3",), ("text/rdf+n3", "application/n3"), rdflib="n3"),
    Syntax("application/sparql-results+json", "results", ox.QueryResultsFormat.JSON, ("srj",), (".srj",),
           ("application/json", "text/javascript", "application/javascript"), boolean=True),
    Syntax("application/sparql-results+xml", "results", ox.QueryResultsFormat.XML, ("srx",), (".srx",),
           ("application/xml", "text/xml"), boolean=True),
    Syntax("text/csv", "results", ox.QueryResultsFormat.CSV, ("csv",), (".csv",), boolean=True),
    Syntax("text/tab-separated-values", "results", ox.QueryResultsFormat.TSV, ("tsv",), (".tsv",), boolean=True),
)
RDF_SYNTAXES = tuple(s for s in SYNTAXES if s.kind == "rdf")
RESULT_SYNTAXES = tuple(s for s in SYNTAXES if s.kind == "results")

#: Names that mean a different format for each kind of result (``json``: SPARQL JSON for a
#: SELECT, JSON-LD for a CONSTRUCT), as the generic media type standing for them.
KIND_NAMES = {"json": "application/json", "xml": "application/xml"}

SOLUTIONS_MEDIA_TYPES = tuple(s.media_type for s in RESULT_SYNTAXES)
BOOLEAN_MEDIA_TYPES = tuple(s.media_type for s in RESULT_SYNTAXES if s.boolean)
GRAPH_MEDIA_TYPES = tuple(s.media_type for s in RDF_SYNTAXES)
#: Media types (with aliases) an uploaded RDF document may have, and how each is parsed.
RDF_MEDIA_TYPES = {m: s.oxigraph for s in RDF_SYNTAXES for m in (s.media_type, *s.aliases)}

_BY_MEDIA_TYPE = {s.media_type: s for s in SYNTAXES}


def syntax(media_type: str) -> Syntax:
    """The row of a (canonical) media type; KeyError for one not in the table."""
    return _BY_MEDIA_TYPE[media_type]


def rdf_syntax_for(*, media_type: str | None = None, name: str | None = None,
                   path: str | Path | None = None) -> Syntax | None:
    """The RDF syntax a media type (or alias), a name or a file name's suffix stands for."""
    if media_type is not None:
        media_type = media_type.split(";")[0].strip().lower()
        return next((s for s in RDF_SYNTAXES if media_type == s.media_type or media_type in s.aliases), None)
    if name is not None:
        name = name.lower()
        return next((s for s in RDF_SYNTAXES if name in s.names or "." + name in s.suffixes), None)
    if path is not None:
        suffix = Path(path).suffix.lower()
        return next((s for s in RDF_SYNTAXES if suffix in s.suffixes), None)
    return None


class Format(str, Enum):
    """An RDF format of the command line (``export``, ``validate``) and the release; the
    value is its command-line name. Everything else comes from its :class:`Syntax` row."""

    TURTLE = "turtle"
    NTRIPLES = "nt"
    NQUADS = "nq"
    TRIG = "trig"
    JSONLD = "json-ld"
    RDFXML = "xml"

    @property
    def syntax(self) -> Syntax:
        return syntax(_FORMAT_MEDIA_TYPES[self])

    @property
    def extension(self) -> str:
        return self.syntax.suffixes[0].lstrip(".")

    @property
    def media_type(self) -> str:
        return self.syntax.media_type

    @property
    def oxigraph(self) -> ox.RdfFormat:
        return self.syntax.oxigraph

    @property
    def rdflib(self) -> str:
        """The rdflib serializer name."""
        return self.syntax.rdflib

    @property
    def has_graphs(self) -> bool:
        """True for the dataset formats that keep named graphs."""
        return self.syntax.graphs

    @classmethod
    def guess(cls, path: str | Path) -> Format | None:
        """The format a file name's suffix suggests, or None."""
        found = rdf_syntax_for(path=path)
        return next((f for f, m in _FORMAT_MEDIA_TYPES.items() if found and m == found.media_type), None)


_FORMAT_MEDIA_TYPES = {
    Format.TURTLE: "text/turtle",
    Format.NTRIPLES: "application/n-triples",
    Format.NQUADS: "application/n-quads",
    Format.TRIG: "application/trig",
    Format.JSONLD: "application/ld+json",
    Format.RDFXML: "application/rdf+xml",
}
