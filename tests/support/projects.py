"""Small project folders for tests that build, serve or release something other than the shipped data."""

from __future__ import annotations

import shutil
from pathlib import Path

from support import ROOT

MINI_PROJECT = ROOT / "tests" / "fixtures" / "mini-project"


def make_mini_project(folder: Path) -> Path:
    """Copy tests/fixtures/mini-project and the real ontology into ``folder``/project."""
    root = folder / "project"
    shutil.copytree(MINI_PROJECT, root)
    (root / "ontology").mkdir()
    shutil.copy(ROOT / "ontology" / "basel-kg.ttl", root / "ontology" / "basel-kg.ttl")
    return root
