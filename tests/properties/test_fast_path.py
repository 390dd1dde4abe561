"""The fast triage path must decide exactly as the slow, exhaustive one.

Triage visits only the rules that read a present finding (found through bit masks), skips
rules whose gate findings are all absent, and computes `unless` exceptions and predicate
values without recording matches (bench/triage.py). Precise mode evaluates every rule and
records everything. Any pruning bug shows up here as a different disposition, a rule fired
in one mode only, or a predicate whose two compiled forms disagree.
"""

from __future__ import annotations

from hypothesis import given
from tests.properties.test_safety_properties import SETTINGS
from tests.strategies import KB, cases

from esiguard.case import parse_case
from esiguard.engine.evaluation import build_context, evaluate
from esiguard.kb.conditions import Compiler, compile_kb


def _fired_ids(ev) -> set[str]:
    return {o.compiled.rule.id for o in ev.fired}


def _every_rule_fired(parsed) -> set[str]:
    """The reference: every compiled rule run on its own, no candidates, no gates."""
    fired = set()
    for rule in compile_kb(KB).rules:
        ctx = build_context(parsed, KB)
        value = rule.check(ctx)
        # exactly one of the three: generated code folds values by identity
        assert value is True or value is False or value is None, rule.rule.id
        if value is True:
            fired.add(rule.rule.id)
    return fired


@SETTINGS
@given(cases())
def test_pruned_evaluation_fires_what_every_rule_would(case):
    """Fast mode (candidate rules, gates) fires exactly the rules that fire when every rule
    is run on its own, and agrees with precise mode on the disposition and on what each
    fired rule matched."""
    parsed = parse_case(case)
    fast, precise = evaluate(parsed, KB), evaluate(parsed, KB, precise=True)
    if len({f.code for f in parsed.findings}) == len(parsed.findings):  # one entry per code
        assert _fired_ids(fast) == _every_rule_fired(parsed)
    assert fast.disposition == precise.disposition
    matched = {o.compiled.rule.id: sorted(o.matched) for o in fast.fired}
    assert matched == {o.compiled.rule.id: sorted(o.matched) for o in precise.fired}
    assert fast.unanswered == precise.unanswered
    assert fast.unexplained == precise.unexplained
    # What results read of blocked rules (pointed at by a finding, or more urgent than what
    # fired) is kept by the fast path for every rule it visits.
    visited = {KB_RULES[i] for i in compile_kb(KB).candidates(fast.present)}
    kept = {o.compiled.id for o in fast.blocked}
    for o in precise.blocked:
        if o.compiled.id in visited and (o.matched or o.compiled.rank > fast.fired_rank):
            assert o.compiled.id in kept, o.compiled.id
    for ev in (fast, precise):  # results list red flags and advice in this order
        ranks = [o.compiled.rank for o in ev.fired]
        assert ranks == sorted(ranks, reverse=True), "fired rules not most urgent first"


KB_RULES = [rule.id for rule in compile_kb(KB).rules]
COMPILER = Compiler(KB)
for _name in KB.predicates:
    COMPILER.compile_predicate(_name)


@SETTINGS
@given(cases())
def test_value_only_predicates_agree_with_recording_ones(case):
    """Every predicate's value-only form (used inside `unless`) gives the value of its
    recording form, in fast and in precise mode."""
    parsed = parse_case(case)
    for precise in (False, True):
        for name in KB.predicates:
            ctx = build_context(parsed, KB)
            ctx.precise = precise
            recorded = COMPILER.predicates[name](ctx)
            ctx.matched.clear(), ctx.unknown.clear(), ctx.support.clear()
            assert COMPILER.bare_predicates[name](ctx) is recorded, name
            assert not ctx.matched and not ctx.unknown and not ctx.support, name
