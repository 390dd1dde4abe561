"""On the development vignettes, present red-flag findings are read from the narrative with
precision >= 0.9 and recall >= 0.85 against the structured findings (issue 6)."""

from __future__ import annotations

import pytest
from tests.conftest import DEV_VIGNETTES, load_vignettes

from esiguard.intake import evaluate_extraction, format_extraction_report

pytestmark = pytest.mark.skipif(not DEV_VIGNETTES.is_dir(), reason="shared dev vignettes absent")


@pytest.fixture(scope="module")
def report(kb):
    return evaluate_extraction(DEV_VIGNETTES, kb=kb)


def test_precision_and_recall_meet_the_bar(report) -> None:
    print(format_extraction_report(report))
    assert report["vignettes"] >= 30
    assert report["precision"] >= 0.9, format_extraction_report(report)
    assert report["recall"] >= 0.85, format_extraction_report(report)


def test_report_shape(report) -> None:
    assert {"precision", "recall", "f1", "tp", "fp", "fn", "vignettes", "codes", "misses"} <= set(
        report
    )
    assert report["tp"] + report["fn"] > 0
    for miss in report["misses"]:
        assert miss["kind"] in ("false_positive", "false_negative")


@pytest.mark.parametrize(
    ("name", "vignette"),
    [v for v in load_vignettes(DEV_VIGNETTES) if v[1]["case"].get("narrative")],
)
def test_no_structured_absent_red_flag_is_read_as_present(read, name: str, vignette: dict) -> None:
    """Where a vignette records a red flag as absent, the narrative never makes it present."""
    case = vignette["case"]
    result = read(case["narrative"])
    for finding in case.get("findings", []):
        if finding.get("present", True) is False:
            got = result.finding(finding["code"])
            assert got is None or got.present is not True, (name, finding["code"], got.span.text)


def test_the_report_prints_figures_and_misses(report, capsys, kb) -> None:
    evaluate_extraction(DEV_VIGNETTES, kb=kb, verbose=True)
    out = capsys.readouterr().out
    assert "precision" in out and "recall" in out
