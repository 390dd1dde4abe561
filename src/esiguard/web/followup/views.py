"""Shared helpers of the follow-up pages: time formatting, form parsing, page views."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from esiguard.followup.service import WEAKNESS_LEVELS, CheckInAnswers
from esiguard.store.tables import CheckInSlot
from esiguard.web.case_form import FormError, FormProblem
from esiguard.web.followup.contexts import SlotView

__all__ = ["fmt_time", "parse_check_in_form", "slot_views"]

SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
WEAKNESS_WORDS = {level: name for name, (level, _) in WEAKNESS_LEVELS.items()}


def fmt_time(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def slot_views(slots: list[CheckInSlot], now: dt.datetime) -> list[SlotView]:
    out = []
    for slot in slots:
        if slot.check_in_id is not None:
            state = "done"
        elif slot.closes_at <= now:
            state = "missed"
        elif slot.opens_at <= now:
            state = "open"
        else:
            state = "later"
        out.append(SlotView(label=slot.label, due=fmt_time(slot.due_at), state=state))
    return out


def parse_check_in_form(values: dict[str, Any], finding_codes: set[str]) -> CheckInAnswers:
    """Check the check-in form; raise FormProblem naming each field at fault."""
    errors: list[FormError] = []
    pain_text = str(values.get("pain_nrs", "")).strip()
    pain = -1
    if pain_text.isdigit() and 0 <= int(pain_text) <= 10:
        pain = int(pain_text)
    else:
        errors.append(FormError(field="pain_nrs", message="Choose your pain score from 0 to 10."))
    weakness = str(values.get("leg_weakness", ""))
    if weakness not in WEAKNESS_LEVELS:
        errors.append(
            FormError(field="leg_weakness", message="Say whether either leg is weak, and how much.")
        )
    answers: dict[str, str] = {}
    for key, value in values.items():
        if not key.startswith("q."):
            continue
        code = key[2:]
        if code not in finding_codes or value not in ("yes", "no", "unsure"):
            errors.append(FormError(field=key, message="This answer is not one of the choices."))
        else:
            answers[code] = str(value)
    submission = str(values.get("submission_id", ""))
    if submission and not SUBMISSION_ID.match(submission):
        errors.append(FormError(field="submission_id", message="The form is damaged; reload it."))
    if errors:
        raise FormProblem(errors)
    return CheckInAnswers(
        pain_nrs=pain, leg_weakness=weakness, answers=answers, submission_id=submission
    )
