"""Patient education: the seed article's questions answered correctly, with sources.

The content is data (kb/data/education/*.yaml); this package loads it once per knowledge base
(through `KnowledgeBase.section`), validates it, and answers three kinds of question:

    load_education(kb=None) -> dict[str, EducationEntry]      every entry, in catalogue order
    get_entry(entry_id, kb=None) -> EducationEntry             one entry (KeyError if unknown)
    search(words, kb=None, limit=10) -> [(entry, score)]       ranked, typo-tolerant
    entries_for(cause_codes, finding_codes, kb=None) -> [id]   for TriageResult.education (<= 5)
    ranking(kb=None) -> rank(causes, findings)                 entries_for bound to one KB (tuples)
    suggest(text, kb=None, limit=3) -> [id]                    closest ids for an unknown topic
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rapidfuzz import fuzz, process

from esiguard.education.catalogue import SECTION, EducationCatalogue, build_catalogue
from esiguard.education.model import EMERGENCY_ENTRY_ID, ArticleCorrection, EducationEntry
from esiguard.education.relevance import MAX_RESULTS
from esiguard.kb import KnowledgeBase, load_kb

__all__ = [
    "EMERGENCY_ENTRY_ID",
    "ArticleCorrection",
    "EducationEntry",
    "clear_memos",
    "entries_for",
    "get_entry",
    "load_education",
    "normalise_topic",
    "ranking",
    "search",
    "suggest",
]


def _catalogue(kb: KnowledgeBase | None) -> EducationCatalogue:
    knowledge_base = kb if kb is not None else load_kb()
    return knowledge_base.section(SECTION, build_catalogue)


def load_education(kb: KnowledgeBase | None = None) -> dict[str, EducationEntry]:
    """Every education entry by id, in catalogue order (emergency advice first)."""
    return dict(_catalogue(kb).entries)


def normalise_topic(text: str) -> str:
    """Turn what a user typed ("Blood-thinners", "blood thinners") into an id-shaped string."""
    return "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


def get_entry(entry_id: str, kb: KnowledgeBase | None = None) -> EducationEntry:
    """One entry by id (case, hyphens and spaces forgiven); KeyError naming the closest ids."""
    catalogue = _catalogue(kb)
    key = normalise_topic(entry_id)
    if key in catalogue.entries:
        return catalogue.entries[key]
    closest = suggest(entry_id, kb)
    hint = f"; closest: {', '.join(closest)}" if closest else ""
    raise KeyError(f"unknown education topic {entry_id!r}{hint}")


def search(
    words: str, kb: KnowledgeBase | None = None, limit: int = 10
) -> list[tuple[EducationEntry, float]]:
    """Entries matching `words`, best first, with their scores (higher is better)."""
    catalogue = _catalogue(kb)
    return [
        (catalogue.entries[entry_id], score)
        for entry_id, score in catalogue.search_index.search(words, limit=limit)
    ]


def entries_for(
    cause_codes: Sequence[str], finding_codes: Sequence[str], kb: KnowledgeBase | None = None
) -> list[str]:
    """Patient entry ids relevant to a triage result's causes (ranked) and findings.

    Most relevant first, at most five; the emergency entry comes first when a cause is one of
    the dangerous causes it covers. Unknown codes are ignored.
    """
    return _catalogue(kb).relevance.rank(list(cause_codes), list(finding_codes), MAX_RESULTS)


def ranking(
    kb: KnowledgeBase | None = None,
) -> Callable[[tuple[str, ...], tuple[str, ...]], list[str]]:
    """`entries_for` bound to one knowledge base, for callers that rank many results and pass
    tuples of codes without repeats (as triage does)."""
    return _catalogue(kb).relevance.rank_unique


def clear_memos(kb: KnowledgeBase | None = None) -> None:
    """Forget remembered rankings (benchmarks use this so runs do not share work)."""
    _catalogue(kb).relevance.clear_memo()


def suggest(text: str, kb: KnowledgeBase | None = None, limit: int = 3) -> list[str]:
    """The entry ids closest to `text`: similar ids first, then search matches."""
    catalogue = _catalogue(kb)
    key = normalise_topic(text)
    picks: list[str] = []
    if key:
        for entry_id, _, _ in process.extract(
            key, list(catalogue.entries), scorer=fuzz.WRatio, score_cutoff=70, limit=limit
        ):
            picks.append(entry_id)
    for entry_id, _ in catalogue.search_index.search(text, limit=limit):
        if entry_id not in picks:
            picks.append(entry_id)
    return picks[:limit]
