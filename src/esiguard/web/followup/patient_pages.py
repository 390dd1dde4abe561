"""The patient's side: one secret link per enrolment, no account. The link opens the
check-in form; answers are triaged, stored (committed) and only then acknowledged."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from esiguard.followup.odi import OdiError, odi_percent
from esiguard.followup.service import FollowupService
from esiguard.store import repository as repo
from esiguard.store.tables import Enrolment, Outcome, utcnow
from esiguard.web.case_form import FormError, FormProblem
from esiguard.web.followup.contexts import (
    CheckInDonePage,
    CheckInFormPage,
    OdiSectionView,
    OutcomesFormPage,
    QuestionItem,
)
from esiguard.web.followup.runtime import service_of
from esiguard.web.followup.views import parse_check_in_form
from esiguard.web.rendering import render_page

__all__ = ["TIMEPOINTS", "build_patient_router", "enrolment_from_link", "timepoint_open"]

TIMEPOINTS = {"baseline": "before the injection's effect (baseline)", "two_weeks": "2 weeks after"}


def enrolment_from_link(service: FollowupService, token: str, now: dt.datetime) -> Enrolment:
    """The enrolment behind a patient link, or a 404 (wrong link) / 410 (expired link)."""
    if not token or len(token) > 100:
        raise HTTPException(
            404, "This link is not valid. Check it, or ask your clinic for a new one."
        )
    with service.db.session() as session:
        enrolment = repo.enrolment_by_token(session, token)
    if enrolment is None:
        raise HTTPException(
            404, "This link is not valid. Check it, or ask your clinic for a new one."
        )
    if enrolment.status != "active" or enrolment.link_expires_at <= now:
        raise HTTPException(
            410, "This link has expired. If you are worried about your symptoms, call your clinic."
        )
    return enrolment


def timepoint_open(
    service: FollowupService, enrolment: Enrolment, timepoint: str, now: dt.datetime
) -> bool:
    with service.db.session() as session:
        if timepoint in repo.outcomes_of(session, enrolment.id):
            return False
        if timepoint == "baseline":
            return True
        slots = repo.slots_of(session, enrolment.id)
    return any(s.collects_outcomes and s.opens_at <= now for s in slots)


def _form_page(
    request: Request,
    service: FollowupService,
    enrolment: Enrolment,
    token: str,
    now: dt.datetime,
    errors: list[FormError] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    with service.db.session() as session:
        slot = repo.open_slot(session, enrolment.id, now)
    outcome = next(
        (tp for tp in ("baseline", "two_weeks") if timepoint_open(service, enrolment, tp, now)),
        None,
    )
    page = CheckInFormPage(
        title="How are you since your injection?",
        section="followup",
        action=f"/p/{token}",
        slot_label=slot.label if slot else None,
        questions=[
            QuestionItem(code=q.code, text=q.text) for q in service.questions_for(enrolment, now)
        ],
        errors=errors or [],
        values=values or {},
        submission_id=(values or {}).get("submission_id") or uuid.uuid4().hex,
        outcomes_link=f"/p/{token}/outcomes/{outcome}" if outcome else None,
        outcomes_label=TIMEPOINTS[outcome] if outcome else None,
    )
    return render_page(request, "followup/check_in.html", page, status_code=422 if errors else 200)


def build_patient_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/p/{token}")
    def check_in_form(request: Request, token: str) -> Response:
        service, now = service_of(request), utcnow()
        enrolment = enrolment_from_link(service, token, now)
        return _form_page(request, service, enrolment, token, now)

    @router.post("/p/{token}")
    async def submit_check_in(request: Request, token: str) -> Response:
        service, now = service_of(request), utcnow()
        enrolment = enrolment_from_link(service, token, now)
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            answers = parse_check_in_form(values, set(service.kb.findings))
        except FormProblem as problem:
            return _form_page(request, service, enrolment, token, now, problem.errors, values)
        # Committed inside record_check_in before this page is rendered.
        outcome = service.record_check_in(enrolment.id, answers, now)
        result: dict[str, Any] = outcome.check_in.result
        page = CheckInDonePage(
            title="Thank you: your answers are saved",
            section="followup",
            disposition=outcome.check_in.disposition,
            headline=outcome.check_in.headline,
            do_now=[i["text"] for i in result.get("advice_items", []) if i.get("kind") == "do_now"][
                :5
            ],
            unanswered=list(result.get("unanswered", [])),
            advice=str(result.get("advice", "")),
            clinic_told=bool(outcome.escalations),
            back_link=f"/p/{token}",
        )
        return render_page(request, "followup/check_in_done.html", page, status_code=201)

    @router.get("/p/{token}/outcomes/{timepoint}")
    def outcomes_form(request: Request, token: str, timepoint: str) -> Response:
        service, now = service_of(request), utcnow()
        enrolment = enrolment_from_link(service, token, now)
        _require_open(service, enrolment, timepoint, now)
        return _outcomes_page(request, service, token, timepoint)

    @router.post("/p/{token}/outcomes/{timepoint}")
    async def submit_outcomes(request: Request, token: str, timepoint: str) -> Response:
        service, now = service_of(request), utcnow()
        enrolment = enrolment_from_link(service, token, now)
        _require_open(service, enrolment, timepoint, now)
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        errors: list[FormError] = []
        pain = values.get("pain_nrs", "")
        if not (pain.isdigit() and 0 <= int(pain) <= 10):
            errors.append(
                FormError(field="pain_nrs", message="Choose your pain score from 0 to 10.")
            )
        answers: dict[str, int] = {}
        for section in service.protocol.odi_sections:
            raw = values.get(f"odi.{section.id}", "")
            if raw.isdigit() and int(raw) < len(section.statements):
                answers[section.id] = int(raw)
            elif raw:
                errors.append(FormError(field=f"odi.{section.id}", message="Choose one statement."))
        percent = None
        try:
            percent = odi_percent(answers, service.protocol)
        except OdiError as exc:
            errors.append(FormError(field=f"odi.{exc.field}", message=str(exc)))
        if errors:
            return _outcomes_page(request, service, token, timepoint, errors, values)
        with service.db.session() as session:
            saved = repo.save_outcome(
                session,
                Outcome(
                    enrolment_id=enrolment.id,
                    clinic_id=enrolment.clinic_id,
                    timepoint=timepoint,
                    pain_nrs=int(pain),
                    odi_answers=answers,
                    odi_percent=percent,
                    recorded_at=now,
                ),
            )
            if saved is not None:
                repo.add_audit(
                    session,
                    actor="patient-link",
                    action="create",
                    record_type="outcome",
                    record_id=saved.id,
                    clinic_id=enrolment.clinic_id,
                    detail=timepoint,
                )
        return Response(status_code=303, headers={"Location": f"/p/{token}"})

    return router


def _require_open(
    service: FollowupService, enrolment: Enrolment, timepoint: str, now: dt.datetime
) -> None:
    if timepoint not in TIMEPOINTS:
        raise HTTPException(404, "There is no such questionnaire.")
    if not timepoint_open(service, enrolment, timepoint, now):
        raise HTTPException(409, "This questionnaire is already done, or not due yet.")


def _outcomes_page(
    request: Request,
    service: FollowupService,
    token: str,
    timepoint: str,
    errors: list[FormError] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    page = OutcomesFormPage(
        title="Your back pain and daily life",
        section="followup",
        action=f"/p/{token}/outcomes/{timepoint}",
        timepoint_label=TIMEPOINTS[timepoint],
        sections=[
            OdiSectionView(
                id=s.id,
                number=s.number,
                title=s.title,
                optional=s.optional,
                statements=s.statements,
            )
            for s in service.protocol.odi_sections
        ],
        errors=errors or [],
        values=values or {},
    )
    return render_page(request, "followup/outcomes.html", page, status_code=422 if errors else 200)
