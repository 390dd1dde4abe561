"""Helpers shared by the web tests: an httpx client over ASGI, the error-shape assertion,
and HTML checks (BeautifulSoup) used by both the page tests and the browser tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from bs4 import BeautifulSoup, Tag
from fastapi import FastAPI


class Client:
    """httpx over ASGITransport, called synchronously so tests read top to bottom."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.request(method, url, **kwargs)

        return asyncio.run(send())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


def assert_canonical_error(
    response: httpx.Response, status: int, field: str | None = None
) -> dict[str, Any]:
    """The response has `status` and exactly the documented error shape, with no stack trace.

    `{"error": str, "errors": [{"field": str, "message": str}, ...]}`; when `field` is given,
    one of the errors names it.
    """
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "errors"}, body
    assert isinstance(body["error"], str)
    assert body["error"].strip()
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"field", "message"}, item
        assert isinstance(item["field"], str)
        assert isinstance(item["message"], str)
        assert item["message"].strip()
    if field is not None:
        assert field in [item["field"] for item in body["errors"]], body
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return body


_UNLABELLED_OK = {"hidden", "submit", "button", "reset", "image"}


def soup_of(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def unlabelled_controls(soup: BeautifulSoup) -> list[str]:
    """Every input, select and textarea that has no label a screen reader would announce."""
    missing = []
    for control in soup.find_all(["input", "select", "textarea"]):
        if control.name == "input" and control.get("type", "text") in _UNLABELLED_OK:
            continue
        if control.get("aria-label") or control.get("aria-labelledby"):
            continue
        if control.find_parent("label") is not None:
            continue
        control_id = control.get("id")
        label = soup.find("label", attrs={"for": control_id}) if control_id else None
        if label is None or not label.get_text(strip=True):
            missing.append(str(control)[:120])
    return missing


def external_resources(soup: BeautifulSoup) -> list[str]:
    """Stylesheets, scripts, images and fonts not served by the app itself."""
    found = []
    for tag, attr in (("link", "href"), ("script", "src"), ("img", "src"), ("iframe", "src")):
        for element in soup.find_all(tag):
            url = element.get(attr)
            if url and not url.startswith("/"):
                found.append(url)
    return found


def first_content_element(soup: BeautifulSoup) -> Tag:
    """The first element inside <main> (the emergency block must be this one)."""
    main = soup.find("main")
    assert main is not None, "page has no <main>"
    first = next((c for c in main.children if isinstance(c, Tag)), None)
    assert first is not None, "<main> is empty"
    return first


def duplicate_ids(soup: BeautifulSoup) -> list[str]:
    seen: dict[str, int] = {}
    for element in soup.find_all(id=True):
        seen[element["id"]] = seen.get(element["id"], 0) + 1
    return [i for i, n in seen.items() if n > 1]


def assert_accessible_basics(html: str) -> BeautifulSoup:
    """Labels on every control, one <main>, one <h1>, a language, no duplicate ids, no CDN."""
    soup = soup_of(html)
    assert soup.html is not None
    assert soup.html.get("lang") == "en"
    assert len(soup.find_all("main")) == 1
    assert len(soup.find_all("h1")) == 1, [h.get_text(strip=True) for h in soup.find_all("h1")]
    assert unlabelled_controls(soup) == []
    assert duplicate_ids(soup) == []
    assert external_resources(soup) == []
    assert soup.find("meta", attrs={"name": "viewport"}) is not None
    return soup


def form_fields(soup: BeautifulSoup, action: str = "/check/answer") -> dict[str, str]:
    """The hidden fields of the form posting to `action` (the state the flow carries)."""
    form = soup.find("form", action=action)
    assert form is not None, f"no form posting to {action}"
    return {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}


def question_key(soup: BeautifulSoup) -> str | None:
    """The key of the question on a question page, None on any other page."""
    form = soup.find("form", action="/check/answer")
    if form is None:
        return None
    return form.find("input", attrs={"name": "question"})["value"]


START = {
    "hours_ago": "20",
    "hours_unit": "hours",
    "region": "lumbar",
    "approach": "interlaminar",
    "side": "midline",
    "anesthetic": "lidocaine",
    "steroid": "triamcinolone",
}

# Answers for a person who only has a mildly sore injection site that is getting better.
SELF_CARE_ANSWERS = {
    "injection_site_pain": {"answer": "yes"},
    "injection_site_pain.severity": {"answer": "mild"},
    "injection_site_pain.trend": {"answer": "improving"},
}


def answer_for(key: str, answers: dict[str, dict[str, str]]) -> dict[str, str]:
    """The answer given to question `key`: from `answers`, else "no" / skip."""
    if key in answers:
        return {"action": "answer", **answers[key]}
    if "." in key:  # details of a finding: not known
        return {"action": "skip"}
    return {"action": "answer", "answer": "no"}
