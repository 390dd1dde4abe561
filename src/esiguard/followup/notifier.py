"""Pluggable notifiers for escalations: write to the log, or send an e-mail over SMTP.

Notifications go out after the escalation is committed; a failed send is logged and leaves
`notified_at` empty, so nothing is lost and the dashboard still shows the escalation.
E-mails carry no clinical details beyond the reason and the enrolment number.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from esiguard.followup.settings import FollowupSettings

__all__ = ["EscalationNotice", "LogNotifier", "Notifier", "SmtpNotifier", "make_notifier"]

log = logging.getLogger("esiguard.followup.notify")


@dataclass(frozen=True)
class EscalationNotice:
    clinic_name: str
    to_address: str | None
    escalation_id: int
    enrolment_id: int
    reason: str
    priority: int
    link: str


class Notifier(Protocol):
    def send(self, notice: EscalationNotice) -> bool:
        """Deliver the notice; True when it was handed over."""
        ...


class LogNotifier:
    def send(self, notice: EscalationNotice) -> bool:
        log.warning(
            "escalation %s for enrolment %s at %s: %s (%s)",
            notice.escalation_id,
            notice.enrolment_id,
            notice.clinic_name,
            notice.reason,
            notice.link,
        )
        return True


class SmtpNotifier:
    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def message(self, notice: EscalationNotice) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = notice.to_address or ""
        msg["Subject"] = f"esiguard escalation: {notice.reason} (enrolment {notice.enrolment_id})"
        msg.set_content(
            f"A follow-up check-in at {notice.clinic_name} needs attention.\n\n"
            f"Reason: {notice.reason}\nEnrolment: {notice.enrolment_id}\n\n"
            f"Open the dashboard to review and acknowledge it:\n{notice.link}\n"
        )
        return msg

    def send(self, notice: EscalationNotice) -> bool:
        if not notice.to_address:
            log.warning("clinic %s has no notification address", notice.clinic_name)
            return False
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(self.message(notice))
        except (OSError, smtplib.SMTPException):
            log.exception("could not e-mail escalation %s", notice.escalation_id)
            return False
        return True


def make_notifier(settings: FollowupSettings) -> Notifier:
    if settings.notifier == "log":
        return LogNotifier()
    return SmtpNotifier(
        settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.smtp_timeout_seconds
    )
