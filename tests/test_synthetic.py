"""benchmarks/synthetic.py: the replicas conform to the shapes like the shipped data.

The replica marker goes where the shapes that derive one IRI from another expect it
(decisions and meetings from their body, drafts from their meeting, memberships from their
member and organisation, sub-resources from their parent), so a 2x project has no SHACL result.
"""

from __future__ import annotations

import sys
from pathlib import Path

from basel_kg.build import build_knowledge_graph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import make_project  # noqa: E402


def test_a_two_fold_synthetic_project_conforms(tmp_path):
    root = make_project(2, tmp_path / "project", source=ROOT)
    kg = build_knowledge_graph(root=root)
    assert len(list((root / "data").glob("*-r2.ttl"))) == len(list(ROOT.glob("data/*.ttl")))
    assert kg.conforms, kg.report.text
    replicas = {str(s) for s in kg.dataset.subjects() if "-r2" in str(s)}
    assert any("/decision/" in iri for iri in replicas) and any("/membership/" in iri for iri in replicas)
