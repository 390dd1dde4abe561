"""Server-rendered pages: labelled, local, typed, and clear about what went wrong."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel
from tests.web.helpers import Client, assert_accessible_basics, soup_of

from esiguard.web import WebSettings, contexts, create_app
from esiguard.web.rendering import TEMPLATE_DIR

PAGES = ["/", "/screening", "/education", "/docs"]


@pytest.mark.parametrize("path", PAGES)
def test_page_is_labelled_local_and_single_h1(client, path):
    """Each page has a label on every input, one <main> and <h1>, and no external assets."""
    response = client.get(path)
    assert response.status_code == 200
    assert_accessible_basics(response.text)


@pytest.mark.parametrize("path", PAGES)
def test_page_shows_the_configured_emergency_number(path):
    """Every page carries a tel: link to the emergency number the settings give (999 here)."""
    client = Client(create_app(WebSettings(emergency_number="999")))
    soup = soup_of(client.get(path).text)
    assert soup.find("a", href="tel:999") is not None
    assert soup.find("a", href="tel:911") is None


def test_static_assets_are_served_locally(client):
    """The stylesheet (with a print section) and the script are served by the app."""
    css = client.get("/static/esiguard.css")
    assert css.status_code == 200
    assert "@media print" in css.text
    assert "@import" not in css.text
    assert "url(http" not in css.text
    assert client.get("/static/esiguard.js").status_code == 200


def test_start_page_asks_for_the_injection(client):
    """The start page asks when, where and how, and offers a case-file upload."""
    soup = soup_of(client.get("/").text)
    names = {i.get("name") for i in soup.find_all(["input", "select", "textarea"])}
    assert {"hours_ago", "hours_unit", "region", "approach", "side", "anesthetic", "steroid",
            "case_file"} <= names  # fmt: skip
    upload = soup.find("form", action="/check/upload")
    assert upload["enctype"] == "multipart/form-data"


def test_invalid_start_shows_a_summary_linked_to_the_field(client):
    """A start form without a time comes back (422) with the problem named and linked."""
    response = client.post("/check/start", data={"hours_ago": "", "region": "lumbar"})
    assert response.status_code == 422
    soup = assert_accessible_basics(response.text)
    summary = soup.find(class_="error-summary")
    assert summary is not None
    link = summary.find("a")
    assert link["href"] == "#hours_ago"
    assert link.get_text(strip=True) == "Enter how long ago the injection was."
    field = soup.find(id="hours_ago")
    assert field["aria-invalid"] == "true"
    assert field["aria-describedby"] == "hours_ago-error"
    # What was typed is kept.
    assert soup.find("input", attrs={"name": "region", "value": "lumbar"}).has_attr("checked")


def test_upload_without_a_file_asks_for_one(client):
    """Submitting the upload form with no file explains what to do."""
    response = client.post("/check/upload", files={"case_file": ("", b"", "application/json")})
    assert response.status_code == 422
    assert "Choose a case file to upload." in response.text


def test_upload_of_an_invalid_case_names_the_field(client):
    """An uploaded file that is not a valid case is refused with the field at fault."""
    bad = json.dumps({"format": "esi-case/1", "procedure": {"status": "done"}, "x": 1})
    response = client.post(
        "/check/upload", files={"case_file": ("c.json", bad, "application/json")}
    )
    assert response.status_code == 422
    assert "x: expected no such field" in response.text


def test_upload_of_a_planned_case_points_to_screening(client):
    """A planned case uploaded to the symptom check is sent to the screening page instead."""
    planned = json.dumps({"format": "esi-case/1", "procedure": {"status": "planned"}})
    response = client.post("/check/upload", files={"case_file": ("p.json", planned, "text/plain")})
    assert response.status_code == 422
    assert "Before an injection" in response.text


def test_tampered_hidden_case_gives_an_error_page(client):
    """A forged hidden `case` field is refused with a readable page naming the field."""
    response = client.post("/check/answer", data={"case": '{"format": "esi-case/1"}',
                                                  "asked": "[]", "question": "x"})  # fmt: skip
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "procedure" in soup_of(response.text).find("main").get_text()


def test_download_case_is_an_attachment_that_keeps_not_sure(client):
    """The case download is the esi-case/1 JSON, as a file, with 'not sure' kept as null."""
    case = {"format": "esi-case/1", "procedure": {"status": "done"},
            "findings": [{"code": "fever", "present": None}]}  # fmt: skip
    response = client.post("/check/case.json", data={"case": json.dumps(case)})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="esiguard-case.json"'
    assert response.json()["findings"] == [{"code": "fever", "present": None}]


def test_invalid_screening_form_names_each_field(client):
    """The screening form refuses a non-numeric INR and keeps what was typed."""
    response = client.post("/screening", data={"inr": "high", "med-1-name": "apixaban"})
    assert response.status_code == 422
    soup = assert_accessible_basics(response.text)
    assert soup.find(class_="error-summary").find("a")["href"] == "#inr"
    assert soup.find(id="med-1-name")["value"] == "apixaban"


def test_api_docs_page_lists_every_route_without_cdn(client):
    """/docs is a local page listing every API route from the OpenAPI document."""
    schema = client.get("/openapi.json").json()
    text = client.get("/docs").text
    for path in schema["paths"]:
        assert path in text
    assert "cdn" not in text.lower()


def test_every_context_field_is_documented():
    """Each typed page context documents every field (its help text)."""
    models = [m for m in vars(contexts).values()
              if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == contexts.__name__]  # fmt: skip
    assert len(models) > 10
    for model in models:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


def test_templates_use_only_declared_context():
    """Templates run with StrictUndefined, so an undeclared name fails instead of printing ''."""
    from jinja2 import StrictUndefined

    from esiguard.web.rendering import make_templates

    assert make_templates().env.undefined is StrictUndefined
    assert (TEMPLATE_DIR / "result.html").exists()


def test_answer_text_becomes_paragraphs_and_lists():
    """Education answers: blank lines split paragraphs, '- ' lines become list items."""
    from esiguard.web.contexts import TextBlock
    from esiguard.web.views import text_blocks

    text = "Call now if:\n- legs weaker\n- cannot pee\n\nWhy it matters.\n\n- only a list"
    assert text_blocks(text) == [
        TextBlock(lead="Call now if:", items=["legs weaker", "cannot pee"]),
        TextBlock(lead="Why it matters.", items=[]),
        TextBlock(lead="", items=["only a list"]),
    ]


def test_education_entry_renders_lists(client):
    """The emergency entry shows its warning signs as a list, warning first in <main>."""
    soup = soup_of(client.get("/education/when_to_call_emergency").text)
    assert len(soup.select("article ul li")) > 5
    first = soup.find("main").find(True)
    assert "notice-warning" in first["class"]


@pytest.mark.parametrize("path", ["/", "/api/v1/ping", "/no-such-page", "/static/esiguard.css"])
def test_responses_allow_only_local_resources(client, path):
    """Every response carries a CSP that allows this app's own resources and nothing else."""
    headers = client.get(path).headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
