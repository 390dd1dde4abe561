"""Python source for compiled conditions, and the few helpers that source calls.

The condition compiler (kb/conditions.py) turns each rule into one straight-line Python
function instead of a tree of closures: a triage visits a dozen rules, and a call per node
of each rule's tree cost more than the tests themselves (bench/triage.py). The generated
function reads the case through short local names bound once from the EvalContext:

    st status of listed findings   d  status of unlisted ones   fd listed findings
    M  matched present findings    S  support (present, undecided)   U unknown facts
    P  precise mode   H hours since the injection   R references (la_max_hours ...)
    PR procedure   PT patient   MC medication classes   MR restarted classes
    B  severity bands of the 0-10 scale

Only checked names reach the source: codes, attributes and operators are validated against
the vocabulary and the language's fixed tables before they are written, literals are written
with repr(), and every other value (sets of allowed values, tables, predicate checks) is a
named constant in the shared namespace.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

CONTEXT_NAMES = {
    "st": "status",
    "d": "default",
    "fd": "findings",
    "M": "matched",
    "S": "support",
    "U": "unknown",
    "P": "precise",
    "H": "hours_since",
    "R": "refs",
    "PR": "procedure",
    "PT": "patient",
    "MC": "med_classes",
    "MR": "med_restarted_classes",
    "B": "severity_bands",
}
_NAME_USE = {name: re.compile(rf"(?<![\w.]){name}\b") for name in CONTEXT_NAMES}


def laterality(finding_side: str | None, procedure_side: str | None) -> str | None:
    """How a symptom's side relates to the side that was injected."""
    if finding_side is None or procedure_side is None:
        return None
    if procedure_side in ("left", "right"):
        if finding_side == "both":
            return "both_after_one_sided"
        return "same_side" if finding_side == procedure_side else "other_side"
    return "both_after_central" if finding_side == "both" else "one_side_after_central"


def severity_in(finding: Any, bands: tuple[tuple[float, str], ...], allowed: frozenset) -> Any:
    """Severity as recorded, or else as the 0-10 rating reads on the knowledge base's scale."""
    value = finding.severity
    if value is None and finding.nrs is not None:
        for min_nrs, label in bands:
            if finding.nrs >= min_nrs:
                value = label
                break
    return None if value is None else value in allowed


def levels_any(levels: list[str] | None, wanted: frozenset[str]) -> bool | None:
    """Whether any injected level (such as L4-L5) touches one of the wanted segments."""
    if not levels:
        return None
    return any(not wanted.isdisjoint(level.split("-")) for level in levels)


HELPERS = {"LATERALITY": laterality, "SEVERITY_IN": severity_in, "LEVELS_ANY": levels_any}


class Source:
    """The body of one generated check function, written line by line. Constants (sets of
    allowed values, predicate checks) live in a namespace shared by every function."""

    _ids = itertools.count()

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.lines: list[str] = []
        self._vars = itertools.count()

    def var(self, stem: str) -> str:
        return f"{stem}{next(self._vars)}"

    def const(self, value: Any) -> str:
        name = f"K{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def function(self, result: str, label: str) -> Callable[[Any], Any]:
        """Compile the body into `check(ctx)`, binding only the context names it uses."""
        body = "\n".join(self.lines)
        used = [name for name, pattern in _NAME_USE.items() if pattern.search(body)]
        name = f"check_{next(self._ids)}"
        prologue = [f"    {n} = ctx.{CONTEXT_NAMES[n]}" for n in used]
        text = "\n".join([f"def {name}(ctx):", *prologue, body, f"    return {result}", ""])
        exec(compile(text, f"<condition {label}>", "exec"), self.namespace)
        fn = self.namespace.pop(name)
        fn.source = text  # shown by tests and when debugging a rule
        return fn


def comparison(tests: list[tuple[str, float | str]], value: str) -> str:
    """A Python expression testing `value` against each (operator, bound); a string bound is
    a reference such as la_max_hours, read from R."""
    symbols = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
    parts = [
        f"{value} {symbols[op]} " + (f"R[{bound!r}]" if isinstance(bound, str) else repr(bound))
        for op, bound in tests
    ]
    return "(" + " and ".join(parts) + ")"


def all_of(results: list[str]) -> str:
    """Kleene AND of already computed results, as an expression."""
    if len(results) == 1:
        return results[0]
    false = " or ".join(f"{r} is False" for r in results)
    none = " or ".join(f"{r} is None" for r in results)
    return f"(False if ({false}) else None if ({none}) else True)"
