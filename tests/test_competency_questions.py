"""One test per competency question in queries/cq/: the answer equals the expected file.

Each `NAME.rq` starts with `# question: ...` (the question in English) and has its expected
answer in `NAME.tsv` (SPARQL TSV results, terms in N-Triples syntax). Rows are compared as a
multiset, or in order when the query has ORDER BY.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from support.shipped import QUERIES, header, read_tsv, run

CQ_FILES = sorted((QUERIES / "cq").glob("*.rq"))


def test_there_are_at_least_30_competency_questions():
    assert len(CQ_FILES) >= 30, [p.name for p in CQ_FILES]


def test_competency_questions_cover_every_source_document():
    covered = {m for p in CQ_FILES for m in re.findall(r"\b00[0-4]\b", header(p).get("sources", ""))}
    assert covered == {"000", "001", "002", "003", "004"}


@pytest.mark.parametrize("path", CQ_FILES, ids=lambda p: p.stem)
def test_competency_question(path):
    meta = header(path)
    assert meta.get("question"), f"{path.name}: no '# question:' header"
    expected_file = path.with_suffix(".tsv")
    assert expected_file.exists(), f"{path.name}: no expected answer {expected_file.name}"
    variables, rows = run(path)
    exp_vars, exp_rows = read_tsv(expected_file)
    assert variables == exp_vars
    assert rows, f"{path.name}: a competency question must have an answer"
    if re.search(r"\bORDER\s+BY\b", path.read_text(encoding="utf-8"), re.I):
        assert rows == exp_rows
    else:
        assert Counter(rows) == Counter(exp_rows)
