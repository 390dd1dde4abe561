"""Turn an Evaluation into a TriageResult: ranked causes, red flags, advice, citations, trace.
Every sentence comes from the knowledge base; this module only orders and joins them.

Speed (bench/triage.py): what each rule, advice block and policy contributes is gathered
once per knowledge base (`_Tables`), and result parts that are frozen and identical for
identical inputs are shared between results through bounded stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from esiguard.engine.evaluation import Evaluation, RuleOutcome
from esiguard.kb import KnowledgeBase
from esiguard.kb.conditions import compile_kb
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
    """A bounded memo of shared result parts. Callers look up with `get` and, on a miss,
    `put` what they built (inline at each call site: this runs a dozen times per triage)."""

    def put(self, key: Any, value: Any) -> Any:
        if len(self) >= _SHARED_LIMIT:
            self.clear()
        self[key] = value
        return value


class _Rounded(dict):
    """round(value, digits) remembered per value: cause scores are sums of a few weights, so
    the same values recur, and float rounding (through decimal conversion) is slow."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        super().__init__()
        self.digits = digits

    def __missing__(self, value: float) -> float:
        if len(self) >= _SHARED_LIMIT:
            self.clear()
        rounded = self[value] = round(value, self.digits)
        return rounded


@dataclass
class _Stores:
    causes: _Store = field(default_factory=_Store)
    ranked_causes: _Store = field(default_factory=_Store)
    advice: _Store = field(default_factory=_Store)
    source_citations: _Store = field(default_factory=_Store)
    unanswered_intro: _Store = field(default_factory=_Store)
    red_flags: _Store = field(default_factory=_Store)
    fired_steps: _Store = field(default_factory=_Store)
    blocked_steps: _Store = field(default_factory=_Store)
    policy_steps: _Store = field(default_factory=_Store)

    def clear(self) -> None:
        for store in vars(self).values():
            store.clear()


@dataclass
class _Tables:
    """What result building reads from the knowledge base, gathered once per KB."""

    rule_sources: dict[str, Pairs]
    # per rule (cause, weight, why): as counted when the rule fired, and when an unknown
    # blocked it while a present finding pointed at it
    fired_causes: dict[str, tuple[tuple[str, float, str], ...]]
    blocked_causes: dict[str, tuple[tuple[str, float, str], ...]]
    cause_danger: dict[str, int]  # negated: more dangerous sorts first
    advice_sources: dict[str, Pairs]
    policy_sources: dict[str, Pairs]
    advice_items: dict[str, AdviceItem]
    citation_texts: dict[str, str]
    headlines: dict[str, str]
    kb_version: str
    # per rule, how to name what left it undecided (see _unknown_plan)
    unknown_plans: dict[str, tuple[tuple[str, bool, tuple[tuple[str, str], ...]], ...]]
    lower_labels: dict[str, str]  # finding labels as listed inside a sentence
    education: Any
    stores: _Stores = field(default_factory=_Stores)
    round_3: _Rounded = field(default_factory=lambda: _Rounded(3))
    round_2: _Rounded = field(default_factory=lambda: _Rounded(2))


def _pairs(sources: Any) -> Pairs:
    return tuple((s.ref, s.locator) for s in sources)


def _build_tables(kb: KnowledgeBase) -> _Tables:
    return _Tables(
        rule_sources={rule.id: _pairs(rule.sources) for rule in kb.rules},
        fired_causes={  # weights as floats: scores print as 4.0, never 4
            rule.id: tuple((w.code, w.weight * 1.0, w.why or rule.why) for w in rule.causes)
            for rule in kb.rules
        },
        blocked_causes={
            rule.id: tuple(
                (w.code, w.weight * _BLOCKED_WEIGHT, w.why or rule.why) for w in rule.causes
            )
            for rule in kb.rules
        },
        cause_danger={code: -cause.danger for code, cause in kb.causes.items()},
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
        kb_version=kb.version,
        unknown_plans={rule.id: _unknown_plan(rule.references) for rule in compile_kb(kb).rules},
        lower_labels={code: f.label.lower() for code, f in kb.findings.items()},
        education=_education_for(kb),
    )


def _tables(kb: KnowledgeBase) -> _Tables:
    return kb.section("report_tables", _build_tables)


def prepare(kb: KnowledgeBase) -> None:
    """Gather the report tables now rather than on the first case."""
    _tables(kb)


def clear_memos(kb: KnowledgeBase) -> None:
    """Forget every shared result part (benchmarks use this so runs do not share work)."""
    _tables(kb).stores.clear()
    try:
        from esiguard.education import clear_memos as clear_education_memos
    except ImportError:  # pragma: no cover
        return
    clear_education_memos(kb)


_new = object.__new__  # result models do not override __new__
_set = object.__setattr__  # frozen models refuse their own __setattr__


_ALL_FIELDS: dict[type, set[str]] = {}


def _fast(cls: Any, **values: Any) -> Any:
    """Build a frozen result model from values the engine itself produced, skipping
    validation (the hot path builds dozens per triage; see bench/triage.py). Every field is
    given, so all models of a class share one fields-set: frozen models never change it, and
    pydantic copies it before a model_copy adds to it."""
    fields = _ALL_FIELDS.get(cls)
    if fields is None:
        fields = _ALL_FIELDS[cls] = set(cls.model_fields)
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", fields)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def _education_for(kb: KnowledgeBase) -> Any:
    """The education ranking (entry ids for causes and findings), or None without education."""
    try:
        from esiguard.education import ranking
    except ImportError:  # pragma: no cover
        return None
    return ranking(kb)


def _rank_causes(kb: KnowledgeBase, t: _Tables, ev: Evaluation, open_blocked: list) -> list:
    """Causes by summed weight (fired rules in full, open blocked ones in part), each with
    the why of its largest single contribution (the first, on a tie)."""
    score: dict[str, float] = {}
    largest: dict[str, float] = {}
    why_of: dict[str, str] = {}
    for outcomes, contributions in ((ev.fired, t.fired_causes), (open_blocked, t.blocked_causes)):
        for outcome in outcomes:
            for code, value, why in contributions[outcome.compiled.id]:
                total = score.get(code)
                if total is None:
                    score[code] = 0.0 + value
                    largest[code], why_of[code] = value, why
                else:
                    score[code] = total + value
                    if value > largest[code]:
                        largest[code], why_of[code] = value, why
    danger, to_3, to_2 = t.cause_danger, t.round_3, t.round_2
    ordered = sorted([(-to_3[total], danger[code], code) for code, total in score.items()])
    store = t.stores.ranked_causes
    out = []
    for i, (_, _, code) in enumerate(ordered[:_MAX_CAUSES]):
        key = (code, i, why_of[code], to_2[score[code]])
        cause = store.get(key)
        if cause is None:
            cause = store.put(key, _ranked_cause(kb, *key))
        out.append(cause)
    return out


def _ranked_cause(kb: KnowledgeBase, code: str, i: int, why: str, value: float) -> RankedCause:
    cause = kb.causes[code]
    return _fast(RankedCause, code=code, rank=i + 1, label=cause.label, why=why,
                 urgency=cause.urgency, score=value)  # fmt: skip


def _red_flag(kb: KnowledgeBase, rule: Any, code: str) -> RedFlag:
    label = kb.findings[code].label if code in kb.findings else code
    return _fast(RedFlag, finding=code, label=label, why=rule.why, rule=rule.id)


def _red_flags(kb: KnowledgeBase, t: _Tables, ev: Evaluation) -> list[RedFlag]:
    """Red flags of the fired rules, most urgent rule first (ev.fired is in that order)."""
    flags: dict[str, RedFlag] = {}
    store = t.stores.red_flags
    for outcome in ev.fired:
        compiled = outcome.compiled
        if not compiled.red_flag:
            continue
        for code in outcome.matched:
            if code not in flags:
                key = (compiled.id, code)
                flag = store.get(key)
                if flag is None:
                    flag = store.put(key, _red_flag(kb, compiled.rule, code))
                flags[code] = flag
    return list(flags.values())


def _advice_ids(ev: Evaluation) -> list[str]:
    disposition = ev.disposition
    ids: list[str] = [f"headline_{disposition}", f"do_now_{disposition}"]
    least = ev.rank - 1
    for outcome in ev.fired:  # most urgent rule first
        rank = outcome.compiled.rank
        # Advice of a rule well below the final disposition would dilute the message.
        if rank < 0 or rank < least:
            continue
        for advice_id in outcome.compiled.advice:
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


def _causes(kb: KnowledgeBase, t: _Tables, ev: Evaluation, fired: tuple) -> tuple[list, tuple]:
    """The ranked causes, and the codes of the first three (what education is chosen by).
    Blocked rules count for causes when a present finding points at them and firing them
    would not lower the disposition: the dangerous causes an unanswered question keeps open."""
    rank = ev.rank
    open_blocked = [o for o in ev.blocked if o.matched and o.compiled.rank >= rank]
    key = (fired, tuple([o.compiled.id for o in open_blocked])) if open_blocked else fired
    store = t.stores.causes
    found = store.get(key)
    if found is None:
        causes = _rank_causes(kb, t, ev, open_blocked)
        found = store.put(key, (causes, tuple([c.code for c in causes[:3]])))
    return found


@dataclass(frozen=True)
class _Advice:
    """Advice items, their joined text and the sources of a result, shared between results
    with the same disposition, fired rules and policies. When red-flag questions are open,
    the item at `intro` is a placeholder that each result fills with its own list."""

    items: list[AdviceItem]
    sources: list[SourceCitation]
    citations: list[str]
    text: str
    intro: int = -1
    before: str = ""
    after: str = ""


def _advice(kb: KnowledgeBase, t: _Tables, ev: Evaluation, fired: tuple) -> _Advice:
    key = (ev.rank, fired, bool(ev.unanswered), bool(ev.unexplained))
    store = t.stores.advice
    advice = store.get(key)
    if advice is None:
        advice = store.put(key, _build_advice(kb, t, ev))
    return advice


def _build_advice(kb: KnowledgeBase, t: _Tables, ev: Evaluation) -> _Advice:
    ids = _advice_ids(ev)
    items = [t.advice_items[advice_id] for advice_id in ids]
    sources = _sources(kb, t, ev, ids)
    citations = [t.citation_texts[src.id] for src in sources]
    texts = [i.text for i in items]
    if "unanswered_intro" not in ids:
        return _Advice(items, sources, citations, " ".join(texts))
    at = ids.index("unanswered_intro")
    before, after = " ".join(texts[:at]), " ".join(texts[at + 1 :])
    return _Advice(items, sources, citations, "", at, before, after)


def _sources(kb: KnowledgeBase, t: _Tables, ev: Evaluation, ids: list[str]) -> list:
    rule_sources, advice_sources = t.rule_sources, t.advice_sources
    groups = [rule_sources[o.compiled.id] for o in ev.fired]
    groups.extend([advice_sources[advice_id] for advice_id in ids])
    if ev.unanswered:
        groups.append(t.policy_sources["unanswered_red_flag"])
    if ev.unexplained:
        groups.append(t.policy_sources["unexplained_finding"])
    locators: dict[str, list[str]] = {}
    for pairs in groups:
        for ref, locator in pairs:
            locs = locators.get(ref)
            if locs is None:
                locators[ref] = [locator] if locator else []
            elif locator and locator not in locs:
                locs.append(locator)
    store = t.stores.source_citations
    out = []
    for ref, locs in locators.items():
        key = (ref, *locs)
        citation = store.get(key)
        if citation is None:
            citation = store.put(key, _citation(kb, ref, locs))
        out.append(citation)
    return out


def _citation(kb: KnowledgeBase, ref: str, locators: list[str]) -> SourceCitation:
    src = kb.sources[ref]
    return _fast(SourceCitation, id=src.id, citation=src.citation,
                 checked_on=src.checked_on.isoformat(), locators=locators)  # fmt: skip


def _with_unanswered(t: _Tables, ev: Evaluation, advice: _Advice) -> tuple:
    """The advice items and text with this case's open red-flag questions listed."""
    store = t.stores.unanswered_intro
    codes = ev.unanswered
    intro = store.get(codes)
    if intro is None:
        intro = store.put(codes, _unanswered_item(t, advice.items[advice.intro], codes))
    items = list(advice.items)
    items[advice.intro] = intro
    text = intro.text  # never empty
    if advice.before:
        text = f"{advice.before} {text}"
    if advice.after:
        text = f"{text} {advice.after}"
    return items, text


def _unanswered_item(t: _Tables, item: AdviceItem, codes: tuple[str, ...]) -> AdviceItem:
    lower = t.lower_labels
    labels = "; ".join([lower[c] for c in codes if c in lower])
    return _fast(AdviceItem, id=item.id, kind=item.kind, sources=item.sources,
                 text=f"{item.text} {labels}.")  # fmt: skip


def _unknown_plan(references: tuple[tuple[str, str | None], ...]) -> tuple:
    """A rule's references as runs of one code: (code, whether the finding itself is
    referenced, (attribute, name) per attribute), in the order the rule reads them. A finding
    is either unanswered or answered, so per run one status read tells which names apply."""
    runs: list[tuple[str, bool, list[tuple[str, str]]]] = []
    for code, attr in references:
        if not runs or runs[-1][0] != code:
            runs.append((code, False, []))
        if attr is None:
            runs[-1] = (code, True, runs[-1][2])
        else:
            runs[-1][2].append((attr, f"{code}.{attr}"))
    return tuple((code, asked, tuple(attrs)) for code, asked, attrs in runs)


def _unknown_names(plan: tuple, ev: Evaluation, present: dict) -> list[str]:
    """The facts that left a blocked rule undecided, read off the rule's references (`plan`)
    in the fast mode: an unanswered finding, the time since the injection, or a missing
    attribute of a present finding."""
    answer, default = ev.status.get, ev.status.default  # `get`: no __missing__ call per code
    names = []
    for code, asked, attrs in plan:
        if asked and answer(code, default) is None:
            names.append(code)
        if not attrs:
            continue
        if code == "case":
            if ev.case.hours_since_injection is None:
                names += [name for _, name in attrs]
        elif (finding := present.get(code)) is not None:
            names += [name for attr, name in attrs if getattr(finding, attr, None) is None]
    return names


def _trace(kb: KnowledgeBase, t: _Tables, ev: Evaluation) -> list[TraceStep]:
    stores = t.stores
    fired_steps = stores.fired_steps
    steps = []
    for o in ev.fired:
        key = (o.compiled.id, o.matched)
        step = fired_steps.get(key)
        if step is None:
            step = fired_steps.put(key, _rule_step(kb, o, "fired", []))
        steps.append(step)
    # Blocked rules are traced when they matter: answering could raise the result, or the
    # unknown holds up a floor. A blocked rule that could do neither changes nothing.
    rank = ev.rank
    relevant = [o for o in ev.blocked
                if o.compiled.rank > rank or (o.matched and o.compiled.floor_rank >= 0)]  # fmt: skip
    if relevant:
        present = ev.present_findings
        plans = t.unknown_plans
        blocked_steps = stores.blocked_steps
        for o in relevant:
            if o.unknown:  # recorded (precise mode)
                unknown = [c if attr is None else f"{c}.{attr}" for c, attr in o.unknown]
            else:
                unknown = _unknown_names(plans[o.compiled.id], ev, present)
            key = (o.compiled.id, o.matched, *unknown)
            step = blocked_steps.get(key)
            if step is None:
                step = blocked_steps.put(key, _rule_step(kb, o, "blocked_by_unknown", unknown))
            steps.append(step)
    for policy_id, codes in (
        ("unanswered_red_flag", ev.unanswered),
        ("unexplained_finding", ev.unexplained),
    ):
        if codes:
            key = (policy_id, codes)
            step = stores.policy_steps.get(key)
            if step is None:
                step = stores.policy_steps.put(key, _policy_step(kb, policy_id, codes))
            steps.append(step)
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
    fired = tuple([o.compiled.id for o in ev.fired])
    causes, leading_causes = _causes(kb, t, ev, fired)
    advice = _advice(kb, t, ev, fired)
    if advice.intro >= 0:
        advice_items, advice_text = _with_unanswered(t, ev, advice)
    else:
        advice_items, advice_text = list(advice.items), advice.text
    education: list[str] = []
    if t.education is not None:
        education = t.education(leading_causes, ev.present)
    case = ev.case
    notes = []
    if case.narrative and not case.findings:
        notes.append("The narrative was not read into findings; answer the questions to triage it.")
    disposition = ev.disposition
    return _fast(
        TriageResult,
        format="esi-result/1",
        case_id=case.id,
        kb_version=t.kb_version,
        disposition=disposition,
        headline=t.headlines[disposition],
        causes=list(causes),
        red_flags=_red_flags(kb, t, ev),
        unanswered=list(ev.unanswered),
        advice=advice_text,
        advice_items=advice_items,
        citations=list(advice.citations),
        sources=list(advice.sources),
        education=education,
        trace=_trace(kb, t, ev),
        notes=notes,
    )
