"""The follow-up store and service on SQLite and PostgreSQL (each test rolled back)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from tests.followup.helpers import PROCEDURE

from esiguard.followup.service import CheckInAnswers, FollowupService
from esiguard.store import repository as repo
from esiguard.store.tables import CheckIn, CheckInSlot, Escalation, utcnow

ALL_NO = {"saddle_numbness": "no", "urinary_retention": "no", "bowel_incontinence": "no"}


def enrol(
    service: FollowupService, clinic_id: int, hours_ago: float = 0, label: str = "P"
) -> tuple:
    return service.enrol(
        clinic_id=clinic_id, user_id=None, actor="test", patient_label=label,
        procedure=PROCEDURE, injected_at=utcnow() - dt.timedelta(hours=hours_ago),
    )  # fmt: skip


def answers(sub: str, weakness: str = "none", **extra: str) -> CheckInAnswers:
    return CheckInAnswers(
        pain_nrs=4, leg_weakness=weakness, answers={**ALL_NO, **extra}, submission_id=sub
    )


def test_enrolment_schedules_the_protocols_five_check_ins_and_stores_only_a_link_hash(
    service, seeded, db
):
    enrolment, token = enrol(service, seeded.clinic_a)
    with db.session() as s:
        slots = repo.slots_of(s, enrolment.id)
        assert [x.slot_key for x in slots] == ["h2", "h8", "h24", "h72", "w2"]
        hours = [(x.due_at - enrolment.injected_at).total_seconds() / 3600 for x in slots]
        assert hours == [2, 8, 24, 72, 336]
        assert token not in enrolment.token_hash
        assert repo.enrolment_by_token(s, token).id == enrolment.id
        assert repo.enrolment_by_token(s, token + "x") is None
        assert slots[0].due_at.tzinfo is not None


def test_a_check_in_is_triaged_stored_and_fills_the_open_slot(service, seeded, db):
    enrolment, _ = enrol(service, seeded.clinic_a, hours_ago=2.5)
    outcome = service.record_check_in(enrolment.id, answers("sub-00001"))
    assert outcome.check_in.slot_key == "h2"
    assert outcome.check_in.disposition in ("emergency", "urgent", "routine", "self_care")
    with db.session() as s:
        stored = s.get(CheckIn, outcome.check_in.id)
        assert stored.case["procedure"]["approach"] == "transforaminal"
        assert stored.result["format"] == "esi-result/1"
        slot = s.scalar(
            select(CheckInSlot).where(
                CheckInSlot.slot_key == "h2", CheckInSlot.enrolment_id == enrolment.id
            )
        )
        assert slot.check_in_id == stored.id


def test_the_same_submission_sent_twice_is_stored_once(service, seeded, db):
    enrolment, _ = enrol(service, seeded.clinic_a, hours_ago=3)
    first = service.record_check_in(enrolment.id, answers("sub-twice1"))
    second = service.record_check_in(enrolment.id, answers("sub-twice1"))
    assert second.duplicate and second.check_in.id == first.check_in.id
    with db.session() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(CheckIn)
                .where(CheckIn.enrolment_id == enrolment.id)
            )
            == 1
        )


def test_an_emergency_check_in_raises_an_emergency_escalation(service, seeded):
    enrolment, _ = enrol(service, seeded.clinic_a, hours_ago=30)
    outcome = service.record_check_in(enrolment.id, answers("sub-emerg1", saddle_numbness="yes"))
    assert outcome.check_in.disposition == "emergency"
    assert [e.rule_id for e in outcome.escalations] == ["emergency_check_in"]


def test_a_red_flag_reported_again_is_escalated_as_repeated(service, seeded):
    enrolment, _ = enrol(service, seeded.clinic_a, hours_ago=3)
    service.record_check_in(enrolment.id, answers("sub-rep-01", weakness="mild"))
    second = service.record_check_in(enrolment.id, answers("sub-rep-02", weakness="mild"))
    rules = {e.rule_id for e in second.escalations}
    assert "repeated_red_flag" in rules
    summary = next(e.summary for e in second.escalations if e.rule_id == "repeated_red_flag")
    assert "eg weakness" in summary


def test_a_self_care_check_in_raises_nothing(service, seeded, kb):
    enrolment, _ = enrol(service, seeded.clinic_a, hours_ago=30)
    codes = [q.code for q in service.questions_for(enrolment, utcnow())]
    every_no = {c: "no" for c in kb.findings if c != "leg_weakness"}
    outcome = service.record_check_in(
        enrolment.id,
        CheckInAnswers(
            pain_nrs=2, leg_weakness="none", answers=every_no, submission_id="sub-calm01"
        ),
    )
    assert codes, "the check-in asks warning-sign questions"
    assert outcome.check_in.disposition in ("self_care", "routine")
    assert outcome.escalations == []


def test_a_missed_check_in_is_escalated_once_however_often_the_sweep_runs(service, seeded, db):
    enrolment, _ = enrol(service, seeded.clinic_a, hours_ago=5)  # the 2 h window closed at 4 h
    assert service.sweep_missed() == 1
    assert service.sweep_missed() == 0
    with db.session() as s:
        rows = repo.escalations_of(s, enrolment.id)
    assert [(e.rule_id, e.reason_key) for e in rows] == [("missed_check_in", "missed:h2")]


def test_the_dashboard_lists_most_urgent_first_and_only_the_clinics_own_patients(
    service, seeded, db
):
    enrol(service, seeded.clinic_a, hours_ago=0, label="waiting")
    enrol(service, seeded.clinic_a, hours_ago=1.5, label="due")
    enrol(service, seeded.clinic_a, hours_ago=5, label="overdue")
    urgent, _ = enrol(service, seeded.clinic_a, hours_ago=3, label="urgent")
    service.record_check_in(urgent.id, answers("sub-dash01", weakness="severe"))
    emergency, _ = enrol(service, seeded.clinic_a, hours_ago=30, label="emergency")
    service.record_check_in(emergency.id, answers("sub-dash02", saddle_numbness="yes"))
    enrol(service, seeded.clinic_b, hours_ago=30, label="other clinic")
    with db.session() as s:
        rows = repo.dashboard_rows(s, seeded.clinic_a, utcnow())
    labels = [r.patient_label for r in rows]
    assert "other clinic" not in labels
    assert labels[:2] == ["emergency", "urgent"]
    assert labels.index("overdue") < labels.index("due") < labels.index("waiting")
    states = {r.patient_label: r.state for r in rows}
    assert states == {
        "emergency": "escalated",
        "urgent": "escalated",
        "overdue": "overdue",
        "due": "due",
        "waiting": "waiting",
    }


def test_an_escalation_can_be_acknowledged_only_by_its_own_clinic_and_only_once(
    service, seeded, db
):
    enrolment, _ = enrol(service, seeded.clinic_a, hours_ago=30)
    outcome = service.record_check_in(enrolment.id, answers("sub-ack001", saddle_numbness="yes"))
    esc_id = outcome.escalations[0].id
    with db.session() as s:
        nurse = repo.user_by_email(s, seeded.nurse_a).id
    with db.session() as s:
        assert (
            repo.acknowledge_escalation(
                s,
                clinic_id=seeded.clinic_b,
                escalation_id=esc_id,
                user_id=nurse,
                note="x",
                now=utcnow(),
            )
            is None
        )
    with db.session() as s:
        done = repo.acknowledge_escalation(
            s,
            clinic_id=seeded.clinic_a,
            escalation_id=esc_id,
            user_id=nurse,
            note="called, sent to ED",
            now=utcnow(),
        )
        assert done is not None
    with db.session() as s:
        assert (
            repo.acknowledge_escalation(
                s,
                clinic_id=seeded.clinic_a,
                escalation_id=esc_id,
                user_id=nurse,
                note="again",
                now=utcnow(),
            )
            is None
        )
        assert s.get(Escalation, esc_id).note == "called, sent to ED"


def test_a_failed_transaction_leaves_nothing_behind(service, seeded, db):
    enrolment, _ = enrol(service, seeded.clinic_a, hours_ago=3)
    with pytest.raises(RuntimeError), db.session() as s:  # noqa: PT012 - the crash is the point
        s.add(CheckIn(enrolment_id=enrolment.id, clinic_id=seeded.clinic_a, submission_id="gone-0001",
                      submitted_at=utcnow(), hours_since_injection=3, pain_nrs=1, leg_weakness=0,
                      present_findings=[], case={}, disposition="routine", headline="", result={}))  # fmt: skip
        s.flush()
        raise RuntimeError("crash before commit")
    with db.session() as s:
        assert repo.find_check_in(s, enrolment.id, "gone-0001") is None
