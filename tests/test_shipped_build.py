"""The whole shipped knowledge graph, asserted and inferred together, conforms to the shapes."""

from basel_kg.build import build_knowledge_graph


def test_shipped_build_with_inference_conforms():
    kg = build_knowledge_graph(reason=True, validate=True)
    assert kg.report is not None
    assert kg.report.conforms, kg.report.to_text()
    assert kg.inferred_triples > 1000
