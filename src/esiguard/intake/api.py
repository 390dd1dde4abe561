"""`intake()`: free text in, findings out (the public entry point of the intake package)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from esiguard.intake.extract import DocReader
from esiguard.intake.models import IntakeResult, TextSpan
from esiguard.intake.pipeline import get_pipeline
from esiguard.intake.timing import hours_since_injection

if TYPE_CHECKING:
    from esiguard.case import Case
    from esiguard.kb import KnowledgeBase

# Same-length replacements only, so that offsets in the result point into the caller's text.
_NORMALISE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u2026": ".",
    }
)

MAX_TEXT_CHARS = 20000  # the case schema's limit for a narrative


def normalise(text: str) -> str:
    """Typographic quotes and dashes to ASCII, keeping every character offset."""
    return text.translate(_NORMALISE)


def intake(text: str, case: Case | None = None, kb: KnowledgeBase | None = None) -> IntakeResult:
    """Read findings out of free text (a patient's words or a nurse's note).

    `case`, when given, supplies context: the injection region (pain where the needle went in
    is neck pain after a cervical injection, back pain otherwise), whether the injection is
    still planned (then no "time since the injection" is read) and the time since the
    injection when the text does not say. Nothing in `case` is changed; use
    `merge_into_case()` to combine.
    """
    if not isinstance(text, str):
        raise TypeError("intake() needs the text as a string")
    if kb is None:
        from esiguard.kb import load_kb

        kb = load_kb()
    pipeline = get_pipeline(kb)
    original = text[:MAX_TEXT_CHARS]
    clean = normalise(original)
    doc = pipeline(clean)

    planned = case is not None and case.procedure.status == "planned"
    region = case.procedure.region if case is not None else None
    notes: list[str] = []
    stated = None
    if not planned:
        stated = hours_since_injection(
            pipeline.lexicon.settings, [(s.start_char, s.text) for s in doc.sents]
        )
    hours = stated.hours if stated is not None else None
    if hours is None and case is not None and case.hours_since_injection is not None:
        hours = case.hours_since_injection
    if len(text) > MAX_TEXT_CHARS:
        notes.append(f"only the first {MAX_TEXT_CHARS} characters were read")

    # Only codes whose definition takes a side or a 0-10 score get one ("7 out of 10" said
    # of the sciatica is not a score for the tingling beside it).
    side_codes = {code for code, f in kb.findings.items() if "side" in f.attributes} or None
    nrs_codes = {code for code, f in kb.findings.items() if "nrs" in f.attributes} or None
    reader = DocReader(
        doc,
        pipeline.lexicon,
        pipeline.labels,
        hours_since=hours,
        region=region,
        side_codes=side_codes,
        nrs_codes=nrs_codes,
        original_text=original,
    )
    findings, mentions = reader.read()
    span = None
    if stated is not None:
        span = TextSpan(
            start=stated.start, end=stated.end, text=original[stated.start : stated.end]
        )
    return IntakeResult(
        kb_version=kb.version,
        findings=findings,
        hours_since_injection=stated.hours if stated is not None else None,
        hours_since_injection_span=span,
        mentions=mentions,
        notes=notes,
    )
