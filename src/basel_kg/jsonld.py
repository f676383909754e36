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
from .terms import RDF_TYPE

__all__ = ["CONTEXT_FILE_NAME", "CONTEXT_IRI", "jsonld_context", "compact_quads"]

CONTEXT_FILE_NAME = "context.jsonld"
CONTEXT_IRI = BASE + CONTEXT_FILE_NAME
"""Where the published JSON-LD context lives; the loader never fetches it, it uses its own copy."""

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
    typed = {q.subject for q in onto.quads_for_pattern(None, RDF_TYPE, None)}
    object_properties = {q.subject for q in onto.quads_for_pattern(None, RDF_TYPE, _OWL_OBJECT_PROPERTY)}
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


# ---------------------------------------------------------------------------- compaction

_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_TYPE_IRI = RDF_TYPE.value  # read once: compact_quads compares every predicate with it


class _Compactor:
    """IRI compaction against the basel-kg context, for :func:`compact_quads`.

    The context has three kinds of terms: plain ones (``"Decision": "bkg:Decision"``), IRI-valued
    ones (``{"@id": ..., "@type": "@id"}``) and language maps (``{"@id": ...,
    "@container": "@language"}``); the prefixes end with a gen-delim character, so any of them
    may start a compact IRI (JSON-LD 1.1, section 4.4)."""

    def __init__(self, context: dict):
        self.context = context

        def expand(value: str) -> str:
            prefix, colon, suffix = value.partition(":")
            target = context.get(prefix) if colon and not suffix.startswith("//") else None
            return target + suffix if isinstance(target, str) else value

        self.plain: dict[str, str] = {}
        self.iri_valued: dict[str, str] = {}
        self.language_maps: dict[str, str] = {}
        self.prefixes: dict[str, list[tuple[str, str]]] = {}
        for term, definition in sorted(context.items(), key=lambda item: (len(item[0]), item[0])):
            if isinstance(definition, str):
                iri = expand(definition)
                self.plain.setdefault(iri, term)
                if iri.endswith(_GEN_DELIMS) and ":" not in term:
                    self.prefixes.setdefault(iri[:12], []).append((iri, term))
            elif definition.get("@type") == "@id":
                self.iri_valued.setdefault(expand(definition["@id"]), term)
            elif definition.get("@container") == "@language":
                self.language_maps.setdefault(expand(definition["@id"]), term)
        for candidates in self.prefixes.values():
            candidates.sort(key=lambda c: -len(c[0]))  # the longest prefix wins
        self._vocab: dict[str, str] = {}
        self._ids: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        """``iri`` where an IRI is expected (``@id``, an IRI-valued term's value): a compact IRI
        when a prefix fits, else the IRI itself (never a bare term: those are read as relative IRIs)."""
        compacted = self._ids.get(iri)
        if compacted is None:
            compacted = iri
            for prefix, term in self.prefixes.get(iri[:12], ()):
                suffix = iri[len(prefix):]
                if iri.startswith(prefix) and suffix and not suffix.startswith("//") and f"{term}:{suffix}" not in self.context:
                    compacted = f"{term}:{suffix}"
                    break
            scheme = compacted.partition(":")[0]
            if compacted == iri and scheme in self.context:
                raise ValueError(f"cannot write {iri} in JSON-LD: its scheme is a term of the context")
            self._ids[iri] = compacted
        return compacted

    def vocab(self, iri: str) -> str:
        """``iri`` as a key or a type (vocabulary-relative): a plain term when one names it."""
        compacted = self._vocab.get(iri)
        if compacted is None:
            compacted = self.plain.get(iri) or self.iri(iri)
            self._vocab[iri] = compacted
        return compacted


def _node_id(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _json_key(value) -> str:
    import json

    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def compact_quads(quads) -> dict:
    """The quads (named graphs only) as one compacted JSON-LD document with the basel-kg context
    embedded: ``{"@context": ..., "@graph": [{"@id": GRAPH, "@graph": [node, ...]}, ...]}``.

    The same document a JSON-LD processor compacting the dataset with this context writes, made
    in one pass over the quads (a general processor takes minutes and gigabytes on a large
    graph): one node object per subject and graph, ``@type`` and a readable key for each
    property (an IRI-valued term for links, a language map for labels, a plain term or compact
    IRI otherwise), a lone value not in an array, arrays, graphs and nodes sorted."""
    context = _context()["@context"]
    compactor = _Compactor(context)
    graphs: dict[str, dict[str, dict[str, list]]] = {}
    for quad in quads:
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode):
            raise ValueError("compact_quads writes named graphs only")
        nodes = graphs.setdefault(graph.value, {})
        subject = _node_id(quad.subject)
        node = nodes.get(subject)
        if node is None:
            node = nodes[subject] = {}
        predicate, obj = quad.predicate.value, quad.object
        if isinstance(obj, ox.Literal):
            language = obj.language
            if language:
                key = compactor.language_maps.get(predicate)
                if key is not None:
                    node.setdefault(key, {}).setdefault(language, []).append(obj.value)
                    continue
                value = {"@value": obj.value, "@language": language}
            elif obj.datatype.value == _XSD_STRING:
                value = obj.value
            else:
                value = {"@value": obj.value, "@type": compactor.vocab(obj.datatype.value)}
            node.setdefault(compactor.vocab(predicate), []).append(value)
        elif predicate == _RDF_TYPE_IRI:
            node.setdefault("@type", []).append(
                compactor.vocab(obj.value) if isinstance(obj, ox.NamedNode) else _node_id(obj))
        else:
            target = _node_id(obj) if isinstance(obj, ox.BlankNode) else compactor.iri(obj.value)
            key = compactor.iri_valued.get(predicate)
            if key is not None:
                node.setdefault(key, []).append(target)
            else:
                node.setdefault(compactor.vocab(predicate), []).append({"@id": target})

    def single(values: list):
        if len(values) == 1:
            return values[0]
        return sorted(values, key=_json_key) if any(not isinstance(v, str) for v in values) else sorted(values)

    def node_object(subject: str, properties: dict) -> dict:
        out: dict = {"@id": subject if subject.startswith("_:") else compactor.iri(subject)}
        if "@type" in properties:
            out["@type"] = single(properties.pop("@type"))
        for key in sorted(properties):
            values = properties[key]
            if isinstance(values, dict):  # a language map
                out[key] = {lang: single(texts) for lang, texts in sorted(values.items())}
            else:
                out[key] = single(values)
        return out

    return {"@context": copy.deepcopy(context),
            "@graph": [{"@id": compactor.iri(graph),
                        "@graph": [node_object(s, nodes[s]) for s in sorted(nodes)]}
                       for graph, nodes in sorted(graphs.items())]}
