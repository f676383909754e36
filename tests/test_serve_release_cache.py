"""`serve` without a store does not write a release on every cold start: the release of a
version is written once into the user's cache folder and found there by the next start."""

from __future__ import annotations

from pathlib import Path

from basel_kg import release as release_module
from basel_kg.server import cli as server_cli


def test_a_second_cold_start_reuses_the_cached_release(mini_release, tmp_path: Path, monkeypatch):
    kg, _ = mini_release
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
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
    assert str(first).startswith(str(tmp_path / "cache"))
