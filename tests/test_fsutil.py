"""Scripts that write into docs/ never leave a half-written page or a temporary file behind, even when
they are interrupted (Ctrl-C) at the worst moment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.project import fsutil


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, OSError])
def test_an_interrupted_write_keeps_the_page_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch, interruption):
    page = tmp_path / "docs" / "en" / "page.md"
    page.parent.mkdir(parents=True)
    page.write_text("---\ntitle: x\n---\n\nThe author's text.\n", encoding="utf-8")

    def interrupted(src: str, dst: str) -> None:
        raise interruption("interrupted")

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(interruption):
        fsutil.write_atomic(page, "replaced")
    assert page.read_text(encoding="utf-8") == "---\ntitle: x\n---\n\nThe author's text.\n"
    assert sorted(p.name for p in page.parent.iterdir()) == ["page.md"]


def test_a_completed_write_replaces_the_page_and_keeps_its_mode(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("old", encoding="utf-8")
    page.chmod(0o640)
    fsutil.write_atomic(page, "new")
    assert page.read_text(encoding="utf-8") == "new"
    assert page.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.md"]
