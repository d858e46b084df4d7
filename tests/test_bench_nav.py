"""The navigation benchmark's corpus and configuration switch (bench/nav.py), without a build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.nav import make_sectioned_corpus, with_prune
from kb.project.settings import REPO_ROOT


def test_prune_is_switched_on_and_off_whatever_the_project_has() -> None:
    config = (REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    on, off = with_prune(config, True), with_prune(config, False)
    assert on.count("- navigation.prune") == 1
    assert "- navigation.prune" not in off
    assert with_prune(off, True) == on


def test_prune_needs_the_sections_feature() -> None:
    with pytest.raises(RuntimeError, match="navigation.sections"):
        with_prune("theme:\n  features:\n    - toc.follow\n", True)


def test_sectioned_corpus_has_programmes_with_subsections_and_working_links(tmp_path: Path) -> None:
    project = make_sectioned_corpus(tmp_path / "c", 45)
    for lang in ("zh", "en"):
        docs = project / "docs" / lang
        pages = sorted(docs.glob("t*/s*/p*.md"))
        assert len(pages) == 45
        assert not list(docs.glob("p[0-9]*.md"))
        assert {p.parent.parent.name for p in pages} == {"t0", "t1", "t2"}
        for page in pages:
            for target in re.findall(r"\]\(([^)#]+\.md)\)", page.read_text(encoding="utf-8")):
                assert (page.parent / target).resolve().is_file(), (page, target)
