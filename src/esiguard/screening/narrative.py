"""A safety net for medicines named only in the patient's own words.

When the narrative names a medicine that affects bleeding ("I take Xarelto every morning") and the
structured medication list does not contain it, the screen adds it to the plan instead of ignoring
it. A stated last-dose time ("my last tablet was yesterday", "I stopped my Pradaxa four days ago")
is read when it is plain; otherwise the time is unknown, which is itself a reason not to proceed.
This is deliberately simple and cautious: negated mentions ("I don't take aspirin") are skipped, and
when several times are mentioned the most recent one is used.
"""

from __future__ import annotations

import re

from esiguard.case import Medication
from esiguard.screening.drugs import DrugIndex, DrugMatch

_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14,
}  # fmt: skip
_UNIT_HOURS = {"hour": 1.0, "day": 24.0, "week": 168.0}
_AGO = re.compile(
    r"\b(\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen)"
    r"\s+(hour|day|week)s?\s+ago\b"
)
# Relative phrases and the hours before 'now' they stand for (cautious: the most recent reading).
_PHRASES = {"this morning": 3.0, "last night": 10.0, "yesterday": 24.0, "today": 1.0}
_NEGATION = re.compile(
    r"\b(no|not|don't|dont|do not|didn't|didnt|did not|never|without|nor|none|haven't|havent)\b"
)
_LAST_DOSE = re.compile(
    r"\b(last|final)\s+(dose|tablet|pill|one|injection|shot|capsule)\b|\bstopped\b"
)


def _clauses(text: str) -> list[str]:
    """Sentences split further at commas, semicolons, dashes, 'but' and 'so'."""
    sentences = re.split(r"(?<=[.!?])\s+|\n+", text)
    parts: list[str] = []
    for sentence in sentences:
        parts += re.split(r"\s[-–]\s|[,;:]|\bbut\b|\bso\b", sentence)
    return [p.strip() for p in parts if p.strip()]


def _hours_ago(clause: str) -> float | None:
    if _NEGATION.search(clause):
        return None
    found: list[float] = []
    for amount, unit in _AGO.findall(clause):
        number = float(_WORD_NUMBERS[amount]) if amount in _WORD_NUMBERS else float(amount)
        found.append(number * _UNIT_HOURS[unit])
    found += [hours for phrase, hours in _PHRASES.items() if phrase in clause]
    return min(found) if found else None


def _negated_before(clause: str, position: int) -> bool:
    return bool(_NEGATION.search(clause[:position]))


def narrative_medications(
    narrative: str | None,
    index: DrugIndex,
    known_generics: set[str],
    hours_until_injection: float | None,
) -> list[tuple[Medication, DrugMatch]]:
    """Medicines affecting bleeding that the narrative names and the medication list lacks."""
    if not narrative:
        return []
    found: dict[str, tuple[str, DrugMatch, float | None]] = {}
    last_drug: str | None = None
    for clause in _clauses(narrative.lower()):
        tokens = list(re.finditer(r"[a-z0-9][a-z0-9-]*", clause))
        named_here: list[str] = []
        for size in (3, 2, 1):
            for i in range(len(tokens) - size + 1):
                phrase = " ".join(t.group(0) for t in tokens[i : i + size])
                match = index.exact(phrase)
                if match is None or not match.affects_bleeding or match.generic in known_generics:
                    continue
                if match.generic in named_here or _negated_before(clause, tokens[i].start()):
                    continue
                named_here.append(match.generic)
                if match.generic not in found:
                    found[match.generic] = (phrase, match, None)
        # A time belongs to the drug named in the same clause or, for "my last tablet was
        # yesterday", to the drug named just before.
        hours = _hours_ago(clause)
        targets = named_here or ([last_drug] if last_drug and _LAST_DOSE.search(clause) else [])
        if hours is not None:
            for generic in targets:
                phrase, match, previous = found[generic]
                found[generic] = (
                    phrase,
                    match,
                    hours if previous is None else min(previous, hours),
                )
        if named_here:
            last_drug = named_here[-1]
    out: list[tuple[Medication, DrugMatch]] = []
    for phrase, match, hours_ago in found.values():
        last = None
        if hours_ago is not None:
            last = hours_ago + (hours_until_injection or 0.0)
        name = f"{phrase} (named in the narrative)"
        out.append((Medication(name=name[:120], last_dose_hours_before=last), match))
    return out
