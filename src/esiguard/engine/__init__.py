"""The triage engine: `triage(case)` and `next_questions(case)`, pure and fast.

The engine knows the generic shape of rules, not their content: every threshold, rule and
sentence comes from the knowledge base (`esiguard.kb`)."""

from __future__ import annotations

from typing import Any

from esiguard.case import Case, parse_case
from esiguard.engine.evaluation import Evaluation, evaluate
from esiguard.engine.questions import questions_for
from esiguard.engine.report import build_result
from esiguard.kb import KnowledgeBase, load_kb
from esiguard.result import Question, TriageResult

__all__ = ["evaluate_case", "next_questions", "triage"]


def _inputs(
    case: Case | dict[str, Any] | str | bytes, kb: KnowledgeBase | None
) -> tuple[Case, KnowledgeBase]:
    return parse_case(case), (kb if kb is not None else load_kb())


def evaluate_case(
    case: Case | dict[str, Any] | str | bytes, kb: KnowledgeBase | None = None
) -> Evaluation:
    parsed, base = _inputs(case, kb)
    return evaluate(parsed, base)


def triage(
    case: Case | dict[str, Any] | str | bytes, kb: KnowledgeBase | None = None
) -> TriageResult:
    """Triage one case after an injection; raises CaseValidationError for bad input."""
    parsed, base = _inputs(case, kb)
    return build_result(base, evaluate(parsed, base))


def next_questions(
    case: Case | dict[str, Any] | str | bytes, kb: KnowledgeBase | None = None
) -> list[Question]:
    """Unanswered questions that could still change the disposition, most urgent first."""
    parsed, base = _inputs(case, kb)
    return questions_for(base, evaluate(parsed, base, precise=True))
