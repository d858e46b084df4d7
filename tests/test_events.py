"""Event records against the terms of reference: thresholds per programme and kind
(data/event-thresholds.yml), the series rules, the figures by sex, the printable forms and the
summary report of each held event (built for real, read back with pypdf and pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader
from sitebuild import FIXTURES, REPO, build, make_project

from kb.checks import Context
from kb.checks.engine import run
from kb.checks.page import check_event
from kb.checks.tree import check_event_series
from kb.content import figures
from kb.content.pages import parse_page
from kb.project.data import ProjectData, load_event_thresholds
from kb.project.schemas import GenderTargets, load_record, shown
from kb.project.settings import SettingsError, load_settings

HELD = FIXTURES / "held-events"
DATA = ProjectData(load_settings(REPO, environ={"KB_TODAY": "2026-11-21"}))


def _page(path: str, track: str, kind: str, total: int, women: int, men: int, date: str = "2026-10-10",
          body: str = "## Participants {#participants}\n\nx\n\n## Summary {#summary}\n\nx\n", **extra: object):
    lines = "".join(f"  {k}: {v}\n" for k, v in extra.items())
    text = (f"---\ntitle: T\ntype: event\ntrack: {track}\nreview: {{status: draft}}\nevent:\n  kind: {kind}\n"
            f"  status: held\n  date: {date}\n  duration_hours: 3\n"
            f"  participants: {{total: {total}, women: {women}, men: {men}}}\n{lines}---\n\n{body}")
    lang = path.split("/")[1]
    return parse_page(path, lang, path.split("/", 2)[2], text.encode())


def _ctx(**kw: object) -> Context:
    return Context(data=DATA, today=DATA.settings.today, **kw)  # type: ignore[arg-type]


# --- thresholds per programme and kind -----------------------------------------------------------------------
def test_a_gender_training_of_30_is_not_held_to_the_mercury_rule_of_50_to_80():
    gender = _page("docs/en/gender/t.md", "gender", "training", 30, 18, 12)
    mercury = _page("docs/en/mercury/t.md", "mercury", "training", 30, 18, 12)
    assert [f.code for f in check_event(gender, _ctx())] == []
    codes = [f.code for f in check_event(mercury, _ctx())]
    assert "too-few" in codes
    too_few = next(f for f in check_event(mercury, _ctx()) if f.code == "too-few")
    assert too_few.params["programme"] == "mercury" and too_few.params["min"] == 50


def test_a_held_record_without_its_sections_is_reported_with_the_ids_to_add():
    page = _page("docs/en/mercury/t.md", "mercury", "training", 60, 30, 30, body="## Summary {#summary}\n\nx\n")
    found = [f for f in check_event(page, _ctx()) if f.code == "record-sections"]
    assert found and found[0].params["missing"] == "agenda, participants, photos, evaluation"


def test_livestreams_viewers_together_and_gender_trainings_per_year():
    def live(name: str, viewers: int) -> object:
        return _page(f"docs/zh/mercury/{name}.md", "mercury", "livestream", 0, 0, 0, viewers=viewers, experts=2)

    pages = {p.path: p for p in (live("a", 120), live("b", 60))}
    found = check_event_series(pages, _ctx(), "data/event-thresholds.yml", {"gender": 37})
    combined = [f for f in found if f.code == "combined-viewers"]
    assert len(combined) == 1 and combined[0].params["total"] == 180 and combined[0].params["min"] == 200
    years = {(f.code, f.params["year"], f.severity) for f in found if f.params.get("programme") == "gender"}
    # 2025 is over without a gender training (a warning while drafting); 2026 is still open (a note)
    assert years == {("year-short", 2025, "warning"), ("year-open", 2026, "")}
    release = check_event_series(pages, _ctx(release=True), "data/event-thresholds.yml", {})
    assert {f.severity for f in release if f.code == "year-short"} == {"error"}
    pages = {p.path: p for p in (live("a", 120), live("b", 140),
                                 _page("docs/zh/gender/t25.md", "gender", "training", 20, 10, 10, date="2025-05-01"),
                                 _page("docs/zh/gender/t26.md", "gender", "training", 20, 10, 10, date="2026-05-01"))}
    assert check_event_series(pages, _ctx(), "data/event-thresholds.yml", {}) == []


def test_the_thresholds_file_refuses_a_misspelt_threshold(tmp_path: Path):
    path = tmp_path / "t.yml"
    path.write_text("mercury:\n  training: {participant_min: 50}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_event_thresholds(path, ["training"])
    assert str(refused.value) == f"{shown(path)}:2: mercury.training.participant_min: Extra inputs are not permitted"


# --- figures by sex ----------------------------------------------------------------------------------------------
def test_attendance_leaves_out_counts_that_do_not_add_up():
    ok = _page("docs/zh/gender/a.md", "gender", "training", 30, 18, 12)
    wrong = _page("docs/zh/gender/b.md", "gender", "training", 30, 20, 12)
    items = figures.attendance({ok.path: ok, wrong.path: wrong}, "docs", ("zh", "en"), "zh")
    assert [(a.rel, a.women, a.men) for a in items] == [("gender/a.md", 18, 12)]


def test_the_svg_draws_the_target_or_says_it_is_a_gap():
    overrides = REPO / "overrides"
    ui = DATA.ui["zh"]
    rows = [("测试<培训>", 18, 12, False), ("合计", 29, 26, True)]
    gap = ET.fromstring(figures.svg(rows, figures.Target(None, listed=True), ui, "标题", overrides))
    texts = [t.text for t in gap.iter("{http://www.w3.org/2000/svg}text")]
    assert "测试<培训>" in texts and "18 (60%)" in texts and ui["figure_target_gap"] in texts  # escaped, parsed back
    assert not list(gap.iter("{http://www.w3.org/2000/svg}line"))
    drawn = ET.fromstring(figures.svg(rows, figures.Target(0.4, listed=True), ui, "标题", overrides))
    (line,) = drawn.iter("{http://www.w3.org/2000/svg}line")
    assert float(line.get("x1")) == figures.LABEL_W + (figures.WIDTH - figures.LABEL_W - 20) * 0.4
    none = ET.fromstring(figures.svg(rows, figures.NO_TARGET, ui, "标题", overrides))
    assert ui["figure_target_gap"] not in [t.text for t in none.iter("{http://www.w3.org/2000/svg}text")]


def test_the_real_target_is_a_gap_because_the_seeds_give_no_number():
    targets = figures.targets(load_record(REPO / "data" / "gender-targets.yml", GenderTargets))
    assert targets["gender"].listed and targets["gender"].share is None


# --- built: site, forms, reports -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("held") / "p", HELD, site=True)
    for lang in ("zh", "en"):  # the project's downloads page (forms and reports) and status page (figures)
        for name in ("downloads.md", "status.md"):
            shutil.copy(REPO / "docs" / lang / name, project / "docs" / lang / name)
    build(project, pdf=True)
    return project / "site"


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.build
def test_the_held_event_page_shows_its_figure_and_the_file_is_there(built: Path):
    html = (built / "gender" / "training-2025" / "index.html").read_text(encoding="utf-8")
    assert '<img src="../../figures/zh/event-gender--training-2025.svg" alt="女性 18, 男性 12, 30; 女性占比 60%"' in html
    # under the participants heading
    assert html.index('id="participants"') < html.index("kb-figure") < html.index('id="experts"')
    svg = ET.parse(built / "figures" / "zh" / "event-gender--training-2025.svg").getroot()
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "18 (60%)" in texts and "29 (53%)" in texts  # the event and its programme (30 + 25 people)
    assert (built / "figures" / "en" / "programme-mercury.svg").is_file()
    assert not (built / "figures" / "by-sex.svg.html").exists() and not list(built.glob("figures/*.svg"))


@pytest.mark.build
def test_the_status_page_shows_each_programmes_figure_by_sex(built: Path):
    html = (built / "status" / "index.html").read_text(encoding="utf-8")
    figures = re.findall(r'<img src="([^"]+/figures/[^"]+\.svg)" alt="([^"]+)"', html)
    srcs = {src: alt for src, alt in figures}
    assert set(srcs) == {"../figures/zh/programme-gender.svg", "../figures/zh/programme-mercury.svg"}, figures
    for src in srcs:
        assert (built / "status" / src).resolve().is_file(), src
    assert "女性 " in srcs["../figures/zh/programme-gender.svg"] and "女性占比" in srcs["../figures/zh/programme-gender.svg"]
    en = (built / "en" / "status" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<img src="../../figures/en/programme-mercury.svg" alt="[^"]*Women \d+', en)


@pytest.mark.build
def test_the_forms_are_a4_pdfs_in_both_languages_with_the_privacy_note(built: Path):
    forms = built / "downloads" / "forms"
    for lang, words in (("zh", ["培训签到表", "姓名", "单位", "职务", "性别（女/男）", "联系方式", "不得上传到本知识库"]),
                        ("en", ["Training sign-in sheet", "Name", "Organisation", "Position", "Sex (F/M)", "Contact",
                                "never put it in"])):
        pdf = forms / f"sign-in-sheet-{lang}.pdf"
        reader = PdfReader(pdf)
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
        text = " ".join(_text(pdf).split())
        for word in words:
            assert word in text, (lang, word)
        evaluation = forms / f"evaluation-{lang}.pdf"
        box = PdfReader(evaluation).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "本问卷不记名" in _text(forms / "evaluation-zh.pdf")
    assert "Prefer not to say" in _text(forms / "evaluation-en.pdf")
    fonts = subprocess.run(["pdffonts", str(forms / "sign-in-sheet-zh.pdf")], capture_output=True, text=True).stdout
    embedded = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    assert embedded and all("Noto-Sans-CJK-SC" in name for name in embedded), fonts  # Simplified forms, embedded
    # the downloads page links them, and the links resolve to the files
    import posixpath
    import re

    for lang, page in (("zh", built / "downloads" / "index.html"), ("en", built / "en" / "downloads" / "index.html")):
        hrefs = re.findall(r'href="([^"]*forms/[^"]+\.pdf)"', page.read_text(encoding="utf-8"))
        assert sorted(posixpath.basename(h) for h in hrefs) == [f"evaluation-{lang}.pdf", f"sign-in-sheet-{lang}.pdf"]
        for href in hrefs:
            assert (page.parent / href).resolve().is_file(), href


@pytest.mark.build
def test_each_held_event_gets_a_summary_report_made_from_its_record(built: Path):
    reports = sorted(p.relative_to(built).as_posix() for p in (built / "downloads" / "reports").rglob("*.pdf"))
    assert reports == [f"downloads/reports/{lang}/{name}.pdf" for lang in ("en", "zh")
                       for name in ("gender--training-2025", "gender--training-2026", "mercury--training-1")]
    text = " ".join(_text(built / "downloads" / "reports" / "zh" / "gender--training-2025.pdf").split())
    for part in ("活动总结报告", "测试性别培训乙", "合计 30", "女性 18", "男性 12", "女性占比 60%",
                 "测试议题乙", "测试问题乙", "测试总结乙", "18 (60%)"):  # facts, agenda, questions, summary, figure
        assert part in text, part
    reader = PdfReader(built / "downloads" / "reports" / "en" / "mercury--training-1.pdf")
    en = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Test training A" in en and "Test question" in en and "Test summary A" in en
    downloads = (built / "en" / "downloads" / "index.html").read_text(encoding="utf-8")
    assert "reports/en/gender--training-2025.pdf" in downloads and "Test gender training B" in downloads


@pytest.mark.build
def test_the_figure_renders_in_the_printed_event_report_too(built: Path, tmp_path: Path):
    # event records are not printed in the training manuals (kb.yml manuals): their print form is the report
    manual = built / "downloads" / "reports" / "zh" / "gender--training-2025.pdf"
    pages = [i for i, p in enumerate(PdfReader(manual).pages, 1) if "18 (60%)" in (p.extract_text() or "")]
    assert pages, "the figure's text is not in the printed report"
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-f", str(pages[0]), "-l", str(pages[0]), "-r", "40", "-png", str(manual), str(png)], check=True)
    assert list(tmp_path.glob("page*.png"))


def test_the_engine_reports_the_held_events_fixture_without_event_errors(tmp_path: Path, settings_for):
    project = make_project(tmp_path / "p", HELD)
    report = run(settings_for(project), lang="en")
    assert [f for f in report.findings if f.rule in ("event", "event-series") and f.severity == "error"] == []
