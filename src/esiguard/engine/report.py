"""Turn an Evaluation into a TriageResult: ranked causes, red flags, advice, citations, trace.
Every sentence comes from the knowledge base; this module only orders and joins them.

Speed (bench/triage.py): what each rule, advice block and policy contributes is gathered
once per knowledge base (`_Tables`), and result parts that are frozen and identical for
identical inputs are shared between results through bounded stores.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from esiguard.engine.evaluation import Evaluation, RuleOutcome
from esiguard.kb import KnowledgeBase
from esiguard.kb.schema import DISPOSITION_ORDER
from esiguard.result import (
    AdviceItem,
    RankedCause,
    RedFlag,
    SourceCitation,
    TraceStep,
    TriageResult,
)

_SHARED_LIMIT = 20_000  # entries per store; a full store is emptied, not grown
# Causes suggested only by rules an unknown blocked count for less than causes of fired rules.
_BLOCKED_WEIGHT = 0.3
_MAX_CAUSES = 6

Pairs = tuple[tuple[str, str | None], ...]  # (source id, locator) as cited


class _Store(dict):
    """A bounded memo of shared result parts."""

    def get_or_build(self, key: Any, build: Any) -> Any:
        found = self.get(key)
        if found is None:
            if len(self) >= _SHARED_LIMIT:
                self.clear()
            found = self[key] = build()
        return found


@dataclass
class _Tables:
    """What result building reads from the knowledge base, gathered once per KB."""

    rule_sources: dict[str, Pairs]
    advice_sources: dict[str, Pairs]
    policy_sources: dict[str, Pairs]
    advice_items: dict[str, AdviceItem]
    citation_texts: dict[str, str]
    headlines: dict[str, str]
    education: Any
    stores: dict[str, _Store] = field(default_factory=dict)

    def store(self, name: str) -> _Store:
        found = self.stores.get(name)
        if found is None:
            found = self.stores[name] = _Store()
        return found


def _pairs(sources: Any) -> Pairs:
    return tuple((s.ref, s.locator) for s in sources)


def _tables(kb: KnowledgeBase) -> _Tables:
    def build(kb: KnowledgeBase) -> _Tables:
        return _Tables(
            rule_sources={rule.id: _pairs(rule.sources) for rule in kb.rules},
            advice_sources={block.id: _pairs(block.sources) for block in kb.advice.values()},
            policy_sources={pid: _pairs(p.sources) for pid, p in kb.policies.items()},
            # Results are frozen, so one prebuilt item per advice block serves all results.
            advice_items={
                block.id: AdviceItem(
                    id=block.id,
                    kind=block.kind,
                    text=block.text,
                    sources=[s.ref for s in block.sources],
                )  # fmt: skip
                for block in kb.advice.values()
            },
            citation_texts={sid: kb.citation_text(sid) for sid in kb.sources},
            headlines={d: kb.advice[f"headline_{d}"].text for d in DISPOSITION_ORDER},
            education=_education_for(kb),
        )

    return kb.section("report_tables", build)


def clear_memos(kb: KnowledgeBase) -> None:
    """Forget every shared result part (benchmarks use this so runs do not share work)."""
    _tables(kb).stores.clear()


def _fast(cls: Any, **values: Any) -> Any:
    """Build a frozen result model from values the engine itself produced, skipping
    validation (the hot path builds dozens per triage; see bench/triage.py)."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def _education_for(kb: KnowledgeBase) -> Any:
    """The education ranking (entry ids for causes and findings), or None without education."""
    try:
        from esiguard.education import entries_for
    except ImportError:  # pragma: no cover
        return None
    return functools.partial(entries_for, kb=kb)


def _open_blocked(ev: Evaluation) -> list[RuleOutcome]:
    """Blocked rules that count for causes: a present finding points at them and firing
    them would raise the disposition (the dangerous causes an unanswered question keeps open)."""
    rank = ev.rank
    return [o for o in ev.blocked if o.matched and o.compiled.rank >= rank]


def _rank_causes(kb: KnowledgeBase, t: _Tables, ev: Evaluation, open_blocked: list) -> list:
    score: dict[str, float] = {}
    best_why: dict[str, tuple[float, str]] = {}
    for outcomes, factor in ((ev.fired, 1.0), (open_blocked, _BLOCKED_WEIGHT)):
        for outcome in outcomes:
            rule = outcome.compiled.rule
            for weight in rule.causes:
                value = weight.weight * factor
                code = weight.code
                score[code] = score.get(code, 0.0) + value
                best = best_why.get(code)
                if best is None or value > best[0]:
                    best_why[code] = (value, weight.why or rule.why)
    causes = kb.causes
    ordered = sorted(score, key=lambda code: (-round(score[code], 3), -causes[code].danger, code))
    store = t.store("ranked_causes")
    out = []
    for i, code in enumerate(ordered[:_MAX_CAUSES]):
        why, value = best_why[code][1], round(score[code], 2)
        out.append(store.get_or_build((code, i, why, value), lambda code=code, i=i, why=why, value=value: _fast(
            RankedCause, code=code, rank=i + 1, label=causes[code].label, why=why,
            urgency=causes[code].urgency, score=value)))  # fmt: skip
    return out


def _red_flags(kb: KnowledgeBase, ev: Evaluation) -> list[RedFlag]:
    flags: dict[str, RedFlag] = {}
    fired = ev.fired
    if len(fired) > 1:
        fired = sorted(fired, key=lambda o: -o.compiled.rank)
    for outcome in fired:
        rule = outcome.compiled.rule
        if not rule.red_flag:
            continue
        for code in outcome.matched:
            if code not in flags:
                label = kb.findings[code].label if code in kb.findings else code
                flags[code] = _fast(RedFlag, finding=code, label=label, why=rule.why, rule=rule.id)
    return list(flags.values())


def _advice_ids(ev: Evaluation) -> list[str]:
    disposition = ev.disposition
    ids: list[str] = [f"headline_{disposition}", f"do_now_{disposition}"]
    fired = ev.fired
    if len(fired) > 1:
        fired = sorted(fired, key=lambda o: -o.compiled.rank)
    for outcome in fired:
        rank = outcome.compiled.rank
        # Advice of a rule well below the final disposition would dilute the message.
        if rank < 0 or rank < ev.rank - 1:
            continue
        for advice_id in outcome.compiled.rule.advice:
            if advice_id not in ids:
                ids.append(advice_id)
    if ev.unanswered:
        # A placeholder: the list of unanswered questions is filled in per case by
        # _with_unanswered, so the memo can share everything else.
        ids.append("unanswered_intro")
    if disposition != "emergency":
        ids.append("warning_signs")
    ids.append("decision_support_notice")
    return ids


def _parts(kb: KnowledgeBase, t: _Tables, ev: Evaluation) -> tuple:
    open_blocked = _open_blocked(ev)
    key = (
        ev.rank,
        tuple(o.compiled.rule.id for o in ev.fired),
        tuple(o.compiled.rule.id for o in open_blocked),
        bool(ev.unanswered),
        bool(ev.unexplained),
    )

    def build() -> tuple:
        causes = _rank_causes(kb, t, ev, open_blocked)
        ids = _advice_ids(ev)
        advice = [t.advice_items[advice_id] for advice_id in ids]
        sources = _sources(kb, t, ev, ids)
        texts = t.citation_texts
        return (
            causes,
            advice,
            sources,
            [texts[src.id] for src in sources],
            " ".join(i.text for i in advice),
        )

    return t.store("parts").get_or_build(key, build)


def _sources(kb: KnowledgeBase, t: _Tables, ev: Evaluation, ids: list[str]) -> list:
    groups = [t.rule_sources[o.compiled.rule.id] for o in ev.fired]
    groups.extend(t.advice_sources[advice_id] for advice_id in ids)
    if ev.unanswered:
        groups.append(t.policy_sources["unanswered_red_flag"])
    if ev.unexplained:
        groups.append(t.policy_sources["unexplained_finding"])
    locators: dict[str, list[str]] = {}
    for pairs in groups:
        for ref, locator in pairs:
            locs = locators.get(ref)
            if locs is None:
                locs = locators[ref] = []
            if locator and locator not in locs:
                locs.append(locator)
    store = t.store("source_citations")
    out = []
    for ref, locs in locators.items():
        src = kb.sources[ref]
        out.append(store.get_or_build((ref, *locs), lambda src=src, locs=locs: _fast(
            SourceCitation, id=src.id, citation=src.citation,
            checked_on=src.checked_on.isoformat(), locators=locs)))  # fmt: skip
    return out


def _with_unanswered(t: _Tables, kb: KnowledgeBase, ev: Evaluation, advice: list) -> tuple:
    items = list(advice)
    labels = t.store("label_lists").get_or_build(ev.unanswered, lambda: "; ".join(
        kb.findings[c].label.lower() for c in ev.unanswered if c in kb.findings))  # fmt: skip
    for i, item in enumerate(items):
        if item.id == "unanswered_intro":
            items[i] = _fast(AdviceItem, id=item.id, kind=item.kind, sources=item.sources,
                             text=f"{item.text} {labels}.")  # fmt: skip
    return items, " ".join(item.text for item in items)


def _unknown_names(outcome: RuleOutcome, ev: Evaluation, present: dict) -> list[str]:
    """The facts that left a blocked rule undecided: recorded ones in precise mode, else read
    off the rule's references (an unasked finding, or a missing attribute of a present one)."""
    if outcome.unknown:
        return [code if attr is None else f"{code}.{attr}" for code, attr in outcome.unknown]
    status, case = ev.status, ev.case
    names: list[str] = []
    for code, attr in outcome.compiled.references:
        if code == "case":
            if case.hours_since_injection is None:
                names.append("case.hours_since_injection")
        elif attr is None:
            if status[code] is None:
                names.append(code)
        elif code in present and getattr(present[code], attr, None) is None:
            names.append(f"{code}.{attr}")
    return names


def _trace(kb: KnowledgeBase, t: _Tables, ev: Evaluation) -> list[TraceStep]:
    store = t.store("trace_steps")
    steps = [
        store.get_or_build(
            (o.compiled.rule.id, "fired", o.matched), lambda o=o: _rule_step(kb, o, "fired", [])
        )  # fmt: skip
        for o in ev.fired
    ]
    # Blocked rules are traced when they matter: answering could raise the result, or the
    # unknown holds up a floor. A blocked rule that could do neither changes nothing.
    relevant = [o for o in ev.blocked
                if o.compiled.rank > ev.rank or (o.matched and o.compiled.floor_rank >= 0)]  # fmt: skip
    if relevant:
        present = ev.present_findings
        for o in relevant:
            unknown = _unknown_names(o, ev, present)
            key = (o.compiled.rule.id, "blocked_by_unknown", o.matched, *unknown)
            steps.append(store.get_or_build(
                key, lambda o=o, unknown=unknown: _rule_step(kb, o, "blocked_by_unknown", unknown)))  # fmt: skip
    for policy_id, codes in (
        ("unanswered_red_flag", ev.unanswered),
        ("unexplained_finding", ev.unexplained),
    ):
        if codes:
            steps.append(store.get_or_build((policy_id, codes), lambda policy_id=policy_id, codes=codes: _policy_step(kb, policy_id, codes)))  # fmt: skip
    return steps


def _rule_step(kb: KnowledgeBase, outcome: RuleOutcome, kind: str, unknown: list) -> TraceStep:
    rule = outcome.compiled.rule
    if kind == "fired":
        effect = f"sets at least {rule.disposition}" if rule.disposition else "weighs causes"
    else:
        floor = rule.if_unknown if (rule.if_unknown and outcome.matched) else None
        effect = f"blocked by unknown; floor {floor}" if floor else "blocked by unknown; no floor"
    return _fast(
        TraceStep,
        rule_id=rule.id,
        title=rule.title,
        outcome=kind,
        effect=effect,
        matched_findings=list(outcome.matched),
        unknown=unknown,
        why=rule.why,
        sources=[s.ref for s in rule.sources],
        file=kb.rule_files[rule.id],
    )


def _policy_step(kb: KnowledgeBase, policy_id: str, codes: tuple[str, ...]) -> TraceStep:
    policy = kb.policies[policy_id]
    return _fast(
        TraceStep,
        rule_id=f"policy:{policy_id}",
        title=policy.text,
        outcome="policy",
        effect=f"sets at least {policy.floor}",
        matched_findings=list(codes),
        unknown=[],
        why=policy.text,
        sources=[s.ref for s in policy.sources],
        file="policies.yaml",
    )


def build_result(kb: KnowledgeBase, ev: Evaluation) -> TriageResult:
    t = _tables(kb)
    causes, advice, sources, citations, advice_text = _parts(kb, t, ev)
    if ev.unanswered:
        advice, advice_text = _with_unanswered(t, kb, ev, advice)
    education: list[str] = []
    if t.education is not None:
        present = [code for code, value in ev.status.items() if value is True]
        education = t.education([c.code for c in causes[:3]], present)
    notes = []
    if ev.case.narrative and not ev.case.findings:
        notes.append("The narrative was not read into findings; answer the questions to triage it.")
    disposition = ev.disposition
    return _fast(
        TriageResult,
        format="esi-result/1",
        case_id=ev.case.id,
        kb_version=kb.version,
        disposition=disposition,
        headline=t.headlines[disposition],
        causes=list(causes),
        red_flags=_red_flags(kb, ev),
        unanswered=list(ev.unanswered),
        advice=advice_text,
        advice_items=list(advice),
        citations=list(citations),
        sources=list(sources),
        education=education,
        trace=_trace(kb, t, ev),
        notes=notes,
    )
