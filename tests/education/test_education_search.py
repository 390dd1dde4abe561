"""Search, lookup and the triage hook (entries_for) over the education entries."""

from __future__ import annotations

import pytest

from esiguard.education import (
    EMERGENCY_ENTRY_ID,
    entries_for,
    get_entry,
    load_education,
    search,
    suggest,
)
from esiguard.kb import KnowledgeBase


def top_ids(words: str, kb: KnowledgeBase, n: int = 3) -> list[str]:
    return [entry.id for entry, _ in search(words, kb, limit=n)]


@pytest.mark.parametrize(
    ("words", "expected_first"),
    [
        ("blood thinner", "blood_thinners"),
        ("blood thinners", "blood_thinners"),
        ("diabetis", "blood_sugar_and_diabetes"),
        ("diabetes blood sugar", "blood_sugar_and_diabetes"),
        ("leg weakness", "why_legs_feel_numb_or_weak"),
        ("Eliquis", "blood_thinners"),
        ("can I drive home", "going_home_driving_and_work"),
        ("how long does the relief last", "when_will_it_work_and_how_long"),
        ("headache", "headache_after_injection"),
        ("cauda equina", "cauda_equina_syndrome"),
        ("steroid myopathy", "steroid_myopathy"),
        ("prednisolone", "which_medicines_are_used"),
        ("contraindications", "who_should_not_have_it"),
        ("epidural space", "what_is_the_epidural_space"),
        ("what should I watch for emergency", "when_to_call_emergency"),
    ],
)
def test_search_ranks_the_matching_entry_first(
    kb: KnowledgeBase, words: str, expected_first: str
) -> None:
    """Plain words, brand names and misspellings find the entry a patient wants, first."""
    assert top_ids(words, kb, 1) == [expected_first]


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("blod thiners", "blood_thinners"),
        ("diabetis", "blood_sugar_and_diabetes"),
        ("hedache", "headache_after_injection"),
        ("mylopathy", "steroid_myopathy"),
        ("warfrin", "blood_thinners"),
    ],
)
def test_search_tolerates_typos(kb: KnowledgeBase, typo: str, expected: str) -> None:
    """A misspelt word still finds the entry within the first three results."""
    assert expected in top_ids(typo, kb, 3)


def test_leg_weakness_finds_the_weakness_entries(kb: KnowledgeBase) -> None:
    """'leg weakness' returns the overview and the specific kinds of weakness near the top."""
    ids = top_ids("leg weakness", kb, 8)
    assert ids[0] == "why_legs_feel_numb_or_weak"
    assert sum(i.startswith("weakness_from_") for i in ids) >= 3


def test_search_results_are_ranked_and_limited(kb: KnowledgeBase) -> None:
    """Scores never increase down the list, and limit is respected."""
    hits = search("weakness numbness legs", kb, limit=4)
    assert len(hits) == 4
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)


@pytest.mark.parametrize("words", ["", "   ", "the and of", "qqqqzzzz"])
def test_search_without_a_match_returns_nothing(kb: KnowledgeBase, words: str) -> None:
    """Empty, stop-word-only or nonsense queries return an empty list."""
    assert search(words, kb) == []


def test_get_entry_forgives_case_hyphens_and_spaces(kb: KnowledgeBase) -> None:
    """'Blood-Thinners' and 'blood thinners' are the id blood_thinners."""
    assert get_entry("Blood-Thinners", kb).id == "blood_thinners"
    assert get_entry("blood thinners", kb).id == "blood_thinners"


def test_get_entry_unknown_raises_key_error_with_suggestions(kb: KnowledgeBase) -> None:
    """An unknown id raises KeyError naming the closest ids."""
    with pytest.raises(KeyError, match="blood_thinners"):
        get_entry("blod_thiners", kb)
    assert suggest("blod thiners", kb)[0] == "blood_thinners"


def test_load_education_returns_a_copy(kb: KnowledgeBase) -> None:
    """Changing the returned dict does not change the cached catalogue."""
    first = load_education(kb)
    first.clear()
    assert load_education(kb)


# --- entries_for: what TriageResult.education holds --------------------------------------


@pytest.mark.parametrize(
    ("causes", "findings", "expected"),
    [
        (["epidural_hematoma"], ["leg_weakness", "back_pain"], "weakness_from_bleeding"),
        (["epidural_abscess"], ["fever", "back_pain"], "weakness_from_infection"),
        (["spinal_cord_infarction"], ["leg_weakness"], "weakness_from_spinal_cord_blood_supply"),
        (["cauda_equina_syndrome"], ["saddle_numbness"], "cauda_equina_syndrome"),
        (["local_anesthetic_block"], ["leg_numbness"], "weakness_from_numbing_medicine"),
        (["steroid_myopathy"], ["difficulty_rising"], "steroid_myopathy"),
        (["disc_herniation_progression"], ["leg_pain"], "weakness_from_nerve_root_or_disc"),
        (["post_dural_puncture_headache"], ["headache"], "headache_after_injection"),
        (["steroid_hyperglycemia"], ["blood_glucose"], "blood_sugar_and_diabetes"),
        (["steroid_side_effects"], ["facial_flushing"], "steroid_side_effects"),
        (["post_injection_flare"], ["back_pain"], "pain_flare_after_injection"),
        (["vasovagal_reaction"], ["fainting"], "feeling_faint"),
        (["anaphylaxis"], ["throat_or_face_swelling"], "allergic_reactions"),
        (["central_serous_chorioretinopathy"], ["blurred_vision"], "eye_and_vision_changes"),
    ],
)
def test_entries_for_puts_the_entry_about_the_cause_first(
    kb: KnowledgeBase, causes: list[str], findings: list[str], expected: str
) -> None:
    """The entry about the top cause comes first (after the emergency advice, if it applies)."""
    ids = entries_for(causes, findings, kb)
    first_topic = ids[1] if ids[0] == EMERGENCY_ENTRY_ID else ids[0]
    assert first_topic == expected


@pytest.mark.parametrize(
    "cause",
    [
        "epidural_hematoma",
        "epidural_abscess",
        "meningitis",
        "spinal_cord_infarction",
        "cauda_equina_syndrome",
        "anaphylaxis",
        "posterior_circulation_stroke",
    ],
)
def test_entries_for_puts_emergency_advice_first_for_dangerous_causes(
    kb: KnowledgeBase, cause: str
) -> None:
    """Emergency advice first: a dangerous cause puts when_to_call_emergency at the top."""
    assert entries_for([cause], [], kb)[0] == EMERGENCY_ENTRY_ID


def test_entries_for_does_not_lead_with_emergency_for_expected_effects(kb: KnowledgeBase) -> None:
    """Expected effects (a flare, flushing) lead with their own entry, not the emergency one."""
    assert entries_for(["post_injection_flare"], ["back_pain"], kb)[0] != EMERGENCY_ENTRY_ID
    assert entries_for(["steroid_side_effects"], ["facial_flushing"], kb)[0] != EMERGENCY_ENTRY_ID


def test_entries_for_gives_at_most_five_patient_entries(kb: KnowledgeBase) -> None:
    """At most five ids, no repeats, never the clinician entry."""
    every_cause = list(kb.vocabulary.causes)
    every_finding = list(kb.vocabulary.findings)
    ids = entries_for(every_cause, every_finding, kb)
    assert 1 <= len(ids) <= 5
    assert len(set(ids)) == len(ids)
    entries = load_education(kb)
    assert all(entries[i].audience == "patient" for i in ids)


def test_entries_for_ranks_by_cause_order(kb: KnowledgeBase) -> None:
    """The top-ranked cause's entry comes before the second cause's entry."""
    first = entries_for(["epidural_abscess", "epidural_hematoma"], [], kb)
    second = entries_for(["epidural_hematoma", "epidural_abscess"], [], kb)
    assert first.index("weakness_from_infection") < first.index("weakness_from_bleeding")
    assert second.index("weakness_from_bleeding") < second.index("weakness_from_infection")


def test_entries_for_ignores_unknown_codes_and_empty_input(kb: KnowledgeBase) -> None:
    """Unknown codes add nothing; no codes give no entries."""
    assert entries_for([], [], kb) == []
    assert entries_for(["not_a_cause"], ["not_a_finding"], kb) == []
