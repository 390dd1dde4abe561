"""Shape of one patient-education entry (kb/data/education/*.yaml).

An entry answers one question a patient asks, in plain language, with its sources. The
clinician entry that corrects the seed article also carries a structured table of
corrections, one row per error, each with its own sources.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from esiguard.kb.schema import Cited, SourceRef, Strict

__all__ = ["EMERGENCY_ENTRY_ID", "ArticleCorrection", "Audience", "EducationEntry"]

Audience = Literal["patient", "clinician"]

# The id every entry that mentions a warning sign must link. It names a data entry, not
# clinical content: the advice itself lives in the YAML.
EMERGENCY_ENTRY_ID = "when_to_call_emergency"

_SNAKE_CASE = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"


class ArticleCorrection(Strict):
    """One error of the seed article beside the correct fact and where it comes from."""

    row: int = Field(ge=1)
    article_says: str = Field(min_length=3)
    problem: str = Field(min_length=3)
    correct_fact: str = Field(min_length=10)
    sources: list[SourceRef] = Field(min_length=1)


class EducationEntry(Cited):
    """One question answered for patients (or, for audience clinician, for the care team)."""

    id: str = Field(pattern=_SNAKE_CASE)
    title: str = Field(min_length=3)
    question: str = Field(min_length=5)
    short_answer: str = Field(min_length=20)
    answer: str = Field(min_length=40)
    related_findings: list[str] = Field(default_factory=list)
    related_causes: list[str] = Field(default_factory=list)
    # The causes this entry is about (a subset of related_causes); entries_for ranks the entry
    # first among patient entries for these causes.
    main_causes: list[str] = Field(default_factory=list)
    mentions_warning_signs: bool = False
    links: list[str] = Field(default_factory=list)
    audience: Audience = "patient"
    reviewed_on: dt.date
    # Words people use that the text itself may not contain (e.g. "anticoagulant" for blood
    # thinners); used only by search.
    keywords: list[str] = Field(default_factory=list)
    corrections: list[ArticleCorrection] = Field(default_factory=list)

    @field_validator("question")
    @classmethod
    def _is_a_question(cls, value: str) -> str:
        if not value.endswith("?"):
            raise ValueError("must be asked as a question (end with '?')")
        return value

    @field_validator("corrections")
    @classmethod
    def _rows_unique(cls, value: list[ArticleCorrection]) -> list[ArticleCorrection]:
        rows = [c.row for c in value]
        if len(set(rows)) != len(rows):
            raise ValueError("rows must be unique")
        return value
