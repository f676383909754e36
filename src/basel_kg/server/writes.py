"""Writes: who may write (bearer tokens), reading posted RDF, and the one path every change
takes: plan -> refuse protected graphs -> entailments + SHACL (:class:`basel_kg.guard.WriteGuard`)
-> apply atomically with a provenance record.

Writers are serialised by one lock per app: a change is planned, checked and applied on
the same version of the data. Readers are never blocked: queries run in worker processes
on a snapshot of the data (see :mod:`basel_kg.store`).
"""

from __future__ import annotations

import hmac
import itertools
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from .. import formats
from ..guard import GuardOutcome, WriteGuard
from ..namespaces import GRAPH
from ..store import Delta, WritableStore
from ..store.model import has_blank_node, quads_of
from ..validation import ValidationReport
from . import negotiation
from .settings import Settings
from .uploads import ClientGone, UploadRefused, disconnect_event

log = logging.getLogger(__name__)

__all__ = [
    "WriteService",
    "WriteDenied",
    "WriteRejected",
    "BadDocument",
    "read_document",
    "report_response",
    "RDF_MEDIA_TYPES",
]

#: Media types a write or ``/validate`` accepts, and the pyoxigraph format of each (from the one table).
RDF_MEDIA_TYPES = formats.RDF_MEDIA_TYPES
_TOKEN_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PROV = "http://www.w3.org/ns/prov#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCTERMS = "http://purl.org/dc/terms/"
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


class WriteDenied(Exception):
    """The client may not write: 401 (no credentials) or 403 (wrong token, writes off,
    a protected graph)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class WriteRejected(Exception):
    """The write would break the shapes (or the ontology's consistency): 422 with the report."""

    def __init__(self, report: ValidationReport):
        super().__init__(report.text)
        self.report = report


class BadDocument(Exception):
    """The request body is not RDF we can read: ``status`` 400 (syntax) or 415 (media type)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class WriteResult:
    """A write that went through: whether the target graph existed before, what changed."""

    existed: bool
    added: int
    removed: int
    version: str
    outcome: GuardOutcome | None = None
    timings: dict[str, float] = field(default_factory=dict)


def check_tokens(tokens: tuple[tuple[str, str], ...]) -> None:
    """Refuse token names that cannot go into an IRI and secrets too short to be secret."""
    for name, secret in tokens:
        if not _TOKEN_NAME.match(name):
            raise ValueError(f"write token name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
        if len(secret) < 16:
            raise ValueError(f"write token {name!r}: the secret must be at least 16 characters "
                             "(e.g. python -c 'import secrets; print(secrets.token_urlsafe())')")


def renamed_blank_nodes(store: WritableStore, change: Delta) -> bool:
    """Did ``store`` name the blank nodes of an applied ``change`` afresh (a large store on disk
    does, and those of a graph that loses one, which it writes again whole)? Then a copy of the
    graph that applied the change itself no longer names them as the store does, and is made
    again from the store's export."""
    return store.renames_blank_nodes and any(map(has_blank_node, itertools.chain(change.remove, change.add)))


def guard_arguments(settings: Settings) -> tuple[str | None, str, list[str]]:
    """The inferred graph, ontology graph and excluded graphs of the app's guards (the write
    guard here, the validator process's in :mod:`.validator`)."""
    return (str(GRAPH.INFERRED) if settings.reasoning else None, str(GRAPH.ONTOLOGY),
            list(filter(None, [str(GRAPH.VOID), settings.provenance_graph])))


class WriteService:
    """The app's writer: authentication, the write lock, the guard, provenance records."""

    def __init__(self, settings: Settings):
        check_tokens(settings.write_tokens)
        self.settings = settings
        self.store = settings.store
        self.tokens = tuple((name, secret.encode()) for name, secret in settings.write_tokens)
        kind = type(self.store)  # (isinstance on a Protocol would read properties: a request to a remote store)
        self.writable = all(hasattr(kind, m) for m in ("plan_graph", "plan_update", "apply", "export"))
        self.validating = hasattr(kind, "export")
        self.enabled = bool(self.tokens) and self.writable
        self.protected = frozenset(filter(None, [str(GRAPH.INFERRED), settings.provenance_graph]))
        self._guard: WriteGuard | None = None
        self.warming: threading.Thread | None = None  # see start_warming
        self._lock = threading.Lock()
        #: Called as ``listener(change, version_before)`` after each applied write (the search index).
        self.listeners: list[Callable[[Delta, str], object]] = []

    def start_warming(self) -> threading.Thread | None:
        """Make the guard and its copy of the graph in a background thread, holding the write
        lock (a write that comes meanwhile waits for it, as it would have done the work itself).
        Queries are not held up. Nothing to do on a server that does not validate writes."""
        if not (self.enabled and self.validating):
            return None

        def warm() -> None:
            started = time.perf_counter()
            try:
                with self._lock:
                    self.guard.warm(self.store)
            except Exception:  # noqa: BLE001 - the first write makes the copy instead, and says what failed
                log.exception("could not prepare the write guard in advance")
                return
            log.info("write guard ready in %.1f s", time.perf_counter() - started)

        self.warming = threading.Thread(target=warm, name="basel-kg-warm-writes", daemon=True)
        self.warming.start()
        return self.warming

    @property
    def guard(self) -> WriteGuard:
        if self._guard is None:
            inferred, ontology, excluded = guard_arguments(self.settings)
            self._guard = WriteGuard(shapes=self.settings.shapes, inferred_graph=inferred, ontology_graph=ontology,
                                     excluded_graphs=excluded)
        return self._guard

    # -- who
    def authenticate(self, request: Request) -> str:
        """The name of the token the request carries; raises :class:`WriteDenied`."""
        if not self.writable:
            raise WriteDenied(403, "This server reads from a remote store and does not write to it: "
                                   "write to that store directly.")
        if not self.tokens:
            raise WriteDenied(403, "This server is read-only: writes are switched on with --write-token "
                                   "(or BASEL_KG_WRITE_TOKEN).")
        scheme, _, credentials = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise WriteDenied(401, "Writing needs a token: send 'Authorization: Bearer TOKEN'.")
        given = credentials.strip().encode()
        name = None
        for token_name, secret in self.tokens:  # compare with every token, in constant time each
            if hmac.compare_digest(given, secret):
                name = token_name
        if name is None:
            raise WriteDenied(403, "This token may not write here.")
        return name

    # -- the write path
    def plan_graph(self, operation: str, graph: str | None, quads: list[ox.Quad]) -> tuple[Delta, bool]:
        """The change a Graph Store ``put``/``post``/``delete`` of ``quads`` on ``graph`` (None:
        the default graph) makes, and whether the graph existed: worked out on the write
        guard's copy when it holds the store's version (:meth:`WriteGuard.plan_graph`), else by
        the store. Called by :meth:`write` under the write lock, so no write comes between."""
        if self._guard is not None:
            planned = self._guard.plan_graph(self.store, operation, graph, (q.triple for q in quads))
            if planned is not None:
                return planned
        return self.store.plan_graph(operation, graph, ntriples(quads))

    def write(self, plan: Callable[[], tuple[Delta, bool]], *, agent: str, request: Request,
              gone: Any = None) -> WriteResult:
        """Plan, check and apply one change, atomically, under the write lock.

        ``gone``: an event set when the client disconnects; a write whose client is gone
        before it is applied is dropped (:class:`ClientGone`), never applied later.

        Raises :class:`WriteDenied` (a protected graph), :class:`WriteRejected` (the
        report), :class:`UploadRefused` (more statements than the per-request limit), and
        whatever planning raises (syntax errors, refused operations...).
        """
        started = datetime.now(timezone.utc)
        with self._lock:
            if gone is not None and gone.is_set():
                raise ClientGone
            delta, existed = plan()
            most = self.settings.uploads.triples
            if len(delta.add) > most:
                raise UploadRefused(413, f"This write adds {len(delta.add)} statements, more than {most} (the "
                                         "per-request limit of this server); send it in parts.")
            touched = {g for g in delta.graphs() if g is not None}
            protected = sorted(touched & self.protected)
            if protected:
                raise WriteDenied(403, f"This write would change {', '.join(protected)}, which the server keeps "
                                       "itself (the reasoner's entailments, the write records); it is refused.")
            if delta.empty:
                return WriteResult(existed, 0, 0, self.store.version)
            if gone is not None and gone.is_set():
                raise ClientGone
            guard = self.guard
            outcome = guard.check(self.store, delta)
            if not outcome.conforms:
                raise WriteRejected(outcome.report)
            if gone is not None and gone.is_set():  # the guard's copy is in the after-state: reset it
                guard.invalidate()
                raise ClientGone
            change = delta + outcome.inferred + self._record(delta, agent, request, started)
            before = self.store.version
            try:
                self.store.apply(change, note=f"{request.method} {_route(request)}")
            except BaseException:
                guard.invalidate()
                raise
            if renamed_blank_nodes(self.store, change):  # the copy has the write's names: made again
                guard.invalidate()
                self.start_warming()
            else:
                guard.committed(self.store.version)
            for listener in self.listeners:
                listener(change, before)
            return WriteResult(existed, len(delta.add), len(delta.remove), self.store.version, outcome,
                               outcome.timings)

    # -- provenance
    def _record(self, delta: Delta, agent: str, request: Request, started: datetime) -> Delta:
        graph_iri = self.settings.provenance_graph
        if not graph_iri:
            return Delta()
        base = self.settings.base
        graph = ox.NamedNode(graph_iri)
        activity = ox.NamedNode(f"{base}write/{uuid.uuid4()}")
        who = ox.NamedNode(f"{base}agent/{agent}")
        ended = datetime.now(timezone.utc)

        def stamp(moment: datetime) -> ox.Literal:
            return ox.Literal(moment.isoformat(), datatype=_XSD_DATETIME)

        t = [
            (activity, ox.NamedNode(_RDF + "type"), ox.NamedNode(_PROV + "Activity")),
            (activity, ox.NamedNode(_RDFS + "label"), ox.Literal(f"{request.method} {_route(request)}")),
            (activity, ox.NamedNode(_PROV + "wasAssociatedWith"), who),
            (activity, ox.NamedNode(_PROV + "startedAtTime"), stamp(started)),
            (activity, ox.NamedNode(_PROV + "endedAtTime"), stamp(ended)),
            (activity, ox.NamedNode(_DCTERMS + "identifier"), ox.Literal(write_id(request))),
            (activity, ox.NamedNode(_DCTERMS + "description"),
             ox.Literal(f"{len(delta.add)} statement(s) added, {len(delta.remove)} removed")),
            (who, ox.NamedNode(_RDF + "type"), ox.NamedNode(_PROV + "Agent")),
            (who, ox.NamedNode(_RDFS + "label"), ox.Literal(agent)),
        ]
        for changed in sorted(g for g in delta.graphs() if g is not None):
            t.append((activity, ox.NamedNode(_PROV + "generated"), ox.NamedNode(changed)))
        if None in delta.graphs():
            t.append((activity, ox.NamedNode(_DCTERMS + "subject"), ox.Literal("the default graph")))
        return Delta(add=tuple(ox.Quad(s, p, o, graph) for s, p, o in t))


def _route(request: Request) -> str:
    """The endpoint written through (``/store``, ``/sparql``): no query string, no graph path."""
    path = request.url.path
    return "/store" if path.startswith("/store") else path


def write_id(request: Request) -> str:
    """The identifier of a write, made by the server (what the provenance graph records; the
    client's own ``X-Request-ID`` is echoed in the response but never stored)."""
    state = request.state
    if not hasattr(state, "write_id"):
        state.write_id = str(uuid.uuid4())
    return state.write_id


def request_id(request: Request) -> str:
    """The client's ``X-Request-ID`` when it is a plain token, else one made for the request."""
    given = request.headers.get("x-request-id", "")
    if _REQUEST_ID.match(given):
        return given
    state = request.state
    if not hasattr(state, "request_id"):
        state.request_id = str(uuid.uuid4())
    return state.request_id


# --------------------------------------------------------------------------- documents


async def read_document(request: Request, body: bytes, *, base_iri: str,
                        graph: ox.NamedNode | ox.DefaultGraph | None = None) -> list[ox.Quad]:
    """The quads of a posted RDF document, read in a limited parser process (see
    :mod:`.uploads`), blank nodes renamed apart from the store's.

    ``graph``: put every triple into this graph, and refuse a document with named graphs
    (the Graph Store Protocol writes one graph). ``multipart/form-data``: every part is a
    document. No remote JSON-LD context, external entity or ``@base`` outside ours is
    fetched: pyoxigraph loads nothing, and RDF/XML entity declarations are refused.
    Raises :class:`BadDocument`, :class:`UploadRefused` or :class:`ClientGone`.
    """
    parts = _document_parts(body, request.headers.get("content-type"))
    pool = request.app.state.parsers
    gone = disconnect_event(request)
    most = request.app.state.settings.uploads.triples
    quads: list[ox.Quad] = []
    count = 0
    for data, fmt in parts:
        nquads, n = await pool.parse(data, fmt.name, base_iri, disconnected=gone.wait)
        count += n
        if count > most:
            raise UploadRefused(413, f"The documents have more than {most} triples (the per-request limit of this "
                                     "server); send them in parts.")
        quads += await run_in_threadpool(quads_of, nquads)
    if graph is None:
        return quads
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise BadDocument(400, "This request writes one graph: send triples (Turtle, N-Triples, JSON-LD, RDF/XML), "
                               "not a dataset with named graphs.")
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]


def _document_parts(body: bytes, content_type: str | None) -> list[tuple[bytes, ox.RdfFormat]]:
    """(bytes, format) of each document in a body: one, or one per part of multipart/form-data."""
    media_type, _, params = (content_type or "").partition(";")
    media_type = media_type.strip().lower()
    if media_type == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", errors="replace") + body)
        if not message.is_multipart():
            raise BadDocument(400, "The multipart/form-data body has no parts.")
        parts = []
        for part in message.iter_parts():
            if part.is_multipart():
                raise BadDocument(400, "Nested multipart bodies are not read: send one part per document.")
            parts += _document_parts(part.get_payload(decode=True) or b"", part.get("content-type"))
        return parts
    fmt = RDF_MEDIA_TYPES.get(media_type)
    if fmt is None:
        raise BadDocument(415, f"Send RDF as one of: {', '.join(RDF_MEDIA_TYPES)} (got {media_type or 'no type'}).")
    charset = negotiation.charset_of(params)
    if charset not in (None, "utf-8", "utf8"):
        raise BadDocument(415, f"Only UTF-8 is accepted, not {charset}.")
    return [(body, fmt)]


def ntriples(quads: list[ox.Quad]) -> bytes:
    return ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)


# --------------------------------------------------------------------------- responses

_REPORT_OFFERS = ("application/json", "text/turtle", "text/plain")


def report_response(request: Request, report: ValidationReport, status: int) -> Response:
    """A validation report as JSON (default), Turtle or text, by ``Accept``."""
    media_type = negotiation.negotiate(request.headers.get("accept"), _REPORT_OFFERS) or "application/json"
    if media_type == "text/turtle":
        body = report.to_turtle()
    elif media_type == "text/plain":
        body = report.to_text()
    else:
        body = report.to_json()
    return Response(body, status_code=status, media_type=f"{media_type}; charset=utf-8",
                    headers={"Vary": "Accept"})


def denied_response(exc: WriteDenied) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="basel-kg"'} if exc.status == 401 else {}
    return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers=headers)
