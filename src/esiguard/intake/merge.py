"""Combining extracted findings with a case's structured findings.

Structured findings always win: an extracted finding only fills a code the case does not
mention. With include_absent=False only present findings are added, so the text can add
concern but never rule anything out; the triage wrapper runs both variants and keeps the
more urgent. Codes the text does not mention stay unknown (not added).
"""

from __future__ import annotations

from esiguard.case import Case, parse_case
from esiguard.intake.models import IntakeResult


def merge_into_case(case: Case, result: IntakeResult, *, include_absent: bool) -> Case:
    """A copy of `case` with the extracted findings it lacks (see module docstring).

    The time since the injection is taken from the text only when the case has none and the
    injection is done (see settings.yaml for how "yesterday" is read).
    """
    explicit = {f.code for f in case.findings}
    added = [
        f.to_finding()
        for f in result.findings
        if f.code not in explicit and (include_absent or f.present is True)
    ]
    update: dict = {}
    if added:
        update["findings"] = [*case.findings, *added]
    if (
        case.hours_since_injection is None
        and result.hours_since_injection is not None
        and case.procedure.status == "done"
    ):
        update["hours_since_injection"] = result.hours_since_injection
    if not update:
        return case
    # Re-validate so the merged case obeys every rule a parsed case does.
    data = case.to_json_dict()
    if "findings" in update:
        # Finding.to_json_dict keeps `present: null`; dropping it would make an unsure
        # mention present (the schema's default).
        data["findings"] = [f.to_json_dict() for f in update["findings"]]
    if "hours_since_injection" in update:
        data["hours_since_injection"] = update["hours_since_injection"]
    return parse_case(data)
