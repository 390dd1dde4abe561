"""docs/knowledge-base.md is generated from the knowledge base and kept up to date."""

from pathlib import Path

from tests.conftest import ROOT

from esiguard.kb.catalogue import CATALOGUE_PATH, render_catalogue


def test_catalogue_is_up_to_date(kb):
    """The committed catalogue equals a fresh rendering (run `esiguard kb catalogue --write`)."""
    assert (ROOT / CATALOGUE_PATH).read_text(encoding="utf-8") == render_catalogue(kb)


def test_catalogue_lists_every_rule_and_source(kb):
    """Each rule id and each source id appears in the catalogue."""
    text = render_catalogue(kb)
    assert all(f"`{rule.id}`" in text for rule in kb.rules)
    assert all(f"| {sid} |" in text for sid in kb.sources)
    assert Path(CATALOGUE_PATH).name == "knowledge-base.md"
