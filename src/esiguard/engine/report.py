"""Turn an Evaluation into a TriageResult: ranked causes, red flags, advice, citations, trace.
Every sentence comes from the knowledge base; this module only orders and joins them."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from esiguard.engine.evaluation import Evaluation, RuleOutcome
from esiguard.kb import KnowledgeBase
from esiguard.result import (
    AdviceItem,
    RankedCause,
    RedFlag,
    SourceCitation,
    TraceStep,
    TriageResult,
)

_SHARED_LIMIT = 20_000  # entries per store; a full store is emptied, not grown


def _shared(kb: KnowledgeBase, store: str, key: Any, build: Any) -> Any:
    """Get or build a result part in a bounded per-knowledge-base store. The parts are frozen
    and identical for identical keys, so one object serves every result that needs it;
    rebuilding them dominated the cost of a triage (bench/triage.py)."""
    stores: dict[str, dict] = kb.section("report_shared", lambda _: {})
    items = stores.setdefault(store, {})
    found = items.get(key)
    if found is None:
        if len(items) >= _SHARED_LIMIT:
            items.clear()
        found = items[key] = build()
    return found


def clear_memos(kb: KnowledgeBase) -> None:
    """Forget every shared result part (benchmarks use this so runs do not share work)."""
    kb.section("report_shared", lambda _: {}).clear()


def _fast(cls: Any, **values: Any) -> Any:
    """Build a frozen result model from values the engine itself produced, skipping
    validation (the hot path builds dozens per triage; see bench/triage.py)."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


# Causes suggested only by rules an unknown blocked count for less than causes of fired rules.
_BLOCKED_WEIGHT = 0.3
_MAX_CAUSES = 6


def _education_for(kb: KnowledgeBase) -> Any:
    try:
        from esiguard.education import entries_for
    except ImportError:  # pragma: no cover
        return None

    @functools.lru_cache(maxsize=4096)
    def cached(causes: tuple[str, ...], findings: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(entries_for(list(causes), list(findings), kb))

    return cached


def _rank_causes(kb: KnowledgeBase, ev: Evaluation) -> list[RankedCause]:
    score: dict[str, float] = defaultdict(float)
    best_why: dict[str, tuple[float, str]] = {}
    # A blocked rule counts only when a present finding points at it and firing it would
    # raise the disposition: the dangerous causes an unanswered question keeps open.
    open_blocked = [o for o in ev.blocked if o.matched and o.compiled.rank >= ev.rank]
    for outcomes, factor in ((ev.fired, 1.0), (open_blocked, _BLOCKED_WEIGHT)):
        for outcome in outcomes:
            for weight in outcome.compiled.rule.causes:
                value = weight.weight * factor
                score[weight.code] += value
                why = weight.why or outcome.compiled.rule.why
                if weight.code not in best_why or value > best_why[weight.code][0]:
                    best_why[weight.code] = (value, why)
    causes = kb.causes
    ordered = sorted(score, key=lambda code: (-round(score[code], 3), -causes[code].danger, code))
    out = []
    for i, code in enumerate(ordered[:_MAX_CAUSES]):
        why, value = best_why[code][1], round(score[code], 2)
        out.append(_shared(kb, "ranked_causes", (code, i, why, value), lambda code=code, i=i, why=why, value=value: _fast(
            RankedCause, code=code, rank=i + 1, label=causes[code].label, why=why,
            urgency=causes[code].urgency, score=value)))  # fmt: skip
    return out


def _red_flags(kb: KnowledgeBase, ev: Evaluation) -> list[RedFlag]:
    flags: dict[str, RedFlag] = {}
    for outcome in sorted(ev.fired, key=lambda o: -o.compiled.rank):
        rule = outcome.compiled.rule
        if not rule.red_flag:
            continue
        for code in outcome.matched:
            if code not in flags:
                label = kb.findings[code].label if code in kb.findings else code
                flags[code] = _fast(RedFlag, finding=code, label=label, why=rule.why, rule=rule.id)
    return list(flags.values())


def _label_list(kb: KnowledgeBase, codes: tuple[str, ...]) -> str:
    return _shared(kb, "label_lists", codes,
                   lambda: "; ".join(kb.findings[c].label.lower() for c in codes if c in kb.findings))  # fmt: skip


def _advice(kb: KnowledgeBase, ev: Evaluation) -> list[AdviceItem]:
    disposition = ev.disposition
    ids: list[str] = [f"headline_{disposition}", f"do_now_{disposition}"]
    for outcome in sorted(ev.fired, key=lambda o: -o.compiled.rank):
        if outcome.compiled.rank < 0:
            continue
        for advice_id in outcome.compiled.rule.advice:
            # Advice of a rule well below the final disposition would dilute the message.
            if outcome.compiled.rank >= ev.rank - 1 and advice_id not in ids:
                ids.append(advice_id)
    items = [_item(kb, advice_id) for advice_id in ids]
    if ev.unanswered:
        # A placeholder: the list of unanswered questions is filled in per case by
        # _with_unanswered, so the memo can share everything else.
        items.append(_item(kb, "unanswered_intro"))
    if disposition != "emergency":
        items.append(_item(kb, "warning_signs"))
    items.append(_item(kb, "decision_support_notice"))
    return items


def _item(kb: KnowledgeBase, advice_id: str) -> AdviceItem:
    return kb.section("report_advice_items", _advice_items)[advice_id]


def _advice_items(kb: KnowledgeBase) -> dict[str, AdviceItem]:
    # Results are frozen, so one prebuilt item per advice block is shared by all results.
    return {
        block.id: AdviceItem(
            id=block.id, kind=block.kind, text=block.text, sources=[s.ref for s in block.sources]
        )
        for block in kb.advice.values()
    }


def _unknown_names(outcome: RuleOutcome, ev: Evaluation) -> list[str]:
    """The facts that left a blocked rule undecided: recorded ones in precise mode, else read
    off the rule's references (an unasked finding, or a missing attribute of a present one)."""
    if outcome.unknown:
        return [code if attr is None else f"{code}.{attr}" for code, attr in outcome.unknown]
    status, case = ev.status, ev.case
    names: list[str] = []
    present = ev.present_findings
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


def _trace(kb: KnowledgeBase, ev: Evaluation) -> list[TraceStep]:
    steps: list[TraceStep] = []

    def step(outcome: RuleOutcome, kind: str) -> TraceStep:
        unknown = _unknown_names(outcome, ev) if kind != "fired" else []
        key = (outcome.compiled.rule.id, kind, outcome.matched, *unknown)
        return _shared(kb, "trace_steps", key, lambda: _step(outcome, kind, unknown))

    def _step(outcome: RuleOutcome, kind: str, unknown: list[str]) -> TraceStep:
        rule = outcome.compiled.rule
        if kind == "fired":
            effect = f"sets at least {rule.disposition}" if rule.disposition else "weighs causes"
        else:
            floor = rule.if_unknown if (rule.if_unknown and outcome.matched) else None
            effect = (
                f"blocked by unknown; floor {floor}" if floor else "blocked by unknown; no floor"
            )
        return _fast(
            TraceStep,
            rule_id=rule.id,
            title=rule.title,
            outcome=kind,  # type: ignore[arg-type]
            effect=effect,
            matched_findings=list(outcome.matched),
            unknown=unknown,
            why=rule.why,
            sources=[s.ref for s in rule.sources],
            file=kb.rule_files[rule.id],
        )

    steps.extend(step(o, "fired") for o in ev.fired)
    # Blocked rules are traced when they matter: answering could raise the result, or the
    # unknown holds up a floor. A blocked rule that could do neither changes nothing.
    steps.extend(
        step(o, "blocked_by_unknown")
        for o in ev.blocked
        if o.compiled.rank > ev.rank or (o.matched and o.compiled.floor_rank >= 0)
    )
    for policy_id, codes in (
        ("unanswered_red_flag", ev.unanswered),
        ("unexplained_finding", ev.unexplained),
    ):
        if codes:
            policy = kb.policies[policy_id]
            steps.append(
                _fast(
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
            )
    return steps


def _sources(kb: KnowledgeBase, ev: Evaluation, advice: list[AdviceItem]) -> list[SourceCitation]:
    locators: dict[str, list[str]] = {}

    def add(refs: Any) -> None:
        for ref in refs:
            locs = locators.setdefault(ref.ref, [])
            if ref.locator and ref.locator not in locs:
                locs.append(ref.locator)

    for outcome in ev.fired:
        add(outcome.compiled.rule.sources)
    for item in advice:
        add(kb.advice[item.id].sources)
    if ev.unanswered:
        add(kb.policies["unanswered_red_flag"].sources)
    if ev.unexplained:
        add(kb.policies["unexplained_finding"].sources)
    out = []
    for ref, locs in locators.items():
        src = kb.sources[ref]
        out.append(_shared(kb, "source_citations", (ref, *locs), lambda src=src, locs=locs: _fast(
            SourceCitation, id=src.id, citation=src.citation,
            checked_on=src.checked_on.isoformat(), locators=locs)))  # fmt: skip
    return out


def _citation_texts(kb: KnowledgeBase) -> dict[str, str]:
    return kb.section(
        "report_citation_texts", lambda k: {sid: k.citation_text(sid) for sid in k.sources}
    )


def _parts(kb: KnowledgeBase, ev: Evaluation) -> tuple:
    fired = tuple(o.compiled.rule.id for o in ev.fired)
    open_blocked = tuple(
        o.compiled.rule.id for o in ev.blocked if o.matched and o.compiled.rank >= ev.rank
    )
    key = (ev.rank, fired, open_blocked, bool(ev.unanswered), bool(ev.unexplained))

    def build() -> tuple:
        causes = _rank_causes(kb, ev)
        advice = _advice(kb, ev)
        sources = _sources(kb, ev, advice)
        texts = _citation_texts(kb)
        return (
            causes,
            advice,
            sources,
            [texts[src.id] for src in sources],
            " ".join(i.text for i in advice),
        )

    return _shared(kb, "parts", key, build)


def _with_unanswered(kb: KnowledgeBase, ev: Evaluation, advice: tuple | list) -> tuple[list, str]:
    items = list(advice)
    if ev.unanswered:
        for i, item in enumerate(items):
            if item.id == "unanswered_intro":
                items[i] = _fast(AdviceItem, id=item.id, kind=item.kind, sources=item.sources,
                                 text=f"{item.text} {_label_list(kb, ev.unanswered)}.")  # fmt: skip
    return items, " ".join(item.text for item in items)


def build_result(kb: KnowledgeBase, ev: Evaluation) -> TriageResult:
    causes, advice, sources, citations, advice_text = _parts(kb, ev)
    if ev.unanswered:
        advice, advice_text = _with_unanswered(kb, ev, advice)
    entries_for = kb.section("triage_education", _education_for)
    education: list[str] = []
    if entries_for is not None:
        present = [code for code, value in ev.status.items() if value is True]
        education = list(entries_for(tuple(c.code for c in causes[:3]), tuple(present)))
    notes = []
    if ev.case.narrative and not ev.case.findings:
        notes.append("The narrative was not read into findings; answer the questions to triage it.")
    return _fast(
        TriageResult,
        format="esi-result/1",
        case_id=ev.case.id,
        kb_version=kb.version,
        disposition=ev.disposition,  # type: ignore[arg-type]
        headline=kb.advice[f"headline_{ev.disposition}"].text,
        causes=list(causes),
        red_flags=_red_flags(kb, ev),
        unanswered=list(ev.unanswered),
        advice=advice_text,
        advice_items=list(advice),
        citations=list(citations),
        sources=list(sources),
        education=education,
        trace=_trace(kb, ev),
        notes=notes,
    )
