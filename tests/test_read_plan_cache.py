"""`basel-kg validate FILE` keeps the shapes' read plan in the build cache entry: making it
parses every SPARQL constraint of the shapes (about a second a process), reading it back
takes a millisecond. The plan read back is the plan made from the shapes."""

from __future__ import annotations

import pytest

from basel_kg import cache, validation
from basel_kg.sources import load_shapes


def made_again(*_args, **_kwargs):
    raise AssertionError("the plan was made again instead of read from the cache")


def test_the_read_plan_is_kept_in_the_build_entry_and_read_back(monkeypatch: pytest.MonkeyPatch):
    build = cache.built()
    kept_file = build.directory / "read-plan.pickle"
    kept_file.unlink(missing_ok=True)
    made = cache.read_plan(build, load_shapes())
    assert made is not None and kept_file.is_file()

    shapes = load_shapes()  # another parse of the shapes, as a new process has
    monkeypatch.setattr(validation, "_make_plan", made_again)
    kept = cache.read_plan(build, shapes)
    assert vars(kept) == vars(made)
    assert validation.read_plan(shapes) is kept  # validate() uses it from now on


def test_a_damaged_kept_plan_is_made_again(monkeypatch: pytest.MonkeyPatch):
    build = cache.built()
    (build.directory / "read-plan.pickle").write_bytes(b"not a pickle")
    plan = cache.read_plan(build, load_shapes())
    assert vars(plan) == vars(validation.read_plan(load_shapes()))
    assert (build.directory / "read-plan.pickle").read_bytes() != b"not a pickle"
