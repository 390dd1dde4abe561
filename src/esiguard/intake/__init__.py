"""Free-text intake: the patient's own words (or a nurse's note) to findings.

    from esiguard.intake import intake, merge_into_case
    result = intake("my left leg is numb since the shot yesterday, no fever")
    case = merge_into_case(case, result, include_absent=False)

Built with medspaCy (PyRuSH sentences, TargetMatcher rules, ConText). The lexicon is data in
`kb/data/intake/`. See `extract.py` for how mentions become findings.
"""

from esiguard.intake.api import intake, normalise
from esiguard.intake.evaluate import evaluate_extraction, format_extraction_report
from esiguard.intake.merge import merge_into_case
from esiguard.intake.models import Cue, ExtractedFinding, IntakeResult, Mention, TextSpan

__all__ = [
    "Cue",
    "ExtractedFinding",
    "IntakeResult",
    "Mention",
    "TextSpan",
    "evaluate_extraction",
    "format_extraction_report",
    "intake",
    "merge_into_case",
    "normalise",
]
