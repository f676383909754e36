"""The regular expressions of the shapes: decision numbers, UN document symbols, ISO codes.

Read from shapes/ (not copied), so the tests follow the shapes. The forms come from
../shared/external-ids.md and the five source texts: every decision number and UN symbol the
texts write must match, and the near misses below must not.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from basel_kg.namespaces import BKG
from basel_kg.sources import load_shapes

ROOT = Path(__file__).resolve().parents[1]
SEEDS = next((d / "shared" / "seeds" for d in (ROOT.parent, ROOT.parent.parent) if (d / "shared" / "seeds").is_dir()),
             ROOT.parent / "shared" / "seeds")
SHAPES = "https://w3id.org/basel-kg/shapes#"


@cache
def property_pattern(shape: str, path: URIRef) -> re.Pattern:
    g = load_shapes(ROOT)
    for prop in g.objects(URIRef(SHAPES + shape), SH.property):
        if g.value(prop, SH.path) == path and g.value(prop, SH.pattern) is not None:
            return re.compile(str(g.value(prop, SH.pattern)))
    raise LookupError(f"no sh:pattern on {path} in {shape}")


def decision_number() -> re.Pattern:
    return property_pattern("DecisionShape", BKG.decisionNumber)


def symbol() -> re.Pattern:
    return property_pattern("DocumentShape", BKG.symbol)


# SHACL's sh:pattern is XPath fn:matches, i.e. a search: the patterns anchor themselves.

VALID_NUMBERS = [
    "IX/9", "VIII/33", "VIII/5", "VI/22", "II/4", "IV/12", "V/13", "VII/3", "XIV/1", "XXXVI/12",
    "OEWG-VI/19", "OEWG-I/1", "BC-15/27", "BC-16/1", "25/8", "IX/…", "VI/__", "VI/___",
    "BC.Ex-1/1", "SC.Ex-1/1", "RC.Ex-1/2", "SS.VII/1", "SS.XI/5",
]
INVALID_NUMBERS = [
    "IX-9", "ix/9", "IX /9", "IX/ 9", " IX/9", "IX/9 ", "IX/9.", "Decision IX/9", "IIII/1", "VV/1",
    "IIX/1", "IC/1", "XM/3", "/9", "IX/", "IX/09", "IX/0", "OEWG-/19", "OEWG VI/19", "OEWG-VI-19",
    "BC-XV/27", "BC-15/…", "IX/...", "VI/_", "VI/22 (B9)", "VIII/33(B9)", "0/1", "IX/9/1",
    "BC.Ex-I/1", "BC.EX-1/1", "XC.Ex-1/1", "BC.Ex-1/…", "SS.7/1", "SS VII/1", "SS.VII/…", "Ex-1/1", "BC.Ex-0/1",
]


@pytest.mark.parametrize("number", VALID_NUMBERS)
def test_decision_number_accepted(number):
    assert decision_number().search(number)


@pytest.mark.parametrize("number", INVALID_NUMBERS)
def test_decision_number_rejected(number):
    assert not decision_number().search(number)


def test_roman_sessions_one_to_eighty_nine():
    def roman(n: int) -> str:
        out = ""
        for value, digits in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
            while n >= value:
                out, n = out + digits, n - value
        return out

    assert all(decision_number().search(f"{roman(n)}/1") for n in range(1, 90))


def seed_decision_numbers() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    found = re.findall(r"(?<![A-Za-z0-9_/.-])((?:OEWG-|BC-)?(?:[IVXL]+|[0-9]+)/(?:[0-9]+|…|_+))(?![A-Za-z0-9_/])", text)
    return sorted(set(found) - {"73/78"})  # MARPOL 73/78 is a convention's name, not a decision


def test_seed_texts_are_read():
    assert len(seed_decision_numbers()) >= 20
    assert len(seed_symbols()) >= 25


@pytest.mark.parametrize("number", seed_decision_numbers())
def test_every_decision_number_in_the_texts_is_accepted(number):
    assert decision_number().search(number), number


VALID_SYMBOLS = [
    "UNEP/CHW.9/INF/12", "UNEP/CHW/OEWG/7/17", "UNEP/CHW.6/32/Add.1", "UNEP/OzL.Pro.WG.1/29/INF/2",
    "UNEP/OzL.Conv.8/7", "UNEP/OzL.Pro/Workshop.3/2/Add.1", "UNEP/CHW.9/1", "UNEP/CHW/OEWG/7/INF/2",
    "UNEP/OzL.Pro.20/9", "UNEP/CHW.8/2/Add.2", "UNEP/GC.25/17", "UNEP/CHW.10/3/Rev.1",
    "UNEP/CHW.9/5/Corr.1", "UNEP/POPS/COP.4/INF/30",
    "UNEP/CHW.10/CRP.1", "UNEP/CHW/OEWG/7/CRP.12", "UNEP/POPS/COP.4/CRP.5/Rev.1", "UNEP/GC.25/L.1",
]
INVALID_SYMBOLS = [
    "UNEP/CHW.9/INF/12.", "UNEP/CHW.9/4.", "UNEP/CHW.9", "UNEP/CHW.9/INF12", "unep/chw.9/1",
    "UNEP /CHW.9/1", "UNEP/CHW 9/1", "UNEP/OzL.Conv.8/7- UNEP/OzL.Pro.20/9", "UNEP/OzL.Conv.8/7-",
    "UNEP/Chemicals/mercury", "UNEP/OCHA", "UNEP/CHW.9/13 ", "CHW.9/13", "UNEP/CHW.9/add.1/2",
    "UNEP/CHW.6/32/Add 1", "UNEP/CHW.9/INF/",
    "UNEP/CHW.10/CRP", "UNEP/CHW.10/CRP.", "UNEP/CHW.10/CRP 1", "UNEP/CHW.10/crp.1",
]


@pytest.mark.parametrize("value", VALID_SYMBOLS)
def test_symbol_accepted(value):
    assert symbol().search(value)


@pytest.mark.parametrize("value", INVALID_SYMBOLS)
def test_symbol_rejected(value):
    assert not symbol().search(value)


def seed_symbols() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    found = {s.rstrip(".-,;") for s in re.findall(r"UNEP/[A-Za-z0-9./_-]+", text)}
    not_symbols = {"UNEP/Chemicals/mercury", "UNEP/OCHA"}  # an office and a joint unit, not documents
    return sorted(found - not_symbols)


@pytest.mark.parametrize("value", seed_symbols())
def test_every_symbol_in_the_texts_is_accepted(value):
    assert symbol().search(value), value


def test_iso_codes_are_the_assigned_alpha_2_codes():
    g = load_shapes(ROOT)
    codes = None
    for prop in g.objects(URIRef(SHAPES + "CountryShape"), SH.property):
        if g.value(prop, SH.path) == BKG.countryCode:
            codes = [str(c) for c in Collection(g, g.value(prop, SH["in"]))]
    assert codes is not None
    assert len(codes) == len(set(codes)) == 249
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in codes)
    assert {"CH", "ID", "CI", "CN", "GB", "KR", "TT", "NG"} <= set(codes)
    assert not {"XK", "UK", "EU", "YU", "AN"} & set(codes)  # user-assigned, exceptionally reserved or withdrawn
