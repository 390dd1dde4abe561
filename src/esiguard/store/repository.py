"""Queries and writes of the follow-up store. Every read that a clinician makes takes the
clinic id and filters on it, so one clinic can never load another clinic's records.

Functions take an open Session and never commit: the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esiguard.store.tables import (
    AuditEntry,
    CheckIn,
    CheckInSlot,
    Clinic,
    Enrolment,
    Escalation,
    Outcome,
    User,
    WebSession,
)

__all__ = [
    "DashboardRow",
    "SlotPlan",
    "acknowledge_escalation",
    "add_audit",
    "add_check_in",
    "add_enrolment",
    "audit_entries",
    "check_ins_of",
    "dashboard_rows",
    "enrolment_by_token",
    "enrolment_for_clinic",
    "escalations_of",
    "find_check_in",
    "hash_token",
    "open_slot",
    "outcomes_of",
    "overdue_slots_without_escalation",
    "raise_escalation",
    "save_outcome",
    "slots_of",
]


def hash_token(token: str) -> str:
    """Secrets (patient links, session tokens) are stored only as their SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SlotPlan:
    slot_key: str
    label: str
    opens_at: dt.datetime
    due_at: dt.datetime
    closes_at: dt.datetime
    collects_outcomes: bool


def add_enrolment(
    session: Session,
    *,
    clinic_id: int,
    patient_label: str,
    token: str,
    injected_at: dt.datetime,
    link_expires_at: dt.datetime,
    procedure: dict[str, Any],
    created_by: int | None,
    slots: list[SlotPlan],
) -> Enrolment:
    enrolment = Enrolment(
        clinic_id=clinic_id,
        patient_label=patient_label,
        token_hash=hash_token(token),
        injected_at=injected_at,
        link_expires_at=link_expires_at,
        procedure=procedure,
        created_by=created_by,
    )
    session.add(enrolment)
    session.flush()
    for plan in slots:
        session.add(
            CheckInSlot(
                enrolment_id=enrolment.id,
                clinic_id=clinic_id,
                slot_key=plan.slot_key,
                label=plan.label,
                opens_at=plan.opens_at,
                due_at=plan.due_at,
                closes_at=plan.closes_at,
                collects_outcomes=plan.collects_outcomes,
            )
        )
    session.flush()
    return enrolment


def enrolment_by_token(session: Session, token: str) -> Enrolment | None:
    return session.scalar(select(Enrolment).where(Enrolment.token_hash == hash_token(token)))


def enrolment_for_clinic(session: Session, clinic_id: int, enrolment_id: int) -> Enrolment | None:
    """The enrolment, only if it belongs to `clinic_id` (None otherwise: no existence leak)."""
    return session.scalar(
        select(Enrolment).where(Enrolment.id == enrolment_id, Enrolment.clinic_id == clinic_id)
    )


def slots_of(session: Session, enrolment_id: int) -> list[CheckInSlot]:
    return list(
        session.scalars(
            select(CheckInSlot)
            .where(CheckInSlot.enrolment_id == enrolment_id)
            .order_by(CheckInSlot.due_at)
        )
    )


def open_slot(session: Session, enrolment_id: int, now: dt.datetime) -> CheckInSlot | None:
    """The earliest scheduled check-in that is open now and not yet done."""
    return session.scalar(
        select(CheckInSlot)
        .where(
            CheckInSlot.enrolment_id == enrolment_id,
            CheckInSlot.check_in_id.is_(None),
            CheckInSlot.opens_at <= now,
            CheckInSlot.closes_at > now,
        )
        .order_by(CheckInSlot.due_at)
        .limit(1)
    )


def find_check_in(session: Session, enrolment_id: int, submission_id: str) -> CheckIn | None:
    return session.scalar(
        select(CheckIn).where(
            CheckIn.enrolment_id == enrolment_id, CheckIn.submission_id == submission_id
        )
    )


def add_check_in(session: Session, check_in: CheckIn, slot: CheckInSlot | None) -> CheckIn:
    session.add(check_in)
    session.flush()
    if slot is not None:
        # Only claim a slot nobody has filled, so two concurrent check-ins cannot both fill it.
        claimed = session.execute(
            update(CheckInSlot)
            .where(CheckInSlot.id == slot.id, CheckInSlot.check_in_id.is_(None))
            .values(check_in_id=check_in.id)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            check_in.slot_key = None
    session.flush()
    return check_in


def check_ins_of(session: Session, enrolment_id: int) -> list[CheckIn]:
    return list(
        session.scalars(
            select(CheckIn)
            .where(CheckIn.enrolment_id == enrolment_id)
            .order_by(CheckIn.submitted_at, CheckIn.id)
        )
    )


def raise_escalation(session: Session, escalation: Escalation) -> Escalation | None:
    """Insert the escalation unless one with the same reason exists (then None)."""
    exists = session.scalar(
        select(Escalation.id).where(
            Escalation.enrolment_id == escalation.enrolment_id,
            Escalation.reason_key == escalation.reason_key,
        )
    )
    if exists is not None:
        return None
    try:
        with session.begin_nested():
            session.add(escalation)
            session.flush()
    except IntegrityError:  # raised at the same moment by another worker
        return None
    return escalation


def escalations_of(session: Session, enrolment_id: int) -> list[Escalation]:
    return list(
        session.scalars(
            select(Escalation)
            .where(Escalation.enrolment_id == enrolment_id)
            .order_by(Escalation.created_at.desc(), Escalation.id.desc())
        )
    )


def acknowledge_escalation(
    session: Session,
    *,
    clinic_id: int,
    escalation_id: int,
    user_id: int,
    note: str,
    now: dt.datetime,
) -> Escalation | None:
    """Acknowledge an open escalation of this clinic; None when there is no such open one."""
    escalation = session.scalar(
        select(Escalation)
        .where(
            Escalation.id == escalation_id,
            Escalation.clinic_id == clinic_id,
            Escalation.acknowledged_at.is_(None),
        )
        .with_for_update()
    )
    if escalation is None:
        return None
    escalation.acknowledged_at = now
    escalation.acknowledged_by = user_id
    escalation.note = note
    session.flush()
    return escalation


def overdue_slots_without_escalation(
    session: Session, now: dt.datetime, clinic_id: int | None = None, limit: int = 500
) -> list[CheckInSlot]:
    """Scheduled check-ins whose window closed with no check-in and no 'missed' escalation."""
    reason = literal("missed:", String) + CheckInSlot.slot_key
    query = (
        select(CheckInSlot)
        .join(Enrolment, Enrolment.id == CheckInSlot.enrolment_id)
        .outerjoin(
            Escalation,
            and_(
                Escalation.enrolment_id == CheckInSlot.enrolment_id,
                Escalation.reason_key == reason,
            ),
        )
        .where(
            CheckInSlot.check_in_id.is_(None),
            CheckInSlot.closes_at <= now,
            Enrolment.status == "active",
            Escalation.id.is_(None),
        )
        .order_by(CheckInSlot.closes_at)
        .limit(limit)
    )
    if clinic_id is not None:
        query = query.where(CheckInSlot.clinic_id == clinic_id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class DashboardRow:
    """One enrolment on the dashboard with what needs doing about it."""

    enrolment_id: int
    patient_label: str
    injected_at: dt.datetime
    state: str  # escalated | overdue | due | waiting
    priority: int  # highest open escalation priority, 0 if none
    open_escalations: int
    next_due_at: dt.datetime | None
    next_label: str | None
    last_disposition: str | None


def dashboard_rows(
    session: Session, clinic_id: int, now: dt.datetime, limit: int = 200
) -> list[DashboardRow]:
    """Patients of one clinic needing attention: escalated (highest priority first), then
    overdue, then due now, then the rest waiting for their next check-in; at most `limit`."""
    esc = (
        select(
            Escalation.enrolment_id.label("eid"),
            func.max(Escalation.priority).label("priority"),
            func.count(Escalation.id).label("n"),
        )
        .where(Escalation.clinic_id == clinic_id, Escalation.acknowledged_at.is_(None))
        .group_by(Escalation.enrolment_id)
        .subquery()
    )
    overdue = (
        select(CheckInSlot.enrolment_id.label("eid"), func.min(CheckInSlot.due_at).label("due"))
        .where(
            CheckInSlot.clinic_id == clinic_id,
            CheckInSlot.check_in_id.is_(None),
            CheckInSlot.closes_at <= now,
        )
        .group_by(CheckInSlot.enrolment_id)
        .subquery()
    )
    pending = (
        select(CheckInSlot.enrolment_id.label("eid"), func.min(CheckInSlot.due_at).label("due"))
        .where(
            CheckInSlot.clinic_id == clinic_id,
            CheckInSlot.check_in_id.is_(None),
            CheckInSlot.closes_at > now,
        )
        .group_by(CheckInSlot.enrolment_id)
        .subquery()
    )
    due_now = (
        select(CheckInSlot.enrolment_id.label("eid"))
        .where(
            CheckInSlot.clinic_id == clinic_id,
            CheckInSlot.check_in_id.is_(None),
            CheckInSlot.opens_at <= now,
            CheckInSlot.closes_at > now,
        )
        .group_by(CheckInSlot.enrolment_id)
        .subquery()
    )
    query = (
        select(
            Enrolment.id,
            Enrolment.patient_label,
            Enrolment.injected_at,
            func.coalesce(esc.c.priority, 0),
            func.coalesce(esc.c.n, 0),
            overdue.c.due,
            pending.c.due,
            due_now.c.eid,
        )
        .outerjoin(esc, esc.c.eid == Enrolment.id)
        .outerjoin(overdue, overdue.c.eid == Enrolment.id)
        .outerjoin(pending, pending.c.eid == Enrolment.id)
        .outerjoin(due_now, due_now.c.eid == Enrolment.id)
        .where(
            Enrolment.clinic_id == clinic_id,
            or_(Enrolment.status == "active", esc.c.eid.is_not(None)),
            or_(esc.c.eid.is_not(None), overdue.c.eid.is_not(None), pending.c.eid.is_not(None)),
        )
        .order_by(
            func.coalesce(esc.c.priority, 0).desc(),
            overdue.c.due.is_(None),
            overdue.c.due,
            due_now.c.eid.is_(None),
            pending.c.due,
            Enrolment.id,
        )
        .limit(limit)
    )
    rows = []
    for eid, label, injected, priority, n, overdue_due, pending_due, due_flag in session.execute(
        query
    ):
        if n:
            state = "escalated"
        elif overdue_due is not None:
            state = "overdue"
        elif due_flag is not None:
            state = "due"
        else:
            state = "waiting"
        rows.append(
            DashboardRow(
                enrolment_id=eid,
                patient_label=label,
                injected_at=injected,
                state=state,
                priority=priority,
                open_escalations=n,
                next_due_at=overdue_due or pending_due,
                next_label=None,
                last_disposition=None,
            )
        )
    return rows


def save_outcome(session: Session, outcome: Outcome) -> Outcome | None:
    """Store an outcome unless that time point is already recorded (then None)."""
    exists = session.scalar(
        select(Outcome.id).where(
            Outcome.enrolment_id == outcome.enrolment_id, Outcome.timepoint == outcome.timepoint
        )
    )
    if exists is not None:
        return None
    session.add(outcome)
    session.flush()
    return outcome


def outcomes_of(session: Session, enrolment_id: int) -> dict[str, Outcome]:
    rows = session.scalars(select(Outcome).where(Outcome.enrolment_id == enrolment_id))
    return {o.timepoint: o for o in rows}


def add_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    record_type: str,
    record_id: object,
    clinic_id: int | None,
    user_id: int | None = None,
    detail: str = "",
) -> None:
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            record_type=record_type,
            record_id=str(record_id),
            clinic_id=clinic_id,
            user_id=user_id,
            detail=detail,
        )
    )


def audit_entries(session: Session, clinic_id: int, limit: int = 500) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.clinic_id == clinic_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


# Accounts and sessions ---------------------------------------------------------------


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def clinic_by_id(session: Session, clinic_id: int) -> Clinic | None:
    return session.get(Clinic, clinic_id)


def session_user(session: Session, token: str, now: dt.datetime) -> tuple[WebSession, User] | None:
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.id == hash_token(token), WebSession.expires_at > now, User.active)
    ).first()
    return (row[0], row[1]) if row else None
