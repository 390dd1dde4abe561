"""Every screening vignette gets an acceptable decision, never a less cautious one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esiguard.kb.schema import SCREENING_ORDER
from esiguard.screening import screen

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "vignettes" / "dev"


def _screening_vignettes() -> list[tuple[str, dict]]:
    if not DEV.is_dir():
        return []
    out = []
    for path in sorted(DEV.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("case", {}).get("procedure", {}).get("status") == "planned":
            out.append((path.stem, data))
    return out


VIGNETTES = _screening_vignettes()


@pytest.mark.skipif(not DEV.is_dir(), reason="shared vignette folder not present")
def test_the_dev_folder_holds_the_ten_screening_vignettes() -> None:
    names = {name for name, _ in VIGNETTES}
    assert {f"d0{n}" for n in range(31, 41)} <= names


@pytest.mark.skipif(not VIGNETTES, reason="shared vignette folder not present")
@pytest.mark.parametrize(("name", "vignette"), VIGNETTES, ids=[n for n, _ in VIGNETTES])
def test_screening_vignette_decision_is_acceptable_and_never_less_cautious(
    name: str, vignette: dict, kb
) -> None:
    expected = vignette["expected"]
    acceptable = expected.get("acceptable") or [expected["screening"]]
    result = screen(vignette["case"], kb)
    least_acceptable = min(SCREENING_ORDER.index(d) for d in acceptable)
    assert SCREENING_ORDER.index(result.decision) >= least_acceptable, (
        f"{name}: {result.decision} is less cautious than every acceptable {acceptable}"
    )
    assert result.decision in acceptable, f"{name}: {result.decision} not in {acceptable}"
