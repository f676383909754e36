"""basel-kg: an open knowledge graph of the Basel Convention.

The library is what the ``basel-kg`` command line and the web server are built on::

    from basel_kg import build_knowledge_graph, validate, load_registry, write_release

    kg = build_knowledge_graph()          # parse, reason, validate
    print(kg.version, kg.report.conforms)
    write_release(kg, "dist")

Heavy modules are imported on first use, so ``import basel_kg`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("basel-kg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    "KnowledgeGraph",
    "build_knowledge_graph",
    "infer",
    "validate",
    "ValidationReport",
    "ValidationResult",
    "Registry",
    "load_registry",
    "write_release",
    "load_sources",
    "parse_file",
    "ParseError",
    "Format",
]

_HOME = {
    "KnowledgeGraph": "build",
    "build_knowledge_graph": "build",
    "infer": "reasoning",
    "validate": "validation",
    "ValidationReport": "validation",
    "ValidationResult": "validation",
    "Registry": "queries",
    "load_registry": "queries",
    "write_release": "release",
    "load_sources": "sources",
    "parse_file": "sources",
    "ParseError": "sources",
    "Format": "formats",
}


def __getattr__(name: str):
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module 'basel_kg' has no attribute {name!r}")
