"""scripts/compare_sites.py, which the non-blocking Zensical job runs: against a build of the same
pages without the project's hooks (what a generator that drops hooks makes), the report names the
finish stage's outputs that are missing and counts the pages without the hooks' marks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sitebuild import FIXTURES, build, make_project

from bench.sample import without_hooks
from kb.project.settings import REPO_ROOT

_spec = importlib.util.spec_from_file_location("compare_sites", REPO_ROOT / "scripts" / "compare_sites.py")
compare_sites = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare_sites)


@pytest.mark.build
def test_the_report_names_what_a_build_without_the_hooks_lacks(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    build(project, "--site-dir", str(tmp_path / "ours"))
    plain = project / "mkdocs-plain.yml"
    plain.write_text(without_hooks((project / "mkdocs.yml").read_text(encoding="utf-8")), encoding="utf-8")
    for page in (project / "docs").rglob("*.md"):  # pages of the project's own templates need the hook's data
        if "template: kb-" in page.read_text(encoding="utf-8"):
            page.unlink()
    build(project, "--config-file", str(plain), "--site-dir", str(tmp_path / "plain"))

    report = "\n".join(compare_sites.compare(tmp_path / "ours", tmp_path / "plain"))

    assert "- `status.json`: the completeness report's data" in report
    assert "- `review/index.html`: the side-by-side review view" in report
    assert "- `search/zh.json`: the Chinese search index" in report
    # every page of ours carries the policy; none of the plain build's does
    pages = sum(1 for _ in (tmp_path / "ours").rglob("*.html"))
    assert f"| Content-Security-Policy (script only from the site) | {pages} | 0 |" in report
    assert "missing\n\n- `" in report  # the template pages left out of the plain build are listed


def test_a_generator_that_built_nothing_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "ours").mkdir()
    assert compare_sites.main([str(tmp_path / "ours"), str(tmp_path / "missing")]) == 0
    assert "was not built" in capsys.readouterr().out
