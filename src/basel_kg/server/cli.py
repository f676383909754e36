"""``basel-kg serve``: the options, and starting the server from them.

The CLI (``basel_kg.cli``) calls :func:`add_serve_arguments` and :func:`serve_from_args`;
``python -m basel_kg.server`` does the same on its own.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import logging
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError, StoreError, StoreFull, StoreInUse
from ..limits import give_back_memory
from ..namespaces import BASE
from ..store import EmbeddedStore
from ..store.holder import MEMORY_VIEWS_MAX, in_use, open_when_free
from .settings import Settings
from .uploads import UploadLimits

__all__ = ["add_serve_arguments", "serve_from_args", "prepare", "Prepared", "write_tokens", "TOKEN_ENV"]

#: Environment variable holding write tokens (NAME=SECRET, several separated by spaces or commas);
#: safer than --write-token, which other users of the machine can see in the process list.
TOKEN_ENV = "BASEL_KG_WRITE_TOKEN"

log = logging.getLogger("basel_kg.server")


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``basel-kg serve``, each with a line saying why."""
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to listen on (default 127.0.0.1: only this machine can connect, so "
                             "nothing is exposed by accident; use 0.0.0.0 to serve the network on purpose)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port to listen on (default 8000)")
    parser.add_argument("--store", metavar="PATH|URL",
                        help="keep the store on disk in PATH, so a restart reuses it instead of rebuilding "
                             "(it is rebuilt only when the sources change; written graphs are kept); or serve a "
                             "remote SPARQL store: sparql+http://HOST:PORT/QUERY-PATH (see the README); "
                             "default: in memory")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=30.0,
                        help="stop a query that runs longer than this, so one heavy query cannot hold the "
                             "server (default 30; the client gets 503 saying the query was stopped)")
    parser.add_argument("--load", metavar="GRAPH_IRI=FILE", action="append", default=[],
                        help="also serve FILE (any RDF format, by extension) as the named graph GRAPH_IRI, "
                             "e.g. your own annotations beside ours; repeatable")
    parser.add_argument("--base", metavar="IRI", default=BASE,
                        help=f"IRIs starting with this are answered at the same path on this server "
                             f"(Linked Data; default {BASE})")
    parser.add_argument("--max-rows", metavar="N", type=int, default=10_000,
                        help="cut query results after N rows so one query cannot flood a client "
                             "(default 10000; the X-SPARQL-MaxRows header says when it happened)")
    parser.add_argument("--allow-service", metavar="IRI", action="append", default=[],
                        help="let queries call this SPARQL endpoint with SERVICE; repeatable "
                             "(default none: queries never reach the network)")
    parser.add_argument("--cors-origin", metavar="ORIGIN", action="append",
                        help="origin whose scripts may read responses (CORS, never with credentials); "
                             "repeatable (default '*': public read access for any site's query tools)")
    parser.add_argument("--no-cors", action="store_true",
                        help="send no CORS headers, so only same-origin pages can read responses")
    parser.add_argument("--workers", metavar="N", type=int,
                        help="most queries that run at once, each in its own process (default: twice the CPUs)")
    parser.add_argument("--dumps", metavar="DIR", type=Path,
                        help="serve the release files in DIR at /dumps/ (default: dist/ when it matches the "
                             "sources, else a release written for this server)")
    parser.add_argument("--write-token", metavar="NAME=SECRET", action="append", default=[],
                        help="switch writes on (SPARQL Update, Graph Store Protocol at /store) for clients sending "
                             "'Authorization: Bearer SECRET', recorded as NAME; repeatable; prefer the environment "
                             f"variable {TOKEN_ENV} (default: none, the server is read-only)")
    parser.add_argument("--result-cache", metavar="MIB", type=int, default=64,
                        help="memory for cached query results (default 64); 0 switches the cache off, so every "
                             "query runs (what a benchmark of the engine wants)")
    parser.add_argument("--memory-views", metavar="QUADS", type=int, default=None,
                        help="with --store PATH: up to this many quads the data is read into memory on starting and "
                             "queried there (faster queries), above it the query views stay on disk (a restart in "
                             f"seconds, memory that does not grow with the data); default {MEMORY_VIEWS_MAX}; "
                             "0: always on disk")
    parser.add_argument("--max-queue", metavar="N", type=int, default=64,
                        help="most queries that may wait for a busy query process; one more gets 503 with "
                             "Retry-After at once instead of queueing without end (default 64; the wait counts "
                             "against --timeout)")
    limits = UploadLimits()
    parser.add_argument("--upload-timeout", metavar="SECONDS", type=float, default=limits.seconds,
                        help="stop reading an uploaded document (/validate, /store), or validating one (/validate), "
                             "after this long: 413 "
                             f"(default {limits.seconds:g})")
    parser.add_argument("--upload-memory", metavar="MIB", type=int, default=limits.memory_mb,
                        help="memory the process reading (or validating, /validate) one uploaded document may take: "
                             "413 past it "
                             f"(default {limits.memory_mb})")
    parser.add_argument("--upload-triples", metavar="N", type=int, default=limits.triples,
                        help=f"most triples one write or /validate request may carry: 413 past it (default "
                             f"{limits.triples})")
    parser.add_argument("--max-depth", metavar="N", type=int, default=limits.depth,
                        help="deepest nesting of brackets or elements in an uploaded document, and (doubled) "
                             f"in a query: 422/400 past it, before any parser sees it (default {limits.depth})")
    parser.add_argument("--no-supervisor", action="store_true",
                        help="serve from this one process; by default a supervisor (uvicorn's process manager) "
                             "runs the server in a child process and restarts it, and the store with it, if it dies")
    parser.add_argument("--quiet", action="store_true", help="do not log every request")


@dataclass
class Prepared:
    """A loaded store and the settings to serve it; ``rebuilt`` says whether it was (re)loaded."""

    settings: Settings
    store: EmbeddedStore | Any
    rebuilt: bool
    temporary: tempfile.TemporaryDirectory | None = None

    def close(self) -> None:
        self.store.close()
        if self.temporary is not None:
            self.temporary.cleanup()


def _loads(specs: list[str]) -> list[tuple[str, Path]]:
    loads = []
    for spec in specs:
        iri, sep, file = spec.partition("=")
        if not sep or not iri or not file:
            raise InputError(f"--load needs GRAPH_IRI=FILE, got {spec!r}")
        path = Path(file)
        if not path.is_file():
            raise InputError(f"--load {spec}: no such file")
        loads.append((iri, path))
    return loads


def write_tokens(specs: list[str], environ: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """(name, secret) pairs from --write-token values and $BASEL_KG_WRITE_TOKEN (``NAME=SECRET``;
    a bare ``SECRET`` is named "writer")."""
    environ = os.environ if environ is None else environ
    values = list(specs) + [v for v in re.split(r"[\s,]+", environ.get(TOKEN_ENV, "")) if v]
    tokens = []
    for value in values:
        name, sep, secret = value.partition("=")
        tokens.append((name, secret) if sep else ("writer", value))
    names = [n for n, _ in tokens]
    if len(set(names)) != len(names):
        raise InputError("two write tokens have the same name")
    from .writes import check_tokens

    try:
        check_tokens(tuple(tokens))
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return tuple(tokens)


def _fingerprint(version: str, loads: list[tuple[str, Path]]) -> str:
    digest = hashlib.sha256(f"basel-kg {__version__}\n{version}\n".encode())
    for iri, path in loads:
        digest.update(iri.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _release_version(folder: Path) -> str | None:
    """The dataset version a release folder was written for (owl:versionInfo in void.ttl)."""
    import pyoxigraph as ox

    void = folder / "void.ttl"
    if not void.is_file():
        return None
    try:
        for quad in ox.parse(path=void, format=ox.RdfFormat.TURTLE):
            if quad.predicate.value == "http://www.w3.org/2002/07/owl#versionInfo":
                return quad.object.value
    except (SyntaxError, OSError):
        return None
    return None


def prepare(args: argparse.Namespace) -> Prepared:
    """Open the store, (re)load it when the sources changed, and settle what /dumps serves."""
    from ..build import build_knowledge_graph, content_version
    from ..cache import built, fingerprint as sources_fingerprint
    from ..project import project_root
    from ..sources import discover

    tokens = write_tokens(args.write_token)
    if args.store and args.store.startswith(("sparql+http://", "sparql+https://")):
        return _prepare_remote(args, tokens)
    root = project_root()
    loads = _loads(args.load)
    # a server process under the supervisor is given what the supervisor read of the sources
    # (hashing them is a second or more at 700x): it serves what the supervisor prepared
    kg_version = getattr(args, "kg_version", None) or content_version(tuple(discover(root)))
    fingerprint = getattr(args, "fingerprint", None) or _fingerprint(sources_fingerprint(root), loads)
    store = _open_store(args)
    kg = None
    temporary = None
    dumps = args.dumps
    try:
        rebuilt = store.source != fingerprint
        if store.read_only:
            log.error("the store's disk is full: it was opened read-only; serving the data it holds (version %s)%s",
                      store.version, ", not the changed sources" if rebuilt else "")
            rebuilt = False
        if rebuilt:
            # Validation is the job of `basel-kg build` / `basel-kg validate`; serving does not repeat it.
            log.warning("building the knowledge graph from %s (reasoning, no validation; from the cache if unchanged) ...", root)
            if args.dumps is None and _release_folder(root, args.store, kg_version) is None:
                # a release must be written too: build once for both
                kg = build_knowledge_graph(root=root, validate=False, progress=sys.stderr.isatty())
            build = built(root, progress=sys.stderr.isatty(), kg=kg)
            if kg is not None:
                # the release is written now, and the graph in memory let go before the store
                # loads (from the cache's N-Quads file): both never held at once
                dumps, kg, temporary = _dumps_folder(root, args.store, kg_version, kg)
                kg = None
                give_back_memory()
            graphs = {iri: path for iri, path in loads}
            release = set(build.graph_sizes) | set(graphs)
            graphs.update(_written_graphs(store, release))
            try:
                store.load_dataset(build.nquads, graphs=graphs, version=_version(build.version, loads), source=fingerprint)
            except StoreFull:
                log.error("the store's disk is full: serving the data it holds (version %s), read-only, instead of "
                          "the rebuilt knowledge graph", store.version)
            else:
                log.warning("loaded %d triples in %d graphs (version %s)", store.triples, len(store.graphs()),
                            store.version)
        else:
            log.warning("the store at %s is current (version %s): not rebuilding", args.store, store.version)
        if dumps is None:
            dumps, kg, temporary = _dumps_folder(root, args.store, kg_version, kg)
        settings = _settings(args, store, root, dumps, write_tokens=tokens)
    except BaseException:
        store.close()
        if temporary is not None:
            temporary.cleanup()
        raise
    return Prepared(settings, store, rebuilt, temporary)


# How long a server process waits for a store on disk that another process still holds (the
# store process of a server process that is exiting, under the supervisor) before it gives up
STORE_WAIT_SECONDS = 20.0


def _open_store(args: argparse.Namespace) -> EmbeddedStore:
    """The embedded store; waits up to ``STORE_WAIT_SECONDS`` for a store on disk still held by a
    process that is exiting (a restart under the supervisor), then raises :class:`StoreInUse`."""
    return open_when_free(lambda: EmbeddedStore(
        args.store, workers=args.workers, timeout=args.timeout, max_waiting=args.max_queue,
        allowed_services=args.allow_service, base_iri=args.base, memory_views_max=getattr(args, "memory_views", None),
    ), STORE_WAIT_SECONDS)


def _written_graphs(store: EmbeddedStore, release: set[str]) -> dict[str, bytes]:
    """Graphs written through the server (and the write records), to carry over a rebuild.

    A rebuild replaces the release's graphs; what clients wrote into other graphs stays.
    (Their entailments are recomputed by the next write that reasons over the whole graph.)
    """
    from .settings import PROVENANCE_GRAPH

    if not store.has_graph(PROVENANCE_GRAPH):
        return {}
    rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?w <http://www.w3.org/ns/prov#generated> ?g }} }}",
                       max_rows=None).solutions()
    written = {row["g"].value for row in rows} | {PROVENANCE_GRAPH}
    kept = {g: store.read_graph(g, "application/n-triples").body for g in sorted(written - release) if store.has_graph(g)}
    if kept:
        log.warning("keeping %d graph(s) written through the server: %s", len(kept), ", ".join(sorted(kept)))
    return kept


def _prepare_remote(args: argparse.Namespace, tokens) -> Prepared:
    """Serve a remote store: nothing to build or load; writes go to that store directly."""
    from ..store.remote import RemoteStore
    from ..project import project_root

    if tokens:
        raise InputError("--write-token needs the embedded store; write to the remote store directly "
                         "(basel-kg push, or its own update endpoint)")
    if args.load:
        raise InputError("--load needs the embedded store; push the file to the remote store instead")
    root = project_root()
    store = RemoteStore.from_url(args.store, timeout=args.timeout)
    try:
        log.warning("serving the remote store %s (%d triples in %d graphs)", store.query_endpoint, store.triples,
                    len(store.graphs()))
        dumps = args.dumps if args.dumps is not None else (root / "dist" if (root / "dist").is_dir() else None)
        settings = _settings(args, store, root, dumps)
    except BaseException:
        store.close()
        raise
    return Prepared(settings, store, False)


def _version(kg_version: str, loads: list[tuple[str, Path]]) -> str:
    if not loads:
        return kg_version
    digest = hashlib.sha256()
    for iri, path in loads:
        digest.update(iri.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{kg_version}+{digest.hexdigest()[:8]}"


def _release_folder(root: Path, store_path: str | None, kg_version: str) -> Path | None:
    """The folder holding this version's release already (see :func:`_dumps_folder`), or None."""
    for folder in (root / "dist", _own_release(store_path, kg_version)):
        if _release_version(folder) == kg_version:
            return folder
    return None


def _own_release(store_path: str | None, kg_version: str) -> Path:
    """Where serve writes a release when dist/ does not hold this version's."""
    from ..cache import RELEASES, cache_dir

    if store_path:
        return Path(store_path).with_name(Path(store_path).name + "-release")
    return cache_dir() / RELEASES / f"release-{kg_version}"


def _dumps_folder(root: Path, store_path: str | None, kg_version: str, kg):
    """dist/ if it holds this version's release; else a release written beside the store or,
    without a store, in the build cache's folder (``releases/release-VERSION`` in
    :func:`basel_kg.cache.cache_dir`, which the pruning of old builds leaves alone):
    kept across restarts either way, so a cold start writes no release it already has."""
    from ..build import build_knowledge_graph
    from ..release import write_release

    if _release_version(root / "dist") == kg_version:
        return root / "dist", kg, None
    temporary = None
    folder = _own_release(store_path, kg_version)
    if _release_version(folder) != kg_version:
        log.warning("writing the release files to %s ...", folder)
        kg = kg or build_knowledge_graph(root=root, validate=False, progress=sys.stderr.isatty())
        write_release(kg, folder)
    return folder, kg, temporary


def serve_from_args(args: argparse.Namespace) -> int:
    """Prepare the store, then serve until interrupted; returns the exit code."""
    logging.basicConfig(format="%(message)s", level=logging.INFO)
    remote = bool(args.store and args.store.startswith(("sparql+http://", "sparql+https://")))
    if args.no_supervisor or remote:
        return _serve_here(args)
    return _serve_supervised(args)


def _uvicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"host": args.host, "port": args.port, "log_level": "warning" if args.quiet else "info",
            "access_log": not args.quiet}


def _serve_here(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    prepared = prepare(args)
    try:
        app = create_app(prepared.settings)
        log.warning("serving on http://%s:%d/ (SPARQL at /sparql, docs at /docs)", args.host, args.port)
        uvicorn.run(app, **_uvicorn_options(args))
    finally:
        prepared.close()
    return 0


def _serve_supervised(args: argparse.Namespace) -> int:
    """The store is prepared (built when the sources changed) here, once, on disk (``--store``,
    or a temporary folder kept for the life of the supervisor); then uvicorn's process manager
    (:class:`uvicorn.supervisors.Multiprocess`, through :class:`.supervisor.Supervisor`) runs one
    server process, which opens that store and serves it, and starts a new one whenever it dies
    (a crash, or its store process gone: see :func:`_watch_store`). What was written survives:
    it is on disk."""
    from uvicorn.config import STARTUP_FAILURE

    from .supervisor import Supervisor

    temporary = None
    if not args.store:
        temporary = tempfile.TemporaryDirectory(prefix="basel-kg-store-")
        args.store = str(Path(temporary.name) / "store")
    elif in_use(args.store):  # another serve on it: say so now, not from each server process started
        raise StoreInUse(args.store)
    try:
        sources = _sources(args)
        dumps = _current_dumps(args, *sources)
        if dumps is None:  # the store does not hold the current sources: build and load it, once
            dumps = _prepare_in_child(args)
        options = {k: v for k, v in vars(args).items() if isinstance(v, (str, int, float, bool, list, type(None)))}
        os.environ[_ARGS_ENV] = json.dumps({**options, "dumps": str(dumps) if dumps else None,
                                            "kg_version": sources[0], "fingerprint": sources[1]})
        config = supervised_config(args)
        log.warning("serving on http://%s:%d/ (SPARQL at /sparql, docs at /docs, health at /health; "
                    "supervised: a server process that dies is restarted)", args.host, args.port)
        supervisor = Supervisor(config, sockets=[listening_socket(config)])
        supervisor.run()
    finally:
        if temporary is not None:
            temporary.cleanup()
    # the supervisor stops when a server process fails before it serves (see supervised_app)
    return 1 if any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes) else 0


_ARGS_ENV = "BASEL_KG_SERVE_ARGS"

# How long uvicorn's process manager waits for the server process to answer its health ping
# before it kills it as hung (uvicorn's default: 5 s). The ping is answered by a Python thread,
# which waits for the interpreter lock while a pyoxigraph call holds it: copying or listing a
# store's quads holds it for about 2 s per million quads (the write guard's copy of the graph,
# made as the server starts: 5.7 million quads at 700x), longer on a loaded machine. With 5 s,
# the process was killed in the middle of the first write at 100x on a busy machine and at 700x.
HEALTHCHECK_SECONDS = 300


def supervised_config(args: argparse.Namespace):
    """uvicorn's configuration of the supervised server process (see :func:`_serve_supervised`)."""
    import uvicorn

    return uvicorn.Config("basel_kg.server.cli:supervised_app", factory=True, workers=1,
                          timeout_worker_healthcheck=HEALTHCHECK_SECONDS, **_uvicorn_options(args))


def _prepare_in_child(args: argparse.Namespace) -> Path | None:
    """:func:`prepare` (build, load the store on disk, write the release) in a child process, and
    the folder /dumps serves. The build holds the whole graph in memory (gigabytes at scale),
    which a process does not give back to the system: the supervisor, which lives as long as
    the server, must not keep it. The child's exception, if any, is raised here."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_prepare_child, args=(vars(args), sender), name="basel-kg-prepare")
    child.start()
    sender.close()
    try:
        outcome = receiver.recv()
    except EOFError:
        outcome = ("error", StoreError(f"the process preparing the store stopped (exit code {child.exitcode})"))
    finally:
        child.join()
        receiver.close()
    kind, value = outcome
    if kind == "error":
        raise value
    return Path(value) if value is not None else None


def _prepare_child(values: dict[str, Any], sender) -> None:
    import pickle

    logging.basicConfig(format="%(message)s", level=logging.INFO)
    try:
        prepared = prepare(argparse.Namespace(**values))
        dumps = prepared.settings.dumps_dir
        prepared.close()
        outcome: tuple[str, Any] = ("ok", str(dumps) if dumps else None)
    except BaseException as exc:  # noqa: BLE001 - handed to the supervisor, which raises it
        outcome = ("error", StoreError(f"{type(exc).__name__}: {exc}"))
        for kind in type(exc).__mro__:  # the exception, else its nearest class that pickles with the message
            try:
                candidate = exc if kind is type(exc) else kind(str(exc))
                pickle.loads(pickle.dumps(candidate))
            except Exception:  # noqa: BLE001 - e.g. a constructor that needs more arguments
                continue
            outcome = ("error", candidate)
            break
    sender.send(outcome)
    sender.close()


def _sources(args: argparse.Namespace) -> tuple[str, str]:
    """(content version, fingerprint) of the sources as they are now (see :func:`prepare`)."""
    from ..build import content_version
    from ..cache import fingerprint as sources_fingerprint
    from ..project import project_root
    from ..sources import discover

    write_tokens(args.write_token)  # a bad token is refused here, before any server process starts
    root = project_root()
    return content_version(tuple(discover(root))), _fingerprint(sources_fingerprint(root), _loads(args.load))


def _current_dumps(args: argparse.Namespace, kg_version: str, fingerprint: str) -> Path | None:
    """When the store on disk already holds the current sources: the folder /dumps serves, found
    without loading the store (the server process loads it; loading it here as well would double
    a restart). None when the store must be (re)built, or when --dumps is not given and no
    release of this version exists yet."""
    from ..project import project_root
    from ..store.holder import stored_source

    source = stored_source(args.store) if args.store else None
    if source is None or source != fingerprint:
        return None
    if args.dumps is not None:
        return args.dumps
    return _release_folder(project_root(), args.store, kg_version)


def listening_socket(config) -> socket.socket:
    """uvicorn's bound socket for the supervisor, with ``TCP_NODELAY`` set.

    uvicorn makes it with ``socket.socket(family)``, whose protocol number is 0, so asyncio does
    not switch Nagle's algorithm off on the connections it accepts (it only does for sockets
    that say ``IPPROTO_TCP``): every response whose body follows its headers in a second write
    then waits for the client's delayed ACK, about 40 ms. Accepted connections inherit the
    option from the listening socket (Linux, BSD, macOS)."""
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def supervised_app():
    """The app of a server process under the supervisor (uvicorn calls it in each new process)."""
    from .app import create_app

    logging.basicConfig(format="%(message)s", level=logging.INFO)
    values = json.loads(os.environ[_ARGS_ENV])
    values["dumps"] = Path(values["dumps"]) if values["dumps"] else None
    try:
        prepared = prepare(argparse.Namespace(**values))
    except StoreInUse as exc:
        # it would be the same in the next server process: uvicorn's supervisor stops on this
        # exit code instead of starting one after another (each opening the store in vain)
        from uvicorn.config import STARTUP_FAILURE

        log.error("basel-kg serve: %s", exc)
        sys.exit(STARTUP_FAILURE)
    atexit.register(prepared.close)
    _watch_store(prepared.store)
    return create_app(prepared.settings)


def _watch_store(store, every: float = 1.0) -> None:
    """Stop this server process when its store process has died, so the supervisor starts a
    fresh one (which reopens the store from disk)."""
    alive = getattr(store, "alive", None)
    if alive is None:
        return

    def watch() -> None:
        while alive():
            time.sleep(every)
        log.error("the store process stopped: stopping this server process so that it is restarted")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="store-watch").start()


def _settings(args: argparse.Namespace, store, root: Path, dumps: Path | None, *,
              write_tokens: tuple[tuple[str, str], ...] = ()) -> Settings:
    """The app's settings from the command line, for an embedded or a remote store."""
    return Settings(
        store=store,
        base=args.base,
        timeout=args.timeout,
        max_rows=args.max_rows,
        cors_origins=() if args.no_cors else tuple(args.cors_origin or ("*",)),
        queries_root=root,
        dumps_dir=dumps,
        cache_bytes=max(0, getattr(args, "result_cache", 64)) * 2**20,
        write_tokens=write_tokens,
        warm_writes=True,
        max_query_depth=2 * args.max_depth,
        uploads=UploadLimits(seconds=args.upload_timeout, memory_mb=args.upload_memory, triples=args.upload_triples,
                             depth=args.max_depth),
    )
