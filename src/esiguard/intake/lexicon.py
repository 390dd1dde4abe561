"""The intake lexicon: lay phrasing -> finding codes, ConText cues, attribute cues, measurements.

The words live in YAML under `kb/data/intake/` (data, not code). This module defines the
shapes of those files, loads them through the shared loader (unknown keys, duplicate ids and
unknown finding codes are refused) and compiles each entry's phrases into one regular
expression that the medspaCy pipeline uses.

Phrases are written in plain lower-case words; when compiled, an apostrophe becomes optional
("can't" also matches "cant"), spaces also match hyphens and runs of whitespace, and the
phrase must stand on word boundaries. Entries that need more than that give `regex`
patterns, each with example sentences that the tests check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from esiguard.errors import KnowledgeBaseError
from esiguard.kb.loader import load_entries
from esiguard.kb.schema import Cited, Strict

if TYPE_CHECKING:
    from esiguard.kb import KnowledgeBase

Side = Literal["left", "right", "both"]
Severity = Literal["mild", "moderate", "severe"]
Trend = Literal["improving", "stable", "worsening", "resolved"]
Pattern = Literal["proximal", "distal", "whole_limb", "dermatomal"]

# A pseudo-code a symptom may map to: the pain "at the injection level", which is neck pain
# after a cervical injection and back pain otherwise (see settings.yaml, level_pain).
LEVEL_PAIN = "@level_pain"

_ID = r"^[a-z0-9_.]+$"


class RegexPattern(Strict):
    """A raw regular expression (matched case-insensitively) with sentences it must match."""

    pattern: str = Field(min_length=1)
    examples: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _compiles(self) -> RegexPattern:
        try:
            re.compile(self.pattern, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"pattern does not compile: {exc}") from exc
        return self


class Matchable(Strict):
    id: str = Field(pattern=_ID)
    phrases: list[str] = Field(default_factory=list)
    regex: list[RegexPattern] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _has_something_to_match(self) -> Matchable:
        if not self.phrases and not self.regex:
            raise ValueError("needs at least one phrase or regex")
        return self


class FindingPhrase(Matchable):
    """A phrase that names one or more findings by itself ("can't pee", "bladder's fine").

    `present` is what the phrase says when nothing negates it: true ("can't pee"), false
    (a normal statement such as "peeing normally") or null (says there is a problem but not
    which: "bladder problems"). An entry with no codes is a stop phrase: it only keeps the
    words inside it from being read as something else ("is that normal?", "than usual").
    """

    codes: list[str] = Field(default_factory=list)
    present: bool | None = True
    side: Side | None = None
    severity: Severity | None = None
    positional: bool | None = None
    pattern: Pattern | None = None
    trend: Trend | None = None


class BodyPart(Matchable):
    """A body region word; a symptom word near it decides the finding (numb + legs)."""

    group: str = Field(pattern=_ID)
    side: Side | None = None


class Symptom(Matchable):
    """A symptom word whose finding depends on the body region it is said of.

    `codes` maps a body group to the findings it means there; `default_group` is assumed when
    no body region is named (pus is at the injection site unless said otherwise).
    """

    codes: dict[str, list[str]] = Field(min_length=1)
    default_group: str | None = None
    present: bool | None = True
    severity: Severity | None = None
    pattern: Pattern | None = None


ContextCategory = Literal[
    "negated",
    "uncertain",
    "hypothetical",
    "historical",
    "other_person",
    "reporter",
    "first_person",
    "terminate",
    "pseudo",
]


class ContextCue(Matchable):
    """A ConText modifier: words that change what a nearby finding mention asserts."""

    category: ContextCategory
    direction: Literal["forward", "backward", "bidirectional"] = "forward"
    max_scope: int | None = Field(default=None, ge=1, le=50)
    # For `terminate` cues: whether the words also end a clause when intake looks for the body
    # part or the side a symptom word belongs to ("but", "and I" do; "and the" does not).
    clause_break: bool = True
    # For negation cues that negate a list of things ("no fever, chills or rash"): the scope
    # stops at a verb or at a finding not joined by a comma/and/or ("no fever legs weak").
    list_only: bool = False


AttributeName = Literal[
    "side", "trend", "severity", "positional", "onset_anchor", "nrs", "duration", "ignore"
]


class AttributeCue(Matchable):
    """Words that describe a finding: side, trend, severity, position, onset.

    `value` is the attribute's value; for `nrs` and `duration` the number comes from the text
    (named groups `num` and, for duration, `unit`). `applies_to` limits the cue to some codes.
    An `ignore` cue only shields the words inside it ("it would wear off" is not a trend).
    """

    attribute: AttributeName
    value: str | bool | float | None = None
    applies_to: list[str] = Field(default_factory=list)
    max_distance: int = Field(default=8, ge=0, le=60)
    scope: Literal["clause", "sentence"] = "clause"
    # A weak cue is used only when no other cue for the attribute is found in the sentence.
    weak: bool = False


class Measurement(Matchable):
    """A measured value named in the text (temperature, blood sugar, blood pressure).

    The phrases/regex match the keyword ("temperature", "sugar", "BP"); the value is read from
    the numbers that follow within `window_chars` in the same sentence. `units` maps a unit to
    the words that name it; `infer_units` chooses a unit from the number when none is named.
    """

    kind: Literal["temperature", "glucose", "blood_pressure"]
    code: str
    window_chars: int = Field(default=40, ge=5, le=200)
    pick: Literal["first", "max"] = "first"
    number_regex: str = r"\d{2,3}(?:[.,]\d{1,2})?"
    units: dict[str, list[str]] = Field(default_factory=dict)
    infer_units: list[UnitRange] = Field(default_factory=list)
    plausible: dict[str, tuple[float, float]] = Field(default_factory=dict)
    exclude_before: list[str] = Field(default_factory=list)
    exclude_after: list[str] = Field(default_factory=list)


class UnitRange(Strict):
    unit: str
    low: float
    high: float


Measurement.model_rebuild()


class FeverThreshold(Cited):
    """The temperature at or above which a measured value is recorded as fever present."""

    id: str = Field(pattern=_ID)
    celsius: float = Field(ge=37.0, le=39.0)


class IntakeSettings(Strict):
    """Intake settings: words for reading times, evaluation codes, list-negation words."""

    id: str = Field(pattern=_ID)
    number_words: dict[str, float]
    unit_hours: dict[str, float]
    injection_words: list[str] = Field(min_length=1)
    yesterday_hours: float = Field(gt=0)
    last_week_hours: float = Field(gt=0)
    historical_default_onset_hours: float = Field(lt=0)
    level_pain: dict[str, str]
    evaluation_codes: list[str] = Field(min_length=1)
    list_breaking_verbs: list[str] = Field(min_length=1)
    list_joiners: list[str] = Field(min_length=1)
    max_body_distance: int = Field(default=10, ge=1, le=40)
    max_previous_clause_distance: int = Field(default=14, ge=1, le=60)


@dataclass(frozen=True)
class Lexicon:
    findings: tuple[FindingPhrase, ...]
    body_parts: tuple[BodyPart, ...]
    symptoms: tuple[Symptom, ...]
    context: tuple[ContextCue, ...]
    attributes: tuple[AttributeCue, ...]
    measurements: tuple[Measurement, ...]
    fever: FeverThreshold
    settings: IntakeSettings

    def label_map(self) -> dict[str, Matchable]:
        """Pipeline span label -> lexicon entry."""
        out: dict[str, Matchable] = {}
        for prefix, entries in (
            ("F", self.findings),
            ("B", self.body_parts),
            ("S", self.symptoms),
            ("A", self.attributes),
            ("M", self.measurements),
        ):
            for entry in entries:
                out[f"{prefix}:{entry.id}"] = entry
        return out


def phrase_regex(phrase: str) -> str:
    """Compile a plain phrase: optional apostrophes, flexible spaces/hyphens, word bounds."""
    words = phrase.strip().lower().split()
    if not words:
        raise ValueError("empty phrase")
    parts = []
    for word in words:
        pieces = [re.escape(p) for p in word.split("'")]
        parts.append("'?".join(pieces))
    body = r"[\s\-]+".join(parts)
    start = r"\b" if re.match(r"\w", phrase.strip()) else ""
    end = r"\b" if re.search(r"\w$", phrase.strip()) else ""
    return f"{start}{body}{end}"


def entry_regex(entry: Matchable) -> str:
    """All of an entry's patterns and phrases as one alternation.

    Python tries alternatives in order, so raw patterns (usually the longer, specific forms)
    come first and phrases follow longest first.
    """
    alternatives = [f"(?:{r.pattern})" for r in entry.regex]
    alternatives += [phrase_regex(p) for p in sorted(set(entry.phrases), key=len, reverse=True)]
    return "|".join(alternatives)


def _check_codes(file: str, entry_id: str, field: str, codes: list[str], known: set[str]) -> None:
    for code in codes:
        if code not in known and code != LEVEL_PAIN:
            raise KnowledgeBaseError(file, entry_id, field, f"unknown finding code {code!r}")


def load_lexicon(kb: KnowledgeBase) -> Lexicon:
    """Read and check every intake file under the knowledge base's `intake/` folder."""
    data_root = kb.data_root
    known_codes = set(kb.vocabulary.findings)
    findings = load_entries(data_root, "intake/findings*.yaml", FindingPhrase)
    bodies = load_entries(data_root, "intake/body_parts.yaml", BodyPart)
    symptoms = load_entries(data_root, "intake/symptoms.yaml", Symptom)
    context = load_entries(data_root, "intake/context.yaml", ContextCue)
    attributes = load_entries(data_root, "intake/attributes.yaml", AttributeCue)
    measurements = load_entries(data_root, "intake/measurements.yaml", Measurement)
    fever = load_entries(data_root, "intake/thresholds.yaml", FeverThreshold)
    settings = load_entries(data_root, "intake/settings.yaml", IntakeSettings)
    if len(fever) != 1 or len(settings) != 1:
        raise KnowledgeBaseError(
            "intake/thresholds.yaml" if len(fever) != 1 else "intake/settings.yaml",
            None,
            "entries",
            "must hold exactly one entry",
        )

    # Ids must be unique across all intake files, since they become span labels.
    seen: dict[str, str] = {}
    for file, entry in [*findings, *bodies, *symptoms, *context, *attributes, *measurements]:
        key = f"{type(entry).__name__}:{entry.id}"
        if key in seen:
            raise KnowledgeBaseError(file, entry.id, "id", f"duplicate id (also in {seen[key]})")
        seen[key] = file

    for file, entry in findings:
        _check_codes(file, entry.id, "codes", entry.codes, known_codes)
    groups = {b.group for _, b in bodies}
    for file, entry in symptoms:
        for group, codes in entry.codes.items():
            if group not in groups:
                raise KnowledgeBaseError(file, entry.id, "codes", f"unknown body group {group!r}")
            _check_codes(file, entry.id, f"codes.{group}", codes, known_codes)
        if entry.default_group is not None and entry.default_group not in entry.codes:
            raise KnowledgeBaseError(
                file, entry.id, "default_group", "must be one of the groups under codes"
            )
    for file, entry in attributes:
        _check_codes(file, entry.id, "applies_to", entry.applies_to, known_codes)
    for file, entry in measurements:
        _check_codes(file, entry.id, "code", [entry.code], known_codes)
    kb.check_cited(fever)
    s_file, s = settings[0]
    _check_codes(s_file, s.id, "evaluation_codes", s.evaluation_codes, known_codes)
    _check_codes(s_file, s.id, "level_pain", list(s.level_pain.values()), known_codes)
    if "default" not in s.level_pain:
        raise KnowledgeBaseError(s_file, s.id, "level_pain", "needs a 'default' entry")

    return Lexicon(
        findings=tuple(e for _, e in findings),
        body_parts=tuple(e for _, e in bodies),
        symptoms=tuple(e for _, e in symptoms),
        context=tuple(e for _, e in context),
        attributes=tuple(e for _, e in attributes),
        measurements=tuple(e for _, e in measurements),
        fever=fever[0][1],
        settings=s,
    )
