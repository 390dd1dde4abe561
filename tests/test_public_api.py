"""The public API is small and declared; adapters use only it."""

import esiguard


def test_all_is_sorted_and_pinned():
    """__all__ lists exactly the public names, sorted."""
    assert esiguard.__all__ == sorted(esiguard.__all__)
    assert set(esiguard.__all__) == {
        "AdapterError", "Case", "CaseValidationError", "EsiguardError", "FieldIssue", "KnowledgeBase",
        "KnowledgeBaseError", "Question", "ScreeningResult", "TriageResult", "intake", "load_kb",
        "next_questions", "parse_case", "screen", "triage",
    }  # fmt: skip


def test_every_exported_name_resolves():
    """Each name in __all__ can be imported."""
    for name in esiguard.__all__:
        assert getattr(esiguard, name) is not None
