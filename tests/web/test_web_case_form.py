"""The forms of the flow turn into valid esi-case/1 cases, and bad answers into plain messages."""

from __future__ import annotations

import json

import pytest

from esiguard.case import parse_case
from esiguard.errors import AdapterError, CaseValidationError
from esiguard.web.case_form import (
    FormProblem,
    QuestionSpec,
    apply_answer,
    case_from_start_form,
    case_to_json,
    load_asked,
    load_case_field,
)
from esiguard.web.choices import ANESTHETICS, APPROACHES, EVENTS, GUIDANCE, REGIONS, STEROIDS
from esiguard.web.screening_form import case_from_screening_form

BASE = {"format": "esi-case/1", "procedure": {"status": "done"}, "hours_since_injection": 5}


def _case(**extra):
    return parse_case({**BASE, **extra})


def test_start_form_builds_a_done_case_with_hours():
    """Days are converted to hours, codes pass through, medicines become medication entries."""
    case = case_from_start_form(
        {"hours_ago": "1,5", "hours_unit": "days", "region": "lumbar", "approach": "caudal",
         "side": "", "anesthetic": "lidocaine", "steroid": "unknown", "levels": "l4-l5, S1",
         "medicines": "Apixaban; aspirin"},
        ["dural_puncture"],
    )  # fmt: skip
    assert case_to_json(case) == {
        "format": "esi-case/1",
        "procedure": {
            "status": "done",
            "approach": "caudal",
            "region": "lumbar",
            "levels": ["L4-L5", "S1"],
            "steroid": {"name": "unknown"},
            "local_anesthetic": {"name": "lidocaine"},
            "events": ["dural_puncture"],
        },
        "hours_since_injection": 36.0,
        "patient": {"medications": [{"name": "apixaban"}, {"name": "aspirin"}]},
        "screen_complete": False,
        "findings": [],
    }


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("", "Enter how long ago the injection was."),
        ("soon", "Enter how long ago the injection was as a number, for example 6 or 1.5."),
        ("-2", "The time must be 0 or more."),
        ("400", "Enter a time within the last year (365 days)."),
        ("inf", "Enter how long ago the injection was as a number."),
    ],
)
def test_start_form_explains_a_bad_time(hours, message):
    """A missing, non-numeric, negative or huge time is refused with one plain sentence."""
    unit = "days" if hours == "400" else "hours"
    with pytest.raises(FormProblem) as info:
        case_from_start_form({"hours_ago": hours, "hours_unit": unit}, [])
    assert [(e.field, e.message) for e in info.value.errors] == [("hours_ago", message)]


def test_start_form_explains_bad_levels():
    """A spinal level that is not like L4-L5 is refused with an example of the right form."""
    with pytest.raises(FormProblem) as info:
        case_from_start_form({"hours_ago": "3", "levels": "lower back"}, [])
    assert info.value.errors[0].field == "levels"
    assert "L4-L5" in info.value.errors[0].message


def test_tampered_choice_is_refused_not_ignored():
    """A code the format does not know (e.g. a forged radio value) is an error on that input."""
    with pytest.raises(FormProblem) as info:
        case_from_start_form({"hours_ago": "3", "approach": "sideways"}, [])
    assert info.value.errors[0].field == "approach"


@pytest.mark.parametrize(
    "choices", [APPROACHES, REGIONS, ANESTHETICS, STEROIDS, GUIDANCE], ids=lambda c: c[1].value
)
def test_every_offered_choice_is_a_valid_code(choices):
    """Each option the start form offers is accepted by the case format."""
    field = {id(APPROACHES): "approach", id(REGIONS): "region", id(ANESTHETICS): "anesthetic",
             id(STEROIDS): "steroid", id(GUIDANCE): "guidance"}[id(choices)]  # fmt: skip
    for choice in choices:
        case_from_start_form({"hours_ago": "1", field: choice.value}, [])


def test_every_offered_event_is_a_valid_code():
    """Each procedure event the form offers is accepted by the case format."""
    case = case_from_start_form({"hours_ago": "1"}, [e.value for e in EVENTS])
    assert len(case.procedure.events or []) == len(EVENTS)


YES_NO = QuestionSpec(code="saddle_numbness", text="Is the saddle area numb?")


@pytest.mark.parametrize(("answer", "present"), [("yes", True), ("no", False), ("unsure", None)])
def test_presence_answer_sets_present(answer, present):
    """Yes, no and not sure become present true, false and null."""
    case = apply_answer(_case(), YES_NO, {"answer": answer})
    assert [(f.code, f.present) for f in case.findings] == [("saddle_numbness", present)]


def test_not_sure_survives_the_hidden_field_round_trip():
    """'Not sure' (present: null) is kept when the case goes through the hidden JSON field.

    Dropping it would turn an unknown red flag into a present one (the format's default).
    """
    case = apply_answer(_case(), YES_NO, {"answer": "unsure"})
    again = load_case_field(json.dumps(case_to_json(case)))
    assert again.findings[0].present is None


def test_missing_answer_is_a_plain_message():
    """Submitting without choosing gives 'Choose yes, no or not sure.'"""
    with pytest.raises(FormProblem) as info:
        apply_answer(_case(), YES_NO, {})
    assert info.value.errors[0].message == "Choose yes, no or not sure."


def test_number_answer_updates_the_existing_finding():
    """A number answer fills the attribute of the finding already recorded."""
    case = _case(findings=[{"code": "back_pain"}])
    question = QuestionSpec(
        code="back_pain", attribute="nrs", text="How bad?", answer_type="number"
    )
    case = apply_answer(case, question, {"number": "7"})
    assert [(f.code, f.present, f.nrs) for f in case.findings] == [("back_pain", True, 7.0)]


def test_out_of_range_number_is_refused_with_the_rule():
    """A pain score of 12 is refused and the message says what is expected."""
    case = _case(findings=[{"code": "back_pain"}])
    question = QuestionSpec(
        code="back_pain", attribute="nrs", text="How bad?", answer_type="number"
    )
    with pytest.raises(FormProblem) as info:
        apply_answer(case, question, {"number": "12"})
    assert info.value.errors[0].field == "number"
    assert "<= 10" in info.value.errors[0].message


def test_temperature_answer_carries_its_unit():
    """A temperature in Fahrenheit keeps its unit and converts to Celsius in the case."""
    case = _case(findings=[{"code": "fever"}])
    question = QuestionSpec(code="fever", attribute="value", text="Temperature?",
                            answer_type="number", unit="C")  # fmt: skip
    case = apply_answer(case, question, {"number": "101.3", "unit": "F"})
    assert case.findings[0].unit == "F"
    assert case.findings[0].canonical_value == pytest.approx(38.5)


def test_choice_answer_must_be_offered():
    """A choice not among the options is refused; 'not sure' leaves the case unchanged."""
    case = _case(findings=[{"code": "back_pain"}])
    question = QuestionSpec(code="back_pain", attribute="trend", text="Trend?",
                            answer_type="choice", options=["improving", "worsening"])  # fmt: skip
    with pytest.raises(FormProblem):
        apply_answer(case, question, {"answer": "sideways"})
    assert apply_answer(case, question, {"answer": "unsure"}) == case
    assert apply_answer(case, question, {"answer": "worsening"}).findings[0].trend == "worsening"


def test_blood_pressure_answer_sets_both_numbers():
    """The two blood-pressure numbers go to systolic and diastolic."""
    case = _case(findings=[{"code": "blood_pressure"}])
    question = QuestionSpec(code="blood_pressure", attribute="blood_pressure", text="BP?",
                            answer_type="number")  # fmt: skip
    case = apply_answer(case, question, {"systolic": "182", "diastolic": "104"})
    assert (case.findings[0].systolic, case.findings[0].diastolic) == (182, 104)


def test_tampered_hidden_case_is_a_case_error():
    """A hidden case field that is not a valid case raises the core validation error."""
    with pytest.raises(AdapterError):
        load_case_field("{not json")
    with pytest.raises(CaseValidationError):
        load_case_field(json.dumps({"format": "esi-case/1"}))
    with pytest.raises(AdapterError):
        load_asked('{"a": 1}')


def test_screening_form_builds_a_planned_case():
    """The screening form gives a planned case with patient, labs and medicines."""
    case = case_from_screening_form(
        {"approach": "transforaminal", "region": "cervical", "steroid": "dexamethasone",
         "steroid_dose": "10", "age": "67", "inr": "1.4", "prior_injections": "2",
         "med-1-name": "Clopidogrel", "med-1-dose": "75 mg daily", "med-1-last": "48",
         "med-2-name": ""},
        ["coronary_stent"],
    )  # fmt: skip
    data = case_to_json(case)
    assert data["procedure"] == {
        "status": "planned",
        "approach": "transforaminal",
        "region": "cervical",
        "steroid": {"name": "dexamethasone", "dose_mg": 10.0},
    }
    assert data["patient"] == {
        "age_years": 67.0,
        "conditions": ["coronary_stent"],
        "medications": [
            {"name": "clopidogrel", "dose": "75 mg daily", "last_dose_hours_before": 48.0}
        ],
        "labs": {"inr": 1.4},
        "prior_injections_12_months": 2,
    }


def test_screening_form_points_at_the_bad_inputs():
    """A non-numeric INR and a medicine row with a dose but no name are both reported."""
    with pytest.raises(FormProblem) as info:
        case_from_screening_form({"inr": "high", "med-3-dose": "5 mg"}, [])
    assert [e.field for e in info.value.errors] == ["inr", "med-3-name"]
