"""`esiguard serve`: run the web app and say which address to open."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the esiguard CLI."""

    @app.command("serve")
    def serve(
        host: Annotated[
            str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")
        ] = None,
        port: Annotated[
            int | None, typer.Option(min=1, max=65535, help="Port to listen on (default 8000).")
        ] = None,
        emergency_number: Annotated[
            str | None,
            typer.Option(help="Emergency number shown to patients (default 911; e.g. 999, 112)."),
        ] = None,
    ) -> None:
        """Start the web app (patient check, screening, education, REST API)."""
        import uvicorn

        from esiguard.pipeline import warm_up
        from esiguard.web import create_app
        from esiguard.web.settings import WebSettings

        overrides = {
            key: value
            for key, value in (
                ("host", host),
                ("port", port),
                ("emergency_number", emergency_number),
            )
            if value is not None
        }
        try:
            settings = WebSettings(**overrides)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            field = ".".join(str(p) for p in error["loc"])
            Console(stderr=True).print(f"Invalid setting {field}: {error['msg']}")
            raise typer.Exit(2) from None
        shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
        if ":" in shown_host:
            shown_host = f"[{shown_host}]"
        console = Console()
        console.print(
            f"[bold]esiguard[/bold] is starting. Open [bold]http://{shown_host}:{settings.port}/[/bold]"
            " in your browser (press Ctrl+C to stop)."
        )
        app = create_app(settings)
        warm_up()
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
