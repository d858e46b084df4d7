"""The lesson model (issue 26): a module's lesson (minutes, activities, the objectives each practises),
the lesson rule and the agenda rule with their exact messages and lines, the agenda computed from a
training's session plan, and, built for real, trainer notes folded on the page, absent from the search
index and from the trainees' handouts, and the agenda on the event page and in its PDF."""

from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sitebuild import FIXTURES, REPO, build, make_project

from kb.checks import Context
from kb.checks.engine import run
from kb.checks.lesson import check_lesson
from kb.content.lessons import (
    SessionModule,
    agenda,
    module_minutes,
    objectives,
    page_agenda,
    session_block,
    session_refs,
)
from kb.content.pages import parse_page
from kb.project.data import ProjectData
from kb.project.settings import REPO_ROOT, load_settings
from kb.project.templating import render
from kb.web.trainer_notes import fold_trainer_notes

RULES = FIXTURES / "rules"
DAY = FIXTURES / "training-day"
DATA = ProjectData(load_settings(REPO_ROOT, environ={"KB_TODAY": "2026-11-21"}))


def _findings(tmp_path: Path, settings_for, case: Path, rule: str, lang: str = "en") -> list[tuple[str, int, str, str]]:
    project = make_project(tmp_path, case)
    report = run(settings_for(project), lang=lang)
    return sorted((f.path, f.line, f.code, f.message) for f in report.findings if f.rule == rule)


def _page(path: Path, root: Path):
    rel_repo = path.relative_to(root).as_posix()
    lang, _, rel = rel_repo.removeprefix("docs/").partition("/")
    return parse_page(rel_repo, lang, rel, path.read_bytes())


# --- the lesson rule ------------------------------------------------------------------------------------------------
def test_durations_objectives_and_key_points_are_reported_at_their_lines(tmp_path: Path, settings_for):
    got = _findings(tmp_path, settings_for, RULES / "lesson" / "flag", "lesson")
    guide = ("Correct it as the authoring guide describes: durations are whole minutes above 0, kind is exercise or "
             "activity, practises lists learning-objective numbers (from 1).")
    assert got == [
        ("docs/zh/durations-not-positive.md", 8, "invalid",
         f"Front matter lesson.teaching_minutes: Input should be greater than 0. {guide}"),
        ("docs/zh/durations-not-positive.md", 12, "invalid",
         f"Front matter lesson.activities[0].kind: Input should be 'exercise' or 'activity' (found 'lecture'). {guide}"),
        ("docs/zh/no-lesson.md", 1, "missing",
         "The module declares no lesson. Add lesson: to its front matter: audience, teaching_minutes and activities "
         "(each exercise or activity with id, title, kind, minutes and practises, the numbers of the learning "
         "objectives it practises); see the authoring guide."),
        ("docs/zh/objectives-not-practised.md", 14, "unknown-objective",
         "Activity ledger practises objective 4, but the objectives section has 3 items. Use a number from 1 to 3."),
        ("docs/zh/objectives-not-practised.md", 20, "objective-not-practised",
         "Learning objective 2 (\"讨论汞流失的原因\") is practised by no exercise or activity. Add 2 to an activity's "
         "practises, or add an exercise for it."),
        ("docs/zh/objectives-not-practised.md", 21, "objective-not-practised",
         "Learning objective 3 (\"计算单位产品用汞量\") is practised by no exercise or activity. Add 3 to an activity's "
         "practises, or add an exercise for it."),
        ("docs/zh/objectives-not-practised.md", 23, "no-key-points",
         "The key points section has no list items. Write the module's key points as a list (\"- \")."),
    ]


def test_a_module_without_a_lesson_is_a_warning_and_a_bad_one_an_error(tmp_path: Path, settings_for):
    project = make_project(tmp_path, RULES / "lesson" / "flag")
    report = run(settings_for(project), lang="zh")
    severities = {(f.path.rsplit("/", 1)[1], f.code): f.severity for f in report.findings if f.rule == "lesson"}
    assert severities[("no-lesson.md", "missing")] == "warning"
    assert severities[("durations-not-positive.md", "invalid")] == "error"
    zh = [f.message for f in report.findings if f.rule == "lesson" and f.code == "unknown-objective"]
    assert zh == ["活动 ledger 的 practises 引用了学习目标 4，但“学习目标”一节只有 3 项。请改为 1～3 之间的编号。"]


def test_the_translation_declares_the_same_lesson_as_its_source(tmp_path: Path, settings_for):
    got = _findings(tmp_path, settings_for, RULES / "lesson" / "flag-pair", "lesson")
    source = "docs/zh/different-lesson.md"
    assert got == [
        ("docs/en/different-lesson.md", 8, "pair-teaching-minutes",
         f"Teaching takes 45 minutes here and 30 in the source {source}. Both languages plan the same lesson: use the same minutes."),
        ("docs/en/different-lesson.md", 11, "pair-activity",
         f"Activity discuss has minutes 25 here and 20 in the source {source}. Make it the same as the source."),
        ("docs/en/different-lesson.md", 11, "pair-activity",
         f"Activity discuss has practises 2 here and 1, 2 in the source {source}. Make it the same as the source."),
    ]


# --- session plans and agendas ------------------------------------------------------------------------------------
def test_the_agenda_times_each_module_from_its_minutes_and_places_the_breaks():
    root = DAY
    pages = {p.path: p for p in (_page(f, root) for f in sorted((root / "docs").rglob("*.md")))}
    ledger = pages["docs/zh/mercury/modules/01-ledger.md"]
    assert module_minutes(ledger) == 30 + 15 + 20
    assert [o.text for o in objectives(ledger)] == ["说明台账记录的内容；", "讨论汞流失的原因。"]
    day = page_agenda(pages["docs/zh/mercury/events/training-1.md"], pages, "docs", "zh")
    assert day is not None and day.date is None and (day.start, day.end, day.finishes, day.overrun) == ("09:00", "12:00", "11:20", 0)
    assert [(r.kind, r.start, r.end, r.minutes, r.title) for r in day.rows] == [
        ("module", "09:00", "10:05", 65, "测试模块：触媒台账"),
        ("teaching", "09:00", "09:30", 30, ""),
        ("exercise", "09:30", "09:45", 15, "填写台账"),
        ("activity", "09:45", "10:05", 20, "小组讨论汞流失"),
        ("break", "10:05", "10:20", 15, "茶歇"),
        ("module", "10:20", "11:20", 60, "测试模块：触媒切换"),
        ("teaching", "10:20", "11:00", 40, ""),
        ("exercise", "11:00", "11:20", 20, "制定切换计划"),
    ]
    # the English record names the English modules
    en = page_agenda(pages["docs/en/mercury/events/training-1.md"], pages, "docs", "zh")
    assert en is not None and en.rows[0].title == "Test module: catalyst ledger" and en.rows[4].title == "Tea break"
    plan, problems = session_block(pages["docs/zh/mercury/events/training-1.md"])
    assert plan is not None and not problems
    modules = [SessionModule(r.rel, r.page.title, r.lesson) for r in session_refs(plan, "zh", pages, "docs", "zh")
               if r.page is not None and r.lesson is not None]
    late = agenda(plan.model_copy(update={"end": "11:00"}), modules)
    assert (late.finishes, late.overrun) == ("11:20", 20)


def test_an_agenda_that_overruns_or_names_unknown_modules_is_reported(tmp_path: Path, settings_for):
    got = _findings(tmp_path, settings_for, RULES / "agenda" / "flag", "agenda")
    events = "docs/zh/mercury/events"
    assert got == [
        (f"{events}/overrun.md", 15, "overrun",
         "From the modules' minutes the agenda ends at 11:20, 20 minutes after the planned end 11:00. Drop a module "
         "or activity, shorten a break, or end later."),
        (f"{events}/unknown-module.md", 18, "unknown-module",
         "The agenda lists the module mercury/modules/09-missing.md, which does not exist (or is not a training "
         "module). Check the path: it is relative to docs/<lang>/, e.g. mercury/modules/02-low-mercury-catalyst.md."),
        (f"{events}/unknown-module.md", 19, "module-without-lesson",
         "The agenda lists the module mercury/modules/03-no-lesson.md, which has no valid lesson, so its times cannot "
         "be computed. Declare the lesson in docs/zh/mercury/modules/03-no-lesson.md, or correct it."),
        (f"{events}/unknown-module.md", 21, "break-after",
         "A break follows module 4, but the agenda has 3 modules. Use a number from 1 to 3."),
        (f"{events}/unquoted-time.md", 14, "invalid",
         "Front matter event.session.start: write the time in quotes, \"HH:MM\" (YAML read it as the number 810). "
         "Correct it as the authoring guide describes: the date as YYYY-MM-DD (null while unknown), times in quotes "
         "as \"HH:MM\", modules as module page paths (e.g. mercury/modules/02-low-mercury-catalyst.md), each break "
         "with after (the module it follows), minutes and title."),
    ]


def test_bad_session_plans_are_findings_not_tracebacks(tmp_path: Path, settings_for):
    project = make_project(tmp_path, DAY)
    page = project / "docs" / "zh" / "mercury" / "events" / "training-1.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace('    end: "12:00"\n', '    end: "08:00"\n    room: A\n')
                    .replace("      - {after: 1, minutes: 15, title: 茶歇}", "      - 15"), encoding="utf-8")
    got = {(f.line, f.params["where"], f.params["problem"]) for f in run(settings_for(project)).findings
           if f.rule == "agenda" and f.path.endswith("zh/mercury/events/training-1.md")}
    assert got == {
        (16, "event.session.room", "Extra inputs are not permitted"),
        (21, "event.session.breaks[0]", "Input should be a valid dictionary or instance of SessionBreak (found 15)"),
    }
    page.write_text(text.replace('    end: "12:00"\n', '    end: "08:00"\n'), encoding="utf-8")
    got = {(f.line, f.params["problem"]) for f in run(settings_for(project)).findings
           if f.rule == "agenda" and f.path.endswith("zh/mercury/events/training-1.md")}
    assert got == {(12, "end 08:00 is not after start 09:00")}  # the plan as a whole: its first line


# --- trainer notes ------------------------------------------------------------------------------------------------
def test_a_trainer_note_is_folded_under_the_language_label_whatever_the_author_wrote():
    html = ('<p>x</p>\n<div class="admonition trainer">\n<p class="admonition-title">Ask first</p>\n<p>Note <b>one</b>.</p>\n'
            '<div class="admonition note"><p class="admonition-title">N</p><p>inner</p></div>\n</div>\n'
            '<details class="trainer" open="open">\n<summary>Trainer</summary>\n<p>two</p>\n</details>\n'
            '<div class="admonition note">\n<p class="admonition-title">Note</p>\n<p>kept</p>\n</div>')
    folded = fold_trainer_notes(html, "培训师提示")
    assert folded == (
        '<p>x</p>\n<details class="admonition trainer" data-search-exclude="trainer"><summary>培训师提示</summary>\n'
        '<p>Note <b>one</b>.</p>\n<div class="admonition note"><p class="admonition-title">N</p><p>inner</p></div>\n</details>\n'
        '<details class="admonition trainer" data-search-exclude="trainer"><summary>培训师提示</summary>\n<p>two</p>\n</details>\n'
        '<div class="admonition note">\n<p class="admonition-title">Note</p>\n<p>kept</p>\n</div>')
    assert fold_trainer_notes(folded, "培训师提示") == folded  # twice: the same


# --- built for real -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("training-day") / "p", DAY, site=True)
    build(project, pdf=True)
    return project / "site"


NOTE_WORDS = {"zh": ("棕榈鹦鹉", "蓝鲸海豚"), "en": ("zebrafinch quokka", "narwhal axolotl")}


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.build
@pytest.mark.pdf
def test_trainer_notes_are_folded_and_labelled_on_the_page(built: Path):
    for lang, prefix, label in (("zh", "", "培训师提示"), ("en", "en/", "Trainer notes")):
        html = (built / f"{prefix}mercury/modules/01-ledger/index.html").read_text(encoding="utf-8")
        notes = re.findall(r'<details class="admonition trainer"( open)?[^>]*><summary>([^<]*)</summary>', html)
        assert notes == [("", label), ("", label)], notes  # closed, and the language's label, for !!! and ??? alike
        for word in NOTE_WORDS[lang]:
            assert word in html  # there for a trainer who opens it
        assert "另一条提示" not in html and "Another note" not in html
        assert "data-search-exclude" not in html  # Material's search plugin removes its marker


@pytest.mark.build
@pytest.mark.pdf
def test_trainer_notes_never_reach_the_search_index(built: Path):
    for lang in ("zh", "en"):
        index = json.loads((built / "search" / f"{lang}.json").read_text(encoding="utf-8"))
        # as a query meets it: tags, jieba's word breaks (U+200B) and spaces left out
        text = re.sub(r"<[^>]+>|[\u200b ]", "", " ".join(d["title"] + " " + d["text"] for d in index["docs"]))
        module = "台账按月记录触媒的批号和用量" if lang == "zh" else "Theledgerrecordseachcatalystbatch"
        assert module in text  # the module itself is indexed
        for word in NOTE_WORDS[lang]:
            assert word.replace(" ", "") not in text, (lang, word)


@pytest.mark.build
@pytest.mark.pdf
def test_handouts_leave_trainer_notes_out_and_the_manual_keeps_them(built: Path):
    for lang in ("zh", "en"):
        handout = " ".join(_text(built / "downloads" / "handouts" / lang / "01-ledger.pdf").split())
        assert ("台账按月记录" if lang == "zh" else "The ledger records each catalyst batch") in handout
        for word in NOTE_WORDS[lang]:
            assert word not in handout
        manual = " ".join(_text(built / "downloads" / f"manual-mercury-{lang}.pdf").split())
        assert NOTE_WORDS[lang][0] in manual


@pytest.mark.build
@pytest.mark.pdf
def test_the_event_page_and_its_pdf_show_the_computed_agenda(built: Path):
    html = (built / "mercury" / "events" / "training-1" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="kb-agenda__(\w+)"><td>([0-9:–]+)</td>', html)
    assert rows == [("module", "09:00–10:05"), ("teaching", "09:00–09:30"), ("exercise", "09:30–09:45"),
                    ("activity", "09:45–10:05"), ("break", "10:05–10:20"), ("module", "10:20–11:20"),
                    ("teaching", "10:20–11:00"), ("exercise", "11:00–11:20")]
    assert '<a href="../../modules/01-ledger/"><strong>测试模块：触媒台账</strong></a>' in html
    assert "日期待定" in html and "议程结束：11:20" in html
    href = re.search(r'<a href="([^"]+agenda-mercury-training-1-zh\.pdf)" download>', html)
    assert href and (built / "mercury" / "events" / "training-1" / href.group(1)).resolve().is_file()
    for lang, words in (("zh", ["培训议程 · 测试培训一", "日期待定", "09:00–12:00", "09:00–10:05 测试模块：触媒台账 65",
                                "09:30–09:45 填写台账 15", "10:05–10:20 茶歇 15", "11:00–11:20 制定切换计划 20"]),
                        ("en", ["Agenda · Test training 1", "Date to be set", "10:05–10:20 Tea break 15",
                                "09:45–10:05 Group discussion of mercury loss 20", "10:20–11:00 Teaching 40"])):
        text = " ".join(_text(built / "downloads" / f"agenda-mercury-training-1-{lang}.pdf").split())
        for word in words:
            assert word in text, (lang, word)


def test_a_hostile_lesson_of_thousands_of_bad_activities_is_reported_quickly_at_each_line():
    """Every finding names its line; the front matter is parsed once per page, not once per finding."""
    acts = "".join(f"    - {{id: a{i}, title: t, kind: lecture, minutes: 0, practises: [1]}}\n" for i in range(2000))
    text = (f"---\ntitle: T\ntype: module\ntrack: mercury\nreview: {{status: draft}}\nlesson:\n  audience: x\n"
            f"  teaching_minutes: 5\n  activities:\n{acts}---\n\n## O {{#objectives}}\n\n- a\n")
    page = parse_page("docs/zh/x.md", "zh", "x.md", text.encode())
    data = DATA
    started = time.perf_counter()
    found = check_lesson(page, Context(data=data, today=data.settings.today))
    assert time.perf_counter() - started < 10
    assert len(found) == 4000 and {f.code for f in found} == {"invalid"}
    assert [f.line for f in found[:2]] == [10, 10] and found[-1].line == 2009


def test_titles_in_the_printed_agenda_are_text_not_markup():
    """A module or break title from the front matter is escaped in the agenda PDF's HTML."""
    root = DAY
    pages = {p.path: p for p in (_page(f, root) for f in sorted((root / "docs").rglob("*.md")))}
    day = page_agenda(pages["docs/en/mercury/events/training-1.md"], pages, "docs", "zh")
    assert day is not None
    hostile = [replace(row, title='<img src=x onerror="alert(1)">') if row.kind == "break" else row for row in day.rows]
    html = render(REPO / "overrides", "forms/agenda.html", title="<script>alert(2)</script>",
                  agenda=replace(day, rows=tuple(hostile)), lang="en", ui=DATA.ui["en"], programme="P")
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html and "&lt;script&gt;alert(2)&lt;/script&gt;" in html
