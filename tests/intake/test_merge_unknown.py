"""An unsure mention stays unknown through the merge: it never becomes present."""

from tests.conftest import base_case

from esiguard.case import parse_case
from esiguard.intake import intake, merge_into_case


def test_unsure_mentions_stay_unknown_after_merge():
    """'bladder and bowels normal' read as unsure is merged as present null, never true."""
    case = parse_case(base_case(narrative="No back pain, bladder and bowels normal."))
    merged = merge_into_case(case, intake(case.narrative, case=case), include_absent=True)
    by_code = {f.code: f.present for f in merged.findings}
    assert True not in {
        by_code.get(c) for c in ("urinary_incontinence", "bowel_incontinence", "urinary_retention")
    }


def test_case_json_round_trip_keeps_unknown():
    """Case.to_json_dict keeps present: null so a re-parsed case is the same case."""
    case = parse_case(base_case(findings=[{"code": "saddle_numbness", "present": None}]))
    assert parse_case(case.to_json_dict()).findings[0].present is None
