"""Retired IRIs (two IRIs found to denote one thing, merged): the data says which IRI replaces
each (dcterms:isReplacedBy), nothing else describes them, and the Linked Data server answers
them with 301 to the kept IRI, keeping the requested representation."""

from __future__ import annotations

import httpx
import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from basel_kg.namespaces import BASE
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.sources import load_sources
from basel_kg.store import EmbeddedStore

RETIRED = {
    "agreement/sbc-step-mou": "agreement/sbc-unu-mou-2008",
    "document/oewg-7-international-cooperation-note": "document/UNEP/CHW/OEWG/7/17",
    "document/oewg-7-international-cooperation-note/annex": "document/unep-chw-oewg-7-17-annex",
    "decision/basel-cop-VI-__": "decision/draft/basel-cop-6-cooperation-with-ngos-and-industry",
    "initiative/step": "partnership/step",
    "initiative/gemi": "partnership/gemi",
    "initiative/regional-3r-forum-asia": "forum/regional-3r-forum-asia",
    "partnership/basel-business-industry-forum": "forum/basel-business-industry-forum",
    "partnership/basel-ngo-forum": "forum/basel-ngo-forum",
}


@pytest.fixture(scope="module")
def dataset():
    ds = load_sources()
    ds.default_union = True
    return ds


def test_each_retired_iri_points_to_a_described_one_and_says_nothing_else(dataset):
    replaced = {str(s)[len(BASE):]: str(o)[len(BASE):] for s, o in dataset.subject_objects(DCTERMS.isReplacedBy)}
    assert replaced == RETIRED
    for old, new in RETIRED.items():
        assert (URIRef(BASE + new), RDF.type, None) in dataset, new
        assert {p for p, _ in dataset.predicate_objects(URIRef(BASE + old))} == {DCTERMS.isReplacedBy,
                                                                                  SKOS.editorialNote}
        assert (None, None, URIRef(BASE + old)) not in dataset, f"{old} is still linked to"


@pytest.fixture(scope="module")
def client(dataset):
    with EmbeddedStore(timeout=30) as store:
        store.load_dataset(load_sources(), version="test-1")
        with BackgroundServer(create_app(Settings(store=store))) as server:
            with httpx.Client(base_url=server.url, timeout=30, follow_redirects=False) as c:
                yield c


@pytest.mark.slow
@pytest.mark.parametrize(("accept", "suffix"), [("text/html", ""), ("text/turtle", ""), ("*/*", ".ttl")])
def test_server_redirects_retired_iris_permanently(client, accept, suffix):
    for old, new in RETIRED.items():
        r = client.get(f"/{old}{suffix}", headers={"Accept": accept})
        assert r.status_code == 301, (old, r.status_code)
        assert r.headers["location"] == f"/{new}{suffix}"
        kept = client.get(r.headers["location"], headers={"Accept": accept})
        assert kept.status_code == 200, new


@pytest.mark.slow
def test_kept_iris_are_not_redirected(client):
    r = client.get("/agreement/sbc-unu-mou-2008", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert "agreement/sbc-unu-mou-2008" in r.text
