"""Typed contexts of the follow-up pages; each template renders exactly one of these."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from esiguard.web.case_form import FormError
from esiguard.web.choices import Choice
from esiguard.web.contexts import PageContext
from esiguard.web.followup.plot import PlotView

__all__ = [
    "AuditPage",
    "AuditRow",
    "CheckInDonePage",
    "CheckInFormPage",
    "CheckInView",
    "DashboardPage",
    "DashboardRowView",
    "EnrolPage",
    "EnrolledPage",
    "EscalationView",
    "LoginPage",
    "OdiSectionView",
    "OutcomeView",
    "OutcomesFormPage",
    "PatientPage",
    "QuestionItem",
    "SlotView",
]


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClinicPage(PageContext):
    clinician_email: str = Field(description="Who is signed in.")
    is_admin: bool = Field(description="The signed-in clinician is an admin (sees the audit log).")
    csrf_token: str = Field(description="Sent back with every form that changes something.")


class LoginPage(PageContext):
    errors: list[FormError] = Field(description="Why the last sign-in failed.")
    email: str = Field(description="The e-mail typed last time.")
    csrf_token: str = Field(description="Double-submit token matching the login cookie.")


class DashboardRowView(_View):
    enrolment_id: int
    patient_label: str
    state: str = Field(description="escalated | overdue | due | waiting")
    state_label: str
    priority_label: str = Field(description="The most urgent open escalation, in words.")
    open_escalations: int
    next_due: str = Field(description="When the next (or missed) check-in is due, UTC.")
    injected: str


class DashboardPage(ClinicPage):
    rows: list[DashboardRowView] = Field(description="Most urgent first.")
    counts: dict[str, int] = Field(description="How many rows are in each state.")


class EnrolPage(ClinicPage):
    errors: list[FormError]
    values: dict[str, str]
    approaches: list[Choice]
    regions: list[Choice]
    sides: list[Choice]
    steroids: list[Choice]
    anesthetics: list[Choice]


class SlotView(_View):
    label: str
    due: str
    state: str = Field(description="done | open | missed | later")


class EnrolledPage(ClinicPage):
    enrolment_id: int
    patient_label: str
    link: str = Field(description="The patient's secret link; shown once.")
    slots: list[SlotView]


class CheckInView(_View):
    id: int
    submitted: str
    hours: str
    slot_label: str
    pain_nrs: int
    leg_weakness: str
    disposition: str
    headline: str
    present: list[str] = Field(description="Warning signs reported present, in words.")


class EscalationView(_View):
    id: int
    summary: str
    created: str
    priority: int
    acknowledged: str | None = Field(description="When and by whom; None while open.")
    note: str | None


class OutcomeView(_View):
    label: str
    baseline: str
    two_weeks: str
    change: str


class PatientPage(ClinicPage):
    enrolment_id: int
    patient_label: str
    injected: str
    procedure: str
    slots: list[SlotView]
    check_ins: list[CheckInView]
    escalations: list[EscalationView]
    outcomes: list[OutcomeView]
    plot: PlotView | None = Field(description="None until the first check-in.")


class AuditRow(_View):
    at: str
    actor: str
    action: str
    record: str
    detail: str


class AuditPage(ClinicPage):
    entries: list[AuditRow]


class QuestionItem(_View):
    code: str
    text: str


class CheckInFormPage(PageContext):
    action: str = Field(description="Where the form posts (the patient's link).")
    slot_label: str | None = Field(description="The scheduled check-in this fills, if any.")
    questions: list[QuestionItem]
    errors: list[FormError]
    values: dict[str, str]
    submission_id: str = Field(description="Makes a re-sent form count once.")
    outcomes_link: str | None = Field(description="Questionnaire to fill in, if one is due.")
    outcomes_label: str | None


class CheckInDonePage(PageContext):
    disposition: str
    headline: str
    do_now: list[str]
    unanswered: list[str]
    advice: str
    clinic_told: bool = Field(description="An escalation went to the clinic.")
    back_link: str


class OdiSectionView(_View):
    id: str
    number: int
    title: str
    optional: bool
    statements: list[str]


class OutcomesFormPage(PageContext):
    action: str
    timepoint_label: str
    sections: list[OdiSectionView]
    errors: list[FormError]
    values: dict[str, str]
