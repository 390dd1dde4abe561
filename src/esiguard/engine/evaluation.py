"""Evaluate every compiled rule against one case: which fired, which an unknown blocked,
and the disposition that follows. Pure; the only inputs are the case and the KB."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

from esiguard.case import Case, Finding
from esiguard.errors import CaseValidationError, FieldIssue
from esiguard.kb import KnowledgeBase
from esiguard.kb.conditions import CompiledRule, EvalContext, Tri, compile_kb
from esiguard.kb.schema import DISPOSITION_ORDER


class RuleOutcome:
    """One rule's outcome: True (fired) or None (blocked by an unknown), what it matched and,
    in precise mode, which facts were unknown. A slotted class: triage makes dozens."""

    __slots__ = ("compiled", "matched", "unknown", "value")

    def __init__(
        self,
        compiled: CompiledRule,
        value: Tri,
        matched: tuple[str, ...],
        unknown: tuple[tuple[str, str | None], ...],
    ) -> None:
        self.compiled = compiled
        self.value = value
        self.matched = matched
        self.unknown = unknown


@dataclass(frozen=True)
class Evaluation:
    case: Case
    status: dict[str, Tri]
    fired: tuple[RuleOutcome, ...]
    blocked: tuple[RuleOutcome, ...]
    unanswered: tuple[str, ...]
    unexplained: tuple[str, ...]
    fired_rank: int
    rank: int

    @property
    def disposition(self) -> str:
        return DISPOSITION_ORDER[self.rank]

    @functools.cached_property
    def present_findings(self) -> dict[str, Finding]:
        return {f.code: f for f in self.case.findings if f.present}


class FindingStatus(dict):
    """Status of every finding code: listed ones hold their answer; an unlisted code reads as
    absent when the screen is complete, else unknown. Only listed codes are stored (cheap)."""

    __slots__ = ("default",)

    def __init__(self, default: Tri) -> None:
        super().__init__()
        self.default = default

    def __missing__(self, code: str) -> Tri:
        return self.default


def _finding_status(case: Case, codes: Any) -> tuple[dict[str, Tri], dict[str, Finding]]:
    status = FindingStatus(False if case.screen_complete else None)
    chosen: dict[str, Finding] = {}
    order = {True: 2, None: 1, False: 0}
    for finding in case.findings:
        previous = chosen.get(finding.code)
        # When a code is listed twice, the most concerning entry speaks for it.
        if previous is None or order[finding.present] > order[previous.present]:
            chosen[finding.code] = finding
            status[finding.code] = finding.present
    return status, chosen


def _drug_classes(kb: KnowledgeBase) -> Any:
    try:
        from esiguard.screening.drugs import resolve_drug
    except ImportError:  # pragma: no cover - screening ships with the package
        return None

    @functools.lru_cache(maxsize=4096)
    def classes_of(name: str) -> str | None:
        match = resolve_drug(name, kb)
        return None if match is None else match.drug_class

    return classes_of


def _medication_classes(case: Case, kb: KnowledgeBase) -> tuple[Any, Any]:
    patient = case.patient
    meds = patient.medications if patient is not None else None
    if meds is None:
        return None, None
    classes_of = kb.section("triage_drug_classes", _drug_classes)
    if classes_of is None:
        return None, None
    hours = case.hours_since_injection
    taking: set[str] = set()
    restarted: set[str] = set()
    for med in meds:
        drug_class = classes_of(med.name)
        if drug_class is None:
            continue
        taking.add(drug_class)
        if med.restarted_hours_after is not None and (
            hours is None or med.restarted_hours_after <= hours
        ):
            restarted.add(drug_class)
    return frozenset(taking), frozenset(restarted)


def _red_flags_by_priority(kb: KnowledgeBase) -> tuple[str, ...]:
    def build(kb: KnowledgeBase) -> tuple[str, ...]:
        flags = [f for f in kb.findings.values() if f.red_flag]
        return tuple(f.code for f in sorted(flags, key=lambda f: (f.ask_priority, f.code)))

    return kb.section("red_flags_by_priority", build)


def build_context(case: Case, kb: KnowledgeBase) -> EvalContext:
    status, chosen = _finding_status(case, kb.vocabulary.findings)
    procedure = case.procedure
    la = procedure.local_anesthetic.name if procedure.local_anesthetic is not None else None
    fact = kb.local_anesthetics.get(la or "unknown") or kb.local_anesthetics["unknown"]
    taking, restarted = _medication_classes(case, kb)
    return EvalContext(
        severity_bands=kb.severity_bands,
        default=status.default,  # type: ignore[attr-defined]
        status=status,
        findings=chosen,
        refs={"la_expected_hours": fact.block_expected_hours, "la_max_hours": fact.block_max_hours},
        hours_since=case.hours_since_injection,
        procedure=procedure,
        patient=case.patient,
        med_classes=taking,
        med_restarted_classes=restarted,
    )


_MAX_VARIANTS = 16


def _single_entry_variants(case: Case) -> list[Case]:
    """When a finding code is listed more than once (an old deficit and a new one, say), one
    case per combination of entries, so that every entry is judged."""
    findings = case.findings
    if len({f.code for f in findings}) == len(findings):
        return []
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.code, []).append(finding)
    if all(len(g) == 1 for g in groups.values()):
        return []
    variants: list[list[Finding]] = [[]]
    for entries in groups.values():
        variants = [[*v, e] for v in variants for e in entries][:_MAX_VARIANTS]
    return [case.model_copy(update={"findings": v}) for v in variants]


def evaluate(case: Case, kb: KnowledgeBase, *, precise: bool = False) -> Evaluation:
    """Evaluate every rule. precise=True records every unknown fact of blocked rules (what
    next_questions needs); the default fast mode leaves that out of the hot path. A case that
    lists a finding code twice is judged entry by entry and the most urgent result speaks."""
    variants = _single_entry_variants(case)
    if variants:
        results = [_evaluate(v, kb, precise=precise) for v in variants]
        best = max(results, key=lambda ev: ev.rank)
        return replace(best, case=case)
    return _evaluate(case, kb, precise=precise)


def _evaluate(case: Case, kb: KnowledgeBase, *, precise: bool) -> Evaluation:
    if case.procedure.status != "done":
        raise CaseValidationError(
            [
                FieldIssue(
                    "procedure.status",
                    '"done" for triage (use screening for a planned injection)',
                    f'"{case.procedure.status}"',
                )
            ]  # fmt: skip
        )
    compiled = compile_kb(kb)
    ctx = build_context(case, kb)
    ctx.precise = precise
    status = ctx.status
    fired: list[RuleOutcome] = []
    blocked: list[RuleOutcome] = []
    fired_rank = floor_rank = -1
    matched, unknown, support = ctx.matched, ctx.unknown, ctx.support
    present = frozenset(code for code, value in status.items() if value is True)  # listed only
    # Fast mode visits only rules reading a present finding (plus ungated ones): any other
    # rule cannot fire, and as it matches nothing an unknown in it raises no floor (the
    # unanswered-red-flag policy covers it). Precise mode visits all, for the questions.
    rules = compiled.rules
    order = range(len(rules)) if precise else compiled.candidates(present)
    for index in order:
        rule = rules[index]
        gate = rule.gate
        if gate is not None:
            # Skip a rule at once when every finding it needs is known to be absent.
            default = ctx.default
            for code in gate:
                if status.get(code, default) is not False:
                    break
            else:
                continue
        matched.clear()
        unknown.clear()
        support.clear()
        value = rule.check(ctx)
        if value is False:
            continue
        # A blocked rule is pointed at by the present findings it matched and by those whose
        # test an unknown attribute left undecided.
        pointed = matched if value else matched + support
        outcome = RuleOutcome(
            rule,
            value,
            tuple(pointed) if len(pointed) < 2 else tuple(dict.fromkeys(pointed)),
            tuple(unknown) if len(unknown) < 2 else tuple(dict.fromkeys(unknown)),
        )
        if value:
            fired.append(outcome)
            fired_rank = max(fired_rank, rule.rank)
        else:
            blocked.append(outcome)
            # An unknown only raises the floor when a present finding already points at the rule.
            if rule.floor_rank >= 0 and outcome.matched:
                floor_rank = max(floor_rank, rule.floor_rank)

    if not precise and fired:
        # Fired rules are re-run in precise mode so each records every finding it accounts for.
        ctx.precise = True
        ctx.predicate_cache.clear()
        for i, outcome in enumerate(fired):
            if not outcome.compiled.has_any:
                continue  # without an `any`, the fast pass already saw every branch
            matched.clear()
            unknown.clear()
            support.clear()
            outcome.compiled.check(ctx)
            fired[i] = RuleOutcome(outcome.compiled, True, tuple(dict.fromkeys(matched)), ())

    if ctx.default is None:  # unlisted codes are unknown: every red flag not answered
        unanswered = tuple(c for c in _red_flags_by_priority(kb) if status.get(c) is None)
    else:
        unanswered = tuple(
            c for c in _red_flags_by_priority(kb) if c in status and status[c] is None
        )
    explained = {code for o in fired if o.compiled.rank >= 0 for code in o.matched}
    unexplained = tuple(
        code for code, value in status.items() if value is True and code not in explained
    )
    policy_rank = -1
    if unanswered:
        policy_rank = max(
            policy_rank, DISPOSITION_ORDER.index(kb.policies["unanswered_red_flag"].floor)
        )
    if unexplained:
        policy_rank = max(
            policy_rank, DISPOSITION_ORDER.index(kb.policies["unexplained_finding"].floor)
        )
    rank = max(0, fired_rank, floor_rank, policy_rank)
    return Evaluation(
        case=case,
        status=status,
        fired=tuple(fired),
        blocked=tuple(blocked),
        unanswered=unanswered,
        unexplained=unexplained,
        fired_rank=fired_rank,
        rank=rank,
    )
