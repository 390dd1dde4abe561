"""The errors esiguard raises, one tree for every adapter.

    EsiguardError                      base class; never raised directly
    ├── CaseValidationError            a case (or screening plan) is not a valid esi-case/1 document
    │                                  .issues: list of FieldIssue(field, expected, got)
    ├── KnowledgeBaseError             a knowledge-base file is malformed, uncited or inconsistent
    │                                  .file, .entry, .field
    └── AdapterError                   an adapter (CLI, web, FHIR) was given input it cannot translate

Each class carries the CLI exit code and the HTTP status it maps to, in this one place,
so the CLI and the web layer never decide that for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "AdapterError",
    "CaseValidationError",
    "EsiguardError",
    "FieldIssue",
    "KnowledgeBaseError",
]


def describe_value(value: Any) -> str:
    """Render a user's value for an error message: strings quoted, long values cut."""
    if isinstance(value, str):
        text = f'"{value}"'
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one field: where it is, what was expected, what was given."""

    field: str
    expected: str
    got: str

    def message(self) -> str:
        where = self.field or "(document)"
        return f"{where}: expected {self.expected}, got {self.got}"


class EsiguardError(Exception):
    """Base class of every error esiguard raises on purpose."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 400


class CaseValidationError(EsiguardError):
    """The input is not a valid case; `issues` names every field at fault."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 422

    def __init__(self, issues: list[FieldIssue]) -> None:
        if not issues:
            raise ValueError("CaseValidationError needs at least one issue")
        self.issues = issues
        super().__init__(issues[0].message())

    @property
    def field(self) -> str:
        return self.issues[0].field

    def one_line(self) -> str:
        """The first issue, plus a count of the others: what a CLI prints."""
        first = self.issues[0].message()
        more = len(self.issues) - 1
        return first if more == 0 else f"{first} (and {more} more problem{'s' if more > 1 else ''})"


class KnowledgeBaseError(EsiguardError):
    """A knowledge-base file is wrong; names the file, the entry and the field."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500

    def __init__(self, file: str, entry: str | None, field: str | None, problem: str) -> None:
        self.file = file
        self.entry = entry
        self.field = field
        self.problem = problem
        where = file
        if entry:
            where += f" [{entry}]"
        if field:
            where += f" {field}"
        super().__init__(f"{where}: {problem}")


class AdapterError(EsiguardError):
    """An adapter could not translate its input (for example malformed JSON)."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 400

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)
