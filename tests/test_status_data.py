"""The status page's data (kb.web.site.status_data), without a build: one language per page, gaps folded
per page with titles, both languages' review state per pair, what the filters read, the
"Report a problem" gap, and status.json keeping the keys machines read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sitebuild import FIXTURES, make_project

from kb.checks.engine import run
from kb.project.data import ProjectData
from kb.web.site import FindingRow, GapPage, PairRow, StatusData, status_data, write_status_json

HAN = re.compile(r"[\u4e00-\u9fff]")
LOW = "mercury/low-mercury.md"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path, FIXTURES / "site-basic", site=True)  # with mkdocs.yml: its report_problem


def _wording(row: FindingRow) -> str:
    message = row.finding.message
    for value in row.finding.params.values():
        if isinstance(value, str) and value and HAN.search(value):
            message = message.replace(value, "")
    return message


def _status(project: Path, settings_for, lang: str) -> StatusData:
    settings = settings_for(project)
    data = ProjectData(settings)
    return status_data(run(settings, data, lang="zh"), data, lang)


def test_gaps_are_folded_per_page_with_the_title_in_the_pages_language(project: Path, settings_for) -> None:
    zh, en = _status(project, settings_for, "zh"), _status(project, settings_for, "en")
    for status, lang, title, text in ((zh, "zh", "低汞触媒的规范使用", "示范企业名称"),
                                      (en, "en", "Using low-mercury catalysts correctly", "name of the demonstration enterprise")):
        mine = [g for g in status.gap_pages if g.lang == lang]
        assert all(isinstance(g, GapPage) for g in status.gap_pages)
        (page,) = [g for g in mine if g.rel == LOW]
        assert page.title == title and page.count == len(page.gaps) == 1 and page.gaps[0].text == text
        assert page.track == "mercury" and page.severity == "info" and page.path == f"docs/{lang}/{LOW}"
    # machines still get every gap of both languages, one entry per marker
    assert {g.path for g in zh.gaps} >= {f"docs/zh/{LOW}", f"docs/en/{LOW}"}


def test_each_pair_shows_both_languages_review_state_titled_in_the_pages_language(project: Path, settings_for) -> None:
    zh, en = _status(project, settings_for, "zh"), _status(project, settings_for, "en")
    rows = {lang: {r.rel: r for r in s.pages} for lang, s in (("zh", zh), ("en", en))}
    assert all(isinstance(r, PairRow) for r in zh.pages)
    low_zh, low_en = rows["zh"][LOW], rows["en"][LOW]
    assert low_zh.title == "低汞触媒的规范使用" and low_en.title == "Using low-mercury catalysts correctly"
    assert [(s.lang, s.exists, s.shown, s.gaps) for s in low_zh.languages] == [("zh", True, "draft", 1), ("en", True, "draft", 1)]
    assert low_zh.track == "mercury" and low_zh.required == ("FECO", "UNIDO") and low_zh.lacking == ("FECO", "UNIDO")
    assert low_zh.approvals == () and low_zh.approval_state == "none"
    assert "gap" in low_zh.rules and "info" in low_zh.severities
    only = rows["en"]["only-chinese.md"]
    assert only.title == "仅有中文的页面" and only.translation == "missing"  # no English page: the Chinese title
    assert [(s.lang, s.exists) for s in only.languages] == [("zh", True), ("en", False)]


def test_messages_rules_and_programmes_are_in_the_pages_language(project: Path, settings_for) -> None:
    zh, en = _status(project, settings_for, "zh"), _status(project, settings_for, "en")
    assert zh.lang == "zh" and en.lang == "en"
    assert {t.id: t.label for t in en.tracks}["mercury"] == "Mercury reduction (PVC)"
    assert {t.id: t.label for t in zh.tracks}["mercury"] == "汞减排（PVC 行业）"
    assert {r.id: r.title for r in zh.rules}["gap"] == "待补充内容"
    assert {r.id: r.title for r in en.rules}["missing-translation"]
    # the wording is the page's language; only the values a message quotes (a glossary term, a page's
    # own text) may be in the other language
    english = [_wording(f) for f in en.findings]
    assert english and not [m for m in english if HAN.search(m)], [m for m in english if HAN.search(m)]
    assert all(HAN.search(_wording(f)) for f in zh.findings)
    # a deliverable's title is quoted in the message's language (kb.project.findings.Localised)
    data = ProjectData(settings_for(project))
    titles = {d.id: d.title for d in data.deliverables}
    quoted = [r.finding for r in zh.findings if r.finding.rule == "deliverables" and "title" in r.finding.params]
    assert quoted and all(titles[f.params["id"]].zh in f.message for f in quoted)
    assert all(str(f.params["title"]) == titles[f.params["id"]].en for f in quoted)  # status.json: as before
    quoted_json = [r.to_json() for r in zh.findings if r.finding in quoted]
    assert all(f["params"]["title"] == titles[f["params"]["id"]].en for f in quoted_json)
    missing = next(r for r in en.findings if r.finding.rule == "missing-translation" and r.rel == "only-chinese.md")
    assert missing.title == "仅有中文的页面" and missing.track == "general" and missing.lang == "zh"
    # the same findings with the same severities in both languages (only the wording differs)
    assert [(r.finding.rule, r.finding.code, r.finding.path, r.finding.line, r.finding.severity) for r in zh.findings] == \
        [(r.finding.rule, r.finding.code, r.finding.path, r.finding.line, r.finding.severity) for r in en.findings]
    deliverable = next(r for r in en.findings if r.finding.rule == "deliverables")
    assert deliverable.track in ("mercury", "gender") and deliverable.title == deliverable.finding.path


def test_the_missing_report_a_problem_address_is_a_finding_until_feco_supplies_one(project: Path, settings_for) -> None:
    status = _status(project, settings_for, "en")
    (found,) = [r.finding for r in status.findings if r.finding.rule == "report-problem"]
    assert found.code == "no-email" and found.path == "mkdocs.yml" and found.severity == "warning"
    lines = (project / "mkdocs.yml").read_text(encoding="utf-8").split("\n")
    assert lines[found.line - 1].strip() == 'email: ""'
    assert "FECO" in found.message and "extra.report_problem.email" in found.message
    assert any(r.id == "report-problem" for r in status.rules)
    # with an address there is nothing to report
    config = (project / "mkdocs.yml").read_text(encoding="utf-8").replace('email: ""', 'email: "reports@example.org"')
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    assert not [r for r in _status(project, settings_for, "en").findings if r.finding.rule == "report-problem"]


def test_status_json_keeps_the_keys_machines_read_and_adds_the_new_ones(project: Path, settings_for, tmp_path: Path) -> None:
    settings = settings_for(project)
    data = ProjectData(settings)
    path = write_status_json(run(settings, data, lang="zh"), data, tmp_path)
    status = json.loads(path.read_text(encoding="utf-8"))
    assert {"generated", "today", "mode", "totals", "counts", "pairs", "reviews", "approvals", "deliverables",
            "gaps", "findings"} <= set(status)
    assert {"lang", "tracks", "rules", "pages", "gap_pages"} <= set(status)
    assert all(set(g) == {"path", "line", "text", "rel"} for g in status["gaps"])
    row = next(r for r in status["pages"] if r["rel"] == LOW)
    assert [s["lang"] for s in row["languages"]] == ["zh", "en"] and row["languages"][0]["gaps"] == 1
    page = next(g for g in status["gap_pages"] if g["rel"] == LOW and g["lang"] == "zh")
    assert page["count"] == 1 and page["gaps"] == [{"line": page["gaps"][0]["line"], "text": "示范企业名称"}]
