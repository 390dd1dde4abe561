"""`esiguard check`: the terminal interview for a nurse on the phone or a patient.

Procedure first, then the questions `next_questions` gives, most urgent first, until no
answer could change the result; then the result, and optionally the case saved as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.prompt import Prompt

from esiguard.answers import apply_answer, units_for
from esiguard.case import Case, parse_case
from esiguard.cli.render import render_triage
from esiguard.errors import CaseValidationError
from esiguard.kb import load_kb

console = Console()

_PROCEDURE_CHOICES = {
    "approach": ["interlaminar", "transforaminal", "caudal", "unknown"],
    "region": ["lumbar", "cervical", "thoracic", "sacral", "unknown"],
    "side": ["left", "right", "midline", "bilateral"],
}
_ANESTHETICS = ["lidocaine", "bupivacaine", "ropivacaine", "none", "other", "unknown"]
_STEROIDS = [
    "triamcinolone",
    "methylprednisolone",
    "betamethasone",
    "dexamethasone",
    "other",
    "unknown",
]
_MAX_QUESTIONS = 60


def _ask_number(prompt: str) -> float:
    while True:
        text = Prompt.ask(prompt, console=console)
        try:
            value = float(text)
        except ValueError:
            console.print("[red]Please type a number.[/red]")
            continue
        if value < 0:
            console.print("[red]Please type a number of hours, 0 or more.[/red]")
            continue
        return value


def interview_procedure() -> Case:
    console.print("[bold]About the injection[/bold]")
    procedure: dict = {"status": "done"}
    for key, options in _PROCEDURE_CHOICES.items():
        procedure[key] = Prompt.ask(
            f"Injection {key}",
            choices=options,
            default=options[-1] if key != "side" else "midline",
            console=console,
        )
    procedure["local_anesthetic"] = {
        "name": Prompt.ask(
            "Numbing medicine", choices=_ANESTHETICS, default="unknown", console=console
        )
    }
    procedure["steroid"] = {
        "name": Prompt.ask("Steroid", choices=_STEROIDS, default="unknown", console=console)
    }
    hours = _ask_number("How many hours ago was the injection?")
    return parse_case(
        {"format": "esi-case/1", "procedure": procedure, "hours_since_injection": hours}
    )


def interview(case: Case) -> Case:
    kb = load_kb()
    from esiguard.pipeline import next_questions

    asked: set[tuple[str, str | None]] = set()
    for _ in range(_MAX_QUESTIONS):
        pending = [q for q in next_questions(case, kb) if (q.code, q.attribute) not in asked]
        if not pending:
            break
        question = pending[0]
        asked.add((question.code, question.attribute))
        case = _ask(case, question)
    return case


def _ask(case: Case, question) -> Case:  # noqa: ANN001 - Question, kept loose for the prompt
    while True:
        try:
            if question.answer_type == "yes_no_unsure":
                answer = Prompt.ask(question.text, choices=["yes", "no", "unsure"], console=console)
                return apply_answer(case, question, answer)
            if question.answer_type == "choice":
                answer = Prompt.ask(
                    question.text, choices=[*question.options, "unsure"], console=console
                )
                return apply_answer(case, question, answer)
            if question.attribute == "value" and units_for(question.code):
                answer = Prompt.ask(question.text + " (or 'unsure')", console=console)
                if answer.strip().lower() in ("unsure", ""):
                    return apply_answer(case, question, "unsure")
                unit = Prompt.ask("Unit", choices=list(units_for(question.code)), console=console)
                return apply_answer(case, question, answer, unit=unit)
            answer = Prompt.ask(question.text + " (or 'unsure')", console=console)
            return apply_answer(case, question, answer)
        except CaseValidationError as exc:
            console.print(f"[red]{exc.issues[0].expected.capitalize()} please.[/red]")


def register(app: typer.Typer) -> None:
    @app.command()
    def check(
        save: Annotated[
            Path | None, typer.Option(help="Save the completed case as esi-case/1 JSON.")
        ] = None,
        start: Annotated[
            Path | None, typer.Option(help="Start from an existing case file.")
        ] = None,
    ) -> None:
        """Interview: the injection, then the questions that matter, most urgent first."""
        from esiguard.pipeline import triage

        try:
            case = parse_case(start.read_text(encoding="utf-8")) if start else interview_procedure()
        except CaseValidationError as exc:
            console.print(exc.one_line(), markup=False)
            raise typer.Exit(1) from None
        case = interview(case)
        render_triage(console, triage(case))
        if save is not None:
            save.write_text(json.dumps(case.to_json_dict(), indent=2) + "\n", encoding="utf-8")
            console.print(f"Case saved to {save}")
