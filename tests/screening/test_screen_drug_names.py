"""Medication names resolve to generics (brands, misspellings, dose text); unknown stays unknown."""

from __future__ import annotations

import time

import pytest
from tests.screening.helpers import planned_case, reasons_for

from esiguard.screening import resolve_drug, screen
from esiguard.screening.drugs import drug_index

BRANDS = [
    ("Eliquis", "apixaban", "anticoagulant"),
    ("Plavix", "clopidogrel", "antiplatelet"),
    ("Xarelto", "rivaroxaban", "anticoagulant"),
    ("Coumadin", "warfarin", "anticoagulant"),
    ("Jantoven", "warfarin", "anticoagulant"),
    ("Brilinta", "ticagrelor", "antiplatelet"),
    ("Lovenox", "enoxaparin", "anticoagulant"),
    ("Pradaxa", "dabigatran", "anticoagulant"),
    ("Effient", "prasugrel", "antiplatelet"),
    ("Savaysa", "edoxaban", "anticoagulant"),
    ("Lixiana", "edoxaban", "anticoagulant"),
    ("Aggrenox", "aspirin/dipyridamole", "antiplatelet"),
    ("Advil", "ibuprofen", "nsaid"),
    ("Motrin", "ibuprofen", "nsaid"),
    ("Aleve", "naproxen", "nsaid"),
    ("Mobic", "meloxicam", "nsaid"),
    ("Toradol", "ketorolac", "nsaid"),
    ("heparin", "heparin", "anticoagulant"),
    ("Fragmin", "dalteparin", "anticoagulant"),
    ("Arixtra", "fondaparinux", "anticoagulant"),
    ("Pletal", "cilostazol", "antiplatelet"),
    ("Persantine", "dipyridamole", "antiplatelet"),
    ("Sintrom", "acenocoumarol", "anticoagulant"),
    ("Zoloft", "sertraline", "ssri_snri"),
    ("Prozac", "fluoxetine", "ssri_snri"),
    ("Cymbalta", "duloxetine", "ssri_snri"),
    ("Effexor XR", "venlafaxine", "ssri_snri"),
    ("fish oil", "fish oil", "supplement"),
    ("Ginkgo biloba", "ginkgo", "supplement"),
    ("vitamin E", "vitamin E", "supplement"),
    ("baby aspirin", "aspirin", "antiplatelet"),
    ("Lipitor", "atorvastatin", "other"),
]


@pytest.mark.parametrize(("name", "generic", "drug_class"), BRANDS, ids=[b[0] for b in BRANDS])
def test_brand_and_common_names_resolve_to_the_generic(
    name: str, generic: str, drug_class: str, kb
):
    match = resolve_drug(name, kb)
    assert match is not None
    assert (match.generic, match.drug_class) == (generic, drug_class)


@pytest.mark.parametrize(
    ("name", "generic"),
    [
        ("eliquis", "apixaban"),
        ("ELIQUIS", "apixaban"),
        ("plavics", "clopidogrel"),
        ("xeralto", "rivaroxaban"),
        ("coumadine", "warfarin"),
        ("warfrin", "warfarin"),
        ("apixiban", "apixaban"),
        ("brillinta", "ticagrelor"),
        ("clopidogrell", "clopidogrel"),
        ("rivaroxiban", "rivaroxaban"),
        ("elliquis", "apixaban"),
        ("ibuprophen", "ibuprofen"),
        ("zolof", "sertraline"),
    ],
)
def test_small_misspellings_resolve(name: str, generic: str, kb) -> None:
    match = resolve_drug(name, kb)
    assert match is not None
    assert match.generic == generic


@pytest.mark.parametrize(
    ("name", "generic"),
    [
        ("Eliquis 5 mg", "apixaban"),
        ("Eliquis 5mg twice daily", "apixaban"),
        ("apixaban (Eliquis) 2.5 mg BID", "apixaban"),
        ("Plavix 75 mg tablet", "clopidogrel"),
        ("aspirin 81mg daily", "aspirin"),
        ("Lovenox 40 mg SC daily", "enoxaparin"),
        ("Xarelto 20 mg once daily with breakfast", "rivaroxaban"),
    ],
)
def test_dose_text_is_ignored(name: str, generic: str, kb) -> None:
    match = resolve_drug(name, kb)
    assert match is not None
    assert match.generic == generic


@pytest.mark.parametrize("name", ["blorbexitol", "Xyzal", "a pill for my heart", "zz"])
def test_unknown_names_resolve_to_none(name: str, kb) -> None:
    assert resolve_drug(name, kb) is None


def test_antithrombotic_flag_is_true_for_anticoagulants_and_antiplatelets_only(kb) -> None:
    assert resolve_drug("Eliquis", kb).is_antithrombotic
    assert resolve_drug("aspirin", kb).is_antithrombotic
    assert not resolve_drug("ibuprofen", kb).is_antithrombotic
    assert resolve_drug("ibuprofen", kb).affects_bleeding
    assert not resolve_drug("metformin", kb).affects_bleeding


def test_a_name_with_two_drugs_gives_both_in_the_plan(kb) -> None:
    case = planned_case(
        medications=[{"name": "aspirin and clopidogrel", "last_dose_hours_before": 24}]
    )
    result = screen(case, kb)
    assert {p.generic for p in result.medication_plan} == {"aspirin", "clopidogrel"}
    assert result.decision == "postpone"


def test_the_name_index_is_built_once_per_knowledge_base_and_lookups_are_fast(kb) -> None:
    assert drug_index(kb) is drug_index(kb)
    start = time.perf_counter()
    for _ in range(200):
        resolve_drug("Eliquis 5 mg", kb)
        resolve_drug("plavicks", kb)
    assert (time.perf_counter() - start) / 400 < 0.005


def test_an_unknown_medicine_is_reported_and_never_passed(kb) -> None:
    case = planned_case(medications=[{"name": "Blorbexitol 10 mg"}])
    result = screen(case, kb)
    item = result.medication_plan[0]
    assert item.known is False
    assert item.action == "unknown"
    assert item.generic is None
    assert reasons_for(result, "unknown_medication")
    assert any("Blorbexitol" in q for q in result.unanswered)
    assert result.decision == "proceed_with_precautions"


def test_known_ordinary_medicines_do_not_change_a_clean_plan(kb) -> None:
    meds = [{"name": n} for n in ("atorvastatin", "amlodipine", "omeprazole", "Tylenol")]
    result = screen(planned_case(medications=meds), kb)
    assert result.decision == "proceed"
    assert all(p.known and p.action == "continue" for p in result.medication_plan)
