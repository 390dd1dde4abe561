"""Turn the protocol's check-in times into dated slots for one injection."""

from __future__ import annotations

import datetime as dt

from esiguard.followup.protocol import FollowupProtocol
from esiguard.store.repository import SlotPlan

__all__ = ["link_expiry", "plan_slots"]


def plan_slots(protocol: FollowupProtocol, injected_at: dt.datetime) -> list[SlotPlan]:
    plans = []
    for slot in protocol.slots:
        due = injected_at + dt.timedelta(hours=slot.due_hours)
        plans.append(
            SlotPlan(
                slot_key=slot.id,
                label=slot.label,
                opens_at=due - dt.timedelta(hours=slot.opens_hours_before),
                due_at=due,
                closes_at=due + dt.timedelta(hours=slot.window_hours),
                collects_outcomes=slot.collects_outcomes,
            )
        )
    return plans


def link_expiry(plans: list[SlotPlan], injected_at: dt.datetime, days_after: float) -> dt.datetime:
    last = max((p.closes_at for p in plans), default=injected_at)
    return last + dt.timedelta(days=days_after)
