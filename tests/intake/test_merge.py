"""merge_into_case: structured findings win; text only adds; unmentioned stays unknown."""

from __future__ import annotations

from tests.conftest import base_case

from esiguard.case import parse_case
from esiguard.intake import merge_into_case

TEXT = "I can't pee, my left leg is numb, no fever, and I'm not sure about my bowels."


def _case(**overrides):
    data = base_case(screen_complete=False, **overrides)
    data.pop("hours_since_injection", None) if "hours_since_injection" not in overrides else None
    return parse_case(data)


def test_structured_findings_win_over_extracted_ones(read) -> None:
    case = _case(findings=[{"code": "urinary_retention", "present": False}])
    merged = merge_into_case(case, read(TEXT, case=case), include_absent=True)
    retention = [f for f in merged.findings if f.code == "urinary_retention"]
    assert len(retention) == 1 and retention[0].present is False


def test_present_only_adds_only_present_findings(read) -> None:
    case = _case()
    merged = merge_into_case(case, read(TEXT, case=case), include_absent=False)
    codes = {f.code: f.present for f in merged.findings}
    assert codes == {"urinary_retention": True, "leg_numbness": True}


def test_with_absent_adds_absent_and_unknown_findings_too(read) -> None:
    case = _case()
    merged = merge_into_case(case, read(TEXT, case=case), include_absent=True)
    codes = {f.code: f.present for f in merged.findings}
    assert codes["fever"] is False
    assert codes["urinary_retention"] is True
    assert codes["leg_numbness"] is True


def test_what_the_text_does_not_mention_stays_unknown(read) -> None:
    case = _case()
    merged = merge_into_case(case, read(TEXT, case=case), include_absent=True)
    assert "saddle_numbness" not in {f.code for f in merged.findings}


def test_extracted_findings_carry_their_attributes_and_words(read) -> None:
    case = _case()
    merged = merge_into_case(case, read(TEXT, case=case), include_absent=False)
    numb = next(f for f in merged.findings if f.code == "leg_numbness")
    assert numb.side == "left"
    assert numb.note is not None and "leg is numb" in numb.note


def test_measured_values_survive_the_merge_in_canonical_units(read) -> None:
    case = _case()
    merged = merge_into_case(case, read("temperature of 101", case=case), include_absent=False)
    fever = next(f for f in merged.findings if f.code == "fever")
    assert fever.unit == "F" and fever.canonical_value == 38.33


def test_time_since_injection_is_filled_only_when_the_case_has_none(read) -> None:
    without = _case()
    merged = merge_into_case(
        without, read("I had the injection two hours ago.", case=without), include_absent=False
    )
    assert merged.hours_since_injection == 2.0
    with_time = parse_case(base_case(hours_since_injection=30))
    merged = merge_into_case(
        with_time, read("I had the injection two hours ago.", case=with_time), include_absent=False
    )
    assert merged.hours_since_injection == 30


def test_merging_nothing_returns_the_case_unchanged(read) -> None:
    case = parse_case(base_case())
    assert (
        merge_into_case(case, read("Hello, just checking in.", case=case), include_absent=True)
        is case
    )


def test_the_input_case_is_not_modified(read) -> None:
    case = _case()
    before = case.to_json_dict()
    merge_into_case(case, read(TEXT, case=case), include_absent=True)
    assert case.to_json_dict() == before
