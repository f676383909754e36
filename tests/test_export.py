"""Export round trip: every release format parses back, with rdflib and with an independent
parser, to graphs isomorphic to the knowledge graph. The independent parser is Debian's
``rapper`` (raptor2) for Turtle, N-Triples, N-Quads, TriG and RDF/XML; raptor has no JSON-LD
parser, so JSON-LD is read back by rdflib and by pyoxigraph instead.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from basel_kg import cli
from basel_kg.formats import Format
from basel_kg.namespaces import GRAPH
from basel_kg.sources import parse_bytes

RAPPER = {Format.TURTLE: "turtle", Format.NTRIPLES: "ntriples", Format.NQUADS: "nquads",
          Format.TRIG: "trig", Format.RDFXML: "rdfxml"}


def merged_asserted(kg) -> Graph:
    g = Graph()
    for graph in kg.dataset.graphs():
        if graph.identifier != GRAPH.INFERRED:
            g += graph
    return g


def named_graphs(ds: Dataset) -> dict[URIRef, Graph]:
    return {g.identifier: g for g in ds.graphs() if len(g)}


def assert_same_dataset(kg, parsed: Dataset):
    expected = named_graphs(kg.dataset)
    got = named_graphs(parsed)
    assert set(got) == set(expected)
    assert GRAPH.INFERRED in got
    for iri, graph in expected.items():
        assert isomorphic(got[iri], graph), iri


def rapper(path, fmt: Format) -> str:
    assert shutil.which("rapper"), "rapper is missing: install raptor2-utils (bash scripts/setup does)"
    out = "nquads" if fmt.has_graphs else "ntriples"
    proc = subprocess.run(["rapper", "-q", "-i", RAPPER[fmt], "-o", out, str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout



@pytest.mark.parametrize("fmt", [Format.TURTLE, Format.NTRIPLES, Format.RDFXML], ids=lambda f: f.value)
def test_triple_formats_round_trip(mini_release, fmt):
    kg, release = mini_release
    path = release.files[f"basel-kg.{fmt.extension}"]
    expected = merged_asserted(kg)
    assert isomorphic(Graph().parse(path, format=fmt.rdflib), expected), "rdflib"
    assert isomorphic(Graph().parse(data=rapper(path, fmt), format="nt"), expected), "rapper"


@pytest.mark.parametrize("fmt", [Format.NQUADS, Format.TRIG], ids=lambda f: f.value)
def test_dataset_formats_round_trip(mini_release, fmt):
    kg, release = mini_release
    path = release.files[f"basel-kg.{fmt.extension}"]
    parsed = Dataset()
    parsed.parse(path, format=fmt.rdflib)
    assert_same_dataset(kg, parsed)
    by_rapper = Dataset()
    by_rapper.parse(data=rapper(path, fmt), format="nquads")
    assert_same_dataset(kg, by_rapper)


def test_jsonld_round_trip_offline(mini_release):
    """The release JSON-LD embeds its context: any processor reads it with nothing to fetch
    (plain pyoxigraph has no document loader at all)."""
    import pyoxigraph as ox

    from basel_kg.jsonld import jsonld_context

    kg, release = mini_release
    path = release.files["basel-kg.jsonld"]
    assert json.loads(path.read_text())["@context"] == jsonld_context()["@context"]
    by_rdflib = Dataset()
    by_rdflib.parse(path, format="json-ld")
    assert_same_dataset(kg, by_rdflib)
    quads = ox.serialize(ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD), format=ox.RdfFormat.N_QUADS)
    by_oxigraph = Dataset().parse(data=quads, format="nquads")
    assert_same_dataset(kg, by_oxigraph)
    by_our_loader = parse_bytes(path.read_bytes(), format=Format.JSONLD, into=Dataset())
    assert_same_dataset(kg, by_our_loader)


def test_release_jsonld_is_what_export_writes(mini_release, capsys, monkeypatch):
    """`basel-kg export --format json-ld` and the release's basel-kg.jsonld are the same document."""
    kg, release = mini_release
    monkeypatch.setenv("BASEL_KG_ROOT", str(release.directory.parent / "project"))
    assert cli.main(["export", "--format", "json-ld"]) == 0
    exported = json.loads(capsys.readouterr().out)
    released = json.loads(release.files["basel-kg.jsonld"].read_text(encoding="utf-8"))
    assert exported["@context"] == released["@context"]
    assert sorted(g["@id"] for g in exported["@graph"]) == sorted(g["@id"] for g in released["@graph"])
    assert_same_dataset(kg, Dataset().parse(data=json.dumps(exported), format="json-ld"))


def test_jsonld_uses_readable_keys(mini_release):
    _, release = mini_release
    text = release.files["basel-kg.jsonld"].read_text()
    for key in ('"decisionNumber": "IX/9"', '"adoptedAt": "https://w3id.org/basel-kg/meeting/basel-cop-9"',
                '"@type": "Decision"', '"zh": "巴塞尔公约"'):
        assert key in text
    context = json.loads(release.files["context.jsonld"].read_text())["@context"]
    assert context["adoptedAt"] == {"@id": "bkg:adoptedAt", "@type": "@id"}
    assert context["label"] == {"@id": "rdfs:label", "@container": "@language"}


def test_ontology_and_shapes_round_trip(mini_release):
    kg, release = mini_release
    for name, expected in (("ontology.ttl", kg.dataset.graph(GRAPH.ONTOLOGY)), ("shapes.ttl", kg.shapes)):
        path = release.files[name]
        assert isomorphic(Graph().parse(path, format="turtle"), expected), name
        assert isomorphic(Graph().parse(data=rapper(path, Format.TURTLE), format="nt"), expected), name


# --- basel-kg export --------------------------------------------------------------------------------

def test_export_one_graph_as_nquads(mini_root, capsys):
    assert cli.main(["export", "--format", "nq", "--graph", "reference"]) == 0
    ds = Dataset()
    ds.parse(data=capsys.readouterr().out, format="nquads")
    assert list(named_graphs(ds)) == [GRAPH.REFERENCE]


def test_export_turtle_to_stdout_is_the_asserted_data(mini_root, capsys):
    from basel_kg.build import build_knowledge_graph

    assert cli.main(["export", "--format", "turtle"]) == 0
    exported = Graph().parse(data=capsys.readouterr().out, format="turtle")
    assert isomorphic(exported, merged_asserted(build_knowledge_graph(reason=False, validate=False)))


def test_export_inferred_graph_to_a_file(mini_root, tmp_path, capsys):
    out = tmp_path / "inferred.nt"
    assert cli.main(["export", "--format", "nt", "--graph", "inferred", "--output", str(out)]) == 0
    g = Graph().parse(out, format="nt")
    assert (URIRef("https://w3id.org/basel-kg/decision/basel-cop-IX-9"),
            URIRef("http://data.europa.eu/eli/ontology#cites"),
            URIRef("https://w3id.org/basel-kg/decision/basel-cop-VIII-1")) in g
    assert capsys.readouterr().out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inferred.nt", "project"]  # no temporary file left


def test_export_jsonld_embeds_the_context(mini_root, capsys):
    assert cli.main(["export", "--format", "json-ld", "--graph", "https://w3id.org/basel-kg/graph/000-decisions"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert isinstance(doc["@context"], dict)
    assert len(Dataset().parse(data=json.dumps(doc), format="json-ld")) > 0


def test_export_unknown_graph_is_a_usage_error(mini_root, tmp_path, capsys):
    out = tmp_path / "x.ttl"
    assert cli.main(["export", "--format", "turtle", "--graph", "nope", "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no graph https://w3id.org/basel-kg/graph/nope" in err
    assert "https://w3id.org/basel-kg/graph/reference" in err
    assert not out.exists()


def test_export_needs_a_format(mini_root, capsys):
    assert cli.main(["export"]) == 2
    assert "--format" in capsys.readouterr().err
