"""The education entries load, cite real sources, and answer every question of the seed article."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from esiguard.education import EMERGENCY_ENTRY_ID, EducationEntry, load_education
from esiguard.kb import KnowledgeBase

SEED_ARTICLE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "seed"
    / "leg-weakness-after-epidural-steroid-injection.txt"
)

# Every question (heading) of the seed article -> the entries that answer it, and words the
# answers must contain so that the mapping cannot pass with an off-topic entry.
ARTICLE_QUESTIONS: dict[str, tuple[list[str], list[str]]] = {
    "Leg weakness after epidural steroid injection": (
        ["why_legs_feel_numb_or_weak"],
        ["numbing medicine", "emergency"],
    ),
    "What do doctors mean by epidural space?": (
        ["what_is_the_epidural_space"],
        ["dural sac", "dura", "outside"],
    ),
    "What does epidural mean?": (["what_is_the_epidural_space"], ["outside the dura"]),
    "What does corticosteroid injection or steroids do in the epidural?": (
        ["how_the_steroid_works"],
        ["inflammation", "PLA2"],
    ),
    "In what low back pain do doctors use steroid injections into the epidural?": (
        ["which_pain_it_helps", "which_pain_it_does_not_help"],
        ["sciatica", "non-specific", "stenosis"],
    ),
    "Contraindications to epidural steroid injections": (["who_should_not_have_it"], ["infection"]),
    "Complications of epidural injection of corticosteroids": (
        ["complications_and_how_rare"],
        ["bleeding", "infection"],
    ),
    "Types of corticosteroid drugs": (
        ["which_medicines_are_used", "particulate_and_non_particulate_steroids"],
        ["triamcinolone", "dexamethasone"],
    ),
    "After injection": (
        ["going_home_driving_and_work", "what_is_normal_afterwards"],
        ["drive", "ice"],
    ),
    "Complications and results of ESI": (
        ["complications_and_how_rare", "when_will_it_work_and_how_long"],
        ["3 months"],
    ),
    "Is there weakness in the legs and lower limbs after EPI?": (
        ["why_legs_feel_numb_or_weak", "steroid_myopathy"],
        ["hips and thighs", "8 hours"],
    ),
}

# The lists the article announces but leaves empty (brief §11.2) -> entries and required words.
ARTICLE_EMPTY_LISTS: dict[str, tuple[list[str], list[str]]] = {
    "If the cause of your back pain is one or more of the following:": (
        ["which_pain_it_helps", "which_pain_it_does_not_help"],
        [
            "sciatica",
            "slipped (herniated) disc",
            "neck",
            "surgery",
            "shingles",
            "non-specific",
            "spinal stenosis",
        ],
    ),
    "Contraindications to epidural steroid injections": (
        ["who_should_not_have_it"],
        [
            "do not want it",
            "infection",
            "bleeding disorder",
            "blood thinner",
            "allergic",
            "squeezed",
            "tumor",
            "pregnant",
            "diabetes",
            "heart failure",
            "kidney",
            "blood pressure",
            "immune",
            "ritonavir",
            "central serous chorioretinopathy",
            "glaucoma",
            "dye",
        ],
    ),
    "This medicine can be one of the following:": (
        ["which_medicines_are_used"],
        [
            "triamcinolone",
            "methylprednisolone",
            "betamethasone",
            "dexamethasone",
            "non-particulate",
            "prednisolone",
            "hydrocortisone",
            "lidocaine",
            "bupivacaine",
            "ropivacaine",
            "saline",
            "contrast",
        ],
    ),
    "Generally:": (
        [
            "when_will_it_work_and_how_long",
            "what_is_an_epidural_steroid_injection",
            "blood_thinners",
            "blood_sugar_and_diabetes",
            "how_many_injections_a_year",
            "why_legs_feel_numb_or_weak",
            "particulate_and_non_particulate_steroids",
        ],
        [
            "3 months",
            "X-ray",
            "guideline",
            "126 mg/dL",
            "3 shots a year",
            "emergency",
            "should not be used",
        ],
    ),
}

# What patients ask next (issue 4), beyond the article.
NEXT_QUESTIONS: dict[str, str] = {
    "how soon it works and how long relief lasts": "when_will_it_work_and_how_long",
    "how many injections a year": "how_many_injections_a_year",
    "driving home and going back to work": "going_home_driving_and_work",
    "blood sugar with diabetes": "blood_sugar_and_diabetes",
    "blood thinners": "blood_thinners",
    "side effects of the steroid": "steroid_side_effects",
    "what is normal afterwards": "what_is_normal_afterwards",
    "what happens at the procedure": "what_happens_at_the_procedure",
    "weakness from the numbing medicine": "weakness_from_numbing_medicine",
    "weakness from bleeding": "weakness_from_bleeding",
    "weakness from infection": "weakness_from_infection",
    "weakness from the spinal cord blood supply": "weakness_from_spinal_cord_blood_supply",
    "weakness from a nerve root or disc": "weakness_from_nerve_root_or_disc",
    "cauda equina syndrome": "cauda_equina_syndrome",
    "steroid myopathy": "steroid_myopathy",
    "headache after the injection": "headache_after_injection",
    "when to call emergency services": "when_to_call_emergency",
    "when to call the clinic the same day": "when_to_call_the_clinic",
    "the article's errors, for clinicians": "seed_article_corrections",
}

# Words that show an entry talks about a warning sign (and so must link the emergency entry).
WARNING_SIGN_WORDS = re.compile(
    r"call emergency services|emergency|saddle|between (your|the) legs|cannot pee|"
    r"bladder or bowel|stiff neck",
    re.IGNORECASE,
)


def text_of(entry: EducationEntry) -> str:
    return f"{entry.title}\n{entry.question}\n{entry.short_answer}\n{entry.answer}"


@pytest.fixture(scope="module")
def entries(kb: KnowledgeBase) -> dict[str, EducationEntry]:
    return load_education(kb)


def test_at_least_24_entries_load_and_validate(entries: dict[str, EducationEntry]) -> None:
    """The education section loads through the shared loader with at least 24 entries."""
    assert len(entries) >= 24
    assert all(isinstance(e, EducationEntry) for e in entries.values())


def test_emergency_entry_is_listed_first(entries: dict[str, EducationEntry]) -> None:
    """Emergency advice comes first in the catalogue."""
    assert next(iter(entries)) == EMERGENCY_ENTRY_ID


@pytest.mark.parametrize("heading", sorted(ARTICLE_QUESTIONS))
def test_every_article_question_is_answered(
    entries: dict[str, EducationEntry], heading: str
) -> None:
    """Each question of the seed article has entries whose text carries the key facts."""
    ids, words = ARTICLE_QUESTIONS[heading]
    if SEED_ARTICLE.exists():
        assert heading in SEED_ARTICLE.read_text(encoding="utf-8")
    text = "\n".join(text_of(entries[i]) for i in ids)
    missing = [w for w in words if w.lower() not in text.lower()]
    assert not missing, f"{heading!r}: {ids} do not mention {missing}"


@pytest.mark.parametrize("heading", sorted(ARTICLE_EMPTY_LISTS))
def test_every_empty_list_of_the_article_is_filled(
    entries: dict[str, EducationEntry], heading: str
) -> None:
    """Each list the article announces but leaves empty is given in full (brief §11.2)."""
    ids, words = ARTICLE_EMPTY_LISTS[heading]
    if SEED_ARTICLE.exists():
        assert heading in SEED_ARTICLE.read_text(encoding="utf-8")
    text = "\n".join(text_of(entries[i]) for i in ids)
    missing = [w for w in words if w.lower() not in text.lower()]
    assert not missing, f"{heading!r}: {ids} do not mention {missing}"


@pytest.mark.parametrize("topic", sorted(NEXT_QUESTIONS))
def test_what_patients_ask_next_has_an_entry(
    entries: dict[str, EducationEntry], topic: str
) -> None:
    """The questions patients ask after the article's each have their own entry."""
    assert NEXT_QUESTIONS[topic] in entries


def test_every_entry_cites_a_known_source_with_a_checked_date(
    kb: KnowledgeBase, entries: dict[str, EducationEntry]
) -> None:
    """Each entry cites at least one bibliography source and was checked on or before today."""
    for entry in entries.values():
        assert entry.sources, entry.id
        for ref in entry.sources:
            assert ref.ref in kb.sources, (entry.id, ref.ref)
        assert entry.checked_on <= entry.reviewed_on, entry.id


def test_patient_entries_cite_literature_not_only_the_article(
    entries: dict[str, EducationEntry],
) -> None:
    """The seed article is never the only source of a fact."""
    for entry in entries.values():
        refs = {ref.ref for ref in entry.sources}
        assert refs - {"SEED-ARTICLE", "ESIGUARD-SAFETY", "ESIGUARD-SPEC"}, entry.id


def test_entries_that_mention_warning_signs_link_the_emergency_entry(
    entries: dict[str, EducationEntry],
) -> None:
    """Every entry flagged mentions_warning_signs links when_to_call_emergency."""
    for entry in entries.values():
        if entry.mentions_warning_signs and entry.id != EMERGENCY_ENTRY_ID:
            assert EMERGENCY_ENTRY_ID in entry.links, entry.id


def test_entries_whose_text_names_a_warning_sign_are_flagged(
    entries: dict[str, EducationEntry],
) -> None:
    """An entry whose text talks about emergencies or red-flag signs is flagged, so it links."""
    for entry in entries.values():
        if WARNING_SIGN_WORDS.search(text_of(entry)):
            assert entry.mentions_warning_signs, entry.id


@pytest.mark.parametrize("field", ["short_answer"])
def test_short_answers_are_two_or_three_sentences(
    entries: dict[str, EducationEntry], field: str
) -> None:
    """A short answer is two or three sentences."""
    for entry in entries.values():
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", getattr(entry, field).strip()) if s]
        assert 2 <= len(sentences) <= 3, (entry.id, len(sentences))


def test_corrections_entry_lists_all_28_errors_with_sources(
    kb: KnowledgeBase, entries: dict[str, EducationEntry]
) -> None:
    """The clinician entry carries rows 1-28 of brief §11.1, each with a known source."""
    entry = entries["seed_article_corrections"]
    assert entry.audience == "clinician"
    assert [c.row for c in entry.corrections] == list(range(1, 29))
    for correction in entry.corrections:
        assert correction.sources
        assert all(ref.ref in kb.sources for ref in correction.sources), correction.row


@pytest.mark.parametrize(
    ("row", "wrong", "right"),
    [
        (1, "prednisolone", "triamcinolone"),
        (2, "peritoneal", "epidural space"),
        (3, "intra epidermal", "epidural"),
        (11, "closed spinal surgery", "not surgery"),
        (12, "several years", "3 months"),
        (18, "upper limbs", "pelvic girdle"),
    ],
)
def test_corrections_quote_the_error_and_give_the_correct_fact(
    entries: dict[str, EducationEntry], row: int, wrong: str, right: str
) -> None:
    """The named errors of the article are quoted beside the right fact."""
    correction = next(c for c in entries["seed_article_corrections"].corrections if c.row == row)
    assert wrong in correction.article_says
    assert right in correction.correct_fact


@pytest.mark.parametrize(
    "false_claim",
    [
        r"usually prednisolone",
        r"peritoneal or epidural membranes",
        r"muscles of the upper limbs are weakened",
        r"last for several years\.",
        r"is (sometimes )?called (as )?closed spinal surgery",
        r"slight increase in blood sugar",
    ],
)
def test_patient_entries_never_repeat_the_article_errors_as_fact(
    entries: dict[str, EducationEntry], false_claim: str
) -> None:
    """Patient text may quote an error (in quotation marks) to correct it, never state it."""
    pattern = re.compile(false_claim, re.IGNORECASE)
    for entry in entries.values():
        if entry.audience == "patient":
            unquoted = re.sub(r'"[^"]*"', "", text_of(entry))
            assert not pattern.search(unquoted), (entry.id, false_claim)


def test_steroid_myopathy_entry_says_hips_and_thighs_first(
    entries: dict[str, EducationEntry],
) -> None:
    """Steroid myopathy is described as proximal, hips and thighs first, sensation spared."""
    text = text_of(entries["steroid_myopathy"]).lower()
    assert "hips and thighs first" in text
    assert "normal feeling" in text


def test_no_dose_advice_in_patient_entries(entries: dict[str, EducationEntry]) -> None:
    """Patient entries give no steroid or anaesthetic doses (mg, mL): doses are the doctor's."""
    dose = re.compile(r"\b\d+(\.\d+)?\s?(mg|ml|mcg)\b(?!/)", re.IGNORECASE)
    for entry in entries.values():
        if entry.audience == "patient":
            assert not dose.search(text_of(entry)), entry.id


def test_ranking_memo_changes_nothing_and_can_be_cleared():
    """Remembered cause scores give the same ranking as a fresh computation."""
    from esiguard.education import clear_memos, entries_for

    causes, findings = ["epidural_hematoma", "epidural_abscess"], ["leg_weakness", "fever"]
    clear_memos()
    fresh = entries_for(causes, findings)
    assert entries_for(causes, findings) == fresh
    clear_memos()
    assert entries_for(causes, ["leg_weakness"]) == entries_for(causes, ["leg_weakness"])
    assert entries_for(causes, findings) == fresh


def _rank_by_the_definition(index, causes, findings, limit):
    """The ranking exactly as the relevance module's docstring defines it, the slow way."""
    from esiguard.education.relevance import CAUSE_WEIGHT, FINDING_WEIGHT

    causes, findings = list(dict.fromkeys(causes)), list(dict.fromkeys(findings))
    scores: dict[str, float] = {}
    for rank, code in enumerate(causes):
        for entry_id, share in index.by_cause.get(code, ()):
            scores[entry_id] = scores.get(entry_id, 0.0) + CAUSE_WEIGHT * share / (1 + rank)
    for code in findings:
        for entry_id in index.by_finding.get(code, ()):
            scores[entry_id] = scores.get(entry_id, 0.0) + FINDING_WEIGHT / len(findings)
    ranked = sorted(scores, key=lambda e: (-scores[e], index.order[e]))
    if EMERGENCY_ENTRY_ID in index.order and set(causes) & index.emergency_causes:
        ranked = [EMERGENCY_ENTRY_ID, *(e for e in ranked if e != EMERGENCY_ENTRY_ID)]
    return ranked[: max(limit, 0)]


def test_ranking_equals_its_definition_for_any_causes_findings_and_limit(kb: KnowledgeBase):
    """The fast ranking (remembered cause orders, findings merged in) gives what the plain
    definition gives, for random causes, findings and list lengths."""
    import random

    from esiguard.education import ranking

    index = ranking(kb).__self__
    cause_codes, finding_codes = sorted(kb.causes), sorted(kb.vocabulary.findings)
    rng = random.Random(5)
    for _ in range(3000):
        causes = rng.sample(cause_codes, rng.randint(0, 4))
        findings = rng.sample(finding_codes, rng.randint(0, 8))
        limit = rng.choice([0, 1, 2, 3, 5, 8, 40])
        expected = _rank_by_the_definition(index, causes, findings, limit)
        assert index.rank(causes + causes[:1], findings * 2, limit) == expected  # repeats
        assert index.rank_unique(tuple(causes), tuple(findings), limit) == expected
