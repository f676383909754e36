"""Shared helpers for data-driven tests: the knowledge graph in pyoxigraph, query files, TSV."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"


def header(path: Path) -> dict[str, str]:
    """The leading `# key: value` comment lines of a query file."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*([\w-]+)\s*:\s*(.*)", line)
        if m:
            out[m.group(1).lower()] = m.group(2).strip()
    return out


@cache
def _knowledge_graph():
    """Ontology + data, one named graph per file, plus graph/inferred: what `basel-kg build` makes."""
    from basel_kg.build import build_knowledge_graph

    return build_knowledge_graph(root=ROOT, reason=True, validate=False)


@cache
def asserted_store() -> ox.Store:
    """The asserted graphs only."""
    from basel_kg.sparql import local_store

    return local_store(_knowledge_graph().dataset, inferred=False)


@cache
def inferred_store() -> ox.Store:
    """The asserted graphs plus graph/inferred."""
    from basel_kg.sparql import local_store

    return local_store(_knowledge_graph().dataset, inferred=True)


def run(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    """Run a query file; the default graph is the union of all graphs. Terms as N-Triples."""
    inference = header(path).get("inference", "false").lower() == "true"
    store = inferred_store() if inference else asserted_store()
    result = store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    if isinstance(result, bool):
        return ["ask"], [("true" if result else "false",)]
    variables = [v.value for v in result.variables]
    rows = [tuple("" if s[v] is None else str(s[v]) for v in variables) for s in result]
    return variables, rows


def to_tsv(variables: list[str], rows: list[tuple[str, ...]]) -> str:
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


def read_tsv(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    variables = [v.lstrip("?") for v in lines[0].split("\t")]
    rows = [tuple(ln.split("\t")) for ln in lines[1:]]
    return variables, rows


if __name__ == "__main__":  # print a query's answer as TSV: python tests/kgtest.py FILE.rq
    import sys

    print(to_tsv(*run(Path(sys.argv[1]))), end="")
