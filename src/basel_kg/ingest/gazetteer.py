"""The reference graph as a gazetteer: names (labels, acronyms, Chinese names) of organisations,
places and meetings, and the decisions, meetings, documents and bodies that already have IRIs."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import FOAF, ORG, RDF, RDFS, SKOS

from ..namespaces import BASE, BKG, GRAPH

__all__ = ["Gazetteer", "NameMatch"]

_ORG_ROOTS = [ORG.Organization, ORG.FormalOrganization, ORG.OrganizationalUnit, ORG.OrganizationalCollaboration,
              FOAF.Organization, FOAF.Group]
BODY_SLUGS = {("basel", "cop"): "basel-cop", ("basel", "oewg"): "basel-oewg",
              ("basel", "expanded-bureau"): "basel-expanded-bureau", ("stockholm", "cop"): "stockholm-cop",
              ("rotterdam", "cop"): "rotterdam-cop", ("vienna", "cop"): "vienna-cop", ("montreal", "mop"): "montreal-mop",
              ("montreal", "oewg"): "montreal-oewg", ("unep", "unep-gc"): "unep-governing-council"}


@dataclass(frozen=True)
class NameMatch:
    iri: URIRef | None  # None when the name is ambiguous
    text: str
    start: int
    end: int
    candidates: tuple[URIRef, ...] = ()


@dataclass
class Gazetteer:
    names: dict[str, set[URIRef]] = field(default_factory=dict)  # org name/acronym -> IRIs
    written: dict[str, set[str]] = field(default_factory=dict)  # key -> the names as the graph writes them
    places: dict[str, URIRef] = field(default_factory=dict)
    countries: dict[str, URIRef] = field(default_factory=dict)
    decisions: dict[tuple[str, int, int], URIRef] = field(default_factory=dict)  # (body slug, session, no)
    decisions_by_number: dict[tuple[int, int], set[URIRef]] = field(default_factory=dict)
    meetings: dict[tuple[str, int], URIRef] = field(default_factory=dict)  # (body slug, ordinal)
    extraordinary: dict[tuple[str, int], URIRef] = field(default_factory=dict)  # the same, bkg:ExtraordinaryMeeting
    meeting_facts: dict[URIRef, dict] = field(default_factory=dict)
    documents: dict[str, URIRef] = field(default_factory=dict)  # symbol -> the document that has it
    subjects: set[URIRef] = field(default_factory=set)
    labels: dict[URIRef, str] = field(default_factory=dict)
    zh_labels: set = field(default_factory=set)  # every Chinese name the graph gives anything
    treaties: dict[str, URIRef] = field(default_factory=dict)  # name/acronym -> mea/ IRI
    secretariat_of: dict[URIRef, set] = field(default_factory=dict)  # treaty -> its secretariat(s)
    regions: dict[str, URIRef] = field(default_factory=dict)  # "Asia-Pacific", "Latin America and the Caribbean"
    country_codes: dict[str, URIRef] = field(default_factory=dict)  # ISO 3166 alpha-2 -> the graph's country
    activities: dict[str, set[URIRef]] = field(default_factory=dict)  # names of programmes and projects (prov:Activity)
    _index: dict | None = None
    _long: list | None = None
    _families: set | None = None
    _cjk: list = field(default_factory=list)

    @classmethod
    def from_dataset(cls, ds: Dataset | Graph, ontology: Graph | None = None) -> Gazetteer:
        g = Graph()
        graphs = ds.graphs() if isinstance(ds, Dataset) else [ds]
        for graph in graphs:
            if graph.identifier not in (GRAPH.SHAPES, GRAPH.INFERRED):
                g += graph
        onto = ontology if ontology is not None else g
        org_classes: set = set()
        for root in _ORG_ROOTS:
            org_classes |= set(onto.transitive_subjects(RDFS.subClassOf, root))
        activity_classes = set(onto.transitive_subjects(RDFS.subClassOf, BKG.Programme)) | \
            set(onto.transitive_subjects(RDFS.subClassOf, BKG.Project))
        gz = cls()
        gz.subjects = {s for s in g.subjects() if isinstance(s, URIRef)}
        for s in gz.subjects:
            for label in g.objects(s, RDFS.label):
                if getattr(label, "language", None) == "en":
                    gz.labels.setdefault(s, str(label))
        for s in gz.subjects:
            types = set(g.objects(s, RDF.type))
            iri = str(s)
            names = {str(o) for p in (RDFS.label, SKOS.altLabel, SKOS.prefLabel, FOAF.name) for o in g.objects(s, p)}
            if types & org_classes and not iri.startswith(BASE + "body/") and not types & {BKG.Meeting}:
                for name in names:
                    key = _key(name)
                    if len(key) >= 2:
                        gz.names.setdefault(key, set()).add(s)
                        gz.written.setdefault(key, set()).add(name)
            if types & activity_classes and not types & org_classes:
                for name in names:
                    gz.activities.setdefault(_key(name), set()).add(s)
            if BKG.City in types:
                for name in names:
                    gz.places[_key(name)] = s
            for p_ in (RDFS.label, SKOS.altLabel, SKOS.prefLabel):
                for o in g.objects(s, p_):
                    if getattr(o, "language", None) == "zh":
                        gz.zh_labels.add(str(o))
            if iri.startswith(BASE + "mea/"):  # treaties, and the secretariat the graph gives each
                for name in names:
                    gz.treaties[_key(name)] = s
            for treaty in g.objects(s, BKG.secretariatOf):
                gz.secretariat_of.setdefault(treaty, set()).add(s)
            if BKG.Region in types:
                for name in names:
                    gz.regions[_key(name)] = s
                    gz.regions[_key(name.replace("-", " "))] = s
            if BKG.Country in types:
                for name in names:
                    gz.countries[_key(name)] = s
                for code in g.objects(s, BKG.countryCode):
                    gz.country_codes[str(code)] = s
            if BKG.Decision in types:
                body = g.value(s, BKG.adoptedBy)
                for number in g.objects(s, BKG.decisionNumber):
                    m = re.match(r"^(?:OEWG-|BC-)?([IVXL]+|\d+)/(\d+)$", str(number))
                    if m and body is not None:
                        from .patterns import _session

                        key = (str(body)[len(BASE) + 5:], _session(m.group(1)), int(m.group(2)))
                        gz.decisions[key] = s
                        gz.decisions_by_number.setdefault(key[1:], set()).add(s)
            if BKG.Meeting in types:
                body, ordinal = g.value(s, BKG.meetingOf), g.value(s, BKG.ordinal)
                if body is not None and ordinal is not None and str(body).startswith(BASE + "body/"):
                    series = gz.extraordinary if BKG.ExtraordinaryMeeting in types else gz.meetings
                    series[(str(body)[len(BASE) + 5:], int(ordinal))] = s
                gz.meeting_facts[s] = {
                    "start": g.value(s, URIRef("https://schema.org/startDate")),
                    "end": g.value(s, URIRef("https://schema.org/endDate")),
                    "location": g.value(s, URIRef("https://schema.org/location")),
                }
            for sym in g.objects(s, BKG.symbol):
                gz.documents[str(sym)] = s
        return gz

    def organisations(self, text: str, nested: list[NameMatch] | None = None) -> list[NameMatch]:
        """Every known organisation name in ``text``, longest first, not overlapping; acronyms match
        case-sensitively, other names ignoring case; Chinese names as substrings. Names are looked
        up token by token in an index of first tokens, so the cost grows with the text, not with
        the number of names. ``nested`` receives the known names wholly inside a longer one ("UNEP
        DTIE" in "UNEP DTIE Chemicals Branch")."""
        if self._index is None:
            self._build_index()
        out: list[NameMatch] = []
        tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        lowered = [t[0].lower() for t in tokens]
        found = []  # every name starting at each token
        for i in range(len(tokens)):
            for names_tokens, key in self._index.get(lowered[i], ()):
                n = len(names_tokens)
                if lowered[i:i + n] != list(names_tokens):
                    continue
                start, end = tokens[i][1], tokens[i + n - 1][2]
                if start and (text[start - 1].isalnum() or text[start - 1] == "-"):
                    continue
                if end < len(text) and (text[end].isalnum() or text[end] == "-"):
                    continue
                written = text[start:end]
                if _acronym(key) and written != key:
                    continue  # "who" is not WHO
                found.append((i, n, start, end, written, key))
        # longest first, never overlapping: "the Secretariat of the Basel, Rotterdam and Stockholm
        # Conventions" is one name, not "the Secretariat" and a rest
        owner: list[int | None] = [None] * len(tokens)  # which chosen name holds each token
        for k, (i, n, start, end, written, key) in enumerate(sorted(found, key=lambda f: (-(f[3] - f[2]), f[2]))):
            held = set(owner[i:i + n])
            if held != {None}:
                if len(held) == 1 and nested is not None:  # wholly inside one longer name
                    choice = sorted(self.names[key])
                    nested.append(NameMatch(choice[0] if len(choice) == 1 else None, written, start, end, tuple(choice)))
                continue
            owner[i:i + n] = [k] * n
            choice = sorted(self.names[key])
            out.append(NameMatch(choice[0] if len(choice) == 1 else None, written, start, end, tuple(choice)))
        for key in self._cjk:
            at = text.find(key)
            while at >= 0:
                if not any(m.start <= at < m.end for m in out):
                    choice = sorted(self.names[key])
                    out.append(NameMatch(choice[0] if len(choice) == 1 else None, key, at, at + len(key), tuple(choice)))
                at = text.find(key, at + len(key))
        return sorted(out, key=lambda m: m.start)

    def _build_index(self) -> None:
        index: dict[str, list] = {}
        cjk = []
        for key in self.names:
            if _is_cjk(key):
                cjk.append(key)
                continue
            if len(key) < 3 and not key.isupper():
                continue
            if not any(c.isupper() for n in self.written.get(key, ()) for c in n):
                continue  # "industry", "stakeholders": common nouns the graph keeps as groups, not names
            toks = tuple(t.lower() for t in _TOKEN.findall(key))
            if toks:
                index.setdefault(toks[0], []).append((toks, key))
        for entries in index.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._index = index
        self._cjk = sorted(cjk, key=len, reverse=True)

    def place_families(self) -> set[str]:
        """Acronyms the graph uses with a place to name several organisations ("BCRC-Nigeria", "BCRC-Trinidad
        and Tobago": BCRC), so that "BCRC China" names one more of them."""
        if self._families is None:
            members: dict[str, set] = {}
            for key, iris in self.names.items():
                for written in self.written.get(key, {key}):
                    m = re.match(r"^([A-Z]{3,6})[- ]([A-Z][\w\- ]+)$", written)
                    if m and (self.country(m.group(2)) or self.places.get(_key(m.group(2)))):
                        members.setdefault(m.group(1), set()).update(iris)
            self._families = {acronym for acronym, iris in members.items() if len(iris) >= 2}
        return self._families

    def spelling_variant(self, name: str) -> NameMatch | None:
        """The known organisation ``name`` is a misspelling of ("Food and Agricultural Organization",
        "Partnership for Action on Computing Equiipment"): a name of the same words, each spelt
        nearly alike, with an overall similarity of at least 95 (rapidfuzz); never a name with a
        different word ("Asian Recycling Network" is not the African one)."""
        from rapidfuzz import fuzz, process, utils

        if len(name) < 15 or _acronym(name):
            return None
        if self._long is None:
            self._long = [k for k in self.names if len(k) >= 15 and not _acronym(k) and not _is_cjk(k)]
        hit = process.extractOne(name.lower(), self._long, scorer=fuzz.ratio, processor=utils.default_process,
                                 score_cutoff=95)
        if hit is None:
            return None
        ours, theirs = name.lower().split(), hit[0].split()
        if len(ours) != len(theirs) or any(fuzz.ratio(a, b) < 75 or a[0] != b[0] for a, b in zip(ours, theirs)):
            return None
        choice = sorted(self.names[hit[0]])
        return NameMatch(choice[0] if len(choice) == 1 else None, name, 0, len(name), tuple(choice))

    def place(self, text: str) -> URIRef | None:
        for name, iri in sorted(self.places.items(), key=lambda kv: -len(kv[0])):
            if re.search((re.escape(name) if _is_cjk(name) else r"\b" + re.escape(name) + r"\b"), text, re.I if not _is_cjk(name) else 0):
                return iri
        return None

    def region(self, name: str) -> URIRef | None:
        return self.regions.get(_key(name)) or self.regions.get(_key(name.replace("-", " ")))

    def country(self, name: str) -> URIRef | None:
        """The graph's country of that name; a Chinese name through the CLDR names of territories (Babel),
        for the countries the graph has a code for."""
        hit = self.countries.get(_key(name))
        if hit is None and _is_cjk(name):
            code = _zh_territories().get(name.strip())
            hit = self.country_codes.get(code) if code else None
        return hit


@functools.cache
def _zh_territories() -> dict[str, str]:
    """Chinese (simplified and traditional) territory names -> ISO 3166 alpha-2 codes, from CLDR."""
    from babel import Locale

    out: dict[str, str] = {}
    for locale in ("zh_Hant", "zh"):
        for code, name in Locale.parse(locale).territories.items():
            if re.fullmatch(r"[A-Z]{2}", code):
                out[name] = code
    return out


_TOKEN = re.compile(r"\w+|[^\w\s]")


def _key(name: str) -> str:
    name = " ".join(name.split())
    return name if _acronym(name) or _is_cjk(name) else name.lower()


def _acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and len(name) <= 12 and sum(c.isupper() for c in letters) >= max(2, len(letters) * 0.6)


def _is_cjk(name: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in name)
