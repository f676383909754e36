"""The one reader of SPARQL text: what a query or update says, before anything runs it.

One lexer (:func:`_skeleton`) masks strings, IRIs and comments the way the SPARQL grammar
delimits them, keeping every other character at its place; every question about the text is
then answered on that skeleton with one keyword rule (:data:`_KEYWORD`):

- :func:`scan_sparql`: the operations used (``SERVICE`` and its endpoints, ``LOAD``,
  ``FROM``...), which the stores check before running anything (no query reaches the network);
- :func:`query_form`: the kind of result a query gives;
- :func:`variables`, :func:`bind_values`: the parameters of a published query, bound as a
  ``VALUES`` block so no input text ever becomes query syntax;
- :func:`add_using`: the protocol's ``using-graph-uri`` as ``USING`` clauses;
- :func:`check_query`: a query refused or unparsable before anything is loaded;
- :func:`with_prefixes`, :func:`syntax_error`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pyoxigraph as ox

from .errors import InputError, QueryRefused, QuerySyntaxError

__all__ = [
    "SparqlScan",
    "scan_sparql",
    "check_services",
    "check_query",
    "query_form",
    "variables",
    "bind_values",
    "add_using",
    "with_prefixes",
    "syntax_error",
    "tokens",
]

Kind = Literal["solutions", "boolean", "graph"]

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
    | (?P<code>[^#<'"]+|[#<'"])
    """,
    re.VERBOSE | re.DOTALL,
)
_KEYWORDS = (
    "SERVICE", "FROM", "LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
    "COPY", "WITH", "USING", "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE",
)
_NAME_CHARS = r"\w\u00B7\u0300-\u036F\u203F-\u2040"
# A keyword is a bare word: not part of a variable (?x $x), prefixed name (ex:x x:), blank
# node label (_:x), language tag (@x) or longer name. A preceding "." does not protect it,
# since "?o .SERVICE <x> {}" is valid SPARQL.
_KEYWORD = re.compile(
    r"(?<![\w?$:@\-\u00B7])(" + "|".join(_KEYWORDS) + r")(?![\w:\-\u00B7])", re.IGNORECASE
)
_LEXEME = re.compile(_KEYWORD.pattern + r"|(?P<brace>[{}])", re.IGNORECASE)
_VARIABLE = re.compile(rf"[?$]([{_NAME_CHARS}]+)")
_SERVICE_TARGET = re.compile(r"\s*(?:(?<![\w:])SILENT(?![\w:\-])\s*)?\x01", re.IGNORECASE)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_FORMS = {"SELECT": "solutions", "CONSTRUCT": "graph", "DESCRIBE": "graph", "ASK": "boolean"}
_SYNTAX_POSITION = re.compile(r"error at (\d+):(\d+)")


_CODE_TOKEN = re.compile(
    rf"""
      (?P<var>[?$][{_NAME_CHARS}]+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<word>[\w:](?:[{_NAME_CHARS}:.%-]*[{_NAME_CHARS}:%-])?)
    | (?P<space>\s+)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str) -> Iterable[tuple[str, str, int]]:
    """(kind, token, position) of each token of ``text`` outside comments and white space.

    Kinds: ``iri``, ``string``, ``var``, ``lang``, ``word`` (keywords, prefixed names, numbers)
    and ``punct``. The same lexer as the safety scan: IRIs, strings and comments first.
    """
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "comment":
            continue
        if kind != "code":
            yield kind, m.group(), m.start()
            continue
        for c in _CODE_TOKEN.finditer(m.group()):
            if c.lastgroup != "space":
                yield c.lastgroup, c.group(), m.start() + c.start()


def _skeleton(text: str) -> tuple[str, dict[int, str]]:
    """``text`` with each IRI written ``\\x01   \\x01``, each string ``\\x02\\x02...`` and each
    comment as spaces, all of the same length, so positions in the skeleton are positions
    in the text; and the IRIs, by the position of their ``<``."""
    pieces: list[str] = []
    iris: dict[int, str] = {}
    for m in _TOKEN.finditer(text):
        kind, token = m.lastgroup, m.group()
        if kind == "iri":
            iris[m.start()] = token[1:-1]
            pieces.append("\x01" + " " * (len(token) - 2) + "\x01")
        elif kind == "string":
            pieces.append("\x02" * len(token))
        elif kind == "comment":
            pieces.append(" " * len(token))
        else:
            pieces.append(token)
    return "".join(pieces), iris


def _lexemes(skeleton: str) -> Iterable[tuple[str, int]]:
    """(upper-case keyword or brace, position) in text order."""
    for m in _LEXEME.finditer(skeleton):
        yield m.group().upper(), m.start()


# --------------------------------------------------------------------------- operations


@dataclass(frozen=True, slots=True)
class SparqlScan:
    """What the scan of a SPARQL text found outside strings, IRIs and comments.

    ``keywords``: the operation keywords present (SERVICE, FROM, LOAD, INSERT ...).
    ``services``: the endpoint of each ``SERVICE``; ``None`` when it is not a full IRI.
    """

    keywords: frozenset[str]
    services: tuple[str | None, ...]


@lru_cache(maxsize=1024)
def scan_sparql(text: str) -> SparqlScan:
    """Scan SPARQL text (query or update) for operations that matter to safety and datasets.

    Where it is unsure it errs towards finding a keyword, never towards missing one: the text
    is scanned both as written (what pyoxigraph parses) and with ``\\u`` escapes applied (what
    the SPARQL spec describes), and whatever either reading finds counts.
    """
    keywords, services = _scan(text)
    unescaped = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    if unescaped != text:
        more_keywords, more_services = _scan(unescaped)
        keywords |= more_keywords
        services += [s for s in more_services if s not in services]
    return SparqlScan(frozenset(keywords), tuple(services))


def _scan(text: str) -> tuple[set[str], list[str | None]]:
    code, iris = _skeleton(text)
    keywords: set[str] = set()
    services: list[str | None] = []
    for m in _KEYWORD.finditer(code):
        word = m.group(1).upper()
        keywords.add(word)
        if word == "SERVICE":
            target = _SERVICE_TARGET.match(code, m.end())
            services.append(iris[target.end() - 1] if target else None)
    return keywords, services


def check_services(scan: SparqlScan, allowed: frozenset[str]) -> None:
    """Refuse (:class:`QueryRefused`) a ``SERVICE`` whose endpoint is not in ``allowed``."""
    for endpoint in scan.services:
        if endpoint is None:
            raise QueryRefused("SERVICE is not allowed without the full IRI of an allow-listed endpoint")
        if endpoint not in allowed:
            raise QueryRefused(
                f"SERVICE is not allowed for <{endpoint}>: basel-kg makes no outbound requests "
                "unless the endpoint is on its allow-list"
            )


def check_query(sparql: str, *, prefixes: Mapping[str, str], base_iri: str | None,
                allowed_services: frozenset[str] = frozenset()) -> None:
    """Refuse a query before any data is loaded: a ``SERVICE`` not allowed
    (:class:`QueryRefused`), text that does not parse (:class:`QuerySyntaxError`)."""
    check_services(scan_sparql(sparql), allowed_services)
    try:
        ox.Store().query(sparql, prefixes=dict(prefixes), base_iri=base_iri)  # parsed; on no data, instant
    except SyntaxError as exc:
        raise syntax_error(str(exc)) from None
    except (OSError, RuntimeError, ValueError):
        pass  # parsed; evaluation errors are for the real store to report


def query_form(sparql: str) -> Kind | None:
    """The kind of result a query gives (from its first query form keyword), or None when it
    has none (not a query)."""
    for word, _ in _lexemes(_skeleton(sparql)[0]):
        if word in _FORMS:
            return _FORMS[word]  # type: ignore[return-value]
    return None


# --------------------------------------------------------------------------- rewriting


def variables(sparql: str) -> set[str]:
    """Names of the variables a query mentions (``?x`` and ``$x``)."""
    return set(_VARIABLE.findall(_skeleton(sparql)[0]))


def bind_values(sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """``sparql`` with ``VALUES (?a ?b) { (<x> "y") }`` at the start of its outermost WHERE group.

    The values are RDF terms (already validated), written in N-Triples syntax, so no input
    text ever becomes query syntax. Variables bound this way are visible to every pattern
    and FILTER of the outermost group; a sub-SELECT sees them only if it projects them.
    """
    if not bindings:
        return sparql
    position = _where_brace(sparql)
    names = sorted(bindings)
    block = " VALUES (" + " ".join("?" + n for n in names) + ") { (" + " ".join(
        str(bindings[n]) for n in names) + ") } "
    return sparql[: position + 1] + block + sparql[position + 1:]


def _where_brace(sparql: str) -> int:
    depth = 0
    form = None
    where_seen = False
    for word, start in _lexemes(_skeleton(sparql)[0]):
        if word == "{":
            if depth == 0 and (where_seen or form != "CONSTRUCT"):
                return start
            depth += 1
        elif word == "}":
            depth -= 1
        elif depth == 0 and form is None and word in _FORMS:
            form = word
        elif depth == 0 and word == "WHERE":
            where_seen = True
    raise InputError("cannot find the WHERE clause of the query to bind its parameters")


def add_using(update: str, graphs: Sequence[str], named: Sequence[str]) -> str:
    """Add ``USING``/``USING NAMED`` clauses (the protocol's using-graph-uri and
    using-named-graph-uri) before the ``WHERE`` of every DELETE/INSERT operation (not the
    ``DELETE WHERE`` short form, which takes no ``USING``)."""
    clause = " ".join([f"USING {ox.NamedNode(g)}" for g in graphs] + [f"USING NAMED {ox.NamedNode(g)}" for g in named])
    skeleton = _skeleton(update)[0]
    cuts: list[int] = []
    depth = 0
    previous: tuple[str, int] = ("", 0)
    for word, start in _lexemes(skeleton):
        if word == "{":
            depth += 1
        elif word == "}":
            depth -= 1
        elif word == "WHERE" and depth == 0:
            after_delete = previous[0] == "DELETE" and not skeleton[previous[1]:start].strip()
            if not after_delete:
                cuts.append(start)
        previous = (word, start + len(word))
    out, last = [], 0
    for cut in cuts:
        out.append(update[last:cut] + clause + " ")
        last = cut
    return "".join(out) + update[last:]


def with_prefixes(sparql: str, prefixes: Mapping[str, str]) -> str:
    """``sparql`` preceded by PREFIX declarations of ``prefixes`` (the query's own still win)."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items()) + sparql


def syntax_error(message: str) -> QuerySyntaxError:
    """A pyoxigraph syntax error message as a :class:`QuerySyntaxError` with its position."""
    m = _SYNTAX_POSITION.search(message)
    return QuerySyntaxError(message, int(m.group(1)), int(m.group(2))) if m else QuerySyntaxError(message)
