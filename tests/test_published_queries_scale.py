"""Published queries grow with the data, not faster: on the shipped data replicated twice
(benchmarks/synthetic.py: every replica a renamed copy), each published query returns at most
twice the rows it returns on the shipped data. A query whose answer grows faster (pairs of
agents across replicas, a path that enumerates every node) fails here before it is slow at
100x. Row counts, not timings: the check is deterministic.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from basel_kg.build import build_knowledge_graph
from basel_kg.queries import load_registry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import make_project  # noqa: E402


def in_memory(dataset):
    """A plain in-memory pyoxigraph store holding ``dataset``'s named graphs."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(dataset.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    out = {}
    for factor in (1, 2):
        root = make_project(factor, tmp_path_factory.mktemp(f"x{factor}") / "project", source=ROOT)
        out[factor] = in_memory(build_knowledge_graph(root=root, validate=False).dataset)
    return out


QUERIES = [q for q in load_registry(ROOT).published()]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_rows_grow_at_most_linearly(stores, query):
    text = query.bind().sparql
    rows = {f: len(list(stores[f].query(text, use_default_graph_as_union=True))) for f in (1, 2)}
    assert rows[1] > 0 or query.parameters, f"{query.name} answers nothing on the shipped data"
    assert rows[2] <= 2 * rows[1], f"{query.name}: {rows[1]} rows at 1x, {rows[2]} at 2x"


def test_an_organisation_profile_lists_only_its_partners(stores):
    """The Secretariat (``org/sbc``) takes part in relations with no other party: their rows
    leave ``?other`` unbound instead of pairing them with every labelled entity of the graph
    (which an OPTIONAL label on an unbound ``?other`` did: 14,888 rows at 1x); every
    partner named is linked to its relation, and the answer grows with the data."""
    import pyoxigraph as ox

    query = load_registry(ROOT)["organisation-profile"]
    text = query.bind({"org": "https://w3id.org/basel-kg/org/sbc"}).sparql
    rows = {f: list(stores[f].query(text, use_default_graph_as_union=True)) for f in (1, 2)}
    assert rows[1] and len(rows[2]) <= 2 * len(rows[1])
    for row in rows[1]:
        if row["other"] is not None:
            linked = stores[1].query(f"ASK {{ {row['relation']} ?p {row['other']} }}", use_default_graph_as_union=True)
            assert bool(linked), (row["relation"], row["other"])
    assert any(row["other"] is None for row in rows[1])
    assert isinstance(rows[1][0]["relation"], ox.NamedNode)


# -- rewritten for speed, with the same answers ------------------------------------------------
#
# A published query rewritten to run faster at scale keeps its answers: the text it replaced is
# kept in tests/fixtures/published-before/ and both are run on the shipped data (the same rows
# in the same order) and on two replicas of it (the same rows, and the same sequence of ORDER BY
# keys: rows whose keys tie, e.g. the renamed copies of one pair with the same labels, may come
# in either order), with the parameters at their defaults and with the example values below.

BEFORE = ROOT / "tests" / "fixtures" / "published-before"
REWRITTEN = sorted(p.stem for p in BEFORE.glob("*.rq"))
ORDER_KEYS = {"cooperation-network": ("activities", "aLabel", "bLabel")}
EXAMPLES = {"cooperation-network": [{}, {"topic": "https://w3id.org/basel-kg/topic/esm"},
                                    {"topic": "https://w3id.org/basel-kg/topic/computing-equipment"}]}


def _rows(store, text):
    return [tuple(None if v is None else str(v) for v in row)
            for row in store.query(text, use_default_graph_as_union=True)]


@pytest.mark.parametrize("name", REWRITTEN)
def test_a_rewritten_query_answers_as_before(stores, name):
    from basel_kg.queries import parse_query_file

    before, after = parse_query_file(BEFORE / f"{name}.rq"), load_registry(ROOT)[name]
    assert before.text != after.text, f"{name}: the fixture is the query as it is now, not as it was"
    assert [p.name for p in before.parameters] == [p.name for p in after.parameters]
    for values in EXAMPLES.get(name, [{}]):
        old = _rows(stores[1], before.bind(values).sparql)
        new = _rows(stores[1], after.bind(values).sparql)
        assert old, (name, values)
        assert new == old, (name, values)
        variables = [v.value for v in stores[2].query(after.bind(values).sparql).variables]
        keys = [variables.index(k) for k in ORDER_KEYS.get(name, variables)]
        old = _rows(stores[2], before.bind(values).sparql)
        new = _rows(stores[2], after.bind(values).sparql)
        assert sorted(new, key=str) == sorted(old, key=str), (name, values)
        assert [[r[k] for k in keys] for r in new] == [[r[k] for k in keys] for r in old], (name, values)


def test_the_query_benchmark_times_every_published_query(stores, tmp_path, monkeypatch, capsys):
    """``benchmarks/queries.py`` prints a row per published query (with its row count) for each
    store kind, and beside a rewritten query the text it replaced, with the same rows."""
    import pyoxigraph as ox
    import queries as bench  # benchmarks/queries.py

    dump = tmp_path / "1x.nq"
    dump.write_bytes(stores[1].dump(format=ox.RdfFormat.N_QUADS))
    monkeypatch.setattr(sys, "argv", ["queries.py", "--nquads", str(dump), "--repeat", "1", "--clock", "cpu"])
    assert bench.main() == 0
    lines = {line.split(" | ")[0].strip("| "): line for line in capsys.readouterr().out.splitlines()
             if line.startswith("| ") and not line.startswith("| query")}
    assert "cooperation-network" in lines
    for query in QUERIES:
        try:
            text = query.bind().sparql
        except Exception:  # noqa: BLE001 - a parameter that needs a value: left out by the benchmark too
            assert query.name not in lines
            continue
        rows = len(_rows(stores[1], text))
        assert f"| {rows:,} |" in lines[query.name], lines.get(query.name)
        assert lines[query.name].count(" | ") == 4  # name, rows and the three stores
        assert ("(before " in lines[query.name]) == (query.name in REWRITTEN)
        assert "ROWS DIFFER" not in lines[query.name]
