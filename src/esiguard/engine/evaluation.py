"""Evaluate every compiled rule against one case: which fired, which an unknown blocked,
and the disposition that follows. Pure; the only inputs are the case and the KB."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

from esiguard.case import Case, Finding
from esiguard.errors import CaseValidationError, FieldIssue
from esiguard.kb import KnowledgeBase
from esiguard.kb.conditions import CompiledKb, CompiledRule, EvalContext, Tri, compile_kb
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


@dataclass(slots=True)
class Evaluation:
    case: Case
    status: dict[str, Tri]
    fired: tuple[RuleOutcome, ...]  # most urgent rule first (rules are visited in that order)
    blocked: tuple[RuleOutcome, ...]
    unanswered: tuple[str, ...]
    unexplained: tuple[str, ...]
    fired_rank: int
    rank: int
    present: tuple[str, ...] = ()  # codes answered present, as listed

    @property
    def disposition(self) -> str:
        return DISPOSITION_ORDER[self.rank]

    @property
    def present_findings(self) -> dict[str, Finding]:
        return {f.code: f for f in self.case.findings if f.present}


class FindingStatus(dict):
    """Status of every finding code: listed ones hold their answer; an unlisted code reads as
    absent when the screen is complete, else unknown. Only listed codes are stored (cheap)."""

    __slots__ = ("default",)  # set right after creation: dict's own __init__ stays in C

    def __missing__(self, code: str) -> Tri:
        return self.default


_CONCERN = {True: 2, None: 1, False: 0}


def _finding_status(case: Case) -> tuple[FindingStatus, dict[str, Finding]]:
    status = FindingStatus()
    status.default = False if case.screen_complete else None
    chosen: dict[str, Finding] = {}
    for finding in case.findings:
        code, present = finding.code, finding.present
        previous = chosen.get(code)
        # When a code is listed twice, the most concerning entry speaks for it.
        if previous is None or _CONCERN[present] > _CONCERN[previous.present]:
            chosen[code] = finding
            status[code] = present
    return status, chosen


@dataclass(frozen=True)
class _Tables:
    """What every evaluation reads from the knowledge base, gathered once per KB."""

    compiled: CompiledKb
    entries: tuple[tuple[int, Any, CompiledRule], ...]  # per rule position: gate mask, check, rule
    red_flags: tuple[str, ...]  # by asking priority
    red_flag_order: dict[str, int]
    refs: dict[str, dict[str, float]]  # per local anaesthetic
    default_refs: dict[str, float]
    drug_class: Any
    unanswered_floor: int
    unexplained_floor: int


def _build_tables(kb: KnowledgeBase) -> _Tables:
    compiled = compile_kb(kb)
    flags = sorted((f for f in kb.findings.values() if f.red_flag),
                   key=lambda f: (f.ask_priority, f.code))  # fmt: skip
    refs = {
        name: {
            "la_expected_hours": fact.block_expected_hours,
            "la_max_hours": fact.block_max_hours,
        }  # fmt: skip
        for name, fact in kb.local_anesthetics.items()
    }
    return _Tables(
        compiled=compiled,
        entries=tuple(
            (gate, rule.check, rule)
            for gate, rule in zip(compiled.gate_masks, compiled.rules, strict=True)
        ),  # fmt: skip
        red_flags=tuple(f.code for f in flags),
        red_flag_order={f.code: i for i, f in enumerate(flags)},
        refs=refs,
        default_refs=refs["unknown"],
        drug_class=_drug_classes(kb),
        unanswered_floor=DISPOSITION_ORDER.index(kb.policies["unanswered_red_flag"].floor),
        unexplained_floor=DISPOSITION_ORDER.index(kb.policies["unexplained_finding"].floor),
    )


def _tables(kb: KnowledgeBase) -> _Tables:
    return kb.section("evaluation_tables", _build_tables)


def prepare(kb: KnowledgeBase) -> None:
    """Gather the evaluation tables now rather than on the first case."""
    _tables(kb)


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


def _medication_classes(case: Case, classes_of: Any) -> tuple[Any, Any]:
    patient = case.patient
    meds = patient.medications if patient is not None else None
    if meds is None or classes_of is None:
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


def build_context(case: Case, kb: KnowledgeBase) -> EvalContext:
    return _context(case, kb, _tables(kb))


def _context(case: Case, kb: KnowledgeBase, tables: _Tables) -> EvalContext:
    status, chosen = _finding_status(case)
    procedure = case.procedure
    la = procedure.local_anesthetic.name if procedure.local_anesthetic is not None else None
    taking, restarted = _medication_classes(case, tables.drug_class)
    return EvalContext(
        status,
        chosen,
        tables.refs.get(la or "unknown", tables.default_refs),
        case.hours_since_injection,
        procedure,
        case.patient,
        taking,
        restarted,
        True,
        status.default,
        kb.severity_bands,
    )


_MAX_VARIANTS = 16


def _single_entry_variants(case: Case) -> list[Case]:
    """For a case that lists a finding code more than once (an old deficit and a new one,
    say), one case per combination of entries, so that every entry is judged."""
    groups: dict[str, list[Finding]] = {}
    for finding in case.findings:
        groups.setdefault(finding.code, []).append(finding)
    variants: list[list[Finding]] = [[]]
    for entries in groups.values():
        variants = [[*v, e] for v in variants for e in entries][:_MAX_VARIANTS]
    return [case.model_copy(update={"findings": v}) for v in variants]


def evaluate(case: Case, kb: KnowledgeBase, *, precise: bool = False) -> Evaluation:
    """Evaluate every rule. precise=True records every unknown fact of blocked rules (what
    next_questions needs); the default fast mode leaves that out of the hot path. A case that
    lists a finding code twice is judged entry by entry and the most urgent result speaks."""
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
    tables = _tables(kb)
    ctx = _context(case, kb, tables)
    if len(ctx.findings) < len(case.findings):  # a code listed more than once
        variants = _single_entry_variants(case)
        results = [_evaluate(v, tables, _context(v, kb, tables), precise) for v in variants]
        best = max(results, key=lambda ev: ev.rank)
        return replace(best, case=case)
    return _evaluate(case, tables, ctx, precise)


def _evaluate(case: Case, tables: _Tables, ctx: EvalContext, precise: bool) -> Evaluation:
    compiled = tables.compiled
    ctx.precise = precise
    status = ctx.status
    default = ctx.default
    # Codes answered present (listed only), and codes not known to be absent as bits: a rule
    # whose gate has none of them cannot be anything but False.
    bits = compiled.code_bits
    present = []
    if default is False:  # only listed codes can be anything but absent
        live = 0
        for code, value in status.items():
            if value is not False:
                live |= bits[code]
                if value:
                    present.append(code)
    else:  # every code but those answered absent
        absent = 0
        for code, value in status.items():
            if value is False:
                absent |= bits[code]
            elif value:
                present.append(code)
        live = ~absent
    fired: list[RuleOutcome] = []
    blocked: list[RuleOutcome] = []
    fired_rank = floor_rank = -1
    matched, unknown, support = ctx.matched, ctx.unknown, ctx.support
    # Fast mode visits only rules reading a present finding (plus ungated ones): any other
    # rule cannot fire, and as it matches nothing an unknown in it raises no floor (the
    # unanswered-red-flag policy covers it). Precise mode visits all, for the questions.
    entries = tables.entries
    order = range(len(entries)) if precise else compiled.candidates(present)
    rerun = []
    for index in order:
        gate, check, rule = entries[index]
        if gate and not gate & live:
            continue
        if matched:
            matched.clear()
        if unknown:
            unknown.clear()
        if support:
            support.clear()
        ctx.cut = False
        value = check(ctx)
        if value is False:
            continue
        # A blocked rule is pointed at by the present findings it matched and by those whose
        # test an unknown attribute left undecided.
        pointed = matched if value else matched + support
        if value is None and not pointed and not precise and rule.rank <= fired_rank:
            # Blocked, pointed at by nothing, and no more urgent than what has fired: it can
            # raise no floor, keeps no cause open and could not raise the result (rules come
            # most urgent first), so the fast path does not keep it.
            continue
        outcome = RuleOutcome(
            rule,
            value,
            tuple(pointed) if len(pointed) < 2 else tuple(dict.fromkeys(pointed)),
            tuple(unknown) if len(unknown) < 2 else tuple(dict.fromkeys(unknown)),
        )
        if value:
            if ctx.cut:
                rerun.append(len(fired))
            fired.append(outcome)
            if rule.rank > fired_rank:
                fired_rank = rule.rank
        else:
            blocked.append(outcome)
            # An unknown only raises the floor when a present finding already points at the rule.
            if rule.floor_rank > floor_rank and outcome.matched:
                floor_rank = rule.floor_rank

    if rerun:
        # A fired rule whose `any` stopped at a true branch is re-run in precise mode so that
        # it records every finding it accounts for.
        ctx.precise = True
        for i in rerun:
            outcome = fired[i]  # made just above, not yet shared: completed in place
            matched.clear()
            unknown.clear()
            support.clear()
            outcome.compiled.check(ctx)
            outcome.matched = tuple(dict.fromkeys(matched))

    unanswered = _unanswered(status, tables)
    unexplained: tuple[str, ...] = ()
    if present:
        explained = {code for o in fired if o.compiled.rank >= 0 for code in o.matched}
        unexplained = tuple([code for code in present if code not in explained])
    rank = max(0, fired_rank, floor_rank)
    if unanswered and tables.unanswered_floor > rank:
        rank = tables.unanswered_floor
    if unexplained and tables.unexplained_floor > rank:
        rank = tables.unexplained_floor
    return Evaluation(case, status, tuple(fired), tuple(blocked), unanswered, unexplained,
                      fired_rank, rank, tuple(present))  # fmt: skip


def _unanswered(status: FindingStatus, tables: _Tables) -> tuple[str, ...]:
    """Red-flag codes with no answer, most urgent to ask first."""
    if status.default is None:  # unlisted codes are unknown: every red flag not answered
        order = tables.red_flag_order
        answered = [code for code, value in status.items() if value is not None and code in order]
        if not answered:
            return tables.red_flags
        flags = list(tables.red_flags)
        for code in answered:
            flags.remove(code)
        return tuple(flags)
    order = tables.red_flag_order
    open_flags = [code for code, value in status.items() if value is None and code in order]
    return tuple(sorted(open_flags, key=order.__getitem__))
