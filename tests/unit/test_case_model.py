"""The case model accepts every valid esi-case/1 document and names the field of every error."""

from __future__ import annotations

import json

import jsonschema
import pytest
from tests.conftest import DEV_VIGNETTES, SHARED, base_case, load_vignettes

from esiguard.case import parse_case
from esiguard.errors import CaseValidationError


def issue_of(data) -> str:
    with pytest.raises(CaseValidationError) as info:
        parse_case(data)
    return info.value.one_line()


@pytest.mark.parametrize(("name", "vignette"), load_vignettes(DEV_VIGNETTES))
def test_every_dev_vignette_case_is_accepted(name, vignette):
    """Every shared vignette's case parses and round-trips to the same JSON."""
    case = parse_case(vignette["case"])
    again = parse_case(json.dumps(case.to_json_dict()))
    assert again == case


def test_model_accepts_what_the_schema_accepts():
    """A case using every optional field validates both against the JSON schema and the model."""
    schema_path = SHARED / "spec" / "case.schema.json"
    if not schema_path.exists():
        pytest.skip("shared spec not present")
    case = base_case(
        id="x1",
        patient={"age_years": 50, "sex": "female", "weight_kg": 70, "conditions": ["diabetes_type2"],
                 "medications": [{"name": "apixaban", "dose": "5 mg", "indication": "af",
                                  "last_dose_hours_before": 72, "restarted_hours_after": None}],
                 "labs": {"platelets_per_nl": 200, "inr": 1.0, "hba1c_percent": 7, "egfr": 80},
                 "prior_injections_12_months": 1, "prior_steroid_mg_12_months": 40},
        narrative="text",
        findings=[{"code": "fever", "present": True, "side": "both", "onset_hours": 2, "trend": "stable",
                   "severity": "mild", "nrs": 2, "value": 100.4, "unit": "F", "positional": False,
                   "pattern": "distal", "note": "n"},
                  {"code": "blood_pressure", "systolic": 150, "diastolic": 90, "unit": "mmHg"}],
    )  # fmt: skip
    jsonschema.validate(case, json.loads(schema_path.read_text()))
    parsed = parse_case(case)
    assert parsed.findings[0].canonical_value == pytest.approx(38.0)


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (lambda c: c["findings"].append({"code": "leg_weakness", "onset_hours": "soon"}),
         'findings[0].onset_hours: expected a number of hours, got "soon"'),
        (lambda c: c.update(extra=1), "extra: expected no such field"),
        (lambda c: c["findings"].append({"code": "leg_weak"}), 'findings[0].code: expected one of'),
        (lambda c: c.pop("procedure"), "procedure: expected a value (this field is required), got nothing"),
        (lambda c: c.update(format="esi-case/2"), 'format: expected one of esi-case/1, got "esi-case/2"'),
        (lambda c: c.update(hours_since_injection=True), "hours_since_injection: expected a number of hours, got true"),
        (lambda c: c["procedure"].update(levels=["L4/5"]), 'procedure.levels[0]: expected a spinal level'),
        (lambda c: c.update(patient={"labs": {"inr": 30}}), "patient.labs.inr: expected a number <= 20"),
        (lambda c: c["findings"].append({"code": "fever", "value": 98.6, "unit": "C"}),
         "findings[0].value: expected a body temperature in C (25-45), got 98.6"),
        (lambda c: c["findings"].append({"code": "fever", "value": 38.5}),
         "findings[0].unit: expected C or F with a temperature value, got nothing"),
        (lambda c: c["findings"].append({"code": "blood_glucose", "value": 12, "unit": "C"}),
         'findings[0].unit: expected one of mg/dL, mmol/L for blood_glucose, got "C"'),
        (lambda c: c["findings"].append({"code": "headache", "present": "yes"}),
         'findings[0].present: expected true, false or null, got "yes"'),
        (lambda c: c["procedure"].update(status="maybe"), 'procedure.status: expected one of planned, done, got "maybe"'),
        (lambda c: c.update(hours_since_injection=-9000), "hours_since_injection: expected a number of hours >= -8760"),
    ],
)  # fmt: skip
def test_invalid_cases_name_the_field_expected_and_given(mutation, expected):
    """Each invalid document is refused with one line naming field, expectation and value."""
    case = base_case()
    mutation(case)
    assert expected in issue_of(case)


def test_malformed_json_is_reported_not_raised():
    """Malformed JSON gives a validation error that says where, never a JSONDecodeError."""
    assert "malformed JSON at line 1 column 2" in issue_of("{bad")


def test_nan_is_refused():
    """JSON's NaN extension is not a number a clinician can mean."""
    assert "valid JSON" in issue_of(
        '{"format": "esi-case/1", "procedure": {"status": "done"}, "hours_since_injection": NaN}'
    )


def test_units_are_converted_to_canonical():
    """Fahrenheit becomes Celsius and mmol/L becomes mg/dL."""
    case = parse_case(base_case(findings=[{"code": "fever", "value": 101.3, "unit": "F"},
                                          {"code": "blood_glucose", "value": 16.7, "unit": "mmol/L"}]))  # fmt: skip
    assert case.findings[0].canonical_value == pytest.approx(38.5, abs=0.01)
    assert case.findings[1].canonical_value == pytest.approx(300.9, abs=0.1)


def test_every_error_is_listed_not_just_the_first():
    """All problems are kept on the error, the one-line message counts the rest."""
    with pytest.raises(CaseValidationError) as info:
        parse_case(base_case(hours_since_injection="x", screen_complete="yes"))
    assert {i.field for i in info.value.issues} == {"hours_since_injection", "screen_complete"}
    assert "(and 1 more problem)" in info.value.one_line()
