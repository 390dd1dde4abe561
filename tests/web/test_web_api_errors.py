"""Every API error path answers with the one documented error shape and the right status."""

from __future__ import annotations

import json

import pytest


def done_case(**extra):
    return {"format": "esi-case/1", "procedure": {"status": "done"}, **extra}


CASE_ROUTES = ["/api/v1/triage", "/api/v1/next-questions", "/api/v1/screen"]


@pytest.mark.parametrize("route", CASE_ROUTES)
def test_malformed_json_is_400_with_position(canonical_error, client, route):
    """A body that is not JSON is a 400 naming the line and column of the fault."""
    response = client.post(route, content=b'{"format": "esi-case/1",', headers=_json())
    body = canonical_error(response, 400, field="")
    assert "not valid JSON at line 1" in body["error"]


@pytest.mark.parametrize("route", CASE_ROUTES)
def test_empty_body_is_400(canonical_error, client, route):
    """An empty body is a 400 that says the body is empty."""
    body = canonical_error(client.post(route, content=b"", headers=_json()), 400)
    assert "empty" in body["error"]


def test_nan_is_refused_as_invalid_json(canonical_error, client):
    """NaN is not JSON: a body using it is a 400, not a silently accepted number."""
    raw = json.dumps(done_case(hours_since_injection=1)).replace("1}", "NaN}")
    assert "NaN" in raw
    canonical_error(client.post("/api/v1/triage", content=raw, headers=_json()), 400)


def test_body_that_is_not_an_object_is_422(canonical_error, client):
    """A JSON array is valid JSON but not a case: 422 for the whole document."""
    response = client.post("/api/v1/triage", json=[1, 2])
    canonical_error(response, 422, field="")


def test_wrong_type_names_the_field(canonical_error, client):
    """A string where hours are expected is a 422 naming hours_since_injection."""
    response = client.post("/api/v1/triage", json=done_case(hours_since_injection="12"))
    body = canonical_error(response, 422, field="hours_since_injection")
    assert "number of hours" in body["errors"][0]["message"]


def test_unknown_field_names_the_field(canonical_error, client):
    """An unknown top-level field is refused by name."""
    response = client.post("/api/v1/triage", json=done_case(colour="blue"))
    body = canonical_error(response, 422, field="colour")
    assert "unknown fields are not allowed" in body["errors"][0]["message"]


def test_unknown_finding_code_names_the_finding(canonical_error, client):
    """A finding code outside the vocabulary is a 422 naming findings[0].code."""
    case = done_case(findings=[{"code": "purple_toes"}])
    body = canonical_error(client.post("/api/v1/triage", json=case), 422,
                                  field="findings[0].code")  # fmt: skip
    assert '"purple_toes"' in body["errors"][0]["message"]


def test_missing_required_field_is_named(canonical_error, client):
    """A case without `procedure` is a 422 naming `procedure` as required."""
    response = client.post("/api/v1/triage", json={"format": "esi-case/1"})
    body = canonical_error(response, 422, field="procedure")
    assert "required" in body["errors"][0]["message"]


def test_every_problem_is_listed(canonical_error, client):
    """Several faults give one entry each, so a client can fix them all at once."""
    case = {"format": "esi-case/2", "procedure": {"status": "maybe"}, "extra": 1}
    body = canonical_error(client.post("/api/v1/screen", json=case), 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"format", "procedure.status", "extra"}


def test_declared_too_large_body_is_413(canonical_error, client, settings):
    """A Content-Length over the limit is refused with 413 before the body is read."""
    big = b'{"narrative": "' + b"x" * (settings.max_request_bytes + 1) + b'"}'
    body = canonical_error(client.post("/api/v1/triage", content=big, headers=_json()), 413)
    assert str(settings.max_request_bytes) in body["error"]


def test_streamed_too_large_body_is_413(canonical_error, client, settings):
    """A chunked body with no Content-Length is cut off with 413 once it passes the limit."""

    async def chunks():
        for _ in range(settings.max_request_bytes // 4096 + 2):
            yield b"x" * 4096

    response = client.post("/api/v1/triage", content=chunks(), headers=_json())
    assert "content-length" not in response.request.headers
    canonical_error(response, 413)


def test_non_json_content_type_is_415(canonical_error, client):
    """A form-encoded body is refused with 415 rather than parsed as something else."""
    response = client.post("/api/v1/triage", data={"format": "esi-case/1"})
    canonical_error(response, 415)


def test_unknown_api_route_is_404_json(canonical_error, client):
    """An unknown /api path answers 404 in the error shape, not an HTML page."""
    canonical_error(client.get("/api/v1/no-such-thing"), 404)
    canonical_error(client.post("/api/v2/triage", json={}), 404)


def test_wrong_method_is_405_json_with_allow(canonical_error, client):
    """GET on a POST-only route answers 405 in the error shape, with an Allow header."""
    response = client.get("/api/v1/triage")
    canonical_error(response, 405)
    assert response.headers["allow"] == "POST"


def test_bad_query_parameter_is_422_json(canonical_error, client):
    """A query parameter over its limit is a 422 naming the parameter."""
    canonical_error(client.get("/api/v1/education", params={"q": "x" * 201}), 422,
                           field="q")  # fmt: skip


def test_unknown_education_entry_is_404_json(canonical_error, client):
    """An education id that does not exist answers 404 in the error shape."""
    canonical_error(client.get("/api/v1/education/no_such_entry"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"words": "my legs are numb"}, "words"),
        ({"text": ""}, "text"),
        ({"text": 3}, "text"),
        (["my legs"], ""),
    ],
)
def test_intake_refuses_bad_bodies(canonical_error, client, body, field):
    """/intake takes exactly {"text": non-empty string}; anything else names the fault."""
    canonical_error(client.post("/api/v1/intake", json=body), 400, field=field)


def test_crash_gives_500_without_stack_trace(canonical_error, client, monkeypatch):
    """An unexpected exception is a 500 in the error shape, and its details stay on the server."""
    from esiguard.web import services

    def explode(case):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(services, "triage", explode)
    response = client.post("/api/v1/triage", json=done_case())
    body = canonical_error(response, 500)
    assert "secret internal detail" not in response.text
    assert body["errors"] == []


def test_html_paths_get_an_html_404(client):
    """Outside /api a browser gets a readable HTML page, still without a stack trace."""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is nothing at this address." in response.text


def test_html_too_large_is_413_page(client, settings):
    """A too-large form post to a page gets a 413 HTML page."""
    response = client.post("/check/start", data={"narrative": "x" * (settings.max_request_bytes)})
    assert response.status_code == 413
    assert "too large" in response.text


def _json() -> dict[str, str]:
    return {"content-type": "application/json"}
