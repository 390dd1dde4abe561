"""Where the follow-up pages get their service: built on first use from the app's settings.

The runtime holds an engine (a connection pool) and the loaded protocol, nothing about
patients or sessions: every request reads and writes the database.
Tests may set `app.state.followup_settings` or `app.state.followup_database` before the
first request.
"""

from __future__ import annotations

import threading

from fastapi import FastAPI, Request

from esiguard.followup.notifier import Notifier, make_notifier
from esiguard.followup.protocol import load_protocol
from esiguard.followup.service import FollowupService
from esiguard.followup.settings import FollowupSettings
from esiguard.kb import load_kb
from esiguard.store import Database, migrate

__all__ = ["followup_settings", "service_of"]

_LOCK = threading.Lock()


def followup_settings(app: FastAPI) -> FollowupSettings:
    settings = getattr(app.state, "followup_settings", None)
    if settings is None:
        settings = FollowupSettings()
        app.state.followup_settings = settings
    return settings


def _build(app: FastAPI) -> FollowupService:
    settings = followup_settings(app)
    db: Database | None = getattr(app.state, "followup_database", None)
    if db is None:
        db = Database.from_url(settings.database_url or app.state.settings.database_url)
        if settings.auto_migrate:
            migrate(db.engine)
    notifier: Notifier = getattr(app.state, "followup_notifier", None) or make_notifier(settings)
    return FollowupService(
        db,
        load_protocol(),
        load_kb(),
        notifier,
        max_questions=settings.max_questions,
        link_valid_days=settings.link_valid_days_after_last_check_in,
        base_url=settings.base_url,
    )


def service_of(request: Request) -> FollowupService:
    app = request.app
    service = getattr(app.state, "followup_service", None)
    if service is None:
        with _LOCK:
            service = getattr(app.state, "followup_service", None)
            if service is None:
                service = _build(app)
                app.state.followup_service = service
    return service
