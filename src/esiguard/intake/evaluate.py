"""How well intake reads vignette narratives: precision and recall of present findings.

Each vignette's `case.narrative` says the same as its structured `case.findings`. Over the
codes in settings.yaml (`evaluation_codes`: the red-flag and key symptom codes), a true
positive is a code the structured findings mark present (present true or omitted) that
intake also extracts as present; a false positive is a code intake extracts as present that
the structured findings do not; a false negative the reverse.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from esiguard.case import parse_case
from esiguard.errors import CaseValidationError

if TYPE_CHECKING:
    from esiguard.kb import KnowledgeBase


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def evaluate_extraction(
    vignette_dir: str | Path, kb: KnowledgeBase | None = None, *, verbose: bool = False
) -> dict[str, Any]:
    """Score intake over every vignette with a narrative in `vignette_dir`.

    Returns {"precision", "recall", "f1", "tp", "fp", "fn", "vignettes", "codes", "misses"};
    `misses` lists each false positive and false negative with the vignette id. Prints the
    report when `verbose`.
    """
    from esiguard.intake.api import intake
    from esiguard.intake.pipeline import get_pipeline

    if kb is None:
        from esiguard.kb import load_kb

        kb = load_kb()
    codes = set(get_pipeline(kb).lexicon.settings.evaluation_codes)
    tp = fp = fn = 0
    scored = 0
    misses: list[dict[str, str]] = []
    skipped: list[str] = []
    for path in sorted(Path(vignette_dir).glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            case = parse_case(raw["case"])
        except (OSError, ValueError, KeyError, TypeError, CaseValidationError):
            skipped.append(path.name)
            continue
        if not case.narrative:
            continue
        scored += 1
        vid = case.id or path.stem
        expected = {f.code for f in case.findings if f.present is True and f.code in codes}
        result = intake(case.narrative, case=case, kb=kb)
        got = {code for code in result.present_codes() if code in codes}
        tp += len(expected & got)
        for code in sorted(got - expected):
            fp += 1
            f = result.finding(code)
            misses.append(
                {
                    "vignette": vid,
                    "code": code,
                    "kind": "false_positive",
                    "span": f.span.text if f else "",
                }
            )
        for code in sorted(expected - got):
            fn += 1
            misses.append({"vignette": vid, "code": code, "kind": "false_negative", "span": ""})
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    report = {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "vignettes": scored,
        "skipped": skipped,
        "codes": sorted(codes),
        "misses": misses,
    }
    if verbose:
        print(format_extraction_report(report))
    return report


def format_extraction_report(report: dict[str, Any]) -> str:
    """A few plain lines: the figures, then each miss."""
    lines = [
        f"Narrative extraction over {report['vignettes']} vignettes "
        f"({len(report['codes'])} red-flag/key codes):",
        f"  precision {report['precision']:.3f}  recall {report['recall']:.3f}  "
        f"f1 {report['f1']:.3f}  (tp {report['tp']}, fp {report['fp']}, fn {report['fn']})",
    ]
    for miss in report["misses"]:
        kind = "extra" if miss["kind"] == "false_positive" else "missed"
        span = f' "{miss["span"]}"' if miss["span"] else ""
        lines.append(f"  {miss['vignette']}: {kind} {miss['code']}{span}")
    return "\n".join(lines)
