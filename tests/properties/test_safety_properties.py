"""Safety invariants of triage, checked over generated cases."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import KB, RED_FLAG_CODES, cases, findings

from esiguard.kb.schema import DISPOSITION_ORDER
from esiguard.pipeline import triage

SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("ESIGUARD_HYPOTHESIS_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def rank(result) -> int:
    return DISPOSITION_ORDER.index(result.disposition)


@SETTINGS
@given(cases())
def test_every_valid_case_gets_a_result(case):
    """No valid case raises: every one gets a disposition and an advice text."""
    result = triage(case, KB)
    assert result.disposition in DISPOSITION_ORDER
    assert result.advice


@SETTINGS
@given(cases())
def test_same_case_same_result(case):
    """Triage is deterministic: the same case always gives the same result."""
    assert triage(case, KB).to_json_dict() == triage(case, KB).to_json_dict()


@SETTINGS
@given(cases(), st.data())
def test_adding_a_present_red_flag_never_lowers_the_disposition(case, data):
    """Adding a present red-flag finding never makes the disposition less urgent."""
    listed = {f["code"] for f in case["findings"]}
    candidates = [code for code in RED_FLAG_CODES if code not in listed]
    code = data.draw(st.sampled_from(candidates))
    added = data.draw(findings(code, case["hours_since_injection"], present=True))
    before = triage(case, KB)
    after = triage({**case, "findings": [*case["findings"], added]}, KB)
    assert rank(after) >= rank(before), (
        f"adding {added} lowered {before.disposition} to {after.disposition}"
    )


@SETTINGS
@given(cases(), st.data())
def test_absent_red_flag_turned_unknown_is_never_self_care(case, data):
    """Turning a red-flag answer from absent to unknown never yields self-care, and lists it."""
    code = data.draw(st.sampled_from(RED_FLAG_CODES))
    others = [f for f in case["findings"] if f["code"] != code]
    unknown = {**case, "findings": [*others, {"code": code, "present": None}]}
    result = triage(unknown, KB)
    assert result.disposition != "self_care"
    assert code in result.unanswered


@SETTINGS
@given(cases())
def test_unanswered_red_flags_never_self_care(case):
    """Whenever a red-flag question is unanswered, the result lists it and is not self-care."""
    result = triage(case, KB)
    if result.unanswered:
        assert result.disposition != "self_care"
    if not case["screen_complete"]:
        listed = {f["code"] for f in case["findings"]}
        assert set(RED_FLAG_CODES) - listed <= set(result.unanswered)
