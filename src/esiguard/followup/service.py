"""The follow-up flow: enrol, record a check-in (triaged by the core engine), raise
escalations, sweep for missed check-ins, acknowledge. Each function is one transaction; the
caller learns of success only after the commit, so an acknowledged check-in is on disk.

Nothing is kept in memory between requests: every decision reads the database, so several
workers can share one PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from esiguard.case import parse_case
from esiguard.followup.notifier import EscalationNotice, Notifier
from esiguard.followup.protocol import FollowupProtocol
from esiguard.followup.schedule import link_expiry, plan_slots
from esiguard.kb import KnowledgeBase
from esiguard.store import Database
from esiguard.store import repository as repo
from esiguard.store.tables import CheckIn, Clinic, Enrolment, Escalation, utcnow

__all__ = [
    "WEAKNESS_LEVELS",
    "CheckInAnswers",
    "FollowupService",
]

log = logging.getLogger("esiguard.followup")

# Leg-weakness answer -> (level on the plot, severity in the case format). Interface mapping
# onto the case format's severity scale, not clinical content.
WEAKNESS_LEVELS: dict[str, tuple[int, str | None]] = {
    "none": (0, None),
    "mild": (1, "mild"),
    "moderate": (2, "moderate"),
    "severe": (3, "severe"),
}
YES_NO_UNSURE = {"yes": True, "no": False, "unsure": None}


@dataclass(frozen=True)
class CheckInAnswers:
    """A patient's answers, already checked for shape by the web layer."""

    pain_nrs: int
    leg_weakness: str  # a key of WEAKNESS_LEVELS
    answers: dict[str, str] = field(default_factory=dict)  # finding code -> yes|no|unsure
    submission_id: str = ""


@dataclass(frozen=True)
class CheckInOutcome:
    check_in: CheckIn
    escalations: list[Escalation]
    duplicate: bool


class FollowupService:
    def __init__(
        self,
        db: Database,
        protocol: FollowupProtocol,
        kb: KnowledgeBase,
        notifier: Notifier,
        *,
        max_questions: int = 12,
        link_valid_days: float = 7.0,
        base_url: str = "",
    ) -> None:
        self.db, self.protocol, self.kb, self.notifier = db, protocol, kb, notifier
        self.max_questions = max_questions
        self.link_valid_days = link_valid_days
        self.base_url = base_url

    # Enrolment -------------------------------------------------------------------------

    def enrol(
        self,
        *,
        clinic_id: int,
        user_id: int | None,
        actor: str,
        patient_label: str,
        procedure: dict[str, Any],
        injected_at: dt.datetime,
    ) -> tuple[Enrolment, str]:
        """Enrol a patient; returns the enrolment and the secret link token (shown once)."""
        # Validate the procedure through the case format before storing anything.
        parse_case({"format": "esi-case/1", "procedure": procedure})
        token = secrets.token_urlsafe(24)
        plans = plan_slots(self.protocol, injected_at)
        with self.db.session() as session:
            enrolment = repo.add_enrolment(
                session,
                clinic_id=clinic_id,
                patient_label=patient_label,
                token=token,
                injected_at=injected_at,
                link_expires_at=link_expiry(plans, injected_at, self.link_valid_days),
                procedure=procedure,
                created_by=user_id,
                slots=plans,
            )
            repo.add_audit(
                session,
                actor=actor,
                action="create",
                record_type="enrolment",
                record_id=enrolment.id,
                clinic_id=clinic_id,
                user_id=user_id,
            )
        return enrolment, token

    # Check-ins -------------------------------------------------------------------------

    def case_for(
        self, enrolment: Enrolment, now: dt.datetime, answers: CheckInAnswers | None = None
    ) -> dict[str, Any]:
        hours = max(0.0, (now - enrolment.injected_at).total_seconds() / 3600.0)
        findings: list[dict[str, Any]] = []
        if answers is not None:
            level, severity = WEAKNESS_LEVELS[answers.leg_weakness]
            weakness: dict[str, Any] = {"code": "leg_weakness", "present": level > 0}
            if severity:
                weakness["severity"] = severity
            findings.append(weakness)
            for code, answer in sorted(answers.answers.items()):
                if code != "leg_weakness":
                    findings.append({"code": code, "present": YES_NO_UNSURE[answer]})
        return {
            "format": "esi-case/1",
            "procedure": enrolment.procedure,
            "hours_since_injection": round(min(hours, 8760.0), 2),
            "findings": findings,
        }

    def questions_for(self, enrolment: Enrolment, now: dt.datetime) -> list[Any]:
        """Warning-sign questions for a check-in now: yes/no questions in the engine's order
        (red flags first), leg weakness excluded (asked on its own scale)."""
        from esiguard.pipeline import next_questions

        case = parse_case(self.case_for(enrolment, now))
        chosen = []
        for q in next_questions(case, self.kb):
            if (
                q.attribute is None
                and q.answer_type == "yes_no_unsure"
                and q.code != "leg_weakness"
            ):
                chosen.append(q)
            if len(chosen) >= self.max_questions:
                break
        return chosen

    def record_check_in(
        self, enrolment_id: int, answers: CheckInAnswers, now: dt.datetime | None = None
    ) -> CheckInOutcome:
        """Triage and store one check-in, raise its escalations, then notify (after commit)."""
        from esiguard.pipeline import triage

        now = now or utcnow()
        submission_id = answers.submission_id or uuid.uuid4().hex
        with self.db.session() as session:
            enrolment = session.get(Enrolment, enrolment_id, with_for_update=True)
            if enrolment is None:
                raise LookupError(enrolment_id)
            existing = repo.find_check_in(session, enrolment_id, submission_id)
            if existing is not None:  # the same form sent twice: store it once
                return CheckInOutcome(existing, [], duplicate=True)
            case = parse_case(self.case_for(enrolment, now, answers))
            result = triage(case, self.kb)
            present = [f.code for f in case.findings if f.present is True]
            slot = repo.open_slot(session, enrolment_id, now)
            earlier = repo.check_ins_of(session, enrolment_id)
            check_in = repo.add_check_in(
                session,
                CheckIn(
                    enrolment_id=enrolment_id,
                    clinic_id=enrolment.clinic_id,
                    slot_key=slot.slot_key if slot else None,
                    submission_id=submission_id,
                    submitted_at=now,
                    hours_since_injection=case.hours_since_injection or 0.0,
                    pain_nrs=answers.pain_nrs,
                    leg_weakness=WEAKNESS_LEVELS[answers.leg_weakness][0],
                    present_findings=present,
                    case=case.to_json_dict(),
                    disposition=result.disposition,
                    headline=result.headline,
                    result=result.model_dump(mode="json", exclude={"trace"}),
                ),
                slot,
            )
            raised = []
            for escalation in self._escalations_for(enrolment, check_in, earlier, now):
                if repo.raise_escalation(session, escalation) is not None:
                    raised.append(escalation)
            repo.add_audit(
                session,
                actor="patient-link",
                action="create",
                record_type="check_in",
                record_id=check_in.id,
                clinic_id=enrolment.clinic_id,
                detail=f"disposition={result.disposition}",
            )
        self.notify(raised)
        return CheckInOutcome(check_in, raised, duplicate=False)

    def _escalations_for(
        self, enrolment: Enrolment, check_in: CheckIn, earlier: list[CheckIn], now: dt.datetime
    ) -> list[Escalation]:
        out = []
        for rule in self.protocol.rules_of("disposition"):
            if check_in.disposition in rule.dispositions:
                out.append(
                    self._escalation(
                        enrolment, rule.id, f"check_in:{check_in.id}:{rule.id}", now,
                        f"{rule.label}: {check_in.headline}", check_in.id,
                    )
                )  # fmt: skip
        red_flags = {c for c in check_in.present_findings if self._is_red_flag(c)}
        for rule in self.protocol.rules_of("repeated_finding"):
            repeated = sorted(
                code
                for code in red_flags
                if 1 + sum(code in c.present_findings for c in earlier) >= rule.min_reports
            )
            if repeated:
                labels = ", ".join(self.kb.findings[c].label for c in repeated)
                out.append(
                    self._escalation(
                        enrolment, rule.id, f"repeat:{check_in.id}", now,
                        f"{rule.label}: {labels}", check_in.id,
                    )
                )  # fmt: skip
        return out

    def _is_red_flag(self, code: str) -> bool:
        finding = self.kb.findings.get(code)
        return bool(finding and finding.red_flag)

    def _escalation(
        self,
        enrolment: Enrolment,
        rule_id: str,
        reason_key: str,
        now: dt.datetime,
        summary: str,
        check_in_id: int | None = None,
    ) -> Escalation:
        rule = self.protocol.rule(rule_id)
        assert rule is not None
        return Escalation(
            clinic_id=enrolment.clinic_id,
            enrolment_id=enrolment.id,
            check_in_id=check_in_id,
            rule_id=rule_id,
            reason_key=reason_key,
            priority=rule.priority,
            summary=summary,
            created_at=now,
        )

    # Missed check-ins ------------------------------------------------------------------

    def sweep_missed(self, now: dt.datetime | None = None, clinic_id: int | None = None) -> int:
        """Escalate every check-in whose window closed unanswered; safe to run from any number
        of workers at once (the reason key is unique per enrolment)."""
        now = now or utcnow()
        rules = self.protocol.rules_of("missed")
        if not rules:
            return 0
        rule = rules[0]
        raised = []
        with self.db.session() as session:
            for slot in repo.overdue_slots_without_escalation(session, now, clinic_id):
                enrolment = session.get(Enrolment, slot.enrolment_id)
                assert enrolment is not None
                escalation = self._escalation(
                    enrolment, rule.id, f"missed:{slot.slot_key}", now,
                    f"{rule.label}: {slot.label}",
                )  # fmt: skip
                if repo.raise_escalation(session, escalation) is not None:
                    raised.append(escalation)
        self.notify(raised)
        return len(raised)

    # Notifications ---------------------------------------------------------------------

    def notify(self, escalations: list[Escalation]) -> None:
        for escalation in escalations:
            with self.db.session() as session:
                clinic = session.get(Clinic, escalation.clinic_id)
                assert clinic is not None
                notice = EscalationNotice(
                    clinic_name=clinic.name,
                    to_address=clinic.notify_email,
                    escalation_id=escalation.id,
                    enrolment_id=escalation.enrolment_id,
                    reason=self.protocol.rule(escalation.rule_id).label  # type: ignore[union-attr]
                    if self.protocol.rule(escalation.rule_id)
                    else escalation.rule_id,
                    priority=escalation.priority,
                    link=f"{self.base_url}/clinic/patients/{escalation.enrolment_id}",
                )
            try:
                sent = self.notifier.send(notice)
            except Exception:  # a broken notifier must never undo a stored escalation
                log.exception("notifier failed for escalation %s", escalation.id)
                sent = False
            if sent:
                with self.db.session() as session:
                    row = session.get(Escalation, escalation.id)
                    if row is not None:
                        row.notified_at = utcnow()
