"""Full-text search over the names, notations and descriptions of every entity.

The index is an in-memory SQLite database with an FTS5 table using the ``trigram``
tokenizer (SQLite >= 3.34, part of Python's ``sqlite3``): it matches any substring of three
characters or more, so Chinese text, which has no spaces between words, is found as well as
English, and so are parts of document symbols (``CHW.9``) and decision numbers. Queries
shorter than three characters (``IX``, a two-character Chinese word) fall back to a
substring scan of the same rows.

Why SQLite FTS5 rather than tantivy or Whoosh: it is embedded in the Python standard library
(no extra wheel, no server), maintained with SQLite itself, and its trigram tokenizer needs
no language-specific segmenter for Chinese. Whoosh is unmaintained; tantivy's default
tokenizers split on whitespace and need a separate Chinese tokenizer.

The index belongs to one dataset version (:attr:`SearchIndex.version`). The server's write
path calls :meth:`SearchIndex.changed` with each applied change: only the subjects it touched
are read again (cost grows with the change). Whatever else changes the store (a reload, a
write the index did not see) is caught by :meth:`ensure`, which rebuilds from the store when
the versions differ: one SELECT and a bulk insert (a fraction of a second for the shipped data).

Ranking: an exact name or notation first, then names/notations that start with the query,
then those that contain it, then matches in descriptions only; within a tier, key classes
(decisions, meetings, organisations, ...) before bookkeeping ones, then FTS5's bm25 score.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import BASE, BKG_URI, GRAPH
from .terms import RDF_TYPE as RDF_TYPE_TERM

__all__ = ["SearchIndex", "SearchHit", "SearchResults", "Facet", "KEY_CLASSES", "BOOKKEEPING_CLASSES"]

RDF_TYPE = RDF_TYPE_TERM.value
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"

NAME_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", DCTERMS + "title", SCHEMA + "name",
                   "http://xmlns.com/foaf/0.1/name")
NOTATION_PROPERTIES = (BKG_URI + "decisionNumber", BKG_URI + "symbol", SKOS + "notation", BKG_URI + "code",
                       DCTERMS + "identifier", BKG_URI + "countryCode")
DESCRIPTION_PROPERTIES = (DCTERMS + "description", SKOS + "definition", RDFS + "comment", SCHEMA + "text")
PREFERRED_LABELS = (RDFS + "label", SKOS + "prefLabel", DCTERMS + "title", SCHEMA + "name")

#: What researchers look for, in the order the home page shows them (class IRI, heading).
KEY_CLASSES: tuple[tuple[str, str], ...] = (
    (BKG_URI + "Decision", "Decisions"),
    (BKG_URI + "Meeting", "Meetings"),
    (ORG + "Organization", "Organisations"),
    (ORG + "OrganizationalCollaboration", "Partnerships and initiatives"),
    (BKG_URI + "MultilateralEnvironmentalAgreement", "Environmental agreements"),
    (BKG_URI + "Agreement", "Agreements and memoranda"),
    (BKG_URI + "Document", "Documents"),
    (BKG_URI + "CooperationActivity", "Cooperation activities"),
)
#: Classes that record how the graph was made rather than what it is about.
BOOKKEEPING_CLASSES = frozenset({
    BKG_URI + "SourcePassage", BKG_URI + "SourceText", BKG_URI + "MeasureAssessment", BKG_URI + "ExternalLink",
    ORG + "Membership", ORG + "Role", ORG + "Post", BKG_URI + "WorkPlanItem", BKG_URI + "Provision",
    "http://www.w3.org/2002/07/owl#Class", "http://www.w3.org/2002/07/owl#ObjectProperty",
    "http://www.w3.org/2002/07/owl#DatatypeProperty", "http://www.w3.org/2002/07/owl#AnnotationProperty",
    "http://www.w3.org/2002/07/owl#Ontology", SKOS + "ConceptScheme", "http://www.w3.org/ns/dcat#Catalog",
})


@dataclass(slots=True)
class SearchHit:
    iri: str
    label: str
    type: str | None
    type_label: str | None
    matched: str  # "name" | "notation" | "description"
    snippet: str | None = None
    other_names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Facet:
    type: str
    label: str
    count: int


@dataclass(slots=True)
class SearchResults:
    query: str
    total: int
    hits: list[SearchHit]
    facets: list[Facet]
    version: str | None
    seconds: float


def fold(text: str) -> str:
    """Case-insensitive form of ``text`` for matching (Unicode case folding, one space)."""
    return " ".join(text.casefold().split())


def _index_query(subjects: list[str] | None = None) -> str:
    """The asserted statements the index is made of: of every entity, read predicate by
    predicate (run with ``inference=False``); or of ``subjects`` (IRIs in our namespace) only,
    read subject by subject from the named graphs but the inferred one, which a store answers
    from the data as stored (a trusted query: see :meth:`basel_kg.store.Store.query`; the
    embedded store's query views, which take a write after it is answered, are not waited for).
    (With the subjects as a ``VALUES`` beside the predicates', Oxigraph joined them after
    scanning every statement of the predicates: 1.3 s on the 100x views on disk, against 1 ms.)"""
    props = [f"<{p}>" for p in (*NAME_PROPERTIES, *NOTATION_PROPERTIES, *DESCRIPTION_PROPERTIES, RDF_TYPE)]
    if subjects is not None:
        values = " ".join(str(ox.NamedNode(s)) for s in subjects)
        return (f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
                f"FILTER(?p IN ({', '.join(props)}) && ?g != {ox.NamedNode(str(GRAPH.INFERRED))}) }}")
    return (f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {' '.join(props)} }} ?s ?p ?o "
            f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {ox.Literal(BASE)})) }}")


def _entities(rows: list[dict]) -> dict[str, dict[str, list]]:
    entities: dict[str, dict[str, list]] = {}
    for row in rows:
        entities.setdefault(row["s"].value, {}).setdefault(row["p"].value, []).append(row["o"])
    return entities


def _insert(db: sqlite3.Connection, entities: dict[str, dict[str, list]],
            info: dict[str, tuple[str, str | None]]) -> list[int]:
    """Rows of ``entities`` into the entity table (``info``: label and type of each); their ids."""
    ids = []
    for iri, props in entities.items():
        types = sorted(t.value for t in props.get(RDF_TYPE, []) if isinstance(t, ox.NamedNode))
        label, kind = info[iri] = (_best_label(props) or _local_name(iri), _primary_type(types))
        names = _literals(props, NAME_PROPERTIES)
        notations = _literals(props, NOTATION_PROPERTIES)
        descriptions = _literals(props, DESCRIPTION_PROPERTIES)
        if not (names or notations or descriptions):
            continue
        cursor = db.execute(
            "INSERT INTO entity (iri, label, type, weight, names, notations, descriptions, display_names,"
            " display_descriptions) VALUES (?,?,?,?,?,?,?,?,?)",
            (iri, label, kind, _weight(kind), "\n".join(fold(n) for n, _ in names),
             "\n".join(fold(n) for n, _ in notations), "\n".join(fold(d) for d, _ in descriptions),
             "\n".join(f"{lang}\t{n}" for n, lang in names), "\n".join(f"{lang}\t{d}" for d, lang in descriptions)))
        ids.append(cursor.lastrowid)
    return ids


_TYPE_LABELS = (f"SELECT ?t ?label WHERE {{ ?t <{RDFS}label> ?label FILTER(lang(?label) = 'en' || lang(?label) = '') "
                f"?s a ?t }}")

_SCHEMA = """
CREATE TABLE entity (id INTEGER PRIMARY KEY, iri TEXT, label TEXT, type TEXT, weight INTEGER,
                     names TEXT, notations TEXT, descriptions TEXT, display_names TEXT, display_descriptions TEXT);
CREATE VIRTUAL TABLE text USING fts5(names, notations, descriptions, content='entity', content_rowid='id',
                                     tokenize='trigram');
"""

#: Subjects re-read by one query (the writes since the last search may have touched many).
_REREAD = 1000

#: An entity's row by its IRI (what a write's update of the index replaces), through the index on iri.
_BY_IRI = "SELECT id, names, notations, descriptions FROM entity WHERE iri = ?"


class SearchIndex:
    """One in-memory index per server; thread-safe; brought to the store's version by each
    search (:meth:`ensure`): from the subjects the writes since touched, else rebuilt."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.build_seconds = 0.0
        self.builds = 0  # whole rebuilds so far (writes seen by changed() need none)
        # the writes handed to changed() since the index's version: the subjects they touched,
        # and the version after the last of them (None: none, or one the index could not follow)
        self._touched: set[str] = set()
        self._followed: str | None = None
        self._db: sqlite3.Connection | None = None
        self._types: dict[str, str] = {}
        self._info: dict[str, tuple[str, str | None]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ building

    def ensure(self, store) -> None:
        """Make the index match ``store.version``: when every write since its version was handed
        to :meth:`changed`, by re-reading the subjects they touched, in one go; otherwise (a
        reload, a graph dropped, or writes that touched more than a quarter of its entities) by
        a rebuild."""
        version = store.version
        if version == self.version:
            return
        with self._lock:
            if version == self.version:
                return
            # more subjects than a quarter of the index: a rebuild costs less than re-reading them
            if self._followed == version and len(self._touched) <= len(self._info) // 4:
                # a read that fails is done again by the next search (it replaces each subject's
                # rows, whatever they are then)
                self._reread(store, sorted(self._touched))
                self.version = version
            else:
                self._build(store, version)
            self._touched, self._followed = set(), None

    def _build(self, store, version: str) -> None:
        started = time.perf_counter()
        entities = _entities(store.query(_index_query(), inference=False, max_rows=None).solutions())
        type_labels = {r["t"].value: r["label"].value for r in store.query(_TYPE_LABELS, inference=False,
                                                                             max_rows=None).solutions()}
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.executescript(_SCHEMA)
        info: dict[str, tuple[str, str | None]] = {}
        _insert(db, entities, info)
        # what a write's update looks up by IRI (without it, each lookup read the whole table:
        # 0.3 s a write at 100x); made after the rows, which is faster than keeping it up meanwhile
        db.execute("CREATE INDEX entity_iri ON entity(iri)")
        db.execute("INSERT INTO text(text) VALUES ('rebuild')")
        db.commit()
        old, self._db = self._db, db
        self._types, self._info, self.version = type_labels, info, version
        self.build_seconds = time.perf_counter() - started
        self.builds += 1
        if old is not None:
            old.close()

    def changed(self, store, delta, before: str) -> bool:
        """Note a write just applied (``delta``, a :class:`basel_kg.store.Delta`; the store was at
        version ``before``): the next :meth:`ensure` (a search) re-reads the subjects it touched,
        with those of every write since, instead of rebuilding. Nothing is read here, so a write
        does not wait for the index (its full-text rows cost about 0.3-0.6 ms a subject to replace
        at 100x). False (the next :meth:`ensure` rebuilds) when the index cannot follow: no index
        yet, a write it did not see before this one, or whole graphs dropped."""
        with self._lock:
            if self._db is None or (self._followed or self.version) != before or delta.drop:
                self._touched, self._followed = set(), None
                return False
            self._touched.update(q.subject.value for q in (*delta.add, *delta.remove)
                                 if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(BASE))
            self._followed = store.version
            return True

    def _reread(self, store, subjects: list[str]) -> None:
        """Replace the rows of ``subjects`` with what the store holds about them now; cost grows
        with the subjects, not the graph."""
        db = self._db
        for start in range(0, len(subjects), _REREAD):
            part = subjects[start:start + _REREAD]
            rows = store.query(_index_query(part), max_rows=None, trusted=True).solutions()
            for s in part:
                old = db.execute(_BY_IRI, (s,)).fetchone()
                if old is not None:
                    db.execute("INSERT INTO text(text, rowid, names, notations, descriptions) "
                               "VALUES ('delete', ?, ?, ?, ?)", old)
                    db.execute("DELETE FROM entity WHERE id = ?", (old[0],))
                self._info.pop(s, None)
            for rowid in _insert(db, _entities(rows), self._info):
                db.execute("INSERT INTO text(rowid, names, notations, descriptions) "
                           "SELECT id, names, notations, descriptions FROM entity WHERE id = ?", (rowid,))
        db.commit()

    # ------------------------------------------------------------------ querying

    def search(self, query: str, *, type: str | None = None, limit: int = 20, offset: int = 0) -> SearchResults:
        started = time.perf_counter()
        q = fold("".join(c if c.isprintable() else " " for c in query))  # a NUL ends an FTS5 string: 500 before
        if not q or self._db is None:
            return SearchResults(query, 0, [], [], self.version, 0.0)
        where, params = self._match(q)
        ranked = (f"SELECT e.id, e.iri, e.label, e.type, e.names, e.notations, e.display_names, e.display_descriptions,"
                  f" {_TIER} AS tier, e.weight AS weight FROM entity e WHERE {where}")
        with self._lock:
            db = self._db
            rows = db.execute(f"SELECT * FROM ({ranked}) ORDER BY tier, weight, length(label), label", params).fetchall()
        facets: dict[str, int] = {}
        for row in rows:
            facets[row[3] or ""] = facets.get(row[3] or "", 0) + 1
        if type:
            rows = [r for r in rows if r[3] == type]
        hits = [self._hit(r, q) for r in rows[offset: offset + limit]]
        return SearchResults(
            query, len(rows), hits,
            sorted((Facet(t, self.type_label(t), n) for t, n in facets.items() if t), key=lambda f: (-f.count, f.label)),
            self.version, time.perf_counter() - started,
        )

    def suggest(self, query: str, limit: int = 8) -> list[SearchHit]:
        """Names for the search box: only name and notation matches, best first."""
        results = self.search(query, limit=limit * 3)
        return [h for h in results.hits if h.matched != "description"][:limit]

    def label(self, iri: str) -> str:
        """The entity's English (else any) name, else the end of its IRI."""
        found = self._info.get(iri)
        return found[0] if found else _local_name(iri)

    def type_of(self, iri: str) -> str | None:
        """The entity's most specific asserted type (one of ours when it has one)."""
        found = self._info.get(iri)
        return found[1] if found else None

    def type_label(self, iri: str | None) -> str:
        if not iri:
            return "other"
        return self._types.get(iri) or iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    def _match(self, q: str) -> tuple[str, dict]:
        """The WHERE clause: FTS5 for the words of three characters or more, substring tests for the rest."""
        words = q.split()
        long_words = [w for w in words if len(w) >= 3]
        short_words = [w for w in words if len(w) < 3]
        params: dict[str, str] = {"q": q}
        clauses = []
        if long_words:
            params["match"] = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
            clauses.append("e.id IN (SELECT rowid FROM text WHERE text MATCH :match)")
        for i, w in enumerate(short_words):
            params[f"w{i}"] = w
            clauses.append(f"(instr(e.names, :w{i}) OR instr(e.notations, :w{i}) OR instr(e.descriptions, :w{i}))")
        return " AND ".join(clauses), params

    def _hit(self, row: tuple, q: str) -> SearchHit:
        _, iri, label, kind, names, notations, display_names, display_descriptions, tier, _ = row
        matched = "description" if tier >= 3 else ("notation" if q in notations and q not in names else "name")
        other = [n for n in dict.fromkeys(line.split("\t", 1)[1] for line in display_names.split("\n") if line)
                 if n != label and q in fold(n)]
        snippet = None
        if matched == "description":
            for line in display_descriptions.split("\n"):
                text = line.split("\t", 1)[-1]
                if q.split()[0] in fold(text):
                    snippet = excerpt(text, q.split()[0])
                    break
        return SearchHit(iri, label, kind, self.type_label(kind), matched, snippet, other[:3])


_TIER = """CASE
  WHEN instr(char(10) || e.names || char(10), char(10) || :q || char(10))
    OR instr(char(10) || e.notations || char(10), char(10) || :q || char(10)) THEN 0
  WHEN instr(char(10) || e.names, char(10) || :q) OR instr(char(10) || e.notations, char(10) || :q) THEN 1
  WHEN instr(e.names, :q) OR instr(e.notations, :q) THEN 2
  ELSE 3 END"""


def excerpt(text: str, needle: str, width: int = 160) -> str:
    """About ``width`` characters of ``text`` around ``needle``, cut at spaces (never mid-word)."""
    if len(text) <= width:
        return text
    at = max(fold(text).find(needle), 0)
    start = max(0, at - width // 3)
    end = min(len(text), start + width)
    if start > 0:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    if end < len(text):
        space = text.find(" ", end)
        end = space if space >= 0 and space - end < 30 else end
    return ("… " if start > 0 else "") + text[start:end].strip() + (" …" if end < len(text) else "")


def _literals(props: dict[str, list], keys: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for key in keys:
        for value in props.get(key, []):
            if isinstance(value, ox.Literal):
                out.append((value.value, value.language or ""))
    return out


def _best_label(props: dict[str, list]) -> str | None:
    values = [v for p in PREFERRED_LABELS for v in props.get(p, []) if isinstance(v, ox.Literal)]
    for test in (lambda v: v.language == "en", lambda v: not v.language, lambda v: True):
        for v in values:
            if test(v):
                return v.value
    return None


def _local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _primary_type(types: list[str]) -> str | None:
    ours = [t for t in types if t.startswith(BKG_URI)]
    return (ours or types or [None])[0]


def _weight(kind: str | None) -> int:
    if kind is None:
        return 3
    if kind in BOOKKEEPING_CLASSES:
        return 2
    return 1
