"""The patient and nurse flow: the injection, then one question per screen, then the result.

No server state: the partial case and the keys of the questions already answered travel in
hidden form fields. After each answer the case is triaged; an emergency stops the questions
at once, because asking more would only delay the person.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import JSONResponse, Response

from esiguard.case import Case, parse_case
from esiguard.errors import CaseValidationError
from esiguard.web import services
from esiguard.web.case_form import (
    FormError,
    FormProblem,
    QuestionSpec,
    apply_answer,
    case_from_start_form,
    case_to_json,
    load_asked,
    load_case_field,
)
from esiguard.web.choices import (
    ANESTHETICS,
    APPROACHES,
    EVENTS,
    GUIDANCE,
    REGIONS,
    SIDES,
    STEROIDS,
    TIME_UNITS,
)
from esiguard.web.contexts import QuestionPage, StartPage
from esiguard.web.rendering import render_page
from esiguard.web.views import as_json, question_view, result_page

__all__ = ["build_check_router"]

START_TITLE = "Check how you are after a spinal steroid injection"


def start_page(
    form: dict[str, str] | None = None,
    events: list[str] | None = None,
    errors: list[FormError] | None = None,
    upload_errors: list[FormError] | None = None,
) -> StartPage:
    return StartPage(
        title=START_TITLE,
        section="check",
        errors=errors or [],
        values=form or {},
        events=events or [],
        approaches=APPROACHES,
        regions=REGIONS,
        sides=SIDES,
        anesthetics=ANESTHETICS,
        steroids=STEROIDS,
        guidance=GUIDANCE,
        event_choices=EVENTS,
        time_units=TIME_UNITS,
        upload_errors=upload_errors or [],
    )


def _text_fields(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _pending(case: Case, asked: list[str]) -> list[QuestionSpec]:
    questions = [QuestionSpec.from_engine(q) for q in services.next_questions(case)]
    return [q for q in questions if q.key not in asked]


def _question_response(
    request: Request,
    case: Case,
    asked: list[str],
    question: QuestionSpec,
    remaining: int,
    errors: list[FormError] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    page = QuestionPage(
        title=question.text,
        section="check",
        question=question_view(question),
        case_json=json.dumps(case_to_json(case)),
        asked_json=json.dumps(asked),
        answered=len(asked),
        remaining=remaining,
        errors=errors or [],
        values=values or {},
    )
    return render_page(request, "question.html", page, status_code=422 if errors else 200)


def _result_response(
    request: Request, case: Case, asked: list[str], result: Any = None
) -> Response:
    result = result if result is not None else services.triage(case)
    can_continue = bool(_pending(case, asked)) or bool(as_json(result).get("unanswered"))
    page = result_page(result, case, asked, can_continue=can_continue)
    return render_page(request, "result.html", page)


def next_step(
    request: Request, case: Case, asked: list[str], *, stop_on_emergency: bool
) -> Response:
    """The next question, or the result when none is left or the case is an emergency."""
    if stop_on_emergency:
        result = services.triage(case)
        if as_json(result)["disposition"] == "emergency":
            return _result_response(request, case, asked, result)
    pending = _pending(case, asked)
    if not pending:
        return _result_response(request, case, asked)
    return _question_response(request, case, asked, pending[0], len(pending))


def build_check_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def start(request: Request) -> Response:
        return render_page(request, "start.html", start_page())

    @router.post("/check/start")
    async def submit_start(request: Request) -> Response:
        form = await request.form()
        values, events = _text_fields(form), [str(e) for e in form.getlist("events")]
        try:
            case = case_from_start_form(values, events)
        except FormProblem as problem:
            page = start_page(values, events, errors=problem.errors)
            return render_page(request, "start.html", page, status_code=422)
        return next_step(request, case, [], stop_on_emergency=True)

    @router.post("/check/upload")
    async def upload(request: Request) -> Response:
        async with request.form() as form:
            upload = form.get("case_file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                return _upload_problem(request, "Choose a case file to upload.")
            raw = await upload.read()
        try:
            case = parse_case(raw)
        except CaseValidationError as exc:
            return _upload_problem(request, f"The file is not a valid case: {exc.one_line()}.")
        if case.procedure.status != "done":
            return _upload_problem(
                request,
                "This case is for a planned injection. Use the 'Before an injection' page.",
            )
        return next_step(request, case, [], stop_on_emergency=True)

    @router.post("/check/answer")
    async def answer(request: Request) -> Response:
        form = await request.form()
        values = _text_fields(form)
        case = load_case_field(values.get("case", ""))
        asked = load_asked(values.get("asked", "[]"))
        action = values.get("action", "answer")
        if action == "finish":
            return _result_response(request, case, asked)
        pending = _pending(case, asked)
        question = next((q for q in pending if q.key == values.get("question")), None)
        if question is None:  # the questions changed since the page was shown: ask afresh
            return next_step(request, case, asked, stop_on_emergency=True)
        if action != "skip":
            try:
                case = apply_answer(case, question, values)
            except FormProblem as problem:
                return _question_response(
                    request, case, asked, question, len(pending), problem.errors, values
                )
        return next_step(request, case, [*asked, question.key], stop_on_emergency=True)

    @router.post("/check/continue")
    async def continue_questions(request: Request) -> Response:
        form = _text_fields(await request.form())
        case = load_case_field(form.get("case", ""))
        asked = load_asked(form.get("asked", "[]"))
        return next_step(request, case, asked, stop_on_emergency=False)

    @router.post("/check/case.json")
    async def download_case(request: Request) -> Response:
        form = _text_fields(await request.form())
        case = load_case_field(form.get("case", ""))
        return _attachment(case_to_json(case), "esiguard-case.json")

    @router.post("/check/result.json")
    async def download_result(request: Request) -> Response:
        form = _text_fields(await request.form())
        case = load_case_field(form.get("case", ""))
        return _attachment(as_json(services.triage(case)), "esiguard-result.json")

    return router


def _upload_problem(request: Request, message: str) -> Response:
    page = start_page(upload_errors=[FormError(field="case_file", message=message)])
    return render_page(request, "start.html", page, status_code=422)


def _attachment(data: dict[str, Any], filename: str) -> Response:
    return JSONResponse(data, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
