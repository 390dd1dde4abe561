"""Plain-language formatting of durations and clock times for the medication plan."""

from __future__ import annotations

import datetime as dt


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _days(hours: float) -> str:
    days = hours / 24
    if abs(days - round(days)) < 1e-9:
        n = round(days)
        return f"{n} day" if n == 1 else f"{n} days"
    return f"{_number(round(days, 1))} days"


def duration(hours: float, hours_max: float | None = None) -> str:
    """72 -> '72 hours (3 days)'; (72, 120) -> '72 to 120 hours (3 to 5 days)'; 6 -> '6 hours'."""
    if hours_max is not None and hours_max > hours:
        text = f"{_number(hours)} to {_number(hours_max)} hours"
        if hours >= 24:
            text += f" ({_number(round(hours / 24, 1))} to {_days(hours_max)})"
        return text
    unit = "hour" if hours == 1 else "hours"
    text = f"{_number(hours)} {unit}"
    if hours >= 24:
        text += f" ({_days(hours)})"
    return text


def clock(moment: dt.datetime) -> str:
    """'Friday 28 November 2026 at 09:00'."""
    day = f"{moment.strftime('%A')} {moment.day} {moment.strftime('%B %Y')}"
    return f"{day} at {moment.strftime('%H:%M')}"


def glucose_text(mg_dl: float) -> str:
    return f"{_number(round(mg_dl))} mg/dL ({_number(round(mg_dl / 18.016, 1))} mmol/L)"


def join_words(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
