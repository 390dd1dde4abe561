"""Every lexicon entry does what it says: each phrase, in a sentence, gives its code.

The cases are generated from the YAML files in kb/data/intake, so a new phrase is tested as
soon as it is added.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from tests.intake.conftest import present_of

from esiguard.errors import KnowledgeBaseError
from esiguard.intake.lexicon import LEVEL_PAIN, entry_regex, load_lexicon, phrase_regex
from esiguard.intake.pipeline import get_pipeline
from esiguard.kb import load_kb

LEXICON = get_pipeline(load_kb()).lexicon

# One body phrase per group, and one symptom sentence per group, used to test the others.
BODY_FOR_GROUP = {
    "leg": "leg",
    "arm": "arm",
    "saddle": "groin",
    "back": "lower back",
    "neck": "neck",
    "head": "head",
    "chest": "chest",
    "face": "lips",
    "light": "light",
    "bladder": "bladder",
    "bowel": "bowels",
    "site": "injection site",
}
SYMPTOM_FOR_GROUP = {  # (words after the body phrase, code, present)
    "leg": ("is numb", "leg_numbness", True),
    "arm": ("is numb", "arm_numbness", True),
    "saddle": ("is numb", "saddle_numbness", True),
    "back": ("hurts", "back_pain", True),
    "neck": ("hurts", "neck_pain", True),
    "head": ("hurts", "headache", True),
    "chest": ("hurts", "chest_pain", True),
    "face": ("are swollen", "throat_or_face_swelling", True),
    "light": ("bothers me", "photophobia", True),
    "bladder": ("is fine", "urinary_retention", False),
    "bowel": ("are fine", "bowel_incontinence", False),
    "site": ("is swollen", "injection_site_swelling", True),
}


def _code(code: str) -> str:
    return LEXICON.settings.level_pain["default"] if code == LEVEL_PAIN else code


def _finding_cases():
    for entry in LEXICON.findings:
        if not entry.codes:
            continue
        texts = [f"This morning {p}." for p in entry.phrases]
        texts += [ex for r in entry.regex for ex in r.examples]
        for text in texts:
            for code in entry.codes:
                yield pytest.param(text, code, entry.present, id=f"{entry.id}:{text}:{code}")


def _symptom_cases():
    for entry in LEXICON.symptoms:
        for group, codes in entry.codes.items():
            body = BODY_FOR_GROUP[group]
            for phrase in entry.phrases:
                for code in codes:
                    yield pytest.param(
                        f"My {body} {phrase}.",
                        _code(code),
                        entry.present,
                        id=f"{entry.id}:{group}:{phrase}:{code}",
                    )
        if entry.default_group is not None:
            for phrase in entry.phrases:
                for code in entry.codes[entry.default_group]:
                    yield pytest.param(
                        f"There is {phrase}.", _code(code), entry.present, id=f"{entry.id}:{phrase}"
                    )


def _body_cases():
    for entry in LEXICON.body_parts:
        words, code, present = SYMPTOM_FOR_GROUP[entry.group]
        texts = [f"My {p} {words}." for p in entry.phrases]
        texts += [
            re.sub(r"\b(?:is sore|hurts|is red|is a bit sore)\b.*", words, ex)
            for r in entry.regex
            for ex in r.examples
        ]
        for text in texts:
            yield pytest.param(text, code, present, id=f"{entry.id}:{text}")


@pytest.mark.parametrize(("text", "code", "present"), list(_finding_cases()))
def test_finding_phrase_gives_its_code(read, text: str, code: str, present) -> None:
    assert present_of(read(text), code) == present


@pytest.mark.parametrize(("text", "code", "present"), list(_symptom_cases()))
def test_symptom_word_with_a_body_region_gives_its_code(
    read, text: str, code: str, present
) -> None:
    assert present_of(read(text), code) == present


@pytest.mark.parametrize(("text", "code", "present"), list(_body_cases()))
def test_body_region_phrase_directs_a_symptom_to_its_code(
    read, text: str, code: str, present
) -> None:
    assert present_of(read(text), code) == present


def test_plural_limb_words_mean_both_sides(read) -> None:
    for entry in LEXICON.body_parts:
        if entry.side != "both" or entry.group not in ("leg", "arm"):
            continue
        for phrase in entry.phrases:
            finding = read(f"My {phrase} are numb.").finding(f"{entry.group}_numbness")
            assert finding is not None and finding.side == "both", phrase


# --- ConText cues ---------------------------------------------------------------------
def _cue_cases():
    expected = {"negated": False, "uncertain": None}
    for cue in LEXICON.context:
        if cue.category not in expected:
            continue
        for phrase in cue.phrases:
            text = f"fever {phrase}." if cue.direction == "backward" else f"{phrase} fever."
            yield pytest.param(text, expected[cue.category], id=f"{cue.id}:{phrase}")
        for r in cue.regex:
            for example in r.examples:
                yield pytest.param(example, expected[cue.category], id=f"{cue.id}:{example}")


@pytest.mark.parametrize(("text", "expected"), list(_cue_cases()))
def test_negation_and_uncertainty_cues_change_what_is_asserted(read, text: str, expected) -> None:
    result = read(text)
    counted = [m for m in result.mentions if m.counted]
    assert counted, f"nothing read in {text!r}"
    assert all(m.present is expected for m in counted), [(m.code, m.present) for m in counted]


def _not_counted_cases():
    for cue in LEXICON.context:
        if cue.category not in ("hypothetical", "other_person"):
            continue
        for phrase in cue.phrases:
            yield pytest.param(f"{phrase} fever.", id=f"{cue.id}:{phrase}")
        for r in cue.regex:
            for example in r.examples:
                yield pytest.param(example, id=f"{cue.id}:{example}")


@pytest.mark.parametrize("text", list(_not_counted_cases()))
def test_hypothetical_and_other_person_mentions_are_not_counted(read, text: str) -> None:
    result = read(text)
    assert result.mentions, f"nothing read in {text!r}"
    assert not any(m.counted for m in result.mentions)
    assert result.findings == []


def _historical_cases():
    for cue in LEXICON.context:
        if cue.category != "historical":
            continue
        for phrase in cue.phrases:
            text = f"numb leg {phrase}." if cue.direction == "backward" else f"{phrase} numb leg."
            yield pytest.param(text, id=f"{cue.id}:{phrase}")
        for r in cue.regex:
            for example in r.examples:
                yield pytest.param(example, id=f"{cue.id}:{example}")


@pytest.mark.parametrize("text", list(_historical_cases()))
def test_historical_cues_mark_a_finding_as_there_before_the_injection(read, text: str) -> None:
    result = read(text)
    present = [f for f in result.findings if f.present is True]
    assert present, f"nothing present in {text!r}"
    assert all(f.historical and f.onset_hours is not None and f.onset_hours < 0 for f in present)


@pytest.mark.parametrize(
    "cue_id", [c.id for c in LEXICON.context if c.category in ("reporter", "terminate")]
)
def test_reporter_and_terminator_examples_leave_the_patients_findings_present(
    read, cue_id: str
) -> None:
    cue = next(c for c in LEXICON.context if c.id == cue_id)
    for example in [ex for r in cue.regex for ex in r.examples]:
        result = read(example)
        assert any(f.present is True for f in result.findings), example


# --- attribute cues -------------------------------------------------------------------
def _attribute_cases():
    for cue in LEXICON.attributes:
        if cue.attribute in ("side", "trend", "severity") and cue.value is not None:
            template = {
                "side": "My {p} leg is numb.",
                "trend": "My leg is numb and {p}.",
                "severity": "My leg is {p} numb.",
            }[cue.attribute]
            for phrase in cue.phrases:
                yield pytest.param(
                    template.format(p=phrase), "leg_numbness", cue.attribute, cue.value,
                    id=f"{cue.id}:{phrase}",
                )  # fmt: skip
        if cue.attribute == "positional":
            for phrase in cue.phrases:
                yield pytest.param(
                    f"I have a headache {phrase}.", "headache", "positional", cue.value,
                    id=f"{cue.id}:{phrase}",
                )  # fmt: skip


@pytest.mark.parametrize(("text", "code", "attribute", "value"), list(_attribute_cases()))
def test_attribute_cue_sets_its_value(read, text: str, code: str, attribute: str, value) -> None:
    finding = read(text).finding(code)
    assert finding is not None and finding.present is True, text
    assert getattr(finding, attribute) == value


@pytest.mark.parametrize(
    ("text", "attribute", "value"),
    [
        (
            "About three hours after the neck injection I got a sudden neck pain.",
            "onset_hours",
            3.0,
        ),
        ("Since the injection my leg is numb.", "onset_hours", 0.0),
        ("During the injection my leg went numb.", "onset_hours", 0.0),
        ("My leg pain is 7/10.", "nrs", 7.0),
        ("The pain in my back is about 3 out of 10.", "nrs", 3.0),
    ],
)
def test_onset_and_score_cues(read, text: str, attribute: str, value: float) -> None:
    present = [f for f in read(text).findings if f.present is True]
    assert any(getattr(f, attribute) == value for f in present), text


@pytest.mark.parametrize(
    "phrase",
    [p for c in LEXICON.attributes if c.id in ("trend_ignore",) for p in c.phrases]
    + [
        ex
        for c in LEXICON.attributes
        if c.id == "trend_ignore"
        for r in c.regex
        for ex in r.examples
    ],
)
def test_ignore_cues_set_no_trend(read, phrase: str) -> None:
    finding = read(f"My leg is numb; {phrase}.").finding("leg_numbness")
    assert finding is not None and finding.trend is None


@pytest.mark.parametrize(
    "phrase", [p for c in LEXICON.attributes if c.id == "side_ignore" for p in c.phrases]
)
def test_side_ignore_cues_set_no_side(read, phrase: str) -> None:
    finding = read(f"My leg is numb {phrase}.").finding("leg_numbness")
    assert finding is not None and finding.side is None


# --- measurements ---------------------------------------------------------------------
_MEASURE_SENTENCE = {
    "temperature": ("My {p} was 38.6.", "fever", {"value": 38.6, "unit": "C", "present": True}),
    "glucose": ("My {p} was 250.", "blood_glucose", {"value": 250.0, "unit": "mg/dL"}),
    "blood_pressure": (
        "My {p} was 180/100.",
        "blood_pressure",
        {"systolic": 180.0, "diastolic": 100.0},
    ),
}


def _measurement_cases():
    for m in LEXICON.measurements:
        template, code, expected = _MEASURE_SENTENCE[m.kind]
        for phrase in m.phrases:
            yield pytest.param(template.format(p=phrase), code, expected, id=f"{m.id}:{phrase}")
        for r in m.regex:
            for example in r.examples:
                yield pytest.param(example, code, {"present": True}, id=f"{m.id}:{example}")


@pytest.mark.parametrize(("text", "code", "expected"), list(_measurement_cases()))
def test_measurement_keyword_reads_the_value(read, text: str, code: str, expected: dict) -> None:
    finding = read(text).finding(code)
    assert finding is not None, text
    for name, value in expected.items():
        assert getattr(finding, name) == value, name


# --- the lexicon's own checks -----------------------------------------------------------
def test_every_regex_example_matches_its_pattern() -> None:
    entries = [
        *LEXICON.findings, *LEXICON.body_parts, *LEXICON.symptoms, *LEXICON.context,
        *LEXICON.attributes, *LEXICON.measurements,
    ]  # fmt: skip
    for entry in entries:
        for r in entry.regex:
            for example in r.examples:
                assert re.search(r.pattern, example, re.IGNORECASE), (entry.id, example)


def test_phrase_regex_makes_apostrophes_optional_and_respects_word_boundaries() -> None:
    pattern = re.compile(phrase_regex("can't pee"), re.IGNORECASE)
    assert pattern.search("I cant pee")
    assert pattern.search("I CAN'T PEE")
    assert not pattern.search("I can't peek")
    assert re.search(
        entry_regex(LEXICON.findings[0]),
        LEXICON.findings[0].phrases[0]
        if LEXICON.findings[0].phrases
        else LEXICON.findings[0].regex[0].examples[0],
        re.IGNORECASE,
    )


def test_every_intake_file_has_a_description(kb) -> None:
    for path in sorted((Path(kb.data_root) / "intake").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert raw.get("description"), path.name


def _copy_data(kb, tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "data"
    shutil.copytree(kb.data_root, root)
    return root


class _KbAt:
    """The packaged knowledge base, but reading intake files from another folder."""

    def __init__(self, kb, root: Path) -> None:
        self._kb = kb
        self.data_root = root

    def __getattr__(self, name: str):
        return getattr(self._kb, name)


def test_an_unknown_finding_code_in_the_lexicon_is_refused(kb, tmp_path: Path) -> None:
    root = _copy_data(kb, tmp_path)
    path = root / "intake" / "findings.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "codes: [urinary_retention]\n", "codes: [bladder_explodes]\n", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError, match="bladder_explodes"):
        load_lexicon(_KbAt(kb, root))


def test_an_unknown_key_in_the_lexicon_is_refused(kb, tmp_path: Path) -> None:
    root = _copy_data(kb, tmp_path)
    path = root / "intake" / "symptoms.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "  - id: numb\n", "  - id: numb\n    colour: blue\n", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError, match="colour"):
        load_lexicon(_KbAt(kb, root))


def test_the_fever_threshold_must_cite_a_known_source(kb, tmp_path: Path) -> None:
    root = _copy_data(kb, tmp_path)
    path = root / "intake" / "thresholds.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("ref: R94", "ref: R9999"), encoding="utf-8"
    )
    with pytest.raises(KnowledgeBaseError, match="R9999"):
        load_lexicon(_KbAt(kb, root))
