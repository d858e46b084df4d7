"""Knowledge tests (issue 26): question banks per module (data/questions/), the pre-test, post-test,
answer key and score sheet of a training (built for real, read back with pdftotext), the knowledge
test's totals in the event record, the skewed answer-key check, and answers kept from trainees (the
search index, the offline copy)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import FIXTURES, make_project

from kb.checks.engine import run
from kb.project.data import load_question_banks
from kb.project.settings import SettingsError

RULES = FIXTURES / "rules"


# --- the answer-key-skew check -------------------------------------------------------------------------------
def test_a_skewed_answer_key_is_reported_per_module_and_per_programme(tmp_path: Path, settings_for):
    project = make_project(tmp_path, RULES / "answer-key-skew" / "flag")
    found = sorted((f.path, f.line, f.code, f.message) for f in run(settings_for(project), lang="en").findings
                   if f.rule == "answer-key-skew")
    assert found == [
        ("docs/zh/gender/modules/01-first.md", 20, "programme",
         "In the answer keys of the 2 modules of the gender programme, 4 of the 6 single-choice answers are B "
         "(A 1, B 4, C 1), most often in this module: a trainee who always guesses B gets more than half right. "
         "Move the correct option of some questions to other positions in these modules, changing the exercises "
         "and the answers together."),
        ("docs/zh/mercury/modules/01-one-letter.md", 20, "module",
         "4 of the 6 single-choice answers in this module's answer key are B (A 1, B 4, C 1): a trainee who always "
         "guesses B gets more than half right. Move the correct option of some questions to other positions "
         "(A, B, C and D about equally often), changing the exercises and the answers together."),
    ]
    zh = [f.message for f in run(settings_for(project), lang="zh").findings if f.code == "module"]
    assert zh == ["本模块参考答案中的单选题有 4 道（共 6 道）答案是 B（A 1, B 4, C 1）：学员只猜 B 就能答对一半以上。"
                  "请把部分题目的正确选项换到其他位置（A、B、C、D 大致各占同样多），并同时修改练习和参考答案。"]


# --- question banks -----------------------------------------------------------------------------------------
def test_a_question_bank_with_a_wrong_answer_letter_is_refused_with_file_and_line(tmp_path: Path):
    folder = tmp_path / "questions" / "mercury" / "modules"
    folder.mkdir(parents=True)
    (folder / "01-x.yml").write_text(
        "questions:\n"
        "  - id: one\n    kind: choice\n    points: 2\n    question: {zh: 问, en: Q}\n"
        "    options:\n      - {zh: 甲, en: a}\n      - {zh: 乙, en: b}\n    answer: C\n"
        "  - id: two\n    kind: short\n    points: 2\n    question: {zh: 问, en: Q}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as exc:
        load_question_banks(tmp_path / "questions")
    lines = str(exc.value).splitlines()
    assert any(line.endswith("01-x.yml:2: questions[0].choice: Value error, answer C names no option: the options are A, B")
               for line in lines), lines
    assert any("01-x.yml:10: questions[1].short.answer: Field required" in line for line in lines), lines


def test_the_banks_load_by_module_page(tmp_path: Path):
    folder = tmp_path / "questions" / "gender" / "modules"
    folder.mkdir(parents=True)
    (folder / "03-y.yml").write_text(
        "questions:\n  - id: one\n    kind: short\n    points: 3\n    question: {zh: 问, en: Q}\n"
        "    answer: {zh: 答, en: A}\n", encoding="utf-8")
    banks = load_question_banks(tmp_path / "questions")
    assert list(banks) == ["gender/modules/03-y.md"] and banks["gender/modules/03-y.md"].points == 3
