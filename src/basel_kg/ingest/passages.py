"""Split a document's lines into passages with stable anchors and human locators.

A passage starts at a numbered paragraph ("1.", "1．"), a sub-paragraph ("(a)", "（a）",
"(i)"), a bullet, a numbered heading ("I. BACKGROUND", "A. Scope", "一、", "二．"), an annex
heading ("Annex", "Annex II", "附件"), a footnote ("1 text", "* text" near page ends) or a
table row (a line with tab-separated cells); it runs, across blank lines and wrapped lines,
until the next start. Text before the first start is the cover page. A paragraph interrupted by
footnotes at a page break continues after them (its line range then spans the footnotes, but
its text does not include them).

Anchors are derived from the numbering the document prints, so they do not move when a
passage elsewhere changes: ``para-3``, ``para-3-a``, ``para-3-a-ii``, ``sec-2``, ``sec-2-b``,
``annex-2-para-4``, ``table-1-row-5``, ``footnote-2``, ``para-6-1`` (a numbering restarting
inside paragraph 6, e.g. a draft decision), ``cover``. Only ASCII letters, digits and ``-``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Passage", "split_passages"]

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
         "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17, "xviii": 18, "xix": 19, "xx": 20}
ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "〇": 0, "零": 0}
MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")


def zh_number(text: str) -> int | None:
    """一 -> 1, 十二 -> 12, 二十三 -> 23, 一百 -> 100; None when it is not a Chinese numeral."""
    if not text or any(c not in ZH_DIGITS and c not in "百" for c in text):
        return None
    if "百" in text:
        head, _, tail = text.partition("百")
        rest = zh_number(tail) if tail else 0
        return (zh_number(head) if head else 1) * 100 + (rest or 0)
    if "十" in text:
        head, _, tail = text.partition("十")
        return (ZH_DIGITS[head] if head else 1) * 10 + (ZH_DIGITS[tail] if tail else 0)
    value = 0
    for c in text:
        value = value * 10 + ZH_DIGITS[c]
    return value


@dataclass
class Passage:
    anchor: str
    locator: str
    kind: str  # cover | heading | para | subpara | bullet | footnote | row | annex | text
    line_start: int  # 1-based
    line_end: int
    lines: list[int] = field(default_factory=list)  # the lines whose text belongs to it
    text: str = ""


_PARA = re.compile(r"^\s*(\d{1,3})\s*[.．](?!\d)\s*(?=\S)")
_SUB = re.compile(r"^\s*[(（]\s*([a-z]{1,2}|[ivx]{1,5})\s*[)）]\s*(?=\S)")
_BULLET = re.compile(r"^\s*(?:<[^>]*>\s*)*[•·▪◦●\-–]\s+(?=\S)")
_HEAD_ROMAN = re.compile(r"^\s*([IVX]{1,5})\s*[.．]\s+(\S.{0,120})$")
_HEAD_LETTER = re.compile(r"^\s*([A-H])\s*[.．]\s+([A-Z\u4e00-\u9fff].{0,120})$")
_HEAD_ZH = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、．.]\s*(\S.{0,60})$")
_ANNEX = re.compile(r"^\s*(?:(Annex|ANNEX|Appendix|APPENDIX)(?:\s+([IVX]{1,5}|\d{1,2}))?|附件\s*([一二三四五六七八九十]{0,3}|[IVX]{1,5})?)\s*[.:：]?\s*$")
_FOOTNOTE = re.compile(r"^\s*(\d{1,2}|[*∗]{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]{1,2})\s*(?=\S)(?!\d)(?!(?:" + MONTHS + r")\b)(?!年|月|日|[-–—/.,:%)])", re.I)
_SENTENCE_END = re.compile(r"[.。:：;；!?！？)）\]”\"]\s*$")
_SUPERSCRIPT = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def split_passages(lines: list[str]) -> list[Passage]:
    """The passages of a document given as lines (index 0 is line 1)."""
    passages: list[Passage] = []
    used: set[str] = set()
    state = {"prefix": "", "where": "", "para": None, "sub": None, "section": None, "table": 0,
             "row": 0, "in_table": False, "bullets": 0, "last_para_no": 0, "restart_parent": None, "parent_no": 0}
    current: Passage | None = None
    resume: Passage | None = None  # the paragraph a page's footnotes interrupted

    def unique(anchor: str) -> str:
        base, n = anchor, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        return anchor

    def start(anchor: str, locator: str, kind: str, line_no: int) -> Passage:
        nonlocal current
        p = Passage(unique(anchor), locator, kind, line_no, line_no, [line_no])
        passages.append(p)
        current = p
        return p

    def where(extra: str) -> str:
        return ", ".join(x for x in (state["where"], extra) if x)

    n_lines = len(lines)
    for index, raw in enumerate(lines):
        no = index + 1
        line = raw.strip()
        if not line:
            continue
        if "\t" not in raw:
            state["in_table"] = False
        if "\t" in raw:  # a table row
            if not state["in_table"]:
                state["table"] += 1
                state["row"] = 0
                state["in_table"] = True
            state["row"] += 1
            first = next((c.strip() for c in raw.split("\t") if c.strip()), "")
            label = f" ('{first[:60]}')" if first else ""
            start(f"{state['prefix']}table-{state['table']}-row-{state['row']}",
                  where(f"Table {state['table']}, row {state['row']}{label}"), "row", no)
            resume = None
            continue
        m_annex = _ANNEX.match(line)
        if m_annex:
            tag = m_annex.group(2) or m_annex.group(3) or ""
            n = ROMAN.get(tag.lower()) if tag and tag.isascii() and not tag.isdigit() else (
                int(tag) if tag.isdigit() else zh_number(tag) if tag else None)
            slug = f"annex-{n}" if n else "annex"
            state.update(prefix=slug + "-", where=("Annex " + tag).strip() if tag else "Annex", para=None,
                         sub=None, section=None, table=0, last_para_no=0, restart_parent=None, block=None)
            start(slug, state["where"] + " (heading)", "annex", no)
            resume = None
            continue
        m = _HEAD_ROMAN.match(line) or _HEAD_ZH.match(line)
        if m and len(line) < 140 and not _SENTENCE_END.search(line.rstrip("。")) or (m and m.re is _HEAD_ZH):
            numeral = m.group(1)
            n = ROMAN.get(numeral.lower()) or zh_number(numeral)
            if n:
                state.update(section=n, para=None, sub=None, restart_parent=None, block=None)
                title = m.group(2).strip()
                start(f"{state['prefix']}sec-{n}", where(f"Section {numeral} ({title[:60]})"), "heading", no)
                resume = None
                continue
        m = _HEAD_LETTER.match(line)
        if m and state["section"] and len(line) < 120 and not line.endswith("."):
            state.update(sub=None, para=None, block=None)
            start(f"{state['prefix']}sec-{state['section']}-{m.group(1).lower()}",
                  where(f"Section {state['section']}.{m.group(1)} ({m.group(2).strip()[:60]})"), "heading", no)
            resume = None
            continue
        m = _PARA.match(line)
        if m:
            n = int(m.group(1))
            parent = state["restart_parent"]
            if parent is not None and n == state["parent_no"] + 1:
                parent = state["restart_parent"] = None  # the outer numbering resumes
            elif parent is None and state["para"] is not None and n == 1 and state["last_para_no"] >= 1:
                parent = state["restart_parent"] = state["para"]  # numbering restarts inside a paragraph
                state["parent_no"] = state["last_para_no"]
            if parent is not None:
                anchor, locator = f"{parent}-{n}", f"{_human(parent)}, para. {n} within it"
            else:
                anchor, locator = f"{state['prefix']}para-{n}", f"para. {n}"
            p = start(anchor, where(locator), "para", no)
            state["block"] = p.anchor
            if state["restart_parent"] is None:
                state["para"] = p.anchor
                state["last_para_no"] = n
            state["sub"] = None
            state["bullets"] = 0
            resume = None
            continue
        m = _SUB.match(line)
        if m and (state["para"] or current is not None):
            letter = m.group(1)
            parent = state.get("block") or (current.anchor if current else "cover")
            is_roman = letter in ROMAN and state["sub"] is not None and not (
                letter in ("i", "v", "x") and state["sub"] and _next_letter(state["sub"]) == letter)
            if is_roman and state["sub"]:
                anchor = f"{state['sub']}-{letter}"
            else:
                anchor = f"{parent}-{letter}"
                state["sub_letter"] = letter
            p = start(anchor, where(f"{_human(parent)} ({letter})" if not is_roman else f"{_human(state['sub'])} ({letter})"),
                      "subpara", no)
            if not is_roman:
                state["sub"] = p.anchor
            resume = None
            continue
        m = _BULLET.match(raw)
        if m and current is not None and current.kind not in ("cover",):
            parent = state["para"] or current.anchor
            if current.kind == "bullet":
                parent = current.anchor.rsplit("-b", 1)[0]
            state["bullets"] = (state["bullets"] + 1) if current.kind == "bullet" else 1
            start(f"{parent}-b{state['bullets']}", where(f"{_human(parent)}, bullet {state['bullets']}"), "bullet", no)
            resume = None
            continue
        m = _FOOTNOTE.match(line)
        if m and passages and _is_footnote(lines, index, m, n_lines):
            mark = m.group(1).translate(_SUPERSCRIPT)
            tag = "star" * mark.count("*") + "star" * mark.count("∗") if not mark.isdigit() else mark
            if current is not None and current.kind != "footnote":
                resume = current
            start(f"footnote-{tag}", f"footnote {m.group(1)}", "footnote", no)
            continue
        # a continuation line
        if current is None:
            start("cover", "cover page (before the first heading or paragraph)", "cover", no)
            continue
        if current.kind == "footnote" and resume is not None and not lines[index - 1].strip():
            current = resume  # the paragraph the page's footnotes interrupted goes on
            current.line_end = no
            current.lines.append(no)
            continue
        if current.kind in ("heading", "annex", "row") and not _continues(lines, index):
            p = start(f"{state['prefix']}text-l{no}", where(f"text after {current.locator.split(', ')[-1]}, line {no}"),
                      "text", no)
            state["block"] = p.anchor
            continue
        current.line_end = no
        current.lines.append(no)
    for p in passages:
        # a blank line inside a passage (a table cell or a block of a page laid out by a PDF) is kept as a line
        # break, so that a name does not run on from one block into the next
        blank = [k > 0 and p.lines[k] - p.lines[k - 1] > 1 and all(not lines[j - 1].strip() for j in range(p.lines[k - 1] + 1, p.lines[k]))
                 for k in range(len(p.lines))]
        p.text = _join([lines[i - 1] for i in p.lines], blank)
    return passages


def _next_letter(anchor: str) -> str:
    last = anchor.rsplit("-", 1)[-1]
    return chr(ord(last[-1]) + 1) if last and last[-1].isalpha() else ""


def _human(anchor: str) -> str:
    m = re.search(r"para-(\d+)(?:-(\d+))?", anchor)
    if m:
        return f"para. {m.group(1)}" + (f".{m.group(2)}" if m.group(2) else "")
    return anchor


def _continues(lines: list[str], index: int) -> bool:
    """A line right after a heading with no blank line between that continues it (a wrapped title)."""
    prev = lines[index - 1].strip() if index else ""
    return bool(prev) and not _SENTENCE_END.search(prev) and len(prev) > 40


def _is_footnote(lines: list[str], index: int, m: re.Match, n_lines: int) -> bool:
    """A footnote line: '1 text' / '* text' (a number without a dot), not a date or a quantity."""
    mark = m.group(1)
    rest = lines[index].strip()[m.end():]
    if not rest:
        return False
    if mark.isdigit():
        if re.match(r"^\s*(?:%|per|percent|million|billion|years?|months?|days?|countries|parties|and|or|to|of)\b", rest, re.I):
            return False
        if re.match(r"^[a-z]", rest):
            return False
    return True


def _join(parts: list[str], blank: list[bool] | None = None) -> str:
    """Lines of a passage as one string: a line ending in '/' or '-' (a cut symbol) joins directly; a line
    after blank lines (``blank``) starts on a new line."""
    out = ""
    for k, part in enumerate(parts):
        part = part.strip()
        if not out:
            out = part
        elif blank and blank[k] and part:
            out += "\n" + part
        elif out.endswith("/") or re.match(r"[\u4e00-\u9fff，、（]", out[-1]) and re.match(r"^[\u4e00-\u9fff，。、）]", part):
            out += part
        else:
            out += " " + part
    return out
