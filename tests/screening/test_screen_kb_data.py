"""Screening data: cited, dated, matching the brief's table; every rule the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from esiguard.screening.data import screening_data

SRC = Path(__file__).resolve().parents[2] / "src" / "esiguard" / "screening"

# Brief section 8.2, intermediate-risk column (hours; None = no fixed interval) and restart hours.
BRIEF_TABLE = {
    ("clopidogrel", "standard"): (168, 12),
    ("prasugrel", "standard"): (168, 12),
    ("ticagrelor", "standard"): (120, 12),
    ("warfarin", "standard"): (120, 6),
    ("acenocoumarol", "standard"): (72, 24),
    ("heparin", "intravenous"): (6, 2),
    ("heparin", "subcutaneous"): (6, 2),
    ("lmwh", "prophylactic"): (12, 12),
    ("lmwh", "therapeutic"): (24, 12),
    ("fondaparinux", "standard"): (96, 24),
    ("dabigatran", "standard"): (96, 24),
    ("rivaroxaban", "standard"): (72, 24),
    ("apixaban", "standard"): (72, 24),
    ("edoxaban", "standard"): (72, 24),
}
HIGH_RISK_HOLDS = {
    ("aspirin", "primary_prevention"): 144,
    ("ibuprofen", "standard"): 24,
    ("diclofenac", "standard"): 24,
    ("ketorolac", "standard"): 24,
    ("etodolac", "standard"): 48,
    ("indomethacin", "standard"): 48,
    ("naproxen", "standard"): 96,
    ("meloxicam", "standard"): 96,
    ("nabumetone", "standard"): 144,
    ("oxaprozin", "standard"): 240,
    ("piroxicam", "standard"): 240,
    ("cilostazol", "standard"): 48,
    ("dipyridamole", "standard"): 48,
    ("heparin", "subcutaneous"): 24,
}
VERIFIED_IN_UPTODATE_COPY = {
    "aspirin", "aspirin_combination", "diclofenac", "ketorolac", "ibuprofen", "etodolac",
    "indomethacin", "naproxen", "meloxicam", "nabumetone", "oxaprozin", "piroxicam", "cilostazol",
    "dipyridamole", "warfarin", "acenocoumarol", "heparin", "lmwh",
}  # fmt: skip
FROM_MEMORY = {
    "clopidogrel", "prasugrel", "ticagrelor", "fondaparinux", "dabigatran", "rivaroxaban",
    "apixaban", "edoxaban", "ssri_snri", "supplements",
}  # fmt: skip


@pytest.fixture(scope="module")
def data(kb):
    return screening_data(kb)


@pytest.mark.parametrize(("key", "expected"), BRIEF_TABLE.items(), ids=lambda x: str(x))
def test_intermediate_risk_intervals_match_the_brief_table(key, expected, data) -> None:
    entry_id, regimen_id = key
    spec = data.antithrombotics[entry_id].regimen(regimen_id).intermediate
    assert (spec.hours, spec.restart_hours) == expected


@pytest.mark.parametrize(("key", "hours"), HIGH_RISK_HOLDS.items(), ids=lambda x: str(x))
def test_high_risk_intervals_match_the_brief_table(key, hours, data) -> None:
    entry_id, regimen_id = key
    spec = data.antithrombotics[entry_id].regimen(regimen_id).high
    assert spec.action == "hold"
    assert spec.hours == hours


def test_aspirin_secondary_prevention_is_a_shared_decision_in_both_columns(data) -> None:
    regimen = data.antithrombotics["aspirin"].regimen("secondary_prevention")
    assert regimen.intermediate.action == regimen.high.action == "shared_decision"


def test_dabigatran_needs_six_days_with_reduced_kidney_function(data) -> None:
    renal = data.antithrombotics["dabigatran"].renal
    assert renal is not None
    assert renal.intermediate.hours == 144


def test_warfarin_and_acenocoumarol_require_a_normal_inr(data) -> None:
    assert data.antithrombotics["warfarin"].requires_normal_inr
    assert data.antithrombotics["acenocoumarol"].requires_normal_inr


def test_verification_status_follows_the_brief(data) -> None:
    for entry_id in VERIFIED_IN_UPTODATE_COPY:
        assert data.antithrombotics[entry_id].verification == "sourced", entry_id
    for entry_id in FROM_MEMORY:
        entry = data.antithrombotics[entry_id]
        assert entry.verification == "unverified", entry_id
        assert entry.verification_note


def test_every_entry_is_cited_and_dated(data) -> None:
    entries = [
        *data.antithrombotics.values(),
        *data.other_medications.values(),
        *data.rules.values(),
    ]
    for entry in entries:
        assert entry.sources, entry.id
        assert entry.checked_on.isoformat() == "2026-11-25", entry.id


def test_every_rule_the_code_uses_is_in_the_data_and_every_rule_is_used(data) -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in SRC.glob("*.py"))
    used = set(re.findall(r'"([a-z0-9_]+)"', code)) & set(data.rules)
    named_in_code = set(re.findall(r'(?:emit\(\s*facts,\s*|rule\()\s*"([a-z0-9_]+)"', code))
    assert named_in_code <= set(data.rules), sorted(named_in_code - set(data.rules))
    assert set(data.rules) <= used, sorted(set(data.rules) - used)
