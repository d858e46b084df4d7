"""The site's structure checked against its pages (the navigation rule): a page outside mkdocs.yml's
nav, a track that is not its folder's programme or its source's, a training module no deliverable
lists. Exact messages and lines."""

from __future__ import annotations

from pathlib import Path

from sitebuild import FIXTURES, make_project

from kb.checks.engine import run

CASE = FIXTURES / "rules" / "navigation"


def test_each_structural_mistake_is_named_where_it_is(tmp_path: Path, settings_for) -> None:
    project = make_project(tmp_path, CASE / "flag")
    report = run(settings_for(project), lang="en")
    found = {(f.path, f.line, f.code): f.message for f in report.findings if f.rule == "navigation"}
    assert sorted(found) == [
        ("docs/en/mercury/listed.md", 4, "track-folder"),
        ("docs/en/mercury/listed.md", 4, "track-pair"),
        ("docs/zh/mercury/modules/99-not-delivered.md", 3, "module-without-deliverable"),
        ("docs/zh/mercury/orphan.md", 1, "not-in-nav"),
    ]
    assert found[("docs/zh/mercury/orphan.md", 1, "not-in-nav")] == (
        "This page (mercury/orphan.md) is not in the site's navigation (nav, mkdocs.yml line 2): readers reach it only "
        "through a link, and the training manual and its handouts leave it out. Add it to nav, or remove the page.")
    assert found[("docs/en/mercury/listed.md", 4, "track-pair")] == (
        "This page's track is gender but its source docs/zh/mercury/listed.md has mercury: both languages of a page "
        "belong to the same programme. Set it to mercury.")
    assert found[("docs/en/mercury/listed.md", 4, "track-folder")].startswith(
        "This page is in the mercury folder but its track is gender")
    assert "data/deliverables.yml" in found[("docs/zh/mercury/modules/99-not-delivered.md", 3, "module-without-deliverable")]
    severities = {f.code: f.severity for f in report.findings if f.rule == "navigation"}
    assert severities == {"track-folder": "error", "track-pair": "error", "not-in-nav": "warning",
                          "module-without-deliverable": "warning"}


def test_without_a_nav_every_page_is_in_it(tmp_path: Path, settings_for) -> None:
    project = make_project(tmp_path, CASE / "flag")
    (project / "mkdocs.yml").unlink()
    report = run(settings_for(project), lang="en")
    assert not [f for f in report.findings if f.code == "not-in-nav"]
