"""Side, trend, severity, posture, measured values, onset and the time since the injection."""

from __future__ import annotations

import pytest
from tests.conftest import base_case

from esiguard.case import parse_case


@pytest.mark.parametrize(
    ("text", "code", "side"),
    [
        ("My left leg is numb.", "leg_numbness", "left"),
        ("Numbness on the right side of my leg.", "leg_numbness", "right"),
        ("Both legs are weak.", "leg_weakness", "both"),
        ("My legs are weak.", "leg_weakness", "both"),
        ("I can't move either leg.", "leg_weakness", "both"),
        ("My right-sided sciatica is back.", "leg_pain", "right"),
        ("My left hand is numb and my right hand is numb.", "arm_numbness", "both"),
        ("My left leg is numb and my right leg is weak.", "leg_weakness", "right"),
        ("My left leg is numb and my right leg is weak.", "leg_numbness", "left"),
    ],
)
def test_side(read, text: str, code: str, side: str) -> None:
    finding = read(text).finding(code)
    assert finding is not None and finding.side == side


def test_a_side_is_not_given_to_findings_without_one(read) -> None:
    finding = read("Terrible pain in my back and both legs are numb.").finding("back_pain")
    assert finding is not None and finding.side is None


def test_left_as_a_verb_is_not_a_side(read) -> None:
    finding = read("My legs felt heavy when I left the clinic.").finding("leg_weakness")
    assert finding is not None and finding.side == "both"


@pytest.mark.parametrize(
    ("text", "trend"),
    [
        ("My leg is getting more and more numb.", "worsening"),
        ("The numbness in my leg is getting worse.", "worsening"),
        ("My leg is numb but it's getting better.", "improving"),
        ("My leg is still numb, but that's fading.", "improving"),
        ("My leg is still numb.", "stable"),
        ("My leg is numb, no better and no worse than yesterday.", "stable"),
        ("My leg is numb and it isn't wearing off.", "stable"),
        ("My leg is numb and it's not getting better.", "stable"),
        ("The numbness in my leg has gone.", "resolved"),
        ("My leg was numb but that was gone before bed.", "resolved"),
    ],
)
def test_trend(read, text: str, trend: str) -> None:
    finding = read(text).finding("leg_numbness")
    assert finding is not None and finding.trend == trend


def test_a_prediction_is_not_a_trend(read) -> None:
    finding = read("My foot went numb and the nurse said it would wear off.").finding(
        "leg_numbness"
    )
    assert finding is not None and finding.trend is None


def test_maybe_better_is_not_counted_as_improving(read) -> None:
    finding = read("My leg is numb, maybe getting better.").finding("leg_numbness")
    assert finding is not None and finding.trend != "improving"


def test_trends_of_several_mentions_combine_to_the_worst(read) -> None:
    finding = read(
        "My left leg is numb but better. My right leg is numb and getting worse."
    ).finding("leg_numbness")
    assert finding.trend == "worsening"


@pytest.mark.parametrize(
    ("text", "code", "severity"),
    [
        ("I can't stand up.", "leg_weakness", "severe"),
        ("I can't move my legs at all.", "leg_weakness", "severe"),
        ("My legs are a bit weak.", "leg_weakness", "mild"),
        ("Terrible pain in my lower back.", "back_pain", "severe"),
        ("My leg is slightly numb.", "leg_numbness", "mild"),
    ],
)
def test_severity(read, text: str, code: str, severity: str) -> None:
    finding = read(text).finding(code)
    assert finding is not None and finding.severity == severity


@pytest.mark.parametrize(
    ("text", "positional"),
    [
        ("My headache is worse sitting up.", True),
        ("I get a headache when I stand up and it goes away when I lie down.", True),
        ("The headache is just as bad lying flat as standing.", False),
        ("My headache is the same lying down or standing.", False),
        ("I have a headache.", None),
    ],
)
def test_positional_headache(read, text: str, positional) -> None:
    finding = read(text).finding("headache")
    assert finding is not None and finding.positional is positional


@pytest.mark.parametrize(
    ("text", "value", "unit", "present"),
    [
        ("I had a temperature of 101.", 101.0, "F", True),
        ("fevers up to 38.8 with chills", 38.8, "C", True),
        ("My temperature is 37.4.", 37.4, "C", False),
        ("No fever - 36.9 - and I feel OK.", 36.9, "C", False),
        ("Temp 38.0 this morning.", 38.0, "C", True),
        ("It was 39.5C last night.", 39.5, "C", True),
        ("I feel feverish, 37.6.", 37.6, "C", True),
        ("My husband's temperature is 39.", None, None, "unmentioned"),
    ],
)
def test_measured_temperature(read, text: str, value, unit, present) -> None:
    finding = read(text).finding("fever")
    if present == "unmentioned":
        assert finding is None
        return
    assert finding is not None
    assert (finding.value, finding.unit, finding.present) == (value, unit, present)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("My sugar was 286 this morning.", 286.0, "mg/dL"),
        ("blood sugar 31.5 mmol", 31.5, "mmol/L"),
        ("the meter said 31.5 with high ketones", 31.5, "mmol/L"),
        (
            "sugars 231 before breakfast and 268 before lunch, when I'm normally around 140",
            268.0,
            "mg/dL",
        ),
        ("My sugar was 342 this morning. My last HbA1c was 11.2.", 342.0, "mg/dL"),
        ("glucose 12.4mmol/l", 12.4, "mmol/L"),
    ],
)
def test_measured_blood_sugar(read, text: str, value: float, unit: str) -> None:
    finding = read(text).finding("blood_glucose")
    assert finding is not None and finding.present is True
    assert (finding.value, finding.unit) == (value, unit)


def test_hba1c_and_insulin_units_are_not_blood_sugars(read) -> None:
    assert read("My HbA1c was 11.2%.").finding("blood_glucose") is None
    finding = read("My sugars are high so I took 10 units of insulin, the meter said 250.").finding(
        "blood_glucose"
    )
    assert finding is not None and finding.value == 250.0


@pytest.mark.parametrize(
    ("text", "systolic", "diastolic"),
    [
        ("BP 190/110", 190.0, 110.0),
        ("my blood pressure was 165 over 95 at the chemist", 165.0, 95.0),
    ],
)
def test_measured_blood_pressure(read, text: str, systolic: float, diastolic: float) -> None:
    finding = read(text).finding("blood_pressure")
    assert finding is not None and (finding.systolic, finding.diastolic) == (systolic, diastolic)


def test_an_implausible_reading_is_dropped_not_guessed(read) -> None:
    assert read("My temperature was 12.").finding("fever") is None
    assert read("BP 80/120").finding("blood_pressure") is None


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("I had the injection two hours ago.", 2.0),
        ("the injection on my left side was an hour and a half ago", 1.5),
        ("It's twelve days since my injection.", 288.0),
        ("Since the injection three weeks ago my pain is better.", 504.0),
        ("I had my back shot yesterday.", 24.0),
        ("Right after yesterday's injection my foot went numb.", 24.0),
        ("At the end of the injection my legs went numb. That was two hours ago.", 2.0),
        ("After the injection I fainted. Now, five hours later, I feel fine.", 5.0),
        ("I had the injection this morning.", None),
        ("My periods stopped nine years ago, but eight days after the injection I bled.", None),
        ("My last one was three weeks ago and the next injection is booked.", None),
    ],
)
def test_hours_since_injection(read, text: str, hours) -> None:
    assert read(text).hours_since_injection == hours


def test_no_hours_since_injection_is_read_for_a_planned_injection(read) -> None:
    case = parse_case(base_case(procedure={"status": "planned"}, hours_since_injection=-24))
    assert read("I had my last injection two weeks ago.", case=case).hours_since_injection is None


@pytest.mark.parametrize(
    ("text", "code", "onset"),
    [
        ("Since the injection my left leg is numb.", "leg_numbness", 0.0),
        ("About three hours after the neck injection I got a sudden neck pain.", "neck_pain", 3.0),
        ("Four days after my back injection I noticed a grey smudge.", "blurred_vision", 96.0),
        (
            "The injection was 21 days ago. For the last ten days my thighs have become weak.",
            "leg_weakness",
            264.0,
        ),
    ],
)
def test_onset(read, text: str, code: str, onset: float) -> None:
    finding = read(text).finding(code)
    assert finding is not None and finding.onset_hours == onset


def test_how_long_a_past_symptom_lasted_is_not_its_onset(read) -> None:
    finding = read("I had the injection 5 hours ago. My legs were numb for about an hour.").finding(
        "leg_numbness"
    )
    assert finding is not None and finding.onset_hours is None


def test_pain_at_the_needle_site_is_neck_pain_after_a_cervical_injection(read) -> None:
    cervical = parse_case(base_case(procedure={"status": "done", "region": "cervical"}))
    lumbar = parse_case(base_case(procedure={"status": "done", "region": "lumbar"}))
    text = "The pain where the needle went in is getting worse."
    assert read(text, case=cervical).finding("neck_pain").present is True
    assert read(text, case=cervical).finding("back_pain") is None
    assert read(text, case=lumbar).finding("back_pain").present is True


def test_mild_soreness_at_the_site_is_not_back_pain(read) -> None:
    result = read("Just a little soreness where the needle went in.")
    assert result.finding("injection_site_pain").present is True
    assert result.finding("back_pain") is None


def test_symptom_words_take_the_nearest_body_region(read) -> None:
    result = read("Now both hands are numb and clumsy, my legs feel heavy and wobbly.")
    assert result.finding("arm_numbness").present is True
    assert result.finding("arm_weakness").present is True
    assert result.finding("leg_weakness").present is True
    assert result.finding("leg_numbness") is None


def test_a_pronoun_carries_the_body_region_across_a_clause(read) -> None:
    result = read("My right leg started tingling and it gave way on the stairs.")
    assert result.finding("leg_weakness").present is True
    assert result.finding("leg_weakness").side == "right"


def test_coordinated_regions_each_get_the_symptom(read) -> None:
    result = read("My back and leg pain are better.")
    assert result.finding("back_pain").present is True
    assert result.finding("leg_pain").present is True


def test_numb_between_the_legs_is_the_saddle_not_the_legs(read) -> None:
    result = read("It feels numb between my legs.")
    assert result.finding("saddle_numbness").present is True
    assert result.finding("leg_numbness") is None


def test_spans_point_into_the_original_text(read) -> None:
    text = "I can\u2019t pee and my left leg is numb \u2014 since the shot."
    result = read(text)
    for finding in result.findings:
        assert text[finding.span.start : finding.span.end] == finding.span.text
    assert result.finding("urinary_retention").present is True
