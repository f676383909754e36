"""The RDF formats basel-kg reads and writes.

One enum instead of free strings: each member knows its file extension, media type, the
pyoxigraph format used to parse it and the rdflib serializer used to write it.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pyoxigraph as ox

__all__ = ["Format"]

class Format(str, Enum):
    """An RDF serialisation format; the value is the name used on the command line."""

    TURTLE = "turtle"
    NTRIPLES = "nt"
    NQUADS = "nq"
    TRIG = "trig"
    JSONLD = "json-ld"
    RDFXML = "xml"

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self][0]

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def oxigraph(self) -> ox.RdfFormat:
        return _OXIGRAPH[self]

    @property
    def rdflib(self) -> str:
        """The rdflib serializer name."""
        return _RDFLIB[self]

    @property
    def has_graphs(self) -> bool:
        """True for the dataset formats that keep named graphs."""
        return self in (Format.NQUADS, Format.TRIG, Format.JSONLD)

    @classmethod
    def guess(cls, path: str | Path) -> Format | None:
        """The format a file name's extension suggests, or None."""
        suffix = Path(path).suffix.lower().lstrip(".")
        for fmt, extensions in _EXTENSIONS.items():
            if suffix in extensions:
                return fmt
        return None


_EXTENSIONS = {
    Format.TURTLE: ("ttl", "turtle"),
    Format.NTRIPLES: ("nt", "ntriples"),
    Format.NQUADS: ("nq", "nquads"),
    Format.TRIG: ("trig",),
    Format.JSONLD: ("jsonld", "json"),
    Format.RDFXML: ("rdf", "xml", "owl"),
}
_MEDIA_TYPES = {
    Format.TURTLE: "text/turtle",
    Format.NTRIPLES: "application/n-triples",
    Format.NQUADS: "application/n-quads",
    Format.TRIG: "application/trig",
    Format.JSONLD: "application/ld+json",
    Format.RDFXML: "application/rdf+xml",
}
_OXIGRAPH = {
    Format.TURTLE: ox.RdfFormat.TURTLE,
    Format.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    Format.NQUADS: ox.RdfFormat.N_QUADS,
    Format.TRIG: ox.RdfFormat.TRIG,
    Format.JSONLD: ox.RdfFormat.JSON_LD,
    Format.RDFXML: ox.RdfFormat.RDF_XML,
}
_RDFLIB = {
    Format.TURTLE: "turtle",
    Format.NTRIPLES: "nt",
    Format.NQUADS: "nquads",
    Format.TRIG: "trig",
    Format.JSONLD: "json-ld",
    Format.RDFXML: "xml",
}
