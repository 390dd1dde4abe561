"""The case: one patient, one epidural steroid injection (planned or done), what is known now.

Mirrors `esi-case/1` (shared/spec/case.schema.json) field for field. Unknown fields are
errors, types are strict (a string is never read as a number), and measured values are
converted to canonical units (degrees Celsius, mg/dL) at validation time.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

from esiguard.case.units import canonical_measurement

# Strict mode: a float field takes JSON integers and floats but never strings or booleans.
Number = float


def _integral(value: object) -> object:
    """JSON Schema counts 3.0 as an integer; accept it as 3, refuse 3.5."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Count = Annotated[StrictInt, BeforeValidator(_integral)]

FindingCode = Literal[
    "arm_numbness", "arm_weakness", "back_pain", "blood_glucose", "blood_pressure",
    "blurred_vision", "bowel_incontinence", "chest_pain", "chills", "confusion",
    "difficulty_breathing", "difficulty_rising", "double_vision", "facial_droop",
    "facial_flushing", "fainting", "fever", "headache", "hives_or_itching", "hot_flashes",
    "injection_site_drainage", "injection_site_pain", "injection_site_redness",
    "injection_site_swelling", "insomnia", "leg_numbness", "leg_pain", "leg_swelling",
    "leg_tingling", "leg_weakness", "lightheadedness", "menstrual_change", "mood_change",
    "nausea_vomiting", "neck_pain", "neck_stiffness", "palpitations", "photophobia",
    "saddle_numbness", "seizure", "speech_difficulty", "thirst_frequent_urination",
    "throat_or_face_swelling", "trouble_swallowing", "unsteady_gait", "urinary_incontinence",
    "urinary_retention", "vertigo", "vision_loss",
]  # fmt: skip

ConditionCode = Literal[
    "diabetes_type1", "diabetes_type2", "heart_failure", "hypertension", "atrial_fibrillation",
    "coronary_stent", "mechanical_heart_valve", "venous_thromboembolism", "bleeding_disorder",
    "thrombocytopenia", "liver_disease", "chronic_kidney_disease", "immunosuppressed",
    "active_infection", "pregnancy", "glaucoma", "osteoporosis", "cancer", "prior_spine_surgery",
    "spinal_stenosis", "disc_herniation", "spondylolisthesis", "peripheral_neuropathy",
    "multiple_sclerosis", "myasthenia_gravis", "psychiatric_disorder", "contrast_allergy",
    "local_anesthetic_allergy", "steroid_allergy", "latex_allergy", "iodine_allergy",
]  # fmt: skip

Side = Literal["left", "right", "both"]
Trend = Literal["improving", "stable", "worsening", "resolved"]
Severity = Literal["mild", "moderate", "severe"]
Unit = Literal["C", "F", "mg/dL", "mmol/L", "mmHg"]
Pattern = Literal["proximal", "distal", "whole_limb", "dermatomal"]
Approach = Literal["interlaminar", "transforaminal", "caudal", "unknown"]
Region = Literal["cervical", "thoracic", "lumbar", "sacral", "unknown"]
ProcedureSide = Literal["left", "right", "bilateral", "midline"]
Guidance = Literal["fluoroscopy", "ct", "ultrasound", "none", "unknown"]
SteroidName = Literal[
    "triamcinolone", "methylprednisolone", "betamethasone", "dexamethasone",
    "prednisolone", "hydrocortisone", "other", "unknown",
]  # fmt: skip
AnestheticName = Literal["lidocaine", "bupivacaine", "ropivacaine", "none", "other", "unknown"]
ProcedureEvent = Literal[
    "dural_puncture", "blood_aspirated", "intravascular_contrast", "paresthesia_during",
    "vasovagal_during", "multiple_passes", "none",
]  # fmt: skip
Level = Annotated[StrictStr, Field(pattern=r"^(C|T|L|S)[0-9]{1,2}(-(C|T|L|S)[0-9]{1,2})?$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Medication(_Model):
    name: Annotated[StrictStr, Field(min_length=1, max_length=120)]
    dose: Annotated[StrictStr, Field(max_length=120)] | None = None
    indication: Annotated[StrictStr, Field(max_length=200)] | None = None
    last_dose_hours_before: Annotated[Number, Field(ge=0)] | None = None
    restarted_hours_after: Annotated[Number, Field(ge=0)] | None = None


class Labs(_Model):
    platelets_per_nl: Annotated[Number, Field(ge=0)] | None = None
    inr: Annotated[Number, Field(ge=0.5, le=20)] | None = None
    hba1c_percent: Annotated[Number, Field(ge=3, le=20)] | None = None
    egfr: Annotated[Number, Field(ge=0, le=200)] | None = None


class Patient(_Model):
    age_years: Annotated[Number, Field(ge=0, le=120)] | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    weight_kg: Annotated[Number, Field(ge=1, le=400)] | None = None
    conditions: list[ConditionCode] | None = None
    medications: list[Medication] | None = None
    labs: Labs | None = None
    prior_injections_12_months: Annotated[Count, Field(ge=0, le=100)] | None = None
    prior_steroid_mg_12_months: Annotated[Number, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _unique_conditions(self) -> Patient:
        if self.conditions is not None and len(set(self.conditions)) != len(self.conditions):
            raise ValueError("conditions: expected each condition once, got a repeated code")
        return self


class Steroid(_Model):
    name: SteroidName | None = None
    dose_mg: Annotated[Number, Field(ge=0, le=1000)] | None = None


class LocalAnesthetic(_Model):
    name: AnestheticName | None = None
    concentration_percent: Annotated[Number, Field(ge=0, le=5)] | None = None
    volume_ml: Annotated[Number, Field(ge=0, le=50)] | None = None


class Procedure(_Model):
    status: Literal["planned", "done"]
    approach: Approach | None = None
    region: Region | None = None
    levels: list[Level] | None = None
    side: ProcedureSide | None = None
    guidance: Guidance | None = None
    contrast_used: StrictBool | None = None
    steroid: Steroid | None = None
    local_anesthetic: LocalAnesthetic | None = None
    events: list[ProcedureEvent] | None = None

    @model_validator(mode="after")
    def _unique_events(self) -> Procedure:
        if self.events is not None and len(set(self.events)) != len(self.events):
            raise ValueError("events: expected each event once, got a repeated event")
        return self


class Finding(_Model):
    code: FindingCode
    present: StrictBool | None = True
    side: Side | None = None
    onset_hours: Annotated[Number, Field(ge=-87600, le=8760)] | None = None
    trend: Trend | None = None
    severity: Severity | None = None
    nrs: Annotated[Number, Field(ge=0, le=10)] | None = None
    value: Number | None = None
    unit: Unit | None = None
    systolic: Annotated[Number, Field(ge=30, le=330)] | None = None
    diastolic: Annotated[Number, Field(ge=10, le=250)] | None = None
    positional: StrictBool | None = None
    pattern: Pattern | None = None
    note: Annotated[StrictStr, Field(max_length=2000)] | None = None

    _canonical: float | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _convert_units(self) -> Finding:
        self._canonical = canonical_measurement(self.code, self.value, self.unit)
        return self

    def to_json_dict(self) -> dict:
        """The finding as esi-case/1 JSON. `present: null` (asked, unknown) is kept: dropping
        it would turn an unknown into the default, present."""
        data = self.model_dump(mode="json", exclude_none=True)
        if self.present is None:
            data["present"] = None
        return data

    @property
    def canonical_value(self) -> float | None:
        """The measured value in canonical units: degrees Celsius or mg/dL."""
        # Read from pydantic's private store directly: `self._canonical` goes through
        # BaseModel.__getattr__, slow on the triage hot path (bench/triage.py).
        private = self.__pydantic_private__
        return private.get("_canonical") if private else None


class Case(_Model):
    format: Literal["esi-case/1"]
    id: Annotated[StrictStr, Field(max_length=100)] | None = None
    patient: Patient | None = None
    procedure: Procedure
    hours_since_injection: Annotated[Number, Field(ge=-8760, le=8760)] | None = None
    screen_complete: StrictBool = False
    findings: list[Finding] = []
    narrative: Annotated[StrictStr, Field(max_length=20000)] | None = None

    def to_json_dict(self) -> dict:
        """The case as an esi-case/1 JSON object. `present: null` (asked, unknown) is kept:
        dropping it would turn an unknown into the default, present."""
        data = self.model_dump(mode="json", exclude_none=True)
        if self.findings:
            data["findings"] = [finding.to_json_dict() for finding in self.findings]
        return data
