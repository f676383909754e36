"""Every quality check `queries/checks/*-violation.rq` returns no rows on the shipped data."""

from __future__ import annotations

import pytest

from support.shipped import QUERIES, header, run

CHECKS = sorted((QUERIES / "checks").glob("*-violation.rq"))


def test_there_are_quality_checks():
    assert len(CHECKS) >= 5


@pytest.mark.parametrize("path", CHECKS, ids=lambda p: p.stem)
def test_quality_check_finds_nothing(path):
    assert header(path).get("title"), f"{path.name}: no '# title:' header"
    variables, rows = run(path)
    assert rows == [], f"{path.name} found violations:\n" + "\n".join("\t".join(r) for r in rows[:20])
