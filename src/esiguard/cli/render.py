"""Rich rendering of results for people: the disposition and emergency instructions first."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from esiguard.result import TriageResult

STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold black on yellow",
    "routine": "bold white on blue",
    "self_care": "bold white on green",
}
TITLE = {
    "emergency": "EMERGENCY",
    "urgent": "URGENT - be assessed today",
    "routine": "ROUTINE - contact your clinic within a few days",
    "self_care": "SELF-CARE - expected after an injection",
}


def render_triage(console: Console, result: TriageResult, *, source: str | None = None) -> None:
    do_now = [i.text for i in result.advice_items if i.kind in ("headline", "do_now")]
    header = Text("\n".join(do_now))
    title = TITLE[result.disposition] + (f"  ({source})" if source else "")
    console.print(Panel(header, title=title, style=STYLE[result.disposition], title_align="left"))
    if result.red_flags:
        table = Table(title="Red flags found", show_lines=False, title_justify="left")
        table.add_column("Finding", style="bold red")
        table.add_column("Why it matters")
        for flag in result.red_flags:
            table.add_row(flag.label, flag.why)
        console.print(table)
    if result.unanswered:
        console.print(
            Panel(
                ", ".join(result.unanswered),
                title="Red-flag questions not yet answered (unknown is not 'no')",
                style="yellow",
                title_align="left",
            )
        )
    if result.causes:
        table = Table(
            title="Possible causes (most likely or most dangerous first)", title_justify="left"
        )
        table.add_column("#", justify="right")
        table.add_column("Cause")
        table.add_column("Why")
        for cause in result.causes:
            table.add_row(str(cause.rank), cause.label, cause.why)
        console.print(table)
    other = [i for i in result.advice_items if i.kind not in ("headline", "do_now")]
    if other:
        console.print(
            Panel(
                Group(*[Text(i.text) for i in other]),
                title="What to do and watch for",
                title_align="left",
            )
        )
    if result.education:
        console.print("Read more: " + ", ".join(f"esiguard learn {e}" for e in result.education))
    for note in result.notes:
        console.print(f"[dim]Note: {note}[/dim]")
    console.print(
        f"[dim]Knowledge base {result.kb_version}. Sources (full text: esiguard explain):[/dim]"
    )
    for source in result.sources:
        text = source.citation if len(source.citation) <= 110 else source.citation[:107] + "..."
        console.print(
            f"  [{source.id}] {text} (checked {source.checked_on})",
            style="dim",
            highlight=False,
            markup=False,
        )
