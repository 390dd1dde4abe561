"""`esiguard followup ...`: the follow-up store administration (migrate, create-clinic,
create-user, sweep), the same as `python -m esiguard.followup`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command(
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        help="Follow-up administration: migrate | create-clinic NAME | create-user CLINIC EMAIL | sweep.",
    )
    def followup(ctx: typer.Context) -> None:
        from esiguard.followup.__main__ import main

        raise typer.Exit(main(list(ctx.args)))
