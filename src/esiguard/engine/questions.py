"""Which questions could still change the disposition, most urgent first."""

from __future__ import annotations

from esiguard.engine.evaluation import Evaluation
from esiguard.kb import KnowledgeBase
from esiguard.kb.schema import DISPOSITION_ORDER
from esiguard.result import Question

# Unknowns about the case itself (not a finding) are asked with these templates' attribute names.
_CASE_ATTRIBUTES = {"hours_since_injection"}


def questions_for(kb: KnowledgeBase, ev: Evaluation) -> list[Question]:
    """Questions whose answer could raise the disposition above what has fired, or lift a
    floor that an unknown holds up. Nothing is asked once an emergency has fired."""
    potential: dict[tuple[str, str | None], int] = {}
    for outcome in ev.blocked:
        rank = max(outcome.compiled.rank, outcome.compiled.floor_rank)
        if rank <= ev.fired_rank:
            continue
        for code, attr in outcome.unknown:
            key = (code, attr)
            potential[key] = max(potential.get(key, -1), rank)
    # Unanswered red flags hold the floor even when no rule names them directly.
    if ev.rank > ev.fired_rank:
        for code in ev.unanswered:
            potential.setdefault((code, None), ev.rank)
    questions: list[Question] = []
    for (code, attr), rank in potential.items():
        question = _question(kb, code, attr, DISPOSITION_ORDER[rank])
        if question is not None:
            questions.append(question)

    def order(q: Question) -> tuple[int, int, int]:
        finding = kb.findings.get(q.code)
        priority = finding.ask_priority if finding is not None else 500
        return (
            -DISPOSITION_ORDER.index(q.could_lead_to),
            0 if q.attribute is None else 1,
            priority,
        )

    questions.sort(key=order)
    return questions


def _question(
    kb: KnowledgeBase, code: str, attr: str | None, could_lead_to: str
) -> Question | None:
    if code == "case" and attr in _CASE_ATTRIBUTES:
        template = kb.attribute_questions.get(attr)
        if template is None:
            return None
        return Question(code="case", attribute=attr, text=template.text, answer_type=template.answer_type,
                        options=list(template.options), unit=template.unit, red_flag=False,
                        could_lead_to=could_lead_to)  # type: ignore[arg-type]  # fmt: skip
    finding = kb.findings.get(code)
    if finding is None:  # procedure, patient or lab unknowns are for the clinician's form
        return None
    if attr is None:
        return Question(code=code, attribute=None, text=finding.question, answer_type=finding.answer_type,
                        options=[], unit=None, red_flag=finding.red_flag,
                        could_lead_to=could_lead_to)  # type: ignore[arg-type]  # fmt: skip
    template = kb.attribute_questions.get(attr)
    if template is None:
        return None
    return Question(
        code=code,
        attribute=attr,
        text=template.text.replace("{label}", finding.label.lower()),
        answer_type=template.answer_type,
        options=list(template.options),
        unit=template.unit,
        red_flag=finding.red_flag,
        could_lead_to=could_lead_to,  # type: ignore[arg-type]
    )
