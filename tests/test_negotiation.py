"""Content negotiation of the SPARQL endpoint and the entity pages: ``format=`` names of the
common clients, ``format`` ignored when it does not fit the query form, and a default format
(not 406) when ``Accept`` names only formats of another kind of result."""

from __future__ import annotations

import pytest

from basel_kg.server import negotiation
from basel_kg.server.negotiation import JSONLD_COMPACTED, JSONLD_EXPANDED, jsonld_profile, rdf_media_type, result_formats

SRJ, SRX = "application/sparql-results+json", "application/sparql-results+xml"
CSV, TSV = "text/csv", "text/tab-separated-values"
TTL, NT, JSONLD, RDFXML = "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"
TRIG, NQ, N3 = "application/trig", "application/n-quads", "text/n3"


# (format name, solutions, boolean, graph) for the names SPARQLWrapper, YASGUI, Jena and rdflib use;
# None: the name does not fit that kind, so Accept decides (here "*/*": the kind's first format).
@pytest.mark.parametrize("name, solutions, boolean, graph", [
    ("json", SRJ, SRJ, JSONLD),
    ("xml", SRX, SRX, RDFXML),
    ("csv", CSV, CSV, None),
    ("tsv", TSV, TSV, None),
    ("turtle", None, None, TTL),
    ("ttl", None, None, TTL),
    ("n3", None, None, N3),
    ("rdf", None, None, RDFXML),
    ("rdf+xml", None, None, RDFXML),
    ("pretty-xml", None, None, RDFXML),
    ("json-ld", None, None, JSONLD),
    ("jsonld", None, None, JSONLD),
    ("nt", None, None, NT),
    ("nt11", None, None, NT),
    ("n-triples", None, None, NT),
    ("trig", None, None, TRIG),
    ("nquads", None, None, NQ),
    ("n-quads", None, None, NQ),
    ("srj", SRJ, SRJ, None),
    ("srx", SRX, SRX, None),
    ("application/rdf+xml", None, None, RDFXML),
    ("text/csv", CSV, CSV, None),
])
def test_format_names_of_common_clients(name, solutions, boolean, graph):
    formats = result_formats("*/*", name)
    assert formats.solutions == (solutions or SRJ)
    assert formats.boolean == (boolean or SRJ)
    assert formats.graph == (graph or TTL)


def test_format_that_does_not_fit_the_query_form_gives_way_to_accept():
    # SPARQLWrapper asking a CONSTRUCT as RDF/XML sends format=rdf+xml and Accept: application/rdf+xml
    assert result_formats(RDFXML, "rdf+xml").graph == RDFXML
    # format=csv means nothing for a CONSTRUCT: Accept decides
    assert result_formats("application/n-triples", "csv").graph == NT
    # format=turtle means nothing for a SELECT
    assert result_formats(SRX, "turtle").solutions == SRX


def test_unknown_format_name_gives_way_to_accept():
    formats = result_formats("*/*", "no-such-format")
    assert (formats.solutions, formats.boolean, formats.graph) == (SRJ, SRJ, TTL)
    assert result_formats(CSV, "text").solutions == CSV  # Fuseki's "text" table: we have none


def test_accept_of_another_kind_gets_the_default_format_of_the_query_kind():
    # roqet sends Accept: application/sparql-results+xml for every query form
    assert result_formats(SRX).graph == TTL
    assert result_formats(f"{SRJ}, {CSV};q=0.5").graph == TTL
    # a SELECT or an ASK asked for RDF only: SPARQL JSON
    assert result_formats(TTL).solutions == SRJ
    assert result_formats(TTL).boolean == SRJ


def test_accept_with_nothing_we_write_is_not_acceptable():
    formats = result_formats("image/png, text/html;q=0.9")
    assert (formats.solutions, formats.boolean, formats.graph) == (None, None, None)
    assert result_formats(f"{SRJ};q=0").graph is None, "q=0 means 'not this one'"


def test_accept_still_decides_among_a_kinds_formats():
    assert result_formats(f"{SRX};q=0.9, {SRJ}").solutions == SRJ
    assert result_formats("text/*").solutions == CSV
    assert result_formats("application/turtle").graph == TTL  # SPARQLWrapper's first Turtle type
    assert result_formats("text/rdf+n3").graph == N3
    assert result_formats("application/x-json+ld").graph == JSONLD


def test_format_parameter_is_read_from_format_output_or_results():
    assert negotiation.format_parameter([("query", "x"), ("output", "json"), ("results", "xml")]) == "json"
    assert negotiation.format_parameter([("format", ""), ("results", "csv")]) == "csv"
    assert negotiation.format_parameter([("query", "x")]) is None


def test_entity_offers_include_the_dataset_formats():
    comunica = "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,text/turtle;q=0.6"
    assert rdf_media_type(comunica, html=True, offers=negotiation.ENTITY_TYPES) == NQ
    assert rdf_media_type("application/trig", offers=negotiation.ENTITY_TYPES) == TRIG
    assert rdf_media_type("*/*", html=True, offers=negotiation.ENTITY_TYPES) == TTL
    assert rdf_media_type("application/n-quads") is None, "the graph store keeps its own offers"


def test_jsonld_profile_from_accept():
    assert jsonld_profile(f'{JSONLD};profile="{JSONLD_EXPANDED}"') == JSONLD_EXPANDED
    assert jsonld_profile(f'{JSONLD};profile="http://example.org/p {JSONLD_EXPANDED}"') == JSONLD_EXPANDED
    assert jsonld_profile(JSONLD) == JSONLD_COMPACTED
    assert jsonld_profile(f'{JSONLD};profile="{JSONLD_EXPANDED}";q=0, {JSONLD}') == JSONLD_COMPACTED
    assert jsonld_profile(None) == JSONLD_COMPACTED
