"""Knowledge tests (issue 26): question banks per module (data/questions/), the pre-test, post-test,
answer key and score sheet of a training (built for real, read back with pdftotext), the knowledge
test's totals in the event record, the skewed answer-key check, and answers kept from trainees (the
search index, the offline copy)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, build, make_project

from kb.build.offline import TOP_FOLDER, build_offline_zip
from kb.checks.engine import run
from kb.project.data import load_question_banks
from kb.project.settings import SettingsError, load_settings

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
    assert any(line.endswith("01-x.yml:2: questions[0].choice: answer C names no option: the options are A, B")
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


# --- built: the sheets, the answer key, the score sheet, the record, the search index, the offline copy ------
KT = FIXTURES / "knowledge-tests"
EVENT = "mercury--events--training-kt"
ANSWER_ONLY = {"en": ["xylophonist", "zeppelinophile", "quetzalcoatl", "armadillo"],  # answers, trainer note, model answer
               "zh": ["琵琶鱼", "曼陀铃", "鹦鹉螺", "犰狳"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("kt") / "p", KT, site=True)
    build(project, pdf=True)
    return project / "site"


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


@pytest.mark.build
@pytest.mark.pdf
def test_a_training_gets_test_sheets_without_answers_and_a_trainer_only_answer_key(built: Path):
    downloads = built / "downloads"
    made = sorted(p.relative_to(downloads).as_posix() for p in downloads.rglob(f"*{EVENT}*.pdf") if "reports" not in p.parts)
    assert made == [f"{kind}-{EVENT}-{lang}.pdf" for kind in ("posttest", "pretest") for lang in ("en", "zh")] + [
        f"trainer/{kind}-{EVENT}-{lang}.pdf" for kind in ("answer-key", "score-sheet") for lang in ("en", "zh")]
    for lang, title, fields, question, options in (
        ("en", "Pre-training knowledge test", ["Name", "Sex (F/M)", "Organisation"],
         "1. Test choice: which is the test option beta? (4 points)", ["A. Test option alpha", "B. Test option beta"]),
        ("zh", "培训前知识测试", ["姓名", "性别（女/男）", "单位"], "1. 测试单选题：哪一项是测试选项乙？ （4 分）",
         ["A. 测试选项甲", "B. 测试选项乙", "C. 测试选项丙"]),
    ):
        pre = _text(downloads / f"pretest-{EVENT}-{lang}.pdf")
        for part in [title, *fields, question, *options]:
            assert part in pre, (lang, part)
        assert not any(word in pre for word in ANSWER_ONLY[lang]), pre
        post = _text(downloads / f"posttest-{EVENT}-{lang}.pdf")
        assert question in post and not any(word in post for word in ANSWER_ONLY[lang])
    key = _text(downloads / "trainer" / f"answer-key-{EVENT}-en.pdf")
    assert "Knowledge test answer key (for trainers)" in key
    assert "Answer: B. Test option beta" in key and "Training: Test training with knowledge tests" in key and "Model answer: The model answer alone says armadillo." in key
    assert "模型答案独有的词是犰狳甲片" in _text(downloads / "trainer" / f"answer-key-{EVENT}-zh.pdf")
    scores = _text(downloads / "trainer" / f"score-sheet-{EVENT}-en.pdf")
    for part in ("Knowledge test score sheet", "Totals by sex", "Women", "Men", "Tested", "Sum of scores", "Average",
                 "Name", "Sex (F/M)", "Pre-test score", "Post-test score", "event.knowledge_test", "25"):
        assert part in scores, part


@pytest.mark.build
@pytest.mark.pdf
def test_the_knowledge_test_totals_show_on_the_event_page_and_in_its_report(built: Path):
    html = (built / "en" / "mercury" / "events" / "training-kt" / "index.html").read_text(encoding="utf-8")
    table = html[html.index('<div class="kb-knowledge-test">'):html.index('id="summary"')]
    assert html.index('id="evaluation"') < html.index('<div class="kb-knowledge-test">')
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table)
    assert cells[-21:] == ["Pre-test", "24", "4.5", "36", "5.0", "60", "4.8",
                           "Post-test", "23", "8.0", "35", "7.5", "58", "7.7",
                           "Change in average", "", "+3.5", "", "+2.5", "", "+2.9"]
    report = _text(built / "downloads" / "reports" / "en" / f"{EVENT}.pdf")
    assert "Knowledge test (out of 10 points)" in report
    assert "Pre-test 24 4.5 36 5.0 60 4.8" in report and "Post-test 23 8.0 35 7.5 58 7.7" in report
    zh = _text(built / "downloads" / "reports" / "zh" / f"{EVENT}.pdf")
    assert "知识测试 (满分 10 分)" in zh and "培训前 24 4.5 36 5.0 60 4.8" in zh


@pytest.mark.build
@pytest.mark.pdf
def test_answers_and_trainer_notes_are_not_in_the_search_index_nor_the_handouts(built: Path):
    for lang in ("en", "zh"):
        index = json.loads((built / "search" / f"{lang}.json").read_text(encoding="utf-8"))
        docs = [d for d in index["docs"] if "91-test-module" in d["location"]]
        words = " ".join(f"{d['title']} {d['text']}" for d in index["docs"]).replace("\u200b", "")
        assert docs and {d["location"].rsplit("#", 1)[-1] for d in docs if "#" in d["location"]} == {
            "objectives", "content", "key-points", "exercises", "sources"}
        assert not [w for w in ANSWER_ONLY[lang] if w in words], lang
        assert ("catalysts" if lang == "en" else "触媒") in words  # the page's own text is found
        handout = _text(built / "downloads" / "handouts" / lang / "91-test-module.pdf")
        assert ("Test content about catalysts" if lang == "en" else "关于触媒的测试内容") in handout
        assert not [w for w in ANSWER_ONLY[lang] if w in handout], lang
    # the website itself still shows them: the answers to trainees who look, the notes folded for trainers
    page = (built / "en" / "mercury" / "modules" / "91-test-module" / "index.html").read_text(encoding="utf-8")
    assert "xylophonist" in page and "quetzalcoatl" in page


@pytest.mark.build
@pytest.mark.pdf
def test_the_offline_copy_has_no_answers_trainer_notes_or_trainer_files(built: Path, tmp_path: Path):
    project = built.parent
    env = {**os.environ, "KB_TODAY": TODAY}
    env.pop("KB_RELEASE", None)
    archive = build_offline_zip(load_settings(project, environ=env), env=env, site=built)
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        page = z.read(f"{TOP_FOLDER}/en/mercury/modules/91-test-module.html").decode("utf-8")
        zh = z.read(f"{TOP_FOLDER}/mercury/modules/91-test-module.html").decode("utf-8")
        review = z.read(f"{TOP_FOLDER}/review/mercury/modules/91-test-module/index.html").decode("utf-8")
        index = z.read(f"{TOP_FOLDER}/search/en.js").decode("utf-8")
    assert f"{TOP_FOLDER}/downloads/pretest-{EVENT}-en.pdf" in names
    assert not [n for n in names if "/downloads/trainer/" in n]
    assert 'id="answers"' in page and "The answers are given by your trainer" in page
    assert not [w for w in ANSWER_ONLY["en"] if w in page] and not [w for w in ANSWER_ONLY["zh"] if w in zh]
    assert "Test content about catalysts" in page and "参考答案由培训师提供" in zh
    assert "catalysts" in index and not [w for w in ANSWER_ONLY["en"] + ANSWER_ONLY["zh"] if w in index + review]


# --- templates are not printed as content ----------------------------------------------------------------------
@pytest.mark.build
@pytest.mark.pdf
def test_a_case_still_in_template_state_is_listed_to_be_completed_not_printed(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "case-templates", site=True)
    build(project, pdf=True)
    en = _text(project / "site" / "downloads" / "manual-mercury-en.pdf")
    assert "Finished case study" in en and "okapi" in en  # a chapter
    assert "marmoset" not in en and "test item 7 still to fill" not in en  # the template's body is not printed
    appendix = en[en.rindex("Appendix: to be completed"):]
    assert "Template case study with many gaps (12 items to be completed)" in appendix
    assert "Finished case study" not in appendix
    zh = _text(project / "site" / "downloads" / "manual-mercury-zh.pdf")
    assert "霍加狓" in zh and "狨猴" not in zh
    assert "待补充较多的模板案例（12 项待补充）" in zh[zh.rindex("附录：待完成的案例"):]


# --- event.knowledge_test and event.session.modules in the record -----------------------------------------------
def test_a_wrong_knowledge_test_record_and_a_module_without_a_bank_are_reported(tmp_path: Path, settings_for):
    project = make_project(tmp_path, KT)
    page = project / "docs" / "en" / "mercury" / "events" / "training-kt.md"
    text = page.read_text(encoding="utf-8")
    text = text.replace("post: {women: {tested: 23, average: 8.0}", "post: {women: {tested: 23, average: 12}")
    text = text.replace("modules: [mercury/modules/91-test-module.md]",
                        "modules: [mercury/modules/91-test-module.md, mercury/modules/99-none]")
    page.write_text(text, encoding="utf-8")
    found = sorted((f.code, f.line, f.severity, f.message) for f in run(settings_for(project), lang="en").findings
                   if f.rule == "event" and f.path == "docs/en/mercury/events/training-kt.md")
    assert found == [
        ("knowledge-test", 6, "error",
         "event.knowledge_test is wrong: post.women.average 12.0 is more than points (10). Give the score "
         "sheet's totals, e.g. knowledge_test: {points: 16, pre: {women: {tested: 18, average: 7.5}, men: {tested: 12, "
         "average: 8.0}}, post: …} (points: the most a participant can score; tested: how many took the test; average: "
         "their average score; null where there is no figure yet)."),
        ("no-question-bank", 6, "info",
         "The module mercury/modules/99-none.md listed in event.session.modules has no question bank "
         "(data/questions/mercury/modules/99-none.yml): the pre-test and post-test leave it out. Add one in the form "
         "of the other banks."),
    ]
