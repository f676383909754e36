"""Read a document (.txt, .html, .pdf, .docx) into plain text lines, or refuse it clearly.

Parsers (well-kept libraries, nothing hand-written that they do): pypdf for the text layer of
PDF files, python-docx for Word documents (paragraphs and table rows in document order),
BeautifulSoup (with lxml) for HTML, charset-normalizer to recognise the encoding of plain text
that is not UTF-8/UTF-16 with a byte-order mark (GB18030, Big5, Latin-1 ...). The size limit
is checked on the file's size before a byte is read. Table rows become one line each, cells
separated by a tab, which is how the passage splitter recognises rows.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["IngestError", "ReadDocument", "read_document", "MAX_BYTES", "FORMATS"]

MAX_BYTES = 50 * 1024 * 1024  # 50 MB: a 500-page UN report is about 5 MB
FORMATS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}


class IngestError(ValueError):
    """A document that cannot be ingested; the message names the file and the problem (exit 2)."""

    def __init__(self, path: str | Path, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class ReadDocument:
    """The text of a document as lines, and what it was read from."""

    path: Path
    format: str  # text | html | pdf | docx
    encoding: str | None  # for text and HTML
    text: str  # lines joined with "\n", ending with "\n"

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")[:-1]


def read_document(path: str | Path, *, max_bytes: int = MAX_BYTES) -> ReadDocument:
    """The text of ``path``; raises :class:`IngestError` for anything it cannot read faithfully."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(path, f"unknown file type {path.suffix or '(no extension)'!r}: "
                                "expected .txt, .html, .pdf or .docx")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise IngestError(path, "no such file") from None
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc.strerror or exc}") from None
    if not path.is_file():
        raise IngestError(path, "not a regular file")
    if size > max_bytes:
        raise IngestError(path, f"too large: {size / 1e6:.1f} MB, the limit is {max_bytes / 1e6:.0f} MB")
    if size == 0:
        raise IngestError(path, "empty file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc.strerror or exc}") from None
    encoding = None
    if fmt == "text":
        text, encoding = _decode(path, data)
    elif fmt == "html":
        raw, encoding = _decode(path, data)
        text = _html_text(raw)
    elif fmt == "pdf":
        text = _pdf_text(path, data)
    else:
        text = _docx_text(path, data)
    text = _normalise(text)
    if not text.strip():
        raise IngestError(path, "no text in the document" if fmt != "pdf" else
                          "the PDF has no text layer (a scanned image?): run OCR first, e.g. ocrmypdf")
    return ReadDocument(path, fmt, encoding, text)


# --- plain text and encodings -------------------------------------------------------------------

_BOMS = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise IngestError(path, f"truncated or corrupt {name.upper()} text at byte {exc.start}") from None
    if b"\x00" in data[:4096] and not _looks_utf16(data):
        raise IngestError(path, "binary data, not text (NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            raise IngestError(path, f"truncated: the file ends in the middle of a UTF-8 character (byte {exc.start})") from None
    if _looks_utf16(data):
        for name in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            if _plausible(text):
                return text, name
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16", "cp1252", "latin_1", "shift_jis", "euc_kr"]).best()
    if best is None or best.chaos > 0.2:
        raise IngestError(path, "unknown encoding: not UTF-8, UTF-16 or GB18030, and no other encoding fits; "
                                "convert it to UTF-8 (e.g. iconv) and try again")
    text = str(best)
    if not _plausible(text):
        raise IngestError(path, "binary data, not text")
    return text, best.encoding


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) > len(sample) // 8 and min(even, odd) < len(sample) // 64 + 1


def _plausible(text: str) -> bool:
    """Text, not decoded noise: few control characters or unassigned code points."""
    if not text:
        return False
    bad = sum(1 for c in text[:20000] if (unicodedata.category(c) in ("Cc", "Cn", "Co") and c not in "\t\n\r\f"))
    return bad / min(len(text), 20000) < 0.01


# --- HTML -----------------------------------------------------------------------------------------

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "table", "section", "article",
           "blockquote", "pre", "dt", "dd", "ul", "ol", "header", "footer", "caption", "title"}


def _html_text(markup: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    for row in soup.find_all("tr"):
        cells = [" ".join(c.get_text(" ").split()) for c in row.find_all(["td", "th"], recursive=False)]
        row.replace_with(soup.new_string("\n" + "\t".join(cells) + "\n"))
    for li in soup.find_all("li"):
        li.insert(0, soup.new_string("\n• "))
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before(soup.new_string("\n"))
        tag.insert_after(soup.new_string("\n"))
    lines = []
    for line in soup.get_text().split("\n"):
        if "\t" in line:
            lines.append(line.strip(" "))
        else:
            lines.append(" ".join(line.split()))
    return "\n".join(lines)


# --- PDF ------------------------------------------------------------------------------------------

def _pdf_text(path: Path, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF-"):
        raise IngestError(path, "not a PDF file (no %PDF- header)")
    if b"%%EOF" not in data[-2048:]:
        raise IngestError(path, "truncated PDF: no %%EOF marker at the end of the file")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise IngestError(path, "encrypted PDF: decrypt it first")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise IngestError(path, f"corrupt PDF: {exc}") from None
    if not any(p.strip() for p in pages):
        raise IngestError(path, f"the PDF has no text layer ({len(pages)} page(s) of images?): run OCR first, e.g. ocrmypdf")
    return "\n".join(pages)


# --- DOCX -----------------------------------------------------------------------------------------

def _docx_text(path: Path, data: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if not data.startswith(b"PK"):
        raise IngestError(path, "not a .docx file (not a ZIP package)")
    try:
        document = docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise IngestError(path, "truncated or corrupt .docx (the ZIP package cannot be read)") from None
    except (KeyError, ValueError) as exc:
        raise IngestError(path, f"not a Word document: {exc}") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:  # merged cells repeat: keep each once
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(cell.text.split()))
                lines.append("\t".join(cells))
    notes = _docx_footnotes(document)
    if notes:
        lines.append("")
        lines.extend(notes)
    return "\n".join(lines)


def _docx_footnotes(document) -> list[str]:
    """Footnotes of a .docx as "N text" lines (python-docx has no API for them; read the part)."""
    from docx.oxml.ns import qn

    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes"):
            root = rel.target_part.element if hasattr(rel.target_part, "element") else None
            if root is None:
                from lxml import etree

                root = etree.fromstring(rel.target_part.blob)
            out = []
            for note in root.iter(qn("w:footnote")):
                ident = note.get(qn("w:id"))
                if ident is None or int(ident) <= 0:
                    continue  # separators
                text = "".join(t.text or "" for t in note.iter(qn("w:t"))).strip()
                if text:
                    out.append(f"{ident} {text}")
            return out
    return []


# --- normalisation --------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \u00a0\u2002\u2003\u2009\u202f]+")


def _normalise(text: str) -> str:
    """NFC, one kind of line break, no trailing spaces, no form feeds; ends with one newline."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u2028", "\n").replace("\ufeff", "")
    lines = []
    for line in text.split("\n"):
        if "\t" in line:
            lines.append("\t".join(_SPACES.sub(" ", c).strip() for c in line.split("\t")).rstrip(" "))
        else:
            lines.append(_SPACES.sub(" ", line).rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"
