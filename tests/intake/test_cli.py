"""`esiguard intake "TEXT"`: a table of findings with their words and cues, or JSON."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from esiguard.cli.intake_cmd import register

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop", hidden=True)
    def _noop() -> None:  # a second command keeps Typer from collapsing to one
        pass

    return app


def test_table_shows_findings_spans_and_cues() -> None:
    result = runner.invoke(_app(), ["intake", "I can't pee, no fever, my husband has a headache"])
    assert result.exit_code == 0, result.output
    assert "urinary_retention" in result.output
    assert "can't pee" in result.output
    assert "negated" in result.output
    assert "headache" not in result.output  # the husband's, not the patient's


def test_json_output_is_one_intake_object() -> None:
    result = runner.invoke(
        _app(), ["intake", "--json", "temperature of 101 and my left leg is numb"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["format"] == "esi-intake/1"
    codes = {f["code"]: f for f in data["findings"]}
    assert codes["fever"]["value"] == 101.0 and codes["fever"]["unit"] == "F"
    assert codes["leg_numbness"]["side"] == "left"
    assert codes["leg_numbness"]["span"]["text"] == "leg is numb"


def test_text_can_come_from_standard_input() -> None:
    result = runner.invoke(_app(), ["intake", "--json", "-"], input="I can't pee.\n")
    assert result.exit_code == 0
    assert json.loads(result.output)["findings"][0]["code"] == "urinary_retention"


def test_empty_text_is_invalid_input_with_one_line() -> None:
    result = runner.invoke(_app(), ["intake", "   "])
    assert result.exit_code == 1
    assert "text: expected" in result.output


def test_markup_in_the_text_is_printed_literally() -> None:
    result = runner.invoke(_app(), ["intake", "[bold]my legs[/bold] are weak"])
    assert result.exit_code == 0
    assert "[/bold]" in result.output


def test_mentions_option_lists_uncounted_mentions() -> None:
    result = runner.invoke(_app(), ["intake", "--mentions", "My husband has a fever."])
    assert result.exit_code == 0
    assert "other_person" in result.output
