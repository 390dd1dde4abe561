"""Turn the clinician's screening form into a planned esi-case/1 case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from esiguard.case import Case, parse_case
from esiguard.errors import CaseValidationError
from esiguard.web.case_form import FormError, FormProblem, parse_number

__all__ = ["MEDICATION_ROWS", "case_from_screening_form"]

MEDICATION_ROWS = 6

# form input -> (case path, what to call it in a message)
_PATIENT_NUMBERS = {
    "age": (("patient", "age_years"), "the age in years"),
    "weight": (("patient", "weight_kg"), "the weight in kg"),
    "platelets": (("patient", "labs", "platelets_per_nl"), "the platelet count"),
    "inr": (("patient", "labs", "inr"), "the INR"),
    "hba1c": (("patient", "labs", "hba1c_percent"), "the HbA1c"),
    "egfr": (("patient", "labs", "egfr"), "the eGFR"),
    "prior_injections": (("patient", "prior_injections_12_months"), "the number of injections"),
    "prior_steroid_mg": (("patient", "prior_steroid_mg_12_months"), "the steroid dose in mg"),
    "steroid_dose": (("procedure", "steroid", "dose_mg"), "the steroid dose in mg"),
}

_CASE_TO_FORM = {
    "patient.age_years": "age",
    "patient.weight_kg": "weight",
    "patient.labs.platelets_per_nl": "platelets",
    "patient.labs.inr": "inr",
    "patient.labs.hba1c_percent": "hba1c",
    "patient.labs.egfr": "egfr",
    "patient.prior_injections_12_months": "prior_injections",
    "patient.prior_steroid_mg_12_months": "prior_steroid_mg",
    "procedure.steroid.dose_mg": "steroid_dose",
    "procedure.levels": "levels",
    "procedure.approach": "approach",
    "procedure.region": "region",
    "procedure.side": "side",
}


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _medications(form: Mapping[str, Any], errors: list[FormError]) -> list[dict[str, Any]]:
    meds = []
    for row in range(1, MEDICATION_ROWS + 1):
        name = str(form.get(f"med-{row}-name", "") or "").strip().lower()
        dose = str(form.get(f"med-{row}-dose", "") or "").strip()
        last = str(form.get(f"med-{row}-last", "") or "").strip()
        if not name:
            if dose or last:
                errors.append(FormError(field=f"med-{row}-name", message=f"Medicine {row}: "
                                        "enter the name, or clear the row."))  # fmt: skip
            continue
        med: dict[str, Any] = {"name": name}
        if dose:
            med["dose"] = dose
        if last:
            try:
                med["last_dose_hours_before"] = parse_number(
                    last, f"med-{row}-last", f"medicine {row}'s last dose in hours"
                )
            except FormProblem as problem:
                errors.extend(problem.errors)
        meds.append(med)
    return meds


def case_from_screening_form(form: Mapping[str, Any], conditions: list[str]) -> Case:
    errors: list[FormError] = []
    data: dict[str, Any] = {"format": "esi-case/1", "procedure": {"status": "planned"}}
    for name in ("approach", "region", "side", "guidance"):
        value = str(form.get(name, "") or "")
        if value:
            data["procedure"][name] = value
    for name, key in (("anesthetic", "local_anesthetic"), ("steroid", "steroid")):
        value = str(form.get(name, "") or "")
        if value:
            data["procedure"][key] = {"name": value}
    levels = str(form.get("levels", "") or "").replace(";", ",")
    if levels.strip():
        data["procedure"]["levels"] = [lv.strip().upper() for lv in levels.split(",") if lv.strip()]
    for name, (path, what) in _PATIENT_NUMBERS.items():
        text = str(form.get(name, "") or "").strip()
        if not text:
            continue
        try:
            number = parse_number(text, name, what)
        except FormProblem as problem:
            errors.extend(problem.errors)
            continue
        _put(data, path, int(number) if name == "prior_injections" and number.is_integer()
             else number)  # fmt: skip
    sex = str(form.get("sex", "") or "")
    if sex:
        _put(data, ("patient", "sex"), sex)
    if conditions:
        _put(data, ("patient", "conditions"), conditions)
    meds = _medications(form, errors)
    if meds:
        _put(data, ("patient", "medications"), meds)
    if errors:
        raise FormProblem(errors)
    try:
        return parse_case(data)
    except CaseValidationError as exc:
        raise FormProblem([_form_error(i.field, i.expected, i.got) for i in exc.issues]) from exc


def _form_error(field: str, expected: str, got: str) -> FormError:
    if field.startswith("patient.medications["):
        row = int(field.split("[", 1)[1].split("]", 1)[0]) + 1
        return FormError(field=f"med-{row}-name", message=f"Medicine {row}: expected {expected}.")
    name = next(
        (f for c, f in _CASE_TO_FORM.items() if field == c or field.startswith(c + "[")), "case"
    )
    if name == "levels":
        return FormError(field=name, message="Write spinal levels like L4-L5 or S1, separated "
                         "by commas.")  # fmt: skip
    return FormError(field=name, message=f"Check this value: expected {expected}, got {got}.")
