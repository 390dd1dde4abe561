"""The OpenAPI document, with the esi-case/1 request schema and the result schemas added.

The API reads bodies itself (see api.py), so FastAPI cannot infer their schemas; this module
adds them under components/schemas from the Pydantic models, when those packages exist.
"""

from __future__ import annotations

import importlib
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from esiguard.case import Case

__all__ = ["install_openapi"]

# path -> (module, model name) of the 200 response, when the module can be imported.
_RESPONSES = {
    "/api/v1/triage": ("esiguard.engine", "TriageResult"),
    "/api/v1/screen": ("esiguard.screening", "ScreeningResult"),
}


def _model(module: str, name: str) -> type[BaseModel] | None:
    for candidate in (module, "esiguard.result", "esiguard"):
        try:
            found = getattr(importlib.import_module(candidate), name, None)
        except ImportError:
            continue
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return None


def _add_schema(schemas: dict[str, Any], model: type[BaseModel], name: str) -> None:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for def_name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(def_name, definition)
    schemas[name] = schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        _add_schema(schemas, Case, "Case")
        for path, (module, name) in _RESPONSES.items():
            model = _model(module, name)
            operation = doc.get("paths", {}).get(path, {}).get("post")
            if model is None or operation is None:
                continue
            _add_schema(schemas, model, name)
            content = operation["responses"]["200"].setdefault("content", {})
            content["application/json"] = {"schema": {"$ref": f"#/components/schemas/{name}"}}
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
