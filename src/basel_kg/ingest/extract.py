"""From passages to a draft named graph in the project's model, plus the review of every mention.

Each statement's subject carries ``prov:wasDerivedFrom`` the passage it was read from. What
the rules cannot settle (an ambiguous name, a decision number no body can be given to, a
symbol the shapes do not accept, a meeting without a body) is not asserted: it goes to the
review as an unresolved mention with its passage.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from ..namespaces import BASE, BKG, bind_prefixes, graph_iri
from . import patterns as P
from .gazetteer import BODY_SLUGS, Gazetteer, _is_cjk, _key
from .passages import Passage, _slug, split_passages, zh_number
from .reader import ReadDocument

__all__ = ["Mention", "Draft", "extract"]

SCHEMA = Namespace("https://schema.org/")
LANG = Namespace("http://id.loc.gov/vocabulary/iso639-1/")
ORD_WORDS = {v: k for k, v in P.ORDINALS.items()}
BODY_NAMES = {"basel-cop": "Conference of the Parties to the Basel Convention",
              "basel-oewg": "Open-ended Working Group of the Basel Convention",
              "basel-expanded-bureau": "Expanded Bureau of the Conference of the Parties to the Basel Convention",
              "stockholm-cop": "Conference of the Parties to the Stockholm Convention",
              "rotterdam-cop": "Conference of the Parties to the Rotterdam Convention",
              "vienna-cop": "Conference of the Parties to the Vienna Convention",
              "montreal-mop": "Meeting of the Parties to the Montreal Protocol",
              "montreal-oewg": "Open-ended Working Group of the Parties to the Montreal Protocol",
              "unep-governing-council": "UNEP Governing Council"}
KINDS = [  # (pattern on the cover, class, name)
    (re.compile(r"\bNote by the (?:Secretariat|Executive Secretary)\b|秘书处的说明|执行秘书的说明", re.I), BKG.NoteBySecretariat, "note by the Secretariat"),
    (re.compile(r"^\s*(?:Provisional\s+)?agenda\s*$|^\s*临时议程\s*$", re.I | re.M), BKG.ProvisionalAgenda, "provisional agenda"),
    (re.compile(r"\bReport of the\b|^\s*Report\b|的报告\s*$", re.I | re.M), BKG.Report, "report"),
]


@dataclass
class Mention:
    kind: str  # decision | symbol | meeting | organisation | person | date | document
    text: str
    passage: str  # anchor
    status: str  # matched | new | unresolved
    iri: str | None = None
    note: str = ""
    value: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "passage": self.passage, "status": self.status,
                "iri": self.iri, "note": self.note, **({"value": self.value} if self.value else {})}


@dataclass
class Draft:
    """The outcome of extracting one document."""

    stem: str  # NNN_{16 hex}: the source text's file stem
    graph_name: URIRef
    source_iri: URIRef
    document_iri: URIRef
    text: str
    passages: list[Passage]
    graph: Graph
    mentions: list[Mention]
    file: str

    def by_status(self, status: str) -> list[Mention]:
        return [m for m in self.mentions if m.status == status]


def source_stem(number: int, text: str) -> str:
    return f"{number:03d}_{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


def extract(doc: ReadDocument, gazetteer: Gazetteer, *, number: int, graph_stem: str, symbol: str | None = None,
            symbol_pattern: str | None = None, number_pattern: str | None = None) -> Draft:
    """The draft graph and review of ``doc`` (source number ``number``, graph ``graph/{graph_stem}``)."""
    lines = doc.lines
    passages = split_passages(lines)
    stem = source_stem(number, doc.text)
    source = URIRef(f"{BASE}source/{stem}")
    b = _Builder(gazetteer, source, symbol_pattern, number_pattern)
    b.convention = _convention(doc.text)
    g = b.g
    langs = _languages(doc.text)
    cover = next((p for p in passages if p.kind == "cover"), None)
    cover_text = "\n".join(lines[i - 1] for i in cover.lines) if cover else ""

    # --- the document ------------------------------------------------------------------------------
    own_symbol = symbol or _own_symbol(cover_text)
    if own_symbol and not b.symbol_ok(own_symbol):
        b.mention("symbol", own_symbol, cover.anchor if cover else "", "unresolved",
                  note="the shapes do not accept this symbol form; the document is given a slug IRI")
        own_symbol = None
    if own_symbol:
        doc_iri = URIRef(f"{BASE}document/{own_symbol}")
    else:
        doc_iri = URIRef(f"{BASE}document/ingested-{stem.replace('_', '-')}")
    b.doc = doc_iri
    kind_cls, kind_name = BKG.Document, "document"
    for pattern, cls, name in KINDS:
        if cover_text and pattern.search(cover_text):
            kind_cls, kind_name = cls, name
            break
    g.add((doc_iri, RDF.type, kind_cls))
    title = _title(cover_text, cover, lines) if cover else None
    cover_anchor = cover.anchor if cover else (passages[0].anchor if passages else "l1")
    if own_symbol:
        g.add((doc_iri, BKG.symbol, Literal(own_symbol)))
    if title:
        lang = "zh" if _cjk_share(title) > 0.3 else "en"
        g.add((doc_iri, DCTERMS.title, Literal(title, lang=lang)))
    label = (title if title and _cjk_share(title) <= 0.3 else None) or \
        f"{kind_name[0].upper()}{kind_name[1:]}{' ' + own_symbol if own_symbol else ''} (ingested from {doc.path.name})"
    g.add((doc_iri, RDFS.label, Literal(label, lang="en")))
    for lang in langs:
        g.add((doc_iri, DCTERMS.language, LANG[lang]))
    m = re.search(r"Original:\s*(English|French|Spanish|Arabic|Russian|Chinese)|原文[:：]\s*(英文|法文|西班牙文|中文|俄文|阿拉伯文)", cover_text)
    if m:
        code = {"English": "en", "French": "fr", "Spanish": "es", "Arabic": "ar", "Russian": "ru", "Chinese": "zh",
                "英文": "en", "法文": "fr", "西班牙文": "es", "中文": "zh", "俄文": "ru", "阿拉伯文": "ar"}[m.group(1) or m.group(2)]
        g.add((doc_iri, BKG.originalLanguage, LANG[code]))
    b.derive(doc_iri, cover_anchor)
    b.mention("document", own_symbol or doc.path.name, cover_anchor, "new", str(doc_iri), note=kind_name)

    # document date: a date alone on a cover line (the distribution date)
    for i in (cover.lines if cover else []):
        spans = P.dates(lines[i - 1])
        if spans and spans[0].begin == spans[0].finish and len(lines[i - 1].strip()) <= len(spans[0].text) + 2:
            g.add((doc_iri, DCTERMS.date, _date(spans[0].begin)))
            break

    # the meeting the document is for, from the cover: body + ordinal (+ place and dates)
    if cover:
        b.cover_meeting(cover, cover_text, lines)

    # --- mentions passage by passage -----------------------------------------------------------------
    org_table, header = False, ""
    for p in passages:
        text = p.text
        if p.kind == "row":
            cells = [c.strip() for c in lines[p.line_start - 1].split("\t")]
            first = cells[0]
            if p.anchor.endswith("-row-1"):
                # a table whose first column is headed "organizations" lists one organisation per row
                org_table, header = bool(re.search(r"organi[sz]ations?|agencies|组织|机构", first, re.I)), first
            elif (org_table and first and first != header and any(cells[1:])
                  and not re.search(r"\b(?:organi[sz]ations|agencies|MEAs|networks)\b", first, re.I)):
                b.row_organisation(p, first)  # not a repeated header, nor a section row ("UN Agencies and organizations")
        b.decisions(p, text)
        b.symbols(p, text, own_symbol)
        b.meetings(p, text)
        b.bodies(p, text)
        b.organisations(p, text)
        b.persons(p, text)
        for d in P.dates(text):
            b.mention("date", d.text, p.anchor, "matched", value={"start": d.begin, "end": d.finish})

    # --- source text, passages, graph ------------------------------------------------------------------
    g.add((source, RDF.type, BKG.SourceText))
    g.add((source, BKG.fileName, Literal(f"{stem}.txt")))
    g.add((source, RDFS.label, Literal(f"Source text {stem[:3]}: {doc.path.name} ({doc.format}), ingested", lang="en")))
    g.add((source, DCTERMS.title, Literal(label, lang="en")))
    for lang in langs:
        g.add((source, DCTERMS.language, LANG[lang]))
    g.add((source, PROV.wasDerivedFrom, doc_iri))
    for p in passages:  # every passage, so that the source viewer anchors them all
        piri = URIRef(f"{source}#{p.anchor}")
        g.add((piri, RDF.type, BKG.SourcePassage))
        g.add((piri, DCTERMS.isPartOf, source))
        g.add((piri, BKG.locator, Literal(p.locator)))
        g.add((piri, BKG.lineStart, Literal(p.line_start)))
        g.add((piri, BKG.lineEnd, Literal(p.line_end)))
    gname = graph_iri(graph_stem)
    g.add((gname, RDF.type, PROV.Entity))
    g.add((gname, RDFS.label, Literal(f"knowledge graph drafted by basel-kg ingest from source text {stem}.txt", lang="en")))
    g.add((gname, PROV.wasDerivedFrom, source))
    return Draft(stem, gname, source, doc_iri, doc.text, passages, bind_prefixes(g), b.mentions, str(doc.path))


class _Builder:
    def __init__(self, gz: Gazetteer, source: URIRef, symbol_pattern: str | None, number_pattern: str | None):
        self.gz, self.source = gz, source
        self.g = Graph()
        self.g.bind("lang", str(LANG))
        self.mentions: list[Mention] = []
        self.doc: URIRef | None = None
        self.cover_body: str | None = None  # body slug of the meeting on the cover
        self.symbol_re = re.compile(symbol_pattern) if symbol_pattern else None
        self.number_re = re.compile(number_pattern) if number_pattern else None
        self.seen_orgs: dict[str, URIRef] = {}
        self._short: dict[str, URIRef] | None = None  # "Signatories": the graph's "Signatories to the Basel Convention"
        self.acronyms: dict[str, URIRef] = {}  # acronyms the document defines ("Full Name (ACR)"), to their organisation
        self.named: list[tuple[int, bool, URIRef]] = []  # (ordinal, extraordinary, meeting) named so far, in order
        self.org_history: list[tuple[str, URIRef]] = []  # known organisations named so far (as written), in order
        self.convention: str | None = None

    # helpers
    def derive(self, node: URIRef, anchor: str) -> None:
        self.g.add((node, PROV.wasDerivedFrom, URIRef(f"{self.source}#{anchor}")))

    def mention(self, kind, text, anchor, status, iri=None, note="", value=None) -> None:
        self.mentions.append(Mention(kind, text, anchor, status, str(iri) if iri else None, note, value or {}))

    def symbol_ok(self, sym: str) -> bool:
        return self.symbol_re is None or bool(self.symbol_re.search(sym))

    def exists(self, iri: URIRef) -> bool:
        return iri in self.gz.subjects

    # meetings
    def body_iri(self, body: str, anchor: str) -> URIRef | None:
        """The governing body ``body/{body}``: the graph's, or the UNEP Governing Council drafted with
        the organisation it belongs to when the graph has that organisation; else None."""
        iri = URIRef(f"{BASE}body/{body}")
        if self.exists(iri) or (iri, RDF.type, BKG.GoverningBody) in self.g:
            return iri
        parent = URIRef(f"{BASE}org/unep")
        if body != "unep-governing-council" or not self.exists(parent):
            return None
        self.g.add((iri, RDF.type, BKG.GoverningBody))
        self.g.add((iri, RDFS.label, Literal(BODY_NAMES[body], lang="en")))
        self.g.add((iri, ORG.subOrganizationOf, parent))
        self.derive(iri, anchor)
        self.mention("body", BODY_NAMES[body], anchor, "new", iri, note="the body that adopted a decision the text cites")
        return iri

    def meeting_iri(self, body: str, ordinal: int, anchor: str, text: str, *, extraordinary: bool = False) -> URIRef | None:
        """The meeting (existing, or new with body and ordinal); None when the body is not in the graph.
        ``extraordinary``: an extraordinary meeting or special session, numbered in its own series."""
        iri = (self.gz.extraordinary if extraordinary else self.gz.meetings).get((body, ordinal))
        if iri is not None:
            return iri
        body_iri = self.body_iri(body, anchor)
        if body_iri is None:
            return None
        iri = URIRef(f"{BASE}meeting/{body}-{'ex-' if extraordinary else ''}{ordinal}")
        if (iri, BKG.meetingOf, body_iri) not in self.g:
            self.g.add((iri, RDF.type, BKG.ExtraordinaryMeeting if extraordinary else BKG.Meeting))
            word = ORD_WORDS.get(ordinal, f"{ordinal}th")
            kind = ("special session" if body == "unep-governing-council" else "extraordinary meeting") if extraordinary else \
                ("session" if body == "unep-governing-council" else "meeting")
            self.g.add((iri, RDFS.label, Literal(f"{word[0].upper()}{word[1:]} {kind} of the {BODY_NAMES.get(body, body)}", lang="en")))
            self.g.add((iri, BKG.meetingOf, body_iri))
            self.g.add((iri, BKG.ordinal, Literal(ordinal, datatype=XSD.integer)))
        self.derive(iri, anchor)
        return iri

    def cover_meeting(self, cover: Passage, cover_text: str, lines: list[str]) -> None:
        ordinal = None  # a UN cover page prints the session on a line of its own: "Tenth meeting", "第七届会议"
        m = re.search(r"^\s*(" + P.ORD_RE + r")\s+(?:meeting|session)\s*$", cover_text, re.I | re.M)
        if m:
            ordinal = P.ORDINALS[m.group(1).lower()]
        else:
            m = re.search(r"^\s*第\s*([一二三四五六七八九十]{1,3}|\d{1,2})\s*(?:届|次)\s*(?:会议|常会)\s*$", cover_text, re.M)
            if m:
                ordinal = int(m.group(1)) if m.group(1).isdigit() else zh_number(m.group(1))
        if ordinal is None:
            return
        before = cover_text[:m.start()].split("\n")[-4:]
        near = "\n".join(before)
        body = None
        if re.search(r"Open-ended Working Group|不限成员名额工作组", near, re.I):
            body = "basel-oewg"
        elif re.search(r"Conference of the Parties|缔约方大会|缔约方会议", near, re.I):
            body = "basel-cop"
        conv = "basel" if re.search(r"Basel Convention|巴塞尔公约", near) else None
        if re.search(r"Stockholm Convention|斯德哥尔摩公约", near):
            conv, body = "stockholm", "stockholm-cop" if body == "basel-cop" else None
        elif re.search(r"Rotterdam Convention|鹿特丹公约", near):
            conv, body = "rotterdam", "rotterdam-cop" if body == "basel-cop" else None
        if not body or not ordinal or conv is None:
            if ordinal:
                self.mention("meeting", f"meeting {ordinal}", cover.anchor, "unresolved",
                             note="the cover names a meeting but not a body this graph knows")
            return
        self.cover_body = body
        meeting = self.meeting_iri(body, ordinal, cover.anchor, cover_text)
        if meeting is None:
            return
        self.named.append((ordinal, False, meeting))
        self.g.add((self.doc, BKG.forMeeting, meeting))
        status = "matched" if meeting in self.gz.meeting_facts else "new"
        # place and dates: the first date range on the cover with a known city on the same line
        for i in cover.lines:
            line = lines[i - 1]
            ds = [d for d in P.dates(line) if d.begin != d.finish]
            place = self.gz.place(line)
            if ds:
                self.add_meeting_facts(meeting, ds[0], place, cover.anchor, line)
                break
        self.mention("meeting", f"{ORD_WORDS.get(ordinal, ordinal)} meeting, {body}", cover.anchor, status, meeting,
                     note="the meeting the document is for")
        m = re.search(r"(?:Item|item)\s+(\d{1,2}(?:\s*\(\s*[a-z]\s*\))?)\s+of\s+the\s+provisional\s+agenda|"
                      r"临时议程\s*[*∗]?\s*项目\s*(\d{1,2}(?:\s*\(\s*[a-z]\s*\))?)|"
                      r"provisional\s+agenda\s*[*∗]?\s*item\s+(\d{1,2}(?:\s*\(\s*[a-z]\s*\))?)", cover_text, re.I)
        if m:
            number = re.sub(r"\s+", "", m.group(1) or m.group(2) or m.group(3))
            slug = re.sub(r"[()]", "", number)
            item = URIRef(f"{meeting}/agenda-item/{slug}")
            if not self.exists(item):
                self.g.add((item, RDF.type, BKG.AgendaItem))
                self.g.add((item, RDFS.label, Literal(f"Agenda item {number} of {self.gz.labels.get(meeting) or 'the meeting'}", lang="en")))
                self.g.add((item, BKG.itemNumber, Literal(number)))
                self.g.add((item, BKG.agendaItemOf, meeting))
                self.derive(item, cover.anchor)
            self.g.add((self.doc, BKG.underAgendaItem, item))
            self.mention("agenda item", m.group(0), cover.anchor, "matched" if self.exists(item) else "new", item)

    def add_meeting_facts(self, meeting: URIRef, d: P.DateSpan, place: URIRef | None, anchor: str, text: str) -> None:
        facts = self.gz.meeting_facts.get(meeting)
        if facts:  # an existing meeting: assert nothing new, report disagreement
            known = (str(facts["start"]) if facts["start"] else None, str(facts["end"]) if facts["end"] else None)
            if known[0] and (known[0], known[1]) != (d.begin, d.finish):
                self.mention("date", d.text, anchor, "unresolved", meeting,
                             note=f"the graph has {known[0]} to {known[1]} for this meeting")
            elif not known[0]:
                self._dates(meeting, d)
            if place is not None and facts["location"] is None:
                self.g.add((meeting, SCHEMA.location, place))
            return
        self._dates(meeting, d)
        if place is not None:
            self.g.add((meeting, SCHEMA.location, place))
        self.derive(meeting, anchor)

    def _dates(self, node: URIRef, d: P.DateSpan) -> None:
        """The dates as the text gives them, and their sort keys (conventions: "Dates")."""
        self.g.set((node, SCHEMA.startDate, _date(d.begin)))
        self.g.set((node, SCHEMA.endDate, _date(d.finish)))
        self.g.set((node, BKG.earliestStart, Literal(_bound(d.begin, first=True), datatype=XSD.date)))
        self.g.set((node, BKG.latestEnd, Literal(_bound(d.finish, first=False), datatype=XSD.date)))

    def meetings(self, p: Passage, text: str) -> None:
        spans = P.meetings(text)
        for m in _ITS_MEETING.finditer(text):
            if any(s.start <= m.start(1) < s.end for s in spans):
                continue
            # whose meeting: the body the clause is about, "The Conference of the Parties, at its ..." (the
            # nearest before, in the same sentence), else "at its ... meeting, the Conference ..." (right after)
            start = max(0, m.start() - 80, *(x.end() for x in _SENTENCE_END.finditer(text, 0, m.start())))
            before = [b for b in _BODY_IN_SENTENCE.finditer(text, start, m.start())]
            after = [b for b in _BODY_IN_SENTENCE.finditer(text, m.end(), m.end() + 60)
                     if not re.search(r"[.;。；]", text[m.end():b.start()])]
            chosen = before[-1] if before else (after[0] if after else None)
            bodies = {P.BODY_WORDS.get(chosen.group(0).lower(), P.BODY_WORDS.get(chosen.group(0)))} if chosen else set()
            # "at its fifth and sixth meetings": one meeting per ordinal, each named by its own words
            for o in re.finditer(P.ORD_RE, m.group(0)[:m.start("kind") - m.start()], re.I):
                value = {"ordinal": P.ORDINALS[o.group(0).lower()], "body": next(iter(bodies)) if len(bodies) == 1 else None,
                         "convention": None, "extraordinary": bool(m.group("extra")), "its": True}
                spans.append(P.Span("meeting", m.group(0), m.start() + o.start(), m.end(), value))
        resolved: list[tuple[P.Span, URIRef]] = []
        prev = None  # the last meeting of a body read in this passage: (span, body)
        for s in sorted(spans, key=lambda s: s.start):
            v = s.value
            body = None
            conv = v["convention"]
            if v["body"] in ("cop", "oewg", "expanded-bureau", "mop") and (conv or "basel") in ("basel", "stockholm", "rotterdam", "vienna", "montreal"):
                if conv is None:
                    # no convention named: the body is the document's own when the cover names one
                    context = text[max(0, s.start - 80):s.start]
                    if re.search(r"Stockholm|Rotterdam|Montreal|Vienna|Minamata|斯德哥尔摩|鹿特丹|蒙特利尔|维也纳", context):
                        body = None
                    else:
                        conv = self.convention  # the convention the whole document is about
                body = BODY_SLUGS.get((conv, v["body"])) if conv else None
            elif v["body"] == "unep-gc":  # "Governing Council" is UNEP's when the passage says so
                near = text[max(0, s.start - 100):s.end + 60]
                body = "unep-governing-council" if re.search(r"UNEP|United Nations Environment Programme|环境署|环境规划署", near) else None
            elif v["body"] is None and v.get("its"):
                body = None
            elif v["body"] is None and self.cover_body and not v.get("short"):
                # "第七届会议" alone: the meeting of the body the sentence is about is not said
                body = None
            if v.get("short") and body and self.convention != "basel":
                body = None
            if (body is None and v["body"] is None and not v.get("its") and not v.get("short") and v["ordinal"] and prev
                    and re.fullmatch(r"\s*(?:和|及|与|、|以及|或)\s*", text[prev[0].end:s.start])):
                body = prev[1]  # "缔约方大会第八次会议和第九次会议": the second shares the first's body
            if body is None and v["body"] is None and not v.get("its") and not v.get("short") and v["ordinal"]:
                # "第七届会议", "本届会议" alone: the meeting of that ordinal the document named before, when there is one
                earlier = {iri for o, ex, iri in self.named if o == v["ordinal"] and ex == v["extraordinary"]}
                if len(earlier) == 1:
                    meeting = earlier.pop()
                    self.g.add((self.doc, DCTERMS.references, meeting))
                    self.mention("meeting", s.text.strip(), p.anchor, "matched" if meeting in self.gz.meeting_facts else "new",
                                 meeting, note="refers back to the meeting the document named before",
                                 value={"ordinal": v["ordinal"], "backReference": True})
                    resolved.append((s, meeting))
                    continue
            if body is None or not v["ordinal"] or v.get("resumed"):
                self.mention("meeting", s.text.strip(), p.anchor, "unresolved",
                             note="a resumed session: say which meeting it continues" if v.get("resumed") else
                             "no body (and convention) can be given to this meeting from the text")
                continue
            meeting = self.meeting_iri(body, v["ordinal"], p.anchor, text, extraordinary=v["extraordinary"])
            if meeting is None:
                self.mention("meeting", s.text.strip(), p.anchor, "unresolved", note=f"body/{body} is not in the graph")
                continue
            status = "matched" if meeting in self.gz.meeting_facts else "new"
            after = text[s.end:s.end + 120]
            d = next((d for d in P.dates(after) if (d.begin != d.finish and d.start < 60)
                      or re.match(r"^\s*,?\s*(?:held\s+)?(?:on|in)?\s*$", after[:d.start])), None)
            if d is not None:
                place = self.gz.place(after[:d.end + 30])
                self.add_meeting_facts(meeting, d, place, p.anchor, after)
            if self.doc is not None:
                self.g.add((self.doc, DCTERMS.references, meeting))
            self.mention("meeting", s.text.strip(), p.anchor, status, meeting,
                         value={"ordinal": v["ordinal"], "body": body, **({"start": d.begin, "end": d.finish} if d else {})})
            resolved.append((s, meeting))
            self.named.append((v["ordinal"], v["extraordinary"], meeting))
            prev = (s, body)
        taken = [s for s, _ in resolved]
        self.distributed(p, text, taken)
        self.events(p, text, taken)
        self.met_on(p, text)
        # meetings held together: "the combined eighth meeting of ... and the Twentieth Meeting of ...",
        # "held back to back with", "simultaneous/joint meetings"
        for (s1, m1), (s2, m2) in zip(resolved, resolved[1:]):
            between = text[s1.end:s2.start]
            before = text[max(0, s1.start - 40):s1.start]
            if m1 != m2 and (re.fullmatch(r"\s*(?:and|,)\s*(?:the\s+)?", between, re.I) and
                             re.search(r"combined|joint|simultaneous|back[- ]to[- ]back", before, re.I)
                             or re.fullmatch(r"\s*,?\s*(?:held\s+)?back[- ]to[- ]back\s+with\s+(?:the\s+)?", between, re.I)):
                self.g.add((m1, BKG.heldJointlyWith, m2))
                self.g.add((m2, BKG.heldJointlyWith, m1))
                for m in (m1, m2):
                    self.derive(m, p.anchor)

    def met_on(self, p: Passage, text: str) -> None:
        """"该委员会…已经召开两次会议：分别是在 2008 年 11 月 3 日和 2009 年 7 月 10 日", "The Committee has met
        twice: on 3 November 2008 and 10 July 2009": one meeting per date, of the body the document named
        last with that head word ("该委员会": the last 委员会), when the graph knows it and its English name;
        the number of dates must be the number of meetings the text gives."""
        for m in _MET_ON.finditer(text):
            head = m.group("zh") or m.group("en")
            count = m.group("n") or m.group("n2")
            n = {"两": 2, "二": 2, "三": 3, "四": 4, "twice": 2, "two": 2, "three": 3, "four": 4}.get(
                count, int(count) if count.isdigit() else 0)
            end = _SENTENCE_END.search(text, m.end())
            dates = P.dates(text[m.end():end.start() if end else len(text)])
            named = [(t, iri) for t, iri in self.org_history] + \
                [(x.text, x.iri) for x in self.gz.organisations(text[:m.start()]) if x.iri is not None]
            body = next((iri for t, iri in reversed(named) if (t.endswith(head) if m.group("zh") else head.lower() in t.lower())), None)
            english = self.gz.labels.get(body) if body is not None else None
            if not english or len(dates) != n:
                self.mention("meeting", m.group(0), p.anchor, "unresolved",
                             note=f"{n} meeting(s) of a {head} named before: " + ("the dates are not one per meeting" if english
                                  else "the document names no such body the graph knows in English"))
                continue
            for d in dates:
                label = f"Meeting of the {english} ({d.begin if d.begin == d.finish else d.begin + ' to ' + d.finish})"
                iri = URIRef(f"{BASE}meeting/{_slug_of(english, 50)}-{d.begin}")
                status = "matched" if self.exists(iri) else "new"
                if status == "new" and (iri, RDF.type, BKG.Meeting) not in self.g:
                    self.g.add((iri, RDF.type, BKG.Meeting))
                    self.g.add((iri, RDFS.label, Literal(label, lang="en")))
                    self.g.add((iri, BKG.meetingOf, body))
                    self.add_meeting_facts(iri, d, None, p.anchor, text)
                self.derive(iri, p.anchor)
                self.g.add((self.doc, DCTERMS.references, iri))
                self.mention("meeting", label, p.anchor, status, iri, note=f"refers back to {english}",
                             value={"start": d.begin, "end": d.finish, "label": label})

    def _named_without_date(self, s: P.Span) -> bool:
        """An undated meeting the text still identifies: of exactly one organisation the graph knows, and
        named by its ordinal or by words of its own beyond the owner and the kind ("the SAICM E-Products
        workshop", "the 15th meeting of the Interpol Pollution Crime Working Group"); never a meeting of a
        series named only by its owner ("the GEF Council meeting"), nor one of a Chinese name."""
        v = s.value
        if v.get("zh") or v.get("described") or v.get("paired") or not v.get("noun") or v["noun"].endswith("s"):
            return False  # "meetings of the IOMC Coordinating Group": a series
        if _BODY_IN_SENTENCE.search(v["label"]) or re.search(r"Conference of (?:the )?Parties", v["label"]):
            return False  # the conventions' bodies: meetings()
        orgs = [m for m in self.gz.organisations(v["label"]) if m.iri is not None and not str(m.iri).startswith(f"{BASE}body/")]
        if len({m.iri for m in orgs}) != 1:
            return False
        of = re.sub(r"^the\s+", "", v.get("of") or "")
        if of and re.search(r"\bof\s+(?:the\s+)?" + re.escape(of) + "$", v["label"]) and not any(m.text == of for m in orgs):
            return False  # "of the X Committee": X Committee itself must be the known owner, not a word of it
        if v.get("ordinal"):
            return True
        rest = v["label"]
        for m in sorted(orgs, key=lambda m: -m.start):
            rest = rest[:m.start] + rest[m.end:]
        own = [w for w in re.findall(r"[A-Z][\w\-’']*", rest) if w.lower() != v["noun"].lower() and w not in ("The", "A", "An")
               and not _HEAD.match(w) and w not in _GENERIC]
        return bool(own)

    def events(self, p: Passage, text: str, taken: list[P.Span]) -> None:
        """One-off meetings named in running text ("the 15th meeting of the Interpol Pollution Crime
        Working Group (Lyon, 7 October 2009)", "a Workshop on ... (24 September 2009, Geneva)"): only
        those the text dates to the day right after the name, a new meeting labelled as written, of
        the organisation its name gives when the graph knows exactly one."""
        for s in P.events(text):
            if any(t.start < s.end and s.start < t.end for t in taken):
                continue
            after = text[s.end:s.end + 90]
            d = s.value.get("date") or next((d for d in P.dates(after) if d.start <= 70 and _EVENT_LEAD.fullmatch(after[:d.start])), None)
            if d is None:  # "an OSCE conference devoted to ... (Minsk, Belarus 15-16 March 2010)": the brackets close the description
                bracket = _DESCRIBED_UNTIL.match(text, s.end, s.end + 240)
                if bracket:
                    after = text[bracket.end():bracket.end() + 60]
                    d = next((d for d in P.dates(after) if d.start == 0), None)
            if d is None and _proper(s.value["label"]):  # "the Children, Environment and Health Conference in Korea in 2009"
                y = _IN_YEAR.match(text, s.end, s.end + 60)
                d = P.DateSpan(y.group(1), y.start(1), y.end(1), y.group(1), y.group(1)) if y else None
                after = text[s.end:s.end + 90]
            undated = d is None and self._named_without_date(s)
            if (d is None and not undated) or (d is not None and len(d.begin) < 7 and not _proper(s.value["label"])):
                continue  # no month: not enough to tell this meeting from another of the same name
            label = s.value["label"]
            label = label[0].upper() + label[1:]
            # where: a city the graph knows near the date, else a country the text says it was "in"
            near = after[:d.end + 30] if d is not None and d.start < len(after) and after[d.start:d.end] == d.text else \
                after[:0] if d is None else after[:120]
            where = self.gz.place(near) or next(
                (c for c in (self.gz.country(x.group(1)) for x in re.finditer(r"\b(?:in|,)\s+((?:the\s+)?[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)?)", s.text + near))
                 if c is not None), None)
            orgs = {m.iri for m in self.gz.organisations(label) if m.iri is not None}
            orgs = {o for o in orgs if not str(o).startswith(f"{BASE}body/")}
            zh = None
            if s.value.get("zh"):  # an English label only from the graph's English name of the body
                english = self.gz.labels.get(next(iter(orgs))) if len(orgs) == 1 else None
                if not english or not s.value["ordinal"]:
                    self.mention("meeting", label, p.anchor, "unresolved",
                                 note="a meeting of a body the graph has no English name for: give it an English label")
                    continue
                word = ORD_WORDS.get(s.value["ordinal"], f"{s.value['ordinal']}th")
                zh, label = label, f"{word[0].upper()}{word[1:]} meeting of the {english}"
            slug = _slug_of(label, 50)
            iri = URIRef(f"{BASE}meeting/{slug}-{d.begin}" if d is not None else f"{BASE}meeting/{slug}")
            status = "matched" if self.exists(iri) else "new"
            if status == "new" and (iri, RDF.type, BKG.Meeting) not in self.g:
                self.g.add((iri, RDF.type, BKG.Meeting))
                self.g.add((iri, RDFS.label, Literal(label, lang="en")))
                if zh:
                    self.g.add((iri, RDFS.label, Literal(zh, lang="zh")))
                if len(orgs) == 1:
                    self.g.add((iri, BKG.meetingOf, orgs.pop()))
                if d is not None:
                    self.add_meeting_facts(iri, d, where, p.anchor, after)
            self.derive(iri, p.anchor)
            if self.doc is not None:
                self.g.add((self.doc, DCTERMS.references, iri))
            # "第七次会议" reported as a meeting without a body is this named one
            self.mentions[:] = [m for m in self.mentions if not (m.kind == "meeting" and m.status == "unresolved"
                                                                 and m.passage == p.anchor and m.text in (zh or label))]
            self.mention("meeting", label, p.anchor, status, iri,
                         value={"ordinal": s.value["ordinal"], "label": label,
                                **({"start": d.begin, "end": d.finish} if d is not None else {}),
                                **({"place": str(where)} if where is not None else {})})
            taken.append(s)

    def distributed(self, p: Passage, text: str, taken: list[P.Span]) -> None:
        """Events of one kind the sentence spreads over listed places in one year ("the GCI workshops that
        took place in 2009 (in Mongolia, India, ...)", "2009年在蒙古、印度举办的GCI讲习班"): one new
        meeting per place, dated to that year, of the owner when the graph knows exactly one; a place the
        graph does not know is reported, not asserted."""
        for s in P.distributed_events(text):
            if any(t.start < s.end and s.start < t.end for t in taken):
                continue
            v = s.value
            orgs = {m.iri for m in self.gz.organisations(v["owner"]) if m.iri is not None and m.end - m.start == len(v["owner"])}
            orgs = {o for o in orgs if not str(o).startswith(f"{BASE}body/")}
            owner = v["owner"]
            if v.get("zh"):  # an English label only from the graph's English names
                owner = self.gz.labels.get(next(iter(orgs))) if len(orgs) == 1 else None
                owner = v["owner"] if owner is None and re.fullmatch(r"[A-Za-z]+", v["owner"]) else owner
            if not owner:
                self.mention("meeting", s.text, p.anchor, "unresolved",
                             note="meetings of an owner the graph has no English name for: give them English labels")
                continue
            places = list(v["places"])
            for i in range(len(places) - 1, 0, -1):  # "Trinidad and Tobago": one country the list split at "and"
                (a, a0, _), (b, _, b1) = places[i - 1], places[i]
                if re.fullmatch(r"\s+and\s+", text[a0 + len(a):places[i][1]]) and self.gz.country(text[a0:b1]):
                    places[i - 1:i + 1] = [(text[a0:b1], a0, b1)]
            year = v["year"]
            d = P.DateSpan(year, s.start, s.end, year, year)
            cls = BKG.Workshop if v["noun"] == "workshop" else BKG.Meeting
            for item, start, _ in places:
                parts = re.sub(r"\s+border$", "", item)
                where = self.gz.country(item) or self.gz.places.get(item.lower()) or self.gz.place(item) if not v.get("zh") else \
                    self.gz.country(item) or self.gz.places.get(item)
                several = [self.gz.country(x) for x in parts.split("/")] if "/" in parts and where is None else []
                if where is None and (not several or None in several):
                    self.mention("meeting", f"{owner} {v['noun']} ({item}, {year})", p.anchor, "unresolved",
                                 note=f"a place the graph does not know: {item}")
                    continue
                name = self.gz.labels.get(where, item) if where is not None else item
                at = "at the" if re.search(r"\bat\s+(?:the\s+)?$", text[max(0, start - 8):start]) or item.endswith("border") else "in"
                kind = f"{v['kind']} " if v["kind"] else ""
                label = f"{owner} {kind}{v['noun']} {at} {name} ({year})"
                slug = _slug_of(label[:-len(year) - 3], 50)
                iri = URIRef(f"{BASE}meeting/{slug}-{year}")
                status = "matched" if self.exists(iri) else "new"
                if status == "new" and (iri, RDF.type, cls) not in self.g:
                    self.g.add((iri, RDF.type, cls))
                    self.g.add((iri, RDFS.label, Literal(label, lang="en")))
                    if len(orgs) == 1:
                        self.g.add((iri, BKG.meetingOf, next(iter(orgs))))
                    self.add_meeting_facts(iri, d, where, p.anchor, s.text)
                    for c in several:
                        self.g.add((iri, SCHEMA.location, c))
                self.derive(iri, p.anchor)
                if self.doc is not None:
                    self.g.add((self.doc, DCTERMS.references, iri))
                first = where if where is not None else several[0]
                self.mention("meeting", label, p.anchor, status, iri,
                             value={"ordinal": None, "start": year, "end": year, "label": label, "place": str(first)})
            taken.append(s)

    # decisions
    def decisions(self, p: Passage, text: str) -> None:
        for s in P.decisions(text):
            v = s.value
            number = s.text
            series = v["series"]
            body = None
            extraordinary = bool(series) and (series.endswith("-ex") or series == "unep-gc-special")
            if series in ("basel-cop", "basel-oewg", "stockholm-cop", "rotterdam-cop"):
                body = series
            elif series in ("basel-ex", "stockholm-ex", "rotterdam-ex"):
                body = series[:-3] + "-cop"  # BC.Ex-1/1: the first extraordinary meeting of the Basel COP
            elif series == "unep-gc-special":
                body = "unep-governing-council"  # SS.VII/1: the seventh special session of the Governing Council
            elif series is None and v.get("roman"):
                before, after = text[max(0, s.start - 90):s.start], text[s.end:s.end + 80]
                if (_OEWG_BEFORE.search(before) or _OEWG_BEFORE_ZH.search(before) or _OEWG_AFTER.search(after)):
                    body = "basel-oewg"
                else:
                    known = self.gz.decisions_by_number.get((v["session"], v["no"]), set())
                    if len(known) == 1:
                        body = str(next(iter(known))).split("/decision/")[1].rsplit("-", 2)[0]
                        body = body if body in BODY_NAMES else "basel-cop"
                    elif len(known) > 1:
                        self.mention("decision", number, p.anchor, "unresolved",
                                     note="several decisions in the graph have this number; the text does not say which body")
                        continue
                    else:
                        body = "basel-cop"  # a Roman session/number in a Basel document: a COP decision
            elif series is None:
                before = text[max(0, s.start - 60):s.start]
                if re.search(r"Governing Council|\bGC\b|理事会", before):
                    body = "unep-governing-council"
            if body is None or not v["session"]:
                self.mention("decision", number, p.anchor, "unresolved",
                             note="the text does not say which body adopted this decision number (a bare n/n)")
                continue
            # the number without its series prefix (OEWG-VI/11 -> VI/11, BC-10/2 -> 10/2), as the
            # conventions write it; the body says whose decision it is. BC.Ex-1/1 and SS.VII/1 keep theirs.
            written = number if extraordinary else re.sub(r"^(?:OEWG|BC|SC|RC)-", "", number)
            iri = (URIRef(f"{BASE}decision/{body}-{written.replace('/', '-')}") if extraordinary
                   else self.gz.decisions.get((body, v["session"], v["no"])))
            if iri is None or not self.exists(iri):
                if self.number_re is not None and not self.number_re.search(written):
                    self.mention("decision", number, p.anchor, "unresolved", note="the shapes do not accept this number form")
                    continue
                meeting = self.meeting_iri(body, v["session"], p.anchor, text, extraordinary=extraordinary)
                if meeting is None:
                    self.mention("decision", number, p.anchor, "unresolved", note=f"body/{body} is not in the graph")
                    continue
                tail = written.replace("/", "-")
                iri = URIRef(f"{BASE}decision/{body}-{tail}")
                if (iri, RDF.type, BKG.Decision) not in self.g:
                    self.g.add((iri, RDF.type, BKG.Decision))
                    self.g.add((iri, RDFS.label, Literal(f"Decision {number}", lang="en")))
                    self.g.add((iri, BKG.decisionNumber, Literal(written)))
                    self.g.add((iri, BKG.session, Literal(v["session"], datatype=XSD.integer)))
                    self.g.add((iri, BKG.numberInSession, Literal(v["no"], datatype=XSD.integer)))
                    self.g.add((iri, BKG.adoptedBy, URIRef(f"{BASE}body/{body}")))
                    self.g.add((iri, BKG.adoptedAt, meeting))
                zh = re.search(r"第\s*" + re.escape(number) + r"\s*号决定", text)
                if zh:
                    self.g.add((iri, RDFS.label, Literal(zh.group(0), lang="zh")))
                self.derive(iri, p.anchor)
                status = "new"
            else:
                status = "matched"
            self.g.add((self.doc, DCTERMS.references, iri))
            self.mention("decision", number, p.anchor, status, iri, value={"body": body})
            # the number names the session that adopted it: "decision II/4" cites the second meeting of the COP
            meeting = (self.gz.extraordinary if extraordinary else self.gz.meetings).get((body, v["session"])) or (
                self.meeting_iri(body, v["session"], p.anchor, text, extraordinary=extraordinary) if status == "matched" else
                next(self.g.objects(iri, BKG.adoptedAt), None))
            if meeting is not None:
                self.mention("meeting", f"the session that adopted decision {number}", p.anchor,
                             "matched" if meeting in self.gz.meeting_facts else "new", meeting,
                             note="read from the decision number", value={"ordinal": v["session"], "body": body})

    # symbols
    def symbols(self, p: Passage, text: str, own: str | None) -> None:
        for s in P.symbols(text):
            sym = s.text
            if sym == own:
                continue
            if not s.value["complete"] or not self.symbol_ok(sym):
                self.mention("symbol", sym, p.anchor, "unresolved",
                             note="incomplete symbol" if not s.value["complete"] else "the shapes do not accept this symbol form")
                continue
            iri = self.gz.documents.get(sym) or URIRef(f"{BASE}document/{sym}")
            status = "matched" if sym in self.gz.documents else "new"
            if status == "new" and (iri, RDF.type, BKG.Document) not in self.g:
                self.g.add((iri, RDF.type, BKG.Document))
                self.g.add((iri, RDFS.label, Literal(sym, lang="en")))
                self.g.add((iri, BKG.symbol, Literal(sym)))
            if status == "new":
                self.derive(iri, p.anchor)
            self.g.add((self.doc, DCTERMS.references, iri))
            self.mention("symbol", sym, p.anchor, status, iri)
            # the symbol names the session it was issued for: UNEP/CHW.6/29 is a document of COP-6
            session = next(((body, int(m.group(1))) for rx, body in _SYMBOL_SESSION if (m := rx.match(sym))), None)
            meeting = self.meeting_iri(session[0], session[1], p.anchor, text) if session else None
            if meeting is not None:
                if status == "new":
                    self.g.add((iri, BKG.forMeeting, meeting))
                self.mention("meeting", f"the session of document {sym}", p.anchor,
                             "matched" if meeting in self.gz.meeting_facts else "new", meeting,
                             note="read from the document symbol", value={"ordinal": session[1], "body": session[0]})

    # governing bodies
    def bodies(self, p: Passage, text: str) -> None:
        """Governing bodies named in the text ("the Conference of the Parties to the Stockholm Convention",
        "the Open-ended Working Group", "缔约方大会"): the convention named with it, else the one the
        whole document is about; without either the mention is reported."""
        for m in _BODY_NAME.finditer(text):
            kind = P.BODY_WORDS.get(m.group("body").lower(), P.BODY_WORDS.get(m.group("body")))
            conv = (m.group("conv") or m.group("prot") or "").lower() or None
            if kind == "unep-gc":
                near = text[max(0, m.start() - 60):m.end() + 60]
                slug = "unep-governing-council" if re.search(r"UNEP|United Nations Environment Programme|环境署|环境规划署", near) else None
            else:
                slug = BODY_SLUGS.get((conv or self.convention, kind)) if (conv or self.convention) else None
            iri = URIRef(f"{BASE}body/{slug}") if slug else None
            if iri is None or not (self.exists(iri) or (iri, RDF.type, BKG.GoverningBody) in self.g):
                self.mention("organisation", m.group(0), p.anchor, "unresolved",
                             note="a governing body whose convention the text does not say" if slug is None
                             else f"{iri} is not in the graph")
                continue
            self.g.add((self.doc, DCTERMS.references, iri))
            self.mention("organisation", m.group(0), p.anchor, "matched", iri, note="governing body")

    # organisations
    _NEW_ORG = re.compile(r"\b((?:the\s+)?(?:[A-Z][\w’'&\-]+\s+)(?:(?:of|for|on|and|the|de|des|du|in)\s+|(?:[A-Z]|[a-z]{1,2}-[A-Z])[\w’'&\-]+\s+){0,8}[A-Z][\w’'&\-]+)(?:\s+\(([A-Z][A-Za-z&\-]{1,10})\)"
                          # "Global e-Sustainability Initiative - GeSI": the acronym after a dash, ending the line or clause
                          r"|[ \t]+[-–—][ \t]+(?P<dash>[A-Z][A-Za-z&\-]{1,10})(?=[ \t]*(?:$|[.,;:\n])))"
                          r"(?:\s+(?P<rest>(?:on|of|for)\s+(?:the\s+)?[A-Z][\w’'\-]*(?:\s+(?:of|for|on|and|the|in|[A-Z][\w’'\-]*))*))?")

    def organisations(self, p: Passage, text: str) -> None:
        covered = []
        bodies = [(b.start(), b.end()) for b in _BODY_NAME.finditer(text)]
        # "Parties to the Basel Convention" inside "the Conference of the Parties to the Basel Convention" is the body's name
        nested: list = []
        found = [m for m in self.gz.organisations(text, nested) if not any(a <= m.start and m.end <= b for a, b in bodies)]
        nested = [m for m in nested if not any(a <= m.start and m.end <= b for a, b in bodies)]
        starts = {m.start for m in found if m.iri is not None}
        for m in found:
            tail = re.match(r"\s+(?:of|for)\s+(?:the\s+)?", text[m.end:])
            if (re.fullmatch(r"(?:the\s+)?[A-Za-z]+", m.text, re.I) and _HEAD.match(m.text.split()[-1].capitalize())
                    and tail and m.end + tail.end() in starts):
                continue  # "the secretariat of the GPWM" is not "the Secretariat" (SBC): units() reads it
            treaty = _OF_TREATY.match(text, m.end)
            zh_treaty = _ZH_TREATY_BEFORE.search(text, max(0, m.start - 40), m.start) if _is_cjk(m.text) else None
            if m.iri is not None and (treaty or zh_treaty) and \
                    not self._of_treaty(m.iri, (treaty or zh_treaty).group(1)):
                # "Parties to the Stockholm Convention", "《斯德哥尔摩公约》缔约方": not the graph's "Parties" (to the Basel
                # Convention)
                span = (m.start, treaty.end()) if treaty else (zh_treaty.start(), m.end)
                other = self.gz.treaties.get(_key((treaty or zh_treaty).group(1)))
                theirs = self.gz.secretariat_of.get(other, set()) if re.search(r"[Ss]ecretariat|秘书处", m.text) else set()
                own = {x for x in theirs if sum(x in v for v in self.gz.secretariat_of.values()) == 1}
                theirs = own if len(own) == 1 else theirs  # its own, not the one it shares with other treaties
                covered.append(span)
                if len(theirs) == 1:  # "the Secretariat of the Stockholm Convention": that treaty's secretariat
                    iri = next(iter(theirs))
                    self.g.add((self.doc, DCTERMS.references, iri))
                    self.mention("organisation", text[span[0]:span[1]], p.anchor, "matched", iri,
                                 note="the secretariat the graph gives that treaty")
                    continue
                self.mention("organisation", text[span[0]:span[1]], p.anchor, "unresolved",
                             note=f"the graph's {self.gz.labels.get(m.iri, m.text)!r} is of another treaty")
                continue
            covered.append((m.start, m.end))
            if m.iri is None:
                self.mention("organisation", m.text, p.anchor, "unresolved",
                             note="ambiguous: " + ", ".join(str(c) for c in m.candidates))
                continue
            self.g.add((self.doc, DCTERMS.references, m.iri))
            self.mention("organisation", m.text, p.anchor, "matched", m.iri)
            self.org_history.append((m.text, m.iri))
            defined = _DEFINES.match(text, m.end)  # "Known Name (ACR)": the document's acronym for a known organisation
            if defined and (_is_cjk(m.text) or _acronym_fits(defined.group(1), _initials(m.text))):
                self.learn(defined.group(1), m.iri)
        self.of_the_convention(p, text, covered)
        self.units(p, text, covered)
        self.posts(p, text, covered)
        self.zh_organisations(p, text, covered)
        self.distributed_organisations(p, text, covered)
        families = self.gz.place_families()
        for m in (_FAMILY.finditer(text) if families else ()):  # "the BCRC China": one more of the graph's BCRC-{place}
            if m.group(1) not in families:
                continue
            words = m.group(2).split()
            place = next((" ".join(words[:k]) for k in range(len(words), 0, -1)
                          if self.gz.country(" ".join(words[:k])) or self.gz.places.get(" ".join(words[:k]).lower())), None)
            name = f"{m.group(1)}{text[m.end(1)]}{place}" if place else ""
            end = m.start() + len(name)
            if name and not any(a < end and m.start() < b for a, b in covered) \
                    and not re.match(r"\s+[A-Z]", text[end:]):  # not "the BCRC Kenya Office": a name going on
                self.propose(name, None, p.anchor)
                covered.append((m.start(), m.start() + len(name)))
        for m in nested:  # the parent a unit's name names: "UNEP DTIE" in "UNEP DTIE Chemicals Branch"
            if m.iri is not None:
                self.g.add((self.doc, DCTERMS.references, m.iri))
                self.mention("organisation", m.text, p.anchor, "matched", m.iri, note="named within a longer known name")
        for m in self._NEW_ORG.finditer(text):
            name, acronym = m.group(1), m.group(2) or m.group("dash")
            name = re.sub(r"^the\s+", "", name)
            if any(s <= m.start(2 if m.group(2) else "dash") < e for s, e in covered):
                continue
            initials = _initials(name)
            if not _acronym_fits(acronym, initials):
                continue
            words = name.split()
            while words and (acronym[0].upper() != words[0][0].upper() or words[0] in _CONNECTORS):
                words.pop(0)  # trim leading words the acronym does not cover ("and the ..." before "Andean ... (AWC)")
            name = " ".join(words)
            name_at = m.start(1) + max(0, m.group(1).rfind(name))  # the words trimmed off stay free for other names
            rest = m.group("rest")  # "Inter-Agency Working Group (IAWG) on Sound Management of Asbestos": the name goes on
            if (rest and name and name.split()[-1] in ("Group", "Committee", "Force", "Commission", "Council", "Panel")
                    and not re.match(r"\s*\(", text[m.end():])):  # not a term of its own: "... on Used Lead Acid Batteries (ULAB)"
                name = name + " " + re.sub(r"(?:\s+(?:of|for|on|and|the|in))+$", "", rest)
            if not name or re.search(r"Convention|Protocol|Agreement|Decision|Programme of Work|Meeting|Conference of", name):
                continue
            if not any(_HEAD.match(w) for w in name.split()):
                continue  # "Persistent Organic Pollutants (POPs)", "Used Lead Acid Batteries (ULAB)": not a body
            iri = self.seen_orgs.get(name)
            if iri is None:
                slug = _slug(acronym)
                iri = URIRef(f"{BASE}org/{slug}")
                if self.exists(iri) or iri in self.seen_orgs.values():
                    if acronym in self.acronyms:
                        self.acronyms[acronym] = None  # the document defines it for two names: resolve neither
                    self.mention("organisation", f"{name} ({acronym})", p.anchor, "unresolved",
                                 note=f"{iri} exists under another name; add the name to it or choose another IRI")
                    continue
                self.seen_orgs[name] = iri
                self.g.add((iri, RDF.type, ORG.Organization))
                self.g.add((iri, RDFS.label, Literal(name, lang="en")))
                self.g.add((iri, SKOS.altLabel, Literal(acronym, lang="en")))
                self.mention("organisation", f"{name} ({acronym})", p.anchor, "new", iri)
            self.derive(iri, p.anchor)
            self.g.add((self.doc, DCTERMS.references, iri))
            self.learn(acronym, iri)
            covered.append((name_at, m.end()))
        mask, mask_size = [], -1
        for start, end, name in _org_runs(text):
            words = name.split()
            # a unit of a known organisation ("GEF Council", "UNEP Regional Office for Africa",
            # "Secretariat of the Convention on Biological Diversity"): a name of its own when it
            # is longer than the known name and has its own head word
            if mask_size != len(covered):  # which covered span holds each character (covered grows as names are proposed)
                mask, mask_size = [0] * len(text), len(covered)
                for k, (a, b) in enumerate(covered, 1):
                    mask[a:b] = [k] * (b - a)
            inside = [covered[k - 1] for k in sorted(set(mask[start:end]) - {0})]
            if inside and (any(a <= start and end <= b for a, b in inside) or not _own_head(text, start, end, inside)):
                continue
            capitals = [w for w in words if w[0].isupper()]
            if _DESCRIPTION.search(text, max(0, start - 8), start) or words[0] in ("This", "That", "These", "Those", "Such"):
                continue  # "this Waste Partnership": a description that refers back, not a name
            known_as = self.long_form(text, start, end)
            if known_as is not None:  # "Partnership for Action on (used ...) computing equipment (PACE)": PACE's long form
                self.g.add((self.doc, DCTERMS.references, known_as))
                self.mention("organisation", name, p.anchor, "matched", known_as,
                             note="the first words of a long form whose known acronym follows in brackets")
                continue
            bracket = _AFTER_ACRONYM.search(text, max(0, start - 16), start)
            owners = (self.gz.names.get(bracket.group(1)) or ({self.acronyms[bracket.group(1)]} if self.acronyms.get(bracket.group(1))
                                                              else set())) if bracket else set()
            if len(owners) == 1 and words[0] in (_GENERIC - {"Joint"}) | {"Office", "Unit", "Branch", "Division", "Department"} \
                    and not _NOT_ORG.search(name):  # (a joint unit is not one organisation's)
                # "World Health Organization (WHO) Regional Office for Europe": WHO's regional office, not one of its own
                parent = next(iter(owners))
                name = f"{bracket.group(1)} {name}"
                fresh = name not in self.seen_orgs
                self.propose(name, None, p.anchor)
                if fresh and name in self.seen_orgs:
                    self.g.add((self.seen_orgs[name], RDF.type, ORG.OrganizationalUnit))
                    self.g.add((self.seen_orgs[name], ORG.unitOf, parent))
                continue
            if len(capitals) < 2 or words[0].lower() in _CONNECTORS or _NOT_ORG.search(name) or _TREATY.match(name):
                continue
            # the head words of the name itself, before its topic: "Project Group 3.1 on Pilot Projects" is one group
            heads = [w for w in _before_topic(words) if _HEAD.match(w) or w in _PLURAL_HEADS]
            own_words = [w for w in capitals if not _HEAD.match(w) and w not in _GENERIC and w not in _PLURAL_HEADS]
            several = heads[-1:] and heads[-1] in _PLURAL_HEADS and (" and " in name or len(own_words) < 2 or words[-1] != heads[-1])
            if several or self.gz.country(name):
                continue  # "the MEA Secretariats", "UNEP Regional Offices": several bodies; "Russian Federation": a country
            if all(_HEAD.match(w) or w in _GENERIC for w in capitals):
                continue  # "the Advisory Committee", "a Working Group": a description, not a name
            # "... Diversity in Mali": a place after the name is not part of it, unless the name's head
            # word comes right before it ("Regional Centre in Nigeria")
            tail = re.search(r"\s+in\s+((?:[A-Z][\w\-]+\s?){1,3})$", name)
            if tail and (self.gz.place(tail.group(1)) or self.gz.country(tail.group(1).strip())) \
                    and not _HEAD.match(name[:tail.start()].split()[-1]):
                name = name[:tail.start()]
                words = name.split()
            known = self.gz.organisations(name)
            if any(k.start == 0 and k.end >= len(name) for k in known):
                continue
            if known and not _own_head(name, 0, len(name), [(k.start, k.end) for k in known]):
                continue  # part of it is a known organisation and no head word of its own: leave it to the curator
            tail = _LOWER_TAIL.match(text, start + len(name)) if words[-1] in _GROUP_HEADS and text.startswith(name, start) else None
            if tail is None and heads and heads[-1] in _GROUP_HEADS and len(_before_topic(words)) < len(words) \
                    and text.startswith(name, start):
                # "Project Group 3.1 on Pilot Projects on Collection of e-waste from Informal Sectors.": a group's topic
                # goes on through a lowercase term to the clause end
                tail = _TOPIC_TAIL.match(text, start + len(name))
            if tail:
                name += tail.group(1)
            bracket = _DEFINES.match(text, start + len(name)) if text.startswith(name, start) else None
            if bracket and any(k.end == len(name) and self.gz.names.get(bracket.group(1)) == {k.iri} for k in known):
                # "Working Group for the Partnership for Action on Computing Equipment (PACE)": the acronym of the
                # known name it ends with stays in the name as written
                name = text[start:bracket.end()].strip()
            self.propose(name, None, p.anchor)
            # "INECE's Advisory Committee of the Seaport Environmental Security Network": a unit named by common
            # words names the organisation it belongs to, which is one more (new) organisation
            owner = _UNIT_OF_NAME.match(name)
            if owner and not self.gz.organisations(owner.group("owner")):
                rest = owner.group("owner")
                own = [w for w in re.findall(r"[A-Z][\w\-]*", rest) if not _HEAD.match(w) and w not in _GENERIC]
                if len(own) >= 2 and _HEAD.match(rest.split()[-1]) and not _NOT_ORG.search(rest):
                    self.propose(rest, None, p.anchor)
        self.defined_acronyms(p, text, covered)
        self.agent_acronyms(p, text, covered)

    def _of_treaty(self, iri: URIRef, treaty: str) -> bool:
        """Whether the graph names ``iri`` with ``treaty`` or never with any treaty."""
        names = [w for k, iris in self.gz.names.items() if iri in iris for w in self.gz.written.get(k, ())]
        tied = [t.group(1) for t in (_OF_TREATY.search(n) for n in names) if t]
        if not tied:
            return True
        written = self.gz.treaties.get(_key(treaty))
        return any(_key(t) == _key(treaty) or (written is not None and self.gz.treaties.get(_key(t)) == written) for t in tied)

    def of_the_convention(self, p: Passage, text: str, covered: list[tuple[int, int]]) -> None:
        """A group the graph names "<Word> to the <Convention>" ("Signatories to the Basel Convention"), written
        as the capitalised word alone ("Invites Parties, Signatories and other Governments") in a document about
        that convention."""
        if self.convention is None:
            return
        if self._short is None:
            self._short = {}
            for key, iris in self.gz.names.items():
                m = re.fullmatch(r"([a-z][a-z\-]+) (?:to|of) the (\w+) convention", key)
                if m and m.group(2) == self.convention and len(iris) == 1:
                    self._short[m.group(1).capitalize()] = next(iter(iris))
        for m in re.finditer(r"(?<![\w\-])([A-Z][a-z]+s)(?![\w\-])", text):  # a plural: a group, not a post or a unit
            iri = self._short.get(m.group(1))
            if iri is None or any(a <= m.start() < b for a, b in covered) or _OF_TREATY.match(text, m.end()) \
                    or re.search(r"[A-Z][\w\-]*\s+$", text[max(0, m.start() - 30):m.start()]) \
                    or re.match(r"\s+[A-Z]", text[m.end():]):
                continue  # "the ABC Signatories", "Signatories Group": part of another name
            self.g.add((self.doc, DCTERMS.references, iri))
            self.mention("organisation", m.group(1), p.anchor, "matched", iri,
                         note=f"the graph's {self.gz.labels.get(iri, '')!r}: the document is about that convention")
            covered.append((m.start(), m.end()))

    def agent_acronyms(self, p: Passage, text: str, covered: list[tuple[int, int]]) -> None:
        """An acronym neither the graph nor the document defines, written where only an organisation can stand:
        the agent that established, runs or hosts something ("the 3R Initiative established by the G-8", "由 G-8
        发起的 3R 倡议"), or a partner listed with a known organisation ("working with UNIDO and the SSC"): a new
        organisation named as written (the review says its full name is not in the text)."""
        known = {m.start: m for m in self.gz.organisations(text) if m.iri is not None}
        for rx in (_AGENT_ACRONYM, _WITH_ACRONYM, _AGENT_ACRONYM_ZH):
            for m in rx.finditer(text):
                acr = m.group("acr")
                if rx is _WITH_ACRONYM and m.start("a") not in known:
                    continue  # listed with something the graph does not know as an organisation
                if (not _BARE_ACRONYM.fullmatch(acr) or any(a <= m.start("acr") < b for a, b in covered)
                        or self.gz.names.get(acr) or acr in self.acronyms or self.gz.treaties.get(acr)
                        or self.gz.country(acr) or acr in _NOT_AGENTS):
                    continue
                iri = self.seen_orgs.get(acr)
                if iri is None:
                    iri = URIRef(f"{BASE}org/{_slug(acr)}")
                    if self.exists(iri) or iri in self.seen_orgs.values():
                        continue
                    self.seen_orgs[acr] = iri
                    self.g.add((iri, RDF.type, ORG.Organization))
                    self.g.add((iri, RDFS.label, Literal(acr, lang="en")))
                self.derive(iri, p.anchor)
                self.g.add((self.doc, DCTERMS.references, iri))
                self.mention("organisation", acr, p.anchor, "new", iri,
                             note="an acronym the text uses for an agent or a partner; its full name is not in the text")
                covered.append((m.start("acr"), m.end("acr")))

    def long_form(self, text: str, start: int, end: int) -> URIRef | None:
        """The known organisation whose acronym follows the name in brackets, when the words from the name
        to the bracket (lowercase ones too) spell it from its first letter ("Partnership for Action on (used and
        end of life) computing equipment (PACE)")."""
        m = _LONG_FORM.match(text, end)
        if m is None:
            return None
        acronym = m.group(1)
        iris = self.gz.names.get(acronym) or ({self.acronyms[acronym]} if self.acronyms.get(acronym) else set())
        if len(iris) != 1:
            return None
        words = [w for w in re.findall(r"[\w’'\-/]+", text[start:m.start(1)]) if w.lower() not in _CONNECTORS]
        initials = "".join(w[0] for w in words).upper()
        if not initials or initials[0] != acronym[0].upper() or not _acronym_fits(acronym.upper(), initials):
            return None
        return next(iter(iris))

    def learn(self, acronym: str, iri: URIRef) -> None:
        """An acronym the document defines for an organisation; one it defines for two is forgotten."""
        if self.gz.names.get(acronym):
            return  # the graph's acronym: the gazetteer reads it
        self.acronyms[acronym] = iri if self.acronyms.get(acronym, iri) == iri else None

    def defined_acronyms(self, p: Passage, text: str, covered: list[tuple[int, int]]) -> None:
        """An acronym the document defined before ("Inter-Agency Working Group (IAWG) on ...", "汞伙伴关系（GMP）"),
        used alone later ("the IAWG met"): the organisation it was defined for."""
        if not self.acronyms:
            return
        for m in _ACRONYM_ALONE.finditer(text):
            iri = self.acronyms.get(m.group(0))
            if iri is None or any(a <= m.start() < b for a, b in covered) or text[max(0, m.start() - 1):m.start()] in ("(", "（"):
                continue
            self.g.add((self.doc, DCTERMS.references, iri))
            self.mention("organisation", m.group(0), p.anchor, "matched" if self.exists(iri) else "new", iri,
                         note="an acronym the document defined before")
            covered.append((m.start(), m.end()))

    def distributed_organisations(self, p: Passage, text: str, covered: list[tuple[int, int]]) -> None:
        """Organisations of one family a plural head spreads over a list ("UNEP Regional Offices for Europe,
        Asia Pacific and Africa", "the regional Centres based in Egypt, Senegal and Nigeria", "MEA
        Secretariats, including the CBD and CITES", "设在埃及、塞内加尔和尼日利亚的区域中心"): for each item,
        the graph's member of that family (its name, or a name ending in the head and the place) when
        there is exactly one; otherwise a new one when the whole name is written as a proper name
        ("UNEP Regional Office for Europe"); otherwise the item is reported."""
        for s in P.distributed_organisations(text):
            v = s.value
            items = list(v["items"])
            if v["prep"] and not any(self.gz.country(re.sub(r"^the\s+", "", i)) or self.gz.region(re.sub(r"^the\s+", "", i))
                                     or self.gz.places.get(re.sub(r"^the\s+", "", i).lower()) for i, _, _ in items):
                continue  # "Coordinating Centres for Capacity Building and Technology Transfer": not a list of places
            for i in range(len(items) - 1, 0, -1):  # "Latin America and the Caribbean", "Trinidad and Tobago"
                (a, a0, _), (_, b0, b1) = items[i - 1], items[i]
                joined = text[a0:b1]
                if re.fullmatch(r"\s+and\s+", text[a0 + len(a):b0]) and (self.gz.region(joined) or self.gz.country(joined)):
                    items[i - 1:i + 1] = [(joined, a0, b1)]
            head = f"{v['adj']} {v['head']}".strip() if v["adj"] else v["head"]
            proper = " ".join(x for x in (v["owner"], head) if x)
            whole = bool(v["owner"]) and not v.get("zh") and all(w[0].isupper() for w in proper.split())
            seen = set()
            for item, start, end in items:
                if item in seen:
                    continue
                seen.add(item)
                bare = re.sub(r"^the\s+", "", item)
                if v["prep"]:  # a family over places
                    place = self.gz.country(bare) or self.gz.region(bare) or self.gz.places.get(bare.lower())
                    if place is None:
                        self.mention("organisation", f"{proper} ({item})", p.anchor, "unresolved",
                                     note=f"one of {proper}s listed by place; a place the graph does not know: {item}")
                        continue
                    where = self.gz.labels.get(place, bare) if v.get("zh") else bare
                    prep = "in" if v["prep"] in ("based in", "located in") else v["prep"]
                    names = [f"{proper} {prep} {item}", f"{proper} {prep} {bare}"]
                    # whose the family is unsaid ("the regional Centres"): the graph's members of that head at that place
                    ends = () if v["owner"] else tuple(f"{head} {x} {self.gz.labels.get(place, bare)}".lower() for x in ("in", "for"))
                    written = f"{proper} {prep} {item}" if not v.get("zh") else item + s.text[-len(s.text.split("的")[-1]):]
                else:  # a family over owners: "Secretariats, including the CBD, CITES"
                    known = [k for k in self.gz.organisations(item) if k.iri is not None and k.end - k.start >= len(bare)]
                    owner_names = [bare] + [self.gz.labels[k.iri] for k in known if k.iri in self.gz.labels]
                    names = [n for o in owner_names for n in (f"{o} {head}", f"{head} of the {o}", f"{head} of {o}")]
                    ends = ()
                    where = bare
                    written = names[0] if re.fullmatch(r"[A-Z][A-Z\-]{1,10}", bare) else f"{head} of {item}"
                hits = next((self.gz.names[k] for k in (n if re.fullmatch(r"[A-Z\-]{2,12}", n) else n.lower() for n in names)
                             if k in self.gz.names), None)
                treaty = self.gz.treaties.get(bare if re.fullmatch(r"[A-Z\-]{2,12}", bare) else bare.lower())
                if hits is None and treaty is not None and v["head"] == "Secretariat" and not v["prep"]:
                    hits = self.gz.secretariat_of.get(treaty)  # "Secretariats, including the CBD": the CBD's secretariat
                if hits is None and ends:
                    hits = {iri for key, iris in self.gz.names.items() if key.endswith(ends) for iri in iris} or None
                if hits is not None and len(hits) == 1:
                    iri = next(iter(hits))
                    self.g.add((self.doc, DCTERMS.references, iri))
                    self.mention("organisation", written, p.anchor, "matched", iri,
                                 note=f"one of the {proper}s the text lists; the graph's {self.gz.labels.get(iri, '')!r}")
                elif hits is None and whole and (v["prep"] or v["head"][0].isupper()):
                    self.propose(written, None, p.anchor)
                else:
                    why = "several in the graph could be it: " + ", ".join(sorted(map(str, hits))) if hits else \
                        "the text does not name it (the graph has no member of this family there)"
                    self.mention("organisation", f"{proper} ({where})", p.anchor, "unresolved",
                                 note=f"one of {proper}s listed in the text; {why}")
            covered.append((s.start, s.end))

    def zh_organisations(self, p: Passage, text: str, covered: list[tuple[int, int]]) -> None:
        """Chinese organisation names the graph does not know (jieba noun phrases ending in a head word):
        a whole name is proposed in the review as written, a fragment cut by 的 is reported to check; neither
        is asserted, because every entity needs an English label the text does not give."""
        known = lambda w: bool(self.gz.names.get(w)) or self.gz.country(w) is not None  # noqa: E731
        for s in P.zh_organisation_phrases(text, known):
            if any(a <= s.start and s.end <= b for a, b in covered) or s.text in self.gz.zh_labels:
                continue  # a known name, or the graph's name of something else (a programme)
            if s.value["whole"]:
                self.mention("organisation", s.text, p.anchor, "unresolved",
                             note="a new organisation named in Chinese: add it with an English label (the text gives none)")
            else:
                self.mention("organisation", s.text, p.anchor, "unresolved",
                             note="part of a Chinese name? (the words before 的 may belong to it): check the whole name")
            covered.append((s.start, s.end))

    def posts(self, p: Passage, text: str, covered: list[tuple[int, int]]) -> None:
        """A post of a known organisation ("the UNEP Executive Director", "the Executive Secretary of the
        CBD", "环境署执行主任"): a new unit of that organisation named as written (in Chinese, after the
        graph's English name of it), unless the graph has it."""
        known = [m for m in self.gz.organisations(text) if m.iri is not None]
        for m in _POST.finditer(text):
            zh = m.group("zh") is not None
            post = _ZH_POSTS[m.group("zh")] if zh else " ".join(m.group("post").split())
            if zh:
                parent = next((k for k in known if k.end == m.start()), None)
            elif m.group("of"):
                parent = next((k for k in known if k.start == m.end()), None)
            else:
                parent = next((k for k in known if k.end + 1 == m.start("post") and text[k.end] == " "), None)
            if parent is None or str(parent.iri).startswith(f"{BASE}body/"):
                continue
            span = (min(parent.start, m.start("post") if not zh else m.start()), max(parent.end, m.end()))
            if any(a <= span[0] and span[1] <= b and (a, b) != (parent.start, parent.end) for a, b in covered):
                continue
            parent_name = self.gz.labels.get(parent.iri)
            if zh and not parent_name:
                continue
            name = f"{post} of the {parent_name}" if zh or m.group("of") else f"{parent.text} {post}"
            written = text[span[0]:span[1]]
            # the graph's post under any of the parent's names ("UNEP Executive Director" for "环境署执行主任")
            parents = {parent.text} | {w for k, iris in self.gz.names.items() if parent.iri in iris for w in self.gz.written.get(k, ())}
            tries = [written.lower()] + [x.lower() for n in parents for x in (f"{n} {post}", f"{post} of the {n}", f"{post} of {n}")]
            same = next((self.gz.names[k] for k in tries if k in self.gz.names), None)
            if same is not None:
                if len(same) == 1:
                    iri = next(iter(same))
                    self.g.add((self.doc, DCTERMS.references, iri))
                    self.mention("organisation", written, p.anchor, "matched", iri, note=f"the graph's {self.gz.labels.get(iri, '')!r}")
                covered.append(span)
                continue
            key = f"post {parent.iri} {post}"  # one node for the post however the text writes it
            iri = self.seen_orgs.get(key)
            if iri is not None:
                name = next((str(x) for x in self.g.objects(iri, RDFS.label) if x.language == "en"), name)
                if zh and not any(x.language == "zh" for x in self.g.objects(iri, RDFS.label)):
                    self.g.add((iri, RDFS.label, Literal(written, lang="zh")))
            if iri is None:
                iri = URIRef(f"{BASE}org/{_slug_of(name, 60)}")
                if self.exists(iri):
                    continue
                self.seen_orgs[key] = iri
                self.g.add((iri, RDF.type, ORG.OrganizationalUnit))
                self.g.add((iri, RDFS.label, Literal(name, lang="en")))
                if zh:
                    self.g.add((iri, RDFS.label, Literal(written, lang="zh")))
                self.g.add((iri, ORG.unitOf, parent.iri))
            self.derive(iri, p.anchor)
            self.g.add((self.doc, DCTERMS.references, iri))
            self.mention("organisation", name, p.anchor, "new", iri, note=f"a post of {parent.text}; written {written!r}")
            covered.append(span)

    def units(self, p: Passage, text: str, covered: list[tuple[int, int]]) -> None:
        """A unit of a known organisation written in lowercase ("the secretariat of the GPWM", "the advisory
        committee for the PCB Elimination Network"): a new organisation, unit of that one, named after the
        graph's name of it ("Secretariat of the UNEP Global Partnership on Waste Management"), with the
        words as written kept as an alternative label."""
        known = {(m.start, m.end): m for m in self.gz.organisations(text) if m.iri is not None}
        for u in _UNIT_OF.finditer(text):
            parent = next((k for (a, b), k in known.items() if a == u.end()), None)
            if parent is None or any(a <= u.start("unit") < b for a, b in covered):
                continue  # not a known organisation after it, or the whole is a known name
            parent_name = self.gz.labels.get(parent.iri)
            if not parent_name:
                continue
            unit = " ".join(w.capitalize() for w in u.group("unit").split())
            name = f"{unit} of the {parent_name}"
            written = text[u.start("unit"):parent.end]
            same = [self.gz.names.get(k) for k in (name.lower(), name.lower().replace(" of the ", " for the "), written.lower())]
            same = next((x for x in same if x), None)
            if same is not None:  # the graph has this unit under its full name
                if len(same) == 1:
                    iri = next(iter(same))
                    self.g.add((self.doc, DCTERMS.references, iri))
                    self.mention("organisation", written, p.anchor, "matched", iri, note=f"the graph's {name!r}")
                    covered.append((u.start("unit"), parent.end))
                continue
            iri = self.seen_orgs.get(name)
            if iri is None:
                iri = URIRef(f"{BASE}org/{_slug_of(name, 60)}")
                if self.exists(iri):
                    continue
                self.seen_orgs[name] = iri
                self.g.add((iri, RDF.type, ORG.OrganizationalUnit))
                self.g.add((iri, RDFS.label, Literal(name, lang="en")))
                if written != name:
                    self.g.add((iri, SKOS.altLabel, Literal(written, lang="en")))
                self.g.add((iri, ORG.unitOf, parent.iri))
            self.derive(iri, p.anchor)
            self.g.add((self.doc, DCTERMS.references, iri))
            self.mention("organisation", name, p.anchor, "new", iri, note=f"written {written!r}")
            covered.append((u.start("unit"), parent.end))

    def row_organisation(self, p: Passage, cell: str) -> None:
        """The first cell of a row in a table of organisations: a known one, or a new one as written."""
        if "<" in cell or len(cell) > 150 or not re.search(r"[A-Z\u4e00-\u9fff]", cell):
            return
        # the name ends before the first lowercase word that is not a connector ("3R Initiative established by the G-8")
        lower = next((w for w in re.finditer(r"(?<=\s)[a-z][\w\-]*", cell)
                      if w.group(0) not in _CONNECTORS and not _HEAD.match(w.group(0).capitalize())), None)
        if lower and not re.search(r"\([^)]*$", cell[:lower.start()]):
            cell = cell[:lower.start()].rstrip(" ,;:-")
        heads = [w for w in cell.split() if _HEAD.match(w.capitalize()) or w.capitalize() in _PLURAL_HEADS]
        if (not cell or self.gz.country(cell) or heads[-1:] and heads[-1].capitalize() in _PLURAL_HEADS
                or _TREATY.match(cell) or re.search(r"(?:Convention|Protocol|Agreement)$", cell)):
            return
        known = self.gz.organisations(cell)
        if known and known[0].start == 0 and known[0].end >= len(re.sub(r"\s*\([^)]*\)\s*$", "", cell)):
            return  # the name is a known organisation (matched with the rest of the row)
        if known:
            self.mention("organisation", cell, p.anchor, "unresolved",
                         note="a row of a table of organisations that names a known one and more: "
                              + ", ".join(str(k.iri) for k in known if k.iri))
            return
        m = re.match(r"^(.*?)\s*\(([^()]{2,20})\)$", cell)
        # "United Nations Groups on the Information Society (UNGIS) WSIS": the name its acronym spells, then more
        more = None if m else re.match(r"^(.*?)\s*\(([A-Z][A-Za-z&\-]{1,10})\)\s+\S", cell)
        if more and _acronym_fits(more.group(2), _initials(more.group(1))) and _initials(more.group(1))[:1] == more.group(2)[0]:
            m = more
        name, acronym = (m.group(1), m.group(2)) if m else (cell, None)
        self.propose(name, acronym, p.anchor)
        if acronym and name in self.seen_orgs:
            self.g.add((self.seen_orgs[name], SKOS.altLabel, Literal(acronym, lang="en")))
            if _BARE_ACRONYM.fullmatch(acronym) and _acronym_fits(acronym, _initials(name)):
                self.learn(acronym, self.seen_orgs[name])  # a table's "Name (ACR)" defines the acronym too

    def propose(self, name: str, acronym: str | None, anchor: str) -> None:
        activity = self.gz.activities.get(_key(name))
        if activity or (not acronym and _activity_name(name)):
            # a programme or a project is an activity in the model (bkg:Programme, bkg:Project), not an organisation
            if activity and len(activity) == 1:
                iri = next(iter(activity))
                self.g.add((self.doc, DCTERMS.references, iri))
                self.mention("activity", name, anchor, "matched", iri, note="a programme or project the graph has")
            else:
                self.mention("activity", name, anchor, "unresolved",
                             note="a programme or project (an activity in the model, not an organisation): left to the curator")
            return
        iri = self.seen_orgs.get(name)
        variant = self.gz.spelling_variant(name) if iri is None else None
        if variant is not None:
            if variant.iri is None:
                self.mention("organisation", name, anchor, "unresolved",
                             note="a spelling variant of a name several entities share: " + ", ".join(map(str, variant.candidates)))
                return
            self.g.add((self.doc, DCTERMS.references, variant.iri))
            self.mention("organisation", name, anchor, "matched", variant.iri,
                         note=f"as written; the graph's name is {self.gz.labels.get(variant.iri, '')!r}")
            return
        if iri is None:
            slug = _slug_of(name, 60)
            iri = URIRef(f"{BASE}org/{slug}")
            if self.exists(iri) or iri in self.seen_orgs.values():
                self.mention("organisation", name, anchor, "unresolved", note=f"{iri} exists under another name")
                return
            self.seen_orgs[name] = iri
            self.g.add((iri, RDF.type, ORG.Organization))
            self.g.add((iri, RDFS.label, Literal(name, lang="en")))
        self.derive(iri, anchor)
        self.g.add((self.doc, DCTERMS.references, iri))
        self.mention("organisation", name, anchor, "new", iri)

    # persons
    def persons(self, p: Passage, text: str) -> None:
        for s in P.persons(text):
            v = s.value
            if v.get("zh"):
                self.mention("person", s.text, p.anchor, "unresolved",
                             note="a Chinese name with a title: the name's extent is not certain")
                continue
            slug = _slug_of(v["name"])
            iri = URIRef(f"{BASE}person/{slug}")
            status = "matched" if self.exists(iri) else "new"
            if status == "new":
                self.g.add((iri, RDF.type, FOAF.Person))
                self.g.set((iri, RDFS.label, Literal(v["name"], lang="en")))
                self.g.set((iri, FOAF.name, Literal(v["name"])))
            if v["role"]:
                self.g.add((iri, SCHEMA.jobTitle, Literal(v["role"], lang="en")))
            if v["country"]:
                country = self.gz.country(v["country"])
                if country is None and v.get("bare"):
                    org = [m.iri for m in self.gz.organisations(v["country"]) if m.iri is not None]
                    country = org[0] if len(org) == 1 else None  # "co-chaired by X of UNEP"
                if country is not None:
                    self.g.add((iri, SCHEMA.affiliation, country))
                elif v.get("bare") and not re.search(r"\(", s.text):
                    pass  # "X of Geneva": a place or an unknown body after "of", not reported as a country
                else:
                    self.mention("person", s.text, p.anchor, "unresolved",
                                 note=f"country {v['country']!r} is not in the graph")
            self.derive(iri, p.anchor)
            self.mention("person", v["name"], p.anchor, status, iri, value={k: v[k] for k in ("role", "country") if v[k]})


_ORG_HEADS = (r"Organi[sz]ation|Programme|Centre|Center|Committee|Commission|Council|Network|Secretariat|Agency|Institute|"
              r"Association|Federation|Foundation|University|Chamber|Forum|Initiative|Partnership|Unit|Branch|Division|"
              r"Office|Bank|Fund|Facility|Alliance|Coalition|Society|Union|Ministry|Department|Authority|Corporation|"
              r"Group|Force|Project|Centres|Offices|Committees|Networks|Secretariats")
_HEAD = re.compile(r"^(?:" + _ORG_HEADS + r")$")
_WORD = re.compile(r"\d+(?:\.\d+)+|[\w’'&\-/]+")


def _org_runs(text: str) -> list[tuple[int, int, str]]:
    """Capitalised names with an organisation head word ("International Chamber of Commerce",
    "Basel Convention Regional Centre in Nigeria"): runs of capitalised words joined by single
    spaces and connectors, split at "and" when both sides have a head word."""
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    runs, run = [], []
    inner = -1  # where the last acronym inside a name ends
    for i, (w, a, b) in enumerate(words):
        gap = text[run[-1][2]:a] if run else ""
        # "... Sound Management (ESM) Criteria", "Joint ILO/International Maritime Organization (IMO)/Basel Convention
        # Working Group": an acronym in brackets that spells the words right before it, not the whole name from its
        # first word, is a term inside the name, which goes on after the bracket
        if run and gap == " (" and re.fullmatch(r"[A-Z][A-Za-z&\-]{1,10}", w) and _inner_acronym(text, run, w, b):
            run.append((w, a, b))
            inner = b
            continue
        joined = not run or gap == " " or (gap in (") ", ")") and run[-1][2] == inner
                                           and (w[0].isupper() or w[0] == "/" or w in _CONNECTORS))
        if w[0] == "/" and joined and run:
            w, a = w[1:], a + 1
        if _MONTH.fullmatch(w):  # "... Committee in November 2008": a date ends a name
            if run:
                runs.append(run)
            run = []
            continue
        cap = (w[0].isupper() or bool(re.match(r"\d+[A-Z]", w))  # "3R Initiative"
               or bool(run and re.fullmatch(r"\d+(?:\.\d+)*", w)))  # "Project Group 1.1"
        # a connector joins when the next word that is not one is capitalised: "Goods and on the Globally Harmonized System"
        # (joined to it by single spaces, through at most two more connectors)
        k = i
        while k + 1 < min(i + 3, len(words)) and words[k + 1][0] in _CONNECTORS and text[words[k][2]:words[k + 1][1]] == " ":
            k += 1
        nxt = words[k + 1][0] if k + 1 < len(words) and text[words[k][2]:words[k + 1][1]] == " " else ""
        # "Advisory Committee on Partnership with Industry": "with" joins inside a name's topic
        topic_with = (w == "with" and any(t[0] in ("on", "for") for t in run) and any(_HEAD.match(t[0]) for t in run)
                      and i + 1 < len(words) and words[i + 1][0][:1].isupper())  # "with Industry", not "with the X"
        if run and joined and (cap or ((w in _CONNECTORS or topic_with) and nxt[:1].isupper())):
            run.append((w, a, b))
            continue
        if run:
            runs.append(run)
        run = [(w, a, b)] if cap else []
    if run:
        runs.append(run)
    out = []
    for run in runs:
        parts, current = [], []
        for k, tok in enumerate(run):
            if tok[0] == "The" and current or (tok[0] == "and" and k + 1 < len(run) and run[k + 1][0] == "the"):
                parts.append(current)  # "X and the Y": two names; "... The": a new sentence or heading
                current = [] if tok[0] == "and" else [tok]
                continue
            if tok[0] == "and" and any(_HEAD.match(t[0]) for t in current) and any(_HEAD.match(t[0]) for t in run[k + 1:]):
                parts.append(current)
                current = []
                continue
            current.append(tok)
        parts.append(current)
        for part in parts:
            while part and (part[0][0] in _CONNECTORS or part[0][0] in _OPENERS):
                part = part[1:]
            # "Progress in the ...", "Tasks of the ...", "Terms of Reference of the ...": a heading's
            # words before the name (a name that opens with its head keeps its "of": "Secretariat of the ...")
            while (len(part) > 2 and not _HEAD.match(part[0][0]) and part[1][0] in ("of", "on", "in")
                   and any(_HEAD.match(t[0]) for t in part[2:])):
                part = part[2:]
                while part and part[0][0] in _CONNECTORS:
                    part = part[1:]
            while part and part[-1][0] in _CONNECTORS:
                part = part[:-1]
            if part and any(_HEAD.match(t[0]) for t in part):
                out.append((part[0][1], part[-1][2], text[part[0][1]:part[-1][2]]))
    return out


def _before_topic(words: list[str]) -> list[str]:
    """The words of a name before its topic: up to the first "for", "on" or "of" after a head word."""
    for i, w in enumerate(words):
        if w in ("for", "on", "of") and any(_HEAD.match(x) for x in words[:i]):
            return words[:i]
    return words


def _activity_name(name: str) -> bool:
    """Whether a name's head word is Programme or Project ("Global Programme for Sustainable Ship Recycling",
    "Project on Exportation of Electronic Waste"; not "Project Group 3.1 on ...", whose head is Group): the
    head is the last head word before the name's topic (its first "for", "on" or "of" after a head word).
    A United Nations programme ("United Nations Development Programme") is an entity of the UN system."""
    if re.match(r"(?:the\s+)?United\s+Nations\b", name):
        return False
    heads = [w for w in _before_topic(name.split()) if _HEAD.match(w)]
    return bool(heads) and heads[-1] in ("Programme", "Project")


def _inner_acronym(text: str, run: list[tuple[str, int, int]], acronym: str, end: int) -> bool:
    """Whether ``(acronym)`` after ``run`` is a term inside a longer name: it spells the last words of the run
    ("Environmentally Sound Management (ESM) Criteria", "Information and Communication Technology (ICT) for
    Development": words with no head word of an organisation; or "International Maritime Organization
    (IMO)/Basel Convention Working Group": a name the slash joins to the rest), and the name goes on after the
    bracket on the same line (a capitalised word, or a connector and one)."""
    after = re.match(r"\)(?: (?:(?:of|for|on|and|in) )?[A-Z]|(/)[A-Z])", text[end:end + 40])
    if after is None:
        return False
    words = [t[0] for t in run if t[0] not in _CONNECTORS]
    while words and words[0] in _OPENERS:
        words.pop(0)
    for k in range(len(words) - 1, -1, -1):  # the shortest tail of the run that the acronym spells
        tail = words[k:]
        if _initials(tail[0])[:1] == acronym[0].upper() and _acronym_fits(acronym, _initials(" ".join(tail))):
            if after.group(1):
                return True
            return k > 0 and not any(_HEAD.match(w) or w in _PLURAL_HEADS for w in tail)
    return False


def _own_head(text: str, start: int, end: int, known: list[tuple[int, int]]) -> bool:
    """Whether text[start:end] has an organisation head word outside the known names in it."""
    return any(_HEAD.match(w.group(0)) and not any(a <= w.start() < b for a, b in known)
               for w in _WORD.finditer(text, start, end))


_UNIT_OF_NAME = re.compile(r"^(?:[A-Z][\w\-]*’s\s+|[A-Z][\w\-]*'s\s+)?(?:(?:Advisory|Steering|Executive|Technical|Coordinating|Scientific)\s+)?"
                           r"(?:Committee|Secretariat|Board|Bureau|Council|Unit|Office)\s+(?:of|for)\s+the\s+(?P<owner>[A-Z].+)$")
_OF_TREATY = re.compile(r"\s+(?:to|of)\s+the\s+((?:[A-Z][\w\-]*\s+){1,3}(?:Convention|Protocol))\b")
_ZH_TREATY_BEFORE = re.compile(r"《([^》]{2,30}(?:公约|议定书))》\s*$")
_ACR = r"[A-Z](?:[A-Z]{2,7}|-?\d{1,2})(?:-[A-Z]{1,6})?"  # three letters at least ("UK", "EU": not), or a group "G-8"
_BARE_ACRONYM = re.compile(_ACR)
_AGENT_ACRONYM = re.compile(r"\b(?:established|founded|launched|created|administered|coordinated|organi[sz]ed|hosted|convened|"
                            rf"funded|sponsored|led|run|chaired)\s+by\s+(?:the\s+)?(?P<acr>{_ACR})(?![\w\-/])")
_WITH_ACRONYM = re.compile(rf"\bwith\s+(?:the\s+)?(?P<a>[A-Z][\w\-]*)\s+and\s+(?:the\s+)?(?P<acr>{_ACR})(?![\w\-/])")
_AGENT_ACRONYM_ZH = re.compile(rf"由\s*(?P<acr>{_ACR})\s*(?:发起|建立|设立|创立|主办|组织|协调|管理|资助|牵头)")
_NOT_AGENTS = {"COP", "MOP", "OEWG", "CMP", "CRP", "INF"}  # the conventions' bodies and document series
_AFTER_ACRONYM = re.compile(r"\(([A-Z][A-Za-z&\-]{1,10})\) $")
_DESCRIPTION = re.compile(r"\b(?:this|that|these|those|such)\s+$", re.I)
# from a name's end to an acronym in brackets: words (a lowercase aside in brackets too), no sentence end
_LONG_FORM = re.compile(r"(?:[^.;:()\n]|\n(?=[a-z(])|\([a-z][^()]{0,40}\)){0,100}?\(\s*([A-Z][A-Za-z&\-]{1,10})\s*\)")
_DEFINES = re.compile(r"\s*[(（]\s*([A-Z][A-Za-z&\-]{1,10})\s*[)）]")
_ACRONYM_ALONE = re.compile(r"(?<![\w\-/])[A-Z][A-Za-z&\-]{1,10}(?![\w\-/])")
_CONNECTORS = {"of", "for", "on", "and", "the", "in", "de", "des", "du", "&"}
_OPENERS = {"The", "Through", "In", "On", "For", "At", "By", "With", "From", "During", "Under", "To", "As", "And", "Since",
            "Login", "See", "Annex"}  # capitalised only because they open a sentence or a heading
_MONTH = re.compile(r"January|February|March|April|May|June|July|August|September|October|November|December")
_GENERIC = {"Working", "Project", "Task", "Advisory", "Regional", "Global", "Interim", "Steering", "Coordinating", "Joint",
            "Technical", "Expert", "Experts", "Inter-Agency", "Implementation", "Environment", "Executive", "National",
            "International", "Management", "Sub-regional", "Subregional", "Special", "Legal", "Scientific", "Partners",
            "Contact", "Open-ended", "Ad", "Hoc", "Consultative", "Intergovernmental"}
_FAMILY = re.compile(r"(?<![\w/-])([A-Z]{3,6})[- ]([A-Z][\w\-]+(?:\s(?:and\s)?[A-Z][\w\-]+){0,2})")
_UNIT_OF = re.compile(r"\b(?:the\s+)?(?P<unit>(?:[Ss]ecretariat|(?:[Aa]dvisory|[Ss]teering|[Ee]xecutive|[Tt]echnical|[Cc]oordinating)\s+"
                      r"(?:[Cc]ommittee|[Gg]roup|[Bb]oard)))\s+(?:of|for)\s+(?:the\s+)?")
_POSTS = r"Executive\s+Director|Executive\s+Secretary|Director-General|Secretary-General|Special\s+Rapporteur|High\s+Commissioner"
_ZH_POSTS = {"执行主任": "Executive Director", "执行秘书": "Executive Secretary", "总干事": "Director-General", "秘书长": "Secretary-General"}
# "the UNEP Executive Director", "the Executive Secretary of the CBD", "环境署执行主任": a post of a known organisation
_POST = re.compile(rf"(?<![\w-])(?P<post>{_POSTS})(?:\s+(?P<of>of)\s+(?:the\s+)?)?(?![\w-])|(?P<zh>执行主任|执行秘书|总干事|秘书长)")
# "the StEP Task Force on policy and legislation": a group's name running through lowercase words to the clause's end
_VERBISH = r"(?!(?:is|are|was|were|be|been|met|meets|has|have|had|will|would|shall|should|can|could|may|might|which|that|who|also)\b)"
_LOWER_TAIL = re.compile(rf"(\s+(?:on|for)\s+{_VERBISH}[a-z][\w\-]*(?:\s+{_VERBISH}[a-z][\w\-]*){{0,5}})(?=\s*(?:[.;,)]|$))")
_TOPIC_TAIL = re.compile(rf"(\s+(?:of|on|for|from)\s+(?!(?:the|a|an|its|their|this|these|those|all|two|three|four)\b){_VERBISH}"
                         rf"[a-z][\w\-]*(?:\s+{_VERBISH}[\w\-]+){{0,6}})(?=\s*(?:[.;,)]|$))")
_GROUP_HEADS = {"Force", "Group", "Committee", "Panel", "Team", "Subcommittee"}
_PLURAL_HEADS = {"Groups", "Centres", "Centers", "Offices", "Committees", "Networks", "Secretariats", "Organizations",
                 "Organisations", "Agencies", "Partners", "Bodies", "Conventions", "Parties", "Institutes", "Units",
                 "Branches", "Divisions", "Forces", "Projects", "Initiatives", "Partnerships", "Programmes", "Members"}
_TREATY = re.compile(r"^(?:[A-Z][\w\-]*\s+){0,3}(?:Convention|Protocol|Agreement|Treaty)\s+(?:on|for|to|of|against)\b")
_NOT_ORG = re.compile(r"(?:Convention|Protocol|Agreement)$|Conference of|Open-ended Working Group|Meeting|Declaration|Decision|Plan\b|Agenda|"
                      r"\bList of\b|\bLogin\b|Statement\b|Strategy\b|Guidelines\b|Trust Fund\b|"
                      r"Annex|Section|Table|Report|Note|Bureau|Governing Council|Parties|Draft|Further|Requests|Invites|"
                      r"Welcoming|Recalling|Noting|Encourages|Urges|Article", re.I)
_OEWG_BEFORE = re.compile(r"(?:Working Group|OEWG)[^.;]{0,40}?\b(?:by|in|through|under)\s+(?:its\s+)?decisions?\s*$")
_OEWG_BEFORE_ZH = re.compile(r"工作组(?:在|通过)?\s*第\s*$")
_OEWG_AFTER = re.compile(r"^\s*(?:of|adopted by) the (?:\w+ (?:session|meeting) of the )?(?:Open-ended Working|OEWG)", re.I)
_BODY_IN_SENTENCE = re.compile(r"Expanded Bureau|Conference of the Parties|Open-ended Working Group|Governing Council|缔约方大会|缔约方会议|"
                               r"不限成员名额工作组|扩大主席团", re.I)
# between a meeting's name and its dates: "(Lyon, ", " of ", ", held in Nairobi on ", "于"
_EVENT_LEAD = re.compile(r"\s*(?:\s*(?:[,(（]|\([A-Z][\w\- ]{0,15}\)|which|that|was|were|held|inaugurated|convened|organi[sz]ed|"
                         r"hosted|and|on|in|at|from|of|by|the|to\s+be\s+held|will\s+be\s+held|took\s+place|meeting|session|"
                         r"[A-Z][\w\-]+|[于在，]|会议|该会议|本次会议)\s*)*")
_DESCRIBED_UNTIL = re.compile(r"[^.;()\n]{0,200}?\(\s*(?:[A-Z][\w\-]*[ ,]*){0,4}")
_IN_YEAR = re.compile(r"(?:\s+(?:in|at)\s+(?:the\s+)?(?:[A-Z][\w\-]*\s*){1,3})?\s+in\s+((?:19|20)\d\d)\b(?!\s*[-–]|\s+and)")


def _proper(label: str) -> bool:
    """A proper name: at least two capitalised words that are not head or generic words ("Children,
    Environment and Health Conference"), so that its year alone tells it from others."""
    own = [w for w in re.findall(r"[A-Z][\w\-]*", label) if not _HEAD.match(w) and w not in _GENERIC
           and w.lower() not in P.ORDINALS and w not in ("Conference", "Workshop", "Meeting", "Session", "Forum", "Seminar", "The")]
    return len(own) >= 2
_SYMBOL_SESSION = [(re.compile(rx), body) for rx, body in (  # UN symbol conventions: the series and session of a document
    (r"^UNEP/CHW\.(\d{1,2})/", "basel-cop"), (r"^UNEP/CHW/OEWG/(\d{1,2})/", "basel-oewg"),
    (r"^UNEP/POPS/COP\.(\d{1,2})/", "stockholm-cop"), (r"^UNEP/FAO/RC/COP\.(\d{1,2})/", "rotterdam-cop"),
    (r"^UNEP/OzL\.Conv\.(\d{1,2})/", "vienna-cop"), (r"^UNEP/OzL\.Pro\.(\d{1,2})/", "montreal-mop"),
    (r"^UNEP/OzL\.Pro\.WG\.1/(\d{1,2})/", "montreal-oewg"), (r"^UNEP/GC\.(\d{1,2})/", "unep-governing-council"))]
_MET_ON = re.compile(
    r"(?:(?:该|这个|此|本)(?P<zh>委员会|工作组|小组|理事会|网络)[^。；]{0,40}?(?:召开|举行)了?\s*(?P<n>两|二|三|四|[2-9])\s*次会议"
    r"[^。；\d]{0,12}?[：:，,]?\s*(?:分别)?(?:是|为)?(?:在|于)?"
    r"|\b[Tt]he\s+(?P<en>Committee|Working Group|Task Force|Council|Network|Group)\s+(?:has\s+|had\s+)?(?:met|held)\s+"
    r"(?P<n2>twice|two|three|four|[2-9])(?:\s+(?:times|meetings))?[^.;\d]{0,60}?[:,]?\s*(?:on|in)?\s*)")
_SENTENCE_END = re.compile(r"[.;。；](?:\s|$)")
_BODY_NAME = re.compile(
    r"(?P<body>(?<!\w)(?:Conference|Meeting) of the Parties|Open-ended Working Group|Expanded Bureau|Meeting of the Parties|Governing Council"
    r"|缔约方大会|缔约方会议|不限成员名额工作组|扩大主席团)"
    r"(?:\s+(?:of\s+the\s+Parties\s+)?(?:to|of)\s+the\s+(?:(?P<conv>Basel|Stockholm|Rotterdam|Vienna)\s+Convention|(?P<prot>Montreal)\s+Protocol))?")
_ITS_MEETING = re.compile(r"\b(?:[Aa]t|[Dd]uring|[Tt]o|[Bb]y|[Ff]rom)\s+its\s+(" + P.ORD_RE + r")(?:\s*(?:,|and)\s*(?:" + P.ORD_RE
                          + r"))*\s+(?P<extra>(?:extraordinary|special)\s+)?(?P<kind>meetings?|sessions?)\b")


def _convention(text: str) -> str | None:
    """The convention a document is about, when one clearly dominates its mentions and symbols."""
    counts = {
        "basel": len(re.findall(r"Basel Convention|巴塞尔公约|UNEP/CHW", text)),
        "stockholm": len(re.findall(r"Stockholm Convention|斯德哥尔摩公约|UNEP/POPS", text)),
        "rotterdam": len(re.findall(r"Rotterdam Convention|鹿特丹公约|UNEP/FAO/RC", text)),
    }
    best = max(counts, key=counts.get)
    others = sum(v for k, v in counts.items() if k != best)
    return best if counts[best] and counts[best] >= 2 * others else None


def _initials(name: str) -> str:
    """The capitals that open the words of a name, and its hyphenated parts ("Inter-Agency Working Group": IAWG)."""
    return "".join(part[0] for w in re.findall(r"[A-Z][\w’'\-]*", name) for part in w.split("-") if part[:1].isupper()).upper()


def _acronym_fits(acronym: str, initials: str) -> bool:
    # "GeSI", "StEP": the capitals only (e-Sustainability); "UNITAR", "Unitar": every letter
    letters = re.sub(r"[^A-Z]", "", acronym if re.search(r"[a-z]", acronym[1:]) and sum(c.isupper() for c in acronym) >= 3
                     else acronym.upper())
    if len(letters) < 2:
        return False
    it = iter(initials)
    return all(c in it for c in letters) and initials.endswith(letters[-1]) or initials == letters


def _slug_of(text: str, limit: int | None = None) -> str:
    """The IRI slug of a name: :func:`passages._slug` of its ASCII form, cut to ``limit`` characters."""
    slug = _slug(_ascii(text))
    return slug[:limit].strip("-") if limit else slug


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _bound(iso: str, *, first: bool) -> str:
    """The first (last) day of the date, month or year ``iso``."""
    import calendar

    if len(iso) == 10:
        return iso
    year = int(iso[:4])
    month = int(iso[5:7]) if len(iso) == 7 else (1 if first else 12)
    day = 1 if first else calendar.monthrange(year, month)[1]
    return f"{year:04d}-{month:02d}-{day:02d}"


def _date(iso: str) -> Literal:
    if len(iso) == 4:
        return Literal(iso, datatype=XSD.gYear)
    if len(iso) == 7:
        return Literal(iso, datatype=XSD.gYearMonth)
    return Literal(iso, datatype=XSD.date)


def _cjk_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if "\u4e00" <= c <= "\u9fff") / max(1, len(letters))


def _languages(text: str) -> list[str]:
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    latin_words = len(re.findall(r"\b[A-Za-z]{3,}\b", text))
    out = []
    if cjk >= 20:
        out.append("zh")
    if latin_words >= 20 and (latin_words > cjk / 4 or not out):
        out.append("en")
    return out or ["en"]


_SYMBOL_LINE = re.compile(r"^\s*(UNEP(?:/[A-Za-z0-9][A-Za-z0-9.\-]*)+)\s*$")


def _own_symbol(cover_text: str) -> str | None:
    """The document's own symbol: a symbol alone on a line among the first lines of the cover."""
    for line in cover_text.split("\n")[:25]:
        m = _SYMBOL_LINE.match(line)
        if m and re.search(r"\d$", m.group(1)):
            return m.group(1)
    return None


def _title(cover_text: str, cover: Passage, lines: list[str]) -> str | None:
    """The title: the block of lines just before 'Note by the Secretariat' / '秘书处的说明' on the cover."""
    rows = [lines[i - 1].strip() for i in cover.lines]
    for k, row in enumerate(rows):
        if KINDS[0][0].search(row):
            block: list[str] = []
            for prev in reversed(rows[:k]):
                if not prev:
                    if block:
                        break
                    continue
                if re.search(r"agenda|议程|^\d|Distr|Original|UNEP/", prev, re.I):
                    break
                block.insert(0, prev)
            if block:
                return " ".join(block)
    return None
