"""Medication names to generic drugs: brands, misspellings and dose text.

`resolve_drug("Eliquis 5 mg twice daily", kb)` finds apixaban. The index of every generic name and
alias in the screening knowledge base is built once per knowledge base (via `kb.section`), so a
lookup is a few dictionary probes plus, only when nothing matches exactly, one bounded fuzzy search.

Fuzzy matching is deliberately narrow: a misspelling must be within one edit (names of 5-6
letters) or two edits (7 or more letters, transpositions count as one edit) of exactly one known
drug; an ambiguous or distant name stays unknown, because an unknown medicine is reported to the
clinician, whereas a wrong match could silently hide a blood thinner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from esiguard.errors import KnowledgeBaseError
from esiguard.kb import KnowledgeBase, load_kb
from esiguard.screening.data import DrugClass, screening_data

__all__ = ["DrugIndex", "DrugMatch", "drug_index", "normalize_name", "resolve_drug"]

ANTITHROMBOTIC_CLASSES: frozenset[str] = frozenset({"anticoagulant", "antiplatelet"})
# When one text names two drugs ("aspirin and clopidogrel"), report the one that matters most.
_CLASS_PRIORITY: dict[str, int] = {
    "anticoagulant": 0,
    "antiplatelet": 1,
    "nsaid": 2,
    "ssri_snri": 3,
    "supplement": 4,
    "other": 5,
}
# Words that describe a dose or a schedule, not a drug ("Eliquis 5 mg twice daily").
_DOSE_WORDS: frozenset[str] = frozenset(
    """mg mcg ug g gm gram grams ml iu unit units u mmol percent daily day days a an per every
    once twice three four times bd bid tid tds qid qds qd od om on mane nocte nightly night morning
    evening weekly week month monthly prn as needed tab tabs tablet tablets cap caps capsule
    capsules pill pills dose doses oral po sc subcut subcutaneous iv inj injection injections
    patch spray drops take takes taking x at with in of for and or the my""".split()  # noqa: SIM905
)
_NUMBER = re.compile(r"^\d+([.,]\d+)?(mg|mcg|g|ml|iu|u|units?|%)?$")
_MAX_WINDOW = 5


@dataclass(frozen=True)
class DrugMatch:
    """A medication name resolved to a generic drug in the knowledge base."""

    generic: str
    drug_class: DrugClass
    matched_alias: str
    entry_id: str
    kind: Literal["antithrombotic", "other"]
    exact: bool

    @property
    def is_antithrombotic(self) -> bool:
        """True for anticoagulants and antiplatelet drugs (aspirin, P2Y12 inhibitors, ...)."""
        return self.drug_class in ANTITHROMBOTIC_CLASSES

    @property
    def affects_bleeding(self) -> bool:
        """True for every class the guideline addresses (also NSAIDs, SSRIs, supplements)."""
        return self.drug_class != "other"


def normalize_name(text: str) -> str:
    """Lower case, punctuation to spaces: 'Advil Liqui-Gels' -> 'advil liqui gels'."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _strip_dose(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t not in _DOSE_WORDS and not _NUMBER.match(t)]


@dataclass(frozen=True)
class _Item:
    entry_id: str
    generic: str
    drug_class: DrugClass
    alias: str
    kind: Literal["antithrombotic", "other"]


class DrugIndex:
    """Every known name (generic and alias, normalized) -> the drug it names."""

    def __init__(self, items: dict[str, _Item]) -> None:
        self._items = items
        self._keys = list(items)
        self._max_words = max((k.count(" ") + 1 for k in items), default=1)

    def __len__(self) -> int:
        return len(self._items)

    def _exact(self, tokens: list[str]) -> tuple[_Item, str] | None:
        for size in range(min(len(tokens), self._max_words, _MAX_WINDOW), 0, -1):
            found = [
                self._items[key]
                for i in range(len(tokens) - size + 1)
                if (key := " ".join(tokens[i : i + size])) in self._items
            ]
            if found:
                best = min(found, key=lambda item: _CLASS_PRIORITY[item.drug_class])
                return best, best.alias
        return None

    def _fuzzy(self, tokens: list[str]) -> _Item | None:
        for size in range(min(len(tokens), 3), 0, -1):
            # closest key per drug: (distance, key)
            candidates: dict[tuple[str, str], tuple[int, str]] = {}
            for i in range(len(tokens) - size + 1):
                query = " ".join(tokens[i : i + size])
                if len(query) < 5:
                    continue
                allowed = 1 if len(query) < 7 else 2
                for key, distance, _ in process.extract(
                    query,
                    self._keys,
                    scorer=DamerauLevenshtein.distance,
                    score_cutoff=allowed,
                    limit=10,
                ):
                    if len(key) < 5:
                        continue
                    item = self._items[key]
                    ident = (item.entry_id, item.generic)
                    if ident not in candidates or distance < candidates[ident][0]:
                        candidates[ident] = (int(distance), key)
            if candidates:
                best = min(d for d, _ in candidates.values())
                winners = [key for d, key in candidates.values() if d == best]
                if len(winners) != 1:
                    return None  # ambiguous: leave it unknown rather than guess
                return self._items[winners[0]]
        return None

    def _exact_all(self, tokens: list[str]) -> list[_Item]:
        """Every drug named by non-overlapping exact windows, longest windows first."""
        taken = [False] * len(tokens)
        found: list[_Item] = []
        for size in range(min(len(tokens), self._max_words, _MAX_WINDOW), 0, -1):
            for i in range(len(tokens) - size + 1):
                if any(taken[i : i + size]):
                    continue
                key = " ".join(tokens[i : i + size])
                if key in self._items:
                    found.append(self._items[key])
                    taken[i : i + size] = [True] * size
        unique: dict[tuple[str, str], _Item] = {}
        for item in found:
            unique.setdefault((item.entry_id, item.generic), item)
        return sorted(unique.values(), key=lambda item: _CLASS_PRIORITY[item.drug_class])

    def exact(self, phrase: str) -> DrugMatch | None:
        """The drug a whole phrase names exactly (after normalization), else None."""
        item = self._items.get(normalize_name(phrase))
        if item is None:
            return None
        return DrugMatch(item.generic, item.drug_class, item.alias, item.entry_id, item.kind, True)

    def resolve_all(self, name: str) -> list[DrugMatch]:
        """All drugs a name mentions ('aspirin and clopidogrel' -> both); [] when unknown."""
        tokens = _strip_dose(normalize_name(name).split()) or normalize_name(name).split()
        items = self._exact_all(tokens)
        if len(items) > 1:
            return [
                DrugMatch(it.generic, it.drug_class, it.alias, it.entry_id, it.kind, True)
                for it in items
            ]
        single = self.resolve(name)
        return [single] if single is not None else []

    def resolve(self, name: str) -> DrugMatch | None:
        tokens = normalize_name(name).split()
        if not tokens:
            return None
        hit = self._exact(tokens)
        stripped = _strip_dose(tokens)
        if hit is None and stripped and stripped != tokens:
            hit = self._exact(stripped)
        if hit is not None:
            item, alias = hit
            return DrugMatch(item.generic, item.drug_class, alias, item.entry_id, item.kind, True)
        item = self._fuzzy(stripped or tokens)
        if item is None:
            return None
        return DrugMatch(item.generic, item.drug_class, item.alias, item.entry_id, item.kind, False)


def _add(items: dict[str, _Item], name: str, item: _Item, file: str) -> None:
    key = normalize_name(name)
    if not key:
        return
    existing = items.get(key)
    if existing is not None and (existing.entry_id, existing.generic) != (
        item.entry_id,
        item.generic,
    ):
        raise KnowledgeBaseError(
            file,
            item.entry_id,
            "aliases",
            f"name {name!r} also names {existing.generic} in entry {existing.entry_id}",
        )
    if existing is None:
        items[key] = item


def _build(kb: KnowledgeBase) -> DrugIndex:
    data = screening_data(kb)
    items: dict[str, _Item] = {}
    for entry in data.antithrombotics.values():
        for drug in entry.drugs:
            for name in (drug.generic, *drug.aliases):
                item = _Item(entry.id, drug.generic, entry.drug_class, name, "antithrombotic")
                _add(items, name, item, "screening/antithrombotics.yaml")
    for group in data.other_medications.values():
        for drug in group.drugs:
            for name in (drug.generic, *drug.aliases):
                item = _Item(group.id, drug.generic, "other", name, "other")
                _add(items, name, item, "screening/other_medications.yaml")
    return DrugIndex(items)


def drug_index(kb: KnowledgeBase) -> DrugIndex:
    """The name index of `kb`, built once per knowledge base."""
    # kb.section holds a non-reentrant lock while loading, so the data section the index is built
    # from must be loaded before, not inside, the index's own section.
    screening_data(kb)
    return kb.section("screening.drug_index", _build)


def resolve_drug(name: str, kb: KnowledgeBase | None = None) -> DrugMatch | None:
    """Resolve a medication name as written (brand, misspelling, with dose text) to a generic drug.

    Returns None when the name is not recognised; callers must treat that as unknown, never as safe.
    """
    return drug_index(kb if kb is not None else load_kb()).resolve(name)
