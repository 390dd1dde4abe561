"""Medicines named only in the patient's words are never ignored by the screen."""

from __future__ import annotations

from tests.screening.helpers import codes, planned_case

from esiguard.screening import screen


def _narrative_only(text: str, hours_until: float = 2) -> dict:
    case = planned_case(hours_until=hours_until)
    del case["patient"]
    case["narrative"] = text
    return case


def test_a_blood_thinner_named_only_in_the_narrative_is_added_and_timed(kb) -> None:
    text = (
        "I take Xarelto every morning with breakfast. I didn't take it this morning - "
        "my last tablet was yesterday at breakfast."
    )
    result = screen(_narrative_only(text), kb)
    item = result.medication_plan[0]
    assert item.generic == "rivaroxaban"
    assert item.last_dose_hours_before == 26  # yesterday (24 h) + 2 h until the injection
    assert result.decision == "postpone"
    assert "narrative_medication" in codes(result)


def test_a_named_blood_thinner_without_a_time_is_never_proceed(kb) -> None:
    result = screen(_narrative_only("I'm on Eliquis for my heart rhythm."), kb)
    assert result.medication_plan[0].generic == "apixaban"
    # Until the last dose is confirmed the injection cannot go ahead on the day.
    assert result.decision == "postpone"
    assert result.unanswered


def test_negated_mentions_are_not_added(kb) -> None:
    result = screen(_narrative_only("I don't take aspirin or any blood thinners."), kb)
    assert result.medication_plan == []
    assert result.decision == "proceed"


def test_a_time_in_another_clause_is_not_attached_to_the_drug(kb) -> None:
    text = "I stopped my warfarin five days ago as told, and this morning's INR was 1.1."
    result = screen(_narrative_only(text), kb)
    assert result.medication_plan[0].last_dose_hours_before == 122


def test_structured_medicines_are_not_duplicated_from_the_narrative(kb) -> None:
    case = planned_case(medications=[{"name": "warfarin", "last_dose_hours_before": 120}])
    case["patient"]["labs"] = {"inr": 1.0}
    case["narrative"] = "I stopped my warfarin five days ago."
    result = screen(case, kb)
    assert [p.generic for p in result.medication_plan] == ["warfarin"]
    assert result.decision == "proceed"
