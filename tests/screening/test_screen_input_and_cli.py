"""Bad input: one clear error naming the field. `esiguard screen`: decision, reasons, plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from tests.screening.helpers import planned_case
from typer.testing import CliRunner

from esiguard.cli.screen_cmd import register
from esiguard.errors import CaseValidationError
from esiguard.screening import screen


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """esiguard (test harness)."""

    register(app)
    return app


runner = CliRunner()


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


# --- API errors
def test_a_done_procedure_is_refused_naming_procedure_status(kb) -> None:
    case = planned_case()
    case["procedure"]["status"] = "done"
    with pytest.raises(CaseValidationError) as info:
        screen(case, kb)
    assert info.value.field == "procedure.status"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda c: c["patient"]["medications"][0].update(last_dose_hours_before=-5),
         "patient.medications[0].last_dose_hours_before"),
        (lambda c: c["patient"].update(labs={"inr": 45}), "patient.labs.inr"),
        (lambda c: c["patient"].update(favourite_colour="blue"), "patient.favourite_colour"),
        (lambda c: c["procedure"].update(approach="sideways"), "procedure.approach"),
    ],
    ids=["negative-hours", "impossible-inr", "unknown-field", "bad-approach"],
)  # fmt: skip
def test_bad_input_raises_an_error_naming_the_field(mutate, field: str, kb) -> None:
    case = planned_case(medications=[{"name": "apixaban", "last_dose_hours_before": 80}])
    mutate(case)
    with pytest.raises(CaseValidationError) as info:
        screen(case, kb)
    assert info.value.field == field


def test_an_unknown_drug_is_not_an_error(kb) -> None:
    result = screen(planned_case(medications=[{"name": "qwertyzol"}]), kb)
    assert result.medication_plan[0].known is False


def test_screen_accepts_json_text(kb) -> None:
    assert screen(json.dumps(planned_case()), kb).decision == "proceed"


# --- CLI
def test_cli_json_prints_one_object_per_file_in_order(tmp_path: Path) -> None:
    first = planned_case(medications=[{"name": "Xarelto", "last_dose_hours_before": 26}])
    first["id"] = "first"
    second = planned_case()
    second["id"] = "second"
    files = [_write(tmp_path, "a.json", first), _write(tmp_path, "b.json", second)]
    result = runner.invoke(_app(), ["screen", *map(str, files), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [d["case_id"] for d in lines] == ["first", "second"]
    assert [d["decision"] for d in lines] == ["postpone", "proceed"]
    for d in lines:
        assert d["format"] == "esi-screen/1"
        assert {"reasons", "medication_plan", "citations", "unanswered"} <= set(d)


def test_cli_human_output_puts_the_decision_first_then_reasons_then_the_plan(
    tmp_path: Path,
) -> None:
    case = planned_case(
        medications=[
            {"name": "Eliquis 5 mg", "dose": "5 mg twice daily"},
            {"name": "clopidogrel", "dose": "75 mg daily", "indication": "stent 3 years ago"},
            {"name": "fish oil"},
        ],
        conditions=["coronary_stent", "atrial_fibrillation"],
        hours_until=240,
    )
    path = _write(tmp_path, "plan.json", case)
    result = runner.invoke(_app(), ["screen", str(path), "--at", "2026-12-07T09:00"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.lstrip().startswith("DECISION: PROCEED WITH PRECAUTIONS")
    assert out.index("Reasons") < out.index("Your medicines")
    for text in ("apixaban", "clopidogrel", "fish oil", "Friday 4 December 2026", "cardiologist"):
        assert text in out


def test_cli_invalid_input_exits_1_with_one_line_naming_the_field(tmp_path: Path) -> None:
    bad = planned_case()
    bad["patient"]["labs"] = {"inr": 40}
    path = _write(tmp_path, "bad.json", bad)
    result = runner.invoke(_app(), ["screen", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "patient.labs.inr" in lines[0]
    assert "Traceback" not in result.output


def test_cli_malformed_json_and_missing_file_exit_1(tmp_path: Path) -> None:
    broken = _write(tmp_path, "broken.json", "{not json")
    result = runner.invoke(_app(), ["screen", str(broken), str(tmp_path / "missing.json")])
    assert result.exit_code == 1
    assert "broken.json" in result.stderr
    assert "missing.json" in result.stderr


def test_cli_json_mode_reports_an_error_object_in_place(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.json", planned_case())
    bad = _write(tmp_path, "bad.json", {"format": "esi-case/1"})
    result = runner.invoke(_app(), ["screen", str(bad), str(good), "--json"])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [d["format"] for d in lines] == ["esi-error/1", "esi-screen/1"]
    assert lines[0]["errors"][0]["field"] == "procedure"


def test_cli_bad_at_value_is_a_usage_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "ok.json", planned_case())
    result = runner.invoke(_app(), ["screen", str(path), "--at", "next tuesday"])
    assert result.exit_code == 2
