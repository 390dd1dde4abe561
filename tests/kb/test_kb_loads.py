"""The knowledge base loads, is fully cited, and refuses malformed data loudly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import base_case

from esiguard.errors import KnowledgeBaseError
from esiguard.kb import default_data_root, load_kb
from esiguard.kb.lint import causes_used_by_rules, findings_used_by_rules, lint
from esiguard.pipeline import triage


def test_every_vocabulary_finding_is_defined_and_used_by_a_rule(kb):
    """Each of the vocabulary's finding codes has a definition and appears in some rule."""
    codes = set(kb.vocabulary.findings)
    assert set(kb.findings) == codes
    assert codes <= findings_used_by_rules(kb)


def test_every_cause_is_defined_and_suggested_by_a_rule(kb):
    """Each cause code has a definition and some rule can suggest it."""
    assert set(kb.causes) == set(kb.vocabulary.causes)
    assert set(kb.vocabulary.causes) <= causes_used_by_rules(kb)


def test_every_rule_and_advice_cites_a_known_source_with_a_date(kb):
    """Citations resolve to the bibliography and carry a checked-on date."""
    for entry in [*kb.rules, *kb.advice.values(), *kb.predicates.values(), *kb.policies.values()]:
        assert entry.sources, entry
        assert all(ref.ref in kb.sources for ref in entry.sources)
        assert entry.checked_on is not None


def test_lint_reports_no_coverage_problems(kb):
    """`esiguard kb check` finds every code handled."""
    problems, summary = lint(kb)
    assert not [p for p in problems if "no rule" in p or "without a definition" in p]
    assert not [p for p in problems if "predicates no rule uses" in p]
    assert summary["triage rules"] == len(kb.rules)


@pytest.mark.parametrize("code", sorted(load_kb().vocabulary.findings))
def test_engine_handles_each_finding_code(kb, code):
    """A case with only this finding present is triaged, and some rule looked at the finding."""
    result = triage(base_case(findings=[{"code": code}], hours_since_injection=24), kb)
    looked = {c for step in result.trace for c in step.matched_findings} | {
        u.split(".")[0] for step in result.trace for u in step.unknown
    }
    assert code in looked


def _copy_kb(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(default_data_root(), root)
    return root


def _load_broken(tmp_path: Path, relative: str, old: str, new: str) -> KnowledgeBaseError:
    root = _copy_kb(tmp_path)
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(root)
    return info.value


def test_unknown_source_is_refused_naming_file_entry_field(tmp_path):
    """A rule citing a source not in the bibliography fails to load."""
    err = _load_broken(
        tmp_path, "triage/rules/10_sphincter_saddle.yaml", "{ref: R96,", "{ref: R9999,"
    )
    assert (err.file, err.entry, err.field) == (
        "triage/rules/10_sphincter_saddle.yaml",
        "saddle_or_sphincter_change",
        "sources[0].ref",
    )


def test_missing_citation_is_refused(tmp_path):
    """An entry without sources is a load error, not a warning."""
    err = _load_broken(
        tmp_path,
        "advice/specific.yaml",
        '      - {ref: R71, locator: "rise resolves in about 2 days"}\n      - {ref: R72, locator: "baseline by day 3-4 in diabetics"}\n      - {ref: R94, locator: "check glucose more often for several days"}\n',
        "",
    )
    assert err.entry == "glucose_monitoring" and err.field == "sources"


def test_unknown_finding_code_in_a_rule_is_refused(tmp_path):
    """A misspelt finding code in a rule condition fails at load time."""
    err = _load_broken(
        tmp_path,
        "triage/rules/10_sphincter_saddle.yaml",
        "finding: saddle_numbness",
        "finding: sadle_numbness",
    )
    assert "unknown finding code 'sadle_numbness'" in str(err)


def test_duplicate_rule_id_is_refused(tmp_path):
    """Two rules with one id fail, naming the first file."""
    err = _load_broken(
        tmp_path, "triage/rules/40_infection.yaml", "id: meningism", "id: fever_alone"
    )
    assert "duplicate id" in str(err)


def test_duplicate_yaml_key_is_refused(tmp_path):
    """A duplicated key inside one entry is refused instead of silently keeping the last."""
    err = _load_broken(
        tmp_path,
        "triage/rules/40_infection.yaml",
        "    disposition: urgent\n",
        "    disposition: urgent\n    disposition: routine\n",
    )
    assert "duplicate key" in str(err)


def test_unknown_field_is_refused(tmp_path):
    """An unknown key in an entry is an error listing the allowed keys."""
    err = _load_broken(
        tmp_path,
        "triage/rules/40_infection.yaml",
        "  - id: meningism\n",
        "  - id: meningism\n    severity_score: 3\n",
    )
    assert err.entry == "meningism" and err.field == "severity_score"


def test_future_checked_on_is_refused(tmp_path):
    """A checked-on date in the future cannot be true."""
    err = _load_broken(
        tmp_path,
        "triage/rules/40_infection.yaml",
        "checked_on: 2026-11-25",
        "checked_on: 2099-01-01",
    )
    assert err.field == "checked_on"


def test_unverified_entry_needs_a_note(tmp_path):
    """Marking a fact unverified without saying why is refused."""
    line = (
        '    verification_note: The brief marks difficult or multiple passes as "[from memory, verify]";'
        " used only to rank causes, never to set urgency.\n"
    )
    err = _load_broken(tmp_path, "triage/rules/90_cause_weighting.yaml", line, "")
    assert (err.entry, err.field) == (
        "deficit_after_bloody_or_difficult_procedure",
        "verification_note",
    )
