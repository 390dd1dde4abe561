"""Oswestry Disability Index scoring (Fairbank & Pynsent 2000; rules in kb/data/followup/)."""

from __future__ import annotations

from esiguard.followup.protocol import FollowupProtocol

__all__ = ["OdiError", "odi_percent"]


class OdiError(ValueError):
    """An answer that is not one of a section's statements, or too few sections answered."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def odi_percent(answers: dict[str, int], protocol: FollowupProtocol) -> float:
    """Sum of section scores / (points per section x sections answered) x 100, one decimal.

    A section left out lowers the denominator, as the paper describes; fewer answered sections
    than the protocol's minimum is refused.
    """
    scoring = protocol.odi_scoring
    known = {s.id for s in protocol.odi_sections}
    for section_id, score in answers.items():
        if section_id not in known:
            raise OdiError(section_id, f"unknown Oswestry section {section_id!r}")
        if not 0 <= score <= scoring.points_per_section:
            raise OdiError(section_id, "choose one of the statements")
    if len(answers) < scoring.min_sections_answered:
        missing = next(s.id for s in protocol.odi_sections if s.id not in answers)
        raise OdiError(
            missing,
            f"answer at least {scoring.min_sections_answered} of the "
            f"{len(protocol.odi_sections)} sections",
        )
    total = sum(answers.values())
    return round(100.0 * total / (scoring.points_per_section * len(answers)), 1)
