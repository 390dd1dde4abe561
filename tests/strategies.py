"""Hypothesis strategies for valid, internally consistent esi-case/1 cases."""

from __future__ import annotations

from hypothesis import strategies as st

from esiguard.kb import load_kb

KB = load_kb()
FINDING_CODES = sorted(KB.vocabulary.findings)
RED_FLAG_CODES = sorted(code for code, f in KB.findings.items() if f.red_flag)

hours_since = st.floats(min_value=0, max_value=720, allow_nan=False, allow_infinity=False)


@st.composite
def procedures(draw: st.DrawFn) -> dict:
    proc: dict = {"status": "done"}
    optional = {
        "approach": st.sampled_from(["interlaminar", "transforaminal", "caudal", "unknown"]),
        "region": st.sampled_from(["cervical", "thoracic", "lumbar", "sacral", "unknown"]),
        "side": st.sampled_from(["left", "right", "bilateral", "midline"]),
        "steroid": st.fixed_dictionaries({"name": st.sampled_from(
            ["triamcinolone", "methylprednisolone", "betamethasone", "dexamethasone", "unknown"])}),
        "local_anesthetic": st.fixed_dictionaries({"name": st.sampled_from(
            ["lidocaine", "bupivacaine", "ropivacaine", "none", "other", "unknown"])}),
        "events": st.lists(st.sampled_from(
            ["dural_puncture", "blood_aspirated", "paresthesia_during", "vasovagal_during", "multiple_passes"]),
            unique=True, max_size=2),
    }  # fmt: skip
    for key, strategy in optional.items():
        if draw(st.booleans()):
            proc[key] = draw(strategy)
    return proc


@st.composite
def findings(draw: st.DrawFn, code: str, since: float, present: bool | None = None) -> dict:
    f: dict = {"code": code}
    f["present"] = draw(st.sampled_from([True, False, None])) if present is None else present
    if f["present"] is not True:
        return f
    if draw(st.booleans()):
        f["side"] = draw(st.sampled_from(["left", "right", "both"]))
    if draw(st.booleans()):
        upper = max(since, 0.0)
        f["onset_hours"] = draw(
            st.one_of(
                st.floats(min_value=0, max_value=upper), st.floats(min_value=-2000, max_value=-0.1)
            )
        )
    for key, options in (("trend", ["improving", "stable", "worsening", "resolved"]),
                         ("severity", ["mild", "moderate", "severe"]),
                         ("pattern", ["proximal", "distal", "whole_limb", "dermatomal"])):  # fmt: skip
        if draw(st.booleans()):
            f[key] = draw(st.sampled_from(options))
    if draw(st.booleans()):
        f["nrs"] = draw(st.integers(min_value=0, max_value=10))
    if draw(st.booleans()):
        f["positional"] = draw(st.booleans())
    if code == "fever" and draw(st.booleans()):
        f["value"], f["unit"] = draw(st.floats(min_value=35, max_value=41)), "C"
    if code == "blood_glucose" and draw(st.booleans()):
        f["value"], f["unit"] = draw(st.floats(min_value=60, max_value=900)), "mg/dL"
    if code == "blood_pressure" and draw(st.booleans()):
        f["systolic"], f["diastolic"] = draw(st.integers(90, 240)), draw(st.integers(50, 140))
    return f


@st.composite
def cases(draw: st.DrawFn, max_findings: int = 6) -> dict:
    since = draw(hours_since)
    codes = draw(st.lists(st.sampled_from(FINDING_CODES), unique=True, max_size=max_findings))
    case: dict = {
        "format": "esi-case/1",
        "procedure": draw(procedures()),
        "hours_since_injection": since,
        "screen_complete": draw(st.booleans()),
        "findings": [draw(findings(code, since)) for code in codes],
    }
    if draw(st.booleans()):
        case["patient"] = {
            "age_years": draw(st.integers(18, 95)),
            "sex": draw(st.sampled_from(["female", "male"])),
            "conditions": draw(
                st.lists(
                    st.sampled_from(
                        [
                            "diabetes_type2",
                            "atrial_fibrillation",
                            "immunosuppressed",
                            "disc_herniation",
                        ]
                    ),
                    unique=True,
                    max_size=2,
                )
            ),
            "medications": draw(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "name": st.sampled_from(
                                ["apixaban", "aspirin", "ibuprofen", "metformin", "warfarin"]
                            )
                        }
                    ),
                    max_size=2,
                )
            ),
        }
    return case
