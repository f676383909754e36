"""Shared helpers for data-driven tests: the shipped knowledge graph in a Store, query files, TSV."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from support import QUERIES, ROOT  # noqa: F401 - re-exported for the data-driven tests


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
def shipped_store():
    """The shipped knowledge graph as every door serves it (built once, then from the cache):
    one named graph per source file, graph/inferred and graph/void."""
    from basel_kg.cache import open_built_store

    return open_built_store(ROOT)


@cache
def shipped_dataset():
    """The same build as an rdflib Dataset (its named graphs, graph/inferred included; not graph/void)."""
    from basel_kg.cache import built, built_dataset

    return built_dataset(built(ROOT))


def run(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    """Run a query file through the Store; the default graph is the union of all graphs
    (without graph/inferred unless the header says ``# inference: true``). Terms as N-Triples."""
    inference = header(path).get("inference", "false").lower() == "true"
    result = shipped_store().query(path.read_text(encoding="utf-8"), inference=inference, max_rows=None)
    if result.kind == "boolean":
        return ["ask"], [("true" if result.boolean() else "false",)]
    parsed = ox.parse_query_results(result.body, ox.QueryResultsFormat.from_media_type(result.media_type))
    variables = [v.value for v in parsed.variables]
    rows = [tuple("" if s[v] is None else str(s[v]) for v in variables) for s in parsed]
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


if __name__ == "__main__":  # print a query's answer as TSV: python tests/support/shipped.py FILE.rq
    import sys

    print(to_tsv(*run(Path(sys.argv[1]))), end="")
