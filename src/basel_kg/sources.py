"""Find the hand-edited source files and load each into its own named graph.

Layout (see docs/conventions.md): ``ontology/basel-kg.ttl`` -> ``graph/ontology``,
``data/reference.ttl`` -> ``graph/reference``, ``data/NNN-name.ttl`` -> ``graph/NNN-name``,
``shapes/*.ttl`` -> ``graph/shapes``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from .namespaces import GRAPH, bind_prefixes, graph_iri

__all__ = ["SourceFile", "project_root", "discover", "load_sources", "load_shapes"]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One hand-edited file and the named graph it is loaded into."""

    path: Path
    graph: URIRef
    role: str  # "ontology" | "data" | "shapes"


def project_root() -> Path:
    """The folder holding ``ontology/``, ``data/``, ``shapes/``, ``queries/``.

    ``BASEL_KG_ROOT`` wins; otherwise the checkout this package is installed from (editable
    install), otherwise the current directory.
    """
    env = os.environ.get("BASEL_KG_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[2]
    if (here / "ontology").is_dir():
        return here
    return Path.cwd()


def discover(root: Path | None = None) -> list[SourceFile]:
    """Every source file under ``root``, ontology first, then data (reference first), then shapes."""
    root = root or project_root()
    files = [SourceFile(root / "ontology" / "basel-kg.ttl", GRAPH.ONTOLOGY, "ontology")]
    data = sorted((root / "data").glob("*.ttl"))
    for path in sorted(data, key=lambda p: (p.stem != "reference", p.stem)):
        graph = GRAPH.REFERENCE if path.stem == "reference" else graph_iri(path.stem)
        files.append(SourceFile(path, graph, "data"))
    for path in sorted((root / "shapes").glob("*.ttl")):
        files.append(SourceFile(path, GRAPH.SHAPES, "shapes"))
    return files


def load_sources(root: Path | None = None, *, shapes: bool = False) -> Dataset:
    """Ontology and data (and shapes if asked) as a Dataset, one named graph per file."""
    ds = bind_prefixes(Dataset())
    for src in discover(root):
        if src.role == "shapes" and not shapes:
            continue
        ds.graph(src.graph).parse(src.path, format="turtle")
    return ds


def load_shapes(root: Path | None = None) -> Graph:
    """All SHACL shapes files merged into one graph."""
    g = bind_prefixes(Graph())
    for src in discover(root):
        if src.role == "shapes":
            g.parse(src.path, format="turtle")
    return g
