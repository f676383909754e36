"""Our vocabulary as a closed namespace, the standard prefixes, and the IRIs of named graphs.

The base IRI is the one place where ``https://w3id.org/basel-kg/`` is written in code.
``BKG`` is a :class:`rdflib.namespace.ClosedNamespace` built from the terms the ontology
defines, so a misspelled term (``BKG.Decsion``) raises instead of minting a new IRI.

Importing this module reads no file: ``BKG`` and ``ONTOLOGY_FILE`` are made on first use
(the ontology is found by :mod:`basel_kg.project`, in a checkout or an installed wheel).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    TIME,
    VOID,
    XSD,
    ClosedNamespace,
)

__all__ = [
    "BASE",
    "BKG",
    "BKG_URI",
    "ELI",
    "GRAPH",
    "ONTOLOGY_FILE",
    "PREFIXES",
    "graph_iri",
    "ontology_terms",
    "bind_prefixes",
    "shorten",
    "DCAT", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "RDF", "RDFS", "SDO", "SH", "SKOS",
    "TIME", "VOID", "XSD",
]

BASE = "https://w3id.org/basel-kg/"
BKG_URI = BASE + "ontology#"
ELI = Namespace("http://data.europa.eu/eli/ontology#")
WD = Namespace("http://www.wikidata.org/entity/")
SCHEMA = SDO  # schema.org, https form (rdflib's SDO)



class GRAPH:
    """IRIs of the named graphs the loader and the reasoner write."""

    ONTOLOGY = URIRef(BASE + "graph/ontology")
    REFERENCE = URIRef(BASE + "graph/reference")
    SHAPES = URIRef(BASE + "graph/shapes")
    INFERRED = URIRef(BASE + "graph/inferred")
    VOID = URIRef(BASE + "graph/void")


def graph_iri(name: str) -> URIRef:
    """The named graph for a source file stem, e.g. ``graph_iri("000-pace-page")``."""
    return URIRef(f"{BASE}graph/{name}")


@cache
def ontology_terms(path: Path | None = None) -> frozenset[str]:
    """Local names of every term the ontology defines (subjects in the ``bkg:`` namespace)."""
    from .project import ontology_file

    g = Graph()
    g.parse(path or ontology_file(), format="turtle")
    return frozenset(
        str(s)[len(BKG_URI):]
        for s in g.subjects(unique=True)
        if isinstance(s, URIRef) and str(s).startswith(BKG_URI) and len(str(s)) > len(BKG_URI)
    )




def __getattr__(name: str):
    if name == "BKG":
        return _bkg()
    if name == "ONTOLOGY_FILE":  # the project's ontology (follows $BASEL_KG_ROOT)
        from .project import ontology_file

        return ontology_file()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _bkg() -> ClosedNamespace:
    return ClosedNamespace(BKG_URI, sorted(ontology_terms()))

PREFIXES: dict[str, str] = {
    "bkg": BKG_URI,
    "basel": BASE,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SDO),
    "eli": str(ELI),
    "time": str(TIME),
    "foaf": str(FOAF),
    "void": str(VOID),
    "dcat": str(DCAT),
    "sh": str(SH),
    "wd": str(WD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind our standard prefixes on ``graph`` (also works for a Dataset) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def shorten(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """``iri`` as ``prefix:rest`` with the longest matching namespace (for people, not for parsers), else ``<iri>``."""
    best = ""
    name = ""
    for prefix, namespace in (prefixes or PREFIXES).items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, name = namespace, prefix
    rest = iri[len(best):]
    if best and not any(c.isspace() or c in '<>"{}|^`\\' for c in rest):
        return f"{name}:{rest}"
    return f"<{iri}>"

