"""The REST API serves the spec's formats: esi-case/1 in, esi-result/1 and esi-screen/1 out."""

from __future__ import annotations

import pytest

from esiguard import triage
from esiguard.kb import load_kb

EMERGENCY_CASE = {
    "format": "esi-case/1",
    "procedure": {"status": "done", "approach": "interlaminar", "region": "lumbar"},
    "hours_since_injection": 30,
    "findings": [{"code": "saddle_numbness"}, {"code": "urinary_retention"}],
}
SELF_CARE_CASE = {
    "format": "esi-case/1",
    "procedure": {"status": "done", "approach": "interlaminar", "region": "lumbar"},
    "hours_since_injection": 20,
    "screen_complete": True,
    "findings": [{"code": "injection_site_pain", "severity": "mild", "trend": "improving"}],
}
PLANNED_CASE = {
    "format": "esi-case/1",
    "procedure": {"status": "planned", "approach": "interlaminar", "region": "lumbar",
                  "steroid": {"name": "dexamethasone", "dose_mg": 10}},
    "patient": {"age_years": 70, "medications": [
        {"name": "clopidogrel", "dose": "75 mg daily", "last_dose_hours_before": 24}]},
}  # fmt: skip


def test_ping_is_a_no_op(client):
    """GET /api/v1/ping answers {"ok": true}: the benchmark's baseline."""
    response = client.get("/api/v1/ping")
    assert (response.status_code, response.json()) == (200, {"ok": True})


def test_triage_returns_the_engine_result_unchanged(client):
    """POST /triage returns exactly what esiguard.triage gives, as esi-result/1 JSON."""
    response = client.post("/api/v1/triage", json=EMERGENCY_CASE)
    assert response.status_code == 200
    body = response.json()
    assert body == triage(EMERGENCY_CASE).model_dump(mode="json")
    assert body["format"] == "esi-result/1"
    assert body["disposition"] == "emergency"
    for key in ("causes", "red_flags", "unanswered", "advice", "citations", "kb_version"):
        assert key in body


def test_triage_self_care_case(client):
    """A complete screen with only mild, improving site soreness is self-care with nothing open."""
    body = client.post("/api/v1/triage", json=SELF_CARE_CASE).json()
    assert (body["disposition"], body["unanswered"]) == ("self_care", [])


def test_next_questions_lists_red_flags_first(client):
    """POST /next-questions gives the engine's questions in order, red flags first."""
    case = {**EMERGENCY_CASE, "findings": []}
    body = client.post("/api/v1/next-questions", json=case).json()
    questions = body["questions"]
    assert body["kb_version"] == load_kb().version
    assert questions
    assert questions[0]["red_flag"] is True
    assert {"code", "attribute", "text", "answer_type", "options", "unit", "key"} <= set(
        questions[0]
    )


def test_next_questions_is_empty_once_emergency(client):
    """Nothing more is asked once an emergency has fired."""
    body = client.post("/api/v1/next-questions", json=EMERGENCY_CASE).json()
    assert body["questions"] == []


def test_screen_returns_esi_screen(client):
    """POST /screen returns an esi-screen/1 decision with a plan for each medicine."""
    response = client.post("/api/v1/screen", json=PLANNED_CASE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["format"] == "esi-screen/1"
    assert body["decision"] in ("proceed", "proceed_with_precautions", "postpone", "do_not_proceed")
    assert [m["name"] for m in body["medication_plan"]] == ["clopidogrel"]
    assert isinstance(body["reasons"], list)
    assert isinstance(body["citations"], list)


def test_education_lists_every_entry(client):
    """GET /education lists every entry with id, title and short answer."""
    body = client.get("/api/v1/education").json()
    ids = [e["id"] for e in body["entries"]]
    assert "when_to_call_emergency" in ids
    assert len(ids) == len(set(ids)) > 5
    assert all(e["title"] and e["short_answer"] for e in body["entries"])


def test_education_search_finds_by_words(client):
    """GET /education?q= searches; blood thinners find the anticoagulant entry."""
    body = client.get("/api/v1/education", params={"q": "blood thinners"}).json()
    assert body["query"] == "blood thinners"
    assert body["entries"]
    assert len(body["entries"]) < len(client.get("/api/v1/education").json()["entries"])


def test_education_entry_carries_its_sources(client):
    """GET /education/{id} returns the whole entry, with sources and checked_on."""
    body = client.get("/api/v1/education/when_to_call_emergency").json()
    assert body["id"] == "when_to_call_emergency"
    assert body["sources"]
    assert all(s["ref"] for s in body["sources"])
    assert body["checked_on"]


def test_kb_gives_version_and_sources(client):
    """GET /kb gives the knowledge-base version and every source."""
    kb = load_kb()
    body = client.get("/api/v1/kb").json()
    assert body["kb_version"] == kb.version
    assert {s["id"] for s in body["sources"]} == set(kb.sources)


def test_intake_reads_findings_from_words(client):
    """POST /intake turns the patient's words into findings."""
    response = client.post(
        "/api/v1/intake", json={"text": "I can't pass urine and my legs are weak"}
    )
    assert response.status_code == 200, response.text
    codes = {f["code"] for f in response.json()["findings"]}
    assert "urinary_retention" in codes


def test_openapi_documents_every_route_and_the_case_schema(client):
    """/openapi.json lists every API route, the esi-case/1 body and the error shape."""
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path, method in [("/api/v1/triage", "post"), ("/api/v1/screen", "post"),
                         ("/api/v1/next-questions", "post"), ("/api/v1/education", "get"),
                         ("/api/v1/education/{entry_id}", "get"), ("/api/v1/kb", "get"),
                         ("/api/v1/intake", "post"), ("/api/v1/ping", "get")]:  # fmt: skip
        assert method in paths[path], path
    components = schema["components"]["schemas"]
    assert "Case" in components
    assert "ErrorBody" in components
    triage_op = paths["/api/v1/triage"]["post"]
    assert triage_op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Case"
    }
    assert triage_op["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    assert "TriageResult" in components


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_no_cdn_docs(client, path):
    """The default Swagger/ReDoc pages (which load from a CDN) are not served."""
    response = client.get(path)
    assert "cdn.jsdelivr" not in response.text
    assert "unpkg" not in response.text
