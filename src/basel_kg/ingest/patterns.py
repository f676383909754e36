"""Rules for the mentions a UN document makes, in English and Chinese: decisions, UN document
symbols, meetings (ordinal + body), dates and date ranges, persons. Pure functions over a
passage's text, returning spans; matching to the graph is :mod:`basel_kg.ingest.gazetteer`.

Dates: English month names and the Chinese 年/月/日 forms are read by these rules, and each
date found is checked with ``dateparser`` (a real calendar date, in the language given) before
it is returned; ranges ("17 to 21 October 2011", "17–21 October 2011", "30 June–2 July 2010",
"2010年5月10-14日", "2008 年 6 月 23 日－27 日") give a start and an end.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import lru_cache

from .passages import zh_number

__all__ = ["Span", "DateSpan", "decisions", "symbols", "dates", "meetings", "events", "persons", "ORDINALS", "ORD_RE"]


@dataclass(frozen=True)
class Span:
    kind: str
    text: str  # as written
    start: int
    end: int
    value: dict


@dataclass(frozen=True)
class DateSpan:
    text: str
    start: int
    end: int
    begin: str  # ISO: YYYY-MM-DD | YYYY-MM | YYYY
    finish: str  # same as begin for a single date


# --- decisions -------------------------------------------------------------------------------------

_ROMAN_RE = r"(?:L?X{0,3}(?:IX|IV|V?I{0,3}))"
_NUM = (rf"(?:(?:OEWG|BC|SC|RC)-(?:{_ROMAN_RE}|\d{{1,2}})/\d{{1,3}}|(?:BC|RC|SC)\.Ex-\d/\d{{1,2}}|SS\.{_ROMAN_RE}/\d{{1,2}}"
        rf"|{_ROMAN_RE}/\d{{1,3}}|\d{{1,2}}/\d{{1,3}})")
_EN_LIST = re.compile(
    rf"\b[Dd]ecisions?\s+(?P<list>{_NUM}(?:\s*(?:,|and|&|to|or|as well as)\s*(?:decisions?\s+)?{_NUM})*)(?![\w/])")
_PREFIXED = re.compile(r"(?<![\w/.-])(?:OEWG|BC|SC|RC)-(?:" + _ROMAN_RE + r"|\d{1,2})/\d{1,3}(?![\w/])"
                       r"|(?<![\w/.-])(?:BC|RC|SC)\.Ex-\d/\d{1,2}(?![\w/])")
_ZH_LIST = re.compile(
    rf"第\s*(?P<list>{_NUM}(?:\s*(?:号决定)?\s*(?:、|和|及|与|,|，|以及)\s*(?:第\s*)?{_NUM})*)\s*号(?:和第\s*{_NUM}\s*号)?决定")
_ONE = re.compile(_NUM)


def _session(text: str) -> int | None:
    text = text.upper()
    if text.isdigit():
        return int(text)
    value, prev = 0, 0
    for c in reversed(text):
        v = {"I": 1, "V": 5, "X": 10, "L": 50}.get(c)
        if v is None:
            return None
        value = value - v if v < prev else value + v
        prev = max(prev, v)
    return value or None


def parse_decision_number(number: str) -> dict:
    """'IX/9' -> series basel, session 9, no 9; 'SC-2/25' -> stockholm; 'OEWG-VI/11' -> oewg; 'BC.Ex-1/1' -> joint."""
    m = re.match(r"^(?:(OEWG|BC|SC|RC)-)?(.+?)/(\d+)$", number)
    series = None
    if number.startswith("SS."):
        return {"series": "unep-gc-special", "session": _session(number[3:].split("/")[0]), "no": int(number.split("/")[1])}
    if ".Ex-" in number:
        conv, rest = number.split(".Ex-")
        s, n = rest.split("/")
        return {"series": {"BC": "basel", "SC": "stockholm", "RC": "rotterdam"}[conv] + "-ex", "session": int(s), "no": int(n)}
    prefix, session, no = m.group(1), m.group(2), int(m.group(3))
    series = {"OEWG": "basel-oewg", "BC": "basel-cop", "SC": "stockholm-cop", "RC": "rotterdam-cop", None: None}[prefix]
    return {"series": series, "session": _session(session), "no": no, "roman": not session.isdigit()}


def decisions(text: str) -> list[Span]:
    """Decision numbers cited: after 'decision(s)', in 第…号决定, or with a series prefix (BC-, SC-, RC-, OEWG-)."""
    found: dict[tuple[int, int], Span] = {}
    for pattern in (_EN_LIST, _ZH_LIST):
        for m in pattern.finditer(text):
            for one in _ONE.finditer(m.group(0)):
                start = m.start() + one.start()
                number = one.group(0)
                if "/" not in number or number.endswith("/"):
                    continue
                found[(start, start + len(number))] = Span("decision", number, start, start + len(number),
                                                           parse_decision_number(number))
    for m in _PREFIXED.finditer(text):
        key = (m.start(), m.end())
        if not any(s <= m.start() < e for s, e in found):
            found[key] = Span("decision", m.group(0), m.start(), m.end(), parse_decision_number(m.group(0)))
    return [found[k] for k in sorted(found)]


# --- UN document symbols ------------------------------------------------------------------------------

_SYMBOL = re.compile(r"(?<![A-Za-z0-9_/])UNEP(?:/[A-Za-z0-9][A-Za-z0-9.\-]*)+(?:\s*/\s*(?:Add|Rev|Corr)\.\s?\d+)*")


def symbols(text: str) -> list[Span]:
    """UN document symbols as written (UNEP/CHW.10/28, UNEP/FAO/RC/COP.8/INF/29, .../Add.1), trailing dot cut."""
    out = []
    for m in _SYMBOL.finditer(text):
        sym = re.sub(r"\s+", "", m.group(0)).rstrip(".-")
        if not re.search(r"\d", sym):
            continue  # UNEP/Chemicals, UNEP/OCHA: a unit written with a slash, not a document
        out.append(Span("symbol", sym, m.start(), m.start() + len(sym), {"complete": bool(re.search(r"\d$", sym))}))
    return out


# --- dates ------------------------------------------------------------------------------------------------

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], 1)}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9
_MON = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_DASH = r"\s*(?:-|–|—|‑|to|until|till)\s*"
_EN_RANGE_X = re.compile(rf"\b(\d{{1,2}})\s+({_MON}){_DASH}(\d{{1,2}})\s+({_MON}),?\s+(\d{{4}})\b")
_EN_RANGE = re.compile(rf"\b(?:from\s+)?(\d{{1,2}}){_DASH}(\d{{1,2}})\s+({_MON}),?\s+(\d{{4}})\b")
_EN_TWO_DAYS = re.compile(rf"\b(\d{{1,2}})\s+and\s+(\d{{1,2}})\s+({_MON}),?\s+(\d{{4}})\b")  # "20 and 21 August 2009"
_EN_DAY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MON}),?\s+(\d{{4}})\b")
_EN_MDY = re.compile(rf"\b({_MON})\s+(\d{{1,2}}),\s+(\d{{4}})\b")
_EN_MONTH = re.compile(rf"(?<!\d )(?<!\d)\b(?:in\s+|of\s+)?({_MON})\s+(\d{{4}})\b")
# "September / October 2009", "September-October 2009", "2009年9月/10月", "2009年9月至10月": a span of months
_EN_MONTHS = re.compile(rf"(?<!\d )(?<!\d)\b({_MON})\s*(?:/|-|–|to)\s*({_MON})\s+(\d{{4}})\b")
_ZH_MONTHS = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:/|-|–|至|到)\s*(\d{1,2})\s*月(?!\s*\d)")
_ZH_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日?)?"
                      r"(?:\s*(?:-|－|–|—|~|～|至|到)\s*(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日)?")


def _check(y: int, m: int, d: int | None) -> bool:
    import datetime

    try:
        datetime.date(y, m, d or 1)
    except ValueError:
        return False
    return 1900 <= y <= 2100


@lru_cache(maxsize=1)
def _date_parser():
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]})


@lru_cache(maxsize=4096)
def _parsed(day: str, month: str, year: str) -> str | None:
    """One English date checked with dateparser (a real day of that month and year)."""
    value = _date_parser().get_date_data(f"{day} {month} {year}").date_obj
    return value.date().isoformat() if value else None


def dates(text: str) -> list[DateSpan]:
    out: list[DateSpan] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return not any(a < e and s < b for s, e in taken)

    def add(m: re.Match, begin: str | None, finish: str | None) -> None:
        if begin and finish and begin <= finish and free(m.start(), m.end()):
            taken.append((m.start(), m.end()))
            out.append(DateSpan(m.group(0), m.start(), m.end(), begin, finish))

    for m in _EN_RANGE_X.finditer(text):
        add(m, _parsed(m.group(1), m.group(2), m.group(5)), _parsed(m.group(3), m.group(4), m.group(5)))
    for m in _EN_TWO_DAYS.finditer(text):
        first, second = _parsed(m.group(1), m.group(3), m.group(4)), _parsed(m.group(2), m.group(3), m.group(4))
        if first and second and int(m.group(2)) == int(m.group(1)) + 1:
            add(m, first, second)
    for m in _EN_RANGE.finditer(text):
        add(m, _parsed(m.group(1), m.group(3), m.group(4)), _parsed(m.group(2), m.group(3), m.group(4)))
    for m in _EN_DAY.finditer(text):
        d = _parsed(m.group(1), m.group(2), m.group(3))
        add(m, d, d)
    for m in _EN_MDY.finditer(text):
        d = _parsed(m.group(2), m.group(1), m.group(3))
        add(m, d, d)
    for m in _EN_MONTHS.finditer(text):
        a, b = MONTHS.get(m.group(1).lower().rstrip(".")), MONTHS.get(m.group(2).lower().rstrip("."))
        if a and b and a < b:
            y = int(m.group(3))
            add(m, f"{y:04d}-{a:02d}", f"{y:04d}-{b:02d}")
    for m in _ZH_MONTHS.finditer(text):
        y, a, b = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= a < b <= 12:
            add(m, f"{y:04d}-{a:02d}", f"{y:04d}-{b:02d}")
    for m in _EN_MONTH.finditer(text):
        month = MONTHS.get(m.group(1).lower().rstrip("."))
        if month and _check(int(m.group(2)), month, None):
            v = f"{int(m.group(2)):04d}-{month:02d}"
            add(m, v, v)
    for m in _ZH_DATE.finditer(text):
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        if not _check(y, mo, int(d) if d else None):
            continue
        begin = f"{y:04d}-{mo:02d}" + (f"-{int(d):02d}" if d else "")
        finish = begin
        if m.group(6):
            y2 = int(m.group(4) or y)
            mo2 = int(m.group(5) or mo)
            if not d or not _check(y2, mo2, int(m.group(6))):
                continue
            finish = f"{y2:04d}-{mo2:02d}-{int(m.group(6)):02d}"
        add(m, begin, finish)
    return sorted(out, key=lambda s: s.start)


# --- meetings --------------------------------------------------------------------------------------------

ORDINALS = {w: i for i, w in enumerate(
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
     "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
     "twentieth"], 1)}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
for _tens, _n in _TENS.items():  # "twenty-fifth session", "thirty first meeting"; "thirtieth"
    for _unit in ORDINALS.copy():
        if ORDINALS[_unit] < 10:
            ORDINALS[f"{_tens} {_unit}"] = ORDINALS[f"{_tens}-{_unit}"] = _n + ORDINALS[_unit]
    if _n > 20:
        ORDINALS[_tens[:-1] + "ieth"] = _n
_ORD_RE = "|".join(sorted(ORDINALS, key=len, reverse=True))
ORD_RE = _ORD_RE
BODY_WORDS = {
    "conference of the parties": "cop", "meeting of the parties": "mop", "open-ended working group": "oewg",
    "expanded bureau": "expanded-bureau", "bureau": "bureau", "governing council": "unep-gc",
    "缔约方大会": "cop", "缔约方会议": "cop", "不限成员名额工作组": "oewg", "扩大主席团": "expanded-bureau",
    "理事会": "unep-gc", "主席团": "bureau",
}
_BODY_EN = r"(?P<body>Conference of the Parties|Meeting of the Parties|Open-ended Working(?: Group)?|Expanded Bureau|Bureau|Governing Council)"
_CONV_EN = (r"(?:(?:\s+of\s+the\s+Parties)?\s+(?:to|of)\s+the\s+(?:(?P<conv>Basel|Stockholm|Rotterdam|Vienna|Minamata)\s+Convention"
            r"|(?P<prot>Montreal)\s+Protocol))?")
_MEETING_EN = re.compile(
    rf"\b(?:the\s+)?(?:(?P<ord>{_ORD_RE})|(?P<num>\d{{1,2}})(?:st|nd|rd|th))\s+(?P<extra>(?:extraordinary|special|ordinary|resumed)\s+)?"
    rf"(?:(?:meeting|session)\s+of\s+(?:the\s+|its\s+)?{_BODY_EN}|(?P<mop>Meeting of the Parties)){_CONV_EN}", re.I)
_MEETING_EN_SHORT = re.compile(r"(?<![/\w.-])(?P<body>COP|OEWG|MOP)[-\s]?(?P<num>\d{1,2})(?![-\w/.])")
_ZH_ORD = r"[一二三四五六七八九十]{1,3}|\d{1,2}"
_MEETING_ZH = re.compile(
    rf"(?P<body>缔约方大会|缔约方会议|不限成员名额工作组|扩大主席团|主席团|理事会)?\s*第\s*(?P<ord>{_ZH_ORD})\s*(?:次|届)\s*(?P<extra>特别)?(?:会议|常会)")


def meetings(text: str) -> list[Span]:
    out = []
    for m in _MEETING_EN.finditer(text):
        n = ORDINALS.get((m.group("ord") or "").lower()) or (int(m.group("num")) if m.group("num") else None)
        body = "mop" if m.group("mop") else BODY_WORDS[re.sub(r"working$", "working group", m.group("body").lower())]
        conv = (m.group("conv") or m.group("prot") or "").lower() or None
        extra = (m.group("extra") or "").strip().lower()
        out.append(Span("meeting", m.group(0), m.start(), m.end(),
                        {"ordinal": n, "body": body, "convention": conv, "extraordinary": extra in ("extraordinary", "special"),
                         "resumed": extra == "resumed"}))
    for m in _MEETING_EN_SHORT.finditer(text):
        if any(s.start <= m.start() < s.end for s in out):
            continue
        out.append(Span("meeting", m.group(0), m.start(), m.end(),
                        {"ordinal": int(m.group("num")), "body": m.group("body").lower(), "convention": None,
                         "extraordinary": False, "short": True}))
    for m in _MEETING_ZH.finditer(text):
        raw = m.group("ord")
        n = int(raw) if raw.isdigit() else zh_number(raw)
        body = BODY_WORDS.get(m.group("body") or "")
        out.append(Span("meeting", m.group(0), m.start(), m.end(),
                        {"ordinal": n, "body": body, "convention": None, "extraordinary": bool(m.group("extra"))}))
    return sorted(out, key=lambda s: s.start)


# one-off meetings: "the 42nd meeting of the Implementation Committee ...", "a Workshop on Environmental
# Goods and Services", "the WTO CTE meeting", "第二次专家会议"; extract.py keeps only those followed by their dates
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_EVENT_NOUN = r"(?:meetings?|session|workshop|seminar|consultations?|conference|forum|debriefing|symposium|dialogue)"
_EVENT_EN = re.compile(
    rf"(?<![\w-])(?:(?P<det>the|a|an|its|their)\s+)?(?:(?P<ord>{_ORD_RE})\s+|(?P<num>\d{{1,3}})(?:st|nd|rd|th)\s+|(?P<year>(?:19|20)\d\d)\s+)?"
    rf"(?P<pre>(?:(?:[A-Z0-9][\w’'&\-]*,?|(?<=[A-Za-z,] )and(?=\s+[A-Z])|regional|technical|joint|international|inaugural|expert|preparatory|annual|last|first|"
    rf"informal|global|national|sub-?regional|consultative|high-level|ministerial|organized|organised)\s+){{0,7}})"
    rf"(?P<noun>(?i:{_EVENT_NOUN}))(?P<where>\s+in\s+(?!{_MONTHS}\b)[A-Z][\w\-]+(?=\s+(?:on|of|for)\s))?"
    rf"(?:\s+(?P<prep>of|on|for)\s+(?:the\s+)?(?P<of>(?:[A-Z][\w’'&\-]*)(?:\s+(?:(?!{_MONTHS}\b)[A-Z0-9][\w’'&\-]*|and|of|on|for|the|in|to|under|within)){{0,12}}))?")
# "informal consultations on human rights-based approaches to ... (Geneva, 18 September 2009)": a
# meeting described in lowercase, named by the place and date in brackets right after it
_EVENT_DESCRIBED = re.compile(
    r"(?<![\w-])(?P<label>(?:[A-Z]{2,8}\s+)?(?:(?!(?:in|at|the|a|an|of|on|to|and|by|during|with|for|its|their)\s)[a-z][a-z\-]+\s+){0,2}"
    r"(?P<noun>[Mm]eetings?|[Ww]orkshop|[Ss]eminar|[Cc]onsultations?|[Cc]onference|[Ff]orum|training|dialogue)\s+(?:(?:devoted|dedicated)\s+)?"
    r"(?:on|of|for|to)\s+[^()\n.;]{3,160}?)"
    # then the place and date in brackets, or "which was hosted by ... in Geneva on ...", ", organized by ..."
    r"(?=\s*\((?:[A-Z][\w\-]*[ ,]*){1,4}\d|\s+(?:which|that)\s+(?:was|were|is|will\s+be)\s+(?:held|hosted|organi[sz]ed|convened)\b"
    r"|\s*,\s*(?:organi[sz]ed|hosted|held|convened)\b"
    # "the Workshop on management and destruction of ... held in Geneva on 13 July 2009"
    r"|\s+(?:held|hosted|organi[sz]ed|convened)\s+(?:in|at|on)\s"
    # "a joint meeting of directors from SCRCs and BCRCs in Geneva, September / October 2009"
    rf"|\s+in\s+[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)?,\s*(?:\d|{_MONTHS}))")
# "the GCI partners' fifth (26-27 January 2009, Brussels) and sixth (8-9 February 2010, Geneva) meetings",
# "the PACE Working Group's physical meeting in Geneva in May 2009": meetings of a named owner
_OWNER = r"(?P<owner>(?:[A-Z][\w&\-]*\s+){0,6}(?:[A-Z][\w&\-]*|partners|members|experts))"
# "the preparatory and debriefing meetings at WCO headquarters (9 February 2009 and 23 November 2009)":
# two meetings, dated in the same order
_EVENT_PAIRED = re.compile(r"(?<![\w-])(?P<a>[a-z]{4,})\s+and\s+(?P<b>[a-z]{4,})\s+(?P<noun>meetings|workshops|sessions)"
                           r"(?P<where>\s+(?:at|in)\s+[^()\n.;]{2,60}?)?\s*\((?P<dates>[^()]{8,60})\)")
_HEAD_LIKE = re.compile(r"(?:The\s+|the\s+)?(?:Committee|Group|Working Group|Council|Conference|Bureau|Network|Secretariat|Parties)")
_EVENT_OWNED_LIST = re.compile(
    _OWNER + rf"['’]s?\s+(?P<items>(?:{_ORD_RE})(?:\s*\([^()]{{4,60}}\))?(?:\s*(?:,|and|,\s*and)\s*(?:{_ORD_RE})(?:\s*\([^()]{{4,60}}\))?)+)"
    r"\s+(?P<noun>meetings|sessions|workshops)\b")
_EVENT_OWNED = re.compile(_OWNER + rf"(?:['’]s?|\s+(?:at|during|in)\s+its)\s+(?P<adj>(?:{_ORD_RE}|[a-z]+)\s+)?(?P<noun>meeting|session|workshop)\b")
# "MEPC 59, 13-17 July 2009": a body's acronym and the meeting's number (kept only when dated)
_EVENT_ACRONYM = re.compile(r"(?<![\w/.-])(?P<acr>[A-Z][A-Z0-9]{1,7})\s(?P<num>\d{1,3})(?=\s*,)")
_EVENT_ZH = re.compile(r"(?:(?<=[了的和与及、，。；：（“])|(?<![\u4e00-\u9fff]))(?P<name>(?:(?![了在])[\u4e00-\u9fff]){1,16}?"
                       r"(?:委员会|工作组|理事会|大会|小组|论坛|网络|中心|组织))"
                       rf"第\s*(?P<ord>{_ZH_ORD})\s*(?:次|届)\s*(?P<noun>会议|讲习班|研讨会|论坛)")


# a meeting described by its kind and dated by the passive that says where it was held: "A technical meeting
# attended by SBC and the UNEP-DMB was organized at the IMO on 28 February 2008", "于 2008 年 2 月 28 日在海事组织
# 举行了一次技术会议" (the day is required: nothing else tells this meeting from another)
_EVENT_PASSIVE = re.compile(
    r"(?<![\w-])(?:An?|an?)\s+(?P<adj>(?:(?!(?:meeting|workshop|seminar|consultation|conference)\b)[a-z][a-z\-]+\s+){0,2})"
    r"(?P<noun>meeting|workshop|seminar|consultation|conference)\b[^.;()\n]{0,80}?\s+(?:was|were)\s+"
    r"(?P<verb>organi[sz]ed|held|convened|hosted)\s+(?P<prep>at|by|in)\s+"
    r"(?P<host>(?:the\s+)?[A-Z][\w\-]*(?:\s+(?:of\s+the\s+|of\s+)?[A-Z][\w\-]*){0,4})\s+on\s+")
_EVENT_PASSIVE_ZH = re.compile(
    r"(?:于|在)\s*(?P<date>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*在(?P<host>[\u4e00-\u9fffA-Za-z]{2,12}?)"
    r"(?:总部)?(?:举行|召开|举办)了?(?:一次)?(?P<label>(?P<adj>[\u4e00-\u9fff]{0,4}?)(?P<noun>会议|讲习班|研讨会))")


def events(text: str) -> list[Span]:
    """Named one-off meetings, workshops, sessions, consultations; value: label as written, ordinal,
    the name after "of/on" (the body or the topic)."""
    out = []
    for m in _EVENT_EN.finditer(text):
        of = m.group("of") or ""
        of = re.sub(r"(?:\s+\d[\d\-–‑]*)+$", "", of)  # "... in Products 17-18 December": the days are not the name
        of = re.sub(r"(?:\s+(?:and|of|on|for|the|in|to|under))+$", "", of)  # a name ends on a capitalised word
        pre = m.group("pre") or ""
        label_end = m.start("of") + len(of) if of else m.end("noun")
        label = text[m.start("ord") if m.group("ord") else m.start("num") if m.group("num") else
                     m.start("year") if m.group("year") else m.start("pre"):label_end].strip()
        if not re.search(r"[A-Z]", re.sub(r"^(?:A|An|The)\s+", "", pre) + of) and not (m.group("ord") or m.group("num")):
            continue  # "the meeting", "a workshop", "A meeting was held": no name
        n = ORDINALS.get((m.group("ord") or "").lower()) or (int(m.group("num")) if m.group("num") else None)
        label = re.sub(r"^(?:The|A|An)\s+(?=[A-Z])", "", label)  # "The Workshop on ...": the sentence's article
        out.append(Span("event", label, m.start(), label_end,
                        {"label": label, "ordinal": n, "of": of or None, "pre": pre.strip() or None,
                         "noun": m.group("noun").lower()}))
    for m in _EVENT_DESCRIBED.finditer(text):
        if any(s.start <= m.start("label") < s.end for s in out):
            continue
        label = m.group("label")
        out.append(Span("event", label, m.start("label"), m.end("label"),
                        {"label": label, "ordinal": None, "of": None, "pre": None, "noun": m.group("noun").lower(),
                         "described": True}))
    for m in _EVENT_PAIRED.finditer(text):
        inside = dates(m.group("dates"))
        if len(inside) != 2 or not re.fullmatch(r"\s*and\s*", m.group("dates")[inside[0].end:inside[1].start]):
            continue
        where = (m.group("where") or "").strip()
        for key, d in zip("ab", inside):
            label = f"{m.group(key).capitalize()} {m.group('noun')[:-1]}{' ' + where if where else ''}"
            out.append(Span("event", label, m.start(key), m.end(key),
                            {"label": label, "ordinal": None, "of": None, "pre": None, "noun": m.group("noun")[:-1],
                             "date": d, "paired": True}))
    for m in _EVENT_OWNED_LIST.finditer(text):
        owner = re.sub(r"^(?:The|the)\s+", "", m.group("owner"))
        for o in re.finditer(_ORD_RE, m.group("items"), re.I):
            n = ORDINALS[o.group(0).lower()]
            label = f"{o.group(0)[0].upper()}{o.group(0)[1:].lower()} {m.group('noun')[:-1]} of the {owner}"
            start = m.start("items") + o.start()
            out.append(Span("event", label, start, start + len(o.group(0)),
                            {"label": label, "ordinal": n, "of": owner, "pre": None, "noun": m.group("noun")[:-1], "owned": True}))
    for m in _EVENT_OWNED.finditer(text):
        if any(s.start <= m.start("noun") < s.end or m.start() <= s.start < m.end() for s in out):
            continue
        owner = re.sub(r"^(?:The|the)\s+", "", m.group("owner"))
        adj = (m.group("adj") or "").strip()
        if not re.search(r"[A-Z]", owner) or _HEAD_LIKE.fullmatch(owner) or adj == "own":
            continue  # whose meeting is not said ("The Committee at its last meeting"); which one: its dates (extract.py)
        when = adj in ("next", "last", "previous", "latest", "recent")  # says when, not what: not in the label
        label = (f"{adj.capitalize()} {m.group('noun')}" if adj and not when else m.group("noun").capitalize()) + f" of the {owner}"
        n = ORDINALS.get(adj.lower())
        out.append(Span("event", label, m.start(), m.end(),
                        {"label": label, "ordinal": n, "of": owner, "pre": None, "noun": m.group("noun"), "owned": True}))
    for m in _EVENT_ACRONYM.finditer(text):
        if m.group("acr") in ("COP", "OEWG", "MOP") or any(s.start <= m.start() < s.end for s in out):
            continue  # sessions of the conventions' bodies: meetings()
        out.append(Span("event", m.group(0), m.start(), m.end(),
                        {"label": m.group(0), "ordinal": int(m.group("num")), "of": m.group("acr"), "pre": None,
                         "noun": None}))
    passive = []
    for m in _EVENT_PASSIVE.finditer(text):  # "A technical meeting ... was organized at the IMO on 28 February 2008"
        d = next((d for d in dates(text[m.end():m.end() + 40]) if d.start == 0 and len(d.begin) == 10), None)
        if d is None:
            continue
        passive.append(m.start("noun"))
        out[:] = [s for s in out if not s.start <= m.start("noun") < s.end]  # the same meeting, read with less
        label = f"{(m.group('adj') + m.group('noun')).capitalize()} {m.group('verb')} {m.group('prep')} {m.group('host')}"
        out.append(Span("event", label, m.start(), m.end(),
                        {"label": label, "ordinal": None, "of": None, "pre": None, "noun": m.group("noun"),
                         "described": True, "date": d}))
    for m in _EVENT_PASSIVE_ZH.finditer(text):  # "于 2008 年 2 月 28 日在海事组织举行了一次技术会议"
        d = next((d for d in dates(m.group("date")) if len(d.begin) == 10), None)
        if d is None or any(s.start <= m.start("noun") < s.end for s in out):
            continue
        label = m.group("label")
        out.append(Span("event", label, m.start("label"), m.end("label"),
                        {"label": label, "ordinal": None, "of": m.group("host"), "pre": None, "noun": m.group("noun"),
                         "described": True, "date": d, "zh": True}))
    for m in _EVENT_ZH.finditer(text):
        if any(m.start() <= x < m.end() for x in passive):
            continue
        raw = m.group("ord")
        out.append(Span("event", m.group(0), m.start(), m.end(),
                        {"label": m.group(0), "ordinal": int(raw) if raw.isdigit() else zh_number(raw),
                         "of": m.group("name"), "pre": None, "noun": m.group("noun"), "zh": True}))
    return sorted(out, key=lambda s: s.start)


# --- one event kind or one organisation family spread over a list of places ---------------------------
# "all the GCI workshops that took place in 2009 (in Mongolia, India, Kenya, ... and at the India/Nepal
# border)", "the workshops held in 2009 in Kenya and Nigeria": one workshop per listed place, in that year
_LIST_ITEM = r"(?:the\s+)?[A-Z][\w'’\-/]*(?:\s+(?:[A-Z][\w'’\-/]*|border|of|and(?=\s+[A-Z][\w\-]*\s*(?:[,)]|and|$))))*"
_PLACE_LIST = (rf"(?:in|at)\s+{_LIST_ITEM}(?:\s*,\s*(?:(?:and\s+)?(?:in|at)\s+)?{_LIST_ITEM}|\s*,?\s+and\s+(?:(?:in|at)\s+)?{_LIST_ITEM})+")
_DISTRIBUTED_EVENTS = re.compile(
    r"(?<![\w-])(?P<owner>(?:[A-Z][\w&\-]*\s+){1,4})(?P<kind>(?:[a-z]+\s+)?)(?P<noun>workshops|meetings|seminars|conferences|consultations)"
    r"\s+(?:(?:that|which)\s+(?:took\s+place|were\s+(?:held|organi[sz]ed|convened))|held|organi[sz]ed|convened)"
    rf"\s+in\s+(?P<year>(?:19|20)\d\d)\s*(?:\(\s*(?P<blist>{_PLACE_LIST})\s*\)|\s(?P<list>{_PLACE_LIST}))")
_DISTRIBUTED_EVENTS_ZH = re.compile(
    r"(?P<year>(?:19|20)\d\d)\s*年(?:期间)?(?:在|于)(?P<list>[\u4e00-\u9fff/]{1,12}(?:[、和及与][\u4e00-\u9fff/]{1,12})+)"
    r"(?:举办|举行|召开)的(?:所有)?(?P<owner>[A-Za-z]{2,8}|[\u4e00-\u9fff]{2,16}?)(?P<noun>讲习班|研讨会|会议)")


def _items(listed: str, offset: int, split: str) -> list[tuple[str, int, int]]:
    out = []
    for m in re.finditer(split, listed):
        item = m.group("item")
        out.append((item, offset + m.start("item"), offset + m.end("item")))
    return out


def distributed_events(text: str) -> list[Span]:
    """Events of one kind and owner that the sentence spreads over listed places in one year; value:
    owner as written, noun (singular), year, places [(text, start, end)]."""
    out = []
    for m in _DISTRIBUTED_EVENTS.finditer(text):
        group = "blist" if m.group("blist") else "list"
        items = _items(m.group(group), m.start(group),
                       r"(?:^|,|\band\b)\s*(?:and\s+)?(?:(?:in|at)\s+)?(?:the\s+)?(?P<item>[A-Z][\w'’\-/]*(?:\s+(?:[A-Z][\w'’\-/]*|border|of))*)")
        owner = m.group("owner").strip()
        kind = m.group("kind").strip()
        out.append(Span("events", m.group(0), m.start(), m.end(),
                        {"owner": owner, "kind": kind, "noun": m.group("noun")[:-1], "year": m.group("year"), "places": items}))
    for m in _DISTRIBUTED_EVENTS_ZH.finditer(text):
        items = _items(m.group("list"), m.start("list"), r"(?P<item>[^、和及与]+)")
        noun = {"讲习班": "workshop", "研讨会": "seminar", "会议": "meeting"}[m.group("noun")]
        out.append(Span("events", m.group(0), m.start(), m.end(),
                        {"owner": m.group("owner"), "kind": "", "noun": noun, "year": m.group("year"), "places": items, "zh": True}))
    return out


# "UNEP Regional Offices for Europe, Asia Pacific and Africa", "the regional Centres based in Egypt, Senegal
# and Nigeria", "various MEA Secretariats, including the CBD, CITES and the UNCCD": one organisation per
# listed place or owner, of the family the plural head names
_ORG_ITEM = r"(?:the\s+)?[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*)*"
_ORG_LIST = rf"{_ORG_ITEM}(?:\s*,\s*(?:and\s+)?{_ORG_ITEM}|\s+and\s+{_ORG_ITEM})+"
_DISTRIBUTED_ORGS = re.compile(
    r"(?<![\w-])(?P<owner>(?:[A-Z][\w&\-]*\s+){0,3}?)(?P<adj>(?:(?!(?:the|a|an|of|and|in|for|to|by|with|its|their|various|all|other|several)\s)[A-Za-z][a-z\-]+\s+)?)"
    r"(?P<head>Offices|Centres|Centers|Secretariats|Committees|Networks|Branches|Units|Divisions|Task\s+Forces)"
    rf"(?:\s+(?P<prep>for|in|of|based\s+in|located\s+in)|\s*,?\s+(?P<incl>including|such\s+as|namely))\s+(?P<list>{_ORG_LIST})"
    r"(?![\w’'\-]|\s+(?:Conventions|Secretariats|Protocols)\b)")
_DISTRIBUTED_ORGS_ZH = re.compile(
    r"(?:设在|位于|设于)(?P<list>[^，。；、的\s]{1,12}(?:[、和及与][^，。；、的\s]{1,12})+)的(?P<head>区域办事处|区域中心|秘书处)")
ZH_ORG_HEADS = {"区域办事处": "Regional Office", "区域中心": "Regional Centre", "秘书处": "Secretariat"}


def distributed_organisations(text: str) -> list[Span]:
    """Organisations of one family the sentence spreads over a list; value: owner and adjective as
    written, singular head, preposition (or None after "including"), items [(text, start, end)]."""
    out = []
    for m in _DISTRIBUTED_ORGS.finditer(text):
        head = re.sub(r"\s+", " ", m.group("head"))
        singular = re.sub(r"(?:es)$", "", head) if head.endswith("ches") else head[:-1]
        items = [(i.group("item"), m.start("list") + i.start("item"), m.start("list") + i.end("item"))
                 for i in re.finditer(r"(?:^|,|\band\b)\s*(?:and\s+)?(?P<item>(?:the\s+)?[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*)*)",
                                      m.group("list"))]
        if re.search(r"\b(?:Conventions|Protocols|Secretariats|Parties|Agreements)$", items[-1][0]):
            continue  # "the Secretariats of the Rotterdam and Stockholm Conventions": one name, the list inside it
        prep = re.sub(r"\s+", " ", m.group("prep")) if m.group("prep") else None
        out.append(Span("organisations", m.group(0), m.start(), m.end(),
                        {"owner": m.group("owner").strip(), "adj": m.group("adj").strip(), "head": singular, "prep": prep,
                         "items": items}))
    for m in _DISTRIBUTED_ORGS_ZH.finditer(text):
        pieces, at = [], m.start("list")
        for piece in m.group("list").split("、"):
            pieces.append((piece, at, at + len(piece)))
            at += len(piece) + 1
        last, a, b = pieces[-1]  # the conjunction before the last item: "塞内加尔和尼日利亚"
        cut = max(last.rfind(c) for c in "和及与")
        if cut > 0:
            pieces[-1:] = [(last[:cut], a, a + cut), (last[cut + 1:], a + cut + 1, b)]
        items = pieces
        out.append(Span("organisations", m.group(0), m.start(), m.end(),
                        {"owner": "", "adj": "", "head": ZH_ORG_HEADS[m.group("head")], "prep": "based in",
                         "items": items, "zh": True}))
    return out


# --- Chinese organisation names (jieba) -------------------------------------------------------------
_ZH_NAME_HEADS = ("组织", "中心", "秘书处", "委员会", "署", "论坛", "伙伴关系", "网络", "大会", "工作组", "理事会", "倡议", "联盟",
                "协会", "研究所", "基金")
_ZH_NOUNISH = {"n", "nr", "ns", "nt", "nz", "nrt", "j", "vn", "b", "eng", "l", "an", "nrfg", "ng"}
_ZH_PROPER = {"nr", "ns", "nt", "nz", "nrt", "j", "eng", "nrfg"}


@functools.cache
def _jieba():
    """jieba's part-of-speech tagger; its dictionary ships in the package (nothing is downloaded), and
    its prefix cache goes to the temporary folder."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def zh_organisation_phrases(text: str, known=lambda word: False) -> list[Span]:
    """Noun phrases ending in an organisation head word ("巴塞尔工商业论坛", "亚洲危险废物非法越境控制网络"),
    segmented and tagged by jieba; value: whole (opens with a proper noun, or a name ``known`` says the
    graph has: a name as written) or fragment (a generic head cut from a proper noun by 的: "巴塞尔公约的
    区域中心", which may or may not be one name). Generic phrases ("各区域中心", "该委员会") are neither."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return []
    tokens, at = [], 0
    for word, flag in _jieba().cut(text):
        tokens.append((word, flag, at, at + len(word)))
        at += len(word)
    nounish = lambda k: tokens[k][1] in _ZH_NOUNISH or tokens[k][0].endswith(_ZH_NAME_HEADS)  # noqa: E731
    out, left = [], len(tokens)  # phrases are read right to left; ``left``: where the last one began
    for h in range(len(tokens) - 1, -1, -1):
        if h >= left or not tokens[h][0].endswith(_ZH_NAME_HEADS) or not (nounish(h) and not tokens[h][1].startswith("v")
                                                                        or tokens[h][0] == "组织"):
            continue  # "签署" (to sign) is no head
        after = next((t for t in tokens[h + 1:] if t[0].strip()), None)  # a line may wrap inside a Chinese name
        if after is not None and after[1] in _ZH_NOUNISH and re.fullmatch(r"\s*", text[tokens[h][3]:after[2]]) \
                and (after[2] == tokens[h][3] or "\n" in text[tokens[h][3]:after[2]]):
            continue  # the name goes on: "伙伴关系方案"
        i = h
        while i > 0:
            word, flag = tokens[i - 1][:2]
            if nounish(i - 1) and not (flag == "ng" and len(word) == 1):
                i -= 1
            elif (word in ("与", "和", "及") and i - 2 >= 0 and nounish(i - 2) and nounish(i)
                  and len(tokens[i - 2][0]) <= 2 and len(tokens[i][0]) <= 2 and not tokens[i - 2][0].endswith(_ZH_NAME_HEADS)):
                i -= 1  # "贸易与环境委员会", "粮食及农业组织": two short nouns; never "X论坛和Y论坛", "东道国和东道组织"
            else:
                break
        while i < h and not nounish(i):
            i += 1
        first = tokens[i]
        start, end = first[2], tokens[h][3]
        # cut from a proper noun before it by 的 or by a verb ("巴塞尔公约的区域中心", "东亚回收工商业论坛"): maybe one name
        cut = i >= 2 and (tokens[i - 1][0] == "的" or tokens[i - 1][1].startswith("v")) and (
            tokens[i - 2][1] in _ZH_PROPER or known(tokens[i - 2][0]) or tokens[i - 2][0] in ("公约", "议定书"))
        whole = h > i and (first[1] in _ZH_PROPER or known(first[0])) and not cut
        fragment = cut
        if whole or fragment:
            out.append(Span("zh-organisation", text[start:end], start, end, {"whole": whole, "fragment": fragment}))
        left = i
    return sorted(out, key=lambda s: s.start)


# --- persons ---------------------------------------------------------------------------------------------

_NAME = r"(?:[A-Z][a-zà-ÿ'’\-]+|[A-Z]\.)(?:\s+(?:van|von|de|da|del|di|du|la|le|bin|al-|[A-Z][a-zà-ÿ'’\-]+|[A-Z]{2,}|[A-Z]\.)){1,4}"
_PERSON = re.compile(
    rf"\b(?P<title>Mr\.|Ms\.|Mrs\.|Dr\.|Prof\.|Mr|Ms|Mrs|Dr|Professor|H\.E\.|Ambassador)\s+(?P<name>{_NAME})"
    rf"(?:\s*\((?P<country>[A-Z][A-Za-z' \-]+)\))?"
    rf"(?:,\s+(?:the\s+)?(?P<role>(?:Co-|Vice-)?(?:Chair(?:person|man|woman)?|President|Rapporteur|Executive Secretary|Executive Director|Director(?:-General)?|Coordinator|Head|Secretary-General|Minister)(?:\s+of\s+(?:the\s+)?[A-Z][\w\- ]{{2,60}}?)?)(?=[,.;)]|\s+(?:and|who|of)\b|$))?")
_ROLE_BEFORE = re.compile(
    rf"\b(?P<role>(?:Co-|Vice-)?(?:Chair(?:person|man|woman)?|President|Rapporteur|Executive Secretary|Executive Director))"
    rf"(?:\s+of\s+the\s+[A-Z][\w\- ]{{2,60}}?)?,\s+(?P<title>Mr\.|Ms\.|Mrs\.|Dr\.)\s+(?P<name>{_NAME})")
_PERSON_ZH = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,4}|[A-Z][a-z]+(?:·[A-Z][a-z]+)*)(?P<title>先生|女士|博士|教授)")


# names written without a title, where a role or a contact says they are persons:
# "co-chaired by Anna Berg (Sweden)", "the Chair, Juan Pérez (Chile),", "Executive Secretary Rolph Payet",
# "(E-mail: Matthias Kern", "Michael Vanderpol who was seconded by Environment Canada"
_BARE = r"(?P<name>[A-Z][a-zà-ÿ'’\-]+(?:\s+(?:van|von|de|da|del|di|du|le|la|[A-Z]\.))?(?:\s+[A-Z][a-zà-ÿ'’\-]+){1,2})"
_ROLES = (r"(?:Co-|Vice-)?Chair(?:person|man|woman)?|President|Rapporteur|Executive Secretary|Executive Director|"
          r"Director(?:-General)?|Coordinator|Secretary-General")
_PERSON_BARE = [
    re.compile(rf"\b(?P<role>(?:co-)?chaired)\s+by\s+{_BARE}(?:\s*\((?P<country>[A-Z][A-Za-z' \-]+)\)|\s+(?:of|from)\s+(?P<country2>[A-Z][A-Za-z\-]+(?:\s[A-Z][A-Za-z\-]+)?))?"),
    re.compile(rf"\b(?:the\s+)?(?P<role>{_ROLES}),?\s+{_BARE}(?:\s*\((?P<country>[A-Z][A-Za-z' \-]+)\))?(?=\s*[,.;)(]|\s+[a-z])"),
    re.compile(rf"\b(?:E-?mail|Contact(?:\s+person)?|Attention|Attn\.?)\s*:\s*{_BARE}(?=\s*[,;)(]|\s+or\b)"),
    re.compile(rf"\b{_BARE},?\s+who\s+(?:was|is|has been)\s+(?:seconded|appointed|elected|nominated|designated)\b"),
    # the second co-chair after "and": "co-chaired by Anna Berg (Sweden) and Lars Holm (Norway)"
    re.compile(rf"\b(?P<role>(?:co-)?chaired)\s+by\s+(?:(?:Mr|Ms|Mrs|Dr)\.\s+)?[A-Z][^.;()]{{2,60}}?(?:\s*\([^()]{{2,40}}\))?"
               rf"\s+and\s+(?:by\s+)?(?:(?:Mr|Ms|Mrs|Dr)\.\s+)?{_BARE}(?:\s*\((?P<country>[A-Z][A-Za-z' \-]+)\))?"),
]
_CHAIRED_BY = re.compile(r"\b((?:co-)?chaired)\s+by\s+(?:(?:Mrs?\.|Ms\.|Dr\.|[^.;]){2,80}?\s+and\s+(?:by\s+)?)?$", re.I)
_NOT_NAME = re.compile(r"\b(?:Convention|Protocol|Conference|Parties|Party|Secretariat|Committee|Group|Office|Programme|"
                       r"Partnership|Centre|Council|Bureau|Meeting|Organization|Union|Nations|Republic|Kingdom|States|"
                       r"Government|Ministry|Agency|Network|Initiative|Basel|Stockholm|Rotterdam|Environment|The|This)\b")


def persons(text: str) -> list[Span]:
    out = []
    for m in _PERSON.finditer(text):
        out.append(Span("person", m.group(0), m.start(), m.end(),
                        {"name": m.group("name").strip(), "title": m.group("title"), "country": m.group("country"),
                         "role": m.group("role")}))
    for i, sp in enumerate(out):  # "co-chaired by Mr. X (Canada) and Ms. Y (Sweden)": both are co-chairs
        chaired = _CHAIRED_BY.search(text, max(0, sp.start - 120), sp.start) if not sp.value["role"] else None
        if chaired:
            out[i] = Span("person", sp.text, sp.start, sp.end,
                          {**sp.value, "role": "Co-Chair" if chaired.group(1).lower().startswith("co") else "Chair"})
    for m in _ROLE_BEFORE.finditer(text):
        if any(s.start <= m.start("name") < s.end for s in out):
            for i, s in enumerate(out):
                if s.start <= m.start("name") < s.end and not s.value["role"]:
                    out[i] = Span("person", s.text, s.start, s.end, {**s.value, "role": m.group("role")})
            continue
        out.append(Span("person", m.group(0), m.start(), m.end(),
                        {"name": m.group("name").strip(), "title": m.group("title"), "country": None, "role": m.group("role")}))
    for rx in _PERSON_BARE:
        for m in rx.finditer(text):
            name = m.group("name")
            if _NOT_NAME.search(name) or any(s.start <= m.start("name") < s.end for s in out):
                continue
            role = m.groupdict().get("role")
            role = {"chaired": "Chair", "co-chaired": "Co-Chair"}.get(role.lower(), role) if role else None
            country = m.groupdict().get("country") or m.groupdict().get("country2")
            out.append(Span("person", m.group(0), m.start(), m.end(),
                            {"name": name, "title": None, "country": country, "role": role, "bare": True}))
    for m in _PERSON_ZH.finditer(text):
        name, start = m.group("name"), m.start()
        while len(name) > 2 and name[0] in "由和与及的会在被请向了":  # "会议由张伟先生": the name is 张伟
            name, start = name[1:], start + 1
        chaired = "共同主持" in text[m.end():m.end() + 40]
        out.append(Span("person", text[start:m.end()], start, m.end(),
                        {"name": name, "title": m.group("title"), "country": None,
                         "role": "Co-Chair" if chaired else None, "zh": True}))
    return sorted(out, key=lambda s: s.start)
