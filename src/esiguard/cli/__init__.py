"""The esiguard command line (Typer + Rich).

Exit codes: 0 done, 1 invalid input (one line naming the field), 2 usage.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import track
from rich.table import Table

from esiguard.case import parse_case
from esiguard.cli.render import render_triage
from esiguard.errors import AdapterError, CaseValidationError, EsiguardError
from esiguard.kb import load_kb

app = typer.Typer(
    name="esiguard",
    help="Safety around epidural steroid injections: triage, screening, education.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Inspect and validate the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")

out = Console()
err = Console(stderr=True)

# Domain commands live beside their packages; each module exposes register(app).
_COMMAND_MODULES = (
    "check_cmd",
    "screen_cmd",
    "learn_cmd",
    "intake_cmd",
    "serve_cmd",
    "followup_cmd",
)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def read_case_file(path: Path) -> Any:
    """Read a case from a file (or '-' for standard input) and validate it."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise AdapterError("", f"cannot be read ({reason})") from exc
    return parse_case(text)


def error_line(path: Path, exc: EsiguardError) -> str:
    detail = exc.one_line() if isinstance(exc, CaseValidationError) else str(exc)
    return f"{path}: {detail}"


def error_json(path: Path, exc: EsiguardError) -> dict[str, Any]:
    issues = exc.issues if isinstance(exc, CaseValidationError) else []
    return {
        "format": "esi-error/1",
        "file": str(path),
        "error": error_line(path, exc),
        "errors": [{"field": i.field, "message": i.message()} for i in issues],
    }


FilesArg = Annotated[
    list[Path], typer.Argument(help="Case files (esi-case/1 JSON); '-' reads standard input.")
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON object per line, one line per file.")
]


@app.command()
def triage(
    files: FilesArg,
    as_json: JsonOpt = False,
    narrative: Annotated[
        bool,
        typer.Option("--narrative/--no-narrative", help="Also read findings from the narrative."),
    ] = True,
) -> None:
    """Triage cases after an injection: disposition, causes, red flags, advice, sources."""
    from esiguard.pipeline import triage as run_triage

    kb = load_kb()
    failed = False
    for path in files:
        try:
            result = run_triage(read_case_file(path), kb, use_narrative=narrative)
        except EsiguardError as exc:
            failed = True
            if as_json:
                print(json.dumps(error_json(path, exc)))
            err.print(error_line(path, exc), markup=False, highlight=False, soft_wrap=True)
            continue
        if as_json:
            print(json.dumps(result.to_json_dict(), ensure_ascii=False))
        else:
            render_triage(out, result, source=str(path) if len(files) > 1 else None)
    if failed:
        raise typer.Exit(1)


@app.command()
def explain(file: Annotated[Path, typer.Argument(help="A case file (esi-case/1 JSON).")]) -> None:
    """Show which rules fired or were blocked by an unknown, with their sources."""
    from esiguard.pipeline import triage as run_triage

    kb = load_kb()
    try:
        result = run_triage(read_case_file(file), kb)
    except EsiguardError as exc:
        raise fail(error_line(file, exc)) from None
    out.print(
        f"[bold]Disposition: {result.disposition}[/bold]  (knowledge base {result.kb_version})"
    )
    table = Table(title="Rules, most urgent first", show_lines=True, title_justify="left")
    table.add_column("Rule", no_wrap=True)
    for column in ("Outcome", "Effect", "Matched / unknown", "Sources"):
        table.add_column(column)
    for step in result.trace:
        facts = ", ".join(step.matched_findings)
        if step.unknown:
            facts += ("; " if facts else "") + "unknown: " + ", ".join(step.unknown)
        table.add_row(
            f"{step.rule_id}\n[dim]{step.file}[/dim]",
            step.outcome,
            step.effect,
            facts,
            ", ".join(step.sources),
        )
    out.print(table)
    out.print("[bold]Sources[/bold]")
    for source in result.sources:
        where = f" - {'; '.join(source.locators)}" if source.locators else ""
        out.print(
            f"  [{source.id}] {source.citation}{where} (checked {source.checked_on})",
            highlight=False,
            markup=False,
        )


@app.command()
def questions(
    file: Annotated[Path, typer.Argument(help="A case file.")], as_json: JsonOpt = False
) -> None:
    """List the unanswered questions that could still change the result, most urgent first."""
    from esiguard.pipeline import next_questions

    try:
        items = next_questions(read_case_file(file))
    except EsiguardError as exc:
        raise fail(error_line(file, exc)) from None
    if as_json:
        print(json.dumps([q.model_dump(mode="json") for q in items]))
        return
    if not items:
        out.print("Nothing more to ask: no answer could change the result.")
    for i, q in enumerate(items, 1):
        suffix = f" ({', '.join(q.options)})" if q.options else ""
        out.print(
            f"{i}. {q.text}{suffix}  [dim][{q.code}{'.' + q.attribute if q.attribute else ''}][/dim]"
        )


@app.command()
def evaluate(
    folder: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="A folder of vignette JSON files.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the metrics as one JSON object.")
    ] = False,
    narrative: Annotated[
        bool, typer.Option("--narrative", help="Give each case only its narrative and procedure.")
    ] = False,
    max_under_triage: Annotated[
        int | None, typer.Option(help="Exit 1 if under-triage exceeds this.")
    ] = None,
    min_acceptable: Annotated[
        float | None, typer.Option(help="Exit 1 if the acceptable rate is below this (0-1).")
    ] = None,
) -> None:
    """Run a folder of vignettes and report accuracy, under- and over-triage and misses."""
    from esiguard.pipeline import triage as run_triage
    from esiguard.vignettes import evaluate_folder, run_vignette

    kb = load_kb()
    screen = _screen_function()

    def triage_fn(case: Any, kb_: Any) -> Any:
        return run_triage(case, kb_, use_narrative=narrative)

    if as_json:
        report = evaluate_folder(folder, kb, triage_fn, screen, narrative=narrative)
    else:
        from esiguard.vignettes import EvaluationReport

        files = sorted(folder.glob("*.json"))
        outcomes = [run_vignette(p, kb, triage_fn, screen, narrative=narrative)
                    for p in track(files, description="Evaluating", console=err, transient=True)]  # fmt: skip
        report = EvaluationReport(outcomes=outcomes, narrative=narrative)
    if narrative:
        report.extraction = _extraction_metrics(folder)
    metrics = report.metrics()
    if as_json:
        print(json.dumps(metrics))
    else:
        _print_metrics(metrics, report)
    if max_under_triage is not None and metrics["under_triage"] > max_under_triage:
        raise typer.Exit(1)
    if min_acceptable is not None and (metrics["acceptable_rate"] or 0) < min_acceptable:
        raise typer.Exit(1)


def _screen_function() -> Any:
    try:
        from esiguard.screening import screen
    except ImportError:
        return None

    def run(case: Any, kb: Any) -> Any:
        return screen(parse_case(case), kb)

    return run


def _extraction_metrics(folder: Path) -> dict[str, Any] | None:
    try:
        from esiguard.intake import evaluate_extraction
    except ImportError:
        return None
    return dict(evaluate_extraction(folder))


def _print_metrics(metrics: dict[str, Any], report: Any) -> None:
    table = Table(title="Evaluation", title_justify="left")
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    for key, value in metrics.items():
        if key in ("misses", "extraction"):
            continue
        table.add_row(key, "-" if value is None else str(value))
    out.print(table)
    if metrics.get("extraction"):
        out.print("Finding extraction:", metrics["extraction"])
    misses = [o for o in report.outcomes if o.miss]
    if misses:
        miss_table = Table(title="Misses", title_justify="left")
        for column in (
            "File",
            "Kind",
            "Expected",
            "Acceptable",
            "Got",
            "Causes wanted",
            "Top 3",
            "Error",
        ):
            miss_table.add_column(column)
        for o in misses:
            miss_table.add_row(o.file, o.kind, o.expected or "", ", ".join(o.acceptable), o.got or "",
                               ", ".join(o.causes_expected), ", ".join(o.causes_top3), o.error or "")  # fmt: skip
        out.print(miss_table)
    else:
        out.print("No misses.")


@kb_app.command("check")
def kb_check() -> None:
    """Validate the whole knowledge base and summarise it."""
    from esiguard.kb.lint import lint

    try:
        kb = load_kb()
        problems, summary = lint(kb)
    except EsiguardError as exc:
        raise fail(f"knowledge base invalid: {exc}") from None
    table = Table(
        title=f"Knowledge base {kb.version} (released {kb.meta.released_on})", title_justify="left"
    )
    table.add_column("Part")
    table.add_column("Entries", justify="right")
    for part, count in summary.items():
        table.add_row(part, str(count))
    out.print(table)
    for problem in problems:
        out.print(f"[yellow]warning:[/yellow] {problem}", highlight=False)
    out.print("[green]Knowledge base valid.[/green]")


@kb_app.command("catalogue")
def kb_catalogue(
    write: Annotated[
        bool, typer.Option("--write", help="Write docs/knowledge-base.md instead of printing.")
    ] = False,
) -> None:
    """Print (or write) the rule catalogue generated from the knowledge base."""
    from esiguard.kb.catalogue import CATALOGUE_PATH, render_catalogue

    text = render_catalogue(load_kb())
    if write:
        Path(CATALOGUE_PATH).write_text(text, encoding="utf-8")
        out.print(f"Wrote {CATALOGUE_PATH}")
    else:
        print(text, end="")


def _register_domain_commands() -> None:
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(f"esiguard.cli.{name}")
        except ImportError:
            continue
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_domain_commands()


def main() -> None:
    """Entry point: Typer handles usage errors (exit 2); our errors exit 1 with one line."""
    try:
        app()
    except EsiguardError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(1)
