"""Follow-up after the injection: enrolment, scheduled check-ins triaged by the core engine,
escalation to the clinic, notifications and outcomes (pain rating and Oswestry index).

The protocol (times, escalation rules, ODI) is data in kb/data/followup/; records live in
esiguard.store; the web pages are in esiguard.web.followup.
"""

from esiguard.followup.protocol import FollowupProtocol, load_protocol
from esiguard.followup.settings import FollowupSettings

__all__ = ["FollowupProtocol", "FollowupSettings", "load_protocol"]
