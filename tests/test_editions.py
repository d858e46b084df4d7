"""The two editions of each programme's manual (ADR 0017), read as a trainer and a participant get them:
the participant workbook (exercises with room to write, no answers, no trainer notes) and the trainer
guide (a session plan per module, the trainer notes, the answers, the training agendas).

A small bilingual fixture (tests/fixtures/editions/: one module with a lesson, a trainer note, a
single-choice question, a short-answer question and a calculation in two parts, and a training with a
session plan) is built with PDFs; the PDFs are read with pdftotext (-bbox for the room to write)."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tinyhtml5
import yaml
from sitebuild import FIXTURES, REPO, build, make_project

from kb.print.manual.content import WRITE_CLASS, add_writing_space, classes, letter_options

UI = yaml.safe_load((REPO / "data" / "ui.yml").read_text(encoding="utf-8"))
LANGS = ("zh", "en")
QUESTIONS = {"zh": ("台账多久记录一次", "列出台账为每批触媒记录的内容", "两个月共使用多少"),
             "en": ("How often is the ledger kept?", "List what the ledger holds", "How much did it use in the two months?")}
OPTIONS = {"zh": ("A. 每天", "B. 每月", "C. 每年"), "en": ("A. Every day", "B. Every month", "C. Every year")}
ANSWER_WORDS = {"zh": "穿山甲狨猴", "en": "pangolin marmoset"}
NOTE_WORDS = {"zh": "棕榈鹦鹉", "en": "zebrafinch quokka"}
MM = 72 / 25.4  # PDF points per millimetre


# --- where an exercise gets room to write (no build) ----------------------------------------------------------
def _article(html: str) -> ET.Element:
    root = tinyhtml5.parse(f"<article>{html}</article>", namespace_html_elements=False)
    article = root.find(".//article")
    assert article is not None
    letter_options(article)
    return article


def test_questions_without_options_get_ruled_lines_and_single_choice_questions_none():
    article = _article(
        '<h2 id="content">Content</h2><ol><li>Not an exercise.</li></ol>'
        '<h2 id="exercises">Exercises</h2><ol>'
        "<li>Which one?<ul><li>This</li><li>That</li></ul></li>"
        "<li>Describe the ledger.</li>"
        "<li>Calculation: (1) the sum; (2) the share; (3) the difference.</li>"
        "<li>Scenario （1）第一问（2）第二问</li>"
        '</ol><h2 id="key-points">Key points</h2><ol><li>Not an exercise either.</li></ol>')
    assert add_writing_space(article, "Your answer") == 3
    boxes = {}
    for li in article.iter("li"):
        box = next((el for el in li if WRITE_CLASS in classes(el)), None)
        if box is not None:
            label = box.find("p")
            assert label is not None and label.text == "Your answer"
            lines = [el for el in box if "kb-write__line" in classes(el)]
            assert len(lines) == int(box.get("data-lines") or 0)
            boxes[(li.text or "").strip()] = len(lines)
    assert boxes == {"Describe the ledger.": 5, "Calculation: (1) the sum; (2) the share; (3) the difference.": 9,
                     "Scenario （1）第一问（2）第二问": 6}


# --- built for real ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("editions") / "p", FIXTURES / "editions", site=True)
    build(project, pdf=True)
    return project / "site" / "downloads"


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def _words(pdf: Path) -> list[tuple[int, float, float, str, float]]:
    """(page, yMin, yMax, word, xMin) of every word, from pdftotext -bbox."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = []
    for number, page in enumerate(out.split("<page ")[1:], 1):
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page):
            words.append((number, float(m.group(2)), float(m.group(3)), m.group(4), float(m.group(1))))
    return words


def _rows(pdf: Path) -> list[str]:
    """Each printed line (words on the same baseline, left to right): a table row whatever the
    watermark drawn across it does to pdftotext's reading order."""
    lines: dict[tuple[int, float], list[tuple[float, str]]] = {}
    for page, _top, bottom, word, left in _words(pdf):
        key = next((k for k in lines if k[0] == page and abs(k[1] - bottom) < 1.5), (page, bottom))
        lines.setdefault(key, []).append((left, word))
    return [" ".join(w for _, w in sorted(words)) for _, words in sorted(lines.items())]


@pytest.mark.build
@pytest.mark.pdf
@pytest.mark.parametrize("lang", LANGS)
def test_the_workbook_has_the_exercises_and_room_to_write_but_no_answers_or_trainer_notes(downloads: Path, lang: str):
    pdf = downloads / f"workbook-mercury-{lang}.pdf"
    text = _text(pdf)
    assert UI[lang]["manual_edition_workbook"] in text  # the cover says which edition it is
    for words in (*QUESTIONS[lang], *OPTIONS[lang]):
        assert words in text, words
    assert ANSWER_WORDS[lang] not in text and NOTE_WORDS[lang] not in text
    for key in ("manual_appendix_answers", "manual_session_plan", "manual_appendix_agendas"):
        assert UI[lang][key] not in text, key
    # room to write after the short answer and the calculation, none after the single-choice question
    label = UI[lang]["manual_write_label"]
    assert text.count(label) == 2
    short, calculation = QUESTIONS[lang][1], QUESTIONS[lang][2]
    assert text.index(OPTIONS[lang][2]) < text.index(short) < text.index(label) < text.index(calculation)
    # the room is there on paper: below the label, five ruled lines of 8.5 mm before the next text
    words = _words(pdf)
    first = label.split()[0]
    at = next(i for i, w in enumerate(words) if w[3] == first)
    page, _, bottom = words[at][:3]
    below = [w[1] for w in words[at + 1:] if w[0] == page and w[1] > bottom + 1]
    assert below and min(below) - bottom >= 5 * 8.5 * MM - 2, (bottom, below[:3])


@pytest.mark.build
@pytest.mark.pdf
@pytest.mark.parametrize("lang", LANGS)
def test_the_trainer_guide_has_the_session_plan_the_trainer_notes_the_answers_and_the_agenda(downloads: Path, lang: str):
    text = _text(downloads / f"manual-mercury-{lang}.pdf")
    ui = UI[lang]
    assert ui["manual_edition_guide"] in text
    # the session plan at the module's start: audience, each activity with its kind, minutes and objectives
    plan = text[text.index(ui["manual_session_plan"]):]
    audience = "企业技术骨干" if lang == "zh" else "Senior technical staff of enterprises"
    assert ui["manual_session_facts"].format(audience=audience, minutes=70) in plan
    teaching, exercise, activity = ui["agenda_teaching"], ui["agenda_exercise"], ui["agenda_activity"]
    rows = {"zh": (f"{teaching} {teaching} 30 –", f"填写台账 {exercise} 15 1", f"小组讨论汞流失 {activity} 25 1, 2"),
            "en": (f"{teaching} {teaching} 30 –", f"Fill in the ledger {exercise} 15 1",
                   f"Group discussion of mercury loss {activity} 25 1, 2")}[lang]
    printed = _rows(downloads / f"manual-mercury-{lang}.pdf")
    for row in (*rows, f"{ui['manual_session_total']} 70"):
        assert row in printed, (row, printed[:40])
    assert text.index(ui["manual_session_plan"]) < text.index(QUESTIONS[lang][0])  # at the chapter start
    # the numbers in the objectives column are those the learning objectives print with
    objective = "1. 说明台账记录的内容；" if lang == "zh" else "1. describe what the ledger records;"
    assert objective in printed and ui["manual_session_note"] in text
    # the trainer note printed under its label; the answers in the appendix; the training's agenda
    label = "培训师提示" if lang == "zh" else "Trainer notes"
    assert f"{label} " in text and NOTE_WORDS[lang] in text
    answers = text[text.rindex(ui["manual_appendix_answers"]):]
    assert ANSWER_WORDS[lang] in answers
    agenda = text[text.rindex(ui["manual_appendix_agendas"]):]
    tea = "茶歇" if lang == "zh" else "Tea break"
    step = "填写台账" if lang == "zh" else "Fill in the ledger"
    assert f"09:30–09:45 {step} 15" in agenda and f"10:10–10:25 {tea} 15" in agenda
    assert ui["manual_write_label"] not in text.replace(ui["manual_edition_workbook"], "")  # no ruled lines here
