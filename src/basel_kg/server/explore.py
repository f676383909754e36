"""Exploring without SPARQL: search, class listings, the cooperation network and the timeline.

Every view is an HTML page and a JSON document (the page draws the JSON with a library from
npm: cytoscape for networks, vis-timeline for timelines). The data comes from SPARQL queries
through the app's result cache (keyed on the dataset version); labels and types come from
the search index (:mod:`basel_kg.search`), rebuilt when the dataset version changes.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..namespaces import BKG_URI, PREFIXES
from ..search import BOOKKEEPING_CLASSES, KEY_CLASSES, SearchIndex
from . import negotiation
from .common import render, run_query, settings_of, store_of
from .linkeddata import href

__all__ = ["router", "search_index", "class_iri", "class_path"]

router = APIRouter(tags=["Explore"])

_PREFIXES = ("PREFIX bkg: <https://w3id.org/basel-kg/ontology#> PREFIX org: <http://www.w3.org/ns/org#>\n"
             "PREFIX schema: <https://schema.org/> PREFIX dcterms: <http://purl.org/dc/terms/>\n"
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
             "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n")
PAGE_SIZE = 50


async def search_index(request: Request) -> SearchIndex:
    """The app's search index, brought up to the store's current version first."""
    index: SearchIndex = request.app.state.search
    await run_in_threadpool(index.ensure, store_of(request))
    return index


def _wants_json(request: Request) -> bool:
    return negotiation.negotiate(request.headers.get("accept"), ("text/html", "application/json")) == "application/json"


# --------------------------------------------------------------------------- search


@router.get("/search", summary="Search names, notations and descriptions", response_class=Response)
async def search(request: Request, q: str = Query("", max_length=200, description="words to find (English, Chinese, "
                                                 "decision numbers, document symbols)"),
                 type: str | None = Query(None, description="only entities of this class (IRI)"),
                 page: int = Query(1, ge=1, le=1000), format: str | None = Query(None, pattern="^(json|html)$")):
    index = await search_index(request)
    results = index.search(q, type=type, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    base = settings_of(request).base
    if format == "json" or (format is None and _wants_json(request)):
        return JSONResponse({
            "query": results.query, "total": results.total, "version": results.version,
            "hits": [{**asdict(h), "href": href(h.iri, base)} for h in results.hits],
            "facets": [asdict(f) for f in results.facets],
        })
    return render(request, "search.html", {
        "q": q, "type": type, "results": results, "page": page,
        "pages": max(1, math.ceil(results.total / PAGE_SIZE)),
        "link": lambda **kw: "/search?" + urlencode({k: v for k, v in {"q": q, "type": type, **kw}.items() if v}),
    })


@router.get("/search/suggest", summary="Names for a search box, best first (JSON)")
async def suggest(request: Request, q: str = Query("", max_length=200), limit: int = Query(8, ge=1, le=20)):
    index = await search_index(request)
    base = settings_of(request).base
    return JSONResponse([{"label": h.label, "href": href(h.iri, base), "type": h.type_label,
                          "also": h.other_names} for h in index.suggest(q, limit)])


# --------------------------------------------------------------------------- classes


def class_iri(name: str) -> str | None:
    """``Decision`` -> bkg:Decision, ``org:Organization`` -> its IRI; None for unknown prefixes."""
    if ":" not in name:
        return BKG_URI + name
    prefix, local = name.split(":", 1)
    return PREFIXES[prefix] + local if prefix in PREFIXES and not local.startswith("/") else None


def class_path(iri: str) -> str:
    if iri.startswith(BKG_URI):
        return "/class/" + iri[len(BKG_URI):]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and prefix != "basel":
            return f"/class/{prefix}:{iri[len(namespace):]}"
    return href(iri, "")


_BODY = "(bkg:meetingOf|bkg:adoptedBy|(bkg:adoptedAt/bkg:meetingOf))"
_DATE = "(schema:startDate|dcterms:date|bkg:signedOn|schema:foundingDate|(bkg:adoptedAt/schema:startDate))"


def _members_query(iri: str) -> str:
    c = str(ox.NamedNode(iri))
    return _PREFIXES + f"""SELECT ?s (SAMPLE(?l) AS ?label) (MIN(STR(?d)) AS ?date) WHERE {{
  ?s a/rdfs:subClassOf* {c} .
  OPTIONAL {{ ?s rdfs:label|skos:prefLabel|dcterms:title ?l FILTER(lang(?l) = "en" || lang(?l) = "") }}
  OPTIONAL {{ ?s {_DATE} ?d }}
}} GROUP BY ?s"""


def _facets_query(iri: str) -> str:
    c = str(ox.NamedNode(iri))
    return _PREFIXES + f"""SELECT DISTINCT ?s ?facet ?v WHERE {{
  ?s a/rdfs:subClassOf* {c} .
  {{ ?s dcterms:subject ?v BIND("topic" AS ?facet) }}
  UNION {{ ?s {_BODY} ?v BIND("body" AS ?facet) }}
  UNION {{ ?s bkg:inFrameworkOf|({_BODY}/bkg:governingBodyOf) ?v .
           ?v a/rdfs:subClassOf* bkg:MultilateralEnvironmentalAgreement BIND("convention" AS ?facet) }}
}}"""


FACETS = ("convention", "body", "topic", "year")
SORTS = {"name": "name (A–Z)", "date": "date (oldest first)", "-date": "date (newest first)"}


@router.get("/class/{name}", summary="The instances of a class, with paging, sorting and facets",
            response_class=Response)
async def class_page(request: Request, name: str, page: int = Query(1, ge=1, le=10_000),
                     sort: str = Query("name", pattern="^(name|date|-date)$"),
                     convention: str | None = None, body: str | None = None, topic: str | None = None,
                     year: str | None = Query(None, max_length=4), format: str | None = Query(None, pattern="^(json|html)$")):
    iri = class_iri(name)
    if iri is None:
        raise HTTPException(404, f"Unknown prefix in {name!r}; use a class of the ontology or prefix:Name.")
    try:
        ox.NamedNode(iri)
    except ValueError:  # not an IRI at all: no such class (never a 500)
        raise HTTPException(404, f"No class is named {name!r}.") from None
    index = await search_index(request)
    members = (await run_query(request, _members_query(iri))).solutions()
    if not members:
        return render(request, "not_found.html", {"iri": iri}, status_code=404)
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in (await run_query(request, _facets_query(iri))).solutions():
        values[row["s"].value][row["facet"].value].add(row["v"].value)
    rows = []
    for row in members:
        s = row["s"].value
        date = row["date"].value[:10] if row.get("date") else None
        if date and date[:4].isdigit():
            values[s]["year"].add(date[:4])
        label = row["label"].value if row.get("label") else index.label(s)
        rows.append({"iri": s, "href": href(s, settings_of(request).base), "label": label, "date": date,
                     "type": index.type_label(index.type_of(s)), "facets": values[s]})
    chosen = {k: v for k, v in {"convention": convention, "body": body, "topic": topic, "year": year}.items() if v}
    selected = [r for r in rows if all(v in r["facets"].get(k, ()) for k, v in chosen.items())]
    facets = {}
    for facet in FACETS:
        counts = Counter(v for r in selected for v in r["facets"].get(facet, ()))
        order = sorted(counts, reverse=True) if facet == "year" else sorted(counts, key=lambda v: (-counts[v], index.label(v)))
        facets[facet] = [(v, v if facet == "year" else index.label(v), counts[v]) for v in order]
    if sort == "name":
        selected.sort(key=lambda r: r["label"].casefold())
    else:
        dated = sorted((r for r in selected if r["date"]), key=lambda r: (r["date"], r["label"].casefold()),
                       reverse=sort == "-date")
        selected = dated + sorted((r for r in selected if not r["date"]), key=lambda r: r["label"].casefold())
    pages = max(1, math.ceil(len(selected) / PAGE_SIZE))
    shown = selected[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    if format == "json" or (format is None and _wants_json(request)):
        return JSONResponse({"class": iri, "total": len(selected), "page": page, "pages": pages,
                             "items": [{k: v for k, v in r.items() if k != "facets"} for r in shown],
                             "facets": {k: [{"value": v, "label": lab, "count": n} for v, lab, n in f]
                                        for k, f in facets.items()}})
    params = {"sort": sort, **chosen}

    def link(**changes):
        merged = {**params, **changes}
        return f"/class/{name}?" + urlencode({k: v for k, v in merged.items() if v and not (k == "sort" and v == "name")})

    return render(request, "class.html", {
        "name": name, "iri": iri, "title": index.type_label(iri), "rows": shown, "total": len(selected),
        "all": len(rows), "page": page, "pages": pages, "sort": sort, "sorts": SORTS, "facets": facets,
        "chosen": chosen, "link": link, "facet_label": lambda k, v: v if k == "year" else index.label(v),
    })


async def class_counts(request: Request) -> tuple[list[dict], list[dict], list[dict]]:
    """(key classes, other classes, bookkeeping classes) with instance counts, for the home page."""
    index = await search_index(request)
    sparql = _PREFIXES + """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class FILTER(isIRI(?class) && !STRSTARTS(STR(?class), "http://www.w3.org/2002/07/owl#"))
} GROUP BY ?class"""
    counts = {r["class"].value: int(r["n"].value) for r in (await run_query(request, sparql)).solutions()}
    key = [{"iri": c, "label": heading, "href": class_path(c), "n": counts.get(c, 0)} for c, heading in KEY_CLASSES]
    shown = {c for c, _ in KEY_CLASSES}
    other, bookkeeping = [], []
    for c, n in sorted(counts.items(), key=lambda kv: index.type_label(kv[0]).casefold()):
        if c in shown or not (c.startswith(BKG_URI) or c in BOOKKEEPING_CLASSES):
            continue
        entry = {"iri": c, "label": index.type_label(c), "href": class_path(c), "n": n}
        (bookkeeping if c in BOOKKEEPING_CLASSES else other).append(entry)
    return key, other, bookkeeping


# --------------------------------------------------------------------------- network

_NETWORK = _PREFIXES + """SELECT ?activity ?a ?b (MIN(STR(?d)) AS ?date) WHERE {
  ?activity a bkg:CooperationActivity ; bkg:participant ?a , ?b . FILTER(STR(?a) < STR(?b))
  OPTIONAL { ?activity schema:startDate|(bkg:relatedMeeting/schema:startDate)|(bkg:implementsDecision/bkg:adoptedAt/schema:startDate) ?d }
} GROUP BY ?activity ?a ?b"""
_ACTIVITY_FACETS = _PREFIXES + """SELECT DISTINCT ?activity ?facet ?v WHERE {
  ?activity a bkg:CooperationActivity .
  { ?activity dcterms:subject ?v BIND("topic" AS ?facet) }
  UNION { ?activity bkg:inFrameworkOf ?v BIND("convention" AS ?facet) }
}"""


def _node(index: SearchIndex, iri: str, base: str, **extra) -> dict:
    kind = index.type_of(iri)
    return {"data": {"id": iri, "label": index.label(iri), "href": href(iri, base), "type": index.type_label(kind),
                     "group": _group(kind), **extra}}


def _group(kind: str | None) -> str:
    """A colour group for a node: the key class it falls under."""
    if kind is None:
        return "other"
    local = kind.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    groups = {
        "decision": ("Decision", "DraftDecision", "Provision"),
        "meeting": ("Meeting", "Workshop", "Conference"),
        "partnership": ("Partnership", "Initiative", "Forum", "Programme", "Project", "Fund", "Network"),
        "agreement": ("Convention", "Protocol", "MultilateralEnvironmentalAgreement", "Agreement",
                      "MemorandumOfUnderstanding", "Declaration", "StrategicPlan", "PolicyInstrument"),
        "document": ("Document", "MeetingDocument", "NoteBySecretariat", "InformationDocument", "ProvisionalAgenda",
                     "Report", "ProgressReport", "Annex", "WebPage", "GuidanceDocument", "TermsOfReference"),
        "activity": ("CooperationActivity", "WorkPlan", "WorkPlanItem"),
        "place": ("Country", "City", "Region"),
        "topic": ("Concept",),
    }
    for group, names in groups.items():
        if local in names:
            return group
    return "organisation"


@router.get("/network.json", summary="The cooperation network as nodes and edges (cytoscape elements)")
async def network_json(request: Request, topic: str | None = None, convention: str | None = None,
                       start: str | None = Query(None, pattern=r"^\d{4}$", alias="from"),
                       end: str | None = Query(None, pattern=r"^\d{4}$", alias="to")):
    index = await search_index(request)
    base = settings_of(request).base
    facets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in (await run_query(request, _ACTIVITY_FACETS)).solutions():
        facets[row["activity"].value][row["facet"].value].add(row["v"].value)
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    topics, conventions, years = Counter(), Counter(), set()
    for row in (await run_query(request, _NETWORK)).solutions():
        activity = row["activity"].value
        year = row["date"].value[:4] if row.get("date") else None
        if year:
            years.add(year)
        mine = facets[activity]
        topics.update(mine["topic"])
        conventions.update(mine["convention"])
        if topic and topic not in mine["topic"] or convention and convention not in mine["convention"]:
            continue
        if (start or end) and (year is None or (start and year < start) or (end and year > end)):
            continue
        edges[(row["a"].value, row["b"].value)].add(activity)
    degree = Counter()
    for (a, b), acts in edges.items():
        degree[a] += len(acts)
        degree[b] += len(acts)
    return JSONResponse({
        "nodes": [_node(index, n, base, weight=degree[n]) for n in sorted(degree)],
        "edges": [{"data": {"id": f"{a} {b}", "source": a, "target": b, "weight": len(acts),
                            "label": f"{len(acts)} activit{'y' if len(acts) == 1 else 'ies'}"}}
                  for (a, b), acts in sorted(edges.items())],
        "filters": {
            "topic": [{"value": v, "label": index.label(v), "count": n} for v, n in topics.most_common()],
            "convention": [{"value": v, "label": index.label(v), "count": n} for v, n in conventions.most_common()],
            "years": sorted(years),
        },
    })


@router.get("/network", summary="The cooperation network, drawn", response_class=Response)
async def network_page(request: Request):
    return render(request, "network.html", {})


def _neighbours_query(iri: str) -> str:
    x = str(ox.NamedNode(iri))
    return _PREFIXES + f"""SELECT DISTINCT ?p ?o ?dir ?via WHERE {{
  {{ {x} ?p ?o BIND("out" AS ?dir) }} UNION {{ ?o ?p {x} BIND("in" AS ?dir) }}
  FILTER(isIRI(?o) && ?o != {x} && ?p NOT IN (rdf:type, prov:wasDerivedFrom, dcterms:isPartOf))
  OPTIONAL {{ ?o a bkg:CooperationActivity ; bkg:participant ?via FILTER(?via != {x}) }}
  OPTIONAL {{ ?o a org:Membership ; org:organization|org:member ?via FILTER(?via != {x}) }}
}}"""


_HIDDEN = BOOKKEEPING_CLASSES | {BKG_URI + "CooperationActivity", "http://www.w3.org/2004/02/skos/core#Concept"}


@router.get("/neighbourhood.json", summary="The entities linked to one entity (cytoscape elements)")
async def neighbourhood_json(request: Request, iri: str = Query(..., max_length=2000)):
    try:
        center = ox.NamedNode(iri).value
    except ValueError:
        raise HTTPException(400, "iri: not a valid IRI") from None
    index = await search_index(request)
    base = settings_of(request).base
    rows = (await run_query(request, _neighbours_query(center), inference=False)).solutions()
    edges: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in rows:
        other, via = row["o"].value, row.get("via")
        if via is not None:  # an activity or a membership: link to its other participants
            label = "cooperates" if index.type_of(other) == BKG_URI + "CooperationActivity" else "member"
            edges[(center, via.value)][label] += 1
        elif index.type_of(other) not in _HIDDEN and other.startswith(base) and index.type_of(other) is not None:
            prop = row["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            pair = (center, other) if row["dir"].value == "out" else (other, center)
            edges[pair][prop] += 1
    nodes = {center} | {n for pair in edges for n in pair}
    return JSONResponse({
        "nodes": [_node(index, n, base, center=n == center) for n in sorted(nodes)],
        "edges": [{"data": {"id": f"{a} {b}", "source": a, "target": b,
                            "label": ", ".join(f"{p} ×{n}" if n > 1 else p for p, n in labels.most_common(2))}}
                  for (a, b), labels in sorted(edges.items())],
    })


# --------------------------------------------------------------------------- timeline

_TIMELINE = _PREFIXES + """SELECT ?s ?kind (MIN(STR(?d)) AS ?start) (MAX(STR(?e)) AS ?end) (SAMPLE(?b) AS ?body) WHERE {
  { ?s a bkg:Meeting ; schema:startDate ?d OPTIONAL { ?s schema:endDate ?e } OPTIONAL { ?s bkg:meetingOf ?b }
    BIND("meeting" AS ?kind) }
  UNION { ?s a bkg:Decision ; bkg:adoptedAt ?m . ?m schema:startDate ?d OPTIONAL { ?s bkg:adoptedBy ?b }
    FILTER NOT EXISTS { ?s a bkg:DraftDecision } BIND("decision" AS ?kind) }
  UNION { ?s a/rdfs:subClassOf* org:OrganizationalCollaboration .
    { ?s schema:foundingDate|schema:startDate ?d } UNION { ?s (bkg:launchedAt|bkg:establishedAt|(bkg:establishedBy/bkg:adoptedAt))/schema:startDate ?d }
    BIND("partnership" AS ?kind) }
  UNION { ?s a bkg:CooperationActivity ; schema:startDate ?d OPTIONAL { ?s schema:endDate ?e } BIND("activity" AS ?kind) }
} GROUP BY ?s ?kind"""
_CONVENTION_OF_BODY = _PREFIXES + "SELECT ?b ?c WHERE { ?b bkg:governingBodyOf ?c }"
def _iso_day(value: str) -> str | None:
    """``2010`` (xsd:gYear) -> ``2010-01-01``, ``1999-12`` -> ``1999-12-01``, a date(time) -> its day."""
    parts = value[:10].split("-")
    if not parts[0].isdigit() or len(parts[0]) != 4:
        return None
    return "-".join((parts + ["01", "01"])[:3])


KINDS = ("meeting", "decision", "partnership", "activity")


async def _timeline_items(request: Request) -> list[dict]:
    index = await search_index(request)
    base = settings_of(request).base
    convention_of = {r["b"].value: r["c"].value for r in (await run_query(request, _CONVENTION_OF_BODY)).solutions()}
    items = []
    for row in (await run_query(request, _TIMELINE)).solutions():
        start = _iso_day(row["start"].value)
        if start is None:
            continue
        end = _iso_day(row["end"].value) if row.get("end") else None
        end = end if end and end > start else None
        body = row["body"].value if row.get("body") else None
        s = row["s"].value
        items.append({"id": s, "content": index.label(s), "start": start, "end": end, "kind": row["kind"].value,
                      "href": href(s, base), "body": body, "bodyLabel": index.label(body) if body else None,
                      "convention": convention_of.get(body) if body else None})
    items.sort(key=lambda i: (i["start"], i["content"]))
    return items


@router.get("/timeline.json", summary="Meetings, decisions, partnerships and activities with their dates")
async def timeline_json(request: Request, body: str | None = None, convention: str | None = None,
                        kind: list[str] = Query(["meeting", "decision", "partnership"]),
                        around: str | None = Query(None, max_length=2000,
                                                   description="only what is linked to this entity")):
    index = await search_index(request)
    items = await _timeline_items(request)
    bodies = Counter((i["body"]) for i in items if i["body"])
    conventions = Counter(i["convention"] for i in items if i["convention"])
    if around:
        try:
            center = ox.NamedNode(around).value
        except ValueError:
            raise HTTPException(400, "around: not a valid IRI") from None
        rows = (await run_query(request, _neighbours_query(center), inference=False)).solutions()
        linked = {center} | {r["o"].value for r in rows}
        mine = next((i for i in items if i["id"] == center), None)
        items = [i for i in items if i["id"] in linked or (mine and mine["body"] and i["body"] == mine["body"]
                                                          and i["kind"] == "meeting")]
    else:
        items = [i for i in items if i["kind"] in kind and (not body or i["body"] == body)
                 and (not convention or i["convention"] == convention)]
    return JSONResponse({
        "items": items,
        "filters": {
            "body": [{"value": v, "label": index.label(v), "count": n} for v, n in bodies.most_common()],
            "convention": [{"value": v, "label": index.label(v), "count": n} for v, n in conventions.most_common()],
        },
    })


@router.get("/timeline", summary="Meetings, decisions and partnerships on a timeline", response_class=Response)
async def timeline_page(request: Request):
    return render(request, "timeline.html", {"kinds": [(k, k + "s" if k != "activity" else "cooperation activities")
                                                       for k in KINDS]})
