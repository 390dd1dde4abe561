"""Broken education data is refused at load time, with the file, entry and field named."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from esiguard.education.catalogue import build_catalogue
from esiguard.errors import KnowledgeBaseError
from esiguard.kb import KnowledgeBase

FILE = "education/50_leg_weakness.yaml"
ENTRY = "weakness_from_bleeding"


def catalogue_with(kb: KnowledgeBase, tmp_path: Path, edit: Any) -> None:
    """Copy the education folder, apply `edit(entry_dict)` to one entry, and load the copy."""
    shutil.copytree(kb.data_root / "education", tmp_path / "education")
    path = tmp_path / FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in data["entries"] if e["id"] == ENTRY)
    edit(entry)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    # A copy of the knowledge base that reads the edited folder and has its own section cache.
    build_catalogue(dataclasses.replace(kb, data_root=tmp_path, _sections={}))


def raises_on(kb: KnowledgeBase, tmp_path: Path, edit: Any) -> KnowledgeBaseError:
    with pytest.raises(KnowledgeBaseError) as caught:
        catalogue_with(kb, tmp_path, edit)
    return caught.value


def test_unchanged_copy_loads(kb: KnowledgeBase, tmp_path: Path) -> None:
    """The harness itself loads an unedited copy (so the failures below are the edits')."""
    catalogue_with(kb, tmp_path, lambda entry: None)


def test_unknown_finding_code_names_file_entry_and_field(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A finding code not in vocabulary.json is refused."""
    error = raises_on(kb, tmp_path, lambda e: e.update(related_findings=["leg_wobble"]))
    assert (error.file, error.entry, error.field) == (FILE, ENTRY, "related_findings[0]")
    assert "leg_wobble" in error.problem


def test_unknown_cause_code_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A cause code not in vocabulary.json is refused."""
    error = raises_on(kb, tmp_path, lambda e: e.update(related_causes=["bad_luck"]))
    assert (error.entry, error.field) == (ENTRY, "related_causes[0]")


def test_main_cause_must_be_a_related_cause(kb: KnowledgeBase, tmp_path: Path) -> None:
    """main_causes is a subset of related_causes."""
    error = raises_on(kb, tmp_path, lambda e: e.update(main_causes=["epidural_abscess"]))
    assert (error.entry, error.field) == (ENTRY, "main_causes[0]")


def test_link_to_unknown_entry_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A link must name an existing entry."""
    error = raises_on(kb, tmp_path, lambda e: e["links"].append("no_such_topic"))
    assert error.entry == ENTRY
    assert error.field == f"links[{4}]"
    assert "no_such_topic" in error.problem


def test_warning_sign_entry_without_emergency_link_is_refused(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    """An entry that mentions warning signs must link the emergency advice."""
    error = raises_on(kb, tmp_path, lambda e: e["links"].remove("when_to_call_emergency"))
    assert (error.file, error.entry, error.field) == (FILE, ENTRY, "links")
    assert "when_to_call_emergency" in error.problem


def test_unknown_source_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    """Every cited source id must be in the bibliography."""
    error = raises_on(kb, tmp_path, lambda e: e["sources"].append({"ref": "R999", "locator": "x"}))
    assert error.entry == ENTRY
    assert str(error.field).startswith("sources[")
    assert "R999" in error.problem


def test_unknown_field_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    """Unknown keys are errors, not silently ignored."""
    error = raises_on(kb, tmp_path, lambda e: e.update(urgency="high"))
    assert (error.entry, error.field) == (ENTRY, "urgency")


def test_question_must_be_a_question(kb: KnowledgeBase, tmp_path: Path) -> None:
    """The question field is phrased as a patient asks it, ending with a question mark."""
    error = raises_on(kb, tmp_path, lambda e: e.update(question="Bleeding near the spine."))
    assert (error.entry, error.field) == (ENTRY, "question")


def test_interpretation_needs_a_note(kb: KnowledgeBase, tmp_path: Path) -> None:
    """verification: interpretation without a verification_note is refused."""

    def edit(entry: dict) -> None:
        entry["verification"] = "interpretation"
        entry.pop("verification_note", None)

    error = raises_on(kb, tmp_path, edit)
    assert (error.entry, error.field) == (ENTRY, "verification_note")


def test_missing_emergency_entry_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    """The catalogue cannot load without the emergency advice entry."""
    shutil.copytree(kb.data_root / "education", tmp_path / "education")
    (tmp_path / "education" / "00_warning_signs.yaml").unlink()
    with pytest.raises(KnowledgeBaseError) as caught:
        build_catalogue(dataclasses.replace(kb, data_root=tmp_path, _sections={}))
    assert (caught.value.entry, caught.value.field) == ("when_to_call_emergency", "id")
