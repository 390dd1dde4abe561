"""Adaptive questions: most urgent first, only those that can change the result; answers
update the case, and "not sure" stays unknown."""

from __future__ import annotations

import pytest
from tests.conftest import base_case

from esiguard.answers import apply_answer
from esiguard.case import parse_case
from esiguard.errors import CaseValidationError
from esiguard.pipeline import next_questions, triage


def portal_message() -> dict:
    """d011-like: weak, tingly legs the day after, nothing else asked."""
    return base_case(
        screen_complete=False,
        hours_since_injection=26,
        procedure={"status": "done", "approach": "interlaminar", "region": "lumbar"},
        findings=[
            {"code": "leg_weakness", "side": "both"},
            {"code": "leg_tingling", "side": "both"},
        ],
    )


def test_red_flag_questions_come_first(kb):
    """With weak legs and nothing else known, the first question is a cauda equina question."""
    questions = next_questions(portal_message(), kb)
    assert questions[0].code in {
        "saddle_numbness",
        "urinary_retention",
        "bowel_incontinence",
        "urinary_incontinence",
    }
    assert questions[0].answer_type == "yes_no_unsure"
    assert all(q.text for q in questions)


def test_attribute_questions_are_asked_for_present_findings(kb):
    """An unknown trend of a present red-flag finding is asked, worded for the patient."""
    questions = next_questions(portal_message(), kb)
    trend = [q for q in questions if q.code == "leg_weakness" and q.attribute == "trend"]
    assert trend and "weakness" in trend[0].text.lower()
    assert set(trend[0].options) >= {"improving", "worsening"}


def test_nothing_is_asked_once_an_emergency_has_fired(kb):
    """No answer can lower an emergency, so there is nothing left to ask."""
    case = base_case(screen_complete=False, findings=[{"code": "saddle_numbness"}])
    assert triage(case, kb).disposition == "emergency"
    assert next_questions(case, kb) == []


def test_answering_yes_to_a_red_flag_escalates(kb):
    """Saying yes to urinary retention turns the urgent portal message into an emergency."""
    case = parse_case(portal_message())
    question = next(q for q in next_questions(case, kb) if q.code == "urinary_retention")
    updated = apply_answer(case, question, "yes")
    assert triage(updated, kb).disposition == "emergency"


def test_not_sure_is_recorded_as_unknown_never_absent(kb):
    """'Not sure' records present: null, and the finding stays in the unanswered list."""
    case = parse_case(portal_message())
    question = next(q for q in next_questions(case, kb) if q.code == "saddle_numbness")
    updated = apply_answer(case, question, "unsure")
    finding = next(f for f in updated.findings if f.code == "saddle_numbness")
    assert finding.present is None
    assert "saddle_numbness" in triage(updated, kb).unanswered


def test_bad_answer_names_the_question(kb):
    """An answer that does not fit is an error naming the question's finding."""
    case = parse_case(portal_message())
    question = next(q for q in next_questions(case, kb) if q.code == "saddle_numbness")
    with pytest.raises(CaseValidationError) as info:
        apply_answer(case, question, "perhaps")
    assert info.value.issues[0].field == "saddle_numbness"


def test_full_interview_reaches_a_stable_result(kb):
    """Answering 'no' to every question ends the interview with no unanswered red flags."""
    case = parse_case(base_case(screen_complete=False, hours_since_injection=1,
                                findings=[{"code": "leg_numbness", "side": "left", "onset_hours": 0.1,
                                           "trend": "improving"}]))  # fmt: skip
    asked = set()
    for _ in range(80):
        pending = [q for q in next_questions(case, kb) if (q.code, q.attribute) not in asked]
        if not pending:
            break
        q = pending[0]
        asked.add((q.code, q.attribute))
        answer = (
            "no"
            if q.answer_type == "yes_no_unsure"
            else ("mild" if q.attribute == "severity" else "unsure")
        )
        case = apply_answer(case, q, answer)
    result = triage(case, kb)
    assert result.unanswered == []
    assert result.disposition == "self_care"


def test_warm_up_compiles_the_knowledge_base_and_freezes_it_for_the_gc(kb):
    """`esiguard serve` warms up before serving: rules compiled, report tables built, and what
    is loaded moved to the collector's permanent generation (full collections skip it)."""
    import gc

    from esiguard.pipeline import warm_up

    gc.unfreeze()
    try:
        assert warm_up(kb) is kb
        assert gc.get_freeze_count() > 0
        assert "compiled_rules" in kb._sections and "report_tables" in kb._sections
    finally:
        gc.unfreeze()


def test_results_built_without_validation_are_valid_and_copy_safely(kb):
    """Triage builds its result models without re-validating them: each one must equal the
    same data validated, and a copy with changes must not touch the original."""
    from esiguard.result import TriageResult

    case = base_case(findings=[{"code": "leg_weakness", "onset_hours": 4}, {"code": "fever"}])
    result = triage(case, kb)
    assert TriageResult.model_validate(result.model_dump()) == result
    copied = result.model_copy(update={"notes": ["changed"]})
    assert copied.notes == ["changed"] and result.notes != ["changed"]
    assert result.model_fields_set == set(TriageResult.model_fields)
