"""Which education entries fit a triage result: a precomputed map from codes to entries.

Scoring (cheap: a few dictionary lookups per code). For the cause at rank r of the result
(0 = most likely), an entry gains CAUSE_WEIGHT / (1 + r) times its share of that cause:
- 1 if the cause is one of the entry's main_causes (the entry is about it);
- OTHER_CAUSE_SHARE / sqrt(len(related_causes)) if the entry only mentions it, so a survey of
  many causes ranks below a focused entry.
Findings add FINDING_WEIGHT times the fraction of the result's findings the entry lists.
If any cause is one of the emergency entry's causes (the dangerous ones), the emergency entry
comes first: emergency advice first wherever it appears. Ties keep catalogue order.
Clinician entries are never returned: TriageResult.education is read by patients.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from esiguard.education.model import EMERGENCY_ENTRY_ID, EducationEntry

__all__ = ["MAX_RESULTS", "RelevanceIndex"]

MAX_RESULTS = 5
CAUSE_WEIGHT = 3.0
OTHER_CAUSE_SHARE = 0.4
FINDING_WEIGHT = 1.0
_MEMO_LIMIT = 4096


@dataclass(frozen=True)
class RelevanceIndex:
    by_cause: dict[str, tuple[tuple[str, float], ...]]
    by_finding: dict[str, tuple[str, ...]]
    emergency_causes: frozenset[str]
    order: dict[str, int]
    _memo: dict[tuple[str, ...], tuple] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, entries: Iterable[EducationEntry]) -> RelevanceIndex:
        by_cause: dict[str, list[tuple[str, float]]] = defaultdict(list)
        by_finding: dict[str, list[str]] = defaultdict(list)
        emergency_causes: frozenset[str] = frozenset()
        order: dict[str, int] = {}
        for position, entry in enumerate(entries):
            if entry.audience != "patient":
                continue
            order[entry.id] = position
            if entry.id == EMERGENCY_ENTRY_ID:
                emergency_causes = frozenset(entry.related_causes)
            if entry.related_causes:
                other = OTHER_CAUSE_SHARE / math.sqrt(len(entry.related_causes))
                for code in entry.related_causes:
                    share = 1.0 if code in entry.main_causes else other
                    by_cause[code].append((entry.id, share))
            for code in entry.related_findings:
                by_finding[code].append(entry.id)
        return cls(
            by_cause={code: tuple(hits) for code, hits in by_cause.items()},
            by_finding={code: tuple(hits) for code, hits in by_finding.items()},
            emergency_causes=emergency_causes,
            order=order,
        )

    def rank(
        self, cause_codes: Sequence[str], finding_codes: Sequence[str], limit: int = MAX_RESULTS
    ) -> list[str]:
        """Entry ids for these causes (most likely first) and findings; unknown codes add none."""
        return self.rank_unique(
            tuple(dict.fromkeys(cause_codes)), tuple(dict.fromkeys(finding_codes)), limit
        )

    def rank_unique(
        self, causes: tuple[str, ...], findings: tuple[str, ...], limit: int = MAX_RESULTS
    ) -> list[str]:
        """`rank` for codes already without repeats (what triage passes)."""
        scores, ranked, emergency_first = self._cause_ranking(causes)
        limit = max(limit, 0)
        if findings:
            by_finding = self.by_finding
            share = FINDING_WEIGHT / len(findings)
            raised: dict[str, float] = {}
            for code in findings:
                for entry_id in by_finding.get(code, ()):
                    raised[entry_id] = raised.get(entry_id, scores.get(entry_id, 0.0)) + share
            if raised:
                # Findings only raise scores, so the first `limit` are among the raised
                # entries and the first `limit` of the others.
                order = self.order
                merged = [item for item in ranked[:limit] if item[2] not in raised]
                merged += [(-score, order[entry], entry) for entry, score in raised.items()]
                merged.sort()  # highest score first, ties in catalogue order
                ranked = merged
        if emergency_first:  # moved to the front: the others need only limit - 1 places
            others = [entry for _, _, entry in ranked[:limit] if entry != EMERGENCY_ENTRY_ID]
            return [EMERGENCY_ENTRY_ID, *others][:limit]
        return [entry for _, _, entry in ranked[:limit]]

    def clear_memo(self) -> None:
        self._memo.clear()

    def _cause_ranking(self, causes: tuple[str, ...]) -> tuple[dict, list, bool]:
        """What the ranked causes alone give: scores per entry, the entries by score (as
        (-score, catalogue position, id), ties in catalogue order) and whether the emergency
        entry goes first. A result's causes repeat far more often than its findings, so these
        are kept (a bounded memo)."""
        memo = self._memo
        found = memo.get(causes)
        if found is None:
            scores: dict[str, float] = {}
            for rank, code in enumerate(causes):
                for entry_id, share in self.by_cause.get(code, ()):
                    scores[entry_id] = scores.get(entry_id, 0.0) + CAUSE_WEIGHT * share / (1 + rank)
            order = self.order
            ranked = sorted([(-score, order[entry], entry) for entry, score in scores.items()])
            emergency_first = EMERGENCY_ENTRY_ID in order and not self.emergency_causes.isdisjoint(
                causes
            )
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            found = memo[causes] = (scores, ranked, emergency_first)
        return found
