"""The rule catalogue (docs/knowledge-base.md), generated from the knowledge base.

Every triage rule with its disposition, the causes it suggests, its sources with locators
and checked-on date, and its verification status; then the sources. A test fails when the
committed file is out of date: regenerate with `esiguard kb catalogue --write`.
"""

from __future__ import annotations

from esiguard.kb import KnowledgeBase

CATALOGUE_PATH = "docs/knowledge-base.md"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_catalogue(kb: KnowledgeBase) -> str:
    lines = [
        "# Knowledge base catalogue",
        "",
        f"Generated from `src/esiguard/kb/data` (knowledge base {kb.version}, released "
        f"{kb.meta.released_on.isoformat()}) by `esiguard kb catalogue --write`; do not edit by hand.",
        "",
        "Rules are listed most urgent first, as the engine checks them. *Verification*: sourced "
        "(found in the cited source), secondary, unverified (not yet confirmed; see the note), "
        "interpretation (our reasoning from the cited facts; see the note).",
        "",
    ]
    order = {"emergency": 0, "urgent": 1, "routine": 2, "self_care": 3, None: 4}
    by_file: dict[str, list] = {}
    for rule in sorted(kb.rules, key=lambda r: (order[r.disposition], r.id)):
        by_file.setdefault(rule.disposition or "causes only", []).append(rule)
    for disposition, rules in by_file.items():
        lines += [f"## {disposition} ({len(rules)} rules)", ""]
        lines += [
            "| rule | red flag | causes | sources (checked) | verification |",
            "|---|---|---|---|---|",
        ]
        for rule in rules:
            causes = ", ".join(f"{c.code} ({c.weight:g})" for c in rule.causes)
            sources = "; ".join(
                f"{s.ref}: {s.locator}" if s.locator else s.ref for s in rule.sources
            )
            verification = rule.verification + (
                f": {rule.verification_note}" if rule.verification_note else ""
            )
            lines.append(
                f"| `{rule.id}` - {_cell(rule.title)} | {'yes' if rule.red_flag else ''} | {causes} | "
                f"{_cell(sources)} ({rule.checked_on.isoformat()}) | {_cell(verification)} |"
            )
        lines.append("")
    lines += [
        "## Local anaesthetics",
        "",
        "| agent | expected (h) | upper bound (h) | sources |",
        "|---|---|---|---|",
    ]
    for la in kb.local_anesthetics.values():
        refs = "; ".join(s.ref for s in la.sources)
        lines.append(
            f"| {la.name} | {la.block_expected_hours:g} | {la.block_max_hours:g} | {refs} |"
        )
    lines += ["", "## Sources", "", "| id | kind | citation | checked |", "|---|---|---|---|"]
    for src in sorted(kb.sources.values(), key=lambda s: s.id):
        lines.append(
            f"| {src.id} | {src.kind} | {_cell(src.citation)} | {src.checked_on.isoformat()} |"
        )
    return "\n".join(lines) + "\n"
