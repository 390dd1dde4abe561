"""The medication plan: every medicine in the case, checked against the antithrombotic table.

For each antithrombotic the applicable guideline cell is chosen (risk column, regimen, kidney
function), the last-dose interval and the INR are checked, and a plan a patient can follow is
written.
Unknown names are reported, never passed.
"""

from __future__ import annotations

import datetime as dt
import re

from esiguard.case import Medication
from esiguard.screening.context import Facts
from esiguard.screening.data import AntithromboticEntry, HoldSpec, Regimen, RiskClass
from esiguard.screening.drugs import DrugMatch
from esiguard.screening.model import MedicationPlanItem, PlanAction
from esiguard.screening.reasons import emit
from esiguard.screening.text import clock, duration, join_words

_P2Y12 = frozenset({"clopidogrel", "prasugrel", "ticagrelor"})
_ASPIRIN_ENTRIES = frozenset({"aspirin", "aspirin_combination"})
_UPGRADE_CLASSES = frozenset({"anticoagulant", "antiplatelet", "nsaid"})
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a": 1,
    "an": 1,
}
_AGO = re.compile(
    r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an)\s+"
    r"(day|week|month|year)s?\s+ago"
)
_MONTHS_PER_UNIT = {"day": 1 / 30.4, "week": 7 / 30.4, "month": 1.0, "year": 12.0}
_WHO = {"cardiologist": "your cardiologist", "prescriber": "the doctor who prescribes it"}
_WHO_DEFAULT = "the pain doctor"


def display_name(med: Medication, match: DrugMatch) -> str:
    """'Eliquis (apixaban)' for a brand, 'apixaban' for a generic or a misspelling."""
    alias = match.matched_alias
    if alias[:1].isupper() and alias.lower() != match.generic.lower():
        return f"{alias} ({match.generic})"
    return match.generic


def _matches_any(text: str, patterns: list[str]) -> str | None:
    for pattern in patterns:
        if re.search(pattern, text):
            return pattern
    return None


# ----------------------------------------------------------------------------- risk class
def procedure_risk_class(facts: Facts) -> RiskClass:
    """The guideline's class for the planned procedure (every ESI: intermediate)."""
    procedure = facts.data.rule("procedure_risk_class")
    base = procedure.params.get(facts.approach or "default", procedure.params["default"])
    return "high" if base == "high" else "intermediate"


def bleeding_risk_class(facts: Facts) -> tuple[RiskClass, list[str]]:
    """ESIs are intermediate risk; patient factors move the patient to the high-risk column."""
    base = procedure_risk_class(facts)
    facts.trace.append(f"procedure bleeding-risk class: {base} ({facts.approach} approach)")
    if base == "high":
        return "high", []
    rule = facts.data.rule("bleeding_risk_upgraded")
    factors: list[str] = []
    age = facts.age
    if age is not None and age >= rule.number("age_years"):
        factors.append(f"age {age:g}")
    if facts.has("bleeding_disorder"):
        factors.append("a bleeding disorder")
    platelets = facts.platelets
    if facts.has("thrombocytopenia") or (
        platelets is not None and platelets < rule.number("platelets_below")
    ):
        factors.append("low platelets")
    drugs = {m.generic for _, m in facts.matches() if m.drug_class in _UPGRADE_CLASSES}
    if len(drugs) >= rule.number("min_antithrombotics"):
        factors.append(
            f"{len(drugs)} blood-thinning medicines together ({join_words(sorted(drugs))})"
        )
    if facts.has("liver_disease"):
        factors.append("liver disease")
    egfr = facts.egfr
    if egfr is not None and egfr < rule.number("egfr_advanced_below"):
        factors.append(f"advanced kidney disease (eGFR {egfr:g})")
    elif egfr is None and facts.has("chronic_kidney_disease"):
        factors.append("kidney disease of unknown severity")
    if factors:
        emit(facts, "bleeding_risk_upgraded", {"factors": join_words(factors)})
        facts.trace.append(f"bleeding risk class: high ({'; '.join(factors)})")
        return "high", factors
    facts.trace.append("bleeding risk class: intermediate (no patient factor raises it)")
    return "intermediate", factors


# ----------------------------------------------------------------------------- regimen choice
def _regimen(
    facts: Facts, med: Medication, match: DrugMatch, entry: AntithromboticEntry
) -> Regimen:
    text = " ".join(x for x in (med.name, med.dose or "", med.indication or "") if x).lower()
    if entry.regimen_by == "none":
        return entry.regimen("standard")
    if entry.regimen_by == "aspirin_indication":
        rule = facts.data.rule("aspirin_indication_unknown")
        indication = (med.indication or "").lower()
        if facts.has("coronary_stent") or _matches_any(
            indication, rule.strings("secondary_patterns")
        ):
            facts.trace.append(f"{match.generic}: secondary prevention (indication or stent)")
            return entry.regimen("secondary_prevention")
        if _matches_any(indication, rule.strings("primary_patterns")):
            facts.trace.append(f"{match.generic}: primary prevention (indication)")
            return entry.regimen("primary_prevention")
        emit(
            facts,
            "aspirin_indication_unknown",
            {"drug": display_name(med, match)},
            drug=match.generic,
        )
        facts.trace.append(f"{match.generic}: indication unknown, primary-prevention row used")
        return entry.regimen("primary_prevention")
    if entry.regimen_by == "heparin_route":
        rule = facts.data.rule("heparin_route_unclear")
        if _matches_any(text, rule.strings("iv_patterns")):
            return entry.regimen("intravenous")
        if not _matches_any(text, rule.strings("sc_patterns")):
            emit(
                facts,
                "heparin_route_unclear",
                {"drug": display_name(med, match)},
                drug=match.generic,
            )
        return entry.regimen("subcutaneous")
    # lmwh_dose
    rule = facts.data.rule("lmwh_regimen_unclear")
    dose = (med.dose or "").lower()
    # The dose itself decides first ("40 mg once daily" is a preventive dose even when the
    # indication says bridging); indication words decide only when the dose is silent.
    if _matches_any(dose, rule.strings("therapeutic_patterns")):
        return entry.regimen("therapeutic")
    if not re.search(r"\d", dose) and _matches_any(text, rule.strings("therapeutic_patterns")):
        return entry.regimen("therapeutic")
    mg = re.search(r"(\d+(?:\.\d+)?)\s*mg", dose)
    units = re.search(r"(\d[\d,]*)\s*(?:iu|units?|u)\b", dose)
    if match.generic == "enoxaparin" and mg:
        limit = rule.number("enoxaparin_prophylactic_max_mg")
        return entry.regimen("prophylactic" if float(mg.group(1)) <= limit else "therapeutic")
    if units:
        limit = rule.number("prophylactic_max_units")
        value = float(units.group(1).replace(",", ""))
        return entry.regimen("prophylactic" if value <= limit else "therapeutic")
    if _matches_any(text, rule.strings("prophylactic_patterns")):
        return entry.regimen("prophylactic")
    emit(facts, "lmwh_regimen_unclear", {"drug": display_name(med, match)}, drug=match.generic)
    return entry.regimen("therapeutic")


def _stent_months(med: Medication, facts: Facts) -> float | None:
    """Months since a coronary stent, when the text says so ('placed four years ago')."""
    for text in (med.indication or "", facts.case.narrative or ""):
        lower = text.lower()
        if "stent" not in lower:
            continue
        found = _AGO.search(lower[lower.index("stent") :]) or _AGO.search(lower)
        if found:
            amount = found.group(1)
            number = float(_WORD_NUMBERS[amount]) if amount in _WORD_NUMBERS else float(amount)
            return number * _MONTHS_PER_UNIT[found.group(2)]
        if re.search(r"\brecent(ly)?\b", lower):
            return 0.0
    return None


# ----------------------------------------------------------------------------- instructions
def _last_dose_by(facts: Facts, hours: float) -> str:
    if facts.injection_at is not None:
        deadline = facts.injection_at - dt.timedelta(hours=hours)
        at_least = f"at least {duration(hours)} before the injection"
        return f"no later than {clock(deadline)}, that is {at_least}"
    until = facts.hours_until_injection
    if until is not None and until > hours:
        return (
            f"at least {duration(hours)} before the injection: the injection is in about "
            f"{duration(until)}, so no later than about {duration(until - hours)} from now"
        )
    return f"at least {duration(hours)} before the injection"


def _restart(facts: Facts, name: str, spec: HoldSpec) -> str:
    if spec.restart_hours is None:
        return f"Ask the pain doctor when to restart {name} after the injection."
    when = duration(spec.restart_hours, spec.restart_hours_max)
    text = f"Restart {name} {when} after the injection"
    if facts.injection_at is not None:
        text += f" (from {clock(facts.injection_at + dt.timedelta(hours=spec.restart_hours))})"
    return text + ", unless the doctor tells you otherwise."


def _ask_first(entry: AntithromboticEntry, stent: bool) -> str:
    if stent:
        return "Do not stop it without your cardiologist's agreement."
    if entry.ask_first == "cardiologist":
        return "Ask your cardiologist before you stop it."
    if entry.ask_first == "prescriber":
        return "Check with the doctor who prescribes it before you stop it."
    return ""


def _hold_instruction(
    facts: Facts,
    med: Medication,
    match: DrugMatch,
    entry: AntithromboticEntry,
    spec: HoldSpec,
    needed_text: str,
    ok: bool | None,
    stent: bool,
) -> str:
    name = display_name(med, match)
    assert spec.hours is not None
    last = med.last_dose_hours_before
    parts: list[str] = []
    if ok is True and last is not None:
        parts.append(
            f"Your last dose of {name} was {duration(last)} before the injection: that is long "
            f"enough ({needed_text} needed). Do not take any more before the injection."
        )
    elif ok is False and last is not None and spec.when_not_held == "caution":
        parts.append(
            f"Your last dose of {name} was {duration(last)} before the injection. For people at "
            f"higher bleeding risk the guideline suggests stopping it at least "
            f"{duration(spec.hours)} before: ask the pain doctor whether to go ahead or to move "
            "the injection."
        )
    elif ok is False and last is not None:
        parts.append(
            f"Your last dose of {name} was {duration(last)} before the planned injection, but "
            f"{needed_text} are needed, so the injection should be moved to a later date. "
            f"For the new date, take your last dose of {name} at least {duration(spec.hours)} "
            "before the injection."
        )
    else:
        until = facts.hours_until_injection
        if until is not None and until <= spec.hours and facts.injection_at is None:
            parts.append(
                f"The injection is in about {duration(until)}; {name} needed to be stopped "
                f"at least {duration(spec.hours)} before it. Tell the clinic when you took your "
                f"last dose: if it was less than {duration(spec.hours)} before the injection, "
                "the injection must be moved."
            )
        elif spec.when_not_held == "caution":
            parts.append(
                f"For people at higher bleeding risk the guideline suggests stopping {name} "
                f"{_last_dose_by(facts, spec.hours)}: ask the pain doctor whether you should."
            )
        else:
            parts.append(f"Take your last dose of {name} {_last_dose_by(facts, spec.hours)}.")
    if spec.hours_max is not None and spec.hours_max > spec.hours:
        parts.append(
            f"(The guideline gives {spec.text}; the doctor may ask you to stop it earlier.)"
        )
    if entry.requires_normal_inr:
        parts.append("You need a blood test (INR) before the injection; it must be normal.")
    ask = _ask_first(entry, stent)
    if ask:
        parts.append(ask)
    parts.append(_restart(facts, name, spec))
    return " ".join(parts)


def _other_instruction(
    facts: Facts, med: Medication, match: DrugMatch, entry: AntithromboticEntry, spec: HoldSpec
) -> str:
    name = display_name(med, match)
    if spec.action == "continue":
        if entry.drug_class in ("nsaid", "supplement"):
            return (
                f"You can keep taking {name}; it does not need to be stopped before this injection."
            )
        return f"Keep taking {name} as usual."
    # shared decision
    who = _WHO.get(entry.ask_first or "", _WHO_DEFAULT)
    if entry.id in _ASPIRIN_ENTRIES:
        text = (
            f"Keep taking {name} unless {who} and the pain doctor decide together that you "
            "should stop it; do not stop it on your own."
        )
        if spec.restart_hours is not None:
            text += (
                f" If it is stopped, restart it {duration(spec.restart_hours)} after the injection."
            )
        return text
    if entry.drug_class == "ssri_snri":
        return (
            f"Do not stop {name} on your own: stopping suddenly causes withdrawal. "
            f"The pain doctor may discuss it with {who}."
        )
    if entry.drug_class == "supplement":
        return f"Ask the clinic whether to stop {name} before the injection ({spec.text.lower()})."
    return f"Ask the pain doctor and {who} whether to stop {name} before the injection."


# ----------------------------------------------------------------------------- one antithrombotic
def _plan_antithrombotic(
    facts: Facts, med: Medication, match: DrugMatch, entry: AntithromboticEntry, risk: RiskClass
) -> MedicationPlanItem:
    regimen = _regimen(facts, med, match, entry)
    spec = regimen.spec(risk)
    why = ""
    renal_note = ""
    if entry.renal is not None:
        renal_spec = entry.renal.high if risk == "high" else entry.renal.intermediate
        egfr = facts.egfr
        if egfr is not None and egfr < entry.renal.egfr_below:
            spec = renal_spec
            why = f"because kidney function is reduced (eGFR {egfr:g})"
        elif egfr is None:
            if facts.has("chronic_kidney_disease"):
                spec = renal_spec
                why = "because kidney disease is recorded"
            last = med.last_dose_hours_before
            assert renal_spec.hours is not None
            if last is None or last < renal_spec.hours:
                emit(
                    facts,
                    "renal_function_unknown",
                    {
                        "drug": display_name(med, match),
                        "renal_needed": duration(renal_spec.hours),
                        "needed": duration(spec.hours or 0),
                    },
                    drug=match.generic,
                )
            renal_note = " (kidney function not given)"
    if (
        risk == "high"
        and spec.action == "hold"
        and not why
        and regimen.high.hours != regimen.intermediate.hours
    ):
        why = "because patient factors put you in the higher bleeding-risk group"
    stent = entry.id in _P2Y12 and (
        facts.has("coronary_stent") or "stent" in (med.indication or "").lower()
    )
    facts.fired.append(f"antithrombotic:{entry.id}")
    facts.trace.append(
        f"{med.name} -> {match.generic} [{entry.id}/{regimen.id}, {risk} risk]: "
        f"{spec.text}{renal_note}"
    )
    sources = [ref.ref for ref in entry.sources]
    who = _WHO.get(entry.ask_first or "", _WHO_DEFAULT)
    name = display_name(med, match)
    action: PlanAction = spec.action
    ok: bool | None = None

    if spec.action == "hold":
        assert spec.hours is not None
        needed_text = f"at least {duration(spec.hours)}"
        last = med.last_dose_hours_before
        why_text = f" {why}" if why else ""
        until = facts.hours_until_injection
        if last is None:
            # Days ahead the stop can still be planned; close to the injection the time is unknown.
            ahead = until is not None and until > spec.hours
            emit(
                facts,
                "antithrombotic_stop_plan" if ahead else "antithrombotic_last_dose_unknown",
                {"drug": name, "needed": duration(spec.hours), "why": why_text},
                drug=match.generic,
            )
        elif last < spec.hours:
            ok = False
            emit(
                facts,
                "antithrombotic_not_held"
                if spec.when_not_held == "postpone"
                else "antithrombotic_consider_stopping",
                {
                    "drug": name,
                    "given": duration(last),
                    "needed": duration(spec.hours),
                    "why": why_text
                    or (f" (the guideline gives {spec.text})" if spec.hours_max else ""),
                },
                drug=match.generic,
            )
        else:
            ok = True
        if entry.requires_normal_inr:
            upper = facts.data.rule("vka_inr_not_normal").number("upper_normal")
            inr = facts.inr
            if inr is None:
                emit(facts, "vka_inr_unknown", {"drug": name}, drug=match.generic)
                ok = False if ok is False else None
            elif inr > upper:
                emit(
                    facts,
                    "vka_inr_not_normal",
                    {"drug": name, "value": f"{inr:g}", "upper": f"{upper:g}"},
                    drug=match.generic,
                )
                ok = False
        instruction = _hold_instruction(facts, med, match, entry, spec, needed_text, ok, stent)
    else:
        if spec.action == "shared_decision":
            usual = (
                "Usually it is continued before this injection."
                if spec.flag == "info" and entry.id in _ASPIRIN_ENTRIES
                else ""
            )
            emit(
                facts,
                "shared_decision",
                {"drug": name, "who": who, "cell": spec.text, "usual": usual},
                drug=match.generic,
                severity=spec.flag,
            )
        instruction = _other_instruction(facts, med, match, entry, spec)

    # Stents, valves and the neck: situations where stopping or continuing needs more care.
    if stent:
        months = _stent_months(med, facts)
        recent = facts.data.rule("stent_recent")
        if months is not None and months < recent.number("months"):
            emit(
                facts,
                "stent_recent",
                {
                    "drug": name,
                    "when": f"about {months:.0f} months ago" if months >= 1 else "recently",
                    "months": f"{recent.number('months'):g}",
                },
                drug=match.generic,
            )
        else:
            emit(facts, "stent_cardiologist", {"drug": name}, drug=match.generic)
    if (
        entry.id in _ASPIRIN_ENTRIES
        and facts.approach == "interlaminar"
        and facts.region == "cervical"
    ):
        emit(facts, "aspirin_cervical_interlaminar", {"drug": name, "who": who}, drug=match.generic)
    if entry.drug_class == "anticoagulant" and facts.has("mechanical_heart_valve"):
        emit(facts, "bridging_needed", {"drug": name}, drug=match.generic)

    return MedicationPlanItem(
        name=med.name,
        generic=match.generic,
        drug_class=match.drug_class,
        known=True,
        action=action,
        hold_hours_before=spec.hours if spec.action == "hold" else None,
        hold_hours_before_max=spec.hours_max if spec.action == "hold" else None,
        restart_hours_after=spec.restart_hours,
        restart_hours_after_max=spec.restart_hours_max,
        last_dose_hours_before=med.last_dose_hours_before,
        last_dose_ok=ok,
        guideline_row=regimen.row,
        guideline_text=spec.text,
        risk_class=risk,
        ask_first=("cardiologist" if stent else entry.ask_first),
        instruction=instruction,
        sources=sources,
    )


def _plan_other(facts: Facts, med: Medication, match: DrugMatch) -> MedicationPlanItem:
    group = facts.data.other_medications[match.entry_id]
    return MedicationPlanItem(
        name=med.name,
        generic=match.generic,
        drug_class="other",
        known=True,
        action="continue",
        last_dose_hours_before=med.last_dose_hours_before,
        instruction=f"{med.name}: {group.instruction}",
        sources=[ref.ref for ref in group.sources],
    )


def _plan_unknown(facts: Facts, med: Medication) -> MedicationPlanItem:
    emit(facts, "unknown_medication", {"name": med.name})
    rule = facts.data.rule("unknown_medication_possible_antithrombotic")
    conditions = set(getattr(facts.case.patient, "conditions", None) or ())
    if conditions & set(rule.strings("conditions")):
        emit(facts, "unknown_medication_possible_antithrombotic", {"name": med.name})
    facts.trace.append(f"{med.name}: not recognised")
    return MedicationPlanItem(
        name=med.name,
        generic=None,
        drug_class=None,
        known=False,
        action="unknown",
        last_dose_hours_before=med.last_dose_hours_before,
        instruction=(
            f"We do not recognise '{med.name}'. Tell the clinic exactly what it is before the "
            f"injection (bring the box); do not stop it until they tell you."
        ),
        sources=["ESIGUARD-SAFETY"],
    )


def _serotonergic_combination(facts: Facts) -> None:
    ssris = [(med, m) for med, m in facts.matches() if m.drug_class == "ssri_snri"]
    others = sorted({m.generic for _, m in facts.matches() if m.drug_class in _UPGRADE_CLASSES})
    for med, m in ssris:
        if others:
            emit(
                facts,
                "serotonergic_combination",
                {"drug": display_name(med, m), "others": join_words(others)},
                drug=m.generic,
            )


def plan_medications(facts: Facts, risk: RiskClass) -> None:
    """Fill facts.plan (one item per drug named) and the medication reasons."""
    for resolved in facts.medications:
        med = resolved.medication
        if not resolved.known:
            facts.plan.append(_plan_unknown(facts, med))
            continue
        if resolved.from_narrative:
            match = resolved.matches[0]
            emit(
                facts,
                "narrative_medication",
                {"drug": display_name(med, match)},
                drug=match.generic,
            )
        for match in resolved.matches:
            if match.kind == "antithrombotic":
                entry = facts.data.antithrombotics[match.entry_id]
                facts.plan.append(_plan_antithrombotic(facts, med, match, entry, risk))
            else:
                facts.plan.append(_plan_other(facts, med, match))
    _serotonergic_combination(facts)
