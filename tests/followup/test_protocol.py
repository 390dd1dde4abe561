"""The follow-up protocol data: schedule, escalation rules and Oswestry scoring."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.followup.helpers import ODI_SECTIONS, ODI_SECTIONS_WITHOUT_SEX_LIFE

from esiguard.followup.odi import OdiError, odi_percent
from esiguard.followup.protocol import load_protocol
from esiguard.followup.schedule import plan_slots


@pytest.fixture(scope="module")
def protocol():
    return load_protocol()


def test_the_default_schedule_is_2h_8h_24h_72h_and_2_weeks(protocol):
    assert [s.due_hours for s in protocol.slots] == [2, 8, 24, 72, 336]
    assert [s.id for s in protocol.slots if s.collects_outcomes] == ["w2"]


def test_every_protocol_entry_cites_a_known_source(protocol, kb):
    entries = [*protocol.slots, *protocol.rules, *protocol.odi_sections, protocol.odi_scoring]
    for entry in entries:
        assert entry.sources and all(s.ref in kb.sources for s in entry.sources), entry.id
    assert "FAIRBANK-2000" in kb.sources


def test_escalation_rules_rank_emergency_over_urgent_over_repeat_over_missed(protocol):
    order = sorted(protocol.rules, key=lambda r: -r.priority)
    assert [r.kind for r in order] == ["disposition", "disposition", "repeated_finding", "missed"]
    assert order[0].dispositions == ["emergency"]


def test_slots_open_before_and_close_after_their_due_time(protocol):
    injected = dt.datetime(2026, 11, 25, 8, tzinfo=dt.UTC)
    for plan in plan_slots(protocol, injected):
        assert plan.opens_at <= plan.due_at < plan.closes_at


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            dict.fromkeys(
                ODI_SECTIONS,
                0,
            ),
            0.0,
        ),
        (
            dict.fromkeys(
                ODI_SECTIONS,
                5,
            ),
            100.0,
        ),
        # Sex life left out: 9 sections, denominator 45 (Fairbank & Pynsent 2000): 18/45 = 40 %.
        (
            dict.fromkeys(
                ODI_SECTIONS_WITHOUT_SEX_LIFE,
                2,
            ),
            40.0,
        ),
    ],
)
def test_odi_is_the_score_over_five_times_the_sections_answered(protocol, answers, expected):
    assert odi_percent(answers, protocol) == expected


def test_odi_refuses_too_few_sections_and_scores_out_of_range(protocol):
    with pytest.raises(OdiError):
        odi_percent({"pain_intensity": 1}, protocol)
    with pytest.raises(OdiError) as err:
        odi_percent({s.id: 6 for s in protocol.odi_sections}, protocol)
    assert err.value.field == "pain_intensity"
