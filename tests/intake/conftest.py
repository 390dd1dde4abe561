from __future__ import annotations

import pytest

from esiguard.intake import IntakeResult, intake
from esiguard.intake.lexicon import Lexicon
from esiguard.intake.pipeline import get_pipeline
from esiguard.kb import KnowledgeBase


@pytest.fixture(scope="session")
def lexicon(kb: KnowledgeBase) -> Lexicon:
    return get_pipeline(kb).lexicon


@pytest.fixture(scope="session")
def read(kb: KnowledgeBase):
    """intake() bound to the packaged knowledge base."""

    def _read(text: str, case=None) -> IntakeResult:
        return intake(text, case=case, kb=kb)

    return _read


def present_of(result: IntakeResult, code: str) -> bool | str | None:
    """present for a code, or the string 'unmentioned' when the text did not mention it."""
    finding = result.finding(code)
    return "unmentioned" if finding is None else finding.present
