"""What the screen knows about one planned injection, gathered once from the case."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from esiguard.case import Case, Finding, Medication
from esiguard.kb import KnowledgeBase
from esiguard.screening.data import (
    AntithromboticEntry,
    OtherMedicationGroup,
    ScreeningData,
)
from esiguard.screening.drugs import DrugMatch, drug_index
from esiguard.screening.model import MedicationPlanItem, Reason
from esiguard.screening.narrative import narrative_medications


@dataclass(frozen=True)
class ResolvedMedication:
    """One medication line of the case and the drug(s) it names (empty: unknown)."""

    medication: Medication
    matches: tuple[DrugMatch, ...]
    from_narrative: bool = False

    @property
    def known(self) -> bool:
        return bool(self.matches)


@dataclass
class Facts:
    """The case, read once: conditions, labs, findings by code, resolved medicines, the steroid."""

    case: Case
    kb: KnowledgeBase
    data: ScreeningData
    injection_at: dt.datetime | None
    conditions: frozenset[str]
    medications: list[ResolvedMedication]
    findings: dict[str, Finding]
    text_blob: str
    # Filled in by the medication step, read by the rules.
    reasons: list[Reason] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    plan: list[MedicationPlanItem] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)

    # -- patient -----------------------------------------------------------------------------
    @property
    def age(self) -> float | None:
        return self.case.patient.age_years if self.case.patient else None

    @property
    def egfr(self) -> float | None:
        labs = self.case.patient.labs if self.case.patient else None
        return labs.egfr if labs else None

    @property
    def inr(self) -> float | None:
        labs = self.case.patient.labs if self.case.patient else None
        return labs.inr if labs else None

    @property
    def platelets(self) -> float | None:
        labs = self.case.patient.labs if self.case.patient else None
        return labs.platelets_per_nl if labs else None

    @property
    def hba1c(self) -> float | None:
        labs = self.case.patient.labs if self.case.patient else None
        return labs.hba1c_percent if labs else None

    @property
    def prior_injections(self) -> int | None:
        return self.case.patient.prior_injections_12_months if self.case.patient else None

    @property
    def prior_steroid_mg(self) -> float | None:
        return self.case.patient.prior_steroid_mg_12_months if self.case.patient else None

    def has(self, condition: str) -> bool:
        return condition in self.conditions

    def present(self, code: str) -> Finding | None:
        """The finding if it is reported present (not absent, not unknown)."""
        finding = self.findings.get(code)
        return finding if finding is not None and finding.present is True else None

    # -- procedure -----------------------------------------------------------------------------
    @property
    def approach(self) -> str | None:
        approach = self.case.procedure.approach
        return None if approach in (None, "unknown") else approach

    @property
    def region(self) -> str | None:
        region = self.case.procedure.region
        return None if region in (None, "unknown") else region

    @property
    def steroid_name(self) -> str | None:
        steroid = self.case.procedure.steroid
        return steroid.name if steroid and steroid.name else None

    @property
    def steroid_dose_mg(self) -> float | None:
        steroid = self.case.procedure.steroid
        return steroid.dose_mg if steroid else None

    @property
    def steroid_particulate(self) -> bool | None:
        """True/False from the steroid facts; None when the steroid is unknown or not stated."""
        name = self.steroid_name
        if name is None or name not in self.kb.steroids:
            return None
        return self.kb.steroids[name].particulate

    @property
    def planned_steroid_triamcinolone_mg(self) -> float | None:
        name, dose = self.steroid_name, self.steroid_dose_mg
        if name is None or dose is None or name not in self.kb.steroids:
            return None
        factor = self.kb.steroids[name].triamcinolone_equivalent_factor
        return None if factor is None else dose * factor

    @property
    def local_anesthetic(self) -> str | None:
        la = self.case.procedure.local_anesthetic
        return la.name if la and la.name and la.name != "none" else None

    @property
    def hours_until_injection(self) -> float | None:
        """Hours from the report to the injection, when the case says so (negative hours_since)."""
        h = self.case.hours_since_injection
        return -h if h is not None and h < 0 else None

    # -- medicines -----------------------------------------------------------------------------
    def matches(self) -> list[tuple[Medication, DrugMatch]]:
        return [(rm.medication, m) for rm in self.medications for m in rm.matches]

    def antithrombotic_entries(self) -> list[tuple[Medication, DrugMatch, AntithromboticEntry]]:
        return [
            (med, m, self.data.antithrombotics[m.entry_id])
            for med, m in self.matches()
            if m.kind == "antithrombotic"
        ]

    def groups_with_tag(self, tag: str) -> list[tuple[Medication, OtherMedicationGroup]]:
        out = []
        for med, m in self.matches():
            group = self.data.other_medications.get(m.entry_id) if m.kind == "other" else None
            if group is not None and tag in group.tags:
                out.append((med, group))
        return out

    def mentions(self, patterns: list[str]) -> str | None:
        """The first pattern found in the narrative, indications or notes (lower case)."""
        for pattern in patterns:
            if pattern.lower() in self.text_blob:
                return pattern.strip()
        return None


def _text_blob(case: Case) -> str:
    parts = [case.narrative or ""]
    if case.patient and case.patient.medications:
        parts += [m.indication or "" for m in case.patient.medications]
    parts += [f.note or "" for f in case.findings]
    return " " + re.sub(r"[^a-z0-9]+", " ", " ".join(parts).lower()) + " "


def build_facts(
    case: Case, kb: KnowledgeBase, data: ScreeningData, injection_at: dt.datetime | None
) -> Facts:
    index = drug_index(kb)
    patient = case.patient
    meds = list(patient.medications or []) if patient else []
    resolved = [ResolvedMedication(m, tuple(index.resolve_all(m.name))) for m in meds]
    known = {match.generic for rm in resolved for match in rm.matches}
    until = -case.hours_since_injection if (case.hours_since_injection or 0) < 0 else None
    from_narrative = narrative_medications(case.narrative, index, known, until)
    resolved += [
        ResolvedMedication(med, (match,), from_narrative=True) for med, match in from_narrative
    ]
    findings: dict[str, Finding] = {}
    for finding in case.findings:
        # A present report wins over an absent one for the same code.
        if finding.code not in findings or finding.present is True:
            findings[finding.code] = finding
    return Facts(
        case=case,
        kb=kb,
        data=data,
        injection_at=injection_at,
        conditions=frozenset(patient.conditions or []) if patient else frozenset(),
        medications=resolved,
        findings=findings,
        text_blob=_text_blob(case),
    )
