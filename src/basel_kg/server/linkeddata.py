"""Linked Data: every IRI under the base resolves here, at the same path.

``{base}X`` is answered at ``/X``: an HTML page for browsers (labels in every language,
types, every outgoing and incoming link, provenance, external links), Turtle, JSON-LD,
N-Triples, RDF/XML, N-Quads or TriG for RDF clients (by ``Accept`` or a
``.ttl``/``.jsonld``/``.nt``/``.rdf``/``.nq``/``.trig`` suffix). Ontology terms (``{base}ontology#Term``) resolve to the ontology documentation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox
import rdflib
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ..export import jsonld_document
from ..jsonld import CONTEXT_FILE_NAME, jsonld_context
from ..namespaces import BKG_URI, GRAPH, PREFIXES
from ..project import source_text
from ..store import ResultFormats
from ..terms import RDF_TYPE as RDF_TYPE_TERM
from . import negotiation
from .common import content_type, query_response, render, run_query, settings_of

__all__ = ["router", "Term", "Entity", "describe", "href"]

router = APIRouter(tags=["Linked Data"])

RDF_TYPE = RDF_TYPE_TERM.value
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
LABELS = (RDFS + "label", SKOS + "prefLabel", DCTERMS + "title", "https://schema.org/name",
          "http://xmlns.com/foaf/0.1/name")
NAMES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel")
DETAILS = LABELS + (BKG_URI + "locator", BKG_URI + "lineStart", BKG_URI + "lineEnd", DCTERMS + "isPartOf",
                    PROV_DERIVED, BKG_URI + "target", BKG_URI + "portal")
#: Properties whose values are pages or identifiers elsewhere (besides bkg:externalLink nodes).
SAME_ELSEWHERE = frozenset({
    "http://www.w3.org/2002/07/owl#sameAs", SKOS + "exactMatch", SKOS + "closeMatch", RDFS + "seeAlso",
    "https://schema.org/sameAs", "https://schema.org/url", "http://xmlns.com/foaf/0.1/homepage",
    "http://xmlns.com/foaf/0.1/page",
})
MAX_LINKS = 2000
JSONLD = "application/ld+json"
SCHEMA = "https://schema.org/"
#: The facts an entity page opens with, in order: (heading, properties).
KEY_FACTS = (
    ("number", (BKG_URI + "decisionNumber", BKG_URI + "symbol", SKOS + "notation", BKG_URI + "code")),
    ("date", (SCHEMA + "startDate", DCTERMS + "date", SCHEMA + "foundingDate", BKG_URI + "signedOn",
              DCTERMS + "created", DCTERMS + "issued")),
    ("until", (SCHEMA + "endDate",)),
    ("place", (SCHEMA + "location",)),
    ("body", (BKG_URI + "meetingOf", BKG_URI + "adoptedBy")),
    ("adopted at", (BKG_URI + "adoptedAt",)),
    ("in the framework of", (BKG_URI + "inFrameworkOf",)),
    ("topics", (DCTERMS + "subject",)),
)
_KEY_PROPERTIES = frozenset(p for _, props in KEY_FACTS for p in props)


# --------------------------------------------------------------------------- presentation


def href(iri: str, base: str) -> str:
    """Where ``iri`` is shown: our IRIs at their path on this server, others as they are."""
    if iri.startswith(base):
        return "/" + quote(iri[len(base):], safe="/#:@!$&'()*+,;=-._~%")
    return iri


def curie(iri: str) -> str | None:
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return None
    local = iri[len(best):]
    if not local or any(c in local for c in "/#?"):
        return None
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{local}"


@dataclass(slots=True)
class Term:
    """An RDF term ready for a template."""

    kind: str  # "iri" | "literal" | "bnode"
    value: str
    href: str | None = None
    label: str | None = None
    language: str | None = None
    datatype: str | None = None
    curie: str | None = None

    @property
    def text(self) -> str:
        return self.label or self.curie or self.value


@dataclass(slots=True)
class Statement:
    property: Term
    value: Term
    graphs: list[Term] = field(default_factory=list)
    inferred: bool = False


@dataclass(slots=True)
class Passage:
    passage: Term
    document: Term | None
    locator: str | None
    lines: str | None
    text: str | None = None  # the passage itself, whole lines of the source text, when the server has it


@dataclass(slots=True)
class Entity:
    """Everything an entity page shows."""

    iri: str
    title: str
    names: list[tuple[str, str, str]]  # (property, language, text)
    types: list[Term]
    outgoing: list[tuple[Term, list[Statement]]]
    incoming: list[tuple[Term, list[Statement]]]
    passages: list[Passage]
    graphs: list[tuple[Term, Term | None]]  # graph, what it was derived from
    external: list[tuple[Term, str | None]]  # target, portal name
    parts: list[tuple[str, Passage]]  # (anchor, passage) for hash IRIs under this one
    truncated: bool = False
    key_facts: list[tuple[str, list[Term]]] = field(default_factory=list)  # (heading, values), asserted first
    inferred_types: list[Term] = field(default_factory=list)
    #: What only the reasoner says, one row per value with every property that entails it.
    inferred_out: list[tuple[Term, list[Term]]] = field(default_factory=list)
    inferred_in: list[tuple[Term, list[Term]]] = field(default_factory=list)
    type_iris: set[str] = field(default_factory=set)


class _Labels:
    """Best label per IRI (English, then untagged, then any) and other details by property."""

    def __init__(self) -> None:
        self.details: dict[str, dict[str, list[ox.Literal | ox.NamedNode]]] = defaultdict(lambda: defaultdict(list))

    def add(self, rows: list[dict]) -> None:
        for row in rows:
            self.details[row["x"].value][row["p"].value].append(row["v"])

    def label(self, iri: str) -> str | None:
        values = [v for p in LABELS for v in self.details.get(iri, {}).get(p, []) if isinstance(v, ox.Literal)]
        for test in (lambda v: v.language == "en", lambda v: not v.language, lambda v: True):
            for v in values:
                if test(v):
                    return v.value
        return None

    def first(self, iri: str, prop: str):
        values = self.details.get(iri, {}).get(prop, [])
        return values[0] if values else None


XSD = "http://www.w3.org/2001/XMLSchema#"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def readable_date(value: str, datatype: str | None) -> str | None:
    """``2008-06-23`` -> ``23 June 2008`` (xsd:date, dateTime, gYearMonth, gYear); None otherwise."""
    if datatype not in (XSD + "date", XSD + "dateTime", XSD + "gYearMonth", XSD + "gYear"):
        return None
    parts = value[:10].split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return None
    return parts[0]


def _term(node, labels: _Labels, base: str) -> Term:
    if isinstance(node, ox.NamedNode):
        return Term("iri", node.value, href(node.value, base), labels.label(node.value), curie=curie(node.value))
    if isinstance(node, ox.Literal):
        datatype = node.datatype.value if node.datatype and not node.language else None
        readable = readable_date(node.value, datatype)
        if datatype in (XSD + "string",):
            datatype = None
        return Term("literal", node.value, label=readable, language=node.language,
                    datatype=datatype and (curie(datatype) or datatype))
    return Term("bnode", "anonymous node")


# --------------------------------------------------------------------------- queries


def _iri(node: str) -> str:
    return str(ox.NamedNode(node))  # validates; str() is the N-Triples form <...>


def _values(iris: list[str]) -> str:
    return " ".join(_iri(i) for i in iris)


def _links_query(iri: str) -> str:
    x = _iri(iri)
    return (
        "SELECT ?dir ?p ?o ?g WHERE {\n"
        f"  {{ GRAPH ?g {{ {x} ?p ?o }} BIND(\"out\" AS ?dir) }}\n"
        f"  UNION {{ GRAPH ?g {{ ?o ?p {x} }} BIND(\"in\" AS ?dir) }}\n"
        "}"
    )


def _details_query(iris: list[str], props: tuple[str, ...]) -> str:
    return f"SELECT ?x ?p ?v WHERE {{ VALUES ?x {{ {_values(iris)} }} VALUES ?p {{ {_values(list(props))} }} ?x ?p ?v }}"


def description_query(iri: str) -> str:
    """CONSTRUCT of what an RDF client gets for ``iri``: its triples both ways, its blank
    nodes, and the resources whose IRIs are ``iri#...`` (e.g. the passages of a source text)."""
    x = _iri(iri)
    prefix = iri + "#"
    return (
        "CONSTRUCT { ?s ?p ?o } WHERE {\n"
        f"  {{ {x} ?p ?o BIND({x} AS ?s) }}\n"
        f"  UNION {{ ?s ?p {x} BIND({x} AS ?o) }}\n"
        f"  UNION {{ {x} ?q ?s FILTER(isBlank(?s)) ?s ?p ?o }}\n"
        f"  UNION {{ ?s ?q {x} FILTER(STRSTARTS(STR(?s), {_string(prefix)})) ?s ?p ?o }}\n"
        "}"
    )


def _string(text: str) -> str:
    return str(ox.Literal(text))


async def describe(request: Request, iri: str) -> Entity | None:
    """The entity page for ``iri``, or None when the store says nothing about it."""
    base = settings_of(request).base
    links = (await run_query(request, _links_query(iri), max_rows=MAX_LINKS)).solutions()
    if not links:
        return None
    mentioned = {iri}
    for row in links:
        for key in ("p", "o", "g"):
            if isinstance(row.get(key), ox.NamedNode):
                mentioned.add(row[key].value)
    labels = _Labels()
    labels.add((await run_query(request, _details_query(sorted(mentioned), DETAILS))).solutions())
    second = {v.value for d in labels.details.values() for p in (DCTERMS + "isPartOf", PROV_DERIVED, BKG_URI + "portal")
              for v in d.get(p, []) if isinstance(v, ox.NamedNode)} - set(labels.details)
    if second:
        labels.add((await run_query(request, _details_query(sorted(second), LABELS))).solutions())
    return _entity(iri, links, labels, base, truncated=len(links) >= MAX_LINKS)


def _entity(iri: str, links: list[dict], labels: _Labels, base: str, *, truncated: bool) -> Entity:
    inferred_graph = str(GRAPH.INFERRED)
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    nodes: dict[tuple[str, str, str], tuple] = {}
    for row in links:
        key = (row["dir"].value, row["p"].value, str(row["o"]))
        grouped[key].append(row["g"].value)
        nodes[key] = (row["p"], row["o"])

    def term(node) -> Term:
        return _term(node, labels, base)

    outgoing: dict[str, list[Statement]] = defaultdict(list)
    incoming: dict[str, list[Statement]] = defaultdict(list)
    inferred_out: dict[str, tuple[Term, list[Term]]] = {}
    inferred_in: dict[str, tuple[Term, list[Term]]] = {}
    facts: dict[str, list[Statement]] = defaultdict(list)
    names, types, external, derived = [], [], [], []
    for (direction, prop, _), graphs in grouped.items():
        p, o = nodes[(direction, prop, _)]
        if isinstance(o, ox.NamedNode) and o.value == iri:
            continue  # no self-links (a symmetric or reflexive entailment says nothing new)
        statement = Statement(term(p), term(o), [term(ox.NamedNode(g)) for g in sorted(set(graphs))],
                              inferred=all(g == inferred_graph for g in graphs))
        if direction == "in":
            if statement.inferred:
                inferred_in.setdefault(str(o), (statement.value, []))[1].append(statement.property)
            else:
                incoming[prop].append(statement)
            continue
        if prop in NAMES and isinstance(o, ox.Literal):
            if not statement.inferred:
                names.append((curie(prop) or prop, o.language or "", o.value))
        elif prop == RDF_TYPE:
            types.append((statement.inferred, statement.value))
        elif prop in _KEY_PROPERTIES:
            facts[prop].append(statement)
        elif statement.inferred:
            inferred_out.setdefault(str(o), (statement.value, []))[1].append(statement.property)
        else:
            outgoing[prop].append(statement)
        if prop == PROV_DERIVED and isinstance(o, ox.NamedNode):
            derived.append(o.value)
        if isinstance(o, ox.NamedNode) and prop != RDF_TYPE:
            target = labels.first(o.value, BKG_URI + "target")
            if isinstance(target, ox.NamedNode):
                external.append((term(target), labels.label(o.value)))
            elif prop in SAME_ELSEWHERE and not o.value.startswith(base):
                external.append((term(o), None))
    outgoing.pop(PROV_DERIVED, None)  # shown as provenance, with the passages' locators
    external = list({t.value: (t, name) for t, name in reversed(external)}.values())[::-1]  # first of each
    graph_iris = sorted({g for (d, _, _), gs in grouped.items() if d == "out" for g in gs})
    parts = sorted(
        {s.value.value for statements in incoming.values() for s in statements
         if s.value.kind == "iri" and s.value.value.startswith(iri + "#")}
    )
    key_facts = []
    for heading, props in KEY_FACTS:
        values = sorted((st for prop in props for st in facts.get(prop, [])), key=lambda st: (st.inferred, st.value.text))
        unique = list({st.value.value: st.value for st in values if not st.inferred}.values())
        if not unique:  # only entailed: show it, marked once as inferred
            unique = list({st.value.value: st.value for st in values}.values())
            heading = heading + " (inferred)" if unique else heading
        if unique:
            key_facts.append((heading, unique))
    shown = {st.value.value for sts in outgoing.values() for st in sts} | {t.value for _, ts in key_facts for t in ts}
    shown_in = {st.value.value for sts in incoming.values() for st in sts}
    asserted_types = [t for inferred, t in types if not inferred]
    return Entity(
        iri=iri,
        title=labels.label(iri) or curie(iri) or iri,
        names=sorted(names, key=lambda n: (n[0] != "rdfs:label", n[0], n[1] != "en", n[1], n[2])),
        types=sorted(asserted_types, key=lambda t: t.text.lower()),
        outgoing=_sorted_groups(outgoing, term),
        incoming=_sorted_groups(incoming, term),
        passages=[_passage(p, labels, base) for p in sorted(set(derived))],
        graphs=[(term(ox.NamedNode(g)), _maybe(labels.first(g, PROV_DERIVED), term)) for g in graph_iris],
        external=external,
        parts=sorted(((p[len(iri) + 1:], _passage(p, labels, base)) for p in parts), key=_reading_order),
        truncated=truncated,
        key_facts=key_facts,
        inferred_types=sorted({t.value: t for inferred, t in types if inferred and t.value not in
                               {a.value for a in asserted_types}}.values(), key=lambda t: t.text.lower()),
        inferred_out=_by_value(inferred_out, shown),
        inferred_in=_by_value(inferred_in, shown_in),
        type_iris={t.value for _, t in types},
    )


def _by_value(rows: dict[str, tuple[Term, list[Term]]], shown: set[str]) -> list[tuple[Term, list[Term]]]:
    """One row per value not already shown as asserted, with its properties (deduplicated, sorted)."""
    out = []
    for value, props in rows.values():
        if value.value in shown:
            continue
        out.append((value, sorted({p.value: p for p in props}.values(), key=lambda p: p.text.lower())))
    return sorted(out, key=lambda row: (row[1][0].text.lower(), row[0].text.lower()))


def _reading_order(part: tuple[str, Passage]) -> tuple:
    anchor, passage = part
    first = passage.lines.split()[-1].split("–")[0] if passage.lines else ""
    return (int(first) if first.isdigit() else 10**9, anchor)


def _maybe(node, term):
    return term(node) if node is not None else None


def _sorted_groups(groups: dict[str, list[Statement]], term) -> list[tuple[Term, list[Statement]]]:
    out = []
    for prop, statements in groups.items():
        statements.sort(key=lambda s: (s.inferred, s.value.text.lower()))
        out.append((statements[0].property, statements))
    return sorted(out, key=lambda item: item[0].text.lower())


def _passage(iri: str, labels: _Labels, base: str) -> Passage:
    document = labels.first(iri, DCTERMS + "isPartOf")
    locator = labels.first(iri, BKG_URI + "locator")
    start, end = labels.first(iri, BKG_URI + "lineStart"), labels.first(iri, BKG_URI + "lineEnd")
    lines = None
    if start is not None:
        lines = f"line {start.value}" if end is None or end.value == start.value else f"lines {start.value}–{end.value}"
    return Passage(
        _term(ox.NamedNode(iri), labels, base),
        _term(document, labels, base) if document is not None else None,
        locator.value if locator is not None else None,
        lines,
        _passage_text(iri, start, end),
    )


_PASSAGE_LINES = 40  # longer passages (whole annex tables) are left to the source viewer


def _passage_text(iri: str, start, end) -> str | None:
    """Lines ``start``..``end`` of the shipped source text the passage IRI's document names."""
    if start is None or "#" not in iri:
        return None
    stem = iri.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    text = source_text(stem)
    try:
        first, last = int(start.value), int((end or start).value)
    except ValueError:
        return None
    if text is None or first < 1 or last < first or last - first >= _PASSAGE_LINES:
        return None
    return "\n".join(text.split("\n")[first - 1: last]).strip() or None


# --------------------------------------------------------------------------- the route


def _valid_iri(iri: str) -> bool:
    """Only IRIs pyoxigraph accepts go into a query (no spaces, quotes, angle brackets...)."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def _ontology_path(base: str) -> str | None:
    ontology = BKG_URI.rstrip("#")
    return ontology[len(base):] if ontology.startswith(base) else None


@router.head("/" + CONTEXT_FILE_NAME, include_in_schema=False)
@router.get("/" + CONTEXT_FILE_NAME, summary="The JSON-LD context of the release and the entity pages",
            response_class=Response)
async def context(request: Request) -> Response:
    """The published JSON-LD context (``{base}context.jsonld``), for JSON-LD of your own that
    uses our short keys; our own JSON-LD embeds it."""

    async def produce():
        body = json.dumps(jsonld_context(), ensure_ascii=False, indent=1).encode("utf-8")
        return Response(body, media_type=content_type(JSONLD))

    return await query_response(request, produce, "context")


@router.head("/{path:path}", include_in_schema=False)
@router.get("/{path:path}", name="resource",
                  summary="Linked Data: the resource {base}{path}",
                  description="HTML for browsers; Turtle, JSON-LD (compacted; expanded with the profile "
                              "http://www.w3.org/ns/json-ld#expanded), N-Triples, RDF/XML, N-Quads or TriG by "
                              "Accept or by a .ttl/.jsonld/.nt/.rdf/.nq/.trig suffix. 404 for IRIs the graph "
                              "does not mention.",
                  response_class=Response)
async def resource(request: Request, path: str) -> Response:
    settings = settings_of(request)
    accept = request.headers.get("accept")
    candidates: list[tuple[str, str | None]] = []
    for suffix, media_type in negotiation.SUFFIX_MEDIA_TYPES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            candidates.append((path[: -len(suffix)], media_type))
    candidates.append((path, None))
    for candidate, media_type in candidates:
        media_type = media_type or negotiation.rdf_media_type(accept, html=True, offers=negotiation.ENTITY_TYPES)
        if media_type is None:
            return PlainTextResponse("Available as text/html, " + ", ".join(negotiation.ENTITY_TYPES) + ".",
                                     status_code=406)
        iri = settings.base + candidate
        if not _valid_iri(iri):
            break
        replacement = await _replaced_by(request, iri)
        if replacement is not None:  # a retired IRI: the kept one, same representation
            return RedirectResponse(href(replacement, settings.base) + path[len(candidate):], status_code=301)
        if candidate == _ontology_path(settings.base):
            response = await _ontology(request, media_type)
        elif media_type == negotiation.HTML:
            response = await _page(request, iri)
        else:
            response = await _rdf(request, iri, media_type)
        if response is not None:
            return response
    return await _not_found(request)


_REPLACED = "SELECT ?old ?new WHERE { ?old <http://purl.org/dc/terms/isReplacedBy> ?new FILTER (isIRI(?new)) }"


async def _replaced_by(request: Request, iri: str) -> str | None:
    """The IRI that replaces a retired ``iri`` (``dcterms:isReplacedBy``, data/reference.ttl), if any.

    One query for all retired IRIs, the same text each time, so the result cache answers it.
    """
    rows = (await run_query(request, _REPLACED, inference=False)).solutions()
    return next((row["new"].value for row in rows if row["old"].value == iri), None)


async def _rdf(request: Request, iri: str, media_type: str) -> Response | None:
    return await _graph(request, description_query(iri), media_type, iri, first=iri)


async def _graph(request: Request, sparql: str, media_type: str, key: str, *, first: str | None = None) -> Response | None:
    """The result of a CONSTRUCT ``sparql`` as a document in ``media_type``; None when it is empty.

    JSON-LD is written as web developers read it: compacted with the published context
    (embedded, so no processor has to fetch it), one node object per subject, ``first`` first;
    the expanded form for ``Accept: application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"``.
    """
    if media_type != JSONLD:
        async def produce():
            result = await run_query(request, sparql, formats=ResultFormats(graph=media_type))
            return result if result.count else None

        return await query_response(request, produce, key, media_type)

    profile = negotiation.jsonld_profile(request.headers.get("accept"))

    async def produce_jsonld():
        result = await run_query(request, sparql, formats=ResultFormats(graph="application/n-triples"))
        if not result.count:
            return None

        def document() -> bytes:
            graph = rdflib.Graph().parse(data=result.body, format="nt")
            doc = jsonld_document(graph, expanded=profile == negotiation.JSONLD_EXPANDED, first=first)
            return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")

        body = await run_in_threadpool(document)
        headers = {"X-SPARQL-MaxRows": str(result.count)} if result.truncated else None
        return Response(body, media_type=content_type(f'{JSONLD}; profile="{profile}"'), headers=headers)

    return await query_response(request, produce_jsonld, key, JSONLD, profile)


async def _page(request: Request, iri: str) -> Response | None:
    async def produce():
        entity = await describe(request, iri)
        if entity is None:
            return None
        return render(request, "entity.html", {"entity": entity, "alternates": _alternates(request),
                                               "views": _views(entity)})

    return await query_response(request, produce, iri, "html")


ORG = "http://www.w3.org/ns/org#"
_NETWORK_TYPES = frozenset({ORG + "Organization", ORG + "OrganizationalCollaboration", ORG + "OrganizationalUnit",
                            BKG_URI + "Decision", BKG_URI + "Partnership", BKG_URI + "Initiative",
                            "http://xmlns.com/foaf/0.1/Agent"})
_TIMELINE_TYPES = frozenset({BKG_URI + "Meeting", ORG + "OrganizationalCollaboration", BKG_URI + "Partnership",
                             BKG_URI + "Initiative"})


def _views(entity: Entity) -> dict[str, bool]:
    """Which drawings an entity page shows: its network neighbourhood, its timeline."""
    return {"network": bool(entity.type_iris & _NETWORK_TYPES), "timeline": bool(entity.type_iris & _TIMELINE_TYPES)}


def _alternates(request: Request) -> list[tuple[str, str]]:
    path = request.url.path
    return [(name, path + suffix) for suffix, name in
            ((".ttl", "Turtle"), (".jsonld", "JSON-LD"), (".nt", "N-Triples"), (".rdf", "RDF/XML"),
             (".nq", "N-Quads"), (".trig", "TriG"))]


async def _ontology(request: Request, media_type: str) -> Response:
    settings = settings_of(request)
    if media_type != negotiation.HTML:
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_iri(str(GRAPH.ONTOLOGY))} {{ ?s ?p ?o }} }}"
        response = await _graph(request, sparql, media_type, "ontology", first=BKG_URI.rstrip("#"))
        return response if response is not None else await _not_found(request)
    docs = settings.dumps_dir / "ontology" / "index.html" if settings.dumps_dir else None
    if docs is not None and docs.is_file():
        return HTMLResponse(with_site_bar(request, _with_term_anchors(docs.read_text(encoding="utf-8"))))
    page = await _page(request, BKG_URI.rstrip("#"))
    return page if page is not None else await _not_found(request)


# The generated documentation does not always give a term's section the term's name as id;
# this finds the section of ``/ontology#Term`` by the term's IRI instead.
_TERM_ANCHORS = """<script>
(function () {
  var namespace = %s;
  function go() {
    var name = decodeURIComponent(location.hash.slice(1));
    if (!name || document.getElementById(name)) return;
    var codes = document.querySelectorAll("code");
    for (var i = 0; i < codes.length; i++) {
      if (codes[i].textContent.trim() === namespace + name) {
        (codes[i].closest(".entity") || codes[i]).scrollIntoView();
        return;
      }
    }
  }
  window.addEventListener("hashchange", go);
  window.addEventListener("load", go);
})();
</script>
"""


def with_site_bar(request: Request, html: str) -> str:
    """``html`` (a page generated elsewhere: ontology docs, Swagger UI) with the site's navigation
    at the top of its body and the site's icon."""
    bar = request.app.state.templates.get_template("site_bar.html").render()
    icon = '<link rel="icon" href="/favicon.svg" type="image/svg+xml">'
    head = html.find("</head>")
    if head >= 0:
        html = html[:head] + icon + html[head:]
    body = html.find("<body")
    if body < 0:
        return bar + html
    start = html.index(">", body) + 1
    return html[:start] + bar + html[start:]


def _with_term_anchors(html: str) -> str:
    script = _TERM_ANCHORS % json.dumps(BKG_URI)
    at = html.rfind("</body>")
    return html[:at] + script + html[at:] if at >= 0 else html + script


async def _not_found(request: Request) -> Response:
    if negotiation.rdf_media_type(request.headers.get("accept"), html=True) == negotiation.HTML:
        return render(request, "not_found.html", {"iri": settings_of(request).base + request.url.path[1:]},
                      status_code=404)
    return PlainTextResponse("Nothing is known about this IRI.", status_code=404)
