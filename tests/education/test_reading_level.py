"""Patient text is at or below US grade 8 (Flesch-Kincaid, textstat); the docs page is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from esiguard.education import load_education
from esiguard.education.readability import measure, plain_text
from esiguard.education.report import GRADE_LIMIT, reading_levels, render_markdown
from esiguard.kb import KnowledgeBase, load_kb

DOC = Path(__file__).resolve().parents[2] / "docs" / "education-reading-levels.md"
PATIENT_IDS = [e.id for e in load_education(load_kb()).values() if e.audience == "patient"]


@pytest.mark.parametrize("entry_id", PATIENT_IDS)
@pytest.mark.parametrize("field", ["short_answer", "answer"])
def test_patient_text_is_at_or_below_grade_8(kb: KnowledgeBase, entry_id: str, field: str) -> None:
    """Each patient entry's short answer and answer score <= 8.0 on Flesch-Kincaid."""
    text = getattr(load_education(kb)[entry_id], field)
    level = measure(text)
    assert level.flesch_kincaid_grade <= GRADE_LIMIT, (
        f"{entry_id}.{field}: grade {level.flesch_kincaid_grade:.1f} ({level.text_standard})"
    )


def test_the_measure_can_fail() -> None:
    """A dense clinical sentence scores above grade 8, so the limit is a real check."""
    dense = (
        "Corticosteroid-induced myopathy predominantly affects proximal musculature, "
        "particularly the pelvic girdle, with preservation of sensation and sphincter function."
    )
    assert measure(dense).flesch_kincaid_grade > GRADE_LIMIT


def test_plain_text_strips_list_markers_only() -> None:
    """List markers and emphasis are removed; the words stay."""
    assert plain_text("- **Call** now.\n1. Then wait.") == "Call now.\nThen wait."


def test_reading_levels_doc_is_up_to_date(kb: KnowledgeBase) -> None:
    """docs/education-reading-levels.md matches the generator (rerun report --write if not)."""
    expected = render_markdown(reading_levels(kb))
    fix = "python -m esiguard.education.report --write docs/education-reading-levels.md"
    assert DOC.read_text(encoding="utf-8") == expected, f"out of date; run: {fix}"
