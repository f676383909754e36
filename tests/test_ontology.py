"""The ontology: well-formed, OWL 2 RL friendly, labelled, defined, aligned, documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from basel_kg.namespaces import BKG, BKG_URI, ONTOLOGY_FILE

ROOT = Path(__file__).resolve().parents[1]
G = Graph().parse(ONTOLOGY_FILE, format="turtle")
TERMS = sorted(
    s for s in set(G.subjects(RDF.type, None))
    if isinstance(s, URIRef) and str(s).startswith(BKG_URI)
)
CLASSES = sorted(s for s in G.subjects(RDF.type, OWL.Class) if str(s).startswith(BKG_URI))
PROPERTIES = sorted(
    s for t in (OWL.ObjectProperty, OWL.DatatypeProperty) for s in G.subjects(RDF.type, t)
)
STANDARD = (
    "http://www.w3.org/ns/org#", "http://data.europa.eu/eli/ontology#", "https://schema.org/",
    "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/", "http://www.w3.org/2004/02/skos/core#",
    "http://xmlns.com/foaf/0.1/", "http://www.w3.org/2006/time#",
)


def local(term: URIRef) -> str:
    return str(term)[len(BKG_URI):]


@pytest.mark.parametrize("term", TERMS, ids=local)
def test_every_term_has_english_label_and_definition(term):
    assert any(l.language == "en" for l in G.objects(term, RDFS.label)), "no rdfs:label @en"
    assert any(l.language == "en" for l in G.objects(term, SKOS.definition)), "no skos:definition @en"


def test_chinese_labels_are_copied_from_the_chinese_source_texts():
    seeds = next((d / "shared" / "seeds" for d in (ROOT.parent, ROOT.parent.parent) if (d / "shared" / "seeds").is_dir()),
                 ROOT.parent / "shared" / "seeds")
    chinese = "".join(p.read_text(encoding="utf-8") for p in seeds.glob("00[23]_*.txt"))
    chinese = re.sub(r"\s+", "", chinese)
    zh = [(s, l) for s, l in G.subject_objects(RDFS.label) if l.language == "zh"]
    assert len(zh) >= 20
    missing = [(local(s), str(l)) for s, l in zh if str(l) not in chinese]
    assert missing == []


@pytest.mark.parametrize("cls", CLASSES, ids=local)
def test_every_class_is_aligned_to_a_standard_vocabulary(cls):
    """Directly, or through a bkg: superclass that is."""
    seen, todo = set(), [cls]
    while todo:
        c = todo.pop()
        for sup in G.objects(c, RDFS.subClassOf):
            if str(sup).startswith(STANDARD):
                return
            if sup not in seen:
                seen.add(sup)
                todo.append(sup)
    pytest.fail(f"{local(cls)} has no standard superclass")


def test_closed_namespace_rejects_a_misspelled_term():
    assert BKG.Decision == URIRef(BKG_URI + "Decision")
    with pytest.raises(AttributeError):
        BKG.Decsion  # noqa: B018


def test_owl2_rl_profile_no_constructs_outside_rl():
    """No existential or cardinality restrictions, unions or complements: owlrl can't use them."""
    forbidden = [OWL.someValuesFrom, OWL.minCardinality, OWL.cardinality, OWL.unionOf, OWL.complementOf,
                 OWL.minQualifiedCardinality, OWL.qualifiedCardinality]
    assert [p for p in forbidden if (None, p, None) in G] == []


def test_readme_documents_every_class_and_property():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("<!-- data-model:start -->"):readme.index("<!-- data-model:end -->")]
    missing = [local(t) for t in CLASSES + PROPERTIES if f"`bkg:{local(t)}`" not in section]
    assert missing == []
