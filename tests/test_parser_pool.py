"""The parser processes of uploads (server/uploads.py): one that answered reads the next
document with its limits set again; one that was stopped, or ran out of memory, is never used
again; a refusal leaves nothing behind for the next document."""

from __future__ import annotations

import asyncio
import re

import pyoxigraph as ox
import pytest

from basel_kg.server.uploads import ParserPool, UploadLimits, UploadRefused

BASE = "https://example.org/"
TURTLE, JSON_LD = ox.RdfFormat.TURTLE.name, ox.RdfFormat.JSON_LD.name
GOOD = b"<https://example.org/a> <https://example.org/p> _:b .\n_:b <https://example.org/q> \"x\" .\n"


def nested_jsonld(depth: int) -> bytes:
    return (b'{"@id": "https://example.org/n", "https://example.org/p": ' * depth + b'"x"' + b"}" * depth)


@pytest.fixture
def run():
    loop = asyncio.new_event_loop()
    yield loop.run_until_complete
    loop.close()


def ready_pids(pool: ParserPool) -> set[int]:
    return {p.pid for p in pool._ready if p.poll() is None}


def test_a_parser_that_answered_reads_the_next_document(run):
    pool = ParserPool(UploadLimits(seconds=10, memory_mb=256, processes=2))
    try:
        nquads, count = run(pool.parse(GOOD, TURTLE, BASE))
        assert count == 2 and b"_:" in nquads
        used = ready_pids(pool)
        assert len(used) == 1
        with pytest.raises(UploadRefused) as refused:  # a syntax error: 400, and the process goes on
            run(pool.parse(b"<https://example.org/a> <broken", TURTLE, BASE))
        assert refused.value.status == 400
        assert ready_pids(pool) == used
        again, count = run(pool.parse(GOOD, TURTLE, BASE))
        assert count == 2 and ready_pids(pool) == used
        # blank nodes are renamed apart in every document, also in one process
        first, second = (set(re.findall(r"_:\w+", text.decode())) for text in (nquads, again))
        assert len(first) == len(second) == 1 and first.isdisjoint(second)
    finally:
        pool.close()


@pytest.mark.parametrize("limits, limit", [
    (UploadLimits(seconds=1, memory_mb=4096, depth=100_000, processes=2), "time limit"),  # longer than 1 s
    (UploadLimits(seconds=20, memory_mb=200, depth=100_000, processes=2), "memory limit"),  # about 1.75 GB
], ids=["time", "memory"])
def test_a_parser_stopped_at_a_limit_is_not_used_again_and_the_limits_hold_for_each_document(run, limits, limit):
    pool = ParserPool(limits)
    try:
        run(pool.parse(GOOD, TURTLE, BASE))
        used = ready_pids(pool)
        with pytest.raises(UploadRefused) as refused:  # 3,000 deep JSON-LD
            run(pool.parse(nested_jsonld(3000), JSON_LD, BASE))
        assert refused.value.status == 413 and limit in refused.value.message
        assert not (ready_pids(pool) & used)  # the process that read it was not kept
        for _ in range(3):  # the next ones parse, each within its own limit
            assert run(pool.parse(GOOD, TURTLE, BASE))[1] == 2
    finally:
        pool.close()
