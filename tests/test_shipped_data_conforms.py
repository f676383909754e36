"""The shipped data (ontology + every data file) conforms to the shapes in shapes/.

Validated as the project validates: the union of the named graphs of
``basel_kg.sources.load_sources()``, no inference, SHACL Core + SPARQL. On failure the report
lists one result per line: severity | focus node | path | value | message.
"""

from __future__ import annotations

from pathlib import Path

from basel_kg.sources import load_shapes, load_sources
from support.shacl import report_text, run, union_graph

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_data_conforms():
    dataset = load_sources(ROOT)
    data = union_graph(dataset.graphs())
    assert len(data) > 1000, "the data files were not loaded"
    results = run(data, load_shapes(ROOT))
    assert results == [], f"{len(results)} SHACL results:\n" + report_text(results)
