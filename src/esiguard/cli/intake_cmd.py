"""`esiguard intake "TEXT"`: show the findings read from free text, with the words they came from.

    esiguard intake "my left leg is numb since the shot yesterday, no fever"
    esiguard intake - < note.txt          read the text from standard input
    esiguard intake --json "..."          one JSON object (esi-intake/1)

Exit codes: 0 done, 1 invalid input (empty text, or a knowledge-base problem; one line),
2 usage. Text from the user is printed as plain text, never as Rich markup.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from esiguard.errors import EsiguardError

__all__ = ["intake_command", "register"]

TextArg = Annotated[
    str,
    typer.Argument(help="The patient's words or a note, in quotes; '-' reads standard input."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object (esi-intake/1).")]
MentionsOpt = Annotated[
    bool, typer.Option("--mentions", help="Also list every mention, including uncounted ones.")
]

_PRESENT_LABEL = {True: "yes", False: "no", None: "unsure"}
_PRESENT_STYLE = {True: "bold red", False: "green", None: "yellow"}


def register(app: typer.Typer) -> None:
    """Add `esiguard intake` to the application."""
    app.command("intake", help="Read findings from free text (the patient's own words).")(
        intake_command
    )


def _details(finding) -> str:  # noqa: ANN001 - ExtractedFinding, imported lazily
    parts = []
    for name in ("side", "trend", "severity"):
        value = getattr(finding, name)
        if value is not None:
            parts.append(f"{name} {value}")
    if finding.onset_hours is not None:
        parts.append(
            f"onset {finding.onset_hours:g} h" + (" (before)" if finding.historical else "")
        )
    if finding.nrs is not None:
        parts.append(f"score {finding.nrs:g}/10")
    if finding.positional is not None:
        parts.append("worse upright" if finding.positional else "not positional")
    if finding.value is not None:
        parts.append(f"{finding.value:g} {finding.unit or ''}".strip())
    if finding.systolic is not None:
        parts.append(f"{finding.systolic:g}/{finding.diastolic:g} mmHg")
    return ", ".join(parts)


def intake_command(text: TextArg, as_json: JsonOpt = False, mentions: MentionsOpt = False) -> None:
    """Read findings from free text and show each with its span and the cue that decided it."""
    from esiguard.intake import intake
    from esiguard.kb import load_kb

    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        err.print("text: expected some words to read, got nothing", markup=False)
        raise typer.Exit(1)
    try:
        result = intake(text, kb=load_kb())
    except EsiguardError as exc:
        err.print(str(exc), markup=False, soft_wrap=True)
        raise typer.Exit(1) from None

    if as_json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
        return

    if not result.findings:
        out.print("No findings were recognised in the text.")
    else:
        table = Table(title="Findings read from the text", title_justify="left", show_lines=False)
        for column in ("Finding", "Present", "Details", "Words", "Cue"):
            table.add_column(column)
        for f in result.findings:
            cue = Text(f"{f.cue.category}: \u201c{f.cue.text}\u201d") if f.cue else Text("")
            table.add_row(
                Text(f.code),
                Text(_PRESENT_LABEL[f.present], style=_PRESENT_STYLE[f.present]),
                Text(_details(f)),
                Text(f"\u201c{f.span.text}\u201d [{f.span.start}:{f.span.end}]"),
                cue,
            )
        out.print(table)
    if result.hours_since_injection is not None and result.hours_since_injection_span:
        out.print(
            Text(
                f"Time since the injection: about {result.hours_since_injection:g} hours "
                f"(\u201c{result.hours_since_injection_span.text}\u201d)"
            )
        )
    if mentions and result.mentions:
        table = Table(title="Every mention", title_justify="left")
        for column in ("Finding", "Present", "Counted", "Words", "Rule"):
            table.add_column(column)
        for m in result.mentions:
            table.add_row(
                Text(m.code),
                Text(_PRESENT_LABEL[m.present]),
                Text("yes" if m.counted else f"no ({m.cue.category if m.cue else ''})"),
                Text(f"\u201c{m.span.text}\u201d"),
                Text(m.rule),
            )
        out.print(table)
    out.print(
        Text(
            "Unmentioned symptoms stay unknown; this reading supports, and does not replace, "
            "the questions a clinician asks.",
            style="dim",
        )
    )
