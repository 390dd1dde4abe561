"""Build page contexts from what the engine, screening and education packages return.

Results are read through their JSON form (esi-result/1, esi-screen/1), the same contract the
API serves, so the pages show exactly what an API client would get.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from esiguard.case import Case
from esiguard.web import services
from esiguard.web.case_form import QuestionSpec, case_to_json, value_units
from esiguard.web.choices import Choice, humanize, unit_label
from esiguard.web.contexts import (
    CauseView,
    EducationEntryPage,
    EducationLink,
    MedicationPlanView,
    QuestionView,
    ReasonView,
    RedFlagView,
    ResultPage,
    ScreeningResultPage,
    TextBlock,
    TraceView,
    UnansweredView,
)

__all__ = [
    "as_json",
    "education_entry_page",
    "education_link",
    "question_view",
    "result_page",
    "screening_result_page",
]

_YES_NO_UNSURE = [
    Choice(value="yes", label="Yes"),
    Choice(value="no", label="No"),
    Choice(value="unsure", label="Not sure"),
]


def as_json(obj: Any) -> dict[str, Any]:
    """A result object (Pydantic model or mapping) as its JSON document."""
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if isinstance(obj, Mapping):
        return json.loads(json.dumps(dict(obj), default=str))
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def _kb() -> Any | None:
    try:
        return services.knowledge_base()
    except Exception:
        return None


def _finding_def(code: str) -> Any | None:
    kb = _kb()
    return None if kb is None else kb.findings.get(code)


def question_view(question: QuestionSpec) -> QuestionView:
    finding = _finding_def(question.code)
    red_flag = question.red_flag or bool(getattr(finding, "red_flag", False))
    if question.attribute == "blood_pressure":
        return QuestionView(key=question.key, text=question.text, answer_type="blood_pressure",
                            options=[], units=[], unit_label="mmHg", red_flag=red_flag)  # fmt: skip
    if question.answer_type == "number":
        units = [Choice(value=u, label=unit_label(u)) for u in value_units(question)]
        return QuestionView(
            key=question.key,
            text=question.text,
            answer_type="number",
            options=[],
            units=units,
            unit_label=unit_label(question.unit) if question.unit else None,
            red_flag=red_flag,
        )
    if question.answer_type == "choice" and question.options:
        options = [Choice(value=o, label=humanize(o)) for o in question.options]
        options.append(Choice(value="unsure", label="Not sure"))
    else:
        options = list(_YES_NO_UNSURE)
    return QuestionView(key=question.key, text=question.text, answer_type="choice",
                        options=options, units=[], unit_label=None, red_flag=red_flag)  # fmt: skip


def education_link(entry_id: str) -> EducationLink | None:
    try:
        entry = services.education_entry(entry_id)
    except Exception:
        return None
    if entry is None:
        return None
    return EducationLink(id=entry_id, title=str(getattr(entry, "title", entry_id)))


def _cause_view(cause: Mapping[str, Any]) -> CauseView:
    kb = _kb()
    definition = None if kb is None else kb.causes.get(cause.get("code"))
    label = cause.get("label") or getattr(definition, "label", None) or humanize(cause["code"])
    return CauseView(label=str(label), plain=getattr(definition, "plain", None),
                     why=str(cause.get("why") or ""))  # fmt: skip


def _unanswered_view(code: str) -> UnansweredView:
    finding = _finding_def(code)
    question = getattr(finding, "question", None) or humanize(code)
    return UnansweredView(code=code, question=str(question))


def result_page(result: Any, case: Case, asked: list[str], *, can_continue: bool) -> ResultPage:
    data = as_json(result)
    items: dict[str, list[str]] = {"do_now": [], "watch_for": [], "home_care": [], "info": []}
    for item in data.get("advice_items") or []:
        items.setdefault(str(item.get("kind", "info")), []).append(str(item.get("text", "")))
    items["info"].extend(str(note) for note in data.get("notes") or [])
    red_flags = [
        RedFlagView(
            label=str(f.get("label") or humanize(str(f.get("finding", "")))),
            why=str(f.get("why") or ""),
        )  # fmt: skip
        for f in data.get("red_flags") or []
    ]
    education = [
        link for link in (education_link(str(e)) for e in data.get("education") or []) if link
    ]
    return ResultPage(
        title=_RESULT_TITLES.get(data["disposition"], "Your result"),
        section="check",
        disposition=data["disposition"],
        headline=str(data.get("headline") or ""),
        red_flags=red_flags,
        causes=[_cause_view(c) for c in data.get("causes") or []],
        do_now=items["do_now"],
        watch_for=items["watch_for"],
        home_care=items["home_care"],
        info=items["info"],
        advice=str(data.get("advice") or ""),
        unanswered=[_unanswered_view(str(c)) for c in data.get("unanswered") or []],
        education=education,
        citations=_citations(data),
        trace=[_trace_view(step) for step in data.get("trace") or [] if isinstance(step, Mapping)],
        kb_version=str(data.get("kb_version") or ""),
        case_json=json.dumps(case_to_json(case)),
        asked_json=json.dumps(asked),
        can_continue=can_continue,
    )


def _trace_view(step: Mapping[str, Any]) -> TraceView:
    return TraceView(
        title=str(step.get("title") or step.get("rule_id") or ""),
        outcome=str(step.get("outcome") or ""),
        effect=str(step.get("effect") or ""),
        findings=[humanize(str(f)) for f in step.get("matched_findings") or []],
        unknown=[humanize(str(f)) for f in step.get("unknown") or []],
        sources=[str(s) for s in step.get("sources") or []],
    )


def _citations(data: Mapping[str, Any]) -> list[str]:
    """Sources with where in them the advice stands, else the plain citation strings."""
    sources = data.get("sources") or []
    if sources and all(isinstance(s, Mapping) and s.get("citation") for s in sources):
        out = []
        for source in sources:
            text = f"[{source.get('id', '')}] {source['citation']}"
            locators = [str(loc) for loc in source.get("locators") or []]
            if locators:
                text += f" At: {'; '.join(locators)}."
            if source.get("checked_on"):
                text += f" (checked {source['checked_on']})"
            out.append(text)
        return out
    return [str(c) for c in data.get("citations") or []]


_RESULT_TITLES = {
    "emergency": "Emergency: get help now",
    "urgent": "Urgent: contact your doctor today",
    "routine": "Contact your clinic in the next few days",
    "self_care": "Expected after an injection",
}

_DECISION_TEXT = {
    "proceed": "Proceed with the injection",
    "proceed_with_precautions": "Proceed, with the precautions below",
    "postpone": "Postpone the injection",
    "do_not_proceed": "Do not proceed with the injection",
}


def _text(value: Any) -> str:
    """One line of text from a string or a structured item."""
    if isinstance(value, Mapping):
        for key in ("text", "title", "why", "message"):
            if value.get(key):
                return str(value[key])
        return "; ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, "", []))
    return str(value)


_ACTION_TEXT = {
    "continue": "Keep taking it",
    "hold": "Stop it before the injection",
    "shared_decision": "Decide with the prescriber",
    "unknown": "Check with the prescriber",
}

_SEVERITY_ORDER = ("block", "postpone", "caution", "info")


def _hours(low: Any, high: Any) -> str:
    low_text = f"{float(low):g}"
    return f"{low_text}-{float(high):g} hours" if high not in (None, low) else f"{low_text} hours"


def _plan_view(item: Mapping[str, Any]) -> MedicationPlanView:
    name = str(item.get("name") or item.get("drug") or "?")
    generic = item.get("generic")
    drug = f"{name} ({generic})" if generic and str(generic).lower() != name.lower() else name
    details = []
    if item.get("hold_hours_before") is not None:
        details.append("Last dose at least "
                       f"{_hours(item['hold_hours_before'], item.get('hold_hours_before_max'))} "
                       "before the injection.")  # fmt: skip
    if item.get("restart_hours_after") is not None:
        details.append("Restart "
                       f"{_hours(item['restart_hours_after'], item.get('restart_hours_after_max'))} "
                       "after the injection.")  # fmt: skip
    if item.get("last_dose_ok") is False:
        details.append(f"The last dose ({item.get('last_dose_hours_before'):g} hours before) "
                       "is too recent.")  # fmt: skip
    if item.get("ask_first"):
        details.append(f"Ask first: {item['ask_first']}.")
    if item.get("guideline_text"):
        row = f" ({item['guideline_row']})" if item.get("guideline_row") else ""
        details.append(f"Guideline{row}: {item['guideline_text']}")
    action = str(item.get("action") or "unknown")
    return MedicationPlanView(drug=drug, action=_ACTION_TEXT.get(action, humanize(action)),
                              instruction=str(item.get("instruction") or ""),
                              details=details)  # fmt: skip


def _reason_view(reason: Any) -> ReasonView:
    if not isinstance(reason, Mapping):
        return ReasonView(severity="info", title=str(reason), text="", alternative=None)
    return ReasonView(
        severity=str(reason.get("severity") or "info"),
        title=str(reason.get("title") or _text(reason)),
        text=str(reason.get("text") or ""),
        alternative=reason.get("alternative"),
    )


def screening_result_page(result: Any, case: Case) -> ScreeningResultPage:
    data = as_json(result)
    decision = str(data.get("decision", ""))
    reasons = sorted(
        (_reason_view(r) for r in data.get("reasons") or []),
        key=lambda r: _SEVERITY_ORDER.index(r.severity) if r.severity in _SEVERITY_ORDER else 9,
    )
    return ScreeningResultPage(
        title=_DECISION_TEXT.get(decision, humanize(decision)),
        section="screening",
        decision=decision,
        decision_text=_DECISION_TEXT.get(decision, humanize(decision)),
        headline=str(data.get("headline") or ""),
        bleeding_risk=data.get("bleeding_risk_class"),
        reasons=reasons,
        medication_plan=[
            _plan_view(m) for m in data.get("medication_plan") or [] if isinstance(m, Mapping)
        ],  # fmt: skip
        unanswered=[_text(u) for u in data.get("unanswered") or []],
        citations=[_text(c) for c in data.get("citations") or []],
        kb_version=str(data.get("kb_version") or ""),
        case_json=json.dumps(case_to_json(case)),
    )


def _source_text(ref: Any) -> str:
    kb = _kb()
    source_id = getattr(ref, "ref", None) or (ref.get("ref") if isinstance(ref, Mapping) else "")
    locator = getattr(ref, "locator", None) or (
        ref.get("locator") if isinstance(ref, Mapping) else ""
    )
    text = str(source_id)
    if kb is not None and source_id in kb.sources:
        text = kb.citation_text(source_id)
    return f"{text}, {locator}" if locator else text


def text_blocks(text: str) -> list[TextBlock]:
    """Split an answer into paragraphs; lines starting with '- ' become list items."""
    blocks = []
    for paragraph in text.split("\n\n"):
        lead: list[str] = []
        items: list[str] = []
        for line in paragraph.strip().splitlines():
            line = line.strip()
            if line.startswith(("- ", "* ")):
                items.append(line[2:].strip())
            elif items and line:  # a wrapped list item
                items[-1] += " " + line
            elif line:
                lead.append(line)
        if lead or items:
            blocks.append(TextBlock(lead=" ".join(lead), items=items))
    return blocks


def education_entry_page(entry: Any) -> EducationEntryPage:
    related = [link for link in (education_link(i) for i in getattr(entry, "links", [])) if link]
    corrections = [
        {"article_says": c.article_says, "problem": c.problem, "correct_fact": c.correct_fact}
        for c in getattr(entry, "corrections", [])
    ]
    answer = str(getattr(entry, "answer", ""))
    return EducationEntryPage(
        title=str(entry.title),
        section="education",
        entry_id=str(entry.id),
        question=str(getattr(entry, "question", "")),
        short_answer=str(getattr(entry, "short_answer", "")),
        blocks=text_blocks(answer),
        warning=bool(getattr(entry, "mentions_warning_signs", False)),
        related=related,
        corrections=corrections,
        citations=[_source_text(s) for s in getattr(entry, "sources", [])],
        reviewed_on=str(getattr(entry, "reviewed_on", "")),
    )
