"""`esiguard screen FILE... [--json] [--at DATETIME]`: screen planned injections.

Human output: the decision first, then the reasons, then a per-medicine plan a patient can follow.
`--json` prints one esi-screen/1 object per line per file, in order. Invalid input: exit 1 with one
line naming the field (on stderr); the other files are still screened.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from esiguard.case import parse_case
from esiguard.errors import CaseValidationError, EsiguardError
from esiguard.screening import DECISION_LABELS, ScreeningResult, screen

__all__ = ["register", "render_screening", "screen_command"]

_DECISION_STYLE = {
    "proceed": "bold green",
    "proceed_with_precautions": "bold yellow",
    "postpone": "bold red",
    "do_not_proceed": "bold white on red",
}
_SEVERITY_LABEL = {
    "block": ("DO NOT PROCEED", "bold red"),
    "postpone": ("POSTPONE", "red"),
    "caution": ("PRECAUTION", "yellow"),
    "info": ("NOTE", "cyan"),
}
_ACTION_LABEL = {
    "hold": "Stop before",
    "continue": "Keep taking",
    "shared_decision": "Ask first",
    "unknown": "Not recognised",
}


def _parse_at(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"expected a date and time such as 2026-12-01T09:00, got {value!r}"
        ) from exc


def _report_error(
    err: Console, path: Path, detail: str, issues: list[dict[str, str]], json_output: bool
) -> None:
    """One line naming the field on stderr; with --json also an esi-error/1 line in its place."""
    line = f"{path}: {detail}"
    if json_output:
        typer.echo(
            json.dumps(
                {"format": "esi-error/1", "file": str(path), "error": line, "errors": issues}
            )
        )
    err.print(line, soft_wrap=True, markup=False)


def render_screening(result: ScreeningResult, console: Console, title: str | None = None) -> None:
    """Decision first, then reasons (most severe first), open questions, the medication plan."""
    label = DECISION_LABELS[result.decision].upper()
    heading = Text("DECISION: ", style="bold")
    heading.append(label, style=_DECISION_STYLE[result.decision])
    if title:
        heading.append(f"   ({title})", style="dim")
    console.print(heading)
    console.print(result.headline)
    console.print(f"Bleeding-risk class for blood thinners: {result.bleeding_risk_class}")

    acting = [r for r in result.reasons if r.severity != "info"]
    notes = [r for r in result.reasons if r.severity == "info"]
    if acting:
        console.print(Text("\nReasons", style="bold underline"))
        for reason in acting:
            word, style = _SEVERITY_LABEL[reason.severity]
            line = Text(f"[{word}] ", style=style)
            line.append(reason.title, style="bold")
            console.print(line)
            console.print(Padding(Text(reason.text), (0, 0, 0, 4)))
            if reason.alternative:
                console.print(Padding(Text(f"Instead: {reason.alternative}"), (0, 0, 0, 4)))
    if result.unanswered:
        console.print(Text("\nQuestions to answer before the injection", style="bold underline"))
        for question in result.unanswered:
            console.print(f"  - {question}", highlight=False)

    if result.medication_plan:
        console.print(Text("\nYour medicines", style="bold underline"))
        table = Table(show_lines=True, expand=True)
        table.add_column("Medicine", ratio=1)
        table.add_column("What to do", ratio=4)
        for item in result.medication_plan:
            name = (
                item.name if item.generic in (None, item.name) else f"{item.name}\n({item.generic})"
            )
            action = _ACTION_LABEL[item.action]
            if item.action == "hold" and item.last_dose_ok is False:
                action += " - NOT stopped long enough"
            table.add_row(Text(name), Text(f"{action}: {item.instruction}"))
        console.print(table)

    if notes:
        console.print(Text("\nNotes for the clinician", style="bold underline"))
        for reason in notes:
            console.print(f"  - {reason.title}: {reason.text}", highlight=False)
    if result.citations:
        console.print(Text("\nSources", style="bold underline"))
        for citation in result.citations:
            console.print(f"  {citation}", highlight=False, soft_wrap=True)


def screen_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="esi-case/1 JSON files of planned injections; '-' reads stdin"),
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help="one esi-screen/1 JSON object per line per file")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option("--at", help="planned injection date and time (ISO, e.g. 2026-12-01T09:00)"),
    ] = None,
) -> None:
    """Screen planned epidural steroid injections: blood thinners, contraindications, steroid."""
    injection_at = _parse_at(at)
    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    failed = False
    for index, path in enumerate(files):
        try:
            raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
        except OSError as exc:
            _report_error(err, path, f"cannot be read ({exc.strerror})", [], json_output)
            failed = True
            continue
        try:
            result = screen(parse_case(raw), injection_at=injection_at)
        except CaseValidationError as exc:
            issues = [{"field": i.field, "message": i.message()} for i in exc.issues]
            _report_error(err, path, exc.one_line(), issues, json_output)
            failed = True
            continue
        except EsiguardError as exc:
            _report_error(err, path, str(exc), [], json_output)
            failed = True
            continue
        if json_output:
            typer.echo(result.model_dump_json())
        else:
            if index:
                out.print()
                out.rule()
            render_screening(result, out, title=result.case_id or str(path))
    if failed:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add `screen` to the esiguard CLI."""
    app.command("screen")(screen_command)
