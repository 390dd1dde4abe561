"""Escalations reach the clinic through a real local SMTP server (aiosmtpd), and a broken
mail server loses nothing."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from tests.followup.helpers import PROCEDURE, free_port

from esiguard.followup.notifier import SmtpNotifier
from esiguard.followup.protocol import load_protocol
from esiguard.followup.service import CheckInAnswers, FollowupService
from esiguard.kb import load_kb
from esiguard.store.tables import Escalation, utcnow


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def emergency_check_in(service: FollowupService, clinic_id: int):
    enrolment, _ = service.enrol(
        clinic_id=clinic_id, user_id=None, actor="test", patient_label="Sensitive Name",
        procedure=PROCEDURE, injected_at=utcnow() - dt.timedelta(hours=30),
    )  # fmt: skip
    answers = CheckInAnswers(
        pain_nrs=6,
        leg_weakness="none",
        answers={"saddle_numbness": "yes"},
        submission_id="smtp-0001",
    )
    return service.record_check_in(enrolment.id, answers)


def test_an_emergency_check_in_is_emailed_to_the_clinic_without_the_patients_name(smtp, db, seeded):
    controller, inbox = smtp
    service = FollowupService(
        db, load_protocol(), load_kb(), SmtpNotifier("127.0.0.1", controller.port, "esiguard@test")
    )
    outcome = emergency_check_in(service, seeded.clinic_a)
    assert len(inbox.messages) == 1
    rcpt, message = inbox.messages[0]
    assert rcpt == ["alerts@a.example"]
    assert "Emergency result" in message["Subject"]
    body = message.get_payload()
    assert f"/clinic/patients/{outcome.check_in.enrolment_id}" in body
    assert "Sensitive Name" not in message.as_string()
    with db.session() as s:
        assert s.get(Escalation, outcome.escalations[0].id).notified_at is not None


def test_when_the_mail_server_is_down_the_escalation_is_kept_and_marked_unsent(db, seeded):
    dead_port = free_port()  # nothing listens here
    service = FollowupService(
        db,
        load_protocol(),
        load_kb(),
        SmtpNotifier("127.0.0.1", dead_port, "esiguard@test", timeout=2),
    )
    outcome = emergency_check_in(service, seeded.clinic_a)
    with db.session() as s:
        stored = s.get(Escalation, outcome.escalations[0].id)
        assert stored is not None and stored.notified_at is None
