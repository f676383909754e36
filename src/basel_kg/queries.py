"""The published-query registry: ``queries/published/*.rq`` and ``queries/cq/*.rq``.

Each file starts with ``# key: value`` comment lines (see docs/conventions.md, "Query files")::

    # title: Decisions of a body
    # description: Every decision with its number, body and meeting.
    # param: body (iri) = https://w3id.org/basel-kg/body/basel-cop — the adopting body

A parameter is a SPARQL variable of the query. Its value, given as text, is checked against
its type and turned into an RDF term; the term is bound with a ``VALUES`` block written in
N-Triples syntax (:func:`basel_kg.sparqltext.bind_values`), so a value can never change the
query's syntax. A parameter without a default is left unbound when not given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, QueryRefused, QuerySyntaxError
from .namespaces import BASE, PREFIXES
from .sparqltext import bind_values, check_query, variables

__all__ = [
    "PARAMETER_TYPES",
    "Parameter",
    "PublishedQuery",
    "BoundQuery",
    "Registry",
    "RegistryError",
    "ParameterError",
    "load_registry",
    "parse_query_file",
]

_XSD = "http://www.w3.org/2001/XMLSchema#"
PARAMETER_TYPES = ("iri", "string", "lang", "integer", "decimal", "boolean", "date")
_HEADER = re.compile(r"#\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(
    r"(?P<name>[A-Za-z_]\w*)\s*\((?P<type>\w+)\)\s*(?:=\s*(?P<default>.*?))?\s*(?:(?:—|--)\s*(?P<description>.*))?$"
)
_LANG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CURIE = re.compile(r"([A-Za-z][\w-]*):(\S*)")


class RegistryError(InputError, ValueError):
    """A query file is malformed (bad header, unknown parameter type, unsafe or invalid query)."""


class ParameterError(InputError, ValueError):
    """A parameter value does not fit its type, or the parameter does not exist."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """A typed query parameter, bound to the SPARQL variable of the same name."""

    name: str
    type: str
    default: str | None = None
    description: str = ""

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """``value`` as an RDF term of this parameter's type; raises :class:`ParameterError`."""
        text = value.strip()
        try:
            if self.type == "iri":
                return ox.NamedNode(_expand(text))
            if self.type == "string":
                return ox.Literal(value)
            if self.type == "lang" and _LANG.fullmatch(text):
                return ox.Literal(text.lower())
            if self.type == "integer" and _INTEGER.fullmatch(text):
                return ox.Literal(str(int(text)), datatype=ox.NamedNode(_XSD + "integer"))
            if self.type == "decimal" and _DECIMAL.fullmatch(text):
                return ox.Literal(text, datatype=ox.NamedNode(_XSD + "decimal"))
            if self.type == "boolean" and text.lower() in ("true", "false"):
                return ox.Literal(text.lower(), datatype=ox.NamedNode(_XSD + "boolean"))
            if self.type == "date" and _DATE.fullmatch(text):
                return ox.Literal(date.fromisoformat(text).isoformat(), datatype=ox.NamedNode(_XSD + "date"))
        except ValueError as exc:
            raise ParameterError(f"parameter {self.name} ({self.type}): {value!r} is not valid: {exc}") from None
        raise ParameterError(f"parameter {self.name} ({self.type}): {value!r} is not a valid {self.type}")


def _expand(text: str) -> str:
    """An absolute IRI, ``<IRI>``, or a prefixed name with one of our standard prefixes."""
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    m = _CURIE.fullmatch(text)
    if m and m.group(1) in PREFIXES:
        text = PREFIXES[m.group(1)] + m.group(2)
    return text


@dataclass(frozen=True)
class BoundQuery:
    """A published query with its parameter values: run ``sparql`` locally or remotely."""

    query: PublishedQuery
    values: dict[str, ox.NamedNode | ox.Literal]

    @property
    def sparql(self) -> str:
        return bind_values(self.query.text, self.values)


@dataclass(frozen=True)
class PublishedQuery:
    """One query file and its header."""

    name: str
    path: Path
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    kind: str  # "published" | "cq"
    header: dict[str, str] = field(default_factory=dict, repr=False)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(f"query {self.name} has no parameter {name!r} (parameters: {known})")

    def bind(self, values: Mapping[str, str] | None = None) -> BoundQuery:
        """Check ``values`` (text) against the parameters; defaults fill the rest."""
        values = dict(values or {})
        for name in values:
            self.parameter(name)
        terms = {}
        for p in self.parameters:
            text = values.get(p.name, p.default)
            if text is not None:
                terms[p.name] = p.term(text)
        return BoundQuery(self, terms)


class Registry(Mapping[str, PublishedQuery]):
    """Published queries and competency questions by name (the file stem)."""

    def __init__(self, queries: list[PublishedQuery]):
        self._queries: dict[str, PublishedQuery] = {}
        for q in sorted(queries, key=lambda q: (q.kind != "published", q.name)):
            if q.name in self._queries:
                raise RegistryError(f"two queries are named {q.name}: {self._queries[q.name].path} and {q.path}")
            self._queries[q.name] = q

    def __getitem__(self, name: str) -> PublishedQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise KeyError(f"no published query named {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)

    def published(self) -> list[PublishedQuery]:
        return [q for q in self._queries.values() if q.kind == "published"]


def load_registry(root: Path | None = None) -> Registry:
    """Every query under ``root/queries/published`` and ``root/queries/cq``; raises :class:`RegistryError`."""
    from .project import project_root

    root = Path(root) if root is not None else project_root()
    queries = []
    for kind, folder in (("published", "published"), ("cq", "cq")):
        for path in sorted((root / "queries" / folder).glob("*.rq")):
            queries.append(parse_query_file(path, kind=kind))
    return Registry(queries)


def parse_query_file(path: Path, *, kind: str = "published") -> PublishedQuery:
    """Read one ``.rq`` file: header, parameters, and a check that the query is valid and local-only."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    descriptions: list[str] = []
    parameters: list[Parameter] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2)
        if key == "param":
            parameters.append(_parameter(value, path, number))
        elif key == "description":
            descriptions.append(value)
        else:
            header[key] = value
    title = header.get("title") or header.get("question")
    if not title:
        raise RegistryError(f"{path}:1: no '# title:' (or '# question:') header")
    mentioned = variables(text)
    for p in parameters:
        if p.name not in mentioned:
            raise RegistryError(f"{path}: parameter {p.name} is not a variable of the query")
        if p.default is not None:
            try:
                p.term(p.default)
            except ParameterError as exc:
                raise RegistryError(f"{path}: default of {exc}") from None
    query = PublishedQuery(
        name=path.stem,
        path=path,
        title=title,
        description=" ".join(descriptions),
        parameters=tuple(parameters),
        text=text,
        kind=kind,
        header=header,
    )
    try:
        check_query(query.bind().sparql, prefixes=PREFIXES, base_iri=BASE)
    except (QueryRefused, QuerySyntaxError, InputError) as exc:
        raise RegistryError(f"{path}: {exc}") from None
    return query


def _parameter(spec: str, path: Path, line: int) -> Parameter:
    m = _PARAM.match(spec)
    if not m:
        raise RegistryError(f"{path}:{line}: cannot read '# param: {spec}' (expected: name (type) [= default] — description)")
    if m.group("type") not in PARAMETER_TYPES:
        raise RegistryError(f"{path}:{line}: unknown parameter type {m.group('type')!r} (types: {', '.join(PARAMETER_TYPES)})")
    default = m.group("default")
    return Parameter(
        name=m.group("name"),
        type=m.group("type"),
        default=default if default else None,
        description=(m.group("description") or "").strip(),
    )
