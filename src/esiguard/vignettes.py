"""The evaluation harness: run a folder of vignettes and compute the spec's metrics.

Metrics (shared/spec/README.md): exact disposition accuracy, acceptable-disposition rate,
under-triage count (less urgent than every acceptable answer), over-triage count, top-3
cause recall, screening accuracy, and the misses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esiguard.errors import EsiguardError
from esiguard.kb import KnowledgeBase
from esiguard.kb.schema import DISPOSITION_ORDER, SCREENING_ORDER


@dataclass
class VignetteOutcome:
    file: str
    kind: str  # triage | screening | error
    expected: str | None
    acceptable: list[str]
    got: str | None
    exact: bool
    acceptable_ok: bool
    under: bool
    over: bool
    causes_expected: list[str] = field(default_factory=list)
    causes_top3: list[str] = field(default_factory=list)
    cause_hit: bool | None = None
    error: str | None = None

    @property
    def miss(self) -> bool:
        return self.kind == "error" or not self.acceptable_ok or self.cause_hit is False


@dataclass
class EvaluationReport:
    outcomes: list[VignetteOutcome]
    narrative: bool = False
    extraction: dict[str, Any] | None = None

    def _of(self, kind: str) -> list[VignetteOutcome]:
        return [o for o in self.outcomes if o.kind == kind]

    def metrics(self) -> dict[str, Any]:
        triage = self._of("triage")
        screening = self._of("screening")
        errors = self._of("error")
        with_causes = [o for o in triage if o.cause_hit is not None]

        def rate(items: list[VignetteOutcome], attr: str) -> float | None:
            return round(sum(getattr(o, attr) for o in items) / len(items), 4) if items else None

        out: dict[str, Any] = {
            "vignettes": len(self.outcomes),
            "triage_cases": len(triage),
            "screening_cases": len(screening),
            "errors": len(errors),
            "exact_accuracy": rate(triage, "exact"),
            "acceptable_rate": rate(triage, "acceptable_ok"),
            "under_triage": sum(o.under for o in triage) + len(errors),
            "over_triage": sum(o.over for o in triage),
            "top3_cause_recall": (
                round(sum(bool(o.cause_hit) for o in with_causes) / len(with_causes), 4)
                if with_causes
                else None
            ),
            "screening_accuracy": rate(screening, "exact"),
            "screening_acceptable_rate": rate(screening, "acceptable_ok"),
            "screening_less_cautious": sum(o.under for o in screening),
            "narrative_only": self.narrative,
            "misses": [o.file for o in self.outcomes if o.miss],
        }
        if self.extraction is not None:
            out["extraction"] = self.extraction
        return out


def _iter_files(folder: Path) -> Iterator[Path]:
    yield from sorted(p for p in folder.glob("*.json") if p.is_file())


def narrative_only(case: dict[str, Any]) -> dict[str, Any]:
    """The case as a narrative-only intake would see it: procedure, narrative, timing."""
    keep = {"format", "id", "procedure", "narrative", "hours_since_injection"}
    return {k: v for k, v in case.items() if k in keep}


def run_vignette(
    path: Path,
    kb: KnowledgeBase,
    triage: Callable[..., Any],
    screen: Callable[..., Any] | None,
    *,
    narrative: bool = False,
) -> VignetteOutcome:
    name = path.name
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        case, expected = doc["case"], doc["expected"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return _error(name, f"not a vignette: {exc}")
    status = case.get("procedure", {}).get("status") if isinstance(case, dict) else None
    if narrative and isinstance(case, dict) and status == "done":
        # Screening needs the structured plan (drugs, labs); only triage runs narrative-only.
        case = narrative_only(case)
    try:
        if status == "planned":
            if screen is None:
                return _error(name, "screening is not available")
            decision = screen(case, kb).decision
            acceptable = list(expected.get("acceptable") or [expected["screening"]])
            return _compare(
                name, "screening", expected["screening"], acceptable, decision, SCREENING_ORDER
            )
        result = triage(case, kb)
    except EsiguardError as exc:
        return _error(name, str(exc))
    acceptable = list(expected.get("acceptable") or [expected["disposition"]])
    outcome = _compare(
        name, "triage", expected["disposition"], acceptable, result.disposition, DISPOSITION_ORDER
    )
    wanted = list(expected.get("causes_any") or [])
    if wanted:
        top3 = [c.code for c in result.causes[:3]]
        outcome.causes_expected, outcome.causes_top3 = wanted, top3
        outcome.cause_hit = any(code in top3 for code in wanted)
    return outcome


def _compare(
    name: str, kind: str, expected: str, acceptable: list[str], got: str, order: tuple[str, ...]
) -> VignetteOutcome:
    least = min(order.index(a) for a in acceptable)
    most = max(order.index(a) for a in acceptable)
    return VignetteOutcome(
        file=name,
        kind=kind,
        expected=expected,
        acceptable=acceptable,
        got=got,
        exact=got == expected,
        acceptable_ok=got in acceptable,
        under=order.index(got) < least,
        over=order.index(got) > most,
    )


def _error(name: str, message: str) -> VignetteOutcome:
    return VignetteOutcome(file=name, kind="error", expected=None, acceptable=[], got=None, exact=False,
                           acceptable_ok=False, under=True, over=False, error=message)  # fmt: skip


def evaluate_folder(
    folder: Path,
    kb: KnowledgeBase,
    triage: Callable[..., Any],
    screen: Callable[..., Any] | None,
    *,
    narrative: bool = False,
    progress: Callable[[Path], None] | None = None,
) -> EvaluationReport:
    outcomes = []
    for path in _iter_files(folder):
        outcomes.append(run_vignette(path, kb, triage, screen, narrative=narrative))
        if progress is not None:
            progress(path)
    return EvaluationReport(outcomes=outcomes, narrative=narrative)
