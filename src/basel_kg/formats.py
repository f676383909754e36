"""The RDF formats basel-kg reads and writes, and the JSON-LD context it publishes.

One enum instead of free strings: each member knows its file extension, media type, the
pyoxigraph format used to parse it and the rdflib serializer used to write it.
"""

from __future__ import annotations

import copy
from enum import Enum
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from .namespaces import BASE, BKG_URI, ONTOLOGY_FILE, PREFIXES

__all__ = ["Format", "CONTEXT_IRI", "CONTEXT_FILE_NAME", "jsonld_context"]

CONTEXT_FILE_NAME = "context.jsonld"
CONTEXT_IRI = BASE + CONTEXT_FILE_NAME
"""Where the published JSON-LD context lives; the loader never fetches it, it uses its own copy."""


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

# Standard properties that get a short key in the JSON-LD context (key -> prefixed name).
# Language-tagged text becomes a language map: {"label": {"en": "...", "zh": "..."}}.
_LANGUAGE_MAPS = {
    "label": "rdfs:label",
    "prefLabel": "skos:prefLabel",
    "altLabel": "skos:altLabel",
    "definition": "skos:definition",
}
_LINKS = {
    "wasDerivedFrom": "prov:wasDerivedFrom",
    "isPartOf": "dcterms:isPartOf",
    "source": "dcterms:source",
    "sameAs": "owl:sameAs",
    "member": "org:member",
    "organization": "org:organization",
    "role": "org:role",
    "subOrganizationOf": "org:subOrganizationOf",
    "inScheme": "skos:inScheme",
    "subClassOf": "rdfs:subClassOf",
    "subPropertyOf": "rdfs:subPropertyOf",
}
_VALUES = {
    "comment": "rdfs:comment",
    "title": "dcterms:title",
    "description": "dcterms:description",
    "date": "dcterms:date",
    "startDate": "schema:startDate",
    "endDate": "schema:endDate",
    "name": "schema:name",
}


def jsonld_context() -> dict:
    """The basel-kg JSON-LD context (``{"@context": {...}}``), generated from the ontology.

    Every ``bkg:`` class and property gets its local name as key; object properties are
    coerced to IRIs; labels and definitions become language maps. The release writes it as
    ``context.jsonld`` and the loader substitutes this copy for a reference to it, so a
    basel-kg JSON-LD file parses offline.
    """
    return copy.deepcopy(_context())


@cache
def _context() -> dict:
    from rdflib import Graph
    from rdflib.namespace import OWL, RDF

    from .sources import parse_file

    onto = parse_file(ONTOLOGY_FILE, format=Format.TURTLE, into=Graph())
    terms: dict[str, object] = dict(PREFIXES)
    for prefix in ("basel", "sh"):
        terms.pop(prefix, None)
    for subject in sorted(set(onto.subjects(RDF.type, None)), key=str):
        iri = str(subject)
        if not iri.startswith(BKG_URI) or len(iri) == len(BKG_URI):
            continue
        name = iri[len(BKG_URI):]
        curie = "bkg:" + name
        if (subject, RDF.type, OWL.ObjectProperty) in onto:
            terms[name] = {"@id": curie, "@type": "@id"}
        else:
            terms[name] = curie
    for key, curie in _LANGUAGE_MAPS.items():
        terms.setdefault(key, {"@id": curie, "@container": "@language"})
    for key, curie in _LINKS.items():
        terms.setdefault(key, {"@id": curie, "@type": "@id"})
    for key, curie in _VALUES.items():
        terms.setdefault(key, curie)
    return {"@context": terms}
