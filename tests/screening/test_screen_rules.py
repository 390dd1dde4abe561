"""Contraindications, cautions and steroid/approach safeguards change the decision as specified."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.screening.helpers import codes, planned_case, reasons_for

from esiguard.screening import screen


def test_a_clean_plan_proceeds(kb) -> None:
    result = screen(planned_case(), kb)
    assert result.decision == "proceed"
    assert result.format == "esi-screen/1"
    assert result.kb_version == kb.version
    assert result.unanswered == []


# --- infection
def test_fever_postpones(kb) -> None:
    case = planned_case(findings=[{"code": "fever", "value": 38.4, "unit": "C"}])
    assert screen(case, kb).decision == "postpone"


def test_temperature_below_fever_threshold_does_not_postpone(kb) -> None:
    case = planned_case(findings=[{"code": "fever", "value": 37.2, "unit": "C"}])
    assert screen(case, kb).decision == "proceed"


def test_fever_reported_absent_does_not_postpone(kb) -> None:
    case = planned_case(findings=[{"code": "fever", "present": False}])
    assert screen(case, kb).decision == "proceed"


def test_active_infection_condition_postpones(kb) -> None:
    result = screen(planned_case(conditions=["active_infection"]), kb)
    assert result.decision == "postpone"
    assert "48 hours without fever" in reasons_for(result, "systemic_infection")[0].text


def test_skin_infection_at_the_site_postpones(kb) -> None:
    case = planned_case(findings=[{"code": "injection_site_redness"}])
    assert "local_infection" in codes(screen(case, kb))


def test_an_antibiotic_without_a_recorded_infection_asks_whether_it_has_cleared(kb) -> None:
    result = screen(planned_case(medications=[{"name": "Augmentin"}]), kb)
    assert result.decision == "proceed_with_precautions"
    assert "antibiotic_in_use" in codes(result)
    assert result.unanswered


# --- bleeding
@pytest.mark.parametrize(
    ("platelets", "decision"),
    [(42, "postpone"), (49.9, "postpone"), (65, "proceed_with_precautions"), (80, "proceed")],
)
def test_platelet_thresholds(platelets: float, decision: str, kb) -> None:
    case = planned_case(labs={"platelets_per_nl": platelets}, age=60)
    assert screen(case, kb).decision == decision


def test_borderline_platelets_with_a_blood_thinner_postpone(kb) -> None:
    case = planned_case(
        labs={"platelets_per_nl": 65},
        medications=[{"name": "ibuprofen", "last_dose_hours_before": 2}],
    )
    result = screen(case, kb)
    assert result.decision == "postpone"
    assert "platelets_borderline_with_risk" in codes(result)


def test_bleeding_disorder_postpones(kb) -> None:
    assert screen(planned_case(conditions=["bleeding_disorder"]), kb).decision == "postpone"


def test_raised_inr_without_an_anticoagulant_postpones_and_borderline_is_a_caution(kb) -> None:
    assert screen(planned_case(labs={"inr": 1.8}), kb).decision == "postpone"
    assert screen(planned_case(labs={"inr": 1.35}), kb).decision == "proceed_with_precautions"


def test_liver_disease_without_labs_asks_for_them_and_raises_the_risk_class(kb) -> None:
    result = screen(planned_case(conditions=["liver_disease"]), kb)
    assert "liver_disease_labs" in codes(result)
    assert result.bleeding_risk_class == "high"


# --- pregnancy, allergy
def test_pregnancy_postpones(kb) -> None:
    assert screen(planned_case(conditions=["pregnancy"]), kb).decision == "postpone"


@pytest.mark.parametrize("label", ["contrast_allergy", "iodine_allergy"])
def test_contrast_or_iodine_allergy_label_is_clarified_not_a_block(label: str, kb) -> None:
    result = screen(planned_case(conditions=[label]), kb)
    assert result.decision == "proceed_with_precautions"
    reason = reasons_for(result, "contrast_allergy_label")[0]
    assert reason.alternative
    assert "advisory" in reason.alternative


def test_local_anaesthetic_allergy_is_a_caution_only_when_one_is_planned(kb) -> None:
    with_la = screen(planned_case(conditions=["local_anesthetic_allergy"]), kb)
    assert "local_anesthetic_allergy" in codes(with_la)
    without = planned_case(
        conditions=["local_anesthetic_allergy"], procedure={"local_anesthetic": {"name": "none"}}
    )
    assert "local_anesthetic_allergy" not in codes(screen(without, kb))


def test_steroid_allergy_postpones_and_latex_allergy_is_a_precaution(kb) -> None:
    assert screen(planned_case(conditions=["steroid_allergy"]), kb).decision == "postpone"
    latex = screen(planned_case(conditions=["latex_allergy"]), kb)
    assert latex.decision == "proceed_with_precautions"


# --- diabetes
def test_controlled_diabetes_gets_a_glucose_plan(kb) -> None:
    result = screen(planned_case(conditions=["diabetes_type2"], labs={"hba1c_percent": 6.9}), kb)
    assert result.decision == "proceed_with_precautions"
    plan = reasons_for(result, "diabetes_glucose_plan")[0].text
    assert "3 days" in plan
    assert "same day" in plan


def test_diabetes_medicine_alone_means_diabetes(kb) -> None:
    result = screen(planned_case(medications=[{"name": "metformin"}]), kb)
    assert "diabetes_glucose_plan" in codes(result)


def test_high_hba1c_is_poor_control(kb) -> None:
    result = screen(planned_case(conditions=["diabetes_type2"], labs={"hba1c_percent": 9.1}), kb)
    assert "diabetes_poor_control" in codes(result)
    assert result.decision == "proceed_with_precautions"


@pytest.mark.parametrize(("value", "unit"), [(320, "mg/dL"), (18.0, "mmol/L")])
def test_glucose_of_300_or_more_postpones(value: float, unit: str, kb) -> None:
    case = planned_case(
        conditions=["diabetes_type1"],
        findings=[{"code": "blood_glucose", "value": value, "unit": unit}],
    )
    assert screen(case, kb).decision == "postpone"


def test_symptomatic_hyperglycaemia_in_a_diabetic_postpones(kb) -> None:
    case = planned_case(
        conditions=["diabetes_type2"], findings=[{"code": "thirst_frequent_urination"}]
    )
    assert screen(case, kb).decision == "postpone"


# --- other conditions
@pytest.mark.parametrize(
    ("condition", "code"),
    [
        ("heart_failure", "heart_failure"),
        ("immunosuppressed", "immunosuppression"),
        ("glaucoma", "glaucoma"),
        ("cancer", "cancer_history"),
        ("chronic_kidney_disease", "kidney_disease_fluid"),
    ],
)
def test_relative_contraindications_are_precautions(condition: str, code: str, kb) -> None:
    result = screen(planned_case(conditions=[condition]), kb)
    assert code in codes(result)
    assert result.decision == "proceed_with_precautions"


def test_immunosuppressant_medicine_is_a_precaution(kb) -> None:
    result = screen(planned_case(medications=[{"name": "Humira"}]), kb)
    assert "immunosuppression" in codes(result)


def test_central_serous_chorioretinopathy_history_postpones(kb) -> None:
    case = planned_case()
    case["narrative"] = "I had central serous chorioretinopathy in my left eye two years ago."
    result = screen(case, kb)
    assert "cscr_history" in codes(result)
    assert result.decision == "postpone"


def test_very_high_blood_pressure_postpones(kb) -> None:
    case = planned_case(findings=[{"code": "blood_pressure", "systolic": 192, "diastolic": 104}])
    assert screen(case, kb).decision == "postpone"


def test_worsening_weakness_or_bladder_symptoms_before_the_injection_block_it(kb) -> None:
    case = planned_case(findings=[{"code": "urinary_retention"}])
    result = screen(case, kb)
    assert result.decision == "do_not_proceed"
    assert result.reasons[0].text.startswith("Get medical help today")
    stable = planned_case(
        findings=[{"code": "leg_weakness", "trend": "stable", "onset_hours": -500}]
    )
    assert screen(stable, kb).decision == "proceed"
    worse = planned_case(findings=[{"code": "leg_weakness", "trend": "worsening"}])
    assert screen(worse, kb).decision == "do_not_proceed"


# --- steroid interactions
def test_ritonavir_with_triamcinolone_changes_the_steroid(kb) -> None:
    case = planned_case(
        medications=[{"name": "Kaletra"}],
        procedure={"approach": "interlaminar", "steroid": {"name": "triamcinolone", "dose_mg": 40}},
    )
    result = screen(case, kb)
    reason = reasons_for(result, "ritonavir_triamcinolone")[0]
    assert "dexamethasone" in (reason.alternative or "")
    assert result.decision == "proceed_with_precautions"


# --- repeats and dose
def test_more_than_four_sessions_a_year_postpones(kb) -> None:
    result = screen(planned_case(prior_injections_12_months=4), kb)
    assert result.decision == "postpone"
    assert "repeat_sessions_exceeded" in codes(result)


def test_too_many_sessions_with_osteoporosis_or_a_large_steroid_total_do_not_proceed(kb) -> None:
    bone = planned_case(prior_injections_12_months=5, conditions=["osteoporosis"])
    assert screen(bone, kb).decision == "do_not_proceed"
    dose = planned_case(prior_injections_12_months=4, prior_steroid_mg_12_months=240)
    assert screen(dose, kb).decision == "do_not_proceed"


def test_cumulative_steroid_above_200_mg_is_a_precaution(kb) -> None:
    case = planned_case(
        prior_injections_12_months=2,
        prior_steroid_mg_12_months=160,
        procedure={"approach": "interlaminar", "steroid": {"name": "triamcinolone", "dose_mg": 80}},
    )
    result = screen(case, kb)
    assert "cumulative_steroid_high" in codes(result)
    assert "240" in reasons_for(result, "cumulative_steroid_high")[0].text


# --- MPW safeguards
@pytest.mark.parametrize("steroid", ["triamcinolone", "methylprednisolone", "betamethasone"])
def test_particulate_steroid_for_cervical_tf_is_a_violation_with_dexamethasone_alternative(
    steroid: str, kb
) -> None:
    case = planned_case(
        procedure={"region": "cervical", "levels": ["C6-C7"], "steroid": {"name": steroid}}
    )
    result = screen(case, kb)
    assert result.decision in ("proceed_with_precautions", "do_not_proceed")
    reason = reasons_for(result, "particulate_cervical_tf")[0]
    assert "dexamethasone" in (reason.alternative or "").lower()


def test_dexamethasone_for_cervical_transforaminal_is_not_flagged(kb) -> None:
    case = planned_case(procedure={"region": "cervical", "levels": ["C6-C7"]})
    assert "particulate_cervical_tf" not in codes(screen(case, kb))


def test_first_lumbar_transforaminal_with_particulate_steroid_advises_dexamethasone(kb) -> None:
    case = planned_case(procedure={"steroid": {"name": "triamcinolone", "dose_mg": 40}})
    result = screen(case, kb)
    assert "particulate_lumbar_tf_first" in codes(result)
    assert result.decision == "proceed_with_precautions"


def test_transforaminal_with_unknown_steroid_asks_which(kb) -> None:
    case = planned_case(procedure={"steroid": {"name": "unknown"}})
    result = screen(case, kb)
    assert "tf_steroid_unknown" in codes(result)
    assert result.unanswered


@pytest.mark.parametrize("guidance", ["none", "ultrasound"])
def test_transforaminal_without_fluoroscopy_is_a_warning(guidance: str, kb) -> None:
    result = screen(planned_case(procedure={"guidance": guidance}), kb)
    assert "image_guidance_missing_tf_or_cervical" in codes(result)
    assert result.decision == "proceed_with_precautions"


def test_transforaminal_without_contrast_is_a_warning(kb) -> None:
    result = screen(planned_case(procedure={"contrast_used": False}), kb)
    assert "contrast_not_planned_tf" in codes(result)


def test_cervical_interlaminar_above_c6_c7_is_a_warning_and_c7_t1_is_not(kb) -> None:
    base = {"approach": "interlaminar", "region": "cervical", "local_anesthetic": {"name": "none"}}
    high = screen(planned_case(procedure={**base, "levels": ["C5-C6"]}), kb)
    assert "cervical_il_level_high" in codes(high)
    low = screen(planned_case(procedure={**base, "levels": ["C7-T1"]}), kb)
    assert "cervical_il_level_high" not in codes(low)
    assert "cervical_il_imaging_review" in codes(low)
    assert low.decision == "proceed"


def test_missing_approach_with_particulate_steroid_cannot_be_cleared(kb) -> None:
    case = planned_case(procedure={"approach": "unknown", "steroid": {"name": "triamcinolone"}})
    result = screen(case, kb)
    assert "plan_details_unknown" in codes(result)
    assert result.decision != "proceed"


# --- antithrombotics
def test_missing_last_dose_of_a_drug_to_hold_is_unanswered_and_never_proceed(kb) -> None:
    result = screen(planned_case(medications=[{"name": "rivaroxaban"}]), kb)
    assert any("rivaroxaban" in q for q in result.unanswered)
    # Until the last dose is confirmed the injection cannot go ahead on the day.
    assert result.decision == "postpone"


def test_aspirin_for_secondary_prevention_continues(kb) -> None:
    meds = [{"name": "aspirin", "indication": "secondary prevention after MI", "dose": "81 mg"}]
    result = screen(planned_case(medications=meds), kb)
    assert result.decision == "proceed"
    assert result.medication_plan[0].action == "shared_decision"
    assert "Keep taking" in result.medication_plan[0].instruction


def test_aspirin_with_unknown_indication_asks_why(kb) -> None:
    result = screen(planned_case(medications=[{"name": "aspirin"}]), kb)
    assert "aspirin_indication_unknown" in codes(result)
    assert result.decision == "proceed_with_precautions"


def test_aspirin_primary_prevention_in_a_high_risk_patient_needs_six_days(kb) -> None:
    meds = [{"name": "aspirin", "indication": "primary prevention", "last_dose_hours_before": 48}]
    result = screen(planned_case(medications=meds, age=82), kb)
    assert result.bleeding_risk_class == "high"
    assert result.decision == "postpone"


def test_recent_coronary_stent_on_clopidogrel_postpones_even_if_held(kb) -> None:
    meds = [
        {
            "name": "clopidogrel",
            "indication": "drug-eluting stent placed three months ago",
            "last_dose_hours_before": 200,
        }
    ]
    result = screen(planned_case(medications=meds, conditions=["coronary_stent"]), kb)
    assert "stent_recent" in codes(result)
    assert result.decision == "postpone"


def test_old_stent_on_clopidogrel_asks_for_the_cardiologist(kb) -> None:
    meds = [{"name": "Plavix", "indication": "stent 5 years ago", "last_dose_hours_before": 200}]
    result = screen(planned_case(medications=meds, conditions=["coronary_stent"]), kb)
    assert "stent_cardiologist" in codes(result)
    assert result.medication_plan[0].ask_first == "cardiologist"
    assert "cardiologist" in result.medication_plan[0].instruction


def test_ssri_with_an_nsaid_is_flagged(kb) -> None:
    meds = [{"name": "fluoxetine"}, {"name": "Toradol"}]
    result = screen(planned_case(medications=meds), kb)
    assert "serotonergic_combination" in codes(result)


def test_lmwh_dose_chooses_the_row(kb) -> None:
    proph = screen(planned_case(medications=[{"name": "Lovenox", "dose": "40 mg daily"}]), kb)
    ther = screen(planned_case(medications=[{"name": "Lovenox", "dose": "1 mg/kg BID"}]), kb)
    unclear = screen(planned_case(medications=[{"name": "Lovenox"}]), kb)
    assert proph.medication_plan[0].hold_hours_before == 12
    assert ther.medication_plan[0].hold_hours_before == 24
    assert unclear.medication_plan[0].hold_hours_before == 24
    assert "lmwh_regimen_unclear" in codes(unclear)


def test_patient_factors_upgrade_the_risk_class(kb) -> None:
    assert screen(planned_case(age=60), kb).bleeding_risk_class == "intermediate"
    assert screen(planned_case(age=76), kb).bleeding_risk_class == "high"
    two = planned_case(medications=[{"name": "aspirin", "indication": "stroke"}, {"name": "Advil"}])
    assert screen(two, kb).bleeding_risk_class == "high"


# --- plan wording
def test_plan_names_the_day_and_time_when_the_injection_time_is_given(kb) -> None:
    case = planned_case(medications=[{"name": "Eliquis 5 mg"}], hours_until=240)
    result = screen(case, kb, injection_at=dt.datetime(2026, 12, 7, 9, 0))
    text = result.medication_plan[0].instruction
    assert "Friday 4 December 2026 at 09:00" in text
    assert "at least 72 hours (3 days) before the injection" in text
    assert "Restart" in text
    assert "Tuesday 8 December 2026 at 09:00" in text


def test_plan_without_a_clock_time_says_hours_before_the_injection(kb) -> None:
    case = planned_case(medications=[{"name": "Xarelto"}], hours_until=None)
    text = screen(case, kb).medication_plan[0].instruction
    assert "Take your last dose of Xarelto (rivaroxaban) at least 72 hours (3 days)" in text


def test_decision_is_the_most_cautious_of_all_reasons(kb) -> None:
    case = planned_case(
        conditions=["pregnancy", "glaucoma"], findings=[{"code": "saddle_numbness"}]
    )
    result = screen(case, kb)
    assert result.decision == "do_not_proceed"
    severities = [r.severity for r in result.reasons]
    order = ["block", "postpone", "caution", "info"]
    assert severities == sorted(severities, key=order.index)


def test_citations_are_the_sources_of_the_reasons(kb) -> None:
    result = screen(planned_case(conditions=["pregnancy"]), kb)
    assert any(c.startswith("[R95]") for c in result.citations)


def test_unknown_drug_in_a_patient_with_an_anticoagulation_indication_postpones(kb) -> None:
    """An unrecognised medicine in someone with atrial fibrillation may be an anticoagulant."""
    result = screen(
        planned_case(
            conditions=["atrial_fibrillation"],
            medications=[{"name": "Quelvoran", "last_dose_hours_before": 10}],
        ),
        kb,
    )
    assert result.decision == "postpone"
    assert "unknown_medication_possible_antithrombotic" in codes(result)


def test_cervical_transforaminal_under_ultrasound_postpones(kb) -> None:
    """A neck transforaminal injection without live X-ray and contrast must be re-planned."""
    plan = {
        "approach": "transforaminal",
        "region": "cervical",
        "levels": ["C6-C7"],
        "guidance": "ultrasound",
        "contrast_used": False,
    }
    result = screen(planned_case(procedure=plan), kb)
    assert result.decision == "postpone"


def test_enoxaparin_40_mg_daily_is_the_preventive_row_even_when_bridging(kb) -> None:
    """The dose decides the LMWH row: 40 mg once daily is prophylactic (12 h), not treatment."""
    med = {
        "name": "enoxaparin",
        "dose": "40 mg once daily",
        "indication": "bridging",
        "last_dose_hours_before": 14,
    }
    result = screen(planned_case(medications=[med]), kb)
    assert result.medication_plan[0].hold_hours_before == 12
