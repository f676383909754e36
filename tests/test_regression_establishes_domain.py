"""Regression: `bkg:establishes` had domain bkg:Decision while its inverse `bkg:establishedBy`
is also used for bodies (the Expanded Bureau established the Advisory Committee on
Partnership with Industry), so OWL RL inferred that bodies and organisations were decisions.
"""

from rdflib import RDF

from basel_kg.namespaces import BKG
from basel_kg.reasoning import infer
from basel_kg.sources import load_sources


def test_no_establisher_is_inferred_to_be_a_decision_unless_it_is_one():
    ds = load_sources()
    ds.default_union = True
    inferred = infer(ds)
    establishers = set(ds.objects(None, BKG.establishedBy)) | set(ds.subjects(BKG.establishes, None))
    assert any(not (e, RDF.type, BKG.Decision) in ds for e in establishers), "fixture lost: no non-decision establisher"
    wrongly = [e for e in establishers if (e, RDF.type, BKG.Decision) in inferred and (e, RDF.type, BKG.Decision) not in ds]
    assert wrongly == []
