"""The HTTP server: SPARQL 1.1 endpoint, Linked Data pages, published queries, dumps.

``create_app(Settings(store=...))`` builds the FastAPI app; ``basel-kg serve`` wires it to
the command line through :func:`add_serve_arguments` and :func:`serve_from_args`.

Routers, one per concern: :mod:`.sparql` (``/sparql``), :mod:`.linkeddata` (every IRI under
the base), :mod:`.published` (``/queries``), :mod:`.site` (``/``, ``/.well-known/void``,
``/dumps/``); content negotiation lives in :mod:`.negotiation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Settings", "create_app", "add_serve_arguments", "serve_from_args"]

if TYPE_CHECKING:
    from .app import create_app
    from .cli import add_serve_arguments, serve_from_args
    from .settings import Settings

_HOME = {"Settings": "settings", "create_app": "app", "add_serve_arguments": "cli", "serve_from_args": "cli"}


def __getattr__(name: str) -> Any:  # keeps `import basel_kg.server` light for the CLI
    if name in _HOME:
        from importlib import import_module

        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module 'basel_kg.server' has no attribute {name!r}")
