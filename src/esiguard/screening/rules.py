"""Contraindications, cautions and the steroid/approach safeguards, checked against the case.

Each check reads its thresholds and words from the rule's data entry (contraindications.yaml,
steroid_approach.yaml) and calls `emit` when the rule applies. The checks run in `CHECKS` order;
the decision does not depend on that order (it is the most cautious of all reasons).
"""

from __future__ import annotations

from collections.abc import Callable

from esiguard.screening.context import Facts
from esiguard.screening.reasons import emit
from esiguard.screening.text import glucose_text, join_words

_DIABETES = ("diabetes_type1", "diabetes_type2")
_BLEEDING_CLASSES = frozenset({"anticoagulant", "antiplatelet", "nsaid"})
_LABELS = {
    "saddle_numbness": "numbness between the legs (saddle area)",
    "urinary_retention": "trouble passing urine",
    "urinary_incontinence": "loss of bladder control",
    "bowel_incontinence": "loss of bowel control",
    "leg_weakness": "leg weakness that is getting worse",
    "arm_weakness": "arm weakness that is getting worse",
    "leg_numbness": "leg numbness that is getting worse",
    "arm_numbness": "arm numbness that is getting worse",
    "chills": "chills or shivering",
    "injection_site_redness": "redness",
    "injection_site_swelling": "swelling",
    "injection_site_drainage": "discharge",
}


# ----------------------------------------------------------------------------- red flags
def check_neuro_deficit(facts: Facts) -> None:
    rule = facts.data.rule("neuro_deficit_progressing")
    found = [_LABELS[c] for c in rule.strings("codes") if facts.present(c)]
    for code in rule.strings("worsening_codes"):
        finding = facts.present(code)
        if finding is not None and finding.trend == "worsening":
            found.append(_LABELS[code])
    if found:
        emit(facts, rule.id, {"what": join_words(found)})


# ----------------------------------------------------------------------------- infection
def check_infection(facts: Facts) -> None:
    rule = facts.data.rule("systemic_infection")
    what: list[str] = []
    if facts.has("active_infection"):
        what.append("an active infection is recorded")
    fever = facts.present("fever")
    if fever is not None:
        value = fever.canonical_value
        if value is None:
            what.append("fever")
        elif value >= rule.number("fever_c"):
            what.append(f"temperature {value:g} °C")
    what += [_LABELS[c] for c in rule.strings("codes") if facts.present(c)]
    if what:
        emit(facts, rule.id, {"what": join_words(what)})
    elif facts.groups_with_tag("antibiotic"):
        names = join_words([med.name for med, _ in facts.groups_with_tag("antibiotic")])
        emit(facts, "antibiotic_in_use", {"drug": names})
    local = facts.data.rule("local_infection")
    signs = [_LABELS[c] for c in local.strings("codes") if facts.present(c)]
    if signs:
        emit(facts, local.id, {"what": join_words(signs)})


# ----------------------------------------------------------------------------- bleeding
def _bleeding_risks(facts: Facts) -> list[str]:
    risks = sorted({m.generic for _, m in facts.matches() if m.drug_class in _BLEEDING_CLASSES})
    out = [join_words(risks)] if risks else []
    if facts.has("bleeding_disorder"):
        out.append("a bleeding disorder")
    if facts.has("liver_disease"):
        out.append("liver disease")
    inr = facts.inr
    if inr is not None and inr > facts.data.rule("inr_borderline").number("above"):
        out.append(f"INR {inr:g}")
    return out


def check_bleeding(facts: Facts) -> None:
    if facts.has("bleeding_disorder"):
        emit(facts, "bleeding_disorder")
    platelets = facts.platelets
    low = facts.data.rule("platelets_low")
    borderline = facts.data.rule("platelets_borderline")
    if platelets is not None:
        if platelets < low.number("below"):
            emit(facts, low.id, {"value": f"{platelets:g}", "below": f"{low.number('below'):g}"})
        elif platelets < borderline.number("below"):
            risks = _bleeding_risks(facts)
            limit = f"{borderline.number('below'):g}"
            if risks:
                emit(
                    facts,
                    "platelets_borderline_with_risk",
                    {"value": f"{platelets:g}", "below": limit, "risk": join_words(risks)},
                )
            else:
                emit(facts, borderline.id, {"value": f"{platelets:g}", "below": limit})
    elif facts.has("thrombocytopenia"):
        emit(facts, "platelets_unknown", {"why": "thrombocytopenia"})
    on_vka = any(entry.requires_normal_inr for _, _, entry in facts.antithrombotic_entries())
    inr = facts.inr
    if inr is not None and not on_vka:
        raised = facts.data.rule("inr_raised")
        border = facts.data.rule("inr_borderline")
        if inr > raised.number("above"):
            emit(facts, raised.id, {"value": f"{inr:g}", "above": f"{raised.number('above'):g}"})
        elif inr > border.number("above"):
            emit(facts, border.id, {"value": f"{inr:g}", "above": f"{border.number('above'):g}"})
    if facts.has("liver_disease"):
        missing = [
            name for name, value in (("INR", inr), ("platelet count", platelets)) if value is None
        ]
        if missing:
            emit(facts, "liver_disease_labs", {"missing": join_words(missing)})


# ----------------------------------------------------------------------------- pregnancy, allergy
def check_pregnancy_and_allergy(facts: Facts) -> None:
    if facts.has("pregnancy"):
        emit(facts, "pregnancy")
    contrast_planned = facts.case.procedure.contrast_used is not False
    if (facts.has("contrast_allergy") or facts.has("iodine_allergy")) and contrast_planned:
        emit(facts, "contrast_allergy_label")
    if facts.has("local_anesthetic_allergy") and facts.local_anesthetic is not None:
        emit(facts, "local_anesthetic_allergy", {"drug": facts.local_anesthetic})
    if facts.has("steroid_allergy"):
        emit(facts, "steroid_allergy")
    if facts.has("latex_allergy"):
        emit(facts, "latex_allergy")


# ----------------------------------------------------------------------------- diabetes
def check_diabetes(facts: Facts) -> None:
    plan_rule = facts.data.rule("diabetes_glucose_plan")
    hba1c = facts.hba1c
    diabetic = (
        any(facts.has(c) for c in _DIABETES)
        or bool(facts.groups_with_tag("diabetes"))
        or (hba1c is not None and hba1c >= plan_rule.number("hba1c_diabetes"))
    )
    glucose_finding = facts.present("blood_glucose")
    glucose = glucose_finding.canonical_value if glucose_finding else None
    bad = facts.data.rule("diabetes_uncontrolled")
    poor = facts.data.rule("diabetes_poor_control")
    readings: list[str] = []
    if glucose is not None:
        readings.append(f"blood glucose {glucose_text(glucose)}")
    if hba1c is not None:
        readings.append(f"HbA1c {hba1c:g}%")
    symptoms = [c for c in bad.strings("symptom_codes") if facts.present(c)]
    high_glucose = glucose is not None and glucose >= poor.number("glucose_mg_dl")
    high_hba1c = hba1c is not None and hba1c >= poor.number("hba1c_percent")
    if (glucose is not None and glucose >= bad.number("glucose_mg_dl")) or (
        symptoms and (diabetic or high_glucose or high_hba1c)
    ):
        what = readings + (["thirst and passing a lot of urine"] if symptoms else [])
        emit(facts, bad.id, {"what": join_words(what)})
    elif high_glucose or high_hba1c:
        emit(facts, poor.id, {"what": join_words(readings)})
    if diabetic:
        emit(facts, plan_rule.id)


# ----------------------------------------------------------------------------- heart, kidney, BP
def check_circulation(facts: Facts) -> None:
    if facts.has("heart_failure"):
        emit(facts, "heart_failure")
    kidney = facts.data.rule("kidney_disease_fluid")
    egfr = facts.egfr
    if egfr is not None and egfr < kidney.number("egfr_below"):
        emit(facts, kidney.id, {"what": f"eGFR {egfr:g}"})
    elif facts.has("chronic_kidney_disease"):
        what = (
            f"chronic kidney disease, eGFR {egfr:g}"
            if egfr is not None
            else "chronic kidney disease"
        )
        emit(facts, kidney.id, {"what": what})
    bp = facts.present("blood_pressure")
    if bp is not None and (bp.systolic is not None or bp.diastolic is not None):
        sys_, dia = bp.systolic or 0, bp.diastolic or 0
        what = (
            f"{sys_:g}/{dia:g} mmHg" if bp.systolic and bp.diastolic else f"{max(sys_, dia):g} mmHg"
        )
        for rule_id in ("blood_pressure_very_high", "blood_pressure_high"):
            rule = facts.data.rule(rule_id)
            if sys_ >= rule.number("systolic") or dia >= rule.number("diastolic"):
                emit(facts, rule_id, {"what": what})
                break


# ----------------------------------------------------------------------------- immune, eyes, mind
def check_other_conditions(facts: Facts) -> None:
    what: list[str] = []
    if facts.has("immunosuppressed"):
        what.append("recorded immunosuppression")
    meds = [med.name for med, _ in facts.groups_with_tag("immunosuppressant")]
    if meds:
        what.append(f"you take {join_words(meds)}")
    if what:
        emit(facts, "immunosuppression", {"what": join_words(what)})
    if facts.has("glaucoma"):
        emit(facts, "glaucoma")
    cscr = facts.data.rule("cscr_history")
    if facts.mentions(cscr.strings("patterns")):
        emit(facts, cscr.id)
    if facts.has("psychiatric_disorder"):
        emit(facts, "psychiatric_history")
    if facts.has("cancer"):
        emit(facts, "cancer_history")


# ----------------------------------------------------------------------------- steroid interactions
def check_steroid_interactions(facts: Facts) -> None:
    boosters = [med.name for med, _ in facts.groups_with_tag("cyp3a4_booster")]
    if not boosters:
        return
    steroid = facts.steroid_name
    if steroid == "triamcinolone":
        emit(facts, "ritonavir_triamcinolone", {"drug": join_words(boosters)})
    else:
        label = steroid if steroid not in (None, "unknown", "other") else "not stated"
        emit(facts, "booster_other_steroid", {"drug": join_words(boosters), "steroid": label})


# ----------------------------------------------------------------------------- repeat injections
def check_repeat_injections(facts: Facts) -> None:
    prior = facts.prior_injections
    exceeded = facts.data.rule("repeat_sessions_exceeded")
    escalation = facts.data.rule("repeat_sessions_escalation")
    cumulative = facts.data.rule("cumulative_steroid_high")
    osteoporosis = facts.has("osteoporosis") or bool(facts.groups_with_tag("bone"))
    total: float | None = None
    if facts.prior_steroid_mg is not None:
        total = facts.prior_steroid_mg + (facts.planned_steroid_triamcinolone_mg or 0.0)
    too_much_steroid = total is not None and total > cumulative.number("cumulative_mg_12_months")
    escalated = False
    if prior is not None and prior >= exceeded.number("max_sessions_12_months"):
        number = prior + 1
        risks: list[str] = []
        if total is not None and total > escalation.number("cumulative_mg_12_months"):
            risks.append(f"a steroid total of about {total:g} mg this year")
        if osteoporosis:
            risks.append("osteoporosis")
        if risks:
            emit(facts, escalation.id, {"number": number, "risk": join_words(risks)})
            escalated = True
        else:
            emit(
                facts,
                exceeded.id,
                {"number": number, "max": f"{exceeded.number('max_sessions_12_months'):g}"},
            )
    if too_much_steroid and not escalated:
        limit = f"{cumulative.number('cumulative_mg_12_months'):g}"
        emit(facts, cumulative.id, {"total": f"{total:g}", "limit": limit})
    if osteoporosis and not escalated:
        emit(facts, "osteoporosis_repeat" if prior else "osteoporosis_info")


# ----------------------------------------------------------------------------- steroid and approach
def _steroid_label(facts: Facts) -> str:
    name = facts.steroid_name
    return "not stated" if name is None else name


def check_steroid_and_approach(facts: Facts) -> None:
    approach, region = facts.approach, facts.region
    particulate = facts.steroid_particulate
    steroid = _steroid_label(facts)
    unclear = approach is None or (approach == "transforaminal" and region is None)
    if unclear and particulate is not False:
        emit(
            facts,
            "plan_details_unknown",
            {
                "approach": approach or "not stated",
                "region": region or "not stated",
                "steroid": steroid,
            },
        )
    if approach == "transforaminal" and region is not None:
        if particulate is None:
            emit(facts, "tf_steroid_unknown")
        elif particulate:
            if region == "cervical":
                emit(facts, "particulate_cervical_tf", {"steroid": steroid})
            elif region == "thoracic":
                emit(facts, "particulate_thoracic_tf", {"steroid": steroid})
            elif facts.prior_injections:
                emit(facts, "particulate_lumbar_tf_repeat", {"steroid": steroid})
            else:
                emit(facts, "particulate_lumbar_tf_first", {"steroid": steroid})
    if approach == "transforaminal":
        emit(facts, "tf_technique_safeguards")
    _check_guidance(facts, approach, region)
    if approach == "interlaminar" and region == "cervical":
        _check_cervical_interlaminar(facts)


def _check_guidance(facts: Facts, approach: str | None, region: str | None) -> None:
    guidance = facts.case.procedure.guidance
    contrast = facts.case.procedure.contrast_used
    risky = approach == "transforaminal" or region == "cervical"
    if guidance in ("none", "ultrasound") and risky:
        words = "no image guidance" if guidance == "none" else "ultrasound guidance"
        region_text = f" in the {region} spine" if region else ""
        # A neck transforaminal injection without live X-ray and contrast risks the vertebral
        # artery: the plan must change before it goes ahead (postpone), not just take care.
        rule_id = (
            "image_guidance_missing_cervical_tf"
            if approach == "transforaminal" and region == "cervical"
            else "image_guidance_missing_tf_or_cervical"
        )
        emit(
            facts,
            rule_id,
            {"guidance": words, "approach": approach or "epidural", "region_text": region_text},
        )
    elif guidance == "none":
        emit(facts, "image_guidance_missing_il", {"approach": approach or "epidural"})
    elif guidance in (None, "unknown"):
        emit(facts, "image_guidance_unknown")
    if contrast is False:
        emit(
            facts,
            "contrast_not_planned_tf"
            if approach == "transforaminal"
            else "contrast_not_planned_il",
        )


def _check_cervical_interlaminar(facts: Facts) -> None:
    rule = facts.data.rule("cervical_il_level_high")
    allowed = set(rule.strings("recommended_levels")) | set(rule.strings("acceptable_levels"))
    levels = facts.case.procedure.levels or []
    high = [lvl for lvl in levels if lvl.upper() not in allowed and lvl.upper().startswith("C")]
    if high:
        emit(facts, rule.id, {"levels": join_words(high)})
    emit(facts, "cervical_il_imaging_review")
    if facts.local_anesthetic is not None:
        emit(facts, "cervical_il_local_anaesthetic", {"drug": facts.local_anesthetic})


CHECKS: tuple[Callable[[Facts], None], ...] = (
    check_neuro_deficit,
    check_infection,
    check_bleeding,
    check_pregnancy_and_allergy,
    check_diabetes,
    check_circulation,
    check_other_conditions,
    check_steroid_interactions,
    check_repeat_injections,
    check_steroid_and_approach,
)
