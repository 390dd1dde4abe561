"""What intake returns: findings read from free text, each with the words it came from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from esiguard.case import Finding

Side = Literal["left", "right", "both"]
Trend = Literal["improving", "stable", "worsening", "resolved"]
Severity = Literal["mild", "moderate", "severe"]
Pattern = Literal["proximal", "distal", "whole_limb", "dermatomal"]
CueCategory = Literal["negated", "uncertain", "hypothetical", "historical", "other_person"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextSpan(_Model):
    """Character offsets into the text given to intake (end exclusive) and the words there."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Cue(_Model):
    """The ConText modifier that changed what a mention asserts."""

    category: CueCategory
    text: str
    span: TextSpan
    rule: str  # the lexicon cue id (kb/data/intake/context.yaml)


class ExtractedFinding(_Model):
    """One finding code as the text states it.

    `present`: true (the patient has it), false (says they do not), null (unsure, or says
    something is wrong without saying what). `onset_hours` is relative to the injection;
    negative means it was there before. `span` is the mention that decided `present`.
    """

    code: str
    present: bool | None
    side: Side | None = None
    onset_hours: float | None = None
    trend: Trend | None = None
    severity: Severity | None = None
    nrs: float | None = None
    value: float | None = None
    unit: str | None = None
    systolic: float | None = None
    diastolic: float | None = None
    positional: bool | None = None
    pattern: Pattern | None = None
    historical: bool = False
    span: TextSpan
    cue: Cue | None = None
    mentions: int = Field(default=1, ge=1)

    def to_finding(self) -> Finding:
        """As a case finding (esi-case/1); the note quotes the words it came from."""
        data: dict = {"code": self.code, "present": self.present}
        for name in ("side", "onset_hours", "trend", "severity", "nrs", "positional", "pattern"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.value is not None and self.unit is not None:
            data["value"] = self.value
            data["unit"] = self.unit
        if self.systolic is not None and self.diastolic is not None:
            data["systolic"] = self.systolic
            data["diastolic"] = self.diastolic
        note = f'from the narrative: "{self.span.text}"'
        if self.cue is not None:
            note += f' ({self.cue.category}: "{self.cue.text}")'
        data["note"] = note[:2000]
        try:
            return Finding.model_validate(data)
        except ValueError:
            # A value the case model refuses (for example an implausible unit) is left out
            # rather than failing the whole intake.
            for name in ("value", "unit", "systolic", "diastolic", "nrs", "onset_hours"):
                data.pop(name, None)
            return Finding.model_validate(data)


class Mention(_Model):
    """One place in the text that speaks of a finding, and how it was read."""

    code: str
    present: bool | None
    span: TextSpan
    rule: str  # the lexicon entry that matched (kb/data/intake/*.yaml)
    counted: bool  # false when it is someone else's symptom or a hypothetical
    cue: Cue | None = None


class IntakeResult(_Model):
    format: Literal["esi-intake/1"] = "esi-intake/1"
    kb_version: str
    findings: list[ExtractedFinding] = []
    hours_since_injection: float | None = None
    hours_since_injection_span: TextSpan | None = None
    mentions: list[Mention] = []
    notes: list[str] = []

    def finding(self, code: str) -> ExtractedFinding | None:
        return next((f for f in self.findings if f.code == code), None)

    def present_codes(self) -> set[str]:
        return {f.code for f in self.findings if f.present is True}

    def to_findings(self, *, include_absent: bool = True) -> list[Finding]:
        """The extracted findings as case findings; only present ones unless include_absent."""
        return [f.to_finding() for f in self.findings if include_absent or f.present is True]
