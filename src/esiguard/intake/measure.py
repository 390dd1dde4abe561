"""Reading measured values (temperature, blood sugar, blood pressure) out of the text.

The lexicon says which keyword names a measurement and which numbers after it to skip; this
module turns that into a TargetMatcher pattern (keyword ... number) and, for a matched span,
reads the value and its unit. A value that is not plausible for any unit is dropped rather
than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from esiguard.intake.lexicon import Measurement, entry_regex, phrase_regex

# Between the keyword and the number: anything but a digit or the end of a sentence.
_GAP = r"(?:(?!\.\s)[^\d!?;\n])"


def measurement_regex(measurement: Measurement) -> str:
    """Keyword, a short gap, then the number (or a raw regex that includes the number)."""
    alternatives = []
    if measurement.phrases:
        keywords = "|".join(
            phrase_regex(p) for p in sorted(set(measurement.phrases), key=len, reverse=True)
        )
        alternatives.append(
            f"(?:{keywords}){_GAP}{{0,{measurement.window_chars}}}?(?:{measurement.number_regex})"
        )
    alternatives += [f"(?:{r.pattern})" for r in measurement.regex]
    return "|".join(alternatives) if alternatives else entry_regex(measurement)


@dataclass(frozen=True)
class Reading:
    value: float | None = None
    unit: str | None = None
    systolic: float | None = None
    diastolic: float | None = None
    start: int = 0  # character offsets of the number in the text
    end: int = 0


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _unit_after(measurement: Measurement, following: str) -> str | None:
    tail = following.lower().lstrip()
    best: tuple[int, str] | None = None
    for unit, words in measurement.units.items():
        for word in words:
            w = word.lower()
            whole = tail.startswith(w) and (len(tail) == len(w) or not tail[len(w)].isalpha())
            if whole and (best is None or len(w) > best[0]):
                best = (len(w), unit)
    return best[1] if best else None


def _infer_unit(measurement: Measurement, value: float) -> str | None:
    for rng in measurement.infer_units:
        if rng.low <= value <= rng.high:
            return rng.unit
    return None


def _plausible(measurement: Measurement, value: float, unit: str) -> bool:
    low, high = measurement.plausible.get(unit, (float("-inf"), float("inf")))
    return low <= value <= high


def _starts_with_word(text: str, word: str) -> bool:
    if not text.startswith(word):
        return False
    rest = text[len(word) :]
    return not (word[-1:].isalpha() and rest[:1].isalpha())


def _excluded(measurement: Measurement, before: str, after: str) -> bool:
    before_l = before.lower()
    if any(re.search(rf"\b{re.escape(word)}\b", before_l) for word in measurement.exclude_before):
        return True
    after_l = after.lower().lstrip()
    return any(_starts_with_word(after_l, word.strip()) for word in measurement.exclude_after)


def _to_canonical(value: float, unit: str) -> float:
    """Comparable magnitude for picking the highest reading (mg/dL or degrees C)."""
    if unit == "mmol/L":
        return value * 18.016
    if unit == "F":
        return (value - 32.0) * 5.0 / 9.0
    return value


def read_measurement(
    measurement: Measurement, text: str, span_start: int, span_end: int, limit: int
) -> Reading | None:
    """Read the value for a matched keyword span; look for more numbers up to `limit`."""
    number = re.compile(measurement.number_regex, re.IGNORECASE)
    if measurement.kind == "blood_pressure":
        m = None
        for candidate in number.finditer(text, span_start, max(span_end, limit)):
            m = candidate
            break
        if m is None:
            return None
        sys_v, dia_v = _number(m.group("sys")), _number(m.group("dia"))
        low_s, high_s = measurement.plausible.get("systolic", (50, 300))
        low_d, high_d = measurement.plausible.get("diastolic", (20, 200))
        if not (low_s <= sys_v <= high_s and low_d <= dia_v <= high_d and sys_v > dia_v):
            return None
        return Reading(systolic=sys_v, diastolic=dia_v, unit="mmHg", start=m.start(), end=m.end())

    end = span_end if measurement.pick == "first" else max(span_end, limit)
    readings: list[Reading] = []
    for m in number.finditer(text, span_start, end):
        # A number glued to letters or digits on its left is part of something else ("HbA1c").
        if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "."):
            continue
        before = text[max(0, m.start() - 24) : m.start()]
        after = text[m.end() : m.end() + 24]
        if _excluded(measurement, before, after):
            continue
        value = _number(m.group(0))
        named = _unit_after(measurement, after)
        # Letters glued to the number must be a unit ("31.5mmol"), not "300s" or "3pm".
        if after[:1].isalpha() and named is None:
            continue
        unit = named or _infer_unit(measurement, value)
        if unit is None or not _plausible(measurement, value, unit):
            continue
        readings.append(Reading(value=value, unit=unit, start=m.start(), end=m.end()))
        if measurement.pick == "first":
            break
    if not readings:
        return None
    if measurement.pick == "max":
        return max(readings, key=lambda r: _to_canonical(r.value or 0.0, r.unit or ""))
    return readings[0]
