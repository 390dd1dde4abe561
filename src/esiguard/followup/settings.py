"""Operational settings of the follow-up service (environment prefix ESIGUARD_FOLLOWUP_)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["FollowupSettings"]


class FollowupSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESIGUARD_FOLLOWUP_", extra="ignore", frozen=True)

    database_url: str | None = Field(
        None, description="Database URL; None uses the web app's ESIGUARD_DATABASE_URL."
    )
    auto_migrate: bool = Field(
        True, description="Apply migrations when the app first needs the DB."
    )
    notifier: Literal["smtp", "log"] = Field("smtp", description="How escalations are sent.")
    smtp_host: str = "localhost"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = "esiguard@localhost"
    smtp_timeout_seconds: float = Field(10.0, gt=0)
    base_url: str = Field("", description="Public address put in notification e-mails.")
    cookie_secure: bool = Field(True, description="Send the session cookie over HTTPS only.")
    session_hours: float = Field(12.0, gt=0, description="How long a clinician stays signed in.")
    max_questions: int = Field(
        12,
        ge=1,
        le=60,
        description="Warning-sign questions asked at each check-in (most urgent first).",
    )
    link_valid_days_after_last_check_in: float = Field(
        7.0,
        gt=0,
        description="A patient's link works until this long after the last check-in closes.",
    )
