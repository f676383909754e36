"""basel_kg.release.write_release and `basel-kg build`: the files, VoID/DCAT, atomic replacement."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, VOID, XSD

from basel_kg import release as release_module
from basel_kg.build import build_knowledge_graph
from basel_kg.namespaces import BKG, GRAPH
from basel_kg.release import DATASET_IRI, ReleaseError, write_release
from basel_kg.stats import dataset_stats

FILES = ["basel-kg.jsonld", "basel-kg.nq", "basel-kg.nt", "basel-kg.rdf", "basel-kg.trig", "basel-kg.ttl",
         "context.jsonld", "ontology.ttl", "ontology/index.html", "shapes.ttl", "void.ttl"]


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_release_files(mini_release):
    kg, release = mini_release
    assert listing(release.directory) == FILES
    assert sorted(release.files) == FILES
    assert release.version == kg.version
    assert oct(release.directory.stat().st_mode & 0o777) == oct(0o755)


def test_void_counts_graphs_licence_sources_version(mini_release):
    kg, release = mini_release
    void = Graph().parse(release.files["void.ttl"], format="turtle")
    ds = DATASET_IRI
    assert (ds, RDF.type, VOID.Dataset) in void and (ds, RDF.type, DCAT.Dataset) in void
    union = {t for g in kg.dataset.graphs() for t in g}  # void:triples: distinct triples of the union
    assert void.value(ds, VOID.triples) == Literal(len(union), datatype=XSD.integer) != sum(kg.graph_sizes.values())
    assert void.value(ds, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert void.value(ds, OWL.versionInfo) == Literal(kg.version)
    assert set(void.objects(ds, DCTERMS.source)) == {URIRef("https://w3id.org/basel-kg/source/test-text")}
    subsets = {s: int(void.value(s, VOID.triples)) for s in void.objects(ds, VOID.subset)}
    assert subsets == {iri: n for iri, n in kg.graph_sizes.items()}
    assert GRAPH.INFERRED in subsets
    assert (URIRef("https://w3id.org/basel-kg/graph/000-decisions"), PROV.wasDerivedFrom,
            URIRef("https://w3id.org/basel-kg/source/test-text")) in void
    stats = dataset_stats(kg.dataset)
    classes = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities)) for p in void.objects(ds, VOID.classPartition)}
    assert classes[BKG.Decision] == stats.classes[str(BKG.Decision)] == 3  # the draft decision counts too
    properties = {void.value(p, VOID.property): int(void.value(p, VOID.triples)) for p in void.objects(ds, VOID.propertyPartition)}
    assert properties[BKG.decisionNumber] == 3
    assert int(void.value(ds, VOID.classes)) == len(classes)
    assert int(void.value(ds, VOID.properties)) == len(properties)


def test_void_lists_each_dump_with_its_size(mini_release):
    _, release = mini_release
    void = Graph().parse(release.files["void.ttl"], format="turtle")
    dumps = {}
    for dist in void.objects(DATASET_IRI, DCAT.distribution):
        url = str(void.value(dist, DCAT.downloadURL))
        dumps[url.rsplit("/", 1)[-1]] = (int(void.value(dist, DCAT.byteSize)), str(void.value(dist, DCTERMS.format)))
    assert sorted(dumps) == [f for f in FILES if f.startswith("basel-kg.")]
    for name, (size, media_type) in dumps.items():
        assert size == release.files[name].stat().st_size
    assert dumps["basel-kg.ttl"][1] == "text/turtle"
    assert len(list(void.objects(DATASET_IRI, VOID.dataDump))) == 6


def test_dcat_lists_the_jsonld_context(mini_release):
    from basel_kg.jsonld import CONTEXT_IRI

    _, release = mini_release
    void = Graph().parse(release.files["void.ttl"], format="turtle")
    jsonld = next(d for d in void.objects(DATASET_IRI, DCAT.distribution)
                  if str(void.value(d, DCAT.downloadURL)).endswith("/basel-kg.jsonld"))
    context = URIRef(CONTEXT_IRI)
    assert void.value(jsonld, DCTERMS.conformsTo) == context
    assert (context, RDF.type, DCTERMS.Standard) in void
    assert str(void.value(context, RDFS.seeAlso)).endswith("/dumps/context.jsonld")
    assert release.files["context.jsonld"].is_file()


def test_ontology_documentation(mini_release):
    _, release = mini_release
    html = release.files["ontology/index.html"].read_text(encoding="utf-8")
    assert "<html" in html
    assert "https://w3id.org/basel-kg/ontology#Decision" in html
    assert "decision number" in html


def test_version_is_a_stable_content_hash(mini_root):
    first = build_knowledge_graph(reason=False, validate=False).version
    assert first == build_knowledge_graph(reason=False, validate=False).version
    assert len(first) == 12 and int(first, 16) >= 0
    (mini_root / "shapes" / "decisions.ttl").write_text("", encoding="utf-8")
    assert build_knowledge_graph(reason=False, validate=False).version == first  # shapes are not data
    data = mini_root / "data" / "000-decisions.ttl"
    data.write_text(data.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert build_knowledge_graph(reason=False, validate=False).version != first


def break_data(root: Path) -> None:
    data = root / "data" / "000-decisions.ttl"
    data.write_text(data.read_text(encoding="utf-8").replace('"IX/9"', '"9"'), encoding="utf-8")


def test_non_conforming_data_is_not_released(mini_root, tmp_path):
    break_data(mini_root)
    kg = build_knowledge_graph()
    assert not kg.conforms
    out = tmp_path / "dist"
    out.mkdir()
    (out / "old.txt").write_text("previous release")
    with pytest.raises(ReleaseError):
        write_release(kg, out)
    assert listing(out) == ["old.txt"]


def test_a_failure_midway_leaves_the_previous_release(mini_root, tmp_path, monkeypatch):
    kg = build_knowledge_graph()
    out = tmp_path / "dist"
    out.mkdir()
    (out / "old.txt").write_text("previous release")

    def broken(_ontology):
        raise RuntimeError("pyLODE failed")

    monkeypatch.setattr(release_module, "ontology_html", broken)
    with pytest.raises(RuntimeError, match="pyLODE failed"):
        write_release(kg, out)
    assert listing(out) == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "project"]  # no temporary folder left


def test_a_new_release_replaces_the_old_one_as_a_whole(mini_release, tmp_path):
    kg, _ = mini_release
    out = tmp_path / "dist"
    out.mkdir()
    (out / "stale.txt").write_text("from an older release")
    write_release(kg, out)
    assert listing(out) == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


# --- basel-kg build, through the real entry point -------------------------------------------------------

def test_build_command_writes_the_release(mini_root, tmp_path, run_cli):
    out = tmp_path / "release"
    proc = run_cli("build", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert listing(out) == FILES
    assert " triples, " in proc.stderr and " entities " in proc.stderr and str(out) in proc.stderr
    assert "\r" not in proc.stderr and "it/s" not in proc.stderr  # no progress bar when not on a terminal


def test_build_command_fails_on_non_conforming_data(mini_root, tmp_path, run_cli):
    break_data(mini_root)
    out = tmp_path / "release"
    proc = run_cli("build", "--out", out)
    assert proc.returncode == 1
    assert "Does not conform: 1 result(s)" in proc.stdout
    assert 'basel:decision/basel-cop-IX-9  bkg:decisionNumber  "9"  t:DecisionNumber' in proc.stdout
    assert "nothing was written" in proc.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


def test_build_command_names_the_syntax_error(mini_root, tmp_path, run_cli):
    data = mini_root / "data" / "000-decisions.ttl"
    lines = data.read_text(encoding="utf-8").splitlines()
    lines[9] = '    bkg:decisionNumber "VIII/1 ;'  # unterminated string on line 10
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "release"
    proc = run_cli("build", "--out", out)
    assert proc.returncode == 2
    assert f"{data}:10:" in proc.stderr
    assert not out.exists()
