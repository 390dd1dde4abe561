"""Load the education entries, check them against the rest of the knowledge base, index them.

Checks beyond the schema, each naming file, entry and field:
- related_findings / related_causes are codes in vocabulary.json; main_causes are among the
  related_causes;
- links name existing entries (not the entry itself, no repeats);
- an entry that mentions a warning sign links the emergency entry, which must exist and be a
  patient entry that itself mentions warning signs;
- every source id (entry and correction rows) is in the bibliography; dates are not in the future.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from esiguard.education.model import EMERGENCY_ENTRY_ID, EducationEntry
from esiguard.education.relevance import RelevanceIndex
from esiguard.education.search import SearchIndex
from esiguard.errors import KnowledgeBaseError
from esiguard.kb import KnowledgeBase
from esiguard.kb.loader import load_entries

__all__ = ["SECTION", "EducationCatalogue", "build_catalogue"]

SECTION = "education"
PATTERN = "education/*.yaml"


@dataclass(frozen=True)
class EducationCatalogue:
    """The validated entries (in file order) with their precomputed indexes."""

    entries: dict[str, EducationEntry]
    files: dict[str, str]
    search_index: SearchIndex
    relevance: RelevanceIndex


def build_catalogue(kb: KnowledgeBase) -> EducationCatalogue:
    """Load, validate and index kb/data/education/*.yaml (use via kb.section)."""
    pairs = load_entries(kb.data_root, PATTERN, EducationEntry)
    if not pairs:
        raise KnowledgeBaseError(PATTERN, None, None, "no education entries found")
    kb.check_cited(pairs)
    entries = {entry.id: entry for _, entry in pairs}
    files = {entry.id: file for file, entry in pairs}
    _check_emergency_entry(entries, files)
    for file, entry in pairs:
        _check_codes(kb, file, entry)
        _check_links(entries, file, entry)
        _check_correction_sources(kb, file, entry)
        _check_reviewed_on(file, entry)
    return EducationCatalogue(
        entries=entries,
        files=files,
        search_index=SearchIndex.build(entries.values()),
        relevance=RelevanceIndex.build(entries.values()),
    )


def _check_emergency_entry(entries: dict[str, EducationEntry], files: dict[str, str]) -> None:
    emergency = entries.get(EMERGENCY_ENTRY_ID)
    if emergency is None:
        raise KnowledgeBaseError(
            PATTERN, EMERGENCY_ENTRY_ID, "id", "the emergency advice entry is missing"
        )
    if emergency.audience != "patient" or not emergency.mentions_warning_signs:
        raise KnowledgeBaseError(
            files[EMERGENCY_ENTRY_ID],
            EMERGENCY_ENTRY_ID,
            "audience",
            "the emergency entry must be a patient entry with mentions_warning_signs: true",
        )


def _check_codes(kb: KnowledgeBase, file: str, entry: EducationEntry) -> None:
    known_findings = kb.vocabulary.findings
    known_causes = set(kb.vocabulary.causes)
    for i, code in enumerate(entry.related_findings):
        if code not in known_findings:
            raise KnowledgeBaseError(
                file,
                entry.id,
                f"related_findings[{i}]",
                f"{code!r} is not a finding code in vocabulary.json",
            )
    for i, code in enumerate(entry.related_causes):
        if code not in known_causes:
            raise KnowledgeBaseError(
                file,
                entry.id,
                f"related_causes[{i}]",
                f"{code!r} is not a cause code in vocabulary.json",
            )
    for field in ("related_findings", "related_causes", "main_causes"):
        codes = getattr(entry, field)
        if len(set(codes)) != len(codes):
            raise KnowledgeBaseError(file, entry.id, field, "repeats a code")
    for i, code in enumerate(entry.main_causes):
        if code not in entry.related_causes:
            raise KnowledgeBaseError(
                file, entry.id, f"main_causes[{i}]", f"{code!r} must also be in related_causes"
            )


def _check_links(entries: dict[str, EducationEntry], file: str, entry: EducationEntry) -> None:
    seen: set[str] = set()
    for i, target in enumerate(entry.links):
        if target == entry.id:
            raise KnowledgeBaseError(file, entry.id, f"links[{i}]", "links to itself")
        if target in seen:
            raise KnowledgeBaseError(file, entry.id, f"links[{i}]", f"repeats {target!r}")
        if target not in entries:
            raise KnowledgeBaseError(
                file, entry.id, f"links[{i}]", f"unknown education entry id {target!r}"
            )
        seen.add(target)
    if (
        entry.mentions_warning_signs
        and entry.id != EMERGENCY_ENTRY_ID
        and EMERGENCY_ENTRY_ID not in entry.links
    ):
        raise KnowledgeBaseError(
            file,
            entry.id,
            "links",
            f"mentions warning signs, so it must link {EMERGENCY_ENTRY_ID!r}",
        )


def _check_correction_sources(kb: KnowledgeBase, file: str, entry: EducationEntry) -> None:
    for row_index, correction in enumerate(entry.corrections):
        for i, ref in enumerate(correction.sources):
            if ref.ref not in kb.sources:
                raise KnowledgeBaseError(
                    file,
                    entry.id,
                    f"corrections[{row_index}].sources[{i}].ref",
                    f"unknown source id {ref.ref!r}",
                )


def _check_reviewed_on(file: str, entry: EducationEntry) -> None:
    if entry.reviewed_on > dt.date.today():
        raise KnowledgeBaseError(
            file, entry.id, "reviewed_on", f"is in the future ({entry.reviewed_on})"
        )
