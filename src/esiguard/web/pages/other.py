"""Screening (clinicians), education (everyone) and the plain API documentation page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from esiguard.web import services
from esiguard.web.case_form import FormError, FormProblem, case_to_json, load_case_field
from esiguard.web.choices import (
    ANESTHETICS,
    APPROACHES,
    CONDITIONS,
    GUIDANCE,
    REGIONS,
    SIDES,
    STEROIDS,
    Choice,
)
from esiguard.web.contexts import (
    ApiDocsPage,
    ApiRoute,
    EducationLink,
    EducationListPage,
    ScreeningFormPage,
)
from esiguard.web.rendering import render_page
from esiguard.web.screening_form import MEDICATION_ROWS, case_from_screening_form
from esiguard.web.views import education_entry_page, screening_result_page

__all__ = ["build_other_router"]

_NOT_GIVEN = Choice(value="", label="Not given")


def screening_form_page(
    values: dict[str, str] | None = None,
    conditions: list[str] | None = None,
    errors: list[FormError] | None = None,
) -> ScreeningFormPage:
    return ScreeningFormPage(
        title="Screen a planned injection",
        section="screening",
        errors=errors or [],
        values=values or {},
        conditions=conditions or [],
        approaches=[_NOT_GIVEN, *APPROACHES[:-1]],
        regions=[_NOT_GIVEN, *REGIONS[:-1]],
        sides=SIDES,
        anesthetics=ANESTHETICS,
        steroids=STEROIDS,
        guidance=[c for c in GUIDANCE if c.value != "unknown"],
        condition_choices=CONDITIONS,
        medication_rows=MEDICATION_ROWS,
    )


def build_other_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/screening")
    def screening_form(request: Request) -> Response:
        return render_page(request, "screening_form.html", screening_form_page())

    @router.post("/screening")
    async def screening_submit(request: Request) -> Response:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        conditions = [str(c) for c in form.getlist("conditions")]
        try:
            case = case_from_screening_form(values, conditions)
        except FormProblem as problem:
            page = screening_form_page(values, conditions, problem.errors)
            return render_page(request, "screening_form.html", page, status_code=422)
        page = screening_result_page(services.screen(case), case)
        return render_page(request, "screening_result.html", page)

    @router.post("/screening/case.json")
    async def screening_download(request: Request) -> Response:
        form = await request.form()
        case = load_case_field(str(form.get("case", "")))
        return JSONResponse(
            case_to_json(case),
            headers={"Content-Disposition": 'attachment; filename="esiguard-screening-case.json"'},
        )

    @router.get("/education")
    def education_list(request: Request, q: str = Query("", max_length=200)) -> Response:
        entries: list[Any] = []
        if services.available("education"):
            entries = services.education_search(q) if q.strip() else services.education_entries()
        links = [EducationLink(id=str(e.id), title=str(e.title)) for e in entries]
        page = EducationListPage(
            title="Questions and answers about spinal steroid injections",
            section="education",
            query=q,
            entries=links,
            summaries={e.id: str(getattr(e, "short_answer", "")) for e in entries},
        )
        return render_page(request, "education_list.html", page)

    @router.get("/education/{entry_id}")
    def education_entry(request: Request, entry_id: str) -> Response:
        entry = services.education_entry(entry_id)
        if entry is None:
            raise StarletteHTTPException(404, "There is no answer with this address.")
        return render_page(request, "education_entry.html", education_entry_page(entry))

    @router.get("/docs")
    def api_docs(request: Request) -> Response:
        schema = request.app.openapi()
        routes = [
            ApiRoute(method=method.upper(), path=path, summary=op.get("summary", ""))
            for path, ops in schema.get("paths", {}).items()
            for method, op in ops.items()
        ]
        page = ApiDocsPage(title="esiguard REST API", section="", routes=routes)
        return render_page(request, "api_docs.html", page)

    return router
