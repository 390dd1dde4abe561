"""Negated red flags are never extracted as present (issue 6: at least 30 phrasings)."""

from __future__ import annotations

import pytest
from tests.intake.conftest import present_of

# (text, code, what the text says: False = absent, "unmentioned" = not read at all, None =
# unknown). None of these may ever come out as present.
NEGATIONS = [
    ("no trouble peeing", "urinary_retention", False),
    ("My bladder's fine.", "urinary_retention", False),
    ("Patient denies saddle numbness.", "saddle_numbness", False),
    ("I can't say I've had a fever.", "fever", False),
    ("cant say ive had a fever", "fever", False),
    ("No fever.", "fever", False),
    ("There's no numbness between my legs.", "saddle_numbness", False),
    ("I'm peeing normally.", "urinary_retention", False),
    ("I haven't had any chills.", "chills", False),
    ("My legs are not weak.", "leg_weakness", False),
    ("I don't have a fever.", "fever", False),
    ("No fever, no chills, nothing like that.", "chills", False),
    ("There's no numbness around my bottom.", "saddle_numbness", False),
    ("My leg isn't weak.", "leg_weakness", False),
    ("no chest pain or racing heart", "chest_pain", False),
    ("No rash or itching.", "hives_or_itching", False),
    ("My lips aren't swollen.", "throat_or_face_swelling", False),
    ("I haven't lost my sight.", "vision_loss", False),
    ("There's no eye pain, redness or headache.", "headache", False),
    ("Light doesn't bother me.", "photophobia", False),
    ("I can touch my chin to my chest.", "neck_stiffness", False),
    ("I can bend my neck fine.", "neck_stiffness", False),
    ("I've never had a seizure.", "seizure", False),
    ("I haven't got any numbness in my legs.", "leg_numbness", False),
    ("I have no problems with my bladder.", "urinary_retention", False),
    ("My bladder and bowels are fine.", "bowel_incontinence", False),
    ("I've passed water normally since getting home.", "urinary_retention", False),
    ("No difficulty breathing.", "difficulty_breathing", False),
    ("I'm breathing fine.", "difficulty_breathing", False),
    ("No slurred speech.", "speech_difficulty", False),
    ("My face isn't drooping.", "facial_droop", False),
    ("I can feel the toilet paper normally.", "saddle_numbness", False),
    ("My legs are neither numb nor weak.", "leg_numbness", False),
    ("My legs are neither numb nor weak.", "leg_weakness", False),
    ("No stiff neck.", "neck_stiffness", False),
    ("No redness or swelling where the needle went in.", "injection_site_redness", False),
    ("No redness or swelling where the needle went in.", "injection_site_swelling", False),
    ("No pus or anything coming out.", "injection_site_drainage", False),
    ("I haven't wet myself.", "urinary_incontinence", False),
    ("No loss of bowel control.", "bowel_incontinence", False),
    ("I've not had a temperature.", "fever", False),
    ("My temperature is normal.", "fever", False),
    ("Nothing wrong with my bladder.", "urinary_retention", False),
    ("No fever - 36.9.", "fever", False),
    ("No trouble swallowing.", "trouble_swallowing", False),
    ("Pt denies chest pain, SOB or fever.", "fever", False),
    ("Not had any fevers.", "fever", False),
    ("no numbness, tingling or weakness in my legs", "leg_weakness", False),
    ("no numbness, tingling or weakness in my legs", "leg_numbness", False),
    ("I'm not confused and I'm thinking clearly.", "confusion", False),
    ("The room isn't spinning.", "vertigo", False),
    ("I'm not seeing double.", "double_vision", False),
    ("My arms feel normal.", "arm_weakness", False),
    ("No back pain at all.", "back_pain", False),
    ("No neck pain.", "neck_pain", False),
    ("I haven't had any hives.", "hives_or_itching", False),
    ("I'm not short of breath.", "difficulty_breathing", False),
    ("My throat is fine, it's not closing up.", "throat_or_face_swelling", False),
    ("I don't feel unsteady.", "unsteady_gait", False),
    ("I haven't fallen or lost my balance.", "unsteady_gait", False),
    ("Without fever or chills.", "chills", False),
    ("free of fever", "fever", False),
    ("No temperature.", "fever", False),
    ("I'm passing urine fine.", "urinary_retention", False),
    ("no problem peeing", "urinary_retention", False),
    ("my waterworks are fine", "urinary_retention", False),
    ("I'm weeing normally.", "urinary_retention", False),
    ("fever: none", "fever", False),
    ("I do not have any weakness in my arms.", "arm_weakness", False),
    ("Numbness in my groin? No.", "saddle_numbness", False),
    ("I didn't pass out.", "fainting", False),
    ("No fits or seizures.", "seizure", False),
    ("I'm not peeing normally.", "urinary_retention", None),
]


@pytest.mark.parametrize(("text", "code", "expected"), NEGATIONS)
def test_negated_finding_is_never_present(read, text: str, code: str, expected) -> None:
    result = read(text)
    got = present_of(result, code)
    assert got is not True, f"{text!r} was read as {code} present"
    assert got == expected


def test_there_are_at_least_thirty_negation_phrasings() -> None:
    assert len({text for text, _, _ in NEGATIONS}) >= 30


def test_negation_does_not_reach_past_a_new_clause(read) -> None:
    """'No fever, my leg is weak': the weakness is still present."""
    result = read("No fever, my leg is weak and I can't pee.")
    assert present_of(result, "fever") is False
    assert present_of(result, "leg_weakness") is True
    assert present_of(result, "urinary_retention") is True


def test_negation_in_a_list_covers_every_item(read) -> None:
    result = read("No fever, chills or rash.")
    assert present_of(result, "fever") is False
    assert present_of(result, "chills") is False
    assert present_of(result, "hives_or_itching") is False


def test_cue_names_the_negating_words(read) -> None:
    finding = read("I don't have a fever.").finding("fever")
    assert finding is not None and finding.cue is not None
    assert finding.cue.category == "negated"
    assert finding.cue.text.lower() == "don't have"


@pytest.mark.parametrize(
    ("text", "negated", "present"),
    [
        ("no fever legs weak", "fever", "leg_weakness"),
        ("No fever or chills, legs are weak.", "chills", "leg_weakness"),
        ("Pt denies fever, legs are weak.", "fever", "leg_weakness"),
        ("no rash - can't pee", "hives_or_itching", "urinary_retention"),
    ],
)
def test_a_list_negation_stops_where_a_new_statement_begins(
    read, text: str, negated: str, present: str
) -> None:
    result = read(text)
    assert present_of(result, negated) is False
    assert present_of(result, present) is True
