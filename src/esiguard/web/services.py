"""The web layer's only door to the rest of esiguard.

Each function imports its domain package when first called, so the app starts (and the pages
that do not need a missing part keep working) while the engine, screening, education or
intake packages are still being built. A missing part raises FeatureUnavailableError, which
the error handlers turn into a 503 with the canonical error shape.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from esiguard.case import Case
from esiguard.web.errors import FeatureUnavailableError

__all__ = [
    "available",
    "education_entries",
    "education_entry",
    "education_search",
    "intake",
    "knowledge_base",
    "next_questions",
    "screen",
    "triage",
]

# feature name -> (module, the attributes it must offer)
_FEATURES: dict[str, tuple[str, tuple[str, ...]]] = {
    # The public triage entry points (they also read the narrative when intake exists).
    "triage": ("esiguard.pipeline", ("triage", "next_questions")),
    "screening": ("esiguard.screening", ("screen",)),
    "education": ("esiguard.education", ("load_education", "get_entry", "search")),
    "intake": ("esiguard.intake", ("intake",)),
}


def _module(feature: str) -> ModuleType:
    name, needed = _FEATURES[feature]
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        raise FeatureUnavailableError(_label(feature)) from exc
    if not all(hasattr(module, attr) for attr in needed):
        raise FeatureUnavailableError(_label(feature))
    return module


def _label(feature: str) -> str:
    return {
        "triage": "The triage engine",
        "screening": "Pre-procedure screening",
        "education": "Patient education",
        "intake": "Free-text intake",
    }[feature]


def available(feature: str) -> bool:
    """True when the domain package for `feature` can be imported and offers its API."""
    try:
        _module(feature)
    except FeatureUnavailableError:
        return False
    return True


def knowledge_base() -> Any:
    from esiguard.kb import load_kb

    return load_kb()


def triage(case: Case) -> Any:
    return _module("triage").triage(case)


def next_questions(case: Case) -> list[Any]:
    return list(_module("triage").next_questions(case))


def screen(case: Case) -> Any:
    return _module("screening").screen(case)


def intake(text: str) -> Any:
    return _module("intake").intake(text)


def education_entries() -> Sequence[Any]:
    loaded = _module("education").load_education()
    # load_education() may give a list of entries or a mapping id -> entry.
    return list(loaded.values()) if isinstance(loaded, dict) else list(loaded)


def education_entry(entry_id: str) -> Any | None:
    module = _module("education")
    try:
        return module.get_entry(entry_id)
    except (KeyError, LookupError):
        return None


def education_search(words: str) -> list[Any]:
    """Entries matching `words`, best first (search gives (entry, score) pairs)."""
    found = _module("education").search(words)
    return [item[0] if isinstance(item, tuple) else item for item in found]
