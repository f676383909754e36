"""The JSON-LD context basel-kg publishes, generated from the ontology.

The release writes it as ``context.jsonld``; the loader (:mod:`basel_kg.sources`) substitutes
this copy for a reference to it, so a basel-kg JSON-LD file parses offline.
"""

from __future__ import annotations

import copy
from functools import cache

import pyoxigraph as ox

from .namespaces import BASE, BKG_URI, PREFIXES
from .project import ontology_file

__all__ = ["CONTEXT_FILE_NAME", "CONTEXT_IRI", "jsonld_context"]

CONTEXT_FILE_NAME = "context.jsonld"
CONTEXT_IRI = BASE + CONTEXT_FILE_NAME
"""Where the published JSON-LD context lives; the loader never fetches it, it uses its own copy."""

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_OWL_OBJECT_PROPERTY = ox.NamedNode("http://www.w3.org/2002/07/owl#ObjectProperty")

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
    onto = ox.Store()
    onto.bulk_load(path=str(ontology_file()), format=ox.RdfFormat.TURTLE)  # our own file; pyoxigraph fetches nothing
    typed = {q.subject for q in onto.quads_for_pattern(None, _RDF_TYPE, None)}
    object_properties = {q.subject for q in onto.quads_for_pattern(None, _RDF_TYPE, _OWL_OBJECT_PROPERTY)}
    terms: dict[str, object] = dict(PREFIXES)
    for prefix in ("basel", "sh"):
        terms.pop(prefix, None)
    for subject in sorted((t for t in typed if isinstance(t, ox.NamedNode)), key=lambda t: t.value):
        iri = subject.value
        if not iri.startswith(BKG_URI) or len(iri) == len(BKG_URI):
            continue
        name = iri[len(BKG_URI):]
        curie = "bkg:" + name
        if subject in object_properties:
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
