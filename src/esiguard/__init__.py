"""esiguard: safety around epidural steroid injections.

Triage after an injection, screening before one, and patient education, from one cited
knowledge base. The tool supports clinical decisions; it does not diagnose.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from esiguard._compiled import install_guard

install_guard(Path(__file__).parent)  # before any module that may run compiled is imported

from esiguard.case import Case, parse_case
from esiguard.errors import (
    AdapterError,
    CaseValidationError,
    EsiguardError,
    FieldIssue,
    KnowledgeBaseError,
)
from esiguard.kb import KnowledgeBase, load_kb
from esiguard.pipeline import next_questions, triage
from esiguard.result import Question, TriageResult

if TYPE_CHECKING:
    from esiguard.screening import ScreeningResult

__all__ = [
    "AdapterError",
    "Case",
    "CaseValidationError",
    "EsiguardError",
    "FieldIssue",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Question",
    "ScreeningResult",
    "TriageResult",
    "intake",
    "load_kb",
    "next_questions",
    "parse_case",
    "screen",
    "triage",
]

__version__ = "0.1.0"


def screen(case: Any, kb: KnowledgeBase | None = None) -> ScreeningResult:
    """Screen a planned injection (esi-screen/1). Raises CaseValidationError for bad input."""
    from esiguard.screening import screen as _screen

    return _screen(parse_case(case), kb)


def intake(text: str, case: Case | None = None, kb: KnowledgeBase | None = None) -> Any:
    """Read a patient's own words into findings (see esiguard.intake)."""
    from esiguard.intake import intake as _intake

    return _intake(text, case=case, kb=kb)


def __getattr__(name: str) -> Any:
    if name == "ScreeningResult":
        from esiguard.screening import ScreeningResult

        return ScreeningResult
    raise AttributeError(name)
