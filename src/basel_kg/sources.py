"""Find the hand-edited source files and parse RDF safely, one named graph per file.

Layout (see docs/conventions.md): ``ontology/basel-kg.ttl`` -> ``graph/ontology``,
``data/reference.ttl`` -> ``graph/reference``, ``data/NNN-name.ttl`` -> ``graph/NNN-name``,
``shapes/*.ttl`` -> ``graph/shapes``.

Parsing never reaches outside the bytes it is given: pyoxigraph's parsers fetch nothing
(no remote JSON-LD ``@context``, no external XML entities), a JSON-LD reference to the
basel-kg context is replaced by the shipped copy before parsing, any other context
reference is refused, and the whole parse runs under :func:`basel_kg.safety.no_outside_access`.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from .errors import InputError
from .formats import Format
from .jsonld import CONTEXT_FILE_NAME, CONTEXT_IRI, jsonld_context
from .namespaces import GRAPH, bind_prefixes, graph_iri
from .project import ontology_file, project_root
from .safety import no_outside_access
from .terms import RdflibTerms

__all__ = [
    "SourceFile",
    "ParseError",
    "discover",
    "load_sources",
    "load_shapes",
    "parse_file",
    "parse_bytes",
    "parse_into_store",
    "store_to_dataset",
]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One hand-edited file and the named graph it is loaded into."""

    path: Path
    graph: URIRef
    role: str  # "ontology" | "data" | "shapes"


class ParseError(InputError, ValueError):
    """Input that is not valid RDF (or is refused); names the source, line and column."""

    def __init__(self, source: str, message: str, line: int | None = None, column: int | None = None):
        self.source, self.message, self.line, self.column = source, message, line, column
        where = source + (f":{line}" if line else "") + (f":{column}" if line and column else "")
        super().__init__(f"{where}: {message}")


def discover(root: Path | None = None) -> list[SourceFile]:
    """Every source file under ``root``, ontology first, then data (reference first), then shapes."""
    root = root or project_root()
    files = [SourceFile(ontology_file(root), GRAPH.ONTOLOGY, "ontology")]
    data = sorted((root / "data").glob("*.ttl"))
    for path in sorted(data, key=lambda p: (p.stem != "reference", p.stem)):
        graph = GRAPH.REFERENCE if path.stem == "reference" else graph_iri(path.stem)
        files.append(SourceFile(path, graph, "data"))
    for path in sorted((root / "shapes").glob("*.ttl")):
        files.append(SourceFile(path, GRAPH.SHAPES, "shapes"))
    return files


def load_sources(root: Path | None = None, *, shapes: bool = False) -> Dataset:
    """Ontology and data (and shapes if asked) as a Dataset, one named graph per file.

    Raises :class:`ParseError` naming the file, line and column of the first syntax error.
    """
    ds = bind_prefixes(Dataset())
    for src in discover(root):
        if src.role == "shapes" and not shapes:
            continue
        parse_file(src.path, format=Format.TURTLE, into=ds.graph(src.graph))
    return ds


def load_shapes(root: Path | None = None) -> Graph:
    """All SHACL shapes files merged into one graph."""
    g = bind_prefixes(Graph())
    for src in discover(root):
        if src.role == "shapes":
            parse_file(src.path, format=Format.TURTLE, into=g)
    return g


def parse_file(path: str | os.PathLike[str], *, format: Format | None = None, into: Graph | None = None) -> Graph:
    """Parse one RDF file into ``into`` (a new Dataset by default) and return it.

    ``format`` defaults to the one the file extension suggests. Quads in named graphs go to
    the same named graphs when ``into`` is a Dataset, and are merged otherwise.
    Raises :class:`ParseError` (also for a format that cannot be guessed) and ``OSError``
    when the file cannot be read.
    """
    path = Path(path)
    fmt = format or Format.guess(path)
    if fmt is None:
        raise ParseError(str(path), "cannot tell the RDF format from the file extension; name it with --format")
    data = path.read_bytes()
    return parse_bytes(data, format=fmt, into=into, source=str(path), base_iri=path.resolve().as_uri())


def parse_bytes(
    data: bytes | str,
    *,
    format: Format,
    into: Graph | None = None,
    source: str = "<data>",
    base_iri: str | None = None,
) -> Graph:
    """Parse RDF held in memory; see :func:`parse_file`."""
    target = into if into is not None else bind_prefixes(Dataset())
    is_dataset = isinstance(target, Dataset)
    graphs: dict[object, Graph] = {}
    term = RdflibTerms()  # a triple term raises UnsupportedTerm, a ValueError: ParseError below
    parser = _parser(data, format, source, base_iri)
    with _parse_errors(source):
        for quad in parser:
            name = quad.graph_name
            graph = graphs.get(name)
            if graph is None:
                if not is_dataset or isinstance(name, ox.DefaultGraph):
                    graph = target if not is_dataset else target.default_graph
                else:
                    graph = target.graph(term(name))
                graphs[name] = graph
            graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    for prefix, namespace in parser.prefixes.items():  # keep the file's prefixes for printing
        if prefix:
            target.bind(prefix, namespace, override=False)
    return target


def parse_into_store(
    path: str | os.PathLike[str], store: ox.Store, graph: ox.NamedNode, *, format: Format | None = None,
    union: ox.Store | None = None,
) -> dict[str, str]:
    """Parse one RDF file into the named graph ``graph`` of the pyoxigraph ``store`` (no rdflib:
    what the build does with every source), and into the default graph of ``union`` if given.
    Blank nodes get labels of their own, as in :func:`parse_file`; quads a dataset format puts
    in a named graph go to ``graph`` too. Returns the prefixes the file declares. Raises what
    :func:`parse_file` raises; nothing is stored when the file does not parse.
    """
    path = Path(path)
    fmt = format or Format.guess(path)
    if fmt is None:
        raise ParseError(str(path), "cannot tell the RDF format from the file extension; name it with --format")
    data = path.read_bytes()
    source = str(path)
    parser = _parser(data, fmt, source, path.resolve().as_uri())
    with _parse_errors(source):
        parsed = list(parser)  # parsed whole before anything is stored
    if any(isinstance(t, ox.Triple) for q in parsed for t in (q.subject, q.object)):
        raise ParseError(source, "RDF 1.2 triple terms are not supported")
    store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed)
    if union is not None:
        default = ox.DefaultGraph()
        union.extend(q if q.graph_name == default else ox.Quad(q.subject, q.predicate, q.object) for q in parsed)
    return {p: n for p, n in parser.prefixes.items() if p}


def store_to_dataset(store: ox.Store, graphs: list, prefixes: dict[str, str] | None = None) -> Dataset:
    """The named graphs ``graphs`` of ``store`` as an rdflib Dataset (union default graph),
    with our prefixes and ``prefixes`` bound: for the consumers that need rdflib."""
    dataset = bind_prefixes(Dataset(default_union=True))
    term = RdflibTerms()
    for name in graphs:
        target = dataset.graph(term(name))
        add = target.add
        for q in store.quads_for_pattern(None, None, None, name):
            add((term(q.subject), term(q.predicate), term(q.object)))
    for prefix, namespace in (prefixes or {}).items():
        dataset.bind(prefix, namespace, override=False)
    return dataset


def _parser(data: bytes | str, format: Format, source: str, base_iri: str | None):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if format is Format.JSONLD:
        data = _with_local_contexts(data, source, base_iri)
    with _parse_errors(source):
        return ox.parse(data, format.oxigraph, base_iri=base_iri, rename_blank_nodes=True)


@contextmanager
def _parse_errors(source: str):
    """Parsing under :func:`no_outside_access`, pyoxigraph's errors as :class:`ParseError`."""
    try:
        with no_outside_access():
            yield
    except ParseError:
        raise
    except SyntaxError as exc:
        raise ParseError(source, _POSITION.sub("", exc.msg), exc.lineno, exc.offset) from None
    except ValueError as exc:  # e.g. an invalid IRI or language tag
        raise ParseError(source, str(exc)) from None


_POSITION = re.compile(r"^Parser error (at|between) line \d+ column \d+( and line \d+ column \d+)?: ")


def _with_local_contexts(data: bytes, source: str, base_iri: str | None) -> bytes:
    """Replace references to the basel-kg JSON-LD context by the shipped copy; refuse any other.

    A string ``@context`` (or ``@import``) is allowed only when it is the published context IRI
    or the relative reference ``context.jsonld`` the release files use; nothing is fetched.
    """

    try:
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        raise ParseError(source, f"not UTF-8: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise ParseError(source, exc.msg, exc.lineno, exc.colno) from None

    def local(ref: str) -> dict:
        if ref == CONTEXT_FILE_NAME or ref == CONTEXT_IRI or (base_iri and urljoin(base_iri, ref) == CONTEXT_IRI):
            return jsonld_context()["@context"]
        raise ParseError(
            source,
            f"JSON-LD context {ref!r} refused: remote or unnamed contexts are never loaded; "
            f"only the basel-kg context ({CONTEXT_IRI}) is available offline",
        )

    def resolve(ctx):
        if isinstance(ctx, str):
            return local(ctx)
        if isinstance(ctx, list):
            return [resolve(c) for c in ctx]
        if isinstance(ctx, dict):
            out = {k: walk(v) for k, v in ctx.items() if k != "@import"}
            if "@import" in ctx:
                imported = ctx["@import"]
                if not isinstance(imported, str):
                    raise ParseError(source, "JSON-LD @import must be a string")
                out = {**local(imported), **out}
            return out
        return ctx

    def walk(node):
        if isinstance(node, dict):
            return {k: resolve(v) if k == "@context" else walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(n) for n in node]
        return node

    return json.dumps(walk(doc)).encode("utf-8")
