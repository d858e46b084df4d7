"""Front-matter values of the wrong shape that the theme or the search plugin read as structures (a
numeric title, hide: 5, search: [1], a template that is no template of the project) are findings of the
check and are not printed, never a traceback of the draft build."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, build, make_project

from kb.checks.engine import run
from kb.project.settings import load_settings

PAGE = """---
title: 12345
type: page
track: general
hide: 5
search: [1]
template: ../../etc/passwd
review: {status: draft, approvals: []}
translation: {none: 仅用于测试}
---

正文。
"""


@pytest.mark.build
def test_wrong_shapes_are_findings_and_the_draft_build_completes(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    (project / "docs" / "zh" / "shapes.md").write_text(PAGE, encoding="utf-8")
    result = build(project, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    html = (project / "site" / "shapes" / "index.html").read_text(encoding="utf-8")
    assert "正文" in html and "12345" in html
    report = run(load_settings(project, environ={"KB_TODAY": TODAY}), lang="en")
    fields = {f.params.get("field") for f in report.findings if f.path == "docs/zh/shapes.md" and f.rule == "front-matter"}
    assert {"hide", "search"} <= fields
