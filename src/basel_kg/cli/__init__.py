"""The ``basel-kg`` command line: argument parsing and printing over the library.

Exit codes (as pySHACL): 0 success / data conforms; 1 the data does not conform or a query
failed to run; 2 usage or input error (bad option, missing or unparsable file, refused query).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .. import __version__
from ..errors import BaselKgError, QuerySyntaxError

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILURE", "EXIT_ERROR"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_ERROR = 2

FORMAT_NAMES = ["turtle", "json-ld", "nt", "nq", "trig", "xml"]
RESULT_FORMAT_NAMES = ["table", "json", "csv", "tsv", "xml", "turtle", "json-ld"]

EPILOG = """exit codes:
  0  success (for validate: the data conforms)
  1  the data does not conform, or a query failed to run
  2  usage or input error: bad option, missing or unparsable file, refused query

The project folder (ontology/, data/, shapes/, queries/) is the checkout basel-kg is installed
from, or $BASEL_KG_ROOT."""


class _CliError(BaselKgError):
    """A usage error found by the command line itself, reported in one line."""

    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.exit_code = code


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The argument parser. ``serve`` gets the web server's own options when it is the command."""
    parser = argparse.ArgumentParser(
        prog="basel-kg",
        description="Build, validate, query and export the Basel Convention knowledge graph.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"basel-kg {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=help, description=textwrap.fill(description, 88), epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = command("build", "build and validate the knowledge graph, write the release",
                "Load ontology, data and shapes; compute the OWL 2 RL entailments into graph/inferred; "
                "validate with SHACL; write the release (Turtle, N-Triples, N-Quads, TriG, JSON-LD + context, "
                "RDF/XML, VoID/DCAT, ontology HTML) into a temporary folder and move it into place. "
                "Writes nothing when the data does not conform (exit 1).")
    p.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR",
                   help="release folder, replaced as a whole (default: ./dist)")
    p.set_defaults(handler=_build)

    p = command("validate", "validate RDF files against the shapes",
                "Validate the statements in FILE... against the SHACL shapes, together with the knowledge "
                "graph (so they may refer to existing entities) or alone with --standalone. The text report "
                "has one line per result, sorted: focus node, path, value, shape, message.")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="RDF file(s) to validate")
    p.add_argument("--format", choices=["auto", *FORMAT_NAMES], default="auto",
                   help="RDF format of the files (default: auto, from the file extension)")
    p.add_argument("--standalone", action="store_true",
                   help="validate the files alone (with only the ontology), not in the context of the knowledge graph")
    p.add_argument("--report", choices=["text", "turtle", "json"], default="text",
                   help="report format (default: text)")
    p.set_defaults(handler=_validate)

    p = command("query", "run a SPARQL query locally or on an endpoint",
                "Run a SPARQL query on the built knowledge graph (in memory, with pyoxigraph; the default "
                "graph is the union of all graphs) or on a remote SPARQL 1.1 endpoint. Local queries may "
                "not use SERVICE.")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("query", nargs="?", metavar="QUERY", help="the SPARQL query text")
    source.add_argument("-f", "--file", type=Path, metavar="FILE", help="read the query from FILE")
    source.add_argument("--name", metavar="NAME", help="run the published query NAME (see: basel-kg queries)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter of the --name query; repeat for several")
    p.add_argument("--format", choices=RESULT_FORMAT_NAMES, default=None,
                   help="output format (default: table; turtle for CONSTRUCT/DESCRIBE)")
    p.add_argument("--endpoint", metavar="URL", help="run on this SPARQL endpoint instead of locally")
    p.add_argument("--no-inference", action="store_true",
                   help="leave graph/inferred out of the local default graph")
    p.set_defaults(handler=_query)

    p = command("export", "write the knowledge graph (or some graphs) in one format",
                "Serialise the knowledge graph in one RDF format. Triple formats (turtle, nt, xml) merge the "
                "asserted graphs by default; dataset formats (nq, trig, json-ld) keep every named graph, "
                "graph/inferred included.")
    p.add_argument("--format", required=True, choices=FORMAT_NAMES, help="RDF format")
    p.add_argument("--graph", action="append", metavar="IRI",
                   help="only this named graph (an IRI, or a short name like 'reference' or 'inferred'); repeat for several")
    p.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=_export)

    p = command("stats", "count triples by graph, class, property and language",
                "Counts over the knowledge graph: triples per named graph, instances per class (inferred "
                "types included), triples per property, literals per language tag.")
    p.add_argument("--format", choices=["table", "json"], default="table", help="output format (default: table)")
    p.add_argument("--no-inference", action="store_true", help="count the asserted graphs only")
    p.set_defaults(handler=_stats)

    p = command("queries", "list the published queries and their parameters",
                "List the queries that 'basel-kg query --name' runs: published queries (queries/published/) "
                "and competency questions (queries/cq/), with their titles and parameters.")
    p.add_argument("--format", choices=["table", "json"], default="table", help="output format (default: table)")
    p.set_defaults(handler=_queries)

    serve_help = "serve the knowledge graph over HTTP (SPARQL endpoint, pages, published queries)"
    p = command("serve", serve_help, "Serve the knowledge graph over HTTP. Binds to 127.0.0.1 by default.")
    if argv and argv[0] == "serve":
        try:
            from ..server import add_serve_arguments
        except ImportError as exc:
            p.set_defaults(handler=_no_server, server_error=str(exc))
            p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        else:
            add_serve_arguments(p)
            p.set_defaults(handler=_serve)

    # A command's own options (and the modules that define them) are loaded only when it runs,
    # so that `basel-kg query` starts fast; `basel-kg push --help` still shows them all.
    p = command("push", "load the release into a remote SPARQL 1.1 store, one named graph per source",
                "Load the release written by 'basel-kg build' into any SPARQL 1.1 store (Fuseki, GraphDB, "
                "Virtuoso, Oxigraph ...), one named graph per source, replacing what each graph held there.")
    if argv and argv[0] == "push":
        from ..push import add_push_arguments

        add_push_arguments(p)
    p.set_defaults(handler=_push)

    p = command("ingest", "draft a named graph from a new UN document (.txt, .html, .pdf, .docx)",
                "Read a UN document (English and/or Chinese), split it into passages with stable anchors, "
                "extract the document, meetings, decisions, UN symbols, organisations, persons and dates, match "
                "them to the knowledge graph, and draft a named graph with passage provenance, validated "
                "in the context of the graph; report what matched, what is new and what is unresolved.")
    if argv and argv[0] == "ingest":
        from ..ingest.cli import add_ingest_arguments, ingest_from_args

        add_ingest_arguments(p)
        p.set_defaults(handler=ingest_from_args)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return int(exc.code or 0)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return args.handler(args)
    except QuerySyntaxError as exc:
        _error(f"syntax error in the query: {exc}")
        return exc.exit_code
    except BaselKgError as exc:  # every error raised on purpose carries its exit code
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader (e.g. `head`) went away: stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


# --- helpers ------------------------------------------------------------------------------------

def _error(message: str) -> None:
    print(f"basel-kg: error: {message}", file=sys.stderr)


def _info(message: str) -> None:
    print(message, file=sys.stderr)


def _progress() -> bool:
    return sys.stderr.isatty()


def _write(data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@contextmanager
def _reading(what: str) -> Iterator[None]:
    """Turn a syntax error (file:line:column) or an unreadable file into a one-line error, exit 2."""
    from ..sources import ParseError

    try:
        yield
    except ParseError as exc:
        raise _CliError(f"cannot parse {exc}") from None
    except OSError as exc:
        raise _CliError(f"cannot read {what}: {exc}") from None


def _knowledge_graph(*, reason: bool = True, validate: bool = False):
    """Build the knowledge graph; input problems exit 2, an inconsistency with the ontology exits 1."""
    from ..build import build_knowledge_graph

    with _reading("the knowledge graph sources"):
        return build_knowledge_graph(reason=reason, validate=validate, progress=_progress())


def _built():
    """The current build of the sources, from the cache when they have not changed."""
    from ..cache import built

    with _reading("the knowledge graph sources"):
        return built(progress=_progress())


def _store():
    """An in-process store holding the current build (see :mod:`basel_kg.cache`)."""
    from ..cache import open_built_store

    with _reading("the knowledge graph sources"):
        return open_built_store(progress=_progress())


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file beside it, so ``path`` is never half-written."""
    path = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- commands -----------------------------------------------------------------------------------

def _build(args: argparse.Namespace) -> int:
    from ..release import write_release

    start = time.perf_counter()
    kg = _knowledge_graph(reason=True, validate=True)
    if not kg.conforms:
        _write(kg.report.text)
        _error(f"the data does not conform to the shapes ({len(kg.report.violations)} violation(s)); "
               f"nothing was written to {args.out}")
        return EXIT_FAILURE
    try:
        release = write_release(kg, args.out, progress=_progress())
    except OSError as exc:
        raise _CliError(f"cannot write the release to {args.out}: {exc}") from None
    seconds = time.perf_counter() - start
    stats = kg.stats
    _info(f"built basel-kg {kg.version}: {stats.triples} triples, {stats.entities} entities in {len(kg.graphs)} "
          f"graphs ({kg.inferred_triples} inferred statements); wrote {len(release.files)} files to "
          f"{release.directory} in {seconds:.1f} s")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from rdflib import Dataset, Graph

    from ..formats import Format
    from ..namespaces import GRAPH
    from ..sources import discover, load_shapes, parse_file
    from ..validation import validate

    fmt = None if args.format == "auto" else Format(args.format)
    data = Dataset()
    for path in args.files:
        with _reading(str(path)):
            parse_file(path, format=fmt, into=data)
    if args.standalone:
        with _reading("the ontology"):
            ontology = next(s for s in discover() if s.graph == GRAPH.ONTOLOGY)
            context = parse_file(ontology.path, format=Format.TURTLE, into=Graph())
        build = None
    else:
        from ..cache import built_oxigraph

        with _reading("the built knowledge graph"):
            build = _built()
            context = built_oxigraph(build)
    with _reading("the shapes"):
        shapes = load_shapes()
    if build is not None:
        from ..cache import read_plan

        read_plan(build, shapes)
    report = validate(data, context=context, shapes=shapes)
    _write({"text": report.to_text, "turtle": report.to_turtle, "json": report.to_json}[args.report]())
    if args.report == "json":
        _write("\n")
    return EXIT_OK if report.conforms else EXIT_FAILURE


def _query(args: argparse.Namespace) -> int:
    from ..namespaces import BASE, PREFIXES
    from ..sparqltext import check_query
    from .render import ResultFormat, render

    if args.param and not args.name:
        raise _CliError("--param only applies to a published query (--name)")
    if args.endpoint and args.no_inference:
        raise _CliError("--no-inference applies to local queries, not to --endpoint")
    if args.name:
        text = _published(args.name, args.param)
    elif args.file:
        try:
            text = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise _CliError(f"cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}") from None
    else:
        text = args.query
    from ..vocabcheck import messages

    for line in messages(text or ""):  # a misspelt bkg: term would otherwise answer nothing, silently
        print(line, file=sys.stderr)
    if args.endpoint:
        if not args.endpoint.startswith(("http://", "https://")):
            raise _CliError(f"--endpoint must be an http(s) URL, not {args.endpoint!r}")
        from ..store.remote import RemoteStore

        store = RemoteStore.from_url(f"sparql+{args.endpoint}#union", timeout=60.0)
    else:
        check_query(text, prefixes=PREFIXES, base_iri=BASE)  # before loading anything
        store = _store()
    try:
        result = store.query(text, inference=not args.no_inference)
    finally:
        store.close()
    fmt = ResultFormat(args.format) if args.format else (
        ResultFormat.TURTLE if result.kind == "graph" else ResultFormat.TABLE)
    _write(render(result, fmt))
    return EXIT_OK


def _published(name: str, params: list[str]) -> str:
    from ..queries import ParameterError, RegistryError, load_registry

    try:
        registry = load_registry()
        query = registry[name]
    except RegistryError as exc:
        raise _CliError(str(exc)) from None
    except KeyError:
        known = ", ".join(registry) or "none"
        raise _CliError(f"no published query named {name!r} (queries: {known})") from None
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise _CliError(f"--param expects KEY=VALUE, not {item!r}")
        values[key.strip()] = value
    try:
        return query.bind(values).sparql
    except ParameterError as exc:
        raise _CliError(str(exc)) from None


def _export(args: argparse.Namespace) -> int:
    from rdflib import URIRef

    from ..export import UnknownGraphError, serialize
    from ..formats import Format
    from ..namespaces import BASE, graph_iri

    fmt = Format(args.format)
    graphs = None
    if args.graph:
        graphs = [URIRef(g) if ":" in g else URIRef(BASE + g) if g.startswith("graph/") else graph_iri(g)
                  for g in args.graph]
    from ..cache import built_dataset

    try:
        data = serialize(built_dataset(_built()), format=fmt, graphs=graphs)
    except UnknownGraphError as exc:
        raise _CliError(str(exc)) from None
    if args.output is None:
        _write(data)
        return EXIT_OK
    try:
        _atomic_write(args.output, data)
    except OSError as exc:
        raise _CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    _info(f"wrote {len(data)} bytes to {args.output}")
    return EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from ..stats import compute_stats
    from .render import table

    store = _store()
    try:
        stats = compute_stats(store, inference=not args.no_inference)
    finally:
        store.close()
    if args.format == "json":
        _write(stats.to_json() + "\n")
        return EXIT_OK

    def section(title: str, heading: str, counts: dict[str, int], iris: bool = True) -> str:
        rows = [(ox.NamedNode(k) if iris else ox.Literal(k or "(none)"), ox.Literal(str(v))) for k, v in counts.items()]
        return f"{title}\n" + table([heading, "count"], rows)

    summary = (f"basel-kg {store.version}: {stats.triples} triples, {stats.entities} entities in "
               f"{len(stats.graphs)} graphs; {len(stats.classes)} classes, {len(stats.properties)} properties\n")
    _write("\n".join([
        summary,
        section("Triples by graph", "graph", stats.graphs),
        section("Instances by class", "class", stats.classes),
        section("Triples by property", "property", stats.properties),
        section("Literals by language", "language", stats.languages, iris=False),
    ]))
    return EXIT_OK


def _queries(args: argparse.Namespace) -> int:
    import json

    import pyoxigraph as ox

    from ..queries import RegistryError, load_registry
    from .render import table

    try:
        registry = load_registry()
    except RegistryError as exc:
        raise _CliError(str(exc)) from None
    if args.format == "json":
        items = [{
            "name": q.name, "kind": q.kind, "title": q.title, "description": q.description,
            "parameters": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                           for p in q.parameters],
        } for q in registry.values()]
        _write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK

    def params(q) -> str:
        return ", ".join(f"{p.name} ({p.type})" + (f" = {p.default}" if p.default else "") for p in q.parameters)

    rows = [tuple(ox.Literal(v) for v in (q.name, q.kind, q.title, params(q) or "-")) for q in registry.values()]
    _write(table(["name", "kind", "title", "parameters"], rows))
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from ..server import serve_from_args

    return serve_from_args(args)


def _push(args: argparse.Namespace) -> int:
    from ..push import push_from_args

    return push_from_args(args)


def _no_server(args: argparse.Namespace) -> int:
    raise _CliError(f"the web server is not available in this installation ({args.server_error})")
