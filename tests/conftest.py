from __future__ import annotations

import json
from pathlib import Path

import pytest

from esiguard.kb import KnowledgeBase, load_kb

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV_VIGNETTES = SHARED / "vignettes" / "dev"
OWN_VIGNETTES = Path(__file__).parent / "vignettes" / "own"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb()


def load_vignettes(folder: Path) -> list[tuple[str, dict]]:
    if not folder.is_dir():
        return []
    return [
        (p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))
    ]


def base_case(**overrides: object) -> dict:
    case: dict = {
        "format": "esi-case/1",
        "procedure": {
            "status": "done",
            "approach": "transforaminal",
            "region": "lumbar",
            "levels": ["L4-L5"],
            "side": "left",
            "steroid": {"name": "dexamethasone", "dose_mg": 10},
            "local_anesthetic": {"name": "lidocaine", "volume_ml": 2},
            "events": ["none"],
        },
        "hours_since_injection": 2,
        "screen_complete": True,
        "findings": [],
    }
    case.update(overrides)
    return case
