"""The clinic's side: sign-in, dashboard, enrolment, patient timeline, acknowledging an
escalation, audit log. Every query filters on the signed-in clinician's clinic; a record of
another clinic answers 404, exactly like a record that does not exist."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from esiguard.errors import CaseValidationError
from esiguard.followup.service import FollowupService
from esiguard.store import repository as repo
from esiguard.store.tables import Enrolment, User, utcnow
from esiguard.web.case_form import FormError
from esiguard.web.choices import ANESTHETICS, APPROACHES, REGIONS, SIDES, STEROIDS
from esiguard.web.followup import auth
from esiguard.web.followup.auth import Clinician
from esiguard.web.followup.contexts import (
    AuditPage,
    AuditRow,
    CheckInView,
    DashboardPage,
    DashboardRowView,
    EnrolledPage,
    EnrolPage,
    EscalationView,
    LoginPage,
    OutcomeView,
    PatientPage,
)
from esiguard.web.followup.plot import build_plot
from esiguard.web.followup.runtime import service_of
from esiguard.web.followup.views import WEAKNESS_WORDS, fmt_time, slot_views
from esiguard.web.rendering import render_page

__all__ = ["build_clinic_router", "patient_record", "priority_label"]

STATE_LABELS = {
    "escalated": "Needs attention",
    "overdue": "Check-in overdue",
    "due": "Check-in due now",
    "waiting": "Waiting for next check-in",
}
NOT_FOUND = "There is no such patient in your clinic."


def priority_label(service: FollowupService, priority: int) -> str:
    rule = next((r for r in service.protocol.rules if r.priority == priority), None)
    return rule.label if rule else ""


def _login_redirect() -> Response:
    return RedirectResponse("/clinic/login", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def _audit(
    service: FollowupService, who: Clinician, action: str, rtype: str, rid: object, detail: str = ""
) -> None:
    with service.db.session() as session:
        repo.add_audit(
            session,
            actor=who.actor,
            action=action,
            record_type=rtype,
            record_id=rid,
            clinic_id=who.clinic_id,
            user_id=who.user_id,
            detail=detail,
        )


def _base(who: Clinician) -> dict[str, Any]:
    return {"clinician_email": who.email, "is_admin": who.is_admin, "csrf_token": who.csrf_token}


def patient_record(
    service: FollowupService, who: Clinician, enrolment_id: int, now: dt.datetime
) -> dict[str, Any]:
    """Everything on a patient's page, for this clinic only (404 otherwise, audited)."""
    with service.db.session() as session:
        enrolment = repo.enrolment_for_clinic(session, who.clinic_id, enrolment_id)
        if enrolment is None:
            repo.add_audit(
                session, actor=who.actor, action="denied", record_type="enrolment",
                record_id=enrolment_id, clinic_id=who.clinic_id, user_id=who.user_id,
            )  # fmt: skip
    if enrolment is None:  # raised after the commit, so the denial stays in the audit log
        raise HTTPException(404, NOT_FOUND)
    with service.db.session() as session:
        slots = repo.slots_of(session, enrolment.id)
        check_ins = repo.check_ins_of(session, enrolment.id)
        escalations = repo.escalations_of(session, enrolment.id)
        outcomes = repo.outcomes_of(session, enrolment.id)
        users = {u.id: u.email for u in session.query(User).filter(User.clinic_id == who.clinic_id)}
        repo.add_audit(
            session, actor=who.actor, action="view", record_type="enrolment",
            record_id=enrolment.id, clinic_id=who.clinic_id, user_id=who.user_id,
        )  # fmt: skip
    return {
        "enrolment": enrolment,
        "slots": slots,
        "check_ins": check_ins,
        "escalations": escalations,
        "outcomes": outcomes,
        "users": users,
        "now": now,
    }


def _outcome_views(outcomes: dict[str, Any]) -> list[OutcomeView]:
    base, late = outcomes.get("baseline"), outcomes.get("two_weeks")

    def show(o: Any, attr: str, unit: str) -> str:
        value = getattr(o, attr, None) if o else None
        return "not recorded" if value is None else f"{value:g}{unit}"

    def change(attr: str, unit: str) -> str:
        a = getattr(base, attr, None) if base else None
        b = getattr(late, attr, None) if late else None
        return "not available" if a is None or b is None else f"{b - a:+g}{unit}"

    return [
        OutcomeView(label="Pain (0-10)", baseline=show(base, "pain_nrs", ""), two_weeks=show(late, "pain_nrs", ""), change=change("pain_nrs", "")),
        OutcomeView(label="Oswestry Disability Index", baseline=show(base, "odi_percent", "%"), two_weeks=show(late, "odi_percent", "%"), change=change("odi_percent", " points")),
    ]  # fmt: skip


def _procedure_words(procedure: dict[str, Any]) -> str:
    steroid = (procedure.get("steroid") or {}).get("name", "unknown steroid")
    return f"{procedure.get('approach', 'unknown')} {procedure.get('region', '')} injection, {steroid}".strip()


def build_clinic_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/clinic/login")
    def login_form(request: Request) -> Response:
        token = secrets.token_urlsafe(24)
        page = LoginPage(
            title="Clinic sign-in", section="clinic", errors=[], email="", csrf_token=token
        )
        response = render_page(request, "followup/login.html", page)
        _set_login_cookie(request, response, token)
        return response

    @router.post("/clinic/login")
    async def login(request: Request) -> Response:
        form = await _form(request)
        cookie = request.cookies.get(auth.LOGIN_CSRF_COOKIE, "")
        if not cookie or not secrets.compare_digest(cookie, form.get("csrf_token", "")):
            raise HTTPException(403, "The sign-in form has expired; reload the page and try again.")
        user = auth.authenticate(request, form.get("email", ""), form.get("password", ""))
        if user is None:
            token = secrets.token_urlsafe(24)
            page = LoginPage(
                title="Clinic sign-in", section="clinic", email=form.get("email", "")[:254], csrf_token=token,
                errors=[FormError(field="email", message="The e-mail or password is wrong.")],
            )  # fmt: skip
            response = render_page(request, "followup/login.html", page, status_code=401)
            _set_login_cookie(request, response, token)
            return response
        response = RedirectResponse("/clinic", status_code=303)
        auth.sign_in(request, response, user)
        return response

    @router.post("/clinic/logout")
    async def logout(request: Request) -> Response:
        who = auth.current_clinician(request)
        if who is None:
            return _login_redirect()
        auth.check_csrf(request, who, (await _form(request)).get("csrf_token"))
        response = _login_redirect()
        auth.sign_out(request, response, who)
        return response

    @router.get("/clinic")
    def dashboard(request: Request) -> Response:
        who = auth.current_clinician(request)
        if who is None:
            return _login_redirect()
        service, now = service_of(request), utcnow()
        service.sweep_missed(now, clinic_id=who.clinic_id)
        with service.db.session() as session:
            rows = repo.dashboard_rows(session, who.clinic_id, now)
        views = [
            DashboardRowView(
                enrolment_id=r.enrolment_id, patient_label=r.patient_label, state=r.state,
                state_label=STATE_LABELS[r.state], priority_label=priority_label(service, r.priority),
                open_escalations=r.open_escalations, next_due=fmt_time(r.next_due_at),
                injected=fmt_time(r.injected_at),
            )
            for r in rows
        ]  # fmt: skip
        counts = {state: sum(v.state == state for v in views) for state in STATE_LABELS}
        page = DashboardPage(
            title="Follow-up dashboard", section="clinic", rows=views, counts=counts, **_base(who)
        )
        return render_page(request, "followup/dashboard.html", page)

    @router.get("/clinic/enrol")
    def enrol_form(request: Request) -> Response:
        who = auth.current_clinician(request)
        if who is None:
            return _login_redirect()
        return _enrol_page(request, who, {"hours_ago": "0"}, [])

    @router.post("/clinic/enrol")
    async def enrol(request: Request) -> Response:
        who = auth.current_clinician(request)
        if who is None:
            return _login_redirect()
        form = await _form(request)
        auth.check_csrf(request, who, form.get("csrf_token"))
        errors, procedure, hours_ago = _read_enrol_form(form)
        service = service_of(request)
        if not errors:
            try:
                enrolment, token = service.enrol(
                    clinic_id=who.clinic_id, user_id=who.user_id, actor=who.actor,
                    patient_label=form["patient_label"].strip(), procedure=procedure,
                    injected_at=utcnow() - dt.timedelta(hours=hours_ago),
                )  # fmt: skip
            except CaseValidationError as exc:
                errors = [
                    FormError(
                        field=i.field.split(".")[-1], message=f"{i.field}: expected {i.expected}"
                    )
                    for i in exc.issues
                ]
        if errors:
            return _enrol_page(request, who, form, errors, status_code=422)
        with service.db.session() as session:
            slots = repo.slots_of(session, enrolment.id)
        page = EnrolledPage(
            title="Patient enrolled", section="clinic", enrolment_id=enrolment.id,
            patient_label=enrolment.patient_label, link=f"{_origin(request)}/p/{token}",
            slots=slot_views(slots, utcnow()), **_base(who),
        )  # fmt: skip
        return render_page(request, "followup/enrolled.html", page, status_code=201)

    @router.get("/clinic/patients/{enrolment_id}")
    def patient(request: Request, enrolment_id: int) -> Response:
        who = auth.current_clinician(request)
        if who is None:
            return _login_redirect()
        service = service_of(request)
        record = patient_record(service, who, enrolment_id, utcnow())
        enrolment: Enrolment = record["enrolment"]
        slot_labels = {s.slot_key: s.label for s in record["slots"]}
        check_ins = [
            CheckInView(
                id=c.id, submitted=fmt_time(c.submitted_at), hours=f"{c.hours_since_injection:.1f} h",
                slot_label=slot_labels.get(c.slot_key or "", "Extra check-in"), pain_nrs=c.pain_nrs,
                leg_weakness=WEAKNESS_WORDS[c.leg_weakness], disposition=c.disposition, headline=c.headline,
                present=[service.kb.findings[f].label for f in c.present_findings if f in service.kb.findings],
            )
            for c in record["check_ins"]
        ]  # fmt: skip
        escalations = [
            EscalationView(
                id=e.id, summary=e.summary, created=fmt_time(e.created_at), priority=e.priority,
                acknowledged=(f"{fmt_time(e.acknowledged_at)} by {record['users'].get(e.acknowledged_by, 'unknown')}" if e.acknowledged_at else None),
                note=e.note,
            )
            for e in record["escalations"]
        ]  # fmt: skip
        samples = [
            (c.hours_since_injection, c.pain_nrs, c.leg_weakness) for c in record["check_ins"]
        ]
        page = PatientPage(
            title=f"Patient {enrolment.patient_label}", section="clinic", enrolment_id=enrolment.id,
            patient_label=enrolment.patient_label, injected=fmt_time(enrolment.injected_at),
            procedure=_procedure_words(enrolment.procedure), slots=slot_views(record["slots"], record["now"]),
            check_ins=check_ins, escalations=escalations, outcomes=_outcome_views(record["outcomes"]),
            plot=build_plot(samples) if samples else None, **_base(who),
        )  # fmt: skip
        return render_page(request, "followup/patient.html", page)

    @router.post("/clinic/escalations/{escalation_id}/acknowledge")
    async def acknowledge(request: Request, escalation_id: int) -> Response:
        who = auth.current_clinician(request)
        if who is None:
            return _login_redirect()
        form = await _form(request)
        auth.check_csrf(request, who, form.get("csrf_token"))
        note = form.get("note", "").strip()
        if not note or len(note) > 2000:
            raise HTTPException(422, "Write a note of 1 to 2000 characters saying what was done.")
        escalation = acknowledge_for(service_of(request), who, escalation_id, note)
        return RedirectResponse(
            f"/clinic/patients/{escalation.enrolment_id}#escalations", status_code=303
        )

    @router.get("/clinic/audit")
    def audit(request: Request) -> Response:
        who = auth.current_clinician(request)
        if who is None:
            return _login_redirect()
        if not who.is_admin:
            raise HTTPException(403, "Only an admin can read the audit log.")
        service = service_of(request)
        with service.db.session() as session:
            entries = repo.audit_entries(session, who.clinic_id)
        rows = [
            AuditRow(at=fmt_time(e.at), actor=e.actor, action=e.action, record=f"{e.record_type} {e.record_id}", detail=e.detail)
            for e in entries
        ]  # fmt: skip
        return render_page(
            request,
            "followup/audit.html",
            AuditPage(title="Audit log", section="clinic", entries=rows, **_base(who)),
        )

    return router


def acknowledge_for(service: FollowupService, who: Clinician, escalation_id: int, note: str) -> Any:
    """Acknowledge an open escalation of the clinician's clinic; 404 if not theirs, 409 if done."""
    with service.db.session() as session:
        escalation = repo.acknowledge_escalation(
            session, clinic_id=who.clinic_id, escalation_id=escalation_id,
            user_id=who.user_id, note=note, now=utcnow(),
        )  # fmt: skip
        if escalation is None:
            from esiguard.store.tables import Escalation

            existing = session.get(Escalation, escalation_id)
            if existing is not None and existing.clinic_id == who.clinic_id:
                raise HTTPException(409, "This escalation was already acknowledged.")
            repo.add_audit(
                session, actor=who.actor, action="denied", record_type="escalation",
                record_id=escalation_id, clinic_id=who.clinic_id, user_id=who.user_id,
            )  # fmt: skip
        else:
            repo.add_audit(
                session, actor=who.actor, action="acknowledge", record_type="escalation",
                record_id=escalation.id, clinic_id=who.clinic_id, user_id=who.user_id, detail=note[:200],
            )  # fmt: skip
    if escalation is None:
        raise HTTPException(404, "There is no such escalation in your clinic.")
    return escalation


def _set_login_cookie(request: Request, response: Response, token: str) -> None:
    from esiguard.web.followup.runtime import followup_settings

    response.set_cookie(
        auth.LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/clinic/login",
        secure=followup_settings(request.app).cookie_secure, max_age=3600,
    )  # fmt: skip


def _origin(request: Request) -> str:
    from esiguard.web.followup.runtime import followup_settings

    base = followup_settings(request.app).base_url
    return base.rstrip("/") if base else str(request.base_url).rstrip("/")


def _read_enrol_form(form: dict[str, str]) -> tuple[list[FormError], dict[str, Any], float]:
    errors: list[FormError] = []
    label = form.get("patient_label", "").strip()
    if not label or len(label) > 120:
        errors.append(
            FormError(
                field="patient_label",
                message="Enter the patient's name or record number (up to 120 characters).",
            )
        )
    hours_ago = -1.0
    with contextlib.suppress(ValueError):
        hours_ago = float(form.get("hours_ago", "0").replace(",", ".") or 0)
    if not 0 <= hours_ago <= 72:
        errors.append(
            FormError(
                field="hours_ago",
                message="Enter how many hours ago the injection was, from 0 to 72.",
            )
        )
    allowed = {
        "approach": {c.value for c in APPROACHES}, "region": {c.value for c in REGIONS},
        "side": {c.value for c in SIDES}, "steroid": {c.value for c in STEROIDS},
        "local_anesthetic": {c.value for c in ANESTHETICS},
    }  # fmt: skip
    for name, values in allowed.items():
        if form.get(name, "") not in values:
            errors.append(FormError(field=name, message="Choose one of the options."))
    procedure: dict[str, Any] = {
        "status": "done", "approach": form.get("approach"), "region": form.get("region"),
        "steroid": {"name": form.get("steroid")}, "local_anesthetic": {"name": form.get("local_anesthetic")},
    }  # fmt: skip
    if form.get("side"):
        procedure["side"] = form["side"]
    return errors, procedure, hours_ago


def _enrol_page(
    request: Request,
    who: Clinician,
    values: dict[str, str],
    errors: list[FormError],
    status_code: int = 200,
) -> Response:
    page = EnrolPage(
        title="Enrol a patient after the injection", section="clinic", errors=errors, values=values,
        approaches=APPROACHES, regions=REGIONS, sides=SIDES, steroids=STEROIDS, anesthetics=ANESTHETICS,
        **_base(who),
    )  # fmt: skip
    return render_page(request, "followup/enrol.html", page, status_code=status_code)
