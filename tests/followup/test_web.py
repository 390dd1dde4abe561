"""Follow-up pages and API through the app (ASGI), on both backends: sign-in, CSRF, enrol,
patient link check-in, escalation, acknowledge, audit, clinic isolation, bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from tests.followup.helpers import ODI_SECTIONS_WITHOUT_SEX_LIFE, PASSWORD
from tests.web.helpers import assert_canonical_error

from esiguard.store.tables import AuditEntry, CheckIn, Escalation
from esiguard.web.followup.auth import SESSION_COOKIE

ENROL = {"patient_label": "Jane Roe", "hours_ago": "3", "approach": "transforaminal",
         "region": "lumbar", "side": "left", "steroid": "dexamethasone", "local_anesthetic": "lidocaine"}  # fmt: skip


def enrol(client, **overrides) -> tuple[int, str]:
    data = {**ENROL, **overrides, "csrf_token": client.csrf("/clinic/enrol")}
    page = client.post("/clinic/enrol", data=data)
    assert page.status_code == 201, page.text
    link = re.search(
        r'id="patient-link" readonly size="60" value="[^"]*(/p/[^"]+)"', page.text
    ).group(1)
    enrolment_id = int(re.search(r"/clinic/patients/(\d+)", page.text).group(1))
    return enrolment_id, link


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def nurse_a(client, seeded):
    assert client.login(seeded.nurse_a).status_code == 303
    return client


@pytest.fixture
def nurse_b(client_b, seeded):
    assert client_b.login(seeded.nurse_b).status_code == 303
    return client_b


def test_pages_and_api_need_a_signed_in_clinician(client, seeded):
    assert client.get("/clinic").status_code == 303
    assert client.get("/clinic").headers["location"] == "/clinic/login"
    assert_canonical_error(client.get("/api/v1/followup/dashboard"), 401)


def test_a_wrong_password_is_refused_and_a_login_without_its_csrf_token_is_forbidden(
    client, seeded
):
    assert client.login(seeded.nurse_a, "wrong password!").status_code == 401
    client.get("/clinic/login")
    bad = client.post(
        "/clinic/login",
        data={"email": seeded.nurse_a, "password": PASSWORD, "csrf_token": "forged"},
    )
    assert bad.status_code == 403
    assert SESSION_COOKIE not in client.client.cookies


def test_the_session_cookie_is_httponly_samesite_and_secure_when_configured(client, app, seeded):
    response = client.login(seeded.nurse_a)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    from esiguard.followup.settings import FollowupSettings

    app.state.followup_settings = FollowupSettings(cookie_secure=True, notifier="log")
    page = client.get("/clinic/login")
    assert "secure" in page.headers["set-cookie"].lower()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    # httpx keeps Secure cookies off plain http, as a browser would: send it by hand.
    signed_in = client.post(
        "/clinic/login",
        data={"email": seeded.nurse_a, "password": PASSWORD, "csrf_token": token},
        headers={"cookie": f"esiguard_login_csrf={token}"},
    )
    assert signed_in.status_code == 303
    assert "; secure" in signed_in.headers["set-cookie"].lower()


def test_enrol_check_in_escalate_and_acknowledge_through_the_pages(nurse_a, client_b, db):
    enrolment_id, link = enrol(nurse_a)
    form = client_b.get(link)  # the patient: no account, just the link
    assert form.status_code == 200 and "2 hours after the injection" in form.text
    submission = re.search(r'name="submission_id" value="([^"]+)"', form.text).group(1)
    done = client_b.post(
        link,
        data={
            "pain_nrs": "7",
            "leg_weakness": "severe",
            "q.saddle_numbness": "yes",
            "submission_id": submission,
        },
    )
    assert done.status_code == 201
    assert done.text.index('id="disposition"') < done.text.index('id="saved"')
    assert "tel:" in done.text and "Your clinic has been told" in done.text
    dashboard = nurse_a.get("/clinic")
    assert "Needs attention" in dashboard.text and "Jane Roe" in dashboard.text
    patient = nurse_a.get(f"/clinic/patients/{enrolment_id}")
    assert "<svg" in patient.text and "pain 7/10" in patient.text
    esc_id = int(re.search(r"/clinic/escalations/(\d+)/acknowledge", patient.text).group(1))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', patient.text).group(1)
    assert (
        nurse_a.post(f"/clinic/escalations/{esc_id}/acknowledge", data={"note": "x"}).status_code
        == 403
    )
    ack = nurse_a.post(
        f"/clinic/escalations/{esc_id}/acknowledge",
        data={"note": "Phoned; sent to ED", "csrf_token": csrf},
    )
    assert ack.status_code == 303
    with db.session() as s:
        assert s.get(Escalation, esc_id).note == "Phoned; sent to ED"
    assert "Acknowledged" in nurse_a.get(f"/clinic/patients/{enrolment_id}").text


def test_a_wrong_link_or_a_malformed_check_in_changes_nothing(nurse_a, client_b, db):
    _, link = enrol(nurse_a)
    before = count(db, CheckIn)
    assert client_b.get("/p/not-a-real-link").status_code == 404
    assert (
        client_b.post(
            "/p/not-a-real-link", data={"pain_nrs": "3", "leg_weakness": "none"}
        ).status_code
        == 404
    )
    bad = client_b.post(
        link, data={"pain_nrs": "eleven", "leg_weakness": "wobbly", "q.made_up": "yes"}
    )
    assert bad.status_code == 422
    assert "Choose your pain score" in bad.text
    api = client_b.post(
        f"/api/v1/followup/check-ins/{link[3:]}", json={"pain_nrs": 99, "leg_weakness": "none"}
    )
    assert_canonical_error(api, 422, "pain_nrs")
    assert_canonical_error(
        client_b.post(
            "/api/v1/followup/check-ins/nope", json={"pain_nrs": 1, "leg_weakness": "none"}
        ),
        404,
    )
    assert count(db, CheckIn) == before


def test_an_expired_link_is_refused_with_410(nurse_a, client_b, db):
    enrolment_id, link = enrol(nurse_a)
    from esiguard.store.tables import Enrolment, utcnow

    with db.session() as s:
        s.get(Enrolment, enrolment_id).link_expires_at = utcnow()
    assert client_b.get(link).status_code == 410
    assert client_b.post(link, data={"pain_nrs": "3", "leg_weakness": "none"}).status_code == 410


def test_one_clinic_cannot_read_or_change_another_clinics_patients(nurse_a, nurse_b, client_b, db):
    enrolment_id, link = enrol(nurse_a)
    created = client_b.post(
        f"/api/v1/followup/check-ins/{link[3:]}",
        json={"pain_nrs": 8, "leg_weakness": "none", "answers": {"saddle_numbness": "yes"}},
    )
    assert created.status_code == 201 and created.json()["escalated"]
    with db.session() as s:
        esc_id = s.scalar(select(Escalation.id).where(Escalation.enrolment_id == enrolment_id))
    # Clinic B: pages and API answer exactly as for a record that does not exist.
    assert nurse_b.get(f"/clinic/patients/{enrolment_id}").status_code == 404
    assert_canonical_error(nurse_b.get(f"/api/v1/followup/enrolments/{enrolment_id}"), 404)
    csrf_b = nurse_b.csrf()
    assert (
        nurse_b.post(
            f"/clinic/escalations/{esc_id}/acknowledge",
            data={"note": "mine now", "csrf_token": csrf_b},
        ).status_code
        == 404
    )
    api = nurse_b.post(
        f"/api/v1/followup/escalations/{esc_id}/acknowledge",
        json={"note": "mine"},
        headers={"X-CSRF-Token": csrf_b},
    )
    assert_canonical_error(api, 404)
    assert "Jane Roe" not in nurse_b.get("/clinic").text
    assert all(
        p["enrolment_id"] != enrolment_id
        for p in nurse_b.get("/api/v1/followup/dashboard").json()["patients"]
    )
    with db.session() as s:
        assert s.get(Escalation, esc_id).acknowledged_at is None
        denied = s.scalars(select(AuditEntry).where(AuditEntry.action == "denied")).all()
    assert len(denied) == 4
    # Clinic A can, through the API, with its CSRF header.
    mine = nurse_a.get(f"/api/v1/followup/enrolments/{enrolment_id}").json()
    assert mine["escalations"][0]["id"] == esc_id
    assert_canonical_error(
        nurse_a.post(f"/api/v1/followup/escalations/{esc_id}/acknowledge", json={"note": "ok"}), 403
    )
    ok = nurse_a.post(
        f"/api/v1/followup/escalations/{esc_id}/acknowledge",
        json={"note": "ok"},
        headers={"X-CSRF-Token": nurse_a.csrf()},
    )
    assert ok.status_code == 200
    assert_canonical_error(
        nurse_a.post(
            f"/api/v1/followup/escalations/{esc_id}/acknowledge",
            json={"note": "ok"},
            headers={"X-CSRF-Token": nurse_a.csrf()},
        ),
        409,
    )


def test_the_audit_log_records_views_and_changes_and_only_admins_read_it(nurse_a, client_b, seeded):
    enrolment_id, _ = enrol(nurse_a)
    nurse_a.get(f"/clinic/patients/{enrolment_id}")
    assert nurse_a.get("/clinic/audit").status_code == 403
    assert client_b.login(seeded.admin_a).status_code == 303
    audit = client_b.get("/clinic/audit")
    assert audit.status_code == 200
    assert f"user:{seeded.nurse_a}" in audit.text
    assert f"enrolment {enrolment_id}" in audit.text
    assert "view" in audit.text and "create" in audit.text


def test_baseline_and_two_week_outcomes_show_as_a_change(nurse_a, client_b, db):
    enrolment_id, link = enrol(nurse_a)
    odi_all = {f"odi.{s}": "3" for s in ODI_SECTIONS_WITHOUT_SEX_LIFE}
    assert client_b.get(f"{link}/outcomes/two_weeks").status_code == 409  # not due yet
    bad = client_b.post(
        f"{link}/outcomes/baseline", data={"pain_nrs": "8", "odi.pain_intensity": "3"}
    )
    assert bad.status_code == 422
    assert (
        client_b.post(f"{link}/outcomes/baseline", data={"pain_nrs": "8", **odi_all}).status_code
        == 303
    )
    assert client_b.get(f"{link}/outcomes/baseline").status_code == 409  # done once
    from esiguard.store.tables import CheckInSlot, utcnow

    with db.session() as s:  # move the 2-week check-in into its window
        for slot in s.scalars(
            select(CheckInSlot).where(
                CheckInSlot.enrolment_id == enrolment_id, CheckInSlot.slot_key == "w2"
            )
        ):
            slot.opens_at = utcnow()
    later = {**odi_all, **dict.fromkeys(odi_all, "1")}
    assert (
        client_b.post(f"{link}/outcomes/two_weeks", data={"pain_nrs": "3", **later}).status_code
        == 303
    )
    page = nurse_a.get(f"/clinic/patients/{enrolment_id}").text
    assert "-5" in page  # pain 8 -> 3
    assert "60%" in page and "20%" in page and "-40 points" in page
