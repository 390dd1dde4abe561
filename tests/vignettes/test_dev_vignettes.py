"""The shared dev vignettes as conformance data: every triage answer acceptable, never
less urgent than every acceptable answer, and a wanted cause in the top three."""

from __future__ import annotations

import pytest
from tests.conftest import DEV_VIGNETTES, OWN_VIGNETTES, load_vignettes

from esiguard.kb.schema import DISPOSITION_ORDER, SCREENING_ORDER
from esiguard.pipeline import triage

DEV = load_vignettes(DEV_VIGNETTES)
OWN = load_vignettes(OWN_VIGNETTES)
ALL = [("dev/" + n, v) for n, v in DEV] + [("own/" + n, v) for n, v in OWN]
TRIAGE = [(n, v) for n, v in ALL if v["case"]["procedure"]["status"] == "done"]
SCREENING = [(n, v) for n, v in ALL if v["case"]["procedure"]["status"] == "planned"]


def _explain(result) -> str:
    fired = [s.rule_id for s in result.trace if s.outcome != "blocked_by_unknown"]
    return f"got {result.disposition}; fired: {fired}; causes: {[c.code for c in result.causes]}"


@pytest.mark.parametrize(("name", "vignette"), TRIAGE, ids=[n for n, _ in TRIAGE])
def test_triage_disposition_is_acceptable(name, vignette, kb):
    """The disposition is one a careful clinician accepts, and never less urgent than all of them."""
    expected = vignette["expected"]
    result = triage(vignette["case"], kb, use_narrative=False)
    acceptable = expected["acceptable"]
    least = min(DISPOSITION_ORDER.index(a) for a in acceptable)
    assert DISPOSITION_ORDER.index(result.disposition) >= least, (
        f"UNDER-TRIAGE {name}: {_explain(result)}"
    )
    assert result.disposition in acceptable, f"{name}: {_explain(result)}"


@pytest.mark.parametrize(("name", "vignette"), TRIAGE, ids=[n for n, _ in TRIAGE])
def test_triage_wanted_cause_in_top_three(name, vignette, kb):
    """At least one of the vignette's causes is among the three highest-ranked causes."""
    wanted = vignette["expected"].get("causes_any") or []
    if not wanted:
        pytest.skip("vignette names no causes")
    result = triage(vignette["case"], kb, use_narrative=False)
    top3 = [c.code for c in result.causes[:3]]
    assert set(wanted) & set(top3), f"{name}: wanted one of {wanted}, top 3 {top3}"


@pytest.mark.parametrize(("name", "vignette"), SCREENING, ids=[n for n, _ in SCREENING])
def test_screening_decision_is_acceptable(name, vignette, kb):
    """A planned injection's decision is acceptable and never less cautious than every acceptable one."""
    from esiguard import screen

    expected = vignette["expected"]
    decision = screen(vignette["case"], kb).decision
    least = min(SCREENING_ORDER.index(a) for a in expected["acceptable"])
    assert SCREENING_ORDER.index(decision) >= least, f"LESS CAUTIOUS {name}: {decision}"
    assert decision in expected["acceptable"], f"{name}: {decision}"


def test_dev_vignettes_present_when_shared_folder_exists():
    """CI has ../shared: the dev set must then be found, or this suite would test nothing."""
    if DEV_VIGNETTES.parent.is_dir():
        assert len(DEV) >= 40


def test_every_cause_code_is_ranked_top_three_by_some_vignette(kb):
    """Every cause code in the vocabulary is produced among the top three causes of at least
    one of our vignettes (own set, plus the dev set when present)."""
    seen: set[str] = set()
    for _, vignette in TRIAGE:
        result = triage(vignette["case"], kb, use_narrative=False)
        seen |= {c.code for c in result.causes[:3]}
    assert set(kb.vocabulary.causes) - seen == set()


def test_own_vignettes_name_every_cause():
    """Our own vignettes alone cover every cause code in their expected causes."""
    from esiguard.kb import load_kb

    named = {code for _, v in OWN for code in v["expected"].get("causes_any", [])}
    assert set(load_kb().vocabulary.causes) <= named
