"""One version: the package metadata. Every other place that states it must agree."""

import re
from importlib.metadata import version
from pathlib import Path

from rdflib import OWL, Graph, URIRef

ROOT = Path(__file__).resolve().parents[1]
VERSION = version("basel-kg")


def test_ontology_version_is_the_package_version():
    g = Graph().parse(ROOT / "ontology" / "basel-kg.ttl")
    onto = URIRef("https://w3id.org/basel-kg/ontology")
    assert str(g.value(onto, OWL.versionInfo)) == VERSION
    assert str(g.value(onto, OWL.versionIRI)).endswith("/" + VERSION)


def test_citation_files_state_the_package_version():
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r'^version: "?([^"\n]+)"?$', cff, re.M).group(1) == VERSION
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cite = readme[readme.index("<!-- cite:start -->"):readme.index("<!-- cite:end -->")]
    assert f"version {VERSION}" in cite
