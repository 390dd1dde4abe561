"""`esiguard learn`: patient education in the terminal.

    esiguard learn                  list the topics (id, title)
    esiguard learn TOPIC            show one topic with its sources
    esiguard learn --search WORDS   ranked, typo-tolerant search

Exit codes: 0 done, 1 unknown topic or broken knowledge base (one line), 2 usage.
All text from the knowledge base is printed as plain text (never as Rich markup), so brackets
in citations cannot be mistaken for style tags.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from esiguard.education import (
    EMERGENCY_ENTRY_ID,
    EducationEntry,
    get_entry,
    load_education,
    normalise_topic,
    search,
    suggest,
)
from esiguard.errors import KnowledgeBaseError
from esiguard.kb import KnowledgeBase, load_kb

__all__ = ["learn", "register"]

TopicArg = Annotated[
    str | None,
    typer.Argument(help="A topic id from the list, e.g. blood_thinners.", show_default=False),
]
SearchOpt = Annotated[
    str | None,
    typer.Option(
        "--search",
        "-s",
        help="Find topics by words; spelling mistakes are fine.",
        show_default=False,
    ),
]
LimitOpt = Annotated[
    int, typer.Option("--limit", min=1, max=50, help="Most search results to show.")
]


def register(app: typer.Typer) -> None:
    """Add `esiguard learn` to the application."""
    app.command(
        "learn",
        help="Patient education: list topics, show one (with sources), or search them.",
    )(learn)


def learn(topic: TopicArg = None, search_words: SearchOpt = None, limit: LimitOpt = 10) -> None:
    """Patient education: list topics, show one (with sources), or search them."""
    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    if topic is not None and search_words is not None:
        raise typer.BadParameter("give a TOPIC or --search WORDS, not both")
    try:
        kb = load_kb()
        if search_words is not None:
            _print_search(out, kb, search_words, limit)
        elif topic is not None:
            _print_topic(out, err, kb, topic)
        else:
            _print_list(out, kb)
    except KnowledgeBaseError as exc:
        err.print(Text(str(exc)), soft_wrap=True)
        raise typer.Exit(1) from exc


def _print_list(out: Console, kb: KnowledgeBase) -> None:
    table = Table(title="Education topics", title_justify="left")
    table.add_column("Topic", no_wrap=True)
    table.add_column("Title")
    table.add_column("For", no_wrap=True)
    for entry in load_education(kb).values():
        table.add_row(Text(entry.id), Text(entry.title), Text(entry.audience))
    out.print(table)
    out.print(Text("Show one: esiguard learn TOPIC    Search: esiguard learn --search WORDS"))


def _print_search(out: Console, kb: KnowledgeBase, words: str, limit: int) -> None:
    hits = search(words, kb, limit=limit)
    if not hits:
        out.print(Text(f"No topics match {words!r}. List them all with: esiguard learn"))
        return
    table = Table(title=f"Topics matching {words!r}", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Topic", no_wrap=True)
    table.add_column("Title")
    table.add_column("Score", justify="right")
    for rank, (entry, score) in enumerate(hits, start=1):
        table.add_row(str(rank), Text(entry.id), Text(entry.title), f"{score:.1f}")
    out.print(table)


def _print_topic(out: Console, err: Console, kb: KnowledgeBase, topic: str) -> None:
    try:
        entry = get_entry(topic, kb)
    except KeyError:
        closest = suggest(topic, kb)
        hint = f"; did you mean: {', '.join(closest)}" if closest else ""
        err.print(
            Text(f'topic: unknown topic "{normalise_topic(topic) or topic}"{hint}'), soft_wrap=True
        )
        raise typer.Exit(1) from None
    entries = load_education(kb)
    # Emergency advice first wherever it appears.
    if entry.mentions_warning_signs and entry.id != EMERGENCY_ENTRY_ID:
        emergency = entries[EMERGENCY_ENTRY_ID]
        out.print(
            Panel(
                Text(emergency.short_answer),
                title=Text(emergency.title),
                subtitle=Text(f"esiguard learn {EMERGENCY_ENTRY_ID}"),
                border_style="red",
            )
        )
    heading_style = "bold red" if entry.id == EMERGENCY_ENTRY_ID else "bold"
    out.print(Text(entry.title, style=heading_style))
    if entry.audience == "clinician":
        out.print(Text("For clinicians", style="dim"))
    out.print(Text(entry.question, style="italic"))
    out.print()
    out.print(Panel(Text(entry.short_answer), title="Short answer", title_align="left"))
    out.print(Markdown(entry.answer))
    if entry.corrections:
        out.print()
        _print_corrections(out, entry)
    _print_links(out, entry, entries)
    _print_sources(out, kb, entry)


def _print_corrections(out: Console, entry: EducationEntry) -> None:
    # One block per row rather than a bordered table: the quotes and facts are too long for
    # columns. A borderless grid keeps a hanging indent under each row number.
    out.print(Text("Errors in the article and the correct facts", style="bold"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column()
    for row in entry.corrections:
        refs = ", ".join(ref.ref for ref in row.sources)
        block = Text("The article says: ", style="bold")
        block.append(f"{row.article_says} ({row.problem})\n", style="")
        block.append("Correct: ", style="bold")
        block.append(f"{row.correct_fact}\n", style="")
        block.append(f"Sources: {refs}", style="dim")
        grid.add_row(f"{row.row}.", block)
    out.print(grid)


def _print_links(out: Console, entry: EducationEntry, entries: dict[str, EducationEntry]) -> None:
    out.print()
    if entry.mentions_warning_signs and entry.id != EMERGENCY_ENTRY_ID:
        out.print(Text(f"Warning signs: esiguard learn {EMERGENCY_ENTRY_ID}", style="bold red"))
    if entry.links:
        lines = [Text(f"  {target}  ({entries[target].title})") for target in entry.links]
        out.print(Group(Text("See also:"), *lines))


def _print_sources(out: Console, kb: KnowledgeBase, entry: EducationEntry) -> None:
    out.print()
    out.print(Text("Sources", style="bold"))
    for ref in entry.sources:
        line = Text(f"- {kb.citation_text(ref.ref)}")
        if ref.locator:
            line.append(f" - {ref.locator}", style="dim")
        out.print(line)
    checked = (
        f"Checked against the sources on {entry.checked_on.isoformat()}"
        f" ({entry.verification}); reviewed on {entry.reviewed_on.isoformat()}."
    )
    out.print(Text(checked, style="dim"))
    if entry.verification_note:
        out.print(Text(f"Note: {entry.verification_note}", style="dim"))
