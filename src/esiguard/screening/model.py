"""The screening result (esi-screen/1): decision, reasons, per-drug plan, open questions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from esiguard.kb.schema import SCREENING_ORDER

Decision = Literal["proceed", "proceed_with_precautions", "postpone", "do_not_proceed"]
Severity = Literal["block", "postpone", "caution", "info"]
PlanAction = Literal["continue", "hold", "shared_decision", "unknown"]

# What each reason severity does to the decision.
DECISION_FOR_SEVERITY: dict[str, str] = {
    "info": "proceed",
    "caution": "proceed_with_precautions",
    "postpone": "postpone",
    "block": "do_not_proceed",
}
SEVERITY_ORDER: tuple[str, ...] = ("info", "caution", "postpone", "block")


def most_cautious(decisions: list[str]) -> str:
    """The most cautious decision: proceed < with precautions < postpone < do_not_proceed."""
    return max(decisions, key=SCREENING_ORDER.index, default="proceed")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reason(_Out):
    """One finding of the screen, with what it does to the decision and why."""

    code: str
    severity: Severity
    title: str
    text: str
    alternative: str | None = None
    drug: str | None = Field(
        default=None, description="generic name, when the reason is about a drug"
    )
    sources: list[str] = []


class MedicationPlanItem(_Out):
    """What one medicine needs before and after the injection, in words a patient can follow."""

    name: str = Field(description="the name as given in the case")
    generic: str | None
    drug_class: str | None
    known: bool
    action: PlanAction
    hold_hours_before: float | None = None
    hold_hours_before_max: float | None = None
    restart_hours_after: float | None = None
    restart_hours_after_max: float | None = None
    last_dose_hours_before: float | None = None
    last_dose_ok: bool | None = None
    guideline_row: str | None = None
    guideline_text: str | None = Field(
        default=None, description="the guideline's cell for this column"
    )
    risk_class: Literal["intermediate", "high"] | None = None
    ask_first: str | None = None
    instruction: str
    sources: list[str] = []


class ScreeningResult(_Out):
    """The answer to 'can this planned injection go ahead, and what must change?'."""

    format: Literal["esi-screen/1"] = "esi-screen/1"
    kb_version: str
    case_id: str | None = None
    decision: Decision
    headline: str
    procedure_risk_class: Literal["intermediate", "high"] = Field(
        default="intermediate", description="the guideline's class for this procedure"
    )
    bleeding_risk_class: Literal["intermediate", "high"] = Field(
        description="the column used for this patient (raised by patient factors)"
    )
    bleeding_risk_factors: list[str] = []
    reasons: list[Reason] = []
    medication_plan: list[MedicationPlanItem] = []
    unanswered: list[str] = []
    citations: list[str] = []
    rule_ids: list[str] = []
    trace: list[str] = []
