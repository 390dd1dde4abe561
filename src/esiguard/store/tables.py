"""ORM tables of the follow-up store; kept apart from API and page models.

Every time is stored in UTC and read back timezone-aware (UTCDateTime), on SQLite as on
PostgreSQL. `clinic_id` is repeated on the rows the dashboard reads so that its queries
filter on one indexed column and clinic isolation is a WHERE clause on every query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditEntry",
    "Base",
    "CheckIn",
    "CheckInSlot",
    "Clinic",
    "Enrolment",
    "Escalation",
    "Outcome",
    "User",
    "WebSession",
    "utcnow",
]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


class Clinic(Base):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    notify_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # clinician | admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebSession(Base):
    """A signed-in clinician. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class Enrolment(Base):
    """One patient after one injection; the patient's secret link is stored as a SHA-256."""

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_label: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    injected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    link_expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    procedure: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CheckInSlot(Base):
    """A scheduled check-in of one enrolment; `check_in_id` is set when it is done."""

    __tablename__ = "check_in_slots"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "slot_key", name="uq_slot_enrolment_key"),
        Index("ix_slot_clinic_open", "clinic_id", "check_in_id", "closes_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    slot_key: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(80))
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    collects_outcomes: Mapped[bool] = mapped_column(Boolean, default=False)
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id"))


class CheckIn(Base):
    """What the patient answered, the case built from it and the triage result, as stored
    before the patient is told it was received."""

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "submission_id", name="uq_checkin_submission"),
        Index("ix_checkin_enrolment_time", "enrolment_id", "submitted_at"),
        Index("ix_checkin_clinic_time", "clinic_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    slot_key: Mapped[str | None] = mapped_column(String(16))
    submission_id: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    hours_since_injection: Mapped[float] = mapped_column(Float)
    pain_nrs: Mapped[int] = mapped_column(Integer)
    leg_weakness: Mapped[int] = mapped_column(Integer)  # 0 none, 1 mild, 2 moderate, 3 severe
    present_findings: Mapped[list[str]] = mapped_column(JSON)
    case: Mapped[dict[str, Any]] = mapped_column(JSON)
    disposition: Mapped[str] = mapped_column(String(16))
    headline: Mapped[str] = mapped_column(Text)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class Escalation(Base):
    """A reason for the clinic to act. `reason_key` makes raising it idempotent, so two
    workers (or a retried request) never raise the same escalation twice."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "reason_key", name="uq_escalation_reason"),
        Index("ix_escalation_clinic_open", "clinic_id", "acknowledged_at", "priority"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id"))
    rule_id: Mapped[str] = mapped_column(String(40))
    reason_key: Mapped[str] = mapped_column(String(80))
    priority: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)


class Outcome(Base):
    """Pain (0-10) and the Oswestry Disability Index at one time point."""

    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("enrolment_id", "timepoint", name="uq_outcome_timepoint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    timepoint: Mapped[str] = mapped_column(String(16))  # baseline | two_weeks
    pain_nrs: Mapped[int] = mapped_column(Integer)
    odi_answers: Mapped[dict[str, int]] = mapped_column(JSON)
    odi_percent: Mapped[float | None] = mapped_column(Float)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """Who viewed or changed which record, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_clinic_time", "clinic_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
