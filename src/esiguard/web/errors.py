"""One error shape for every failed request, and the one table that maps errors to it.

API clients (paths under /api/) always get JSON of this shape, whatever went wrong:

    {"error": "<one line saying what is wrong>",
     "errors": [{"field": "<dotted path into the request body, or '' for the whole body>",
                 "message": "<what was expected and what was given>"}]}

Browsers (every other path) get an HTML page with the same information. No client ever sees
a stack trace: unexpected exceptions are logged on the server and answered with a plain 500.
The HTTP status of an esiguard error comes from the error class itself (esiguard.errors).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from esiguard.errors import AdapterError, CaseValidationError, EsiguardError, FieldIssue

__all__ = [
    "ErrorBody",
    "ErrorItem",
    "FeatureUnavailableError",
    "RequestSizeLimit",
    "error_body",
    "install_error_handlers",
    "is_api_path",
]

log = logging.getLogger("esiguard.web")

API_PREFIX = "/api/"

# Plain words for the HTTP errors the framework raises itself (unknown route, wrong method ...).
_STATUS_TEXT = {
    400: "The request is not valid.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request is too large.",
    415: "The request body must be JSON (Content-Type: application/json).",
    422: "The request is not valid.",
    500: "Something went wrong on our side; the problem has been logged.",
    503: "This part of esiguard is not available yet.",
}


class ErrorItem(BaseModel):
    """One problem with one field of the request."""

    field: str = Field(description="Dotted path into the request body; '' means the whole body.")
    message: str = Field(description="What was expected there and what was given.")


class ErrorBody(BaseModel):
    """The body of every 4xx (and 5xx) response from /api/v1."""

    error: str = Field(description="One line saying what is wrong.")
    errors: list[ErrorItem] = Field(description="Every field at fault; may be empty.")


class FeatureUnavailableError(Exception):
    """A part of esiguard (engine, screening, education, intake) is not installed yet."""

    def __init__(self, feature: str) -> None:
        self.feature = feature
        super().__init__(f"{feature} is not available in this installation")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) or path == "/api"


def issue_item(issue: FieldIssue) -> ErrorItem:
    return ErrorItem(field=issue.field, message=f"expected {issue.expected}, got {issue.got}")


def error_body(error: str, items: list[ErrorItem] | None = None) -> dict[str, Any]:
    return ErrorBody(error=error, errors=items or []).model_dump()


def _describe_exception(exc: BaseException) -> tuple[int, str, list[ErrorItem]]:
    """The mapping table: exception -> (status, error line, field items)."""
    if isinstance(exc, CaseValidationError):
        return exc.http_status, exc.one_line(), [issue_item(i) for i in exc.issues]
    if isinstance(exc, AdapterError):
        return exc.http_status, str(exc), [ErrorItem(field=exc.field, message=exc.problem)]
    if isinstance(exc, RequestValidationError):
        items = [_framework_item(err) for err in exc.errors()]
        first = f"{items[0].field}: {items[0].message}" if items else _STATUS_TEXT[422]
        return 422, first, items
    if isinstance(exc, StarletteHTTPException):
        text = exc.detail if isinstance(exc.detail, str) and exc.detail else None
        generic = _STATUS_TEXT.get(exc.status_code, "The request failed.")
        # Starlette's own details ("Not Found") are less helpful than ours.
        if text in (None, "Not Found", "Method Not Allowed"):
            text = generic
        return exc.status_code, text, []
    if isinstance(exc, FeatureUnavailableError):
        return 503, f"{exc.feature} is not available in this installation yet.", []
    if isinstance(exc, EsiguardError) and exc.http_status < 500:
        return exc.http_status, str(exc), []
    return 500, _STATUS_TEXT[500], []


def _framework_item(err: dict[str, Any]) -> ErrorItem:
    """FastAPI's own parameter validation (query strings, path parameters)."""
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
    field = ".".join(loc[1:]) if loc and loc[0] in ("query", "path", "header") else ".".join(loc)
    return ErrorItem(field=field, message=str(err.get("msg", "is not valid")))


HtmlErrorRenderer = Callable[[Request, int, str, list[ErrorItem]], Response]


def install_error_handlers(app: FastAPI, render_html: HtmlErrorRenderer) -> None:
    """Route every error through `_describe_exception`; JSON for /api, HTML elsewhere."""

    async def handle(request: Request, exc: Exception) -> Response:
        status, error, items = _describe_exception(exc)
        if status >= 500 and not isinstance(exc, FeatureUnavailableError):
            log.exception("unhandled error on %s %s", request.method, request.url.path)
        headers = getattr(exc, "headers", None) if isinstance(exc, StarletteHTTPException) else None
        if is_api_path(request.url.path):
            return JSONResponse(error_body(error, items), status_code=status, headers=headers)
        response = render_html(request, status, error, items)
        if headers:
            response.headers.update(headers)
        return response

    for exc_class in (
        CaseValidationError,
        AdapterError,
        EsiguardError,
        RequestValidationError,
        StarletteHTTPException,
        FeatureUnavailableError,
        Exception,
    ):
        app.add_exception_handler(exc_class, handle)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestSizeLimit:
    """Refuse request bodies over `max_bytes` with 413, before and while they are read.

    A declared Content-Length over the limit is refused at once; a body that grows past the
    limit while streaming raises HTTPException(413) inside the route, which the handlers above
    turn into the canonical shape.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise StarletteHTTPException(413, self._text())
            return message

        await self.app(scope, limited_receive, send)

    def _text(self) -> str:
        return f"The request is too large: at most {self.max_bytes} bytes are accepted."

    async def _refuse(self, scope: Scope, send: Send) -> None:
        path = scope.get("path", "")
        if is_api_path(path):
            body = json.dumps(error_body(self._text())).encode()
            content_type = b"application/json"
        else:
            body = (
                "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                "<title>Request too large - esiguard</title></head><body><main>"
                f"<h1>Request too large</h1><p>{self._text()}</p>"
                "<p><a href='/'>Start again</a></p></main></body></html>"
            ).encode()
            content_type = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
