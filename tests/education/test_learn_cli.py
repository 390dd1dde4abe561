"""`esiguard learn` through Typer's CliRunner on a local app with only this command."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from esiguard.cli.learn_cmd import register
from esiguard.education import load_education
from esiguard.kb import KnowledgeBase

WIDE = {"COLUMNS": "160"}
BOX_DRAWING = dict.fromkeys(range(9472, 9600), " ")


def flat(output: str) -> str:
    """Terminal output as one line of words, without panel and table borders."""
    return " ".join(output.translate(BOX_DRAWING).split())


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    application = typer.Typer()

    @application.callback()
    def main() -> None:
        """Keep 'learn' a subcommand (a one-command Typer app would run it as the root)."""

    register(application)
    return application


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_learn_lists_every_topic(app: typer.Typer, runner: CliRunner, kb: KnowledgeBase) -> None:
    """`esiguard learn` prints a table with every entry id and title."""
    result = runner.invoke(app, ["learn"], env=WIDE)
    assert result.exit_code == 0, result.output
    for entry in load_education(kb).values():
        assert entry.id in result.stdout
        assert entry.title in result.stdout


def test_learn_topic_shows_answer_and_sources(
    app: typer.Typer, runner: CliRunner, kb: KnowledgeBase
) -> None:
    """`esiguard learn TOPIC` shows title, short answer, answer, and sources with citation text."""
    entry = load_education(kb)["blood_thinners"]
    result = runner.invoke(app, ["learn", "blood_thinners"], env=WIDE)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert entry.title in out
    assert " ".join(entry.short_answer.split()) in out
    assert "Never stop on your own" in out
    for ref in entry.sources:
        citation = flat(kb.citation_text(ref.ref))
        assert citation[:60] in out
    assert "checked 2026-11-23" in out  # a source's checked date, from kb.citation_text
    assert f"Checked against the sources on {entry.checked_on.isoformat()}" in out


def test_warning_sign_topic_shows_emergency_advice_first(
    app: typer.Typer, runner: CliRunner, kb: KnowledgeBase
) -> None:
    """A topic that mentions warning signs starts with the emergency advice and links it."""
    result = runner.invoke(app, ["learn", "weakness_from_bleeding"], env=WIDE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    emergency_title = load_education(kb)["when_to_call_emergency"].title
    assert out.index(emergency_title) < out.index("Weakness from bleeding near the spine")
    assert "Warning signs: esiguard learn when_to_call_emergency" in out


def test_corrections_topic_shows_the_table(app: typer.Typer, runner: CliRunner) -> None:
    """The clinician corrections entry prints each error beside the correct fact."""
    result = runner.invoke(app, ["learn", "seed_article_corrections"], env=WIDE)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "For clinicians" in out
    assert "1. The article says:" in out
    assert "usually prednisolone" in out
    assert "the pelvic girdle (hips and thighs) is affected earlier" in out
    assert "28. The article says:" in out


def test_unknown_topic_exits_1_with_one_line_and_suggestions(
    app: typer.Typer, runner: CliRunner
) -> None:
    """An unknown topic prints one line naming the closest topics and exits 1."""
    result = runner.invoke(app, ["learn", "blod-thiners"], env=WIDE)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith('topic: unknown topic "blod_thiners"')
    assert "blood_thinners" in lines[0]
    assert "Traceback" not in result.output


def test_search_prints_ranked_matches(app: typer.Typer, runner: CliRunner) -> None:
    """`--search` prints matches with rank, the best first, and tolerates typos."""
    result = runner.invoke(app, ["learn", "--search", "diabetis"], env=WIDE)
    assert result.exit_code == 0, result.output
    first_row = next(line for line in result.stdout.splitlines() if "│ 1 " in line)
    assert "blood_sugar_and_diabetes" in first_row


def test_search_without_matches_says_so(app: typer.Typer, runner: CliRunner) -> None:
    """A search that finds nothing says so and exits 0."""
    result = runner.invoke(app, ["learn", "--search", "qqqqzzzz"], env=WIDE)
    assert result.exit_code == 0
    assert "No topics match" in result.stdout


def test_topic_and_search_together_is_a_usage_error(app: typer.Typer, runner: CliRunner) -> None:
    """Giving a TOPIC and --search at once exits 2 (usage)."""
    result = runner.invoke(app, ["learn", "blood_thinners", "--search", "warfarin"], env=WIDE)
    assert result.exit_code == 2
