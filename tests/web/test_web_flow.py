"""The patient and nurse flow over plain HTTP (no JavaScript), checked with BeautifulSoup."""

from __future__ import annotations

import json

from tests.web.helpers import (
    SELF_CARE_ANSWERS,
    START,
    Client,
    answer_for,
    assert_accessible_basics,
    first_content_element,
    form_fields,
    question_key,
    soup_of,
)

from esiguard import next_questions, parse_case, triage
from esiguard.web import WebSettings, create_app

MAX_STEPS = 80


def walk(client, answers, start=START):
    """Start the check and answer every question until the result; return all pages seen."""
    pages = []
    response = client.post("/check/start", data=start)
    for _ in range(MAX_STEPS):
        assert response.status_code == 200, response.text[:2000]
        soup = assert_accessible_basics(response.text)
        pages.append(soup)
        key = question_key(soup)
        if key is None:
            return pages
        data = {**form_fields(soup), **answer_for(key, answers)}
        response = client.post("/check/answer", data=data)
    raise AssertionError("the flow did not end")


def test_first_question_is_the_engines_first_red_flag(client):
    """After the start page, the first screen asks the first question next_questions gives."""
    soup = soup_of(client.post("/check/start", data=START).text)
    case = parse_case(form_fields(soup)["case"])
    expected = next_questions(case)[0]
    assert question_key(soup) == expected.code
    assert soup.find("h1").get_text(strip=True) == expected.text
    labels = [label.get_text(strip=True) for label in soup.select("fieldset .choice label")]
    assert labels == ["Yes", "No", "Not sure"]


def test_yes_to_a_red_flag_gives_the_emergency_block_first(client):
    """A 'yes' to saddle numbness stops the questions: the emergency block is first in <main>."""
    pages = walk(client, {"saddle_numbness": {"answer": "yes"}})
    result = pages[-1]
    first = first_content_element(result)
    assert "disposition-emergency" in first["class"]
    assert first.find("h1").get_text(" ", strip=True) == (
        "Call 911 (emergency services) or go to the emergency department now"
    )
    assert first.find("a", href="tel:911") is not None
    # Stopped at once: the page after the saddle-numbness question is the result.
    keys = [question_key(p) for p in pages]
    assert keys.index("saddle_numbness") == len(pages) - 2


def test_emergency_uses_the_configured_number():
    """With emergency_number 999 the block says Call 999 and links tel:999."""
    client = Client(create_app(WebSettings(emergency_number="999")))
    result = walk(client, {"saddle_numbness": {"answer": "yes"}})[-1]
    first = first_content_element(result)
    assert first.find("h1").get_text(" ", strip=True).startswith("Call 999 (emergency services)")
    assert first.find("a", href="tel:999") is not None


def test_result_page_has_every_section_in_order(client):
    """Emergency result: what to do inside the first block, then causes, reading and sources."""
    result = walk(client, {"saddle_numbness": {"answer": "yes"}})[-1]
    block = first_content_element(result)
    assert block.select("ul.do-now li"), "the emergency block says what to do"
    headings = [h.get_text(strip=True) for h in result.find("main").find_all(["h1", "h2"])]
    order = ["Call 911", "Warning signs in your answers", "What might be causing it",
             "Warning-sign questions not answered yet", "Read more", "Sources"]  # fmt: skip
    positions = [next(i for i, h in enumerate(headings) if h.startswith(o)) for o in order]
    assert positions == sorted(positions), headings
    links = [a["href"] for a in result.select("main a[href^='/education/']")]
    assert "/education/when_to_call_emergency" in links


def test_full_flow_to_self_care(client):
    """'No' to every warning sign and a mild, improving sore site ends in self-care."""
    pages = walk(client, SELF_CARE_ANSWERS)
    result = pages[-1]
    first = first_content_element(result)
    assert "disposition-self_care" in first["class"]
    assert result.find(id="unanswered-title") is None
    assert len(pages) > 30  # every red flag was asked, one per screen
    case = parse_case(form_fields(result, "/check/case.json")["case"])
    assert triage(case).disposition == "self_care"


def test_questions_follow_next_questions_order(client):
    """Each screen asks the first not-yet-asked question of next_questions for the case so far."""
    pages = walk(client, SELF_CARE_ANSWERS)
    asked: list[str] = []
    for soup in pages[:-1]:
        fields = form_fields(soup)
        case = parse_case(fields["case"])
        pending = [q for q in next_questions(case)
                   if (f"{q.code}.{q.attribute}" if q.attribute else q.code) not in asked]  # fmt: skip
        first = pending[0]
        assert question_key(soup) == (f"{first.code}.{first.attribute}" if first.attribute
                                      else first.code)  # fmt: skip
        asked = [*json.loads(fields["asked"]), question_key(soup)]


def test_not_sure_is_kept_and_never_self_care(client):
    """'Not sure' to a red flag is stored as present null and the result is not self-care."""
    pages = walk(client, {**SELF_CARE_ANSWERS, "saddle_numbness": {"answer": "unsure"}})
    result = pages[-1]
    case = json.loads(form_fields(result, "/check/case.json")["case"])
    saddle = next(f for f in case["findings"] if f["code"] == "saddle_numbness")
    assert saddle["present"] is None
    assert "disposition-self_care" not in first_content_element(result)["class"]


def test_show_result_now_lists_the_unanswered_red_flags(client):
    """Finishing early gives a result that is not self-care and lists what was not asked."""
    soup = soup_of(client.post("/check/start", data=START).text)
    response = client.post("/check/answer", data={**form_fields(soup), "action": "finish"})
    result = assert_accessible_basics(response.text)
    assert "disposition-self_care" not in first_content_element(result)["class"]
    unanswered = result.select("ul.unanswered li")
    assert len(unanswered) > 10
    assert "numbness" in unanswered[0].get_text()  # the KB's question, not the code
    assert result.find("form", action="/check/continue") is not None


def test_continue_after_finishing_asks_again(client):
    """'Answer these questions' from the result goes back to the first open question."""
    soup = soup_of(client.post("/check/start", data=START).text)
    result = soup_of(
        client.post("/check/answer", data={**form_fields(soup), "action": "finish"}).text
    )
    response = client.post("/check/continue", data=form_fields(result, "/check/continue"))
    assert question_key(soup_of(response.text)) == question_key(soup)


def test_missing_answer_shows_the_question_again_with_a_message(client):
    """Submitting a question with no choice re-asks it (422) with 'Choose yes, no or not sure.'"""
    soup = soup_of(client.post("/check/start", data=START).text)
    response = client.post("/check/answer", data={**form_fields(soup), "action": "answer"})
    assert response.status_code == 422
    again = assert_accessible_basics(response.text)
    assert question_key(again) == question_key(soup)
    assert (
        again.find(class_="error-summary")
        .get_text(" ", strip=True)
        .endswith("Choose yes, no or not sure.")
    )


def test_result_json_download_matches_the_api(client):
    """The result download is the same esi-result/1 document the API returns."""
    result = walk(client, {"saddle_numbness": {"answer": "yes"}})[-1]
    case_field = form_fields(result, "/check/result.json")["case"]
    download = client.post("/check/result.json", data={"case": case_field})
    assert download.headers["content-disposition"].startswith("attachment;")
    api = client.post("/api/v1/triage", content=case_field,
                      headers={"content-type": "application/json"})  # fmt: skip
    assert download.json() == api.json()


def test_uploaded_case_continues_the_flow(client):
    """An uploaded case file goes straight to its first open question (or its result)."""
    case = {"format": "esi-case/1", "procedure": {"status": "done", "region": "lumbar"},
            "hours_since_injection": 12, "findings": [{"code": "saddle_numbness", "present": False}]}  # fmt: skip
    response = client.post(
        "/check/upload", files={"case_file": ("case.json", json.dumps(case), "application/json")}
    )
    soup = assert_accessible_basics(response.text)
    assert question_key(soup) not in (None, "saddle_numbness")


def test_narrative_is_read_when_intake_exists(client):
    """Words typed on the start page reach the engine: retention described in words is urgent."""
    start = {**START, "narrative": "Since the injection I cannot pass urine at all and it is numb "
             "between my legs."}  # fmt: skip
    response = client.post("/check/start", data=start)
    soup = assert_accessible_basics(response.text)
    assert "disposition-emergency" in first_content_element(soup)["class"]


def test_screening_page_gives_decision_and_plan(client):
    """The screening form gives a decision first and a row per medicine."""
    response = client.post("/screening", data={
        "approach": "interlaminar", "region": "lumbar", "steroid": "dexamethasone",
        "med-1-name": "clopidogrel", "med-1-dose": "75 mg daily", "med-1-last": "24"})  # fmt: skip
    assert response.status_code == 200, response.text[:1000]
    soup = assert_accessible_basics(response.text)
    first = first_content_element(soup)
    assert "decision" in first["class"]
    rows = soup.select("table tbody tr")
    assert [r.find("th").get_text(strip=True) for r in rows] == ["clopidogrel"]


def test_education_pages(client):
    """The education list links every entry; an entry page shows its sources; search narrows."""
    listing = assert_accessible_basics(client.get("/education").text)
    links = [a["href"] for a in listing.select("ul.entry-list a")]
    assert "/education/when_to_call_emergency" in links
    entry = assert_accessible_basics(client.get("/education/when_to_call_emergency").text)
    assert entry.find(id="sources-title") is not None
    assert entry.select("section.sources li")
    found = soup_of(client.get("/education", params={"q": "blood thinner"}).text)
    assert 0 < len(found.select("ul.entry-list a")) < len(links)
    assert client.get("/education/no_such_entry").status_code == 404


def test_result_page_explains_which_rules_fired(client):
    """The result folds away the engine's trace: each fired rule with its findings and sources."""
    result = walk(client, {"saddle_numbness": {"answer": "yes"}})[-1]
    rows = result.select("details.trace tbody tr")
    assert rows
    first = [td.get_text(" ", strip=True) for td in rows[0].find_all("td")]
    assert first[1].startswith("fired")
    assert "Saddle numbness" in first[2]
    assert first[3]
