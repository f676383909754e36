"""The rules of the knowledge model (docs/conventions.md) are enforced: each quality check in
queries/checks/ written for them finds a small graph that breaks its rule, and passes the same
graph once it follows the rule. (test_quality_checks runs them on the shipped data.)"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from support import QUERIES

PREFIXES = """@base <https://w3id.org/basel-kg/> .
@prefix bkg: <https://w3id.org/basel-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
"""

MEETING = "<meeting/basel-oewg-6> bkg:ordinal 6 .\n"

# two steps below org:Organization and below the collective classes: the checks follow rdfs:subClassOf*
CHAIN = ("bkg:Secretariat rdfs:subClassOf bkg:IntergovernmentalBody . "
         "bkg:IntergovernmentalBody rdfs:subClassOf org:FormalOrganization . "
         "bkg:TaskTeam rdfs:subClassOf bkg:Group . bkg:Group rdfs:subClassOf bkg:WorkingGroup .\n")
ACTIVITY = "<activity/a> a bkg:CooperationActivity ; bkg:participant <org/sbc> .\n"

CASES = {
    # check: (breaks the rule, follows it)
    "decision-number": [
        (MEETING + '<decision/basel-oewg-VI-19> a bkg:Decision ; bkg:decisionNumber "OEWG-VI/19" ; '
                   'bkg:adoptedAt <meeting/basel-oewg-6> ; bkg:session 6 ; bkg:numberInSession 19 .',
         MEETING + '<decision/basel-oewg-VI-19> a bkg:Decision ; bkg:decisionNumber "VI/19" ; '
                   'bkg:adoptedAt <meeting/basel-oewg-6> ; bkg:session 6 ; bkg:numberInSession 19 .'),
        (MEETING + '<decision/basel-oewg-VI-19> a bkg:Decision ; bkg:decisionNumber "VI/19" ; '
                   'bkg:adoptedAt <meeting/basel-oewg-6> ; bkg:session "6" ; bkg:numberInSession 19 .',
         MEETING + '<decision/basel-oewg-VI-19> a bkg:Decision ; bkg:decisionNumber "VI/19" ; '
                   'bkg:adoptedAt <meeting/basel-oewg-6> ; bkg:session 6 ; bkg:numberInSession 19 .'),
        (MEETING + '<decision/basel-oewg-VI-19> a bkg:Decision ; bkg:decisionNumber "VI/19" ; '
                   'bkg:adoptedAt <meeting/basel-oewg-6> ; bkg:session 7 ; bkg:numberInSession 19 .',
         MEETING + '<decision/basel-oewg-VI-19> a bkg:Decision ; bkg:decisionNumber "VI/19" ; '
                   'bkg:adoptedAt <meeting/basel-oewg-6> ; bkg:session 6 ; bkg:numberInSession 19 .'),
        ('<decision/basel-cop-VI-__> a bkg:Decision , bkg:DraftDecision ; bkg:decisionNumber "VI/__" .',
         '<decision/draft/basel-cop-6-x> a bkg:Decision , bkg:DraftDecision ; bkg:session 6 .'),
    ],
    "iri-path-class": [
        ('<initiative/gemi> a bkg:Initiative , bkg:Partnership .', '<partnership/gemi> a bkg:Partnership .'),
        ('<initiative/step> a bkg:Partnership .', '<partnership/step> a bkg:Partnership .'),
        ('<activity/x> a <http://www.w3.org/ns/prov#Activity> .', '<activity/x> a bkg:CooperationActivity .'),
        ('<place/bali> a bkg:Region .', '<place/bali> a schema:Place .'),
    ],
    "duplicate-candidates": [
        ('<org/unep-dmb> a bkg:OrganisationalUnit ; rdfs:label "UNEP Disaster Management Branch"@en .\n'
         '<org/unep-pcdmb> a bkg:OrganisationalUnit ; skos:altLabel "UNEP  disaster management branch"@en .',
         '<org/unep-dmb> a bkg:OrganisationalUnit ; rdfs:label "UNEP Disaster Management Branch"@en ;'
         ' skos:closeMatch <org/unep-pcdmb> ; skos:editorialNote "the text does not say"@en .\n'
         '<org/unep-pcdmb> a bkg:OrganisationalUnit ; skos:altLabel "UNEP  disaster management branch"@en .'),
        ('<document/a> a bkg:Document ; bkg:symbol "UNEP/CHW/OEWG/7/17" .\n'
         '<document/b> a bkg:Document ; bkg:symbol "UNEP/CHW/OEWG/7/17" .',
         '<document/a> a bkg:Document ; bkg:symbol "UNEP/CHW/OEWG/7/17" .\n'
         '<document/b> dcterms:isReplacedBy <document/a> .'),
    ],
    "editorial-reading": [
        ('<activity/x> a bkg:CooperationActivity ; bkg:participant <org/sbc> ; bkg:editorialParticipant <org/y> .',
         '<activity/x> a bkg:CooperationActivity ; bkg:participant <org/sbc> ; bkg:editorialParticipant <org/y> ;'
         ' skos:editorialNote "read from the row"@en .'),
        ('<org/a> skos:closeMatch <org/b> .', '<org/a> skos:closeMatch <org/b> . <org/b> skos:editorialNote "why"@en .'),
    ],
    "deadline": [
        ('<decision/draft/x/para/4> a bkg:Provision ; schema:endDate "2008-09-15"^^xsd:date .',
         '<decision/draft/x/para/4> a bkg:Provision ; bkg:deadline "2008-09-15"^^xsd:date .'),
        ('<obligation/x> a bkg:Obligation ; bkg:deadline "2025" .',
         '<obligation/x> a bkg:Obligation ; bkg:deadline "2025"^^xsd:gYear .'),
        ('<obligation/x> a bkg:Obligation .', '<obligation/x> a bkg:Obligation ; bkg:deadline "2028"^^xsd:gYear .'),
    ],
    "date-bounds": [
        ('<meeting/x> schema:endDate "2008-02"^^xsd:gYearMonth ; bkg:latestEnd "2008-02-28"^^xsd:date .',
         '<meeting/x> schema:endDate "2008-02"^^xsd:gYearMonth ; bkg:latestEnd "2008-02-29"^^xsd:date .'),
        ('<meeting/x> schema:startDate "2009"^^xsd:gYear .',
         '<meeting/x> schema:startDate "2009"^^xsd:gYear ; bkg:earliestStart "2009-01-01"^^xsd:date .'),
        ('<meeting/x> schema:startDate "2009-05"^^xsd:gYearMonth ; bkg:earliestStart "2009-05-01"^^xsd:date ;'
         ' schema:endDate "2009"^^xsd:gYear ; bkg:latestEnd "2008-12-31"^^xsd:date .',
         '<meeting/x> schema:startDate "2009-05"^^xsd:gYearMonth ; bkg:earliestStart "2009-05-01"^^xsd:date ;'
         ' schema:endDate "2009"^^xsd:gYear ; bkg:latestEnd "2009-12-31"^^xsd:date .'),
    ],
    "organisations-without-type": [
        (CHAIN + "<activity/a> bkg:participant <org/sbc> , <org/unep> . <org/unep> a org:Organization .",
         CHAIN + "<activity/a> bkg:participant <org/sbc> , <org/unep> . <org/unep> a org:Organization . "
                 "<org/sbc> a bkg:Secretariat ."),
        (CHAIN + "<org/unit> org:unitOf <org/unep> . <org/unit> a bkg:Group .",
         CHAIN + "<org/unit> org:unitOf <org/unep> . <org/unit> a bkg:Secretariat ."),
    ],
    "pages-cooperation-activity-participants": [
        (CHAIN + ACTIVITY + "<org/sbc> a bkg:Secretariat .",
         CHAIN + ACTIVITY + "<org/sbc> a bkg:TaskTeam ."),
        (CHAIN + ACTIVITY + "<org/sbc> a bkg:Secretariat .",
         CHAIN + ACTIVITY + "<org/sbc> a bkg:Secretariat . <activity/a> bkg:editorialParticipant <org/unep> ."),
    ],
    "chinese-only-unflagged": [
        ('<decision/basel-cop-IX-11> dcterms:description "请秘书处"@zh .',
         '<decision/basel-cop-IX-11> dcterms:description "请秘书处"@zh ;'
         ' rdfs:comment "Chinese only: the source gives no English."@en .'),
    ],
}


def rows(check: str, turtle: str) -> list:
    store = ox.Store()
    store.load((PREFIXES + turtle).encode(), format=ox.RdfFormat.TURTLE)
    query = (QUERIES / "checks" / f"{check}-violation.rq").read_text(encoding="utf-8")
    return list(store.query(query))


@pytest.mark.parametrize(("check", "index"), [(c, i) for c, cases in CASES.items() for i in range(len(cases))])
def test_check_finds_the_broken_rule_and_passes_the_fixed_graph(check, index):
    broken, fixed = CASES[check][index]
    assert rows(check, broken), f"{check} found nothing in:\n{broken}"
    assert rows(check, fixed) == [], f"{check} still finds something in:\n{fixed}"
