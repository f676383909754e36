"""Servers in tests: free ports, and the small project a server subprocess serves."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from basel_kg.namespaces import BASE

#: The one data file of :func:`small_project`.
SMALL_DATA = f"""@prefix bkg: <{BASE}ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}mea/basel> a bkg:Convention ; rdfs:label "Basel Convention"@en .
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def small_project(folder: Path) -> Path:
    """A project with the real ontology, one small data file, and no shapes or queries."""
    from basel_kg.project import ontology_file

    root = folder / "project"
    (root / "ontology").mkdir(parents=True)
    shutil.copy(ontology_file(), root / "ontology" / "basel-kg.ttl")
    (root / "data").mkdir()
    (root / "data" / "reference.ttl").write_text(SMALL_DATA, encoding="utf-8")
    (root / "shapes").mkdir()
    (root / "queries" / "published").mkdir(parents=True)
    return root
