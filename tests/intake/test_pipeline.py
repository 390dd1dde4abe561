"""The pipeline: offline, quiet, cached per knowledge base, safe across threads."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from esiguard.intake import intake
from esiguard.intake.lexicon import load_lexicon
from esiguard.intake.pipeline import build_pipeline, get_pipeline


def test_the_pipeline_is_medspacy_with_pyrush_target_matcher_and_context(kb) -> None:
    names = get_pipeline(kb).nlp.pipe_names
    assert names == ["medspacy_pyrush", "medspacy_target_matcher", "medspacy_context"]


def test_the_pipeline_is_built_once_per_knowledge_base(kb) -> None:
    assert get_pipeline(kb) is get_pipeline(kb)


def test_building_and_running_opens_no_network_connection(kb, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("intake tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    pipeline = build_pipeline(load_lexicon(kb))
    assert pipeline("No fever.").spans


def test_loading_and_reading_print_nothing() -> None:
    """PyRuSH logs at DEBUG through loguru; none of that may reach the user's terminal."""
    script = textwrap.dedent(
        """
        from esiguard.intake import intake
        intake("I can't pee. My legs are weak. No fever. Is that normal??")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert run.stderr == ""


def test_concurrent_calls_give_the_same_answers(kb) -> None:
    texts = [
        "I can't pee and my legs are numb.",
        "No fever, my neck is stiff.",
        "My husband has a fever.",
        "I'm not sure if my leg is weak.",
    ] * 10
    expected = [intake(t, kb=kb).model_dump() for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda t: intake(t, kb=kb).model_dump(), texts))
    assert got == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "??!!", "12345", "a" * 5000])
def test_text_without_findings_gives_an_empty_result(kb, text: str) -> None:
    result = intake(text, kb=kb)
    assert result.findings == []
    assert result.kb_version == kb.version


def test_a_very_long_text_is_cut_with_a_note(kb) -> None:
    result = intake("I can't pee. " + "x " * 12000, kb=kb)
    assert result.finding("urinary_retention").present is True
    assert result.notes and "20000" in result.notes[0]


def test_non_text_input_is_refused(kb) -> None:
    with pytest.raises(TypeError):
        intake(None, kb=kb)  # type: ignore[arg-type]


def test_result_round_trips_through_json(kb) -> None:
    from esiguard.intake import IntakeResult

    result = intake("temperature of 101 and my left leg is numb", kb=kb)
    assert IntakeResult.model_validate_json(result.model_dump_json()) == result
