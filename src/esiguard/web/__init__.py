"""The esiguard web app: server-rendered pages for people and a JSON API under /api/v1.

Build it with `create_app(settings)`; there is no module-level app. Run it with
`esiguard serve`, or `uvicorn --factory esiguard.web:create_app`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from esiguard.web.api import build_api_router
from esiguard.web.errors import RequestSizeLimit, install_error_handlers
from esiguard.web.followup import install_followup
from esiguard.web.openapi import install_openapi
from esiguard.web.pages import build_check_router, build_other_router
from esiguard.web.rendering import make_templates, render_error
from esiguard.web.security import SecurityHeaders
from esiguard.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """A new app with its own settings; nothing is shared between two apps."""
    settings = settings or WebSettings()
    app = FastAPI(
        title="esiguard",
        version=_version(),
        description=(
            "Decision support around epidural steroid injections. Requests and responses use "
            "the esi-case/1, esi-result/1 and esi-screen/1 formats. Every error has the shape "
            '{"error": "...", "errors": [{"field": "...", "message": "..."}]}.'
        ),
        # The default /docs and /redoc pages load Swagger UI and ReDoc from a CDN; we serve a
        # plain local page at /docs instead (see pages/other.py).
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.templates = make_templates()
    install_error_handlers(app, render_error)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    # Added last, so it is outermost: even a 413 refused by the size limit carries it.
    app.add_middleware(SecurityHeaders)
    app.include_router(build_api_router())
    app.include_router(build_check_router())
    app.include_router(build_other_router())
    install_followup(app)  # follow-up pages and /api/v1/followup (issue 7)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    install_openapi(app)
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("esiguard")
    except PackageNotFoundError:
        return "0+unknown"
