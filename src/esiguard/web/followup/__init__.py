"""Follow-up pages and API (issue 7), added to the web app by `install_followup(app)`."""

from __future__ import annotations

from fastapi import FastAPI

from esiguard.web.followup.api import build_followup_api_router
from esiguard.web.followup.clinic_pages import build_clinic_router
from esiguard.web.followup.patient_pages import build_patient_router

__all__ = ["install_followup"]


def install_followup(app: FastAPI) -> None:
    """Add the clinic pages, the patient-link pages and /api/v1/followup to `app`.

    The database is opened on first use (see runtime.py), so apps that never serve a
    follow-up page never touch it.
    """
    app.include_router(build_followup_api_router())
    app.include_router(build_clinic_router())
    app.include_router(build_patient_router())
