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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from esiguard.errors import KnowledgeBaseError
from esiguard.kb.codegen import HELPERS, Source, all_of, comparison

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


@dataclass(slots=True)
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
    # set when fast mode skipped a branch of `any` after a true one: what was recorded may
    # then miss findings a precise run would match
    cut: bool = False
    value_cache: dict[str, Tri] = field(default_factory=dict)  # predicate values, untracked


class _Where:
    """Where a condition stands, for error messages: file, entry and a field path."""

    def __init__(self, file: str, entry: str, path: str) -> None:
        self.file, self.entry, self.path = file, entry, path

    def at(self, part: str | int) -> _Where:
        sub = f"{self.path}[{part}]" if isinstance(part, int) else f"{self.path}.{part}"
        return _Where(self.file, self.entry, sub)

    def fail(self, problem: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(self.file, self.entry, self.path, problem)


class Compiler:
    """Validates conditions and compiles each into one generated Python function (see
    kb/codegen.py). Every `_emit_*` method checks its node, then writes source that leaves
    the node's three-valued result in the variable `out`."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.finding_codes = set(kb.vocabulary.findings)
        self.conditions = set(kb.vocabulary.conditions)
        self.predicates: dict[str, Check] = {}
        self.predicate_gates: dict[str, frozenset[str] | None] = {}
        self._value_refs: dict[str, Check] = {}
        self.bare_predicates: dict[str, Check] = {}
        # False while emitting code whose records would be thrown away (inside `unless`):
        # that code computes the value only, which is several times cheaper.
        self._track = True
        self._compiling: set[str] = set()
        self.namespace: dict[str, Any] = dict(HELPERS)

    # -- entry points -------------------------------------------------------------------
    def compile(self, node: Any, where: _Where, *, rule: bool = False) -> Check:
        """A check for `node`. For a rule (not a predicate), an `any` at the top is always
        evaluated whole: if one branch is true the rule fires, and a fired rule must record
        every finding it accounts for, so stopping early would only mean running it again.
        A rule's finding-free guards are tested first (`_emit_guards`)."""
        src = Source(self.namespace)
        depth = self._emit_guards(node, where, src) if rule else 1
        self._emit(node, where, src, depth, "result", whole_any=rule)
        return src.function("result", f"{where.file}:{where.entry}")

    def _emit_guards(self, node: Any, where: _Where, src: Source) -> int:
        """For a rule that is an `all`, the parts that read no finding (medication, patient,
        procedure, time, labs) and come after a part that does are first evaluated alone,
        value only: when one is False the rule is False and its finding tests, the costly
        part, never run. The rule then runs as written, so what it records is unchanged.
        Returns the depth the rule's own code starts at."""
        parts = node.get("all") if isinstance(node, dict) and len(node) == 1 else None
        if not isinstance(parts, list):
            return 1
        readers = [i for i, part in enumerate(parts) if self._reads_findings(part)]
        guards = [(i, part) for i, part in enumerate(parts)
                  if readers and i > readers[0] and i not in readers]  # fmt: skip
        if not guards:
            return 1
        src.line(1, "result = False")
        depth = 1
        self._track, saved = False, self._track
        try:
            for i, part in guards:
                value = src.var("g")
                self._emit(part, where.at("all").at(i), src, depth, value)
                src.line(depth, f"if {value} is not False:")
                depth += 1
        finally:
            self._track = saved
        return depth

    def _reads_findings(self, node: Any) -> bool:
        if isinstance(node, dict):
            if "finding" in node:
                return True
            if "predicate" in node and node["predicate"] in self.kb.predicates:
                return self._reads_findings(self.kb.predicates[node["predicate"]].when)
            return any(self._reads_findings(value) for value in node.values())
        if isinstance(node, list):
            return any(self._reads_findings(value) for value in node)
        return False

    def _emit(
        self, node: Any, where: _Where, src: Source, depth: int, out: str, whole_any: bool = False
    ) -> None:
        if not isinstance(node, dict) or len(node) == 0:
            raise where.fail("a condition must be a non-empty mapping")
        keys = set(node)
        if "finding" in keys:
            return self._emit_finding(node, where, src, depth, out)
        if len(keys) != 1:
            raise where.fail(f"expected exactly one operator, got {sorted(keys)}")
        (op,) = keys
        arg = node[op]
        if op == "predicate":
            return self._emit_predicate(arg, where.at(op), src, depth, out, whole_any)
        if op in ("all", "any"):
            if not isinstance(arg, list) or not arg:
                raise where.at(op).fail("must be a non-empty list of conditions")
            if op == "all":
                return self._emit_all(arg, where.at(op), src, depth, out)
            return self._emit_any(arg, where.at(op), src, depth, out, whole=whole_any)
        emitters = {
            "not": self._emit_not,
            "unless": self._emit_unless,
            "at_least": self._emit_at_least,
            "hours_since": self._emit_hours_since,
            "procedure": self._emit_procedure,
            "patient": self._emit_patient,
            "medication": self._emit_medication,
            "lab": self._emit_lab,
        }
        if op not in emitters:
            raise where.fail(
                f"unknown operator {op!r} (allowed: all, any, not, unless, at_least, predicate, "
                "finding, hours_since, procedure, patient, medication, lab)"
            )
        return emitters[op](arg, where.at(op), src, depth, out)

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

    def compile_predicate(self, name: str) -> None:
        if name in self.predicates:
            return
        if name in self._compiling:
            raise KnowledgeBaseError("triage/predicates.yaml", name, "when", "refers to itself")
        self._compiling.add(name)
        pred = self.kb.predicates[name]
        where = _Where("triage/predicates.yaml", name, "when")
        self.predicates[name] = self.compile(pred.when, where)
        self._track, saved = False, self._track
        try:
            self.bare_predicates[name] = self.compile(pred.when, where)
        finally:
            self._track = saved
        self.predicate_gates[name] = self.gate(pred.when)
        self._compiling.discard(name)

    # -- combinators --------------------------------------------------------------------
    def _emit_all(self, parts: list, where: _Where, src: Source, depth: int, out: str) -> None:
        # Kleene AND: False wins, so the parts after a False part are not evaluated.
        self._emit_junction(parts, where, src, depth, out, start="True",
                            go_on="{out} is not False",
                            fold=(("{part} is False", "False"), ("{part} is None", "None")))  # fmt: skip

    def _emit_any(self, parts: list, where: _Where, src: Source, depth: int, out: str,
                  whole: bool = False) -> None:  # fmt: skip
        # Kleene OR. In precise mode (or `whole`) every branch is evaluated so that all
        # matching findings are recorded: a fired rule accounts for every present finding it
        # mentions. Fast mode stops at a true branch and says so (ctx.cut).
        if whole and self._track:
            go_on, on_skip = "", ""
        elif self._track:
            go_on, on_skip = "P or {out} is not True", "ctx.cut = True"
        else:
            go_on, on_skip = "{out} is not True", ""
        self._emit_junction(parts, where, src, depth, out, start="False", go_on=go_on,
                            on_skip=on_skip,
                            fold=(("{part}", "True"), ("{part} is None and {out} is False", "None")))  # fmt: skip

    def _emit_junction(self, parts: list, where: _Where, src: Source, depth: int, out: str, *,
                       start: str, go_on: str, fold: tuple[tuple[str, str], ...],
                       on_skip: str = "") -> None:  # fmt: skip
        """`out` starts at `start`; each part after the first runs only while `go_on` holds
        (else `on_skip` runs), then the first `fold` test that holds for the part sets `out`
        to its value. Folding the first part into `start` leaves that part's value (every
        part is exactly True, False or None), so the first part writes `out` directly."""
        for i, sub in enumerate(parts):  # `parts` is never empty (checked in _emit)
            if not i:
                self._emit(sub, where.at(i), src, depth, out)
                continue
            inner = depth
            if go_on:
                src.line(depth, f"if {go_on.format(out=out)}:")
                inner += 1
            part = src.var("a")
            self._emit(sub, where.at(i), src, inner, part)
            for keyword, (test, value) in zip(("if", "elif"), fold, strict=True):
                src.line(inner, f"{keyword} {test.format(part=part, out=out)}:")
                src.line(inner + 1, f"{out} = {value}")
            if on_skip:
                src.line(depth, "else:")
                src.line(depth + 1, on_skip)

    def _emit_not(self, arg: Any, where: _Where, src: Source, depth: int, out: str) -> None:
        part, m, s = src.var("a"), src.var("n"), src.var("n")
        self._record(src, depth, f"{m} = len(M); {s} = len(S)")
        self._emit(arg, where, src, depth, part)
        self._record(src, depth, f"del M[{m}:]; del S[{s}:]")  # a negation explains nothing
        src.line(depth, f"{out} = None if {part} is None else not {part}")

    def _emit_unless(self, arg: Any, where: _Where, src: Source, depth: int, out: str) -> None:
        """True unless `arg` is established: a reassuring exception only counts when every
        fact it needs is known, so an unknown never switches a red flag off."""
        part = src.var("a")
        self._track, saved = False, self._track  # nothing inside an exception is recorded
        try:
            self._emit(arg, where, src, depth, part)
        finally:
            self._track = saved
        src.line(depth, f"{out} = {part} is not True")

    def _emit_at_least(self, spec: Any, where: _Where, src: Source, depth: int, out: str) -> None:
        if not isinstance(spec, dict) or set(spec) != {"n", "of"}:
            raise where.fail("must be {n: <count>, of: [conditions]}")
        n = spec["n"]
        if not isinstance(n, int) or n < 1 or not isinstance(spec["of"], list):
            raise where.fail("n must be a positive whole number and of a list")
        true, unknown = src.var("t"), src.var("u")
        src.line(depth, f"{true} = {unknown} = 0")
        for i, sub in enumerate(spec["of"]):
            part = src.var("a")
            self._emit(sub, where.at("of").at(i), src, depth, part)
            src.line(depth, f"if {part}:")
            src.line(depth + 1, f"{true} += 1")
            src.line(depth, f"elif {part} is None:")
            src.line(depth + 1, f"{unknown} += 1")
        src.line(
            depth,
            f"{out} = True if {true} >= {n} else None if {true} + {unknown} >= {n} else False",
        )

    def _emit_predicate(self, name: Any, where: _Where, src: Source, depth: int, out: str,
                        whole_any: bool = False) -> None:  # fmt: skip
        if not isinstance(name, str) or name not in self.kb.predicates:
            raise where.fail(f"unknown predicate {name!r}")
        self.compile_predicate(name)  # checked where it is defined, once
        if self._track:
            # Written out in place: most predicates are read once per case, where a shared
            # cache cost more than it saved. A rule that is just a predicate keeps `whole_any`.
            body = self.kb.predicates[name].when
            predicate_where = _Where("triage/predicates.yaml", name, "when")
            return self._emit(body, predicate_where, src, depth, out, whole_any)
        src.line(depth, f"{out} = {src.const(self._value_of_predicate(name))}(ctx)")

    def _value_of_predicate(self, name: str) -> Check:
        """A predicate's value, computed once per case (inside `unless`, where nothing is
        recorded, several exceptions often ask the same predicate)."""
        if name in self._value_refs:
            return self._value_refs[name]
        bare = self.bare_predicates[name]

        def value_of(ctx: EvalContext) -> Tri:
            cache = ctx.value_cache
            if name in cache:
                return cache[name]
            value = cache[name] = bare(ctx)
            return value

        self._value_refs[name] = value_of
        return value_of

    def _record(self, src: Source, depth: int, text: str) -> None:
        """Write a line that records matches or unknowns, unless recording is off."""
        if self._track:
            src.line(depth, text)

    # -- leaves -------------------------------------------------------------------------
    def _cmp(self, spec: Any, where: _Where) -> list[tuple[str, float | str]]:
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
        return tests

    def _choices(self, spec: Any, allowed: tuple[str, ...], where: _Where) -> frozenset[str]:
        values = spec if isinstance(spec, list) else [spec]
        for v in values:
            if v not in allowed:
                raise where.fail(f"unknown value {v!r} (allowed: {', '.join(allowed)})")
        return frozenset(values)

    def _emit_hours_since(
        self, spec: Any, where: _Where, src: Source, depth: int, out: str
    ) -> None:
        test = comparison(self._cmp(spec, where), "H")
        src.line(depth, "if H is None:")
        self._record(src, depth + 1, "if P: U.append(('case', 'hours_since_injection'))")
        src.line(depth + 1, f"{out} = None")
        src.line(depth, "else:")
        src.line(depth + 1, f"{out} = {test}")

    def _finding_tests(self, node: dict, where: _Where, src: Source) -> tuple[list, Tri]:
        """(attribute, lines computing o from finding f) per test of a finding node, and
        what a missing attribute means."""
        tests: list[tuple[str, list[str]]] = []
        missing_is: Tri = None
        for key, spec in node.items():
            sub = where.at(key)
            if key == "finding":
                continue
            if key == "if_missing":
                if spec not in ("unknown", "false", "true"):
                    raise sub.fail("must be unknown, false or true")
                missing_is = {"unknown": None, "false": False, "true": True}[spec]
            elif key == "severity":
                allowed = src.const(self._choices(spec, FINDING_ATTRS[key], sub))
                tests.append((key, [f"$o = SEVERITY_IN($f, B, {allowed})"]))
            elif key == "laterality":
                allowed = src.const(self._choices(spec, FINDING_ATTRS[key], sub))
                tests.append((key, ["$v = LATERALITY($f.side, PR.side)",
                                    f"$o = None if $v is None else $v in {allowed}"]))  # fmt: skip
            elif key in FINDING_ATTRS:
                allowed = src.const(self._choices(spec, FINDING_ATTRS[key], sub))
                tests.append(
                    (key, [f"$v = $f.{key}", f"$o = None if $v is None else $v in {allowed}"])
                )
            elif key == "trend_not":
                # "still there": true unless the trend is known to be one of these; a missing
                # trend never excuses a finding
                excluded = src.const(self._choices(spec, FINDING_ATTRS["trend"], sub))
                tests.append(("trend", [f"$o = $f.trend not in {excluded}"]))
            elif key == "onset":
                tests.append(("onset_hours", self._onset_lines(spec, sub)))
            elif key in FINDING_NUMBERS:
                attr = "canonical_value" if key == "value" else key
                test = comparison(self._cmp(spec, sub), "$v")
                tests.append((key, [f"$v = $f.{attr}", f"$o = None if $v is None else {test}"]))
            elif key == "positional":
                if not isinstance(spec, bool):
                    raise sub.fail("must be true or false")
                tests.append(
                    (key, ["$v = $f.positional", f"$o = None if $v is None else $v is {spec}"])
                )
            else:
                raise sub.fail(
                    "unknown finding test (allowed: side, laterality, trend, trend_not, severity, "
                    "pattern, onset, nrs, value, systolic, diastolic, positional, if_missing)"
                )
        return tests, missing_is

    def _onset_lines(self, spec: Any, where: _Where) -> list[str]:
        """Onset test. A missing onset is still bounded: nothing can start after the report, so
        onset <= hours since the injection. A lower bound the report time already fails is
        False ("started more than 2 h after" cannot hold 1.5 h after); else it stays unknown."""
        tests = self._cmp(spec, where)
        lines = ["$v = $f.onset_hours", f"if $v is not None: $o = {comparison(tests, '$v')}"]
        if set(spec) <= {"gt", "ge"}:
            lines.append(f"elif H is not None and not {comparison(tests, 'H')}: $o = False")
        lines.append("else: $o = None")
        return lines

    def _emit_finding(self, node: dict, where: _Where, src: Source, depth: int, out: str) -> None:
        code = node["finding"]
        if code not in self.finding_codes:
            raise where.at("finding").fail(f"unknown finding code {code!r}")
        tests, missing_is = self._finding_tests(node, where, src)
        c, status, finding = repr(code), src.var("s"), src.var("f")
        src.line(depth, f"{status} = st.get({c}, d)")
        src.line(depth, f"if {status} is False:")
        src.line(depth + 1, f"{out} = False")
        src.line(depth, f"elif {status} is None:")
        self._record(src, depth + 1, f"if P: U.append(({c}, None))")
        src.line(depth + 1, f"{out} = None")
        src.line(depth, "else:")
        body = depth + 1
        src.line(body, f"{out} = True")
        if not tests:  # present, nothing more to test
            self._record(src, body, f"M.append({c})")
            return
        src.line(body, f"{finding} = fd[{c}]")
        for i, (attr, lines) in enumerate(tests):
            inner = body
            if i:  # a failed test ends the check, as a False in `all` does
                src.line(body, f"if {out} is not False:")
                inner += 1
            o, v = src.var("o"), src.var("v")
            for text in lines:
                src.line(inner, text.replace("$f", finding).replace("$o", o).replace("$v", v))
            src.line(inner, f"if {o} is None:")
            if missing_is is None:
                self._record(src, inner + 1, f"if P: U.append(({c}, {attr!r}))")
                src.line(inner + 1, f"{out} = None")
            elif missing_is is False:
                src.line(inner + 1, f"{out} = False")
            else:
                src.line(inner + 1, "pass")
            src.line(inner, f"elif {o} is False:")
            src.line(inner + 1, f"{out} = False")
        self._record(src, body, f"if {out}: M.append({c})")
        self._record(src, body, f"elif {out} is None: S.append({c})")

    def _emit_tests(self, tests: list[list[str]], unknown: tuple[str, str], src: Source,
                    depth: int, out: str) -> None:  # fmt: skip
        """All of several attribute tests, each evaluated (none records an unknown itself);
        an undecided result records one unknown for the whole group."""
        results = []
        for lines in tests:
            o, v = src.var("o"), src.var("v")
            for text in lines:
                src.line(depth, text.replace("$o", o).replace("$v", v))
            results.append(o)
        src.line(depth, f"{out} = {all_of(results)}")
        self._record(src, depth, f"if P and {out} is None: U.append({unknown!r})")

    def _emit_procedure(self, spec: Any, where: _Where, src: Source, depth: int, out: str) -> None:
        if not isinstance(spec, dict) or not spec:
            raise where.fail("must be a mapping of procedure tests")
        tests: list[list[str]] = []
        for key, value in spec.items():
            sub = where.at(key)
            if key in PROCEDURE_CHOICES:
                allowed = src.const(self._choices(value, PROCEDURE_CHOICES[key], sub))
                read = (
                    f"$v = getattr(PR.{key}, 'name', None)"
                    if key in ("steroid", "local_anesthetic")
                    else f"$v = PR.{key}"
                )
                tests.append(
                    [read, f"$o = None if $v is None or $v == 'unknown' else $v in {allowed}"]
                )
            elif key == "events_any":
                allowed = src.const(self._choices(value, PROCEDURE_EVENTS, sub))
                tests.append(
                    ["$v = PR.events", f"$o = None if $v is None else not {allowed}.isdisjoint($v)"]
                )
            elif key == "steroid_particulate":
                if not isinstance(value, bool):
                    raise sub.fail("must be true or false")
                table = src.const({n: s.particulate for n, s in self.kb.steroids.items()})
                tests.append([
                    "$v = getattr(PR.steroid, 'name', None)",
                    f"$v = {table}.get($v) if $v else None",
                    f"$o = None if $v is None else $v is {value}",
                ])  # fmt: skip
            elif key == "levels_any":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise sub.fail("must be a list of segment names such as L1 or T12")
                tests.append([f"$o = LEVELS_ANY(PR.levels, {src.const(frozenset(value))})"])
            else:
                raise sub.fail(
                    "unknown procedure test (allowed: approach, region, side, guidance, steroid, "
                    "local_anesthetic, events_any, steroid_particulate, levels_any)"
                )
        self._emit_tests(tests, ("procedure", ",".join(sorted(spec))), src, depth, out)

    def _emit_patient(self, spec: Any, where: _Where, src: Source, depth: int, out: str) -> None:
        if not isinstance(spec, dict) or not spec:
            raise where.fail("must be a mapping of patient tests")
        tests: list[list[str]] = []
        for key, value in spec.items():
            sub = where.at(key)
            if key == "conditions_any":
                allowed = src.const(self._choices(value, tuple(self.conditions), sub))
                tests.append([
                    "$v = getattr(PT, 'conditions', None)",
                    f"$o = None if $v is None else not {allowed}.isdisjoint($v)",
                ])  # fmt: skip
            elif key == "sex":
                allowed = src.const(self._choices(value, ("female", "male", "other"), sub))
                tests.append([
                    "$v = getattr(PT, 'sex', None)",
                    f"$o = None if $v is None or $v == 'unknown' else $v in {allowed}",
                ])  # fmt: skip
            elif key in ("age", "prior_injections_12_months", "prior_steroid_mg_12_months"):
                attr = "age_years" if key == "age" else key
                test = comparison(self._cmp(value, sub), "$v")
                tests.append(
                    [f"$v = getattr(PT, {attr!r}, None)", f"$o = None if $v is None else {test}"]
                )
            else:
                raise sub.fail(
                    "unknown patient test (allowed: conditions_any, sex, age, "
                    "prior_injections_12_months, prior_steroid_mg_12_months)"
                )
        self._emit_tests(tests, ("patient", ",".join(sorted(spec))), src, depth, out)

    def _emit_medication(self, spec: Any, where: _Where, src: Source, depth: int, out: str) -> None:
        if not isinstance(spec, dict) or not spec or not set(spec) <= {"class_any", "restarted"}:
            raise where.fail("must be {class_any: [drug classes], restarted: true|false}")
        classes = src.const(self._choices(spec.get("class_any", list(DRUG_CLASSES)), DRUG_CLASSES,
                                          where.at("class_any")))  # fmt: skip
        pool = "MR" if spec.get("restarted") else "MC"
        src.line(depth, f"if {pool} is None:")
        self._record(src, depth + 1, "if P: U.append(('patient', 'medications'))")
        src.line(depth + 1, f"{out} = None")
        src.line(depth, "else:")
        src.line(depth + 1, f"{out} = not {pool}.isdisjoint({classes})")

    def _emit_lab(self, spec: Any, where: _Where, src: Source, depth: int, out: str) -> None:
        if not isinstance(spec, dict) or len(spec) != 1:
            raise where.fail("must test exactly one lab value, e.g. {inr: {gt: 1.4}}")
        ((name, cmp_spec),) = spec.items()
        if name not in LAB_FIELDS:
            raise where.at(name).fail(f"unknown lab (allowed: {', '.join(LAB_FIELDS)})")
        value = src.var("v")
        test = comparison(self._cmp(cmp_spec, where.at(name)), value)
        src.line(depth, f"{value} = getattr(getattr(PT, 'labs', None), {name!r}, None)")
        src.line(depth, f"if {value} is None:")
        self._record(src, depth + 1, f"if P: U.append(('labs', {name!r}))")
        src.line(depth + 1, f"{out} = None")
        src.line(depth, "else:")
        src.line(depth + 1, f"{out} = {test}")


@dataclass(frozen=True)
class CompiledRule:
    rule: Any
    check: Check
    gate: frozenset[str] | None
    rank: int
    floor_rank: int
    # read per triage; copied here from the rule model (attribute reads on pydantic models
    # take the slow path)
    id: str = ""
    red_flag: bool = False
    advice: tuple[str, ...] = ()
    # every (finding code, attribute) the condition reads, predicates included; lets the
    # fast path name a blocked rule's unknowns without evaluating it again
    references: tuple[tuple[str, str | None], ...] = ()
    referenced_codes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CompiledKb:
    rules: tuple[CompiledRule, ...]
    predicates: dict[str, Check]
    # Finding codes as bits, and per code the rules (as bits of their positions) that read
    # it: the fast path visits only rules that read a present finding.
    code_bits: dict[str, int] = field(default_factory=dict)
    rules_reading: dict[str, int] = field(default_factory=dict)
    # per rule, the bits of its gate's codes (0: no gate); rules without a gate always run
    gate_masks: tuple[int, ...] = ()
    always: int = 0
    # the same masks as positions, for `candidates`: a set union and a sort, both in C
    _always_positions: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _reading_positions: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_always_positions", tuple(bit_positions(self.always)))
        positions = {code: tuple(bit_positions(mask)) for code, mask in self.rules_reading.items()}
        object.__setattr__(self, "_reading_positions", positions)

    def candidates(self, present: Iterable[str]) -> list[int]:
        """Positions of the rules that read at least one of these present findings (plus the
        ungated ones), lowest first."""
        chosen = set(self._always_positions)
        reading = self._reading_positions
        for code in present:
            found = reading.get(code)
            if found:
                chosen.update(found)
        return sorted(chosen)


def bit_positions(mask: int) -> list[int]:
    """The positions of the set bits of `mask`, lowest first."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


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
            check = compiler.compile(rule.when, where, rule=True)
            if rule.disposition is None and rule.if_unknown is not None:
                raise where.fail("if_unknown needs a disposition")
            compiled.append(
                CompiledRule(
                    rule=rule,
                    check=check,
                    gate=compiler.gate(rule.when),
                    rank=DISPOSITION_ORDER.index(rule.disposition) if rule.disposition else -1,
                    floor_rank=DISPOSITION_ORDER.index(rule.if_unknown) if rule.if_unknown else -1,
                    id=rule.id,
                    red_flag=bool(rule.red_flag),
                    advice=tuple(rule.advice),
                    references=(refs := tuple(dict.fromkeys(_references(rule.when, kb)))),
                    referenced_codes=frozenset(code for code, _ in refs if code != "case"),
                )
            )
        # Most urgent first, as telephone-triage protocols check them.
        compiled.sort(key=lambda c: -c.rank)
        code_bits = {code: 1 << i for i, code in enumerate(sorted(kb.vocabulary.findings))}
        reading: dict[str, int] = {}
        for index, rule in enumerate(compiled):
            for code in rule.referenced_codes:
                reading[code] = reading.get(code, 0) | (1 << index)
        return CompiledKb(
            rules=tuple(compiled),
            predicates=compiler.predicates,
            code_bits=code_bits,
            rules_reading=reading,
            gate_masks=tuple(
                sum(code_bits[code] for code in rule.gate) if rule.gate else 0 for rule in compiled
            ),
            always=sum(1 << i for i, rule in enumerate(compiled) if rule.gate is None),
        )

    return kb.section("compiled_rules", build)
