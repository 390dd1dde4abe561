"""Ranked, typo-tolerant search over education entries.

The index is built once per knowledge base: an inverted index from normalised words to the
entries (and fields) that contain them, weighted by field and by how rare the word is. A query
word matches index words exactly, by prefix ("thin" -> "thinner") or, when the index does not
know the word and it has four letters or more, by edit similarity (rapidfuzz), so "diabetis"
still finds "diabetes". Entries that
match every query word rank above entries that match some, and a query phrase found in a title,
question or keyword list ranks higher still.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from esiguard.education.model import EducationEntry

__all__ = ["SearchIndex", "normalise_words"]

_WORD = re.compile(r"[a-z0-9]+")
# Words that carry no topic; plumbing of English questions, not clinical content.
_STOP_WORDS_TEXT = """
a about after an and any are as at be been before being but by can could did do does doing for
from get got had has have having how i if in into is it its just me my of on or our should so
than that the their them then there these they this those to too was we were what when where
which who whom why will with would you your
"""
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# How much a word counts depending on where it appears in an entry.
_FIELD_WEIGHTS: dict[str, float] = {
    "id": 2.5,
    "title": 3.0,
    "keywords": 3.0,
    "question": 2.0,
    "short_answer": 1.5,
    "answer": 1.0,
    "corrections": 0.5,
}
_PHRASE_FIELDS = ("title", "keywords", "question")
_PHRASE_BONUS = 1.5
_PREFIX_SIMILARITY = 0.85
_MIN_PREFIX_LENGTH = 4
# Clinician-only entries rank below patient entries with the same match: patients search most.
_CLINICIAN_FACTOR = 0.7


def normalise_words(text: str) -> list[str]:
    """Lower-case words without stop words, with a light plural strip ("legs" -> "leg")."""
    words = []
    for raw in _WORD.findall(text.lower().replace("_", " ")):
        if raw in _STOP_WORDS:
            continue
        words.append(_singular(raw))
    return words


def _singular(word: str) -> str:
    # Only plain "-s" plurals: "diabetes", "stenosis", "sinus" and "less" keep their ending.
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "es")):
        return word[:-1]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return word


def _fuzzy_cutoff(word: str) -> float | None:
    if len(word) < 4:
        return None  # short words only match exactly: "leg" must not match "lag"
    return 75.0 if len(word) <= 5 else 80.0


def _entry_fields(entry: EducationEntry) -> dict[str, str]:
    return {
        "id": entry.id,
        "title": entry.title,
        "keywords": " ; ".join(entry.keywords),
        "question": entry.question,
        "short_answer": entry.short_answer,
        "answer": entry.answer,
        "corrections": " ".join(
            f"{c.article_says} {c.problem} {c.correct_fact}" for c in entry.corrections
        ),
    }


@dataclass(frozen=True)
class SearchIndex:
    postings: dict[str, dict[str, float]]
    idf: dict[str, float]
    vocabulary: tuple[str, ...]  # sorted, for prefix lookups
    phrases: dict[str, tuple[str, ...]]  # entry id -> normalised title/keyword/question strings
    factors: dict[str, float]  # entry id -> audience factor
    order: dict[str, int]  # entry id -> position in the catalogue, for stable ties

    @classmethod
    def build(cls, entries: Iterable[EducationEntry]) -> SearchIndex:
        postings: dict[str, dict[str, float]] = defaultdict(dict)
        phrases: dict[str, tuple[str, ...]] = {}
        factors: dict[str, float] = {}
        order: dict[str, int] = {}
        for position, entry in enumerate(entries):
            order[entry.id] = position
            factors[entry.id] = _CLINICIAN_FACTOR if entry.audience == "clinician" else 1.0
            fields = _entry_fields(entry)
            for field, text in fields.items():
                weight = _FIELD_WEIGHTS[field]
                for word in set(normalise_words(text)):
                    postings[word][entry.id] = postings[word].get(entry.id, 0.0) + weight
            phrase_texts = [fields["title"], fields["question"], *entry.keywords]
            phrases[entry.id] = tuple(" ".join(normalise_words(t)) for t in phrase_texts)
        count = len(order)
        idf = {
            word: math.log((count + 1) / (len(hits) + 0.5)) + 0.1 for word, hits in postings.items()
        }
        return cls(
            postings=dict(postings),
            idf=idf,
            vocabulary=tuple(sorted(postings)),
            phrases=phrases,
            factors=factors,
            order=order,
        )

    def _matches(self, word: str) -> dict[str, float]:
        """Index words that stand for `word`, with a similarity in (0, 1]."""
        found: dict[str, float] = {}
        if word in self.postings:
            found[word] = 1.0
        if len(word) >= _MIN_PREFIX_LENGTH:
            start = bisect.bisect_left(self.vocabulary, word)
            for candidate in self.vocabulary[start:]:
                if not candidate.startswith(word):
                    break
                found.setdefault(candidate, _PREFIX_SIMILARITY)
        cutoff = _fuzzy_cutoff(word)
        # Fuzzy matching is for words the index does not know (typos): a known word such as
        # "watch" must not also match "patch".
        if cutoff is not None and word not in self.postings:
            for candidate, score, _ in process.extract(
                word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5
            ):
                similarity = score / 100.0
                if similarity > found.get(candidate, 0.0):
                    found[candidate] = similarity
        return found

    def search(self, words: str, limit: int = 10) -> list[tuple[str, float]]:
        """Entry ids with scores, best first; empty when nothing matches."""
        query = normalise_words(words)
        if not query or limit <= 0:
            return []
        totals: dict[str, float] = defaultdict(float)
        matched: dict[str, int] = defaultdict(int)
        for word in query:
            best: dict[str, float] = {}
            for term, similarity in self._matches(word).items():
                weight = similarity * similarity * self.idf[term]
                for entry_id, field_weight in self.postings[term].items():
                    best[entry_id] = max(best.get(entry_id, 0.0), weight * field_weight)
            for entry_id, value in best.items():
                totals[entry_id] += value
                matched[entry_id] += 1
        phrase = " ".join(query) if len(query) > 1 else None
        scored = []
        for entry_id, total in totals.items():
            coverage = matched[entry_id] / len(query)
            score = total * (0.25 + 0.75 * coverage) * self.factors[entry_id]
            if phrase and any(phrase in text for text in self.phrases[entry_id]):
                score *= _PHRASE_BONUS
            scored.append((entry_id, round(score, 3)))
        scored.sort(key=lambda pair: (-pair[1], self.order[pair[0]]))
        return scored[:limit]
