"""Terms of our namespace (``bkg:``) that a query uses but the ontology does not define.

A misspelt term (``bkg:Decisoin``) is a valid IRI, so a store answers the query with nothing
and no error. :func:`unknown_terms` finds such terms by reading the query's tokens with the
project's SPARQL lexer (:func:`basel_kg.sparqltext.tokens`: IRIs, prefixed names, strings and
comments as the SPARQL grammar reads them, so a term inside a string or a comment is not
counted), resolving prefixed names with the query's own ``PREFIX`` declarations over the
standard prefixes the CLI and the endpoint declare anyway. The endpoint reports them in a
``Warning`` response header (:func:`warning_header`), the CLI on stderr (:func:`messages`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from urllib.parse import quote

from .namespaces import BKG_URI, PREFIXES, ontology_terms
from .sparqltext import tokens as _tokens

__all__ = ["UnknownTerm", "unknown_terms", "messages", "warning_header", "WARNING_HEADER"]

#: The response header the endpoint sets (RFC 9110 ``Warning`` syntax, code 299: a persistent
#: warning about the request, here one term per warning value).
WARNING_HEADER = "Warning"
_MAX_REPORTED = 10


@dataclass(frozen=True)
class UnknownTerm:
    """A ``bkg:`` term the ontology does not define, with the defined terms it may be a typo of."""

    local_name: str
    suggestions: tuple[str, ...] = ()

    @property
    def iri(self) -> str:
        return BKG_URI + self.local_name

    def message(self) -> str:
        hint = f"; did you mean {' or '.join('bkg:' + s for s in self.suggestions)}?" if self.suggestions else ""
        return f"bkg:{self.local_name} is not defined by the ontology, so it matches nothing{hint}"


def unknown_terms(query: str) -> list[UnknownTerm]:
    """The ``bkg:`` terms of ``query`` (in order of first use) that the ontology does not define."""
    prefixes = dict(PREFIXES)
    tokens = list(_tokens(query))
    used: list[str] = []
    i = 0
    while i < len(tokens):
        kind, text, _ = tokens[i]
        if kind == "word" and text.upper() == "PREFIX" and i + 2 < len(tokens) \
                and tokens[i + 1][0] == "word" and tokens[i + 1][1].endswith(":") and tokens[i + 2][0] == "iri":
            prefixes[tokens[i + 1][1][:-1]] = tokens[i + 2][1][1:-1]
            i += 3
            continue
        if kind == "iri":
            iri = text[1:-1]
        elif kind == "word" and ":" in text:
            prefix, _, local = text.partition(":")
            if prefix not in prefixes:
                i += 1
                continue
            iri = prefixes[prefix] + local.replace("\\", "")
        else:
            i += 1
            continue
        if iri.startswith(BKG_URI) and len(iri) > len(BKG_URI):
            local = iri[len(BKG_URI):]
            if local not in used:
                used.append(local)
        i += 1
    defined = ontology_terms()
    return [UnknownTerm(name, tuple(difflib.get_close_matches(name, sorted(defined), n=2, cutoff=0.75)))
            for name in used if name not in defined]


def messages(query: str) -> list[str]:
    """One line per unknown term, for a person (the CLI prints them on stderr)."""
    return [f"warning: {t.message()}" for t in unknown_terms(query)]


def warning_header(query: str) -> dict[str, str]:
    """``{"Warning": '299 basel-kg "..."'}`` for a query with unknown ``bkg:`` terms, else ``{}``.

    One warning value per term (at most ten), ASCII only (other characters percent-encoded).
    """
    terms = unknown_terms(query)
    if not terms:
        return {}
    values = []
    for t in terms[:_MAX_REPORTED]:
        text = quote(t.message(), safe=" :;,?/'()!=<>#&+-._~")
        values.append(f'299 basel-kg "{text}"')
    if len(terms) > _MAX_REPORTED:
        values.append(f'299 basel-kg "and {len(terms) - _MAX_REPORTED} more undefined bkg: terms"')
    return {WARNING_HEADER: ", ".join(values)}
