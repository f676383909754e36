"""basel_kg.jsonld.compact_quads: the release's JSON-LD, written in one pass over the quads,
reads back (by rdflib and by pyoxigraph, two JSON-LD processors) as exactly the quads it was
made from, including the cases a hand-written compaction could get wrong."""

from __future__ import annotations

import json

import pyoxigraph as ox
from rdflib import Dataset
from rdflib.compare import isomorphic

from basel_kg.jsonld import compact_quads

BKG = "https://w3id.org/basel-kg/ontology#"
NQUADS = f"""
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BKG}Decision> <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/OtherType> <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <{BKG}decisionNumber> "IX/9" <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <{BKG}adoptedAt> <https://w3id.org/basel-kg/meeting/basel-cop-9> <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <{BKG}adoptedAt> "a literal where a link is expected" <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://www.w3.org/2000/01/rdf-schema#label> "Decision IX/9"@en <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://www.w3.org/2000/01/rdf-schema#label> "Décision IX/9"@fr <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://www.w3.org/2000/01/rdf-schema#label> "another English label"@en <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://www.w3.org/2000/01/rdf-schema#label> "a label without language" <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://www.w3.org/2000/01/rdf-schema#comment> "a comment"@en <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://purl.org/dc/terms/date> "2008-06-27"^^<http://www.w3.org/2001/XMLSchema#date> <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://example.org/count> "7"^^<http://www.w3.org/2001/XMLSchema#integer> <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://www.w3.org/ns/prov#wasDerivedFrom> _:b1 <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q1> <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://example.org/link> <{BKG}Decision> <https://w3id.org/basel-kg/graph/a> .
_:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> _:b2 <https://w3id.org/basel-kg/graph/a> .
_:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> "line\\nbreak \\"quoted\\"" <https://w3id.org/basel-kg/graph/a> .
<https://w3id.org/basel-kg/decision/basel-cop-9-IX-9> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BKG}Decision> <https://w3id.org/basel-kg/graph/inferred> .
"""


def _quads() -> list[ox.Quad]:
    return list(ox.parse(NQUADS.encode(), format=ox.RdfFormat.N_QUADS))


def test_compacted_document_reads_back_as_the_same_quads_in_two_processors():
    document = json.dumps(compact_quads(_quads()))
    expected = Dataset().parse(data=NQUADS, format="nquads")
    by_rdflib = Dataset().parse(data=document, format="json-ld")
    by_oxigraph = Dataset().parse(data=ox.serialize(ox.parse(document.encode(), format=ox.RdfFormat.JSON_LD),
                                                    format=ox.RdfFormat.N_QUADS), format="nquads")
    for parsed in (by_rdflib, by_oxigraph):
        assert sorted(str(g.identifier) for g in parsed.graphs() if len(g)) == sorted(
            str(g.identifier) for g in expected.graphs() if len(g))
        for graph in expected.graphs():
            if len(graph):
                assert isomorphic(parsed.graph(graph.identifier), graph), graph.identifier


def test_compacted_document_uses_the_contexts_readable_keys():
    document = compact_quads(_quads())
    graph = next(g for g in document["@graph"] if g["@id"] == "https://w3id.org/basel-kg/graph/a")
    node = next(n for n in graph["@graph"] if n["@id"].endswith("IX-9"))
    assert node["@type"] == ["Decision", "http://example.org/OtherType"]
    assert node["decisionNumber"] == "IX/9"
    assert node["adoptedAt"] == "https://w3id.org/basel-kg/meeting/basel-cop-9"
    assert node["bkg:adoptedAt"] == "a literal where a link is expected"  # not under the IRI-valued key
    assert node["label"] == {"en": ["Decision IX/9", "another English label"], "fr": "Décision IX/9"}
    assert node["rdfs:label"] == "a label without language"
    assert node["comment"] == {"@value": "a comment", "@language": "en"}
    assert node["http://example.org/link"] == {"@id": "bkg:Decision"}  # an IRI value: never a bare term


def test_compacted_document_is_the_same_for_the_same_quads_in_any_order():
    quads = _quads()
    assert json.dumps(compact_quads(quads)) == json.dumps(compact_quads(list(reversed(quads))))
