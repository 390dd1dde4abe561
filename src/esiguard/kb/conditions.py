"""Compile the knowledge base's condition language into fast three-valued checks.

A condition is a small YAML tree. Leaves test a finding (and its attributes), the
procedure, the patient, the medications, a lab value or the time since the injection;
`all`, `any`, `not`, `at_least` and named `predicate`s combine them. Every check returns
True, False or None (unknown), with Kleene logic: an unanswered question stays unknown
all the way up, so a rule can be "blocked by an unknown" instead of silently not firing.

While evaluating, leaves record which present findings they matched and which facts were
unknown; the engine uses these for the trace, the red-flag list and the next questions.
Compilation checks every key, code and value, so a typo in a rule fails at load time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from esiguard.errors import KnowledgeBaseError

if TYPE_CHECKING:  # the knowledge base imports this module while it is being built
    from esiguard.kb import KnowledgeBase

Tri = bool | None
Check = Callable[["EvalContext"], Tri]

FINDING_ATTRS = {
    "side": ("left", "right", "both"),
    "trend": ("improving", "stable", "worsening", "resolved"),
    "severity": ("mild", "moderate", "severe"),
    "pattern": ("proximal", "distal", "whole_limb", "dermatomal"),
    "laterality": (
        "same_side",
        "other_side",
        "both_after_one_sided",
        "one_side_after_central",
        "both_after_central",
    ),
}
FINDING_NUMBERS = ("onset", "nrs", "value", "systolic", "diastolic")
COMPARATORS = ("lt", "le", "gt", "ge")
REFERENCES = ("la_expected_hours", "la_max_hours")
PROCEDURE_CHOICES = {
    "approach": ("interlaminar", "transforaminal", "caudal"),
    "region": ("cervical", "thoracic", "lumbar", "sacral"),
    "side": ("left", "right", "bilateral", "midline"),
    "guidance": ("fluoroscopy", "ct", "ultrasound", "none"),
    "steroid": (
        "triamcinolone",
        "methylprednisolone",
        "betamethasone",
        "dexamethasone",
        "prednisolone",
        "hydrocortisone",
        "other",
    ),
    "local_anesthetic": ("lidocaine", "bupivacaine", "ropivacaine", "none", "other"),
}
PROCEDURE_EVENTS = (
    "dural_puncture",
    "blood_aspirated",
    "intravascular_contrast",
    "paresthesia_during",
    "vasovagal_during",
    "multiple_passes",
)
LAB_FIELDS = ("platelets_per_nl", "inr", "hba1c_percent", "egfr")
DRUG_CLASSES = ("anticoagulant", "antiplatelet", "nsaid", "ssri_snri", "supplement", "other")


@dataclass
class EvalContext:
    """Everything a check may read about one case, precomputed once per triage."""

    status: dict[str, Tri]  # listed findings only; unlisted ones read as `default`
    findings: dict[str, Any]
    refs: dict[str, float]
    hours_since: float | None
    procedure: Any
    patient: Any
    med_classes: frozenset[str] | None
    med_restarted_classes: frozenset[str] | None
    # precise: record every unknown and evaluate every branch of `any` (for questions and
    # complete matches); fast (False): skip both, for the triage hot path.
    precise: bool = True
    default: Tri = None
    severity_bands: tuple[tuple[float, str], ...] = ()
    matched: list[str] = field(default_factory=list)
    # present findings whose test was undecided because an attribute is missing: they still
    # point at the rule, so its if_unknown floor applies
    support: list[str] = field(default_factory=list)
    unknown: list[tuple[str, str | None]] = field(default_factory=list)
    predicate_cache: dict[str, tuple] = field(default_factory=dict)


class _Where:
    """Where a condition stands, for error messages: file, entry and a field path."""

    def __init__(self, file: str, entry: str, path: str) -> None:
        self.file, self.entry, self.path = file, entry, path

    def at(self, part: str | int) -> _Where:
        sub = f"{self.path}[{part}]" if isinstance(part, int) else f"{self.path}.{part}"
        return _Where(self.file, self.entry, sub)

    def fail(self, problem: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(self.file, self.entry, self.path, problem)


def _and(results: list[Tri]) -> Tri:
    if False in results:
        return False
    return None if None in results else True


class Compiler:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.finding_codes = set(kb.vocabulary.findings)
        self.conditions = set(kb.vocabulary.conditions)
        self.predicates: dict[str, Check] = {}
        self.predicate_gates: dict[str, frozenset[str] | None] = {}
        self._compiling: set[str] = set()

    # -- entry points -------------------------------------------------------------------
    def compile(self, node: Any, where: _Where) -> Check:
        if not isinstance(node, dict) or len(node) == 0:
            raise where.fail("a condition must be a non-empty mapping")
        keys = set(node)
        if "finding" in keys:
            return self._finding(node, where)
        if len(keys) != 1:
            raise where.fail(f"expected exactly one operator, got {sorted(keys)}")
        (op,) = keys
        arg = node[op]
        if op in ("all", "any"):
            if not isinstance(arg, list) or not arg:
                raise where.at(op).fail("must be a non-empty list of conditions")
            parts = [self.compile(sub, where.at(op).at(i)) for i, sub in enumerate(arg)]
            return _all(parts) if op == "all" else _any(parts)
        if op == "not":
            return _not(self.compile(arg, where.at("not")))
        if op == "unless":
            return _unless(self.compile(arg, where.at("unless")))
        if op == "at_least":
            return self._at_least(arg, where.at("at_least"))
        if op == "predicate":
            return self._predicate_ref(arg, where.at("predicate"))
        if op == "hours_since":
            return _hours_since(self._cmp(arg, where.at("hours_since")))
        if op == "procedure":
            return self._procedure(arg, where.at("procedure"))
        if op == "patient":
            return self._patient(arg, where.at("patient"))
        if op == "medication":
            return self._medication(arg, where.at("medication"))
        if op == "lab":
            return self._lab(arg, where.at("lab"))
        raise where.fail(
            f"unknown operator {op!r} (allowed: all, any, not, unless, at_least, predicate, finding, "
            "hours_since, procedure, patient, medication, lab)"
        )

    def gate(self, node: Any) -> frozenset[str] | None:
        """Finding codes of which at least one must be present or unknown for `node` to be
        anything but False; None when no such set can be read off (the rule always runs)."""
        if not isinstance(node, dict):
            return None
        if "finding" in node:
            return frozenset([node["finding"]])
        if "all" in node:
            gates = [self.gate(sub) for sub in node["all"]]
            known = [g for g in gates if g is not None]
            return min(known, key=len) if known else None
        if "any" in node:
            gates = [self.gate(sub) for sub in node["any"]]
            if any(g is None for g in gates):
                return None
            return frozenset().union(*gates)
        if "predicate" in node:
            return self.predicate_gates.get(node["predicate"])
        return None

    # -- leaves -------------------------------------------------------------------------
    def _cmp(self, spec: Any, where: _Where) -> Callable[[float, EvalContext], bool]:
        if not isinstance(spec, dict) or not spec:
            raise where.fail("a comparison must be a mapping such as {ge: 38.0}")
        tests: list[tuple[str, float | str]] = []
        for op, bound in spec.items():
            if op not in COMPARATORS:
                raise where.at(op).fail(f"unknown comparison (allowed: {', '.join(COMPARATORS)})")
            if isinstance(bound, bool) or not isinstance(bound, int | float | str):
                raise where.at(op).fail("bound must be a number or a reference")
            if isinstance(bound, str) and bound not in REFERENCES:
                raise where.at(op).fail(f"unknown reference (allowed: {', '.join(REFERENCES)})")
            tests.append((op, bound))

        def compare(value: float, ctx: EvalContext) -> bool:
            for op, bound in tests:
                limit = ctx.refs[bound] if isinstance(bound, str) else bound
                if op == "lt" and not value < limit:
                    return False
                if op == "le" and not value <= limit:
                    return False
                if op == "gt" and not value > limit:
                    return False
                if op == "ge" and not value >= limit:
                    return False
            return True

        return compare

    def _choices(self, spec: Any, allowed: tuple[str, ...], where: _Where) -> frozenset[str]:
        values = spec if isinstance(spec, list) else [spec]
        for v in values:
            if v not in allowed:
                raise where.fail(f"unknown value {v!r} (allowed: {', '.join(allowed)})")
        return frozenset(values)

    def _finding(self, node: dict, where: _Where) -> Check:
        code = node["finding"]
        if code not in self.finding_codes:
            raise where.at("finding").fail(f"unknown finding code {code!r}")
        checks: list[tuple[str, Callable[[Any, EvalContext], Tri]]] = []
        missing_is = None
        for key, spec in node.items():
            sub = where.at(key)
            if key == "finding":
                continue
            if key == "if_missing":
                if spec not in ("unknown", "false", "true"):
                    raise sub.fail("must be unknown, false or true")
                missing_is = {"unknown": None, "false": False, "true": True}[spec]
            elif key == "severity":
                checks.append((key, _severity_in(self._choices(spec, FINDING_ATTRS[key], sub))))
            elif key in FINDING_ATTRS and key != "laterality":
                checks.append((key, _attr_in(key, self._choices(spec, FINDING_ATTRS[key], sub))))
            elif key == "laterality":
                checks.append((key, _laterality_in(self._choices(spec, FINDING_ATTRS[key], sub))))
            elif key == "trend_not":
                # "still there": true unless the trend is known to be one of these; a missing
                # trend never excuses a finding
                checks.append(
                    (
                        "trend",
                        _attr_not_in("trend", self._choices(spec, FINDING_ATTRS["trend"], sub)),
                    )
                )
            elif key == "onset":
                checks.append(("onset_hours", _onset_attr(self._cmp(spec, sub), spec)))
            elif key in FINDING_NUMBERS:
                value_attr = "canonical_value" if key == "value" else key
                checks.append((key, _number_attr(value_attr, self._cmp(spec, sub))))
            elif key == "positional":
                if not isinstance(spec, bool):
                    raise sub.fail("must be true or false")
                checks.append((key, _attr_is(key, spec)))
            else:
                raise sub.fail(
                    "unknown finding test (allowed: side, laterality, trend, trend_not, severity, pattern, "
                    "onset, nrs, value, systolic, diastolic, positional, if_missing)"
                )

        def check(ctx: EvalContext) -> Tri:
            status = ctx.status.get(code, ctx.default)
            if status is False:
                return False
            if status is None:
                if ctx.precise:
                    ctx.unknown.append((code, None))
                return None
            finding = ctx.findings[code]
            result: Tri = True
            for attr, test in checks:
                outcome = test(finding, ctx)
                if outcome is None:
                    if missing_is is None:
                        if ctx.precise:
                            ctx.unknown.append((code, attr))
                        result = None
                    elif missing_is is False:
                        return False
                elif outcome is False:
                    return False
            if result:
                ctx.matched.append(code)
            elif result is None:
                ctx.support.append(code)
            return result

        return check

    def _at_least(self, spec: Any, where: _Where) -> Check:
        if not isinstance(spec, dict) or set(spec) != {"n", "of"}:
            raise where.fail("must be {n: <count>, of: [conditions]}")
        n = spec["n"]
        if not isinstance(n, int) or n < 1 or not isinstance(spec["of"], list):
            raise where.fail("n must be a positive whole number and of a list")
        parts = [self.compile(sub, where.at("of").at(i)) for i, sub in enumerate(spec["of"])]

        def check(ctx: EvalContext) -> Tri:
            true = unknown = 0
            for part in parts:
                outcome = part(ctx)
                if outcome:
                    true += 1
                elif outcome is None:
                    unknown += 1
            if true >= n:
                return True
            return None if true + unknown >= n else False

        return check

    def _predicate_ref(self, name: Any, where: _Where) -> Check:
        if not isinstance(name, str) or name not in self.kb.predicates:
            raise where.fail(f"unknown predicate {name!r}")
        self.compile_predicate(name)
        compiled = self.predicates

        def check(ctx: EvalContext) -> Tri:
            cached = ctx.predicate_cache.get(name)
            if cached is None:
                start_m, start_u, start_s = len(ctx.matched), len(ctx.unknown), len(ctx.support)
                value = compiled[name](ctx)
                cached = (value, tuple(ctx.matched[start_m:]), tuple(ctx.unknown[start_u:]),
                          tuple(ctx.support[start_s:]))  # fmt: skip
                ctx.predicate_cache[name] = cached
                return value
            value, matched, unknown, support = cached
            ctx.matched.extend(matched)
            ctx.unknown.extend(unknown)
            ctx.support.extend(support)
            return value

        return check

    def compile_predicate(self, name: str) -> None:
        if name in self.predicates:
            return
        if name in self._compiling:
            raise KnowledgeBaseError("triage/predicates.yaml", name, "when", "refers to itself")
        self._compiling.add(name)
        pred = self.kb.predicates[name]
        where = _Where("triage/predicates.yaml", name, "when")
        self.predicates[name] = self.compile(pred.when, where)
        self.predicate_gates[name] = self.gate(pred.when)
        self._compiling.discard(name)

    def _procedure(self, spec: Any, where: _Where) -> Check:
        if not isinstance(spec, dict) or not spec:
            raise where.fail("must be a mapping of procedure tests")
        tests: list[Callable[[Any], Tri]] = []
        for key, value in spec.items():
            sub = where.at(key)
            if key in PROCEDURE_CHOICES:
                tests.append(
                    _procedure_choice(key, self._choices(value, PROCEDURE_CHOICES[key], sub))
                )
            elif key == "events_any":
                tests.append(_events_any(self._choices(value, PROCEDURE_EVENTS, sub)))
            elif key == "steroid_particulate":
                if not isinstance(value, bool):
                    raise sub.fail("must be true or false")
                particulate = {n: s.particulate for n, s in self.kb.steroids.items()}
                tests.append(_steroid_particulate(value, particulate))
            elif key == "levels_any":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise sub.fail("must be a list of segment names such as L1 or T12")
                tests.append(_levels_any(frozenset(value)))
            else:
                raise sub.fail(
                    "unknown procedure test (allowed: approach, region, side, guidance, steroid, "
                    "local_anesthetic, events_any, steroid_particulate, levels_any)"
                )

        def check(ctx: EvalContext) -> Tri:
            outcome = _and([test(ctx.procedure) for test in tests])
            if outcome is None and ctx.precise:
                ctx.unknown.append(("procedure", ",".join(sorted(spec))))
            return outcome

        return check

    def _patient(self, spec: Any, where: _Where) -> Check:
        if not isinstance(spec, dict) or not spec:
            raise where.fail("must be a mapping of patient tests")
        tests: list[Callable[[Any, EvalContext], Tri]] = []
        for key, value in spec.items():
            sub = where.at(key)
            if key == "conditions_any":
                tests.append(_conditions_any(self._choices(value, tuple(self.conditions), sub)))
            elif key == "sex":
                tests.append(
                    _patient_choice("sex", self._choices(value, ("female", "male", "other"), sub))
                )
            elif key in ("age", "prior_injections_12_months", "prior_steroid_mg_12_months"):
                attr = "age_years" if key == "age" else key
                tests.append(_patient_number(attr, self._cmp(value, sub)))
            else:
                raise sub.fail(
                    "unknown patient test (allowed: conditions_any, sex, age, "
                    "prior_injections_12_months, prior_steroid_mg_12_months)"
                )

        def check(ctx: EvalContext) -> Tri:
            outcome = _and([test(ctx.patient, ctx) for test in tests])
            if outcome is None and ctx.precise:
                ctx.unknown.append(("patient", ",".join(sorted(spec))))
            return outcome

        return check

    def _medication(self, spec: Any, where: _Where) -> Check:
        if not isinstance(spec, dict) or not spec or not set(spec) <= {"class_any", "restarted"}:
            raise where.fail("must be {class_any: [drug classes], restarted: true|false}")
        classes = self._choices(spec.get("class_any", list(DRUG_CLASSES)), DRUG_CLASSES,
                                where.at("class_any"))  # fmt: skip
        restarted = spec.get("restarted")

        def check(ctx: EvalContext) -> Tri:
            pool = ctx.med_restarted_classes if restarted else ctx.med_classes
            if pool is None:
                if ctx.precise:
                    ctx.unknown.append(("patient", "medications"))
                return None
            return bool(pool & classes)

        return check

    def _lab(self, spec: Any, where: _Where) -> Check:
        if not isinstance(spec, dict) or len(spec) != 1:
            raise where.fail("must test exactly one lab value, e.g. {inr: {gt: 1.4}}")
        ((name, cmp_spec),) = spec.items()
        if name not in LAB_FIELDS:
            raise where.at(name).fail(f"unknown lab (allowed: {', '.join(LAB_FIELDS)})")
        compare = self._cmp(cmp_spec, where.at(name))

        def check(ctx: EvalContext) -> Tri:
            labs = getattr(ctx.patient, "labs", None) if ctx.patient is not None else None
            value = getattr(labs, name, None) if labs is not None else None
            if value is None:
                if ctx.precise:
                    ctx.unknown.append(("labs", name))
                return None
            return compare(value, ctx)

        return check


# -- small closures (module level so they stay cheap) --------------------------------------
def _all(parts: list[Check]) -> Check:
    def check(ctx: EvalContext) -> Tri:
        result: Tri = True
        for part in parts:
            outcome = part(ctx)
            if outcome is False:
                return False
            if outcome is None:
                result = None
        return result

    return check


def _any(parts: list[Check]) -> Check:
    # In precise mode every branch is evaluated so that all matching findings are recorded:
    # a fired rule accounts for every present finding it mentions, not just the first.
    def check(ctx: EvalContext) -> Tri:
        result: Tri = False
        for part in parts:
            outcome = part(ctx)
            if outcome:
                if not ctx.precise:
                    return True
                result = True
            elif outcome is None and result is False:
                result = None
        return result

    return check


def _not(part: Check) -> Check:
    def check(ctx: EvalContext) -> Tri:
        start, start_s = len(ctx.matched), len(ctx.support)
        outcome = part(ctx)
        del ctx.matched[start:]  # findings inside a negation explain nothing
        del ctx.support[start_s:]
        return None if outcome is None else not outcome

    return check


def _unless(part: Check) -> Check:
    """True unless `part` is established: a reassuring exception only counts when every
    fact it needs is known, so an unknown never switches a red flag off."""

    def check(ctx: EvalContext) -> Tri:
        start_m, start_u, start_s = len(ctx.matched), len(ctx.unknown), len(ctx.support)
        outcome = part(ctx)
        del ctx.matched[start_m:]
        del ctx.unknown[start_u:]
        del ctx.support[start_s:]
        return outcome is not True

    return check


def _hours_since(compare: Callable[[float, EvalContext], bool]) -> Check:
    def check(ctx: EvalContext) -> Tri:
        if ctx.hours_since is None:
            if ctx.precise:
                ctx.unknown.append(("case", "hours_since_injection"))
            return None
        return compare(ctx.hours_since, ctx)

    return check


def _attr_in(attr: str, allowed: frozenset[str]) -> Callable[[Any, EvalContext], Tri]:
    def test(finding: Any, ctx: EvalContext) -> Tri:
        value = getattr(finding, attr)
        return None if value is None else value in allowed

    return test


def _severity_in(allowed: frozenset[str]) -> Callable[[Any, EvalContext], Tri]:
    """Severity as recorded, or else as the 0-10 rating reads on the knowledge base's scale."""

    def test(finding: Any, ctx: EvalContext) -> Tri:
        value = finding.severity
        if value is None and finding.nrs is not None:
            for min_nrs, label in ctx.severity_bands:
                if finding.nrs >= min_nrs:
                    value = label
                    break
        return None if value is None else value in allowed

    return test


def _attr_not_in(attr: str, excluded: frozenset[str]) -> Callable[[Any, EvalContext], Tri]:
    def test(finding: Any, ctx: EvalContext) -> Tri:
        return getattr(finding, attr) not in excluded

    return test


def _attr_is(attr: str, expected: bool) -> Callable[[Any, EvalContext], Tri]:
    def test(finding: Any, ctx: EvalContext) -> Tri:
        value = getattr(finding, attr)
        return None if value is None else value is expected

    return test


def _number_attr(
    attr: str, compare: Callable[[float, EvalContext], bool]
) -> Callable[[Any, EvalContext], Tri]:
    def test(finding: Any, ctx: EvalContext) -> Tri:
        value = getattr(finding, attr)
        return None if value is None else compare(value, ctx)

    return test


def _onset_attr(
    compare: Callable[[float, EvalContext], bool], spec: dict
) -> Callable[[Any, EvalContext], Tri]:
    """Onset test. A missing onset is still bounded: nothing can start after the report, so
    onset <= hours since the injection. A lower bound the report time already fails is False
    ("started more than 2 h after" cannot hold 1.5 h after); anything else stays unknown."""
    lower_only = set(spec) <= {"gt", "ge"}

    def test(finding: Any, ctx: EvalContext) -> Tri:
        value = finding.onset_hours
        if value is not None:
            return compare(value, ctx)
        if lower_only and ctx.hours_since is not None and not compare(ctx.hours_since, ctx):
            return False
        return None

    return test


def laterality(finding_side: str | None, procedure_side: str | None) -> str | None:
    """How a symptom's side relates to the side that was injected."""
    if finding_side is None or procedure_side is None:
        return None
    if procedure_side in ("left", "right"):
        if finding_side == "both":
            return "both_after_one_sided"
        return "same_side" if finding_side == procedure_side else "other_side"
    return "both_after_central" if finding_side == "both" else "one_side_after_central"


def _laterality_in(allowed: frozenset[str]) -> Callable[[Any, EvalContext], Tri]:
    def test(finding: Any, ctx: EvalContext) -> Tri:
        value = laterality(finding.side, getattr(ctx.procedure, "side", None))
        return None if value is None else value in allowed

    return test


def _procedure_choice(attr: str, allowed: frozenset[str]) -> Callable[[Any], Tri]:
    def test(procedure: Any) -> Tri:
        if attr in ("steroid", "local_anesthetic"):
            drug = getattr(procedure, attr)
            value = getattr(drug, "name", None) if drug is not None else None
        else:
            value = getattr(procedure, attr)
        if value is None or value == "unknown":
            return None
        return value in allowed

    return test


def _events_any(allowed: frozenset[str]) -> Callable[[Any], Tri]:
    def test(procedure: Any) -> Tri:
        events = procedure.events
        if events is None:
            return None
        return any(e in allowed for e in events)

    return test


def _steroid_particulate(expected: bool, table: dict[str, bool | None]) -> Callable[[Any], Tri]:
    def test(procedure: Any) -> Tri:
        steroid = procedure.steroid
        name = getattr(steroid, "name", None) if steroid is not None else None
        particulate = table.get(name) if name else None
        return None if particulate is None else particulate is expected

    return test


def _segments(level: str) -> set[str]:
    return set(level.split("-"))


def _levels_any(wanted: frozenset[str]) -> Callable[[Any], Tri]:
    def test(procedure: Any) -> Tri:
        if not procedure.levels:
            return None
        return any(_segments(level) & wanted for level in procedure.levels)

    return test


def _conditions_any(allowed: frozenset[str]) -> Callable[[Any, EvalContext], Tri]:
    def test(patient: Any, ctx: EvalContext) -> Tri:
        conditions = getattr(patient, "conditions", None) if patient is not None else None
        if conditions is None:
            return None
        return any(c in allowed for c in conditions)

    return test


def _patient_choice(attr: str, allowed: frozenset[str]) -> Callable[[Any, EvalContext], Tri]:
    def test(patient: Any, ctx: EvalContext) -> Tri:
        value = getattr(patient, attr, None) if patient is not None else None
        if value is None or value == "unknown":
            return None
        return value in allowed

    return test


def _patient_number(
    attr: str, compare: Callable[[float, EvalContext], bool]
) -> Callable[[Any, EvalContext], Tri]:
    def test(patient: Any, ctx: EvalContext) -> Tri:
        value = getattr(patient, attr, None) if patient is not None else None
        return None if value is None else compare(value, ctx)

    return test


@dataclass(frozen=True)
class CompiledRule:
    rule: Any
    check: Check
    gate: frozenset[str] | None
    rank: int
    floor_rank: int
    # every (finding code, attribute) the condition reads, predicates included; lets the
    # fast path name a blocked rule's unknowns without evaluating it again
    references: tuple[tuple[str, str | None], ...] = ()
    referenced_codes: frozenset[str] = frozenset()
    has_any: bool = True  # contains an `any` (directly or in a predicate) that may short-cut


@dataclass(frozen=True)
class CompiledKb:
    rules: tuple[CompiledRule, ...]
    predicates: dict[str, Check]
    # rule positions by the finding codes they read, and the rules with no gate: the fast
    # path visits only rules that read at least one present finding
    rules_by_code: dict[str, tuple[int, ...]] = field(default_factory=dict)
    ungated: tuple[int, ...] = ()

    def candidates(self, present: frozenset[str]) -> list[int]:
        chosen = set(self.ungated)
        for code in present:
            chosen.update(self.rules_by_code.get(code, ()))
        return sorted(chosen)


_ATTRIBUTE_OF_TEST = {"onset": "onset_hours", "laterality": "side", "trend_not": "trend"}


def _references(node: Any, kb: KnowledgeBase) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    if isinstance(node, dict):
        if "finding" in node:
            code = node["finding"]
            out.append((code, None))
            out.extend(
                (code, _ATTRIBUTE_OF_TEST.get(k, k))
                for k in node
                if k not in ("finding", "if_missing")
            )
            return out
        if "unless" in node:
            return out  # an exception's unknowns never block a rule
        if "hours_since" in node:
            return [("case", "hours_since_injection")]
        if "predicate" in node:
            return _references(kb.predicates[node["predicate"]].when, kb)
        for value in node.values():
            out.extend(_references(value, kb))
    elif isinstance(node, list):
        for value in node:
            out.extend(_references(value, kb))
    return out


def _has_any(node: Any, kb: KnowledgeBase) -> bool:
    if isinstance(node, dict):
        if "any" in node:
            return True
        if "predicate" in node:
            return _has_any(kb.predicates[node["predicate"]].when, kb)
        return any(_has_any(v, kb) for k, v in node.items() if k not in ("unless", "not"))
    if isinstance(node, list):
        return any(_has_any(v, kb) for v in node)
    return False


def compile_kb(kb: KnowledgeBase) -> CompiledKb:
    """Compile every predicate and rule; cached on the knowledge base."""
    from esiguard.kb.schema import DISPOSITION_ORDER

    def build(kb: KnowledgeBase) -> CompiledKb:
        compiler = Compiler(kb)
        for name in kb.predicates:
            compiler.compile_predicate(name)
        compiled = []
        for rule in kb.rules:
            where = _Where(kb.rule_files[rule.id], rule.id, "when")
            check = compiler.compile(rule.when, where)
            if rule.disposition is None and rule.if_unknown is not None:
                raise where.fail("if_unknown needs a disposition")
            compiled.append(
                CompiledRule(
                    rule=rule,
                    check=check,
                    gate=compiler.gate(rule.when),
                    rank=DISPOSITION_ORDER.index(rule.disposition) if rule.disposition else -1,
                    floor_rank=DISPOSITION_ORDER.index(rule.if_unknown) if rule.if_unknown else -1,
                    references=(refs := tuple(dict.fromkeys(_references(rule.when, kb)))),
                    referenced_codes=frozenset(code for code, _ in refs if code != "case"),
                    has_any=_has_any(rule.when, kb),
                )
            )
        # Most urgent first, as telephone-triage protocols check them.
        compiled.sort(key=lambda c: -c.rank)
        by_code: dict[str, list[int]] = {}
        for index, rule in enumerate(compiled):
            for code in rule.referenced_codes:
                by_code.setdefault(code, []).append(index)
        return CompiledKb(
            rules=tuple(compiled),
            predicates=compiler.predicates,
            rules_by_code={code: tuple(ix) for code, ix in by_code.items()},
            ungated=tuple(i for i, rule in enumerate(compiled) if rule.gate is None),
        )

    return kb.section("compiled_rules", build)
