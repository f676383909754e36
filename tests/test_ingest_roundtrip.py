"""Round trip: ingest a document --into a copy of the project, build it, serve it: the new
passages are served at /source/{stem} (anchored) and the entity pages link to them."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from conftest import ROOT

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ingest" / "cop-report-en.txt"


@pytest.mark.slow
def test_ingest_into_build_serve_and_link(tmp_path, run_cli, monkeypatch):
    project = tmp_path / "project"
    for folder in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / folder, project / folder)
    monkeypatch.setenv("BASEL_KG_ROOT", str(project))
    into = project / "data" / "005-cop10-report.ttl"

    result = run_cli("ingest", FIXTURE, "--into", into)
    assert result.returncode == 0, result.stderr
    texts = sorted((project / "data" / "sources").glob("005_*.txt"))
    assert len(texts) == 1 and into.is_file()
    stem = texts[0].stem
    again = run_cli("ingest", FIXTURE, "--into", into)  # never overwrites
    assert again.returncode == 2 and "exists already" in again.stderr

    from basel_kg.build import build_knowledge_graph
    from basel_kg.namespaces import graph_iri

    kg = build_knowledge_graph(root=project)
    assert kg.conforms, kg.report.text
    assert graph_iri("005-cop10-report") in kg.graph_sizes

    from basel_kg.server import Settings, create_app
    from basel_kg.server.background import BackgroundServer
    from basel_kg.store import EmbeddedStore

    with EmbeddedStore() as store:
        store.load_dataset(kg.dataset)
        with BackgroundServer(create_app(Settings(store=store))) as server:
            page = httpx.get(f"{server.url}source/{stem}", headers={"Accept": "text/html"})
            assert page.status_code == 200, page.text
            assert 'id="para-1"' in page.text and 'id="para-3-a"' in page.text and "Cartagena" in page.text
            seed = httpx.get(f"{server.url}source/002_2e5438f9604e1223", headers={"Accept": "text/html"})
            assert seed.status_code == 200 and 'id="annex-wco"' in seed.text
            turtle = httpx.get(f"{server.url}source/{stem}", headers={"Accept": "text/turtle"})
            assert turtle.status_code == 200 and "SourceText" in turtle.text
            plain = httpx.get(f"{server.url}source/{stem}.txt")
            assert plain.text == texts[0].read_text(encoding="utf-8")
            entity = httpx.get(f"{server.url}decision/stockholm-cop-2-25", headers={"Accept": "text/html"})
            assert entity.status_code == 200
            assert f'href="/source/{stem}#para-2"' in entity.text
            assert httpx.get(f"{server.url}source/..%2Fsecret").status_code in (404, 406)


def test_dist_ships_the_source_texts(mini_release):
    _kg, release = mini_release
    names = {p.name for p in (release.directory / "sources").glob("*.txt")} if (release.directory / "sources").exists() else set()
    mini_sources = Path(__file__).resolve().parent / "fixtures" / "mini-project" / "data" / "sources"
    assert names == ({p.name for p in mini_sources.glob("*.txt")} if mini_sources.exists() else set())
