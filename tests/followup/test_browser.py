"""The follow-up flow in a real Chromium (Playwright, Debian's /usr/bin/chromium): a clinician
signs in and enrols a patient, the patient checks in through the secret link, the escalation
appears on the dashboard first, and the clinician acknowledges it with a note.

The app runs as a real uvicorn process on SQLite with the default secure cookie settings.
Screenshots go to tests/followup/artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.browser import BROWSER_MARKS, launched_chromium
from tests.followup.helpers import PASSWORD, Server, seed

from esiguard.store import Database, migrate

ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, object]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'followup.db'}"
    db = Database.from_url(url)
    migrate(db.engine)
    seeded = seed(db)
    db.engine.dispose()
    server = Server(url).start()
    yield server.url, seeded
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched_chromium(ARTIFACTS) as chromium:
        yield chromium


def test_enrol_check_in_escalation_on_dashboard_and_acknowledge(site, browser):
    base, seeded = site
    clinic = browser.new_context(viewport={"width": 1000, "height": 900})
    nurse = clinic.new_page()
    nurse.set_default_timeout(10_000)

    # Sign in (secure, HttpOnly session cookie over loopback) and enrol.
    nurse.goto(f"{base}/clinic")
    nurse.fill("#email", seeded.nurse_a)
    nurse.fill("#password", PASSWORD)
    nurse.click("button:has-text('Sign in')")
    nurse.wait_for_url(f"{base}/clinic")
    cookie = next(c for c in clinic.cookies() if c["name"] == "esiguard_session")
    assert cookie["httpOnly"] and cookie["secure"]
    nurse.click("a:has-text('Enrol a patient')")
    nurse.fill("#patient_label", "Browser Patient")
    nurse.fill("#hours_ago", "3")
    nurse.select_option("#steroid", "triamcinolone")
    nurse.click("button:has-text('Enrol')")
    link = nurse.input_value("#patient-link")
    assert "/p/" in link
    nurse.screenshot(path=str(ARTIFACTS / "enrolled.png"), full_page=True)

    # The patient: another browser, no account, just the link; phone width.
    phone = browser.new_context(viewport={"width": 360, "height": 800})
    patient = phone.new_page()
    patient.set_default_timeout(10_000)
    patient.goto(link)
    assert "2 hours after the injection" in patient.inner_text("main")
    patient.check("#pain-6")
    patient.check("#weak-severe")
    patient.check("#saddle_numbness-yes")
    patient.check("#urinary_retention-no")
    patient.click("button:has-text('Send my answers')")
    first = patient.locator("main > *").first
    assert first.get_attribute("id") == "disposition"
    assert "emergency" in (first.get_attribute("class") or "")
    assert patient.locator("a[href^='tel:']").count() >= 1
    assert "Your clinic has been told" in patient.inner_text("main")
    patient.screenshot(path=str(ARTIFACTS / "patient-check-in-emergency.png"), full_page=True)

    # The escalation is on the dashboard, first row.
    nurse.goto(f"{base}/clinic")
    row = nurse.locator("#dashboard tbody tr").first
    assert "Browser Patient" in row.inner_text()
    assert "Needs attention" in row.inner_text()
    assert "Emergency" in row.inner_text()
    nurse.screenshot(path=str(ARTIFACTS / "dashboard-escalated.png"), full_page=True)

    # Acknowledge with a note, on the patient's page with the pain/weakness plot.
    row.locator("a").click()
    assert nurse.locator("#timeline-plot circle").count() == 1
    nurse.fill("textarea[name='note']", "Phoned patient, sent to the emergency department.")
    nurse.click("button:has-text('Acknowledge')")
    assert "Acknowledged" in nurse.inner_text("#escalations")
    assert "sent to the emergency department" in nurse.inner_text("#escalations")
    nurse.screenshot(path=str(ARTIFACTS / "acknowledged.png"), full_page=True)
    nurse.goto(f"{base}/clinic")
    assert "Needs attention" not in nurse.inner_text("#dashboard tbody tr >> nth=0")
    phone.close()
    clinic.close()


def test_a_wrong_patient_link_shows_a_clear_error_page(site, browser):
    base, _ = site
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(f"{base}/p/this-is-not-a-link")
    assert response.status == 404
    assert "This link is not valid" in page.inner_text("main")
    context.close()
