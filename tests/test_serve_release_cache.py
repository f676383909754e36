"""`serve` without a store does not write a release on every cold start: the release of a
version is written once into the user's cache folder and found there by the next start."""

from __future__ import annotations

import os
from pathlib import Path

from basel_kg import cache as cache_module
from basel_kg import release as release_module
from basel_kg.server import cli as server_cli


def test_a_second_cold_start_reuses_the_cached_release(mini_release, tmp_path: Path, monkeypatch):
    kg, _ = mini_release
    monkeypatch.setenv("BASEL_KG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    written = []
    real = release_module.write_release

    def counting(kg_, folder, **kw):
        written.append(Path(folder))
        return real(kg_, folder, **kw)

    monkeypatch.setattr(release_module, "write_release", counting)
    root = tmp_path / "project-without-dist"
    root.mkdir()
    first, _, temporary = server_cli._dumps_folder(root, None, kg.version, kg)
    assert temporary is None and written == [first] and (first / "void.ttl").is_file()
    second, _, _ = server_cli._dumps_folder(root, None, kg.version, kg)
    assert second == first and written == [first], "the second start wrote the release again"
    assert first.parent == tmp_path / "cache" / cache_module.RELEASES, "the release is not in $BASEL_KG_CACHE"


def test_pruning_old_builds_never_deletes_a_served_release(tmp_path: Path):
    """The build cache keeps its newest entries only; the releases serve wrote beside them are
    not entries, so a server never loses the files it serves at /dumps to another build."""
    folder = tmp_path / "cache"
    release = folder / cache_module.RELEASES / "release-v1"
    release.mkdir(parents=True)
    (release / "void.ttl").write_text("")
    entries = []
    for i in range(cache_module._KEEP + 3):
        entry = folder / f"entry-{i}"
        entry.mkdir()
        os.utime(entry, (i, i))
        entries.append(entry)
    os.utime(folder / cache_module.RELEASES, (0, 0))  # older than every entry
    cache_module._prune(folder, keep=entries[-1])
    assert (release / "void.ttl").is_file()
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("entry-")) == \
        [e.name for e in entries[-cache_module._KEEP:]], "pruning kept other entries than the newest"


def test_a_cold_start_builds_the_graph_once_for_the_store_and_the_release(tmp_path: Path, monkeypatch):
    """The store's data (the build cache) and the release /dumps serves come from one build;
    the VoID description goes into the cache entry, not into the release's dumps."""
    import argparse

    from basel_kg import build as build_module
    from basel_kg.namespaces import GRAPH
    from support.net import small_project

    project = small_project(tmp_path)
    monkeypatch.setenv("BASEL_KG_ROOT", str(project))
    monkeypatch.setenv("BASEL_KG_CACHE", str(tmp_path / "build-cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    builds = []
    real = build_module.build_knowledge_graph

    def counting(**kw):
        builds.append(kw)
        return real(**kw)

    monkeypatch.setattr(build_module, "build_knowledge_graph", counting)
    parser = argparse.ArgumentParser()
    server_cli.add_serve_arguments(parser)
    prepared = server_cli.prepare(parser.parse_args(["--store", str(tmp_path / "store")]))
    try:
        assert prepared.rebuilt and len(builds) == 1, builds
        dumps = prepared.settings.dumps_dir
        assert (dumps / "void.ttl").is_file()
        assert f"<{GRAPH.VOID}>" not in (dumps / "basel-kg.nq").read_text(encoding="utf-8")
        assert any(g.iri == str(GRAPH.VOID) for g in prepared.store.graphs()), "the store serves the VoID graph"
    finally:
        prepared.close()
