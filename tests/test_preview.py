"""What `serve` keeps between rebuilds (kb.build.preview, kb.checks.engine.CheckMemo): a rebuild
reports exactly what a fresh check reports, and renders the edited page with its translation, or
everything when more than a page's body changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import FIXTURES, make_project

from kb.build.preview import PreviewSession, html_file
from kb.checks import engine
from kb.content.structure import structure_digest
from kb.web.search import LanguageIndex, with_unrendered

CASES = ["broken-link/flag", "broken-link/clean", "term-mismatch/flag", "pii/flag", "structure-mismatch/flag"]


def _rows(report: engine.Report) -> list[tuple]:
    return [(f.path, f.line, f.rule, f.code, f.severity, f.message) for f in report.findings]


@pytest.mark.parametrize("case", CASES)
def test_a_rebuild_with_kept_findings_reports_what_a_fresh_check_reports(case: str, tmp_path: Path, settings_for):
    project = make_project(tmp_path, FIXTURES / "rules" / case)
    memo = engine.CheckMemo()
    first = engine.run(settings_for(project), lang="en", workers=1, memo=memo)
    assert _rows(first) == _rows(engine.run(settings_for(project), lang="en", workers=1))
    # one page edited: a link to a missing anchor and a phone number
    page = sorted((project / "docs" / "zh").rglob("*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\n见[下文](#no-such-section)，电话 13912345678。\n", encoding="utf-8")
    again = engine.run(settings_for(project), lang="en", workers=1, memo=memo)
    fresh = engine.run(settings_for(project), lang="en", workers=1)
    assert _rows(again) == _rows(fresh)
    assert _rows(again) != _rows(first)


def test_the_plan_renders_a_page_and_its_translation_or_everything(tmp_path: Path, settings_for):
    project = make_project(tmp_path, FIXTURES / "site-basic")
    session = PreviewSession(dirty=True)

    def plan():
        settings = settings_for(project)
        pages = engine.discover(settings)[0]
        return session.plan(settings, pages, structure_digest(settings, pages))

    assert plan().full  # the first rebuild renders everything
    unchanged = plan()
    assert not unchanged.full and unchanged.changed == ()
    assert set(unchanged.stale) == {"status/index.html", "en/status/index.html", "downloads/index.html", "en/downloads/index.html"}
    page = project / "docs" / "zh" / "mercury" / "low-mercury.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n新的一句。\n", encoding="utf-8")
    body = plan()
    assert not body.full and body.changed == ("docs/zh/mercury/low-mercury.md",)
    # the page in both languages, and the pages made from every page's state (the fixture's status and downloads)
    assert set(body.stale) == {"mercury/low-mercury/index.html", "en/mercury/low-mercury/index.html",
                               "status/index.html", "en/status/index.html", "downloads/index.html", "en/downloads/index.html"}
    assert html_file("mercury/low-mercury.md", "en", "zh") == "en/mercury/low-mercury/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("title: 低汞触媒的规范使用", "title: 低汞触媒", 1), encoding="utf-8")
    assert plan().full  # front matter: titles and order show on every page
    ui = project / "data" / "ui.yml"
    ui.write_text(ui.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert plan().full  # data: interface text on every page
    settings = settings_for(project)
    pages = engine.discover(settings)[0]
    assert PreviewSession(dirty=False).plan(settings, pages, structure_digest(settings, pages)).full


def test_the_search_index_keeps_the_entries_of_pages_not_rendered():
    previous = [{"location": "a/", "text": "old a"}, {"location": "a/#s", "text": "old a s"},
                {"location": "b/", "text": "b"}, {"location": "b/#t", "text": "b t"}]
    rendered = LanguageIndex("zh", {"lang": ["zh"]}, [{"location": "a/", "text": "new a"}])
    merged = with_unrendered(rendered, previous)
    assert [d["text"] for d in merged.docs] == ["b", "b t", "new a"]
