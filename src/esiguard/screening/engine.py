"""`screen(case)`: can this planned epidural steroid injection go ahead, and what must change?

The decision is the most cautious outcome of every rule that applies (proceed <
proceed_with_precautions < postpone < do_not_proceed); any unanswered question keeps it from
being `proceed`. Pure and fast: no I/O once the knowledge base is loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from esiguard.case import Case, parse_case
from esiguard.errors import CaseValidationError, FieldIssue
from esiguard.kb import KnowledgeBase, load_kb
from esiguard.screening.context import build_facts
from esiguard.screening.data import screening_data
from esiguard.screening.medications import (
    bleeding_risk_class,
    plan_medications,
    procedure_risk_class,
)
from esiguard.screening.model import (
    DECISION_FOR_SEVERITY,
    SEVERITY_ORDER,
    Reason,
    ScreeningResult,
    most_cautious,
)
from esiguard.screening.rules import CHECKS

__all__ = ["DECISION_LABELS", "screen"]

DECISION_LABELS: dict[str, str] = {
    "proceed": "Proceed",
    "proceed_with_precautions": "Proceed with precautions",
    "postpone": "Postpone",
    "do_not_proceed": "Do not proceed",
}


def _headline(decision: str, reasons: list[Reason], unanswered: list[str]) -> str:
    label = DECISION_LABELS[decision]
    deciding = [r for r in reasons if DECISION_FOR_SEVERITY[r.severity] == decision]
    if deciding and decision != "proceed":
        titles: list[str] = []
        for reason in deciding:
            title = reason.title if reason.drug is None else f"{reason.title} ({reason.drug})"
            if title not in titles:
                titles.append(title)
        more = f" (and {len(titles) - 2} more)" if len(titles) > 2 else ""
        return f"{label}: {'; '.join(titles[:2])}{more}."
    if decision == "proceed_with_precautions" and unanswered:
        return f"{label}: questions must be answered first."
    return f"{label}: nothing found that stops or changes the planned injection."


def _as_case(case: Case | Mapping[str, Any] | str | bytes) -> Case:
    return case if isinstance(case, Case) else parse_case(case)


def screen(
    case: Case | Mapping[str, Any] | str | bytes,
    kb: KnowledgeBase | None = None,
    *,
    injection_at: dt.datetime | None = None,
) -> ScreeningResult:
    """Screen a planned injection.

    `injection_at`, when given, is the planned date and time of the injection; the medication plan
    then names the day and time of the last dose and of the restart.
    Raises CaseValidationError for an invalid case or one whose procedure is already done.
    """
    parsed = _as_case(case)
    if parsed.procedure.status != "planned":
        raise CaseValidationError(
            [
                FieldIssue(
                    "procedure.status",
                    '"planned" (screening is for a planned injection; use triage after one)',
                    f'"{parsed.procedure.status}"',
                )
            ]
        )
    kb = kb if kb is not None else load_kb()
    data = screening_data(kb)
    facts = build_facts(parsed, kb, data, injection_at)

    risk, factors = bleeding_risk_class(facts)
    plan_medications(facts, risk)
    for check in CHECKS:
        check(facts)

    # Most severe first; within a severity, the order the rules fired in.
    reasons = sorted(facts.reasons, key=lambda r: -SEVERITY_ORDER.index(r.severity))
    decisions = [DECISION_FOR_SEVERITY[r.severity] for r in reasons]
    if facts.unanswered:
        decisions.append("proceed_with_precautions")
    decision = most_cautious(decisions)

    cited: list[str] = []
    for ids in [r.sources for r in reasons] + [p.sources for p in facts.plan]:
        for source_id in ids:
            if source_id not in cited:
                cited.append(source_id)
    facts.trace.append(f"decision: {decision} from {len(reasons)} reasons")
    return ScreeningResult(
        kb_version=kb.version,
        case_id=parsed.id,
        decision=decision,  # type: ignore[arg-type]
        headline=_headline(decision, reasons, facts.unanswered),
        procedure_risk_class=procedure_risk_class(facts),
        bleeding_risk_class=risk,
        bleeding_risk_factors=factors,
        reasons=reasons,
        medication_plan=facts.plan,
        unanswered=facts.unanswered,
        citations=[kb.citation_text(source_id) for source_id in cited],
        rule_ids=list(dict.fromkeys(facts.fired)),
        trace=facts.trace,
    )
