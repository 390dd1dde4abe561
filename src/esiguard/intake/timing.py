"""Times in the text: how long ago the injection was, and "N hours/days" amounts.

Read conservatively: only explicit statements tied to the injection count ("the injection two
hours ago", "it's twelve days since my injection", "yesterday's injection" = 24 h, "last
week" = 168 h). "This morning", "last night" and weekdays are left unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from esiguard.intake.lexicon import IntakeSettings


@dataclass(frozen=True)
class TimeStatement:
    hours: float
    start: int
    end: int


# Compiled patterns per settings object (the settings are frozen for the life of a KB).
_CACHE: dict[int, tuple[IntakeSettings, dict[str, re.Pattern[str]]]] = {}


def _patterns(settings: IntakeSettings) -> dict[str, re.Pattern[str]]:
    cached = _CACHE.get(id(settings))
    if cached is not None and cached[0] is settings:
        return cached[1]
    compiled = _compile(settings)
    _CACHE[id(settings)] = (settings, compiled)
    return compiled


def _compile(settings: IntakeSettings) -> dict[str, re.Pattern[str]]:
    words = sorted(settings.number_words, key=len, reverse=True)
    number = r"(?P<num>\d+(?:\.\d+)?|" + "|".join(re.escape(w) for w in words) + r")"
    units = sorted(settings.unit_hours, key=len, reverse=True)
    unit = r"(?P<unit>" + "|".join(re.escape(u) for u in units) + r")"
    amount = rf"(?:about\s+|around\s+|nearly\s+|almost\s+|over\s+|just\s+over\s+|roughly\s+)?{number}\s+(?:and\s+a\s+half\s+)?{unit}(?P<half>\s+and\s+a\s+half)?"
    injection = "|".join(
        re.escape(w) for w in sorted(settings.injection_words, key=len, reverse=True)
    )
    return {
        "amount": re.compile(rf"\b{amount}\b", re.IGNORECASE),
        "ago": re.compile(rf"\b{amount}\s+ago\b", re.IGNORECASE),
        "since": re.compile(
            rf"\b(?:it'?s|it\s+is|it\s+has\s+been|it'?s\s+been|now)\s+{amount}\s+(?:since|after|from)\b",
            re.IGNORECASE,
        ),
        "later": re.compile(rf"\bnow,?\s+{amount}\s+later\b", re.IGNORECASE),
        "injection": re.compile(rf"\b(?:{injection})\b", re.IGNORECASE),
        "yesterday": re.compile(r"\byesterday(?:'s)?\b", re.IGNORECASE),
        "last_week": re.compile(r"\blast\s+week(?:'s)?\b", re.IGNORECASE),
        "anaphor": re.compile(r"^\s*(?:that|this|it)\s+(?:was|is)\b", re.IGNORECASE),
        "other_injection": re.compile(
            r"\b(?:last|previous|next|first|second|third|fourth|fifth|sixth|other)\s+(?:one|injection|shot|epidural)\b|\bbooked\b|\bnext\s+week\b",
            re.IGNORECASE,
        ),
    }


_MAX_HOURS = 8760.0  # a "time since the injection" beyond a year is about something else


def _near_injection(pats: dict[str, re.Pattern[str]], sentence: str, m: re.Match[str]) -> bool:
    """Is this "N days ago" said of the injection? ("the injection ... six days ago", or
    "two days ago I had the injection"), not of something else in the sentence."""
    for inj in pats["injection"].finditer(sentence):
        if inj.end() <= m.start():
            between = sentence[inj.end() : m.start()]
            limit = 8
        elif m.end() <= inj.start():
            between = sentence[m.end() : inj.start()]
            limit = 4
        else:
            return True
        if len(between.split()) <= limit and not re.search(r"[,;:]|\bbut\b", between):
            return True
    return False


def amount_hours(settings: IntakeSettings, match: re.Match[str]) -> float | None:
    """Hours in an amount match ("two hours", "an hour and a half", "3 days")."""
    raw = match.group("num").lower()
    if raw[0].isdigit():
        num = float(raw)
    else:
        num = settings.number_words.get(raw)
        if num is None:
            return None
    unit = settings.unit_hours.get(match.group("unit").lower())
    if unit is None:
        return None
    text = match.group(0).lower()
    if "and a half" in text:
        num += 0.5
    return num * unit


def parse_amount(settings: IntakeSettings, text: str) -> float | None:
    m = _patterns(settings)["amount"].search(text)
    return amount_hours(settings, m) if m else None


def hours_since_injection(
    settings: IntakeSettings, sentences: list[tuple[int, str]]
) -> TimeStatement | None:
    """The first explicit "when was the injection" statement; None when the text gives none.

    `sentences` are (character offset, sentence text) pairs in order.
    """
    pats = _patterns(settings)
    previous_mentions_injection = False
    injection_said = False
    for offset, sentence in sentences:
        mentions_injection = bool(pats["injection"].search(sentence))
        about_another = bool(pats["other_injection"].search(sentence))
        anchored = (mentions_injection and not about_another) or (
            previous_mentions_injection and bool(pats["anaphor"].search(sentence))
        )
        if anchored:
            for key in ("ago", "since"):
                for m in pats[key].finditer(sentence):
                    if (
                        mentions_injection
                        and not about_another
                        and not _near_injection(pats, sentence, m)
                    ):
                        continue
                    hours = amount_hours(settings, m)
                    if hours is not None and hours <= _MAX_HOURS:
                        return TimeStatement(hours, offset + m.start(), offset + m.end())
        injection_said = injection_said or mentions_injection
        if injection_said:
            m = pats["later"].search(sentence)
            if m:
                hours = amount_hours(settings, m)
                if hours is not None:
                    return TimeStatement(hours, offset + m.start(), offset + m.end())
        if mentions_injection and not about_another:
            for inj in pats["injection"].finditer(sentence):
                for key, hours in (
                    ("yesterday", settings.yesterday_hours),
                    ("last_week", settings.last_week_hours),
                ):
                    for m in pats[key].finditer(sentence):
                        # "yesterday" must be said of the injection: within a few words of it.
                        gap = sentence[min(m.end(), inj.end()) : max(m.start(), inj.start())]
                        if len(gap.split()) <= 5:
                            return TimeStatement(hours, offset + m.start(), offset + m.end())
        previous_mentions_injection = mentions_injection
    return None
