"""The case model (esi-case/1) and the parser that turns any input into a Case or a
CaseValidationError naming every field at fault."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from esiguard.case.model import (
    Case,
    Finding,
    Labs,
    LocalAnesthetic,
    Medication,
    Patient,
    Procedure,
    Steroid,
)
from esiguard.errors import CaseValidationError, FieldIssue, describe_value

__all__ = [
    "Case",
    "Finding",
    "Labs",
    "LocalAnesthetic",
    "Medication",
    "Patient",
    "Procedure",
    "Steroid",
    "issues_from_validation_error",
    "parse_case",
]

_HOURS_FIELDS = {
    "onset_hours",
    "hours_since_injection",
    "last_dose_hours_before",
    "restarted_hours_after",
}


def _path(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _noun(field: str) -> str:
    if field in _HOURS_FIELDS:
        return "a number of hours"
    return "a number"


def _options(ctx: Mapping[str, Any] | None) -> str:
    expected = str((ctx or {}).get("expected", ""))
    parts = [p.strip().strip("'") for p in expected.replace(" or ", ", ").split(",") if p.strip()]
    if len(parts) > 10:
        return "one of " + ", ".join(parts[:10]) + f", ... ({len(parts)} codes in vocabulary.json)"
    return "one of " + ", ".join(parts)


def _issue(err: Mapping[str, Any], model_fields: Any = None) -> FieldIssue:
    loc = tuple(err.get("loc", ()))
    field = _path(loc)
    last = next((p for p in reversed(loc) if isinstance(p, str)), "")
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    got = describe_value(err.get("input"))
    if kind == "missing":
        return FieldIssue(field, "a value (this field is required)", "nothing")
    if kind == "extra_forbidden":
        return FieldIssue(field, "no such field (unknown fields are not allowed)", got)
    if kind in ("literal_error", "enum"):
        return FieldIssue(field, _options(ctx), got)
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "finite_number"):
        noun = "a whole number" if kind.startswith("int") else _noun(last)
        return FieldIssue(field, noun, got)
    if kind == "int_from_float":
        return FieldIssue(field, "a whole number", got)
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
              "less_than": "<"}[kind]  # fmt: skip
        bound = next(iter(ctx.values()), "")
        return FieldIssue(field, f"{_noun(last)} {op} {bound}", got)
    if kind in ("bool_type", "bool_parsing"):
        noun = "true, false or null" if last == "present" else "true or false"
        return FieldIssue(field, noun, got)
    if kind in ("string_type",):
        return FieldIssue(field, "text (a string)", got)
    if kind in ("string_too_long", "too_long"):
        return FieldIssue(field, f"at most {ctx.get('max_length')} characters or items", got)
    if kind in ("string_too_short", "too_short"):
        return FieldIssue(field, f"at least {ctx.get('min_length')} character or item", got)
    if kind == "string_pattern_mismatch":
        if last == "levels" or (loc and loc[-2:-1] == ("levels",)):
            return FieldIssue(field, 'a spinal level such as "L4-L5" or "S1"', got)
        return FieldIssue(field, f"text matching {ctx.get('pattern')}", got)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return FieldIssue(field, "an object", got)
    if kind in ("tuple_type", "list_type"):
        return FieldIssue(field, "a list", got)
    if kind == "value_error":
        # Our own validators phrase messages as "<subfield>: expected X, got Y".
        message = str(ctx.get("error", err.get("msg", "")))
        sub, _, rest = message.partition(": expected ")
        if rest:
            expected, _, given = rest.rpartition(", got ")
            sub_path = f"{field}.{sub}" if field else sub
            return FieldIssue(sub_path, expected, given or got)
        return FieldIssue(field, message, got)
    return FieldIssue(field, str(err.get("msg", "a valid value")).lower(), got)


def issues_from_validation_error(exc: ValidationError, prefix: str = "") -> list[FieldIssue]:
    issues = []
    for err in exc.errors(include_url=False):
        issue = _issue(err)
        if prefix:
            issue = FieldIssue(f"{prefix}.{issue.field}" if issue.field else prefix, issue.expected,
                               issue.got)  # fmt: skip
        issues.append(issue)
    return issues


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_case(data: Mapping[str, Any] | str | bytes | Case) -> Case:
    """Validate a case given as a dict, JSON text or bytes; raise CaseValidationError."""
    if isinstance(data, Case):
        return data
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            where = ""
            if isinstance(exc, json.JSONDecodeError):
                where = f" at line {exc.lineno} column {exc.colno}"
            raise CaseValidationError(
                [
                    FieldIssue(
                        "", "valid JSON", f"malformed JSON{where} ({exc.args[0].split(':')[0]})"
                    )
                ]
            ) from exc
    if not isinstance(data, Mapping):
        raise CaseValidationError([FieldIssue("", "a JSON object (an esi-case/1 case)",
                                              describe_value(data))])  # fmt: skip
    try:
        return Case.model_validate(dict(data))
    except ValidationError as exc:
        raise CaseValidationError(issues_from_validation_error(exc)) from exc
