"""Two SHACL engines, full and incremental validation: the same results on every shape example.

For each example of tests/shapes/ (validated with the ontology and tests/shapes/fixture.ttl,
as tests/test_shapes.py does), pyshacl-turbo validates the whole graph and pySHACL (the
reference engine) validates only the nodes the example can affect
(:func:`basel_kg.validation.affected_nodes`, what `basel-kg validate FILE` and a write
check). Both must report exactly the same results: focus node, path, value, shape,
constraint, severity and message. One comparison tests the engines' agreement and that
incremental validation misses nothing a full run finds.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph

from basel_kg.namespaces import ONTOLOGY_FILE
from basel_kg.sources import load_shapes
from basel_kg.validation import affected_nodes, shacl_report
from support.shacl import results_of, run, union_graph

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).resolve().parent / "shapes"
FILES = sorted(EXAMPLES.glob("*/*.ttl"))


@cache
def shapes() -> Graph:
    return load_shapes(ROOT)


@cache
def context() -> Graph:
    g = Graph().parse(ONTOLOGY_FILE, format="turtle")
    g.parse(EXAMPLES / "fixture.ttl", format="turtle")
    return g


def test_the_fixture_alone_gives_the_same_report_with_both_engines():
    data = union_graph([context()])
    assert run(data, shapes(), engine="pyshacl") == run(data, shapes(), engine="turbo")


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_full_turbo_equals_incremental_pyshacl(path: Path):
    example = Graph().parse(path, format="turtle")
    data = union_graph([context(), example])
    full = run(data, shapes(), engine="turbo")
    focus = affected_nodes(example, data, shapes())
    incremental = results_of(shacl_report(data, shapes(), focus=focus, engine="pyshacl"), shapes())
    # the fixture conforms (test above), so every result of the full run is the example's doing
    assert incremental == full, "\n".join(
        [f"full only: {r.line()}" for r in full if r not in incremental]
        + [f"incremental only: {r.line()}" for r in incremental if r not in full])
