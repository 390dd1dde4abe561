"""The command line: emergency first, JSON one line per file, exit codes 0/1/2, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import DEV_VIGNETTES, base_case
from typer.testing import CliRunner

from esiguard.cli import app

runner = CliRunner()


def write_case(tmp_path: Path, name: str, case: dict | str) -> Path:
    path = tmp_path / name
    path.write_text(case if isinstance(case, str) else json.dumps(case), encoding="utf-8")
    return path


EMERGENCY = base_case(
    findings=[{"code": "saddle_numbness"}, {"code": "urinary_retention"}], hours_since_injection=20
)
SELF_CARE = base_case(
    findings=[{"code": "leg_numbness", "side": "left", "onset_hours": 0.1, "trend": "improving"}],
    hours_since_injection=1,
)


def test_human_output_puts_the_emergency_first(tmp_path):
    """The first thing printed for an emergency is the emergency instruction."""
    result = runner.invoke(app, ["triage", str(write_case(tmp_path, "e.json", EMERGENCY))])
    assert result.exit_code == 0
    first_lines = "\n".join(result.stdout.strip().splitlines()[:3])
    assert "EMERGENCY" in first_lines
    assert "call emergency services" in result.stdout.lower()


def test_json_prints_one_result_per_line_in_order(tmp_path):
    """--json prints one esi-result/1 object per file, one line each, in the order given."""
    files = [write_case(tmp_path, "a.json", EMERGENCY), write_case(tmp_path, "b.json", SELF_CARE)]
    result = runner.invoke(app, ["triage", "--json", *map(str, files)])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    docs = [json.loads(line) for line in lines]
    assert [d["format"] for d in docs] == ["esi-result/1", "esi-result/1"]
    assert [d["disposition"] for d in docs] == ["emergency", "self_care"]
    for doc in docs:
        assert {
            "disposition",
            "causes",
            "red_flags",
            "unanswered",
            "advice",
            "citations",
            "kb_version",
        } <= set(doc)


BAD_INPUTS = {
    "malformed.json": ("{not json", "(document): expected valid JSON"),
    "wrong_type.json": (
        json.dumps(base_case(hours_since_injection="soon")),
        'hours_since_injection: expected a number of hours, got "soon"',
    ),
    "unknown_code.json": (
        json.dumps(base_case(findings=[{"code": "legweak"}])),
        "findings[0].code: expected one of",
    ),
    "missing.json": (
        json.dumps({"format": "esi-case/1"}),
        "procedure: expected a value (this field is required)",
    ),
    "extra.json": (json.dumps(base_case(colour="blue")), "colour: expected no such field"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_1_with_one_line_naming_the_field(tmp_path, name):
    """Each kind of bad input exits 1 with exactly one line on stderr naming the field, no traceback."""
    text, expected = BAD_INPUTS[name]
    path = write_case(tmp_path, name, text)
    proc = subprocess.run(
        [sys.executable, "-m", "esiguard", "triage", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert expected in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_usage_error_exits_2():
    """An unknown option is a usage error: exit code 2."""
    result = runner.invoke(app, ["triage", "--frobnicate", "x.json"])
    assert result.exit_code == 2


def test_json_mode_keeps_line_alignment_for_invalid_files(tmp_path):
    """In --json mode an invalid file still gets its own line (an error object), and exit 1."""
    files = [write_case(tmp_path, "a.json", EMERGENCY), write_case(tmp_path, "bad.json", "{")]
    result = runner.invoke(app, ["triage", "--json", *map(str, files)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [d["format"] for d in lines] == ["esi-result/1", "esi-error/1"]


def test_explain_shows_rules_and_sources(tmp_path):
    """explain lists the rules that fired with their sources."""
    result = runner.invoke(app, ["explain", str(write_case(tmp_path, "e.json", EMERGENCY))])
    assert result.exit_code == 0
    assert "saddle_or_sphincter_change" in result.stdout
    assert "R96" in result.stdout


def test_kb_check_validates():
    """kb check reports the knowledge base valid."""
    result = runner.invoke(app, ["kb", "check"])
    assert result.exit_code == 0, result.stdout
    assert "Knowledge base valid" in result.stdout


def test_evaluate_dev_vignettes_meets_the_bar():
    """evaluate on the dev set: zero under-triage, at least 95% acceptable (CI gate)."""
    if not DEV_VIGNETTES.is_dir():
        pytest.skip("shared dev vignettes absent")
    result = runner.invoke(
        app,
        [
            "evaluate",
            str(DEV_VIGNETTES),
            "--json",
            "--max-under-triage",
            "0",
            "--min-acceptable",
            "0.95",
        ],
    )
    metrics = json.loads(result.stdout)
    assert metrics["under_triage"] == 0, metrics
    assert metrics["acceptable_rate"] >= 0.95
    assert result.exit_code == 0


def test_python_dash_m_works():
    """python -m esiguard runs the same CLI."""
    proc = subprocess.run(
        [sys.executable, "-m", "esiguard", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert "triage" in proc.stdout


def test_check_interview_runs_from_keyboard_answers(tmp_path):
    """The terminal interview asks the injection, then questions, prints a result and saves the case."""
    answers = (
        "\n".join(
            ["transforaminal", "lumbar", "left", "lidocaine", "dexamethasone", "1"] + ["no"] * 60
        )
        + "\n"
    )
    saved = tmp_path / "case.json"
    result = runner.invoke(app, ["check", "--save", str(saved)], input=answers)
    assert result.exit_code == 0, result.stdout
    assert saved.exists()
    case = json.loads(saved.read_text())
    assert case["procedure"]["approach"] == "transforaminal"


def test_followup_admin_creates_a_clinic_and_a_user(tmp_path, monkeypatch):
    """`esiguard followup` administers the follow-up store: a clinic, then an admin in it."""
    monkeypatch.setenv("ESIGUARD_FOLLOWUP_DATABASE_URL", f"sqlite:///{tmp_path / 'fu.db'}")
    monkeypatch.setenv("ESIGUARD_NEW_PASSWORD", "a long enough passphrase 42")
    created = runner.invoke(app, ["followup", "create-clinic", "North Clinic"])
    assert created.exit_code == 0, created.stdout
    user = runner.invoke(
        app, ["followup", "create-user", "North Clinic", "doc@example.org", "--role", "admin"]
    )
    assert user.exit_code == 0, user.stdout
    assert "doc@example.org (admin)" in user.stdout
    missing = runner.invoke(app, ["followup", "create-user", "Nowhere", "x@example.org"])
    assert missing.exit_code == 1
