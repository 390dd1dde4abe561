"""Builders for planned-injection cases used by the screening tests."""

from __future__ import annotations

import copy
from typing import Any


def planned_case(
    *,
    medications: list[dict[str, Any]] | None = None,
    conditions: list[str] | None = None,
    labs: dict[str, Any] | None = None,
    age: float | None = 60,
    procedure: dict[str, Any] | None = None,
    findings: list[dict[str, Any]] | None = None,
    hours_until: float | None = 2,
    **patient_extra: Any,
) -> dict[str, Any]:
    """A clean lumbar transforaminal dexamethasone plan under fluoroscopy with contrast.

    With no arguments nothing in it should stop or change the injection.
    """
    proc: dict[str, Any] = {
        "status": "planned",
        "approach": "transforaminal",
        "region": "lumbar",
        "levels": ["L4-L5"],
        "side": "left",
        "guidance": "fluoroscopy",
        "contrast_used": True,
        "steroid": {"name": "dexamethasone", "dose_mg": 10},
        "local_anesthetic": {"name": "lidocaine", "concentration_percent": 1, "volume_ml": 1},
    }
    proc.update(copy.deepcopy(procedure or {}))
    patient: dict[str, Any] = {"sex": "female", "weight_kg": 70}
    if age is not None:
        patient["age_years"] = age
    if conditions is not None:
        patient["conditions"] = conditions
    if medications is not None:
        patient["medications"] = medications
    if labs is not None:
        patient["labs"] = labs
    patient.update(patient_extra)
    case: dict[str, Any] = {"format": "esi-case/1", "patient": patient, "procedure": proc}
    if hours_until is not None:
        case["hours_since_injection"] = -hours_until
    if findings is not None:
        case["findings"] = findings
    return case


def codes(result: Any) -> list[str]:
    return [r.code for r in result.reasons]


def reasons_for(result: Any, code: str) -> list[Any]:
    return [r for r in result.reasons if r.code == code]
