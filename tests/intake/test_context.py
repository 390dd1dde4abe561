"""ConText: someone else's symptoms, hypotheticals, uncertainty and history."""

from __future__ import annotations

import pytest
from tests.intake.conftest import present_of


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("My husband has a fever.", "fever"),
        ("My daughter's legs are weak.", "leg_weakness"),
        ("My son had a stiff neck last week.", "neck_stiffness"),
        ("my wife can't pee properly", "urinary_retention"),
        ("She has a terrible headache.", "headache"),
    ],
)
def test_another_persons_symptom_is_not_the_patients(read, text: str, code: str) -> None:
    result = read(text)
    assert present_of(result, code) == "unmentioned"
    mention = next(m for m in result.mentions if m.code == code)
    assert mention.counted is False
    assert mention.cue is not None and mention.cue.category == "other_person"


def test_another_persons_symptom_does_not_hide_the_patients_own(read) -> None:
    result = read("My husband has a fever and I have a fever too, and my legs are numb.")
    assert present_of(result, "fever") is True
    assert present_of(result, "leg_numbness") is True


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("My husband says my speech is slurred.", "speech_difficulty"),
        ("My wife says I'm drowsy and breathing fast.", "confusion"),
        ("My wife says I'm drowsy and breathing fast.", "difficulty_breathing"),
        ("The nurse noticed my face is drooping.", "facial_droop"),
    ],
)
def test_someone_reporting_the_patients_symptom_still_counts(read, text: str, code: str) -> None:
    assert present_of(read(text), code) is True


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("What should I do if I get a fever?", "fever"),
        ("What should I do if I get a fever or my legs go weak?", "leg_weakness"),
        ("They told me to watch out for a stiff neck.", "neck_stiffness"),
        ("In case of numbness between my legs, should I call?", "saddle_numbness"),
        ("Is there a risk of seizures?", "seizure"),
    ],
)
def test_a_hypothetical_is_not_a_report(read, text: str, code: str) -> None:
    assert present_of(read(text), code) == "unmentioned"


def test_a_conditional_description_of_a_symptom_is_a_report(read) -> None:
    """'if I sit up my headache is worse' describes the headache; it is not a what-if."""
    finding = read("If I sit up my headache is worse.").finding("headache")
    assert finding is not None and finding.present is True


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I'm not sure if I have a fever.", "fever"),
        ("Maybe my leg is a bit weak.", "leg_weakness"),
        ("I think my left leg might be weaker.", "leg_weakness"),
        ("I don't know if I can pee.", "urinary_retention"),
        ("It might be pus, I can't tell.", "injection_site_drainage"),
        ("I'm not sure whether I've wet myself.", "urinary_incontinence"),
        ("My legs feel funny.", "leg_weakness"),
        ("I have some bladder problems.", "urinary_retention"),
    ],
)
def test_uncertain_statements_are_unknown(read, text: str, code: str) -> None:
    finding = read(text).finding(code)
    assert finding is not None and finding.present is None


def test_the_uncertainty_cue_is_reported(read) -> None:
    finding = read("I'm not sure if I have a fever.").finding("fever")
    assert finding.cue is not None and finding.cue.category == "uncertain"
    assert "not sure" in finding.cue.text.lower()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("My foot has been numb for years.", "leg_numbness"),
        ("I had the same tingling in my leg before the injection.", "leg_tingling"),
        ("My usual back ache is there.", "back_pain"),
        ("The weakness in my left leg is the same as always.", "leg_weakness"),
        ("My chronic neck pain is no different.", "neck_pain"),
    ],
)
def test_history_marks_a_finding_as_there_before_the_injection(read, text: str, code: str) -> None:
    finding = read(text).finding(code)
    assert finding is not None and finding.present is True
    assert finding.historical is True
    assert finding.onset_hours is not None and finding.onset_hours < 0


def test_history_does_not_spill_onto_a_new_symptom(read) -> None:
    """'after my usual walk my legs went weak': the weakness is new."""
    finding = read("After my usual walk my legs went weak.").finding("leg_weakness")
    assert finding is not None and finding.present is True
    assert finding.historical is False


def test_a_long_duration_before_the_injection_gives_a_negative_onset(read) -> None:
    """Three weeks of numbness, the injection three days ago: onset 72 - 504 hours."""
    finding = read(
        "The injection was three days ago. My foot has been numb for three weeks."
    ).finding("leg_numbness")
    assert finding is not None and finding.onset_hours == pytest.approx(72 - 504)
    assert finding.historical is True


def test_a_new_symptom_and_an_old_one_of_the_same_code_count_as_new(read) -> None:
    finding = read(
        "My left foot has been numb for years, but since the injection my right leg is numb too."
    ).finding("leg_numbness")
    assert finding is not None and finding.present is True
    assert finding.historical is False
    assert finding.side == "both"
