"""Plain-word labels for the esi-case/1 codes the forms offer.

These are interface labels for codes defined in the case format, not clinical content:
what a code means clinically lives in the knowledge base. The codes themselves are checked
by `parse_case`, so a label list that drifts from the format fails in the form tests.
"""

from __future__ import annotations

from pydantic import BaseModel

__all__ = [
    "ANESTHETICS",
    "APPROACHES",
    "CONDITIONS",
    "EVENTS",
    "GUIDANCE",
    "REGIONS",
    "SIDES",
    "STEROIDS",
    "TIME_UNITS",
    "UNIT_FAMILIES",
    "Choice",
    "humanize",
]


class Choice(BaseModel):
    value: str
    label: str


def _choices(*pairs: tuple[str, str]) -> list[Choice]:
    return [Choice(value=v, label=label) for v, label in pairs]


APPROACHES = _choices(
    ("interlaminar", "Interlaminar: in the middle of the back, between two vertebrae"),
    ("transforaminal", "Transforaminal: from one side, where the nerve leaves the spine"),
    ("caudal", "Caudal: low down, near the tailbone"),
    ("unknown", "I don't know"),
)

REGIONS = _choices(
    ("lumbar", "Lower back (lumbar)"),
    ("cervical", "Neck (cervical)"),
    ("thoracic", "Middle of the back (thoracic)"),
    ("sacral", "Bottom of the spine (sacral)"),
    ("unknown", "I don't know"),
)

SIDES = _choices(
    ("left", "Left side"),
    ("right", "Right side"),
    ("bilateral", "Both sides"),
    ("midline", "In the middle"),
    ("", "I don't know"),
)

ANESTHETICS = _choices(
    ("unknown", "I don't know"),
    ("lidocaine", "Lidocaine (lignocaine)"),
    ("bupivacaine", "Bupivacaine"),
    ("ropivacaine", "Ropivacaine"),
    ("none", "No numbing medicine was used"),
    ("other", "Another one"),
)

STEROIDS = _choices(
    ("unknown", "I don't know"),
    ("triamcinolone", "Triamcinolone (Kenalog)"),
    ("methylprednisolone", "Methylprednisolone (Depo-Medrol)"),
    ("betamethasone", "Betamethasone (Celestone)"),
    ("dexamethasone", "Dexamethasone"),
    ("prednisolone", "Prednisolone"),
    ("hydrocortisone", "Hydrocortisone"),
    ("other", "Another one"),
)

GUIDANCE = _choices(
    ("", "Not recorded"),
    ("fluoroscopy", "X-ray (fluoroscopy)"),
    ("ct", "CT"),
    ("ultrasound", "Ultrasound"),
    ("none", "No imaging"),
    ("unknown", "Unknown"),
)

EVENTS = _choices(
    ("dural_puncture", "Dural puncture (wet tap)"),
    ("blood_aspirated", "Blood aspirated"),
    ("intravascular_contrast", "Contrast seen in a blood vessel"),
    ("paresthesia_during", "Shooting pain or tingling during the injection"),
    ("vasovagal_during", "Fainting or near-fainting during the procedure"),
    ("multiple_passes", "Several needle passes"),
)

CONDITIONS = _choices(
    ("diabetes_type1", "Diabetes type 1"),
    ("diabetes_type2", "Diabetes type 2"),
    ("hypertension", "High blood pressure"),
    ("heart_failure", "Heart failure"),
    ("atrial_fibrillation", "Atrial fibrillation"),
    ("coronary_stent", "Coronary stent"),
    ("mechanical_heart_valve", "Mechanical heart valve"),
    ("venous_thromboembolism", "Blood clot in a vein or lung (past or current)"),
    ("bleeding_disorder", "Bleeding disorder"),
    ("thrombocytopenia", "Low platelets"),
    ("liver_disease", "Liver disease"),
    ("chronic_kidney_disease", "Chronic kidney disease"),
    ("immunosuppressed", "Weakened immune system"),
    ("active_infection", "Infection now"),
    ("pregnancy", "Pregnancy"),
    ("glaucoma", "Glaucoma"),
    ("osteoporosis", "Osteoporosis"),
    ("cancer", "Cancer"),
    ("prior_spine_surgery", "Previous spine surgery"),
    ("spinal_stenosis", "Spinal stenosis"),
    ("disc_herniation", "Disc herniation"),
    ("spondylolisthesis", "Spondylolisthesis"),
    ("peripheral_neuropathy", "Peripheral neuropathy"),
    ("multiple_sclerosis", "Multiple sclerosis"),
    ("myasthenia_gravis", "Myasthenia gravis"),
    ("psychiatric_disorder", "Psychiatric disorder"),
    ("contrast_allergy", "Allergy to contrast dye"),
    ("local_anesthetic_allergy", "Allergy to local anaesthetic"),
    ("steroid_allergy", "Allergy to steroids"),
    ("latex_allergy", "Latex allergy"),
    ("iodine_allergy", "Iodine allergy"),
)

TIME_UNITS = _choices(("hours", "hours ago"), ("days", "days ago"))

# Units a measured answer may be given in, by the unit the question asks for.
UNIT_FAMILIES: dict[str, tuple[str, ...]] = {
    "C": ("C", "F"),
    "F": ("F", "C"),
    "mg/dL": ("mg/dL", "mmol/L"),
    "mmol/L": ("mmol/L", "mg/dL"),
}

_UNIT_LABELS = {"C": "°C", "F": "°F"}


def humanize(code: str) -> str:
    """A readable label for a code we have no label for: 'whole_limb' -> 'Whole limb'."""
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def unit_label(unit: str) -> str:
    return _UNIT_LABELS.get(unit, unit)
