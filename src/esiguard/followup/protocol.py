"""The follow-up protocol as data: check-in schedule, escalation rules and the Oswestry
Disability Index, loaded from kb/data/followup/ with the shared loader and citation checks."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from esiguard.kb import KnowledgeBase, load_kb
from esiguard.kb.loader import load_entries
from esiguard.kb.schema import Cited, Disposition

__all__ = [
    "CheckInSlotDef",
    "EscalationRule",
    "FollowupProtocol",
    "OdiScoring",
    "OdiSection",
    "load_protocol",
]


class CheckInSlotDef(Cited):
    """One scheduled check-in, timed from the injection."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    due_hours: float = Field(gt=0)
    opens_hours_before: float = Field(ge=0)
    window_hours: float = Field(gt=0)
    collects_outcomes: bool = False


class EscalationRule(Cited):
    """When the clinic is told, and how high the escalation sits on the dashboard."""

    id: str
    kind: Literal["disposition", "repeated_finding", "missed"]
    priority: int = Field(ge=0)
    label: str
    dispositions: list[Disposition] = Field(default_factory=list)
    min_reports: int = Field(2, ge=2)


class OdiSection(Cited):
    id: str
    number: int = Field(ge=1, le=10)
    title: str
    optional: bool = False
    statements: list[str] = Field(min_length=6, max_length=6)


class OdiScoring(Cited):
    id: str
    points_per_section: int = Field(gt=0)
    min_sections_answered: int = Field(ge=1, le=10)


class FollowupProtocol(BaseModel):
    model_config = ConfigDict(frozen=True)

    slots: list[CheckInSlotDef]
    rules: list[EscalationRule]
    odi_sections: list[OdiSection]
    odi_scoring: OdiScoring

    def slot(self, slot_id: str) -> CheckInSlotDef | None:
        return next((s for s in self.slots if s.id == slot_id), None)

    def rules_of(self, kind: str) -> list[EscalationRule]:
        return [r for r in self.rules if r.kind == kind]

    def rule(self, rule_id: str) -> EscalationRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def _load(kb: KnowledgeBase) -> FollowupProtocol:
    root = kb.data_root
    slots = load_entries(root, "followup/schedule.yaml", CheckInSlotDef)
    rules = load_entries(root, "followup/escalation.yaml", EscalationRule)
    sections = load_entries(root, "followup/odi.yaml", OdiSection)
    scoring = load_entries(root, "followup/odi_scoring.yaml", OdiScoring)
    for pairs in (slots, rules, sections, scoring):
        kb.check_cited(pairs)
    return FollowupProtocol(
        slots=sorted((e for _, e in slots), key=lambda s: s.due_hours),
        rules=[e for _, e in rules],
        odi_sections=sorted((e for _, e in sections), key=lambda s: s.number),
        odi_scoring=scoring[0][1],
    )


def load_protocol(kb: KnowledgeBase | None = None) -> FollowupProtocol:
    """The packaged protocol, validated once per knowledge base."""
    kb = kb or load_kb()
    return kb.section("followup", _load)
