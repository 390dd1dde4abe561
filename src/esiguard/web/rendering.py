"""Render one typed page context with its template; build the context every page shares."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import Response

from esiguard.web import services
from esiguard.web.case_form import FormError
from esiguard.web.contexts import ErrorPage, PageContext, SiteContext
from esiguard.web.errors import ErrorItem
from esiguard.web.settings import WebSettings

__all__ = [
    "TEMPLATE_DIR",
    "cached_site_context",
    "make_templates",
    "render_error",
    "render_page",
    "site_context",
]

TEMPLATE_DIR = Path(__file__).parent / "templates"


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        # A template that uses a name its context does not declare is a bug: fail loudly.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def _kb_version() -> str | None:
    try:
        return str(services.knowledge_base().version)
    except Exception:
        return None


# Which parts are installed changes only when the code changes; checking costs an import
# attempt (and a knowledge-base load while the KB is broken), so it is re-checked at most
# this often per app.
_SITE_TTL_SECONDS = 30.0


def cached_site_context(request: Request) -> SiteContext:
    state = request.app.state
    now = time.monotonic()
    cached: tuple[float, SiteContext] | None = getattr(state, "site_context", None)
    if cached is None or now - cached[0] > _SITE_TTL_SECONDS:
        cached = (now, site_context(state.settings))
        state.site_context = cached
    return cached[1]


def site_context(settings: WebSettings) -> SiteContext:
    return SiteContext(
        emergency_number=settings.emergency_number,
        emergency_service_name=settings.emergency_service_name,
        kb_version=_kb_version(),
        has_triage=services.available("triage"),
        has_screening=services.available("screening"),
        has_education=services.available("education"),
        has_intake=services.available("intake"),
    )


def render_page(
    request: Request, template: str, page: PageContext, status_code: int = 200
) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        template,
        {"page": page, "site": cached_site_context(request)},
        status_code=status_code,
    )


def render_error(request: Request, status: int, error: str, items: list[ErrorItem]) -> Response:
    titles = {404: "Page not found", 405: "Not allowed", 413: "Too large", 503: "Not available"}
    title = titles.get(status, "Something is wrong" if status < 500 else "Something went wrong")
    page = ErrorPage(
        title=title,
        section="",
        status=status,
        error=error,
        errors=[FormError(field=i.field, message=i.message) for i in items],
    )
    return render_page(request, "error.html", page, status_code=status)
