"""Knowledge-base lint: checks beyond loading, for `esiguard kb check` and the tests.

Loading already refuses malformed, uncited or inconsistent entries; lint reports coverage:
every finding and cause code handled, every source cited, unverified facts counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from esiguard.kb import KnowledgeBase


def _walk(node: Any, key: str, acc: set[str]) -> None:
    """Add every string under `key` anywhere in a condition tree to `acc`."""
    if isinstance(node, dict):
        if isinstance(node.get(key), str):
            acc.add(node[key])
        for value in node.values():
            _walk(value, key, acc)
    elif isinstance(node, list):
        for value in node:
            _walk(value, key, acc)


def _used(kb: KnowledgeBase, key: str) -> set[str]:
    used: set[str] = set()
    for entry in [*kb.rules, *kb.predicates.values()]:
        _walk(entry.when, key, used)
    return used


def findings_used_by_rules(kb: KnowledgeBase) -> set[str]:
    return _used(kb, "finding")


def predicates_used(kb: KnowledgeBase) -> set[str]:
    return _used(kb, "predicate")


def causes_used_by_rules(kb: KnowledgeBase) -> set[str]:
    return {weight.code for rule in kb.rules for weight in rule.causes}


def domain_sections(kb: KnowledgeBase) -> dict[str, int]:
    """Load (and so validate) the domain folders too: screening, education, intake."""
    from esiguard.education import load_education
    from esiguard.intake.lexicon import load_lexicon
    from esiguard.screening.data import screening_data

    screening = screening_data(kb)
    load_lexicon(kb)
    return {
        "screening antithrombotics": len(getattr(screening, "antithrombotics", ()) or ()),
        "education entries": len(load_education(kb)),
    }


def lint(kb: KnowledgeBase, *, stale_after_days: int = 730) -> tuple[list[str], dict[str, int]]:
    problems: list[str] = []
    missing_findings = set(kb.vocabulary.findings) - findings_used_by_rules(kb)
    if missing_findings:
        problems.append(f"finding codes no rule uses: {', '.join(sorted(missing_findings))}")
    missing_causes = set(kb.vocabulary.causes) - causes_used_by_rules(kb)
    if missing_causes:
        problems.append(f"cause codes no rule suggests: {', '.join(sorted(missing_causes))}")
    unused_predicates = set(kb.predicates) - predicates_used(kb)
    if unused_predicates:
        problems.append(f"predicates no rule uses: {', '.join(sorted(unused_predicates))}")
    undefined = set(kb.vocabulary.findings) - set(kb.findings)
    if undefined:
        problems.append(f"finding codes without a definition: {', '.join(sorted(undefined))}")
    today = dt.date.today()
    entries: list[Any] = [
        *kb.rules,
        *kb.advice.values(),
        *kb.findings.values(),
        *kb.causes.values(),
    ]
    stale = [
        getattr(e, "id", getattr(e, "code", "?"))
        for e in entries
        if (today - e.checked_on).days > stale_after_days
    ]
    if stale:
        problems.append(
            f"entries not re-checked for over {stale_after_days} days: {', '.join(stale)}"
        )
    unverified = [
        getattr(e, "id", getattr(e, "code", "?")) for e in entries if e.verification == "unverified"
    ]
    summary = {
        "sources": len(kb.sources),
        "findings": len(kb.findings),
        "causes": len(kb.causes),
        "triage rules": len(kb.rules),
        "red-flag rules": sum(r.red_flag for r in kb.rules),
        "predicates": len(kb.predicates),
        "advice blocks": len(kb.advice),
        "local anaesthetics": len(kb.local_anesthetics),
        "steroids": len(kb.steroids),
        "entries marked unverified": len(unverified),
        "entries marked interpretation": sum(e.verification == "interpretation" for e in entries),
        **domain_sections(kb),
    }
    return problems, summary
