"""The condition language: three-valued logic, and loud errors for malformed rules."""

from __future__ import annotations

import re

import pytest
from tests.conftest import base_case

from esiguard.case import parse_case
from esiguard.engine.evaluation import build_context
from esiguard.errors import KnowledgeBaseError
from esiguard.kb.codegen import laterality
from esiguard.kb.conditions import Compiler, _Where


def check(kb, condition: dict, **case_overrides):
    compiler = Compiler(kb)
    fn = compiler.compile(condition, _Where("test.yaml", "t", "when"))
    ctx = build_context(parse_case(base_case(**case_overrides)), kb)
    return fn(ctx), ctx


def test_unlisted_finding_is_unknown_unless_screen_complete(kb):
    """An unasked finding is unknown (None) when the screen is incomplete, absent when complete."""
    assert check(kb, {"finding": "fever"}, screen_complete=False)[0] is None
    assert check(kb, {"finding": "fever"}, screen_complete=True)[0] is False


def test_missing_attribute_is_unknown_and_recorded(kb):
    """A present finding whose tested attribute is missing is unknown, and the unknown is recorded."""
    value, ctx = check(
        kb, {"finding": "leg_weakness", "trend": "worsening"}, findings=[{"code": "leg_weakness"}]
    )
    assert value is None
    assert ("leg_weakness", "trend") in ctx.unknown


def test_kleene_all_any_not(kb):
    """False wins in all, True wins in any, not keeps unknown unknown."""
    findings = [{"code": "fever", "present": False}, {"code": "leg_weakness"}]
    sc = {"screen_complete": False, "findings": findings}
    assert check(kb, {"all": [{"finding": "leg_weakness"}, {"finding": "fever"}]}, **sc)[0] is False
    assert check(kb, {"all": [{"finding": "leg_weakness"}, {"finding": "chills"}]}, **sc)[0] is None
    assert check(kb, {"any": [{"finding": "chills"}, {"finding": "leg_weakness"}]}, **sc)[0] is True
    assert check(kb, {"not": {"finding": "chills"}}, **sc)[0] is None


def test_unless_treats_unknown_as_not_established(kb):
    """A reassuring exception counts only when fully known: unless(unknown) is True."""
    assert check(kb, {"unless": {"finding": "chills"}}, screen_complete=False)[0] is True
    assert (
        check(kb, {"unless": {"finding": "leg_weakness"}}, findings=[{"code": "leg_weakness"}])[0]
        is False
    )


def test_references_resolve_to_the_local_anaesthetic_used(kb):
    """la_max_hours follows the agent actually injected (lidocaine shorter than bupivacaine)."""
    lido = check(kb, {"hours_since": {"gt": "la_max_hours"}}, hours_since_injection=5)[0]
    proc = base_case()["procedure"] | {"local_anesthetic": {"name": "bupivacaine"}}
    bupi = check(
        kb, {"hours_since": {"gt": "la_max_hours"}}, hours_since_injection=5, procedure=proc
    )[0]
    assert (lido, bupi) == (True, False)


@pytest.mark.parametrize(
    ("finding_side", "procedure_side", "expected"),
    [("left", "left", "same_side"), ("right", "left", "other_side"), ("both", "right", "both_after_one_sided"),
     ("both", "midline", "both_after_central"), ("left", "midline", "one_side_after_central"), (None, "left", None)],
)  # fmt: skip
def test_laterality(finding_side, procedure_side, expected):
    """Laterality relates the symptom's side to the injected side."""
    assert laterality(finding_side, procedure_side) == expected


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"finding": "leg_weak"}, "unknown finding code 'leg_weak'"),
        ({"finding": "fever", "colour": "red"}, "unknown finding test"),
        ({"finding": "fever", "trend": "sideways"}, "unknown value 'sideways'"),
        ({"hours_since": {"gte": 3}}, "unknown comparison"),
        ({"hours_since": {"gt": "la_forever"}}, "unknown reference"),
        ({"predicate": "nope"}, "unknown predicate 'nope'"),
        ({"sometimes": []}, "unknown operator 'sometimes'"),
        ({"all": []}, "must be a non-empty list"),
        ({"procedure": {"approach": "sideways"}}, "unknown value 'sideways'"),
        ({"patient": {"conditions_any": ["gout"]}}, "unknown value 'gout'"),
    ],
)
def test_malformed_conditions_fail_naming_file_entry_and_field(kb, condition, message):
    """A typo in a rule is a load error naming file, entry and field path."""
    with pytest.raises(KnowledgeBaseError) as info:
        Compiler(kb).compile(condition, _Where("rules/x.yaml", "my_rule", "when"))
    assert message in str(info.value)
    assert str(info.value).startswith("rules/x.yaml [my_rule] when")


def test_severity_is_read_from_the_0_to_10_score_when_not_recorded(kb):
    """A pain score of 5 with no severity word reads as moderate (not unknown); 8 as severe."""
    five = check(
        kb,
        {"finding": "neck_pain", "severity": "severe"},
        findings=[{"code": "neck_pain", "nrs": 5}],
    )[0]
    eight = check(
        kb,
        {"finding": "neck_pain", "severity": "severe"},
        findings=[{"code": "neck_pain", "nrs": 8}],
    )[0]
    none = check(
        kb, {"finding": "neck_pain", "severity": "severe"}, findings=[{"code": "neck_pain"}]
    )[0]
    assert (five, eight, none) == (False, True, None)


def test_unless_records_nothing_it_looked_at(kb):
    """An exception's findings and unknowns are not the rule's: nothing inside `unless` is
    recorded, whether the exception holds, fails or is unknown."""
    findings = [{"code": "leg_weakness"}, {"code": "fever"}]
    for fever in (True, False, None):
        case = {
            "screen_complete": False,
            "findings": [findings[0], {"code": "fever", "present": fever}],
        }
        condition = {"all": [{"finding": "leg_weakness"}, {"unless": {"finding": "fever"}}]}
        value, ctx = check(kb, condition, **case)
        assert value is (fever is not True)
        assert ctx.matched == ["leg_weakness"]
        assert ctx.unknown == [] and ctx.support == []


def test_generated_check_reads_only_what_it_needs(kb):
    """Each condition compiles to one Python function whose source binds only the parts of
    the case it reads (a finding test never touches the patient or the procedure)."""
    compiler = Compiler(kb)
    finding = compiler.compile({"finding": "fever", "value": {"ge": 38.0}}, _Where("t", "t", "w"))
    assert finding.source.startswith("def check_")
    assert "ctx.status" in finding.source and "ctx.patient" not in finding.source
    assert "ctx.procedure" not in finding.source
    patient = compiler.compile({"patient": {"age": {"ge": 65}}}, _Where("t", "t", "w"))
    assert "ctx.patient" in patient.source and "ctx.status" not in patient.source


def test_candidates_are_rules_reading_a_present_finding_plus_ungated_ones():
    """Rule positions come back lowest first; a rule without a gate is always a candidate."""
    from esiguard.kb.conditions import CompiledKb, bit_positions

    assert bit_positions(0) == []
    assert bit_positions(0b101001) == [0, 3, 5]
    assert bit_positions(1 << 130) == [130]
    compiled = CompiledKb(rules=(), predicates={}, rules_reading={"fever": 0b100, "chills": 0b110},
                          always=0b1)  # fmt: skip
    assert compiled.candidates([]) == [0]
    assert compiled.candidates(["fever"]) == [0, 2]
    assert compiled.candidates(["fever", "chills", "unlisted"]) == [0, 1, 2]


def test_fast_any_that_stops_early_says_so_even_inside_a_predicate(kb):
    """Fast mode stops `any` at the first true branch and raises `cut`, so triage re-runs
    the rule to record every finding it accounts for; a predicate (written out in place in
    the rule) behaves the same, every time it is read."""
    compiler = Compiler(kb)
    reads_predicate = compiler.compile(
        {"all": [{"predicate": "leg_or_arm_deficit"}, {"predicate": "leg_or_arm_deficit"}]},
        _Where("t", "t", "w"),
    )
    both = {"findings": [{"code": "leg_weakness"}, {"code": "arm_weakness"}]}
    ctx = build_context(parse_case(base_case(**both)), kb)
    ctx.precise = False
    assert reads_predicate(ctx) is True and ctx.cut
    assert ctx.matched == ["leg_weakness", "leg_weakness"]
    ctx = build_context(parse_case(base_case(**both)), kb)  # precise: every branch, no cut
    assert reads_predicate(ctx) is True and not ctx.cut
    assert ctx.matched == ["leg_weakness", "arm_weakness"] * 2


def test_triage_records_every_finding_a_fired_rule_accounts_for(kb):
    """A fired rule lists every finding it accounts for, whether its `any` is at the top
    (evaluated whole: the bladder rule) or inside (the fast pass stopped at the leg and the
    rule is run again: the blood-thinner rule)."""
    from esiguard.engine.evaluation import evaluate

    findings = [{"code": "urinary_retention"}, {"code": "bowel_incontinence"},
                {"code": "leg_weakness", "onset_hours": 0.5}, {"code": "arm_weakness"}]  # fmt: skip
    patient = {"age_years": 70, "medications": [{"name": "apixaban"}]}
    case = base_case(findings=findings, patient=patient)
    fast, precise = evaluate(parse_case(case), kb), evaluate(parse_case(case), kb, precise=True)
    fired = {o.compiled.rule.id: o.matched for o in fast.fired}
    assert fired == {o.compiled.rule.id: o.matched for o in precise.fired}
    assert fired["saddle_or_sphincter_change"] == ("urinary_retention", "bowel_incontinence")
    assert set(fired["deficit_on_antithrombotic"]) == {
        "leg_weakness", "arm_weakness", "urinary_retention", "bowel_incontinence"
    }  # fmt: skip


def test_a_rule_evaluates_its_top_level_any_whole(kb):
    """A rule's top-level `any` never stops early (a true branch means the rule fires and
    must record everything), a nested one or a predicate's does in fast mode."""
    branches = {"any": [{"finding": "leg_weakness"}, {"finding": "arm_weakness"}]}
    where = _Where("t", "t", "when")
    whole = Compiler(kb).compile(branches, where, rule=True)
    assert "ctx.cut" not in whole.source
    assert "ctx.cut" in Compiler(kb).compile(branches, where).source
    nested = Compiler(kb).compile({"all": [branches, {"finding": "fever"}]}, where, rule=True)
    assert "ctx.cut" in nested.source
    both = {"findings": [{"code": "leg_weakness"}, {"code": "arm_weakness"}]}
    ctx = build_context(parse_case(base_case(**both)), kb)
    ctx.precise = False
    assert whole(ctx) is True and ctx.matched == ["leg_weakness", "arm_weakness"] and not ctx.cut


def test_a_rule_tests_its_finding_free_parts_first(kb):
    """In a rule that is an `all`, a later part that reads no finding (the blood-thinner
    predicate) is tested first on its own: when it is False the finding tests never run;
    otherwise the rule runs as written and records exactly what it would without the guard."""
    rule = {"all": [{"predicate": "leg_or_arm_deficit"}, {"predicate": "on_antithrombotic"}]}
    where = _Where("t", "t", "when")
    guarded = Compiler(kb).compile(rule, where, rule=True)
    plain = Compiler(kb).compile(rule, where)
    guard = re.compile(r"^    if g\d+ is not False:$", re.M)
    assert guard.search(guarded.source) and not guard.search(plain.source)
    findings = [{"code": "leg_weakness", "onset_hours": 1}, {"code": "arm_numbness"}]
    for medication in ("apixaban", "metformin", None):
        patient = {"age_years": 60}
        if medication:
            patient["medications"] = [{"name": medication}]
        for precise in (False, True):
            for complete in (True, False):
                seen = []
                for fn in (guarded, plain):
                    case = base_case(patient=patient, findings=findings, screen_complete=complete)
                    ctx = build_context(parse_case(case), kb)
                    ctx.precise = precise
                    seen.append((fn(ctx), ctx.matched, ctx.unknown, ctx.support, ctx.cut))
                assert seen[0] == seen[1], (medication, precise, complete)

    class Untouchable(dict):
        def get(self, *args):
            raise AssertionError("a finding was read")

    metformin_only = {"age_years": 60, "conditions": [], "medications": [{"name": "metformin"}]}
    case = base_case(patient=metformin_only, findings=findings)
    ctx = build_context(parse_case(case), kb)
    ctx.precise = False
    ctx.status = Untouchable()
    assert guarded(ctx) is False
    with pytest.raises(AssertionError, match="a finding was read"):
        plain(ctx)
