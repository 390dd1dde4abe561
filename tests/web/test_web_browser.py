"""The flow in a real Chromium (Playwright): emergency, self-care, keyboard only, screening,
invalid input, JavaScript off, print, 360-pixel width and WCAG AA contrast.

The app runs under uvicorn on 127.0.0.1 in a background thread. Screenshots are kept in
tests/web/artifacts/ for people to look at. Chromium comes from Debian (`apt-get install
chromium`); Playwright's own browser download is not used.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from tests.browser import BROWSER_MARKS, launched_chromium
from tests.web.helpers import SELF_CARE_ANSWERS

from esiguard.web import WebSettings, create_app

ARTIFACTS = Path(__file__).parent / "artifacts"
PHONE = {"width": 360, "height": 800}
MAX_STEPS = 80

pytestmark = BROWSER_MARKS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The app served by uvicorn on a free loopback port for the tests of this module."""
    port = _free_port()
    config = uvicorn.Config(create_app(WebSettings()), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched_chromium(ARTIFACTS) as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _shot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _start(page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("How long ago").fill("20")
    page.get_by_label("Lower back (lumbar)").check()
    page.get_by_label("Interlaminar: in the middle of the back, between two vertebrae").check()
    page.get_by_role("button", name="Start the questions").click()


def _question_key(page) -> str | None:
    field = page.locator("form[action='/check/answer'] input[name=question]")
    return field.get_attribute("value") if field.count() else None


def _answer_all(page, answers: dict[str, dict[str, str]]) -> list[str]:
    """Answer every question by clicking labels, as a person would; return the keys asked."""
    asked = []
    for _ in range(MAX_STEPS):
        key = _question_key(page)
        if key is None:
            return asked
        asked.append(key)
        given = answers.get(key)
        if given is None and "." in key:  # a detail of a finding: not known
            dont_know = page.get_by_role("button", name="I don't know")
            if dont_know.count():
                dont_know.click()
                continue
            given = {"answer": "unsure"}
        answer = (given or {"answer": "no"})["answer"]
        label = {"yes": "Yes", "no": "No", "unsure": "Not sure"}.get(answer, answer.capitalize())
        page.get_by_label(label, exact=True).check()
        page.get_by_role("button", name="Continue").click()
    raise AssertionError("the flow did not end")


def _first_in_main(page) -> dict:
    return page.evaluate(
        """() => { const el = document.querySelector('main').firstElementChild;
                   const box = el.getBoundingClientRect();
                   return {cls: el.className, top: box.top, bottom: box.bottom,
                           h1: (el.querySelector('h1') || {}).textContent || ''}; }"""
    )


def test_full_flow_to_an_emergency_result(page, base_url):
    """Answering 'yes' to saddle numbness ends in the emergency block, first and on screen."""
    _start(page, base_url)
    asked = _answer_all(page, {"saddle_numbness": {"answer": "yes"}})
    assert asked[-1] == "saddle_numbness"
    first = _first_in_main(page)
    assert "disposition-emergency" in first["cls"]
    assert (
        first["h1"].strip() == "Call 911 (emergency services) or go to the emergency department now"
    )
    # Visible without scrolling on a 360 x 800 phone.
    assert first["top"] < PHONE["height"] / 2
    call = page.get_by_role("link", name="Call 911 now")
    assert call.get_attribute("href") == "tel:911"
    assert call.is_visible()
    _shot(page, "emergency-result")
    page.screenshot(path=str(ARTIFACTS / "emergency-result-screen.png"))


def test_full_flow_to_a_self_care_result(page, base_url):
    """'No' to every warning sign and a mild, improving sore site ends in self-care."""
    _start(page, base_url)
    asked = _answer_all(page, SELF_CARE_ANSWERS)
    assert len(asked) > 30
    first = _first_in_main(page)
    assert "disposition-self_care" in first["cls"]
    assert page.locator("#unanswered-title").count() == 0
    assert page.get_by_role("heading", name="What to watch for").is_visible()
    _shot(page, "self-care-result")
    page.screenshot(path=str(ARTIFACTS / "self-care-result-screen.png"))


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has focus (fails if never reached)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


def _focus_is_visible(page) -> bool:
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
                          || s.boxShadow !== 'none'; }"""
    )


def test_keyboard_only_completion(page, base_url):
    """The whole flow works with the keyboard alone, and focus is always visible."""
    page.goto(base_url + "/")
    _tab_to(page, "#hours_ago")
    assert _focus_is_visible(page)
    page.keyboard.type("6")
    _tab_to(page, "input[name=region]")
    page.keyboard.press("Space")  # first option: lower back
    _tab_to(page, "form[action='/check/start'] button[type=submit]")
    assert _focus_is_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _question_key(page) is not None, "the start form did not submit"
    # Three questions answered "No" with the arrow keys, then "Yes".
    for answer_index in (1, 1, 1, 0):
        key = _question_key(page)
        assert key is not None
        _tab_to(page, "input[name=answer]")
        assert _focus_is_visible(page)
        if answer_index == 1:
            page.keyboard.press("ArrowDown")
        else:
            page.keyboard.press("Space")
        _tab_to(page, "button[value=answer]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert _question_key(page) != key
    first = _first_in_main(page)
    assert "disposition-emergency" in first["cls"]
    _tab_to(page, "a.call-button")
    assert _focus_is_visible(page)
    page.screenshot(path=str(ARTIFACTS / "keyboard-emergency-focus.png"))


def test_invalid_submission_shows_a_clear_message(page, base_url):
    """A start form without the time shows an error summary, focused, linked to the field."""
    page.goto(base_url + "/")
    page.get_by_label("How long ago").fill("soon")
    page.get_by_role("button", name="Start the questions").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    message = "Enter how long ago the injection was as a number, for example 6 or 1.5."
    assert summary.get_by_role("link", name=message).is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#hours_ago-error").inner_text().endswith(message)
    assert page.get_by_label("How long ago").input_value() == "soon"
    summary.get_by_role("link").click()
    assert page.evaluate("location.hash") == "#hours_ago"
    _shot(page, "invalid-start")


def test_screening_page(browser, base_url):
    """A clinician screens a plan with clopidogrel and gets a decision and a per-drug plan."""
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/screening")
    page.get_by_label("Approach").select_option("interlaminar")
    page.get_by_label("Region").select_option("lumbar")
    page.get_by_label("Steroid", exact=True).select_option("dexamethasone")
    page.get_by_label("Age (years)").fill("71")
    page.locator("#med-1-name").fill("clopidogrel")
    page.locator("#med-1-dose").fill("75 mg daily")
    page.locator("#med-1-last").fill("24")
    page.get_by_role("button", name="Screen this plan").click()
    first = _first_in_main(page)
    assert "decision" in first["cls"]
    assert first["h1"].strip()
    assert page.locator("table tbody tr th").first.inner_text().startswith("clopidogrel")
    _shot(page, "screening-result")
    page.emulate_media(media="print")
    assert page.locator("nav").is_hidden()
    page.pdf(path=str(ARTIFACTS / "screening-result.pdf"))
    context.close()


def test_flow_works_with_javascript_off(browser, base_url):
    """With JavaScript disabled the whole flow still reaches the emergency result."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    _start(page, base_url)
    _answer_all(page, {"saddle_numbness": {"answer": "yes"}})
    assert "disposition-emergency" in _first_in_main(page)["cls"]
    assert page.get_by_role("button", name="Print this page").count() == 0 or (
        page.get_by_role("button", name="Print this page").is_hidden()
    )
    context.close()


def test_emergency_result_prints_readably(page, base_url):
    """In print, navigation and buttons go, the emergency block stays first; a PDF is kept."""
    _start(page, base_url)
    _answer_all(page, {"saddle_numbness": {"answer": "yes"}})
    page.emulate_media(media="print")
    assert page.locator("nav").is_hidden()
    assert page.locator("form[action='/check/case.json'] button").is_hidden()
    assert page.locator("#disposition").is_visible()
    colour = page.evaluate("getComputedStyle(document.querySelector('#disposition h1')).color")
    assert colour == "rgb(0, 0, 0)"
    page.pdf(path=str(ARTIFACTS / "emergency-result.pdf"))
    page.screenshot(path=str(ARTIFACTS / "emergency-result-print.png"), full_page=True)


CONTRAST_JS = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(parseFloat); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = el => { for (; el; el = el.parentElement) {
    const c = parse(getComputedStyle(el).backgroundColor); if (c && c.a > 0.5) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode; if (!node.textContent.trim()) continue;
    const el = node.parentElement; const s = getComputedStyle(el); const box = el.getBoundingClientRect();
    if (s.visibility === 'hidden' || el.closest('[hidden]') || box.width < 2 || box.height < 2 || box.right < 0) continue;
    const fg = parse(s.color); const bg = background(el);
    const a = lum(fg), b = lum(bg); const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize); const large = size >= 24 || (parseInt(s.fontWeight) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) failures.push({text: node.textContent.trim().slice(0, 40), ratio: ratio.toFixed(2)});
  }
  return failures;
}"""


def test_contrast_and_width_on_a_phone(page, base_url):
    """Every visible text meets WCAG AA contrast, and no page scrolls sideways at 360 px."""
    checked = []

    def check(name: str) -> None:
        assert page.evaluate(CONTRAST_JS) == [], name
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} is {width} px wide"
        checked.append(name)

    for path in ("/", "/screening", "/education", "/education/when_to_call_emergency", "/docs"):
        page.goto(base_url + path)
        check(path)
    _start(page, base_url)
    check("question")
    page.get_by_role("button", name="Continue").click()
    check("question with error")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    check("emergency result")
    _start(page, base_url)
    page.get_by_role("button", name="Show my result now").click()
    check("early result")
    assert len(checked) == 9
