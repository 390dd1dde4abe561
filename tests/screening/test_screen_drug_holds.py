"""Every drug of the antithrombotic table: held long enough -> not postponed; not held -> postpone.

Where the guideline's column only says 'consider stopping' (NSAIDs, high bleeding risk)
a too-recent dose is a precaution instead, and the test checks that.

The parameters are generated from antithrombotics.yaml, so a drug added to the data is tested too.
Each drug is tested in each guideline column (intermediate risk; high risk, reached through age),
each regimen (aspirin primary/secondary, heparin IV/SC, LMWH prophylactic/therapeutic) and, for
dabigatran, with normal and reduced kidney function.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.screening.helpers import planned_case, reasons_for

from esiguard.kb import load_kb
from esiguard.screening import screen
from esiguard.screening.data import screening_data

_DATA = screening_data(load_kb())
_AGE = {"intermediate": 60, "high": 80}


def _regimen_fields(regimen_by: str, regimen_id: str, generic: str) -> dict[str, str]:
    if regimen_by == "aspirin_indication":
        if regimen_id == "primary_prevention":
            return {"indication": "primary prevention"}
        return {"indication": "secondary prevention after a stroke"}
    if regimen_by == "heparin_route":
        if regimen_id == "intravenous":
            return {"dose": "infusion 1000 units/h"}
        return {"dose": "5000 units SC twice daily"}
    if regimen_by == "lmwh_dose":
        if regimen_id == "prophylactic":
            return {"dose": "40 mg daily" if generic == "enoxaparin" else "5000 units daily"}
        return {"dose": "1 mg/kg twice daily"}
    return {}


def _cases() -> list[Any]:
    params = []
    for entry in _DATA.antithrombotics.values():
        for drug in entry.drugs:
            for regimen in entry.regimens:
                for risk in ("intermediate", "high"):
                    renal_options: list[float | None] = [90.0]
                    if entry.renal is not None:
                        renal_options.append(entry.renal.egfr_below - 10)
                    for egfr in renal_options:
                        spec = regimen.spec(risk)  # type: ignore[arg-type]
                        if (
                            entry.renal is not None
                            and egfr is not None
                            and egfr < entry.renal.egfr_below
                        ):
                            spec = entry.renal.high if risk == "high" else entry.renal.intermediate
                        label = f"{entry.id}-{drug.generic}-{regimen.id}-{risk}-egfr{egfr:g}"
                        params.append(
                            pytest.param(
                                entry, drug.generic, regimen.id, risk, egfr, spec, id=label
                            )
                        )
    return params


CASES = _cases()


def _case(entry: Any, generic: str, regimen_id: str, risk: str, egfr: float, last: float) -> dict:
    med = {"name": generic, "last_dose_hours_before": last}
    med.update(_regimen_fields(entry.regimen_by, regimen_id, generic))
    labs: dict[str, float] = {"egfr": egfr, "platelets_per_nl": 250}
    if entry.requires_normal_inr:
        labs["inr"] = 1.0
    return planned_case(medications=[med], labs=labs, age=_AGE[risk])


def test_every_drug_of_the_guideline_table_is_covered_by_the_hold_tests() -> None:
    covered = {p.values[1] for p in CASES}
    required = {
        "aspirin", "aspirin/dipyridamole", "diclofenac", "ketorolac", "ibuprofen", "etodolac",
        "indomethacin", "naproxen", "meloxicam", "nabumetone", "oxaprozin", "piroxicam",
        "clopidogrel", "prasugrel", "ticagrelor", "cilostazol", "dipyridamole", "warfarin",
        "acenocoumarol", "heparin", "enoxaparin", "dalteparin", "fondaparinux", "dabigatran",
        "rivaroxaban", "apixaban", "edoxaban", "sertraline", "fluoxetine", "venlafaxine",
        "duloxetine", "fish oil", "garlic", "ginkgo", "ginseng", "vitamin E",
    }  # fmt: skip
    assert required <= covered, sorted(required - covered)


@pytest.mark.parametrize(("entry", "generic", "regimen_id", "risk", "egfr", "spec"), CASES)
def test_held_long_enough_is_not_postponed_for_this_drug(
    entry: Any, generic: str, regimen_id: str, risk: str, egfr: float, spec: Any, kb
) -> None:
    last = spec.hours if spec.action == "hold" else 0.5
    result = screen(_case(entry, generic, regimen_id, risk, egfr, last), kb)
    item = next(p for p in result.medication_plan if p.generic == generic)
    assert item.known
    assert not reasons_for(result, "antithrombotic_not_held")
    assert result.decision in ("proceed", "proceed_with_precautions"), result.headline
    if spec.action == "hold":
        assert item.action == "hold"
        assert item.last_dose_ok is True
        assert item.hold_hours_before == spec.hours
    else:
        assert item.action in ("continue", "shared_decision")


@pytest.mark.parametrize(("entry", "generic", "regimen_id", "risk", "egfr", "spec"), CASES)
def test_not_held_long_enough_is_postponed(
    entry: Any, generic: str, regimen_id: str, risk: str, egfr: float, spec: Any, kb
) -> None:
    if spec.action != "hold":
        # No interval in this column: taking it on the day must not postpone the injection.
        result = screen(_case(entry, generic, regimen_id, risk, egfr, 0.5), kb)
        assert result.decision in ("proceed", "proceed_with_precautions")
        return
    too_short = spec.hours - 1 if spec.hours > 1 else spec.hours / 2
    result = screen(_case(entry, generic, regimen_id, risk, egfr, too_short), kb)
    item = next(p for p in result.medication_plan if p.generic == generic)
    assert item.last_dose_ok is False
    if spec.when_not_held == "caution":
        # The guideline says 'consider stopping' here (NSAIDs, high bleeding risk): a precaution.
        assert result.decision == "proceed_with_precautions", result.headline
        assert [r.drug for r in reasons_for(result, "antithrombotic_consider_stopping")] == [
            generic
        ]
        return
    assert result.decision == "postpone", result.headline
    not_held = reasons_for(result, "antithrombotic_not_held")
    assert [r.drug for r in not_held] == [generic]
    assert "moved to a later date" in item.instruction


@pytest.mark.parametrize(
    "generic", ["warfarin", "acenocoumarol", "phenprocoumon"], ids=lambda g: f"{g}-inr"
)
def test_vitamin_k_antagonist_held_but_inr_high_is_postponed(generic: str, kb) -> None:
    case = planned_case(
        medications=[{"name": generic, "last_dose_hours_before": 200}], labs={"inr": 1.6}
    )
    result = screen(case, kb)
    assert result.decision == "postpone"
    assert reasons_for(result, "vka_inr_not_normal")


def test_warfarin_held_without_an_inr_is_an_unanswered_question_not_proceed(kb) -> None:
    case = planned_case(medications=[{"name": "Coumadin", "last_dose_hours_before": 130}])
    result = screen(case, kb)
    assert result.decision == "proceed_with_precautions"
    assert any("INR" in q for q in result.unanswered)


def test_dabigatran_without_kidney_function_asks_for_it(kb) -> None:
    case = planned_case(medications=[{"name": "Pradaxa", "last_dose_hours_before": 100}], labs={})
    result = screen(case, kb)
    assert reasons_for(result, "renal_function_unknown")
    assert any("kidney function" in q for q in result.unanswered)
    assert result.decision != "proceed"


def test_dabigatran_with_recorded_kidney_disease_and_no_egfr_uses_six_days(kb) -> None:
    case = planned_case(
        medications=[{"name": "dabigatran", "last_dose_hours_before": 120}],
        conditions=["chronic_kidney_disease"],
    )
    result = screen(case, kb)
    assert result.decision == "postpone"
    assert result.medication_plan[0].hold_hours_before == 144
