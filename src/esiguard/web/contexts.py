"""Typed contexts of the server-rendered pages: each template renders exactly one of these.

Every field carries a description (its `help`), and the templates run with StrictUndefined,
so a template that uses a field not declared here fails loudly in the tests.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from esiguard.web.case_form import FormError
from esiguard.web.choices import Choice

__all__ = [
    "ApiDocsPage",
    "ApiRoute",
    "CauseView",
    "EducationEntryPage",
    "EducationLink",
    "EducationListPage",
    "ErrorPage",
    "MedicationPlanView",
    "PageContext",
    "QuestionPage",
    "QuestionView",
    "ReasonView",
    "RedFlagView",
    "ResultPage",
    "ScreeningFormPage",
    "ScreeningResultPage",
    "SiteContext",
    "StartPage",
    "TextBlock",
    "TraceView",
    "UnansweredView",
]

Disposition = Literal["emergency", "urgent", "routine", "self_care"]


class _Context(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteContext(_Context):
    """What every page shows: the emergency number and which parts of esiguard are present."""

    emergency_number: str = Field(description="Emergency phone number, e.g. 911, 999, 112.")
    emergency_service_name: str = Field(description="What the number reaches, in plain words.")
    kb_version: str | None = Field(description="Knowledge-base version, None if not loadable.")
    has_triage: bool = Field(description="The triage engine is installed.")
    has_screening: bool = Field(description="Pre-procedure screening is installed.")
    has_education: bool = Field(description="Patient education is installed.")
    has_intake: bool = Field(description="Free-text intake is installed.")


class PageContext(_Context):
    """Fields shared by every page."""

    title: str = Field(description="The page's <title> and, usually, its <h1>.")
    section: str = Field(description="Which navigation item is current: check, screening ...")


class StartPage(PageContext):
    errors: list[FormError] = Field(description="Problems with the last submission, in order.")
    values: dict[str, str] = Field(description="What was typed last time, to fill the form.")
    events: list[str] = Field(description="Procedure events ticked last time.")
    approaches: list[Choice] = Field(description="Injection approaches offered.")
    regions: list[Choice] = Field(description="Spine regions offered.")
    sides: list[Choice] = Field(description="Sides offered.")
    anesthetics: list[Choice] = Field(description="Local anaesthetics offered.")
    steroids: list[Choice] = Field(description="Steroids offered.")
    guidance: list[Choice] = Field(description="Imaging guidance offered.")
    event_choices: list[Choice] = Field(description="Procedure events offered.")
    time_units: list[Choice] = Field(description="Hours or days.")
    upload_errors: list[FormError] = Field(description="Problems with an uploaded case file.")


class QuestionView(_Context):
    key: str = Field(description="'code' or 'code.attribute': what the answer fills in.")
    text: str = Field(description="The question, in plain words.")
    answer_type: str = Field(description="yes_no_unsure, choice, number or blood_pressure.")
    options: list[Choice] = Field(description="Answers to choose from (choice questions).")
    units: list[Choice] = Field(description="Units a number may be given in; empty for none.")
    unit_label: str | None = Field(description="Unit shown beside a number input.")
    red_flag: bool = Field(description="The question asks about a warning sign.")


class QuestionPage(PageContext):
    question: QuestionView = Field(description="The one question on this screen.")
    case_json: str = Field(description="The partial case so far (hidden field).")
    asked_json: str = Field(description="Question keys already answered or skipped (hidden).")
    answered: int = Field(description="How many questions have been answered so far.")
    remaining: int = Field(description="How many questions are left, this one included.")
    errors: list[FormError] = Field(description="Problems with the last answer.")
    values: dict[str, str] = Field(description="The last answer, to fill the form again.")


class CauseView(_Context):
    label: str = Field(description="Name of the possible cause.")
    plain: str | None = Field(description="What it is, in plain words (from the knowledge base).")
    why: str = Field(description="Why it is considered for this case.")


class RedFlagView(_Context):
    label: str = Field(description="The warning sign found.")
    why: str = Field(description="Why it matters.")


class UnansweredView(_Context):
    code: str = Field(description="Finding code of the red-flag question not answered.")
    question: str = Field(description="The question, in plain words.")


class TraceView(_Context):
    title: str = Field(description="The rule, in words.")
    outcome: str = Field(description="'fired', 'blocked_by_unknown' or 'policy'.")
    effect: str = Field(description="What it did to the disposition.")
    findings: list[str] = Field(description="Findings it matched.")
    unknown: list[str] = Field(description="Unknown findings that held it up.")
    sources: list[str] = Field(description="Source ids.")


class EducationLink(_Context):
    id: str = Field(description="Education entry id.")
    title: str = Field(description="Entry title.")


class ResultPage(PageContext):
    disposition: Disposition = Field(description="emergency, urgent, routine or self_care.")
    headline: str = Field(description="One plain sentence from the engine.")
    red_flags: list[RedFlagView] = Field(description="Warning signs present.")
    causes: list[CauseView] = Field(description="Likely causes, most important first.")
    do_now: list[str] = Field(description="What to do now.")
    watch_for: list[str] = Field(description="What to watch for.")
    home_care: list[str] = Field(description="Looking after yourself at home.")
    info: list[str] = Field(description="Other information.")
    advice: str = Field(description="The engine's advice as one text (used if no items).")
    unanswered: list[UnansweredView] = Field(description="Red-flag questions not answered.")
    education: list[EducationLink] = Field(description="Related education entries.")
    citations: list[str] = Field(description="Sources of the advice.")
    trace: list[TraceView] = Field(description="Rules that fired or were held up by an unknown.")
    kb_version: str = Field(description="Knowledge-base version that produced the result.")
    case_json: str = Field(description="The case, for the download and continue forms.")
    asked_json: str = Field(description="Question keys already answered or skipped.")
    can_continue: bool = Field(description="More questions could still be answered.")


class MedicationPlanView(_Context):
    drug: str = Field(description="The medicine, as given (with its generic name if different).")
    action: str = Field(description="Continue, hold, decide together, or unknown, in words.")
    instruction: str = Field(description="What the patient should do, in plain words.")
    details: list[str] = Field(description="Timing, guideline text and questions, one per line.")


class ReasonView(_Context):
    severity: str = Field(description="block, postpone, caution or info.")
    title: str = Field(description="The reason in a few words.")
    text: str = Field(description="The reason explained.")
    alternative: str | None = Field(description="What could be done instead, if anything.")


class ScreeningFormPage(PageContext):
    errors: list[FormError] = Field(description="Problems with the last submission.")
    values: dict[str, str] = Field(description="What was typed last time.")
    conditions: list[str] = Field(description="Conditions ticked last time.")
    approaches: list[Choice] = Field(description="Injection approaches offered.")
    regions: list[Choice] = Field(description="Spine regions offered.")
    sides: list[Choice] = Field(description="Sides offered.")
    anesthetics: list[Choice] = Field(description="Local anaesthetics offered.")
    steroids: list[Choice] = Field(description="Steroids offered.")
    guidance: list[Choice] = Field(description="Imaging guidance offered.")
    condition_choices: list[Choice] = Field(description="Conditions offered.")
    medication_rows: int = Field(description="How many medication rows the form has.")


class ScreeningResultPage(PageContext):
    decision: str = Field(description="proceed, proceed_with_precautions, postpone ...")
    decision_text: str = Field(description="The decision in words.")
    headline: str = Field(description="One sentence from screening.")
    bleeding_risk: str | None = Field(description="Bleeding-risk class of the procedure.")
    reasons: list[ReasonView] = Field(description="Why, most serious first.")
    medication_plan: list[MedicationPlanView] = Field(description="Per-drug plan.")
    unanswered: list[str] = Field(description="What screening still needs to know.")
    citations: list[str] = Field(description="Sources.")
    kb_version: str = Field(description="Knowledge-base version.")
    case_json: str = Field(description="The screening case, for download.")


class EducationListPage(PageContext):
    query: str = Field(description="The search words, '' when listing everything.")
    entries: list[EducationLink] = Field(description="Entries listed or found.")
    summaries: dict[str, str] = Field(description="Short answer per entry id.")


class TextBlock(_Context):
    """One paragraph of an answer: a lead sentence and/or a bulleted list."""

    lead: str = Field(description="The paragraph text ('' when the block is only a list).")
    items: list[str] = Field(description="Bullet points that follow the lead, if any.")


class EducationEntryPage(PageContext):
    entry_id: str = Field(description="Entry id.")
    question: str = Field(description="The question the entry answers.")
    short_answer: str = Field(description="The answer in a sentence or two.")
    blocks: list[TextBlock] = Field(description="The full answer, paragraph by paragraph.")
    warning: bool = Field(description="The entry is about warning signs.")
    related: list[EducationLink] = Field(description="Linked entries.")
    corrections: list[dict[str, str]] = Field(description="Corrections table rows, if any.")
    citations: list[str] = Field(description="Sources, with locators.")
    reviewed_on: str = Field(description="When the entry was last reviewed.")


class ErrorPage(PageContext):
    status: int = Field(description="HTTP status.")
    error: str = Field(description="What went wrong, in one line.")
    errors: list[FormError] = Field(description="Field problems, if any.")


class ApiRoute(_Context):
    method: str = Field(description="HTTP method.")
    path: str = Field(description="Route path.")
    summary: str = Field(description="What it does.")


class ApiDocsPage(PageContext):
    routes: list[ApiRoute] = Field(description="Every API route, from the OpenAPI schema.")
