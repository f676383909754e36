"""Round trip: ingest a document --into a copy of the project, build it, serve it: the new
passages are served at /source/{stem} (anchored) and the entity pages link to them; the same
draft written through a running server's guarded write path (--endpoint/--token)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from support import ROOT

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ingest" / "cop-report-en.txt"
ZH_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ingest" / "oewg-note-zh.txt"
TOKEN = "t" * 24


@pytest.mark.slow
def test_ingest_into_build_serve_link_and_write_through_the_server(tmp_path, monkeypatch, capsys):
    from basel_kg import cli
    from basel_kg.build import build_knowledge_graph
    from basel_kg.namespaces import graph_iri
    from basel_kg.server import Settings, create_app
    from basel_kg.server.background import BackgroundServer
    from basel_kg.store import EmbeddedStore

    project = tmp_path / "project"
    for folder in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / folder, project / folder)
    monkeypatch.setenv("BASEL_KG_ROOT", str(project))
    into = project / "data" / "005-cop10-report.ttl"

    assert cli.main(["ingest", str(FIXTURE), "--into", str(into)]) == 0, capsys.readouterr().err
    texts = sorted((project / "data" / "sources").glob("005_*.txt"))
    assert len(texts) == 1 and into.is_file()
    stem = texts[0].stem
    assert cli.main(["ingest", str(FIXTURE), "--into", str(into)]) == 2  # never overwrites
    assert "exists already" in capsys.readouterr().err

    # the draft conformed in the context of the graph (checked by --into); build loads it as its own graph
    kg = build_knowledge_graph(root=project, validate=False)
    assert graph_iri("005-cop10-report") in kg.graph_sizes

    import pyoxigraph as ox

    from basel_kg.sources import load_sources

    # the quality checks (queries/checks/*-violation.rq, on the asserted graphs) find nothing with the addition
    quality = ox.Store()
    quality.load(load_sources(project).serialize(format="nquads").encode("utf-8"), ox.RdfFormat.N_QUADS)
    for check in sorted((ROOT / "queries" / "checks").glob("*-violation.rq")):
        rows = list(quality.query(check.read_text(encoding="utf-8"), use_default_graph_as_union=True))
        assert rows == [], (check.name, rows[:3])

    with EmbeddedStore(timeout=60) as store:
        store.load_dataset(kg.dataset, version="test")
        settings = Settings(store=store, dumps_dir=None, write_tokens=(("curator", TOKEN),), max_write_bytes=400_000)
        with BackgroundServer(create_app(settings)) as server:
            get = lambda path, **kw: httpx.get(server.url + path, timeout=60, **kw)  # noqa: E731
            page = get(f"source/{stem}", headers={"Accept": "text/html"})
            assert page.status_code == 200
            assert 'id="para-1"' in page.text and 'id="para-3-a"' in page.text and "Cartagena" in page.text
            seed = get("source/002_2e5438f9604e1223", headers={"Accept": "text/html"})
            assert seed.status_code == 200 and 'id="annex-wco"' in seed.text and 'data-start="107"' in seed.text
            turtle = get(f"source/{stem}", headers={"Accept": "text/turtle"})
            assert turtle.status_code == 200 and "SourceText" in turtle.text
            assert get(f"source/{stem}.txt").text == texts[0].read_text(encoding="utf-8")
            entity = get("decision/stockholm-cop-2-25", headers={"Accept": "text/html"})
            assert entity.status_code == 200 and f'href="/source/{stem}#para-2"' in entity.text
            assert get("source/..%2Fsecret").status_code in (404, 406)

            endpoint = server.url + "store"
            args = ["ingest", str(ZH_FIXTURE), "--no-validate", "--endpoint", endpoint, "--token"]
            assert cli.main([*args, "w" * 24]) == 1 and "refused" in capsys.readouterr().err
            assert cli.main([*args, TOKEN]) == 0, capsys.readouterr().err
            graph = get("store", params={"graph": "https://w3id.org/basel-kg/graph/006-oewg-note-zh"},
                        headers={"Accept": "application/n-triples"})
            assert graph.status_code == 200 and "UNEP/CHW/OEWG/7/1" in graph.text
            # the draft carried its source text: /source/{stem} shows it (no file on the server's disk)
            from basel_kg.ingest import Context, ingest_file

            zh = ingest_file(ZH_FIXTURE, Context.load(project))
            assert not (project / "data" / "sources" / f"{zh.stem}.txt").exists()
            served = get(f"source/{zh.stem}", headers={"Accept": "text/html"})
            assert served.status_code == 200 and 'id="para-1"' in served.text and "不限成员名额工作组" in served.text
            assert get(f"source/{zh.stem}.txt").text == zh.text
            assert get("source/999_0123456789abcdef.txt").status_code == 404
            # a text over the server's write limit: refused as a whole (413), the CLI says so, nothing stored
            big = tmp_path / "big-note.txt"
            big.write_text("".join(f"{i}. " + "The Secretariat reported on its cooperation in 2009. " * 60 + "\n\n"
                                   for i in range(1, 200)), encoding="utf-8")  # 600 kB of text, 199 passages
            assert cli.main(["ingest", str(big), "--no-validate", "--endpoint", endpoint, "--token", TOKEN]) == 1
            err = capsys.readouterr().err
            assert "refused" in err and "413" in err, err[-500:]
            gone = get("store", params={"graph": "https://w3id.org/basel-kg/graph/007-big-note"},
                       headers={"Accept": "application/n-triples"})
            assert gone.status_code == 404


def test_dist_ships_the_source_texts(mini_release, tmp_path):
    from basel_kg.release import write_release

    kg, release = mini_release
    assert not (release.directory / "sources").exists()  # the mini project has no source texts
    (kg.root / "data" / "sources").mkdir(exist_ok=True)
    (kg.root / "data" / "sources" / "000_0123456789abcdef.txt").write_text("1. text\n", encoding="utf-8")
    try:
        again = write_release(kg, tmp_path / "dist")
        assert (again.directory / "sources" / "000_0123456789abcdef.txt").read_text(encoding="utf-8") == "1. text\n"
    finally:
        shutil.rmtree(kg.root / "data" / "sources")
