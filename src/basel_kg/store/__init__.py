"""Where the knowledge graph lives, behind one small interface.

Everything above this package (the CLI, the HTTP server, scripts) talks to a
:class:`~basel_kg.store.model.Store`: ``query``, ``graphs``, ``version``, ``put_graph``,
``delete_graph``; a :class:`~basel_kg.store.model.WritableStore` also plans changes
(:class:`~basel_kg.store.model.Delta`) without applying them and applies them atomically.

- :mod:`.model`: result and change values, the Store protocols;
- :mod:`.embedded`: :class:`EmbeddedStore`, pyoxigraph in a helper process (writable);
- :mod:`.holder`, :mod:`.worker`, :mod:`.pool`, :mod:`.ipc`: its processes and their framing;
- :mod:`.remote`: :class:`RemoteStore`, any SPARQL 1.1 endpoint + Graph Store.

:func:`open_store` picks one from a location.
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import NotAcceptable, QueryFailed, QueryRefused, QuerySyntaxError, QueryTimeout, StaleWrite, StoreError

_STORE_ERRORS = tuple(e.__name__ for e in (StoreError, QuerySyntaxError, QueryTimeout, QueryRefused, NotAcceptable,
                                           QueryFailed, StaleWrite))
from ..sparqltext import SparqlScan, query_form, scan_sparql
from .embedded import EmbeddedStore
from .model import (
    BOOLEAN_MEDIA_TYPES,
    GRAPH_MEDIA_TYPES,
    SOLUTIONS_MEDIA_TYPES,
    Delta,
    GraphInfo,
    QueryResult,
    ResultFormats,
    Store,
    WritableStore,
    rename_blank_nodes,
)

__all__ = [
    "Store",
    "WritableStore",
    "EmbeddedStore",
    "RemoteStore",
    "Delta",
    "rename_blank_nodes",
    "query_form",
    "open_store",
    "QueryResult",
    "ResultFormats",
    "GraphInfo",
    "SparqlScan",
    "scan_sparql",
    "SOLUTIONS_MEDIA_TYPES",
    "BOOLEAN_MEDIA_TYPES",
    "GRAPH_MEDIA_TYPES",
    # and the errors a store raises (defined in basel_kg.errors)
    *_STORE_ERRORS,
]


def open_store(location: str | os.PathLike[str] | None = None, **options: Any) -> Store:
    """The store for ``location``: ``None`` -> in memory, a path -> on disk,
    ``sparql+http://...`` / ``sparql+https://...`` -> a :class:`RemoteStore`
    (see :func:`basel_kg.store.remote.parse_store_url` for the URL)."""
    text = os.fspath(location) if location is not None else None
    if text and text.startswith(("sparql+http://", "sparql+https://")):
        from .remote import RemoteStore

        remote_options = {k: v for k, v in options.items() if k in ("timeout", "inferred_graphs", "auth")}
        return RemoteStore.from_url(text, **remote_options)
    return EmbeddedStore(text, **options)


def __getattr__(name: str) -> Any:  # RemoteStore imports httpx: only when asked for
    if name == "RemoteStore":
        from .remote import RemoteStore

        return RemoteStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
