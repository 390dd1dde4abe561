"""The knowledge base: cited clinical content as versioned data inside the package.

`load_kb()` reads and validates every core file once and caches the result. Domain
packages (screening, education, intake) load their own folders through
`KnowledgeBase.section()`, which applies the same checks and caches per knowledge base.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from esiguard.errors import KnowledgeBaseError
from esiguard.kb.loader import check_citations, load_entries, read_json, read_yaml
from esiguard.kb.schema import (
    DISPOSITION_ORDER,
    AdviceBlock,
    AttributeQuestion,
    CauseDef,
    FindingDef,
    KbMeta,
    LocalAnestheticFact,
    Policy,
    PredicateDef,
    SeverityScale,
    Source,
    SteroidFact,
    TriageRule,
)

__all__ = ["DISPOSITION_ORDER", "KnowledgeBase", "Vocabulary", "default_data_root", "load_kb"]

T = TypeVar("T")


@dataclass(frozen=True)
class Vocabulary:
    findings: dict[str, dict[str, str]]
    conditions: tuple[str, ...]
    dispositions: tuple[str, ...]
    screening_decisions: tuple[str, ...]
    causes: tuple[str, ...]


@dataclass(eq=False)
class KnowledgeBase:
    meta: KbMeta
    data_root: Path
    sources: dict[str, Source]
    vocabulary: Vocabulary
    findings: dict[str, FindingDef]
    attribute_questions: dict[str, AttributeQuestion]
    causes: dict[str, CauseDef]
    local_anesthetics: dict[str, LocalAnestheticFact]
    steroids: dict[str, SteroidFact]
    advice: dict[str, AdviceBlock]
    predicates: dict[str, PredicateDef]
    rules: tuple[TriageRule, ...]
    policies: dict[str, Policy]
    rule_files: dict[str, str]
    severity_bands: tuple[tuple[float, str], ...] = ()
    _sections: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def version(self) -> str:
        return self.meta.kb_version

    def section(self, name: str, loader: Callable[[KnowledgeBase], T]) -> T:
        """Load a domain section once per knowledge base (thread-safe, re-entrant: one section
        may load another) and cache it."""
        if name in self._sections:
            return self._sections[name]
        with self._lock:
            if name not in self._sections:
                self._sections[name] = loader(self)
        return self._sections[name]

    def check_cited(self, entries: list[tuple[str, Any]], *, id_field: str = "id") -> None:
        """Apply the citation checks to a domain section's entries."""
        check_citations(entries, self.sources, today=_today(), id_field=id_field)

    def citation_text(self, source_id: str) -> str:
        src = self.sources[source_id]
        return f"[{src.id}] {src.citation} (checked {src.checked_on.isoformat()})"


def _today() -> dt.date:
    return dt.date.today()


def default_data_root() -> Path:
    return Path(str(resources.files("esiguard.kb") / "data"))


def _load_vocabulary(root: Path) -> Vocabulary:
    raw = read_json(root / "vocabulary.json", root)
    try:
        return Vocabulary(
            findings=dict(raw["findings"]),
            conditions=tuple(raw["conditions"]),
            dispositions=tuple(raw["dispositions"]),
            screening_decisions=tuple(raw["screening_decisions"]),
            causes=tuple(raw["causes"]),
        )
    except (KeyError, TypeError) as exc:
        raise KnowledgeBaseError("vocabulary.json", None, str(exc), "missing or malformed") from exc


def _by_key(pairs: list[tuple[str, T]], key: str) -> dict[str, T]:
    return {getattr(entry, key): entry for _, entry in pairs}


def _require_codes(pairs: list[tuple[str, Any]], key: str, allowed: set[str], what: str) -> None:
    for file, entry in pairs:
        code = getattr(entry, key)
        if code not in allowed:
            raise KnowledgeBaseError(file, code, key, f"is not a {what} code in vocabulary.json")


def _build(root: Path) -> KnowledgeBase:
    meta_raw = read_yaml(root / "kb.yaml", root)
    try:
        meta = KbMeta.model_validate(meta_raw)
    except Exception as exc:
        raise KnowledgeBaseError("kb.yaml", None, None, str(exc).splitlines()[0]) from exc
    vocab = _load_vocabulary(root)
    source_pairs = load_entries(root, "sources/*.yaml", Source)
    sources = _by_key(source_pairs, "id")
    today = _today()
    for file, src in source_pairs:
        if src.checked_on > today:
            raise KnowledgeBaseError(file, src.id, "checked_on", "is in the future")

    finding_pairs = load_entries(root, "findings.yaml", FindingDef, id_field="code")
    _require_codes(finding_pairs, "code", set(vocab.findings), "finding")
    cause_pairs = load_entries(root, "causes.yaml", CauseDef, id_field="code")
    _require_codes(cause_pairs, "code", set(vocab.causes), "cause")
    question_pairs = load_entries(root, "questions.yaml", AttributeQuestion, id_field="attribute")
    la_pairs = load_entries(
        root, "drugs/local_anesthetics.yaml", LocalAnestheticFact, id_field="name"
    )
    steroid_pairs = load_entries(root, "drugs/steroids.yaml", SteroidFact, id_field="name")
    advice_pairs = load_entries(root, "advice/*.yaml", AdviceBlock)
    predicate_pairs = load_entries(root, "triage/predicates.yaml", PredicateDef)
    rule_pairs = load_entries(root, "triage/rules/*.yaml", TriageRule)
    policy_pairs = load_entries(root, "policies.yaml", Policy)
    scale_pairs = load_entries(root, "scales.yaml", SeverityScale)

    cited: list[tuple[str, Any]] = [
        *finding_pairs,
        *cause_pairs,
        *la_pairs,
        *steroid_pairs,
        *advice_pairs,
        *predicate_pairs,
        *rule_pairs,
        *policy_pairs,
        *scale_pairs,
    ]
    check_citations(cited, sources, today=today)

    advice = _by_key(advice_pairs, "id")
    causes = _by_key(cause_pairs, "code")
    for file, rule in rule_pairs:
        for i, weight in enumerate(rule.causes):
            if weight.code not in causes:
                raise KnowledgeBaseError(
                    file, rule.id, f"causes[{i}].code", f"unknown cause code {weight.code!r}"
                )
        for i, advice_id in enumerate(rule.advice):
            if advice_id not in advice:
                raise KnowledgeBaseError(
                    file, rule.id, f"advice[{i}]", f"unknown advice id {advice_id!r}"
                )
    kb = KnowledgeBase(
        meta=meta,
        data_root=root,
        sources=sources,
        vocabulary=vocab,
        findings=_by_key(finding_pairs, "code"),
        attribute_questions=_by_key(question_pairs, "attribute"),
        causes=causes,
        local_anesthetics=_by_key(la_pairs, "name"),
        steroids=_by_key(steroid_pairs, "name"),
        advice=advice,
        predicates=_by_key(predicate_pairs, "id"),
        rules=tuple(rule for _, rule in rule_pairs),
        policies=_by_key(policy_pairs, "id"),
        rule_files={rule.id: file for file, rule in rule_pairs},
        severity_bands=tuple(
            sorted(
                (
                    (band.min_nrs, band.severity)
                    for _, s in scale_pairs
                    if s.id == "nrs_severity"
                    for band in s.bands
                ),
                reverse=True,
            )
        ),
    )
    # Conditions are compiled here so that a wrong code or key fails at load time.
    from esiguard.kb.conditions import compile_kb

    compile_kb(kb)
    return kb


@functools.lru_cache(maxsize=8)
def _load_cached(root: str) -> KnowledgeBase:
    return _build(Path(root))


def load_kb(path: str | Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base (the packaged one by default), once per path."""
    root = Path(path) if path is not None else default_data_root()
    return _load_cached(str(root.resolve()))
