"""The REST API under /api/v1: esi-case/1 in, esi-result/1 and esi-screen/1 out.

Bodies are read and validated by `parse_case` (not by FastAPI's own body parsing) so that
every invalid case is reported field by field in the canonical error shape, exactly as the
CLI reports it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.exceptions import HTTPException as StarletteHTTPException

from esiguard.case import Case, parse_case
from esiguard.errors import AdapterError
from esiguard.web import services
from esiguard.web.case_form import QuestionSpec
from esiguard.web.errors import ErrorBody
from esiguard.web.views import as_json

__all__ = ["CASE_BODY", "build_api_router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body is not JSON, or empty."},
    413: {"model": ErrorBody, "description": "The body is larger than the configured limit."},
    415: {"model": ErrorBody, "description": "The body is not sent as application/json."},
    422: {"model": ErrorBody, "description": "The case is not valid esi-case/1 (field by field)."},
}

# The request body every POST takes, for the OpenAPI document (the schema is added by
# `esiguard.web.openapi`).
CASE_BODY = {
    "requestBody": {
        "required": True,
        "description": "One case in the esi-case/1 format.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}},
    }
}
INTAKE_BODY = {
    "requestBody": {
        "required": True,
        "description": 'The patient\'s own words: {"text": "..."}.',
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["text"],
                    "additionalProperties": False,
                    "properties": {"text": {"type": "string", "maxLength": 20000}},
                }
            }
        },
    }
}


def _is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("", "application/json") or media.endswith("+json")


async def read_json_body(request: Request) -> Any:
    """The request body as JSON; AdapterError (400) or 415 with a plain reason otherwise."""
    if not _is_json_type(request.headers.get("content-type", "")):
        raise StarletteHTTPException(415)
    raw = await request.body()
    if not raw.strip():
        raise AdapterError("", "the request body is empty; send one JSON object")
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise AdapterError("", "the request body is not UTF-8 text") from exc
    except ValueError as exc:
        where = ""
        if isinstance(exc, json.JSONDecodeError):
            where = f" at line {exc.lineno} column {exc.colno}: {exc.msg}"
        raise AdapterError("", f"the request body is not valid JSON{where}") from exc


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed in JSON")


async def read_case(request: Request) -> Case:
    return parse_case(await read_json_body(request))


CaseBody = Annotated[Case, Depends(read_case)]


def build_api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["api"])

    @router.get("/ping", summary="No-op: answers at once (health check and benchmark baseline)")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    @router.post(
        "/triage",
        summary="Triage a case after an injection: esi-case/1 in, esi-result/1 out",
        responses=_ERRORS,
        openapi_extra=CASE_BODY,
    )
    async def triage(case: CaseBody) -> dict[str, Any]:
        return as_json(services.triage(case))

    @router.post(
        "/next-questions",
        summary="The questions to ask next for a case, most important first",
        responses=_ERRORS,
        openapi_extra=CASE_BODY,
    )
    async def next_questions(case: CaseBody) -> dict[str, Any]:
        questions = [QuestionSpec.from_engine(q) for q in services.next_questions(case)]
        return {
            "kb_version": str(services.knowledge_base().version),
            "questions": [q.model_dump() | {"key": q.key} for q in questions],
        }

    @router.post(
        "/screen",
        summary="Screen a planned injection: esi-case/1 in, esi-screen/1 out",
        responses=_ERRORS,
        openapi_extra=CASE_BODY,
    )
    async def screen(case: CaseBody) -> dict[str, Any]:
        return as_json(services.screen(case))

    @router.post(
        "/intake",
        summary="Turn the patient's own words into findings",
        responses=_ERRORS,
        openapi_extra=INTAKE_BODY,
    )
    async def intake(request: Request) -> dict[str, Any]:
        body = await read_json_body(request)
        if not isinstance(body, dict):
            raise AdapterError("", 'expected a JSON object {"text": "..."}')
        unknown = sorted(set(body) - {"text"})
        if unknown:
            raise AdapterError(unknown[0], "no such field (only 'text' is accepted)")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise AdapterError("text", "expected the patient's words as non-empty text")
        if len(text) > 20000:
            raise AdapterError("text", "expected at most 20000 characters")
        return as_json(services.intake(text))

    @router.get("/education", summary="Every education entry, or those matching ?q=words")
    def education_list(
        q: Annotated[str, Query(max_length=200, description="Search words")] = "",
    ) -> dict[str, Any]:
        entries = services.education_search(q) if q.strip() else services.education_entries()
        return {"query": q, "entries": [_entry_summary(e) for e in entries]}

    @router.get(
        "/education/{entry_id}",
        summary="One education entry with its sources",
        responses={404: {"model": ErrorBody, "description": "No entry has this id."}},
    )
    def education_entry(entry_id: str) -> dict[str, Any]:
        entry = services.education_entry(entry_id)
        if entry is None:
            raise StarletteHTTPException(404, f"There is no education entry {entry_id!r}.")
        return as_json(entry)

    @router.get("/kb", summary="Knowledge-base version and its sources")
    def kb() -> dict[str, Any]:
        knowledge = services.knowledge_base()
        return {
            "kb_version": str(knowledge.version),
            "released_on": knowledge.meta.released_on.isoformat(),
            "description": knowledge.meta.description,
            "sources": [
                s.model_dump(mode="json", exclude_none=True) for s in knowledge.sources.values()
            ],  # fmt: skip
        }

    return router


def _entry_summary(entry: Any) -> dict[str, Any]:
    data = as_json(entry)
    keep = ("id", "title", "question", "short_answer", "audience", "mentions_warning_signs")
    return {k: data[k] for k in keep if k in data}
