"""The public triage entry point: structured findings first, the narrative only ever adds.

When a case carries a narrative, free-text intake reads it into findings. Structured
findings always win over extracted ones, and the result is the most urgent of: the case as
given, the case plus what the text says is present, and the case plus everything the text
says. So free text can add findings or raise concern but never lowers a disposition, and
what the text does not mention stays unknown.
"""

from __future__ import annotations

from typing import Any

from esiguard.case import Case, parse_case
from esiguard.engine import evaluation, questions, report
from esiguard.kb import KnowledgeBase, load_kb
from esiguard.result import Question, TriageResult


def _intake_variants(case: Case, kb: KnowledgeBase) -> list[Case]:
    if not case.narrative:
        return []
    try:
        from esiguard.intake import intake, merge_into_case
    except ImportError:  # pragma: no cover
        return []
    extracted = intake(case.narrative, case=case, kb=kb)
    return [
        merge_into_case(case, extracted, include_absent=False),
        merge_into_case(case, extracted, include_absent=True),
    ]


def _most_urgent(
    case: Case, kb: KnowledgeBase, use_narrative: bool, *, precise: bool = False
) -> tuple[evaluation.Evaluation, bool]:
    best = evaluation.evaluate(case, kb, precise=precise)
    used = False
    if use_narrative:
        for variant in _intake_variants(case, kb):
            candidate = evaluation.evaluate(variant, kb, precise=precise)
            # Ties go to the variant that knows more, so fewer questions are asked again.
            if candidate.rank >= best.rank:
                best, used = candidate, True
    return best, used


def warm_up(kb: KnowledgeBase | None = None) -> KnowledgeBase:
    """Load and compile the knowledge base before the first case arrives, then hand what is
    loaded so far to the garbage collector's permanent generation: the knowledge base never
    changes, and rescanning it made full collections a large share of a triage's cost under
    load (bench/triage.py). For long-running processes (the web app)."""
    import gc

    base = kb if kb is not None else load_kb()  # loading compiles and checks the rules
    evaluation.prepare(base)
    report.prepare(base)
    gc.freeze()
    return base


def triage(
    case: Case | dict[str, Any] | str | bytes,
    kb: KnowledgeBase | None = None,
    *,
    use_narrative: bool = True,
) -> TriageResult:
    """Triage a case after an injection. Raises CaseValidationError for bad input."""
    parsed = parse_case(case)
    base = kb if kb is not None else load_kb()
    ev, used = _most_urgent(parsed, base, use_narrative)
    result = report.build_result(base, ev)
    if used:
        notes = [n for n in result.notes if "narrative was not read" not in n]
        notes.append(
            "Findings were also read from the patient's own words; structured answers took priority."
        )
        result = result.model_copy(update={"notes": notes})
    return result


def next_questions(
    case: Case | dict[str, Any] | str | bytes,
    kb: KnowledgeBase | None = None,
    *,
    use_narrative: bool = True,
) -> list[Question]:
    """Questions that could still change the disposition, most urgent first."""
    parsed = parse_case(case)
    base = kb if kb is not None else load_kb()
    ev, _ = _most_urgent(parsed, base, use_narrative, precise=True)
    return questions.questions_for(base, ev)
