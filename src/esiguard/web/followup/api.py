"""JSON API of the follow-up service under /api/v1/followup. Clinicians authenticate with
the session cookie and send the CSRF token in X-CSRF-Token on changes; the patient check-in
endpoint takes the secret link token instead. Errors use the app's canonical shape."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from esiguard.followup.service import CheckInAnswers
from esiguard.store import repository as repo
from esiguard.store.tables import utcnow
from esiguard.web.followup import auth
from esiguard.web.followup.auth import Clinician
from esiguard.web.followup.clinic_pages import acknowledge_for, patient_record
from esiguard.web.followup.patient_pages import enrolment_from_link
from esiguard.web.followup.runtime import service_of
from esiguard.web.followup.views import fmt_time

__all__ = ["build_followup_api_router"]


class AcknowledgeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=2000, description="What was done.")


class CheckInBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pain_nrs: int = Field(ge=0, le=10, description="Pain now, 0 (none) to 10 (worst).")
    leg_weakness: Literal["none", "mild", "moderate", "severe"]
    answers: dict[str, Literal["yes", "no", "unsure"]] = Field(
        default_factory=dict, description="Finding code -> answer, for the warning-sign questions."
    )
    submission_id: str = Field("", pattern=r"^([A-Za-z0-9_-]{8,64})?$")


def _clinician(request: Request) -> Clinician:
    who = auth.current_clinician(request)
    if who is None:
        raise HTTPException(401, "Sign in first (POST /clinic/login).")
    return who


def build_followup_api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/followup", tags=["follow-up"])

    @router.get("/dashboard")
    def dashboard(request: Request) -> dict[str, Any]:
        """Patients of the signed-in clinic needing attention, most urgent first."""
        who = _clinician(request)
        service, now = service_of(request), utcnow()
        service.sweep_missed(now, clinic_id=who.clinic_id)
        with service.db.session() as session:
            rows = repo.dashboard_rows(session, who.clinic_id, now)
        return {
            "patients": [
                {
                    "enrolment_id": r.enrolment_id,
                    "patient_label": r.patient_label,
                    "state": r.state,
                    "priority": r.priority,
                    "open_escalations": r.open_escalations,
                    "next_due_at": r.next_due_at.isoformat() if r.next_due_at else None,
                }
                for r in rows
            ]
        }

    @router.get("/enrolments/{enrolment_id}")
    def enrolment(request: Request, enrolment_id: int) -> dict[str, Any]:
        """One patient's check-ins, escalations and outcomes (404 if not in your clinic)."""
        who = _clinician(request)
        record = patient_record(service_of(request), who, enrolment_id, utcnow())
        e = record["enrolment"]
        return {
            "id": e.id,
            "patient_label": e.patient_label,
            "injected_at": e.injected_at.isoformat(),
            "procedure": e.procedure,
            "check_ins": [
                {
                    "id": c.id,
                    "submitted_at": c.submitted_at.isoformat(),
                    "slot": c.slot_key,
                    "hours_since_injection": c.hours_since_injection,
                    "pain_nrs": c.pain_nrs,
                    "leg_weakness": c.leg_weakness,
                    "disposition": c.disposition,
                    "present_findings": c.present_findings,
                }
                for c in record["check_ins"]
            ],
            "escalations": [
                {
                    "id": x.id,
                    "rule": x.rule_id,
                    "priority": x.priority,
                    "summary": x.summary,
                    "created_at": x.created_at.isoformat(),
                    "acknowledged_at": fmt_time(x.acknowledged_at) or None,
                    "note": x.note,
                }
                for x in record["escalations"]
            ],
            "outcomes": {
                k: {"pain_nrs": o.pain_nrs, "odi_percent": o.odi_percent}
                for k, o in record["outcomes"].items()
            },
        }

    @router.post("/escalations/{escalation_id}/acknowledge")
    def acknowledge(request: Request, escalation_id: int, body: AcknowledgeBody) -> dict[str, Any]:
        """Acknowledge an open escalation with a note (X-CSRF-Token header required)."""
        who = _clinician(request)
        auth.check_csrf(request, who, None)
        escalation = acknowledge_for(service_of(request), who, escalation_id, body.note.strip())
        return {"id": escalation.id, "acknowledged_at": escalation.acknowledged_at.isoformat()}

    @router.post("/check-ins/{token}", status_code=201)
    def check_in(request: Request, token: str, body: CheckInBody) -> JSONResponse:
        """A patient's check-in through their link; stored before this answer is sent."""
        service, now = service_of(request), utcnow()
        enrolment_row = enrolment_from_link(service, token, now)
        unknown = sorted(set(body.answers) - set(service.kb.findings))
        if unknown:
            raise HTTPException(422, f"unknown finding code {unknown[0]!r} in answers")
        outcome = service.record_check_in(
            enrolment_row.id,
            CheckInAnswers(
                pain_nrs=body.pain_nrs,
                leg_weakness=body.leg_weakness,
                answers=dict(body.answers),
                submission_id=body.submission_id,
            ),
            now,
        )
        return JSONResponse(
            {
                "id": outcome.check_in.id,
                "submission_id": outcome.check_in.submission_id,
                "disposition": outcome.check_in.disposition,
                "headline": outcome.check_in.headline,
                "escalated": bool(outcome.escalations),
                "duplicate": outcome.duplicate,
            },
            status_code=200 if outcome.duplicate else 201,
        )

    return router
