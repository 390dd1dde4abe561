"""The screening part of the knowledge base: entry models and a cached loader.

Files under `kb/data/screening/`:
- `antithrombotics.yaml`: the Narouze 2018 table, one entry per row (or group of rows);
- `other_medications.yaml`: common medicines that need no stop (so a known name is not "unknown");
- `contraindications.yaml`, `steroid_approach.yaml`, `antithrombotic_rules.yaml`: screening rules
  (severity, thresholds, plain-language text), evaluated by `esiguard.screening.rules`.

Everything is validated by the shared loader (unknown keys, duplicate ids) and the citation checks.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, model_validator

from esiguard.errors import KnowledgeBaseError
from esiguard.kb import KnowledgeBase
from esiguard.kb.loader import load_entries
from esiguard.kb.schema import Cited, Strict

DrugClass = Literal["anticoagulant", "antiplatelet", "nsaid", "ssri_snri", "supplement", "other"]
Severity = Literal["block", "postpone", "caution", "info"]
HoldAction = Literal["hold", "continue", "shared_decision"]
RiskClass = Literal["intermediate", "high"]

RULE_FILES: tuple[str, ...] = (
    "screening/contraindications.yaml",
    "screening/steroid_approach.yaml",
    "screening/antithrombotic_rules.yaml",
)


class HoldSpec(Strict):
    """One cell of the guideline table (one risk column), with its restart time."""

    action: HoldAction
    hours: float | None = Field(default=None, ge=0)
    hours_max: float | None = Field(default=None, ge=0)
    text: str = Field(min_length=1)
    # How a 'continue' or 'shared_decision' is reported: info leaves the decision alone,
    # caution makes it proceed_with_precautions.
    flag: Literal["info", "caution"] = "info"
    # What a too-recent last dose does: postpone, or only a precaution where the guideline says
    # 'consider stopping' (NSAIDs in patients at high bleeding risk).
    when_not_held: Literal["postpone", "caution"] = "postpone"
    restart_hours: float | None = Field(default=None, ge=0)
    restart_hours_max: float | None = Field(default=None, ge=0)
    restart_text: str | None = None

    @model_validator(mode="after")
    def _hold_needs_hours(self) -> HoldSpec:
        if self.action == "hold" and self.hours is None:
            raise ValueError("hours: expected a number of hours when action is hold, got nothing")
        if self.hours_max is not None and self.hours is not None and self.hours_max < self.hours:
            raise ValueError("hours_max: expected a value >= hours, got a smaller one")
        return self


class RenalModifier(Strict):
    egfr_below: float = Field(gt=0)
    text: str
    intermediate: HoldSpec
    high: HoldSpec


class Regimen(Strict):
    id: str
    row: str
    intermediate: HoldSpec
    high: HoldSpec

    def spec(self, risk: RiskClass) -> HoldSpec:
        return self.high if risk == "high" else self.intermediate


class DrugName(Strict):
    generic: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


RegimenSelector = Literal["none", "aspirin_indication", "heparin_route", "lmwh_dose"]

_REGIMENS_FOR_SELECTOR: dict[str, set[str]] = {
    "none": {"standard"},
    "aspirin_indication": {"primary_prevention", "secondary_prevention"},
    "heparin_route": {"intravenous", "subcutaneous"},
    "lmwh_dose": {"prophylactic", "therapeutic"},
}


class AntithromboticEntry(Cited):
    """One row (or group of rows) of the Narouze 2018 table and the drugs it covers."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    drug_class: DrugClass
    drugs: list[DrugName] = Field(min_length=1)
    regimen_by: RegimenSelector = "none"
    regimens: list[Regimen] = Field(min_length=1)
    renal: RenalModifier | None = None
    requires_normal_inr: bool = False
    ask_first: Literal["cardiologist", "prescriber"] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _regimens_match_selector(self) -> AntithromboticEntry:
        have = {r.id for r in self.regimens}
        want = _REGIMENS_FOR_SELECTOR[self.regimen_by]
        if have != want:
            raise ValueError(
                f"regimens: expected regimen ids {sorted(want)} for regimen_by "
                f"{self.regimen_by}, got {sorted(have)}"
            )
        return self

    def regimen(self, regimen_id: str) -> Regimen:
        return next(r for r in self.regimens if r.id == regimen_id)


MedicationTag = Literal[
    "diabetes", "immunosuppressant", "systemic_steroid", "cyp3a4_booster", "antibiotic", "bone"
]


class OtherMedicationGroup(Cited):
    """Known medicines outside the antithrombotic table (no stop needed)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    tags: list[MedicationTag] = Field(default_factory=list)
    drugs: list[DrugName] = Field(min_length=1)
    instruction: str = Field(min_length=5)


ParamValue = float | int | bool | str | list[str]


class ScreeningRule(Cited):
    """A screening rule's data: how severe, its thresholds, and the words it uses."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    severity: Severity
    params: dict[str, ParamValue] = Field(default_factory=dict)
    text: str = Field(min_length=10)
    alternative: str | None = None
    question: str | None = None

    def placeholders(self) -> set[str]:
        names: set[str] = set()
        for template in (self.text, self.alternative or "", self.question or ""):
            names |= {f for _, f, _, _ in string.Formatter().parse(template) if f}
        return names

    def number(self, name: str) -> float:
        value = self.params.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise KnowledgeBaseError("screening", self.id, f"params.{name}", "expected a number")
        return float(value)

    def strings(self, name: str) -> list[str]:
        value = self.params.get(name)
        if not isinstance(value, list):
            raise KnowledgeBaseError("screening", self.id, f"params.{name}", "expected a list")
        return value


@dataclass(frozen=True)
class ScreeningData:
    antithrombotics: dict[str, AntithromboticEntry]
    other_medications: dict[str, OtherMedicationGroup]
    rules: dict[str, ScreeningRule]
    rule_files: dict[str, str]

    def rule(self, rule_id: str) -> ScreeningRule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise KnowledgeBaseError(
                "screening",
                rule_id,
                None,
                "rule used by the screening code is missing from the data",
            ) from None


def _load(kb: KnowledgeBase) -> ScreeningData:
    at_pairs = load_entries(kb.data_root, "screening/antithrombotics.yaml", AntithromboticEntry)
    other_pairs = load_entries(
        kb.data_root, "screening/other_medications.yaml", OtherMedicationGroup
    )
    rule_pairs: list[tuple[str, ScreeningRule]] = []
    seen: dict[str, str] = {}
    for pattern in RULE_FILES:
        for file, rule in load_entries(kb.data_root, pattern, ScreeningRule):
            if rule.id in seen:
                raise KnowledgeBaseError(
                    file, rule.id, "id", f"duplicate id (first defined in {seen[rule.id]})"
                )
            seen[rule.id] = file
            rule_pairs.append((file, rule))
    if not at_pairs:
        raise KnowledgeBaseError("screening/antithrombotics.yaml", None, None, "has no entries")
    cited: list[tuple[str, Any]] = [*at_pairs, *other_pairs, *rule_pairs]
    kb.check_cited(cited)
    return ScreeningData(
        antithrombotics={e.id: e for _, e in at_pairs},
        other_medications={e.id: e for _, e in other_pairs},
        rules={r.id: r for _, r in rule_pairs},
        rule_files={r.id: f for f, r in rule_pairs},
    )


def screening_data(kb: KnowledgeBase) -> ScreeningData:
    """The screening section of `kb`, loaded and checked once per knowledge base."""
    return kb.section("screening", _load)
