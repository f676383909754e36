"""The server's settings: one frozen dataclass, built by the CLI or by tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..namespaces import BASE
from ..store import Store
from .uploads import UploadLimits

if TYPE_CHECKING:
    from rdflib import Graph

#: Where the server records who changed which graph, when, by which request.
PROVENANCE_GRAPH = BASE + "graph/provenance"

__all__ = ["Settings"]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything :func:`basel_kg.server.create_app` needs; defaults are the safe ones.

    ``store`` is owned by the caller (opened before the app, closed after it).
    """

    store: Store
    #: IRIs under ``base`` are served at the same path on this server (``{base}X`` -> ``/X``).
    base: str = BASE
    #: Seconds a query may run before it is stopped.
    timeout: float = 30.0
    #: Most rows (or triples) one response carries; the rest is cut off and the response says so.
    max_rows: int = 10_000
    #: Largest request body accepted (SPARQL POSTs), in bytes.
    max_body_bytes: int = 1_000_000
    #: Origins allowed to read responses from scripts (CORS, never with credentials); () = none.
    cors_origins: tuple[str, ...] = ("*",)
    #: Folder holding ``queries/published/*.rq``; None: the project's.
    queries_root: Path | None = None
    #: Release files served at ``/dumps/`` (``basel-kg build`` output); None: no dumps.
    dumps_dir: Path | None = None
    #: The YASGUI build (``node_modules/@zazuko/yasgui/build``); None: the project's.
    editor_dir: Path | None = None
    #: Memory for cached query results, in bytes.
    cache_bytes: int = 64 * 2**20
    title: str = "Basel Convention knowledge graph"
    #: Who may write, as (name, secret) pairs: a client sends ``Authorization: Bearer SECRET``
    #: and its writes are recorded as made by NAME. Empty: the server is read-only.
    write_tokens: tuple[tuple[str, str], ...] = ()
    #: SHACL shapes every write is validated against; None: the project's ``shapes/``.
    shapes: Graph | None = None
    #: Work out the entailments of written statements (into the inferred graph) and validate with them.
    reasoning: bool = True
    #: Named graph of the write records (PROV-O); None: keep no records.
    provenance_graph: str | None = PROVENANCE_GRAPH
    #: Largest body a write or ``/validate`` accepts, in bytes.
    max_write_bytes: int = 10_000_000
    #: Bounds on reading one uploaded document (time, memory, triples, nesting depth); see :mod:`.uploads`.
    uploads: UploadLimits = UploadLimits()
    #: Deepest nesting of brackets (``(``, ``{``, ``[``) in a SPARQL query or update text.
    max_query_depth: int = 256
    #: With write tokens: make the write guard's copy of the graph (and its reasoner) in the
    #: background as the app starts, not in the first write (minutes at 700x). ``serve`` sets it.
    warm_writes: bool = False
