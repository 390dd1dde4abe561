"""Turn the HTML forms of the patient and nurse flow into esi-case/1 cases, and back.

The flow keeps no server state: the partial case travels in a hidden form field as JSON,
with the list of questions already answered or skipped. Every step re-validates it with
`parse_case`, so a tampered hidden field is refused like any other invalid case.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from esiguard.case import Case, parse_case
from esiguard.errors import AdapterError, CaseValidationError, FieldIssue
from esiguard.web.choices import UNIT_FAMILIES

__all__ = [
    "FormError",
    "FormProblem",
    "QuestionSpec",
    "apply_answer",
    "case_from_start_form",
    "case_to_json",
    "load_asked",
    "load_case_field",
    "parse_number",
]

MAX_HOURS = 8760  # the case format's bound on hours_since_injection


class FormError(BaseModel):
    """One problem with one form input, in words for the person filling it in."""

    field: str
    message: str


class FormProblem(Exception):  # noqa: N818 - it is a problem to show, not a crash
    def __init__(self, errors: list[FormError]) -> None:
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors))


class QuestionSpec(BaseModel):
    """What the flow needs to know about one question from `next_questions`."""

    code: str
    attribute: str | None = None
    text: str
    answer_type: str = "yes_no_unsure"
    options: list[str] = []
    unit: str | None = None
    red_flag: bool = False

    @property
    def key(self) -> str:
        return f"{self.code}.{self.attribute}" if self.attribute else self.code

    @classmethod
    def from_engine(cls, question: Any) -> QuestionSpec:
        if isinstance(question, Mapping):
            get = question.get
        else:

            def get(name: str, default: Any = None) -> Any:
                return getattr(question, name, default)

        return cls(
            code=str(get("code")),
            attribute=get("attribute"),
            text=str(get("text", "") or get("code")),
            answer_type=str(get("answer_type", "yes_no_unsure") or "yes_no_unsure"),
            options=[str(o) for o in (get("options", None) or [])],
            unit=get("unit"),
            red_flag=bool(get("red_flag", False)),
        )


def case_to_json(case: Case) -> dict[str, Any]:
    """The case as esi-case/1 (Case.to_json_dict keeps `present: null`, "not sure")."""
    return case.to_json_dict()


def parse_number(text: str, field: str, what: str) -> float:
    """Read a number typed by a person; commas as decimal marks are accepted."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        raise FormProblem([FormError(field=field, message=f"Enter {what}.")])
    try:
        number = float(cleaned)
    except ValueError:
        raise FormProblem(
            [FormError(field=field, message=f"Enter {what} as a number, for example 6 or 1.5.")]
        ) from None
    if not math.isfinite(number):
        raise FormProblem([FormError(field=field, message=f"Enter {what} as a number.")])
    return number


def load_case_field(text: str) -> Case:
    """The hidden `case` field back into a Case; refuses anything that is not a valid case."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise AdapterError("case", "the saved answers are not valid JSON; start again") from exc
    return parse_case(data)


def load_asked(text: str) -> list[str]:
    try:
        asked = json.loads(text or "[]")
    except ValueError as exc:
        raise AdapterError("asked", "the list of answered questions is not valid JSON") from exc
    if not isinstance(asked, list) or not all(isinstance(k, str) for k in asked):
        raise AdapterError("asked", "expected a list of question keys")
    return asked


# Case fields the start form fills, by form input name, to map validation issues back.
_START_FIELDS = {
    "procedure.approach": "approach",
    "procedure.region": "region",
    "procedure.side": "side",
    "procedure.guidance": "guidance",
    "procedure.levels": "levels",
    "procedure.events": "events",
    "procedure.local_anesthetic": "anesthetic",
    "procedure.steroid": "steroid",
    "hours_since_injection": "hours_ago",
    "patient.medications": "medicines",
    "narrative": "narrative",
}


def _form_field(case_field: str) -> str:
    for prefix, name in _START_FIELDS.items():
        if case_field == prefix or case_field.startswith((prefix + ".", prefix + "[")):
            return name
    return "case"


def _hours_since(form: Mapping[str, Any], errors: list[FormError]) -> float | None:
    try:
        amount = parse_number(
            str(form.get("hours_ago", "")), "hours_ago", "how long ago the injection was"
        )
    except FormProblem as problem:
        errors.extend(problem.errors)
        return None
    hours = amount * 24 if form.get("hours_unit") == "days" else amount
    if hours < 0:
        errors.append(FormError(field="hours_ago", message="The time must be 0 or more."))
        return None
    if hours > MAX_HOURS:
        errors.append(
            FormError(field="hours_ago", message="Enter a time within the last year (365 days).")
        )
        return None
    return round(hours, 2)


def _listed(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def case_from_start_form(form: Mapping[str, Any], events: list[str]) -> Case:
    """Build a case for a done injection from the start page; raise FormProblem if wrong."""
    errors: list[FormError] = []
    hours = _hours_since(form, errors)
    procedure: dict[str, Any] = {"status": "done"}
    for name in ("approach", "region", "side", "guidance"):
        value = str(form.get(name, "") or "")
        if value:
            procedure[name] = value
    for name, key in (("anesthetic", "local_anesthetic"), ("steroid", "steroid")):
        value = str(form.get(name, "") or "")
        if value:
            procedure[key] = {"name": value}
    levels = [lv.upper() for lv in _listed(str(form.get("levels", "") or ""))]
    if levels:
        procedure["levels"] = levels
    if events:
        procedure["events"] = events
    data: dict[str, Any] = {"format": "esi-case/1", "procedure": procedure}
    if hours is not None:
        data["hours_since_injection"] = hours
    medicines = _listed(str(form.get("medicines", "") or ""))
    if medicines:
        data["patient"] = {"medications": [{"name": name.lower()} for name in medicines]}
    narrative = str(form.get("narrative", "") or "").strip()
    if narrative:
        data["narrative"] = narrative
    try:
        case = parse_case(data)
    except CaseValidationError as exc:
        errors.extend(_issue_errors(exc.issues))
        case = None
    if errors or case is None:
        raise FormProblem(errors)
    return case


def _issue_errors(issues: list[FieldIssue]) -> list[FormError]:
    out = []
    for issue in issues:
        field = _form_field(issue.field)
        if field == "levels":
            message = "Write spinal levels like L4-L5 or S1, separated by commas."
        elif field == "narrative":
            message = "Please shorten your description to at most 20000 characters."
        else:
            message = f"Please check this answer: expected {issue.expected}, got {issue.got}."
        out.append(FormError(field=field, message=message))
    return out


_YES_NO = {"yes": True, "no": False, "unsure": None}

# next_questions asks about the case itself (e.g. hours since the injection) with this code.
CASE_CODE = "case"


def units_for(code: str) -> tuple[str, ...]:
    """Units a measured finding accepts, from the case package (empty when none)."""
    try:
        from esiguard.answers import units_for as case_units
    except ImportError:
        return ()
    return tuple(case_units(code))


def _apply_case_answer(case: Case, question: QuestionSpec, form: Mapping[str, Any]) -> Case:
    attribute = question.attribute or ""
    number = parse_number(str(form.get("number", "")), "number", "a number")
    data = case_to_json(case)
    data[attribute] = number
    try:
        return parse_case(data)
    except CaseValidationError as exc:
        issue = exc.issues[0]
        raise FormProblem(
            [
                FormError(
                    field="number", message=f"Please check this answer: expected {issue.expected}."
                )
            ]
        ) from exc


def value_units(question: QuestionSpec) -> tuple[str, ...]:
    """Units a measured value may be given in: the question's unit family, else the code's."""
    if question.attribute != "value":
        return ()
    if question.unit:
        return UNIT_FAMILIES.get(question.unit, (question.unit,))
    return units_for(question.code)


def _attribute_value(question: QuestionSpec, form: Mapping[str, Any]) -> dict[str, Any] | None:
    """The finding fields an attribute answer sets; None when the person is not sure."""
    attribute = question.attribute or ""
    if attribute == "blood_pressure":
        systolic = parse_number(str(form.get("systolic", "")), "systolic", "the top number")
        diastolic = parse_number(str(form.get("diastolic", "")), "diastolic", "the bottom number")
        return {"systolic": systolic, "diastolic": diastolic}
    if question.answer_type == "number":
        number = parse_number(str(form.get("number", "")), "number", "a number")
        update: dict[str, Any] = {attribute: number}
        units = value_units(question)
        if attribute == "value" and units:
            unit = str(form.get("unit", "") or units[0])
            if unit not in units:
                raise FormProblem([FormError(field="unit", message="Choose a unit from the list.")])
            update["unit"] = unit
        return update
    answer = str(form.get("answer", "") or "")
    if not answer:
        raise FormProblem([FormError(field="answer", message="Choose one answer.")])
    if answer == "unsure":
        return None
    if question.answer_type == "yes_no_unsure":
        if answer not in _YES_NO:
            raise FormProblem([FormError(field="answer", message="Choose yes, no or not sure.")])
        return {attribute: _YES_NO[answer]}
    if question.options and answer not in question.options:
        raise FormProblem([FormError(field="answer", message="Choose one of the answers shown.")])
    return {attribute: answer}


def apply_answer(case: Case, question: QuestionSpec, form: Mapping[str, Any]) -> Case:
    """The case with one more answer in it; raise FormProblem with a plain message if wrong."""
    if question.code == CASE_CODE:
        return _apply_case_answer(case, question, form)
    if question.attribute is None:
        answer = str(form.get("answer", "") or "")
        if answer not in _YES_NO:
            raise FormProblem([FormError(field="answer", message="Choose yes, no or not sure.")])
        update: dict[str, Any] | None = {"present": _YES_NO[answer]}
    else:
        update = _attribute_value(question, form)
    if update is None:
        return case
    data = case_to_json(case)
    findings: list[dict[str, Any]] = data.setdefault("findings", [])
    for finding in findings:
        if finding["code"] == question.code:
            finding.update(update)
            break
    else:
        findings.append({"code": question.code, **update})
    try:
        return parse_case(data)
    except CaseValidationError as exc:
        field = "systolic" if question.attribute == "blood_pressure" else "number"
        if question.answer_type != "number" and question.attribute != "blood_pressure":
            field = "answer"
        issue = exc.issues[0]
        raise FormProblem(
            [
                FormError(
                    field=field, message=f"Please check this answer: expected {issue.expected}."
                )
            ]
        ) from exc
