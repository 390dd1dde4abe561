"""Apply one answer to one question, returning the updated case.

Shared by every interview (terminal, web): the question comes from `next_questions`, the
answer is what the person chose. "Not sure" is an answer: it records the finding as asked
but unknown (present null), never as absent.
"""

from __future__ import annotations

from typing import Any

from esiguard.case import Case, parse_case
from esiguard.case.units import _UNITS_FOR_CODE
from esiguard.errors import CaseValidationError, FieldIssue
from esiguard.result import Question

UNSURE = "unsure"
YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False,
          "unsure": None, "not sure": None, "unknown": None, "?": None}  # fmt: skip


def units_for(code: str) -> tuple[str, ...]:
    """The units a measured finding accepts (empty for findings without a value)."""
    return _UNITS_FOR_CODE.get(code, ())


def _findings(case: Case) -> list[dict[str, Any]]:
    return list(case.to_json_dict().get("findings", []))


def _rebuild(case: Case, **changes: Any) -> Case:
    data = case.to_json_dict()
    data.update(changes)
    return parse_case(data)


def apply_answer(case: Case, question: Question, answer: Any, *, unit: str | None = None) -> Case:
    """Return a new case with the answer recorded. Raises CaseValidationError for an answer
    that does not fit the question (naming the question's field)."""
    field = question.code if question.attribute is None else f"{question.code}.{question.attribute}"
    if question.code == "case":
        return _rebuild(case, **{question.attribute or "": _number(answer, field)})
    findings = _findings(case)
    index = next((i for i, f in enumerate(findings) if f["code"] == question.code), None)
    if question.attribute is None:
        present = _yes_no(answer, field)
        if index is None:
            findings.append({"code": question.code, "present": present})
        else:
            findings[index]["present"] = present
        return _rebuild(case, findings=findings)
    if index is None:
        findings.append({"code": question.code, "present": True})
        index = len(findings) - 1
    entry = findings[index]
    attr = question.attribute
    if _is_unsure(answer):
        entry.setdefault("note", "")
        entry["note"] = (entry["note"] + f" {attr} not known.").strip()
        return _rebuild(case, findings=findings)
    if attr == "blood_pressure":
        systolic, diastolic = _pressure(answer, field)
        entry.update(systolic=systolic, diastolic=diastolic, unit="mmHg")
    elif attr == "value":
        entry["value"] = _number(answer, field)
        allowed = units_for(question.code)
        if allowed:
            chosen = unit or allowed[0]
            if chosen not in allowed:
                raise CaseValidationError(
                    [FieldIssue(f"{field}.unit", f"one of {', '.join(allowed)}", f'"{chosen}"')]
                )
            entry["unit"] = chosen
    elif question.answer_type == "number":
        entry[attr] = _number(answer, field)
    elif question.answer_type == "yes_no_unsure":
        value = _yes_no(answer, field)
        if value is not None:
            entry[attr] = value
    else:
        text = str(answer).strip().lower()
        if question.options and text not in question.options:
            raise CaseValidationError(
                [
                    FieldIssue(
                        field, f"one of {', '.join(question.options)} or unsure", f'"{answer}"'
                    )
                ]
            )
        entry[attr] = text
    return _rebuild(case, findings=findings)


def _is_unsure(answer: Any) -> bool:
    return answer is None or (
        isinstance(answer, str)
        and answer.strip().lower() in ("unsure", "not sure", "unknown", "?", "")
    )


def _yes_no(answer: Any, field: str) -> bool | None:
    if answer is None or isinstance(answer, bool):
        return answer
    key = str(answer).strip().lower()
    if key not in YES_NO:
        raise CaseValidationError([FieldIssue(field, "yes, no or not sure", f'"{answer}"')])
    return YES_NO[key]


def _number(answer: Any, field: str) -> float:
    if isinstance(answer, bool):
        raise CaseValidationError([FieldIssue(field, "a number", str(answer).lower())])
    try:
        return float(str(answer).strip())
    except ValueError:
        raise CaseValidationError([FieldIssue(field, "a number", f'"{answer}"')]) from None


def _pressure(answer: Any, field: str) -> tuple[float, float]:
    text = str(answer).replace(" ", "")
    top, sep, bottom = text.partition("/")
    if not sep:
        raise CaseValidationError(
            [FieldIssue(field, 'two numbers such as "150/90"', f'"{answer}"')]
        )
    return _number(top, field), _number(bottom, field)
