"""Shapes of the knowledge-base files. Every entry that states a fact cites its sources.

The loader (`loader.py`) reads YAML into these models; unknown keys are errors, and so is
an entry without `sources` and `checked_on`. Cross-references (source ids, finding codes,
cause codes, advice ids, predicate ids) are checked by the loader after all files are read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Disposition = Literal["emergency", "urgent", "routine", "self_care"]
DISPOSITION_ORDER: tuple[str, ...] = ("self_care", "routine", "urgent", "emergency")
ScreeningDecision = Literal["proceed", "proceed_with_precautions", "postpone", "do_not_proceed"]
SCREENING_ORDER: tuple[str, ...] = (
    "proceed",
    "proceed_with_precautions",
    "postpone",
    "do_not_proceed",
)

Verification = Literal["sourced", "secondary", "unverified", "interpretation"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SourceRef(Strict):
    """A pointer into the bibliography, with where in the source the fact stands."""

    ref: str = Field(min_length=1)
    locator: str = ""


class Cited(Strict):
    """Mixin for every entry that states clinical content."""

    sources: list[SourceRef] = Field(min_length=1)
    checked_on: dt.date
    # sourced: found in the cited source; secondary: only in a secondary summary;
    # unverified: the brief's "[from memory, verify]" not yet confirmed; interpretation: our reasoning
    # from the cited facts (e.g. choosing one threshold where leaflets differ).
    verification: Verification = "sourced"
    verification_note: str | None = None


class Source(Strict):
    """One bibliography entry."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    citation: str = Field(min_length=5)
    kind: Literal[
        "guideline",
        "regulatory",
        "systematic_review",
        "trial",
        "cohort",
        "case_report",
        "review",
        "textbook",
        "drug_label",
        "patient_leaflet",
        "secondary",
        "own_reasoning",
    ]
    year: int | None = Field(default=None, ge=1900, le=2100)
    url: str | None = None
    doi: str | None = None
    published_on: dt.date | None = None
    checked_on: dt.date
    note: str | None = None


class KbMeta(Strict):
    kb_version: str = Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")
    released_on: dt.date
    description: str


class Policy(Cited):
    """Safety policies that are data, not code: floors applied by the engine."""

    id: str
    floor: Disposition
    text: str


AnswerType = Literal["yes_no_unsure", "choice", "number", "text"]


class FindingDef(Cited):
    code: str
    label: str
    question: str = Field(min_length=5)
    answer_type: AnswerType = "yes_no_unsure"
    red_flag: bool = False
    ask_priority: int = Field(ge=0, le=1000)
    attributes: list[
        Literal[
            "side",
            "onset_hours",
            "trend",
            "severity",
            "nrs",
            "value",
            "positional",
            "pattern",
            "blood_pressure",
        ]
    ] = []
    triage_use: str
    snomed_ct: str | None = Field(default=None, pattern=r"^\d{6,18}$")


class AttributeQuestion(Strict):
    attribute: str
    text: str = Field(min_length=5)
    answer_type: AnswerType
    options: list[str] = []
    unit: str | None = None


class OnsetWindow(Strict):
    from_hours: float
    to_hours: float | None = None
    text: str


class CauseDef(Cited):
    code: str
    label: str
    plain: str = Field(min_length=20)
    onset: OnsetWindow
    features: list[str] = Field(min_length=1)
    urgency: Disposition
    danger: int = Field(ge=0, le=10)


class LocalAnestheticFact(Cited):
    name: str
    block_expected_hours: float = Field(ge=0)
    block_max_hours: float = Field(ge=0)
    note: str


class SteroidFact(Cited):
    name: str
    particulate: bool | None
    fluorinated: bool | None = None
    formulation: str
    triamcinolone_equivalent_factor: float | None = Field(default=None, gt=0)
    note: str = ""


class AdviceBlock(Cited):
    id: str
    kind: Literal["headline", "do_now", "watch_for", "home_care", "info"]
    for_disposition: Disposition | None = None
    text: str = Field(min_length=5)


class PredicateDef(Cited):
    id: str
    description: str
    when: dict[str, Any]


class SeverityBand(Strict):
    min_nrs: float = Field(ge=0, le=10)
    severity: Literal["mild", "moderate", "severe"]


class SeverityScale(Cited):
    """How a 0-10 rating reads as mild / moderate / severe when no severity was recorded."""

    id: str
    bands: list[SeverityBand] = Field(min_length=1)


class CauseWeight(Strict):
    code: str
    weight: float = Field(gt=0, le=10)
    why: str | None = None


class TriageRule(Cited):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    red_flag: bool = False
    when: dict[str, Any]
    disposition: Disposition | None = None
    if_unknown: Disposition | None = None
    causes: list[CauseWeight] = []
    why: str = Field(min_length=10)
    advice: list[str] = []
