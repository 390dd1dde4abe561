"""Pre-procedure screening: antithrombotics, contraindications, steroid and approach choice.

Public API:
- `screen(case, kb=None, *, injection_at=None) -> ScreeningResult` (esi-screen/1);
- `resolve_drug(name, kb=None) -> DrugMatch | None` (brand names, misspellings, dose text).
"""

from esiguard.screening.drugs import DrugMatch, resolve_drug
from esiguard.screening.engine import DECISION_LABELS, screen
from esiguard.screening.model import MedicationPlanItem, Reason, ScreeningResult

__all__ = [
    "DECISION_LABELS",
    "DrugMatch",
    "MedicationPlanItem",
    "Reason",
    "ScreeningResult",
    "resolve_drug",
    "screen",
]
