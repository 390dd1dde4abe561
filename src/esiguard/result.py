"""The result contracts: esi-result/1 for triage (what every adapter prints or serves).

Fields beyond the spec's minimum (headline, advice_items, sources, trace, education,
questions) extend it without breaking it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Disposition = Literal["emergency", "urgent", "routine", "self_care"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class RankedCause(_Out):
    code: str
    rank: int
    label: str
    why: str
    urgency: Disposition
    score: float


class RedFlag(_Out):
    finding: str
    label: str
    why: str
    rule: str


class AdviceItem(_Out):
    id: str
    kind: str
    text: str
    sources: list[str]


class SourceCitation(_Out):
    id: str
    citation: str
    checked_on: str
    locators: list[str]


class TraceStep(_Out):
    rule_id: str
    title: str
    outcome: Literal["fired", "blocked_by_unknown", "policy"]
    effect: str
    matched_findings: list[str]
    unknown: list[str]
    why: str
    sources: list[str]
    file: str


class Question(_Out):
    code: str
    attribute: str | None
    text: str
    answer_type: Literal["yes_no_unsure", "choice", "number", "text"]
    options: list[str]
    unit: str | None
    red_flag: bool
    could_lead_to: Disposition


class TriageResult(_Out):
    format: Literal["esi-result/1"] = "esi-result/1"
    case_id: str | None
    kb_version: str
    disposition: Disposition
    headline: str
    causes: list[RankedCause]
    red_flags: list[RedFlag]
    unanswered: list[str]
    advice: str
    advice_items: list[AdviceItem]
    citations: list[str]
    sources: list[SourceCitation]
    education: list[str]
    trace: list[TraceStep]
    notes: list[str]

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json")
