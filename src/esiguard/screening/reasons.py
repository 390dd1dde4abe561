"""Turn a fired rule (its data entry plus the values the check found) into a Reason."""

from __future__ import annotations

from typing import Any

from esiguard.errors import KnowledgeBaseError
from esiguard.screening.context import Facts
from esiguard.screening.model import Reason


def _fill(template: str, values: dict[str, Any], rule_id: str) -> str:
    try:
        text = " ".join(template.format_map(values).split())
        # Texts often start with a drug name ("aspirin: ..."); sentences start with a capital.
        return text[:1].upper() + text[1:]
    except (KeyError, IndexError, ValueError) as exc:
        # A template naming a value the check does not supply is a knowledge-base error.
        raise KnowledgeBaseError(
            "screening", rule_id, "text", f"placeholder {exc} is not supplied by the screening code"
        ) from exc


def emit(
    facts: Facts,
    rule_id: str,
    values: dict[str, Any] | None = None,
    *,
    drug: str | None = None,
    severity: str | None = None,
    ask: bool = True,
) -> Reason:
    """Record that `rule_id` applies: add its reason and (if it has one) its question."""
    rule = facts.data.rule(rule_id)
    values = values or {}
    reason = Reason(
        code=rule.id,
        severity=severity or rule.severity,  # type: ignore[arg-type]
        title=rule.title,
        text=_fill(rule.text, values, rule.id),
        alternative=_fill(rule.alternative, values, rule.id) if rule.alternative else None,
        drug=drug,
        sources=[ref.ref for ref in rule.sources],
    )
    facts.reasons.append(reason)
    facts.fired.append(rule.id)
    if ask and rule.question:
        question = _fill(rule.question, values, rule.id)
        if question not in facts.unanswered:
            facts.unanswered.append(question)
    return reason
