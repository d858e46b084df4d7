"""The knowledge tests of a training, as A4 PDFs made after the site is built (issue 26).

For each event page that lists modules in ``event.session.modules`` with a question bank
(data/questions/, kb.project.data.QuestionBank), in each language:

- site/downloads/pretest-<event>-<lang>.pdf and posttest-…: the questions (no answers), the name,
  sex and organisation fields, boxes to tick and lines to write on;
- site/downloads/trainer/answer-key-<event>-<lang>.pdf: the answers, for the trainers only;
- site/downloads/trainer/score-sheet-<event>-<lang>.pdf: a row per participant (name, sex, pre and
  post score) and the totals by sex that go into event.knowledge_test.

<event> is the page's path under docs/<lang>/ with "/" as "--" (as the event reports). The sheets get
views of the questions without their answers: an answer cannot reach a trainee's sheet by a template
mistake. Trainer files are kept out of the offline copy (kb.build.offline)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from kb.content.knowledge import session_modules
from kb.print.manual.render import RenderJob
from kb.project.data import QuestionBank
from kb.project.schemas import OPTION_LETTERS, Forms, UiFile
from kb.project.templating import render

DOWNLOADS = PurePosixPath("downloads")
TRAINER = DOWNLOADS / "trainer"  # files for the trainers only: never in the offline copy
SHEETS = ("pretest", "posttest")


@dataclass(frozen=True)
class QuestionView:
    """One question as a sheet prints it: never its answer."""

    number: int
    kind: str            # choice | short
    text: str
    points: int
    options: tuple[tuple[str, str], ...] = ()  # (letter, text)
    lines: int = 0


@dataclass(frozen=True)
class AnswerView:
    number: int
    kind: str
    text: str
    points: int
    answer: str          # the correct letter and its option, or the model answer


@dataclass(frozen=True)
class ModuleTest:
    title: str
    questions: tuple[QuestionView, ...]
    answers: tuple[AnswerView, ...]


@dataclass(frozen=True)
class Training:
    rel: str                 # the event page under docs/<lang>/
    page: Any
    banks: tuple[QuestionBank, ...]  # in the order the event lists its modules


def slug(rel: str) -> str:
    return posixpath.splitext(rel)[0].replace("/", "--")


def test_outputs(rel: str, lang: str) -> dict[str, PurePosixPath]:
    name = slug(rel)
    return {"pretest": DOWNLOADS / f"pretest-{name}-{lang}.pdf", "posttest": DOWNLOADS / f"posttest-{name}-{lang}.pdf",
            "answer-key": TRAINER / f"answer-key-{name}-{lang}.pdf", "score-sheet": TRAINER / f"score-sheet-{name}-{lang}.pdf"}


def trainings(pages: dict[str, Any], docs_dir: str, lang: str, default_language: str,
              banks: dict[str, QuestionBank]) -> list[Training]:
    """Every event of *lang* (its own page, else the default language's) whose listed modules have a
    question bank."""
    found: dict[str, Training] = {}
    for tree in dict.fromkeys((default_language, lang)):
        root = f"{docs_dir}/{tree}/"
        for path, page in pages.items():
            if not path.startswith(root) or page.type != "event" or page.text is None:
                continue
            listed = tuple(banks[m] for m in session_modules(page.meta) if m in banks)
            if listed:
                found[page.rel] = Training(page.rel, page, listed)
    return [found[rel] for rel in sorted(found)]


def module_tests(training: Training, pages: dict[str, Any], docs_dir: str, lang: str,
                 default_language: str) -> list[ModuleTest]:
    """The questions and answers of each listed module in *lang*, numbered through the test."""
    out: list[ModuleTest] = []
    number = 0
    for bank in training.banks:
        page = pages.get(f"{docs_dir}/{lang}/{bank.module}") or pages.get(f"{docs_dir}/{default_language}/{bank.module}")
        title = str(page.meta.get("title") or bank.module) if page is not None else bank.module
        questions, answers = [], []
        for q in bank.questions:
            number += 1
            text = getattr(q.question, lang)
            if q.kind == "choice":
                options = tuple((OPTION_LETTERS[i], getattr(o, lang)) for i, o in enumerate(q.options))
                questions.append(QuestionView(number, q.kind, text, q.points, options=options))
                correct = options[OPTION_LETTERS.index(q.answer)]
                answers.append(AnswerView(number, q.kind, text, q.points, f"{correct[0]}. {correct[1]}"))
            else:
                questions.append(QuestionView(number, q.kind, text, q.points, lines=q.lines))
                answers.append(AnswerView(number, q.kind, text, q.points, getattr(q.answer, lang)))
        out.append(ModuleTest(title, tuple(questions), tuple(answers)))
    return out


def knowledge_test_jobs(*, pages: dict[str, Any], settings: Any, banks: dict[str, QuestionBank], spec: Forms,
                        ui: UiFile, site_dir: Path, overrides: Path, css: str) -> list[RenderJob]:
    """The render jobs of every training's test sheets, answer key and score sheet, in every language."""
    base = site_dir.resolve().as_uri() + "/"
    jobs: list[RenderJob] = []
    for lang in settings.languages:
        for training in trainings(pages, settings.docs_dir, lang, settings.default_language, banks):
            tests = module_tests(training, pages, settings.docs_dir, lang, settings.default_language)
            event = training.page.meta.get("event") or {}
            common = {"lang": lang, "ui": ui.strings(lang), "kt": spec.knowledge_test, "modules": tests,
                      "title": str(training.page.meta.get("title") or training.rel), "date": event.get("date"),
                      "points": sum(b.points for b in training.banks)}
            outputs = test_outputs(training.rel, lang)
            documents = {sheet: render(overrides, "forms/knowledge-test.html", sheet=sheet, **common) for sheet in SHEETS}
            documents["answer-key"] = render(overrides, "forms/answer-key.html", **common)
            documents["score-sheet"] = render(overrides, "forms/score-sheet.html", form=spec.score_sheet, **common)
            for name, html in documents.items():
                out = site_dir / outputs[name]
                jobs.append(RenderJob(html=html, base_url=base, stylesheets=(css,), output=str(out),
                                      name=f"{name}-{lang}:{out.name}"))
    return jobs
