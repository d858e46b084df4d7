"""Knowledge tests as the pages declare them: the modules a training teaches (event.session.modules,
whose question banks make its pre-test and post-test), the totals of its score sheet
(event.knowledge_test) and the single-choice answers of a module's answers section (the
answer-key-skew check). Plain reading only: the checks report, kb.print.knowledge prints."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from kb.content.pages import Page
from kb.project.schemas import KnowledgeTestRecord

ANSWERS_ID = "answers"
# "1. B。…" or "1. B. …": a numbered answer that is one option letter. "2. A、B、D。" (several letters)
# and "3. E.g. …" (a word) are not single-choice answers.
CHOICE_ANSWER_RE = re.compile(r"^(\d+)\.\s+([A-F])(?:。|[.．](?=\s|$))")


@dataclass(frozen=True)
class ChoiceAnswer:
    line: int       # file line of the answer
    number: int     # the question's number
    letter: str


def choice_answers(page: Page) -> list[ChoiceAnswer]:
    """The single-choice answers in the page's answers section ({#answers}), top-level items only."""
    span = page.section_lines(ANSWERS_ID)
    if span is None:
        return []
    start, end = span
    lines = page.body.split("\n")
    out = []
    for number in range(start + 1, end):
        m = CHOICE_ANSWER_RE.match(lines[number - page.body_start])
        if m:
            out.append(ChoiceAnswer(number, int(m.group(1)), m.group(2)))
    return out


def session_modules(meta: dict[str, Any]) -> list[str]:
    """The module pages a training lists in event.session.modules, as the session plan reads them:
    paths under docs/<lang>/ (mercury/modules/02-x.md; kb.content.lessons), with or without .md. What
    is not a list of text: none (the session's own checks report its shape)."""
    event = meta.get("event")
    session = event.get("session") if isinstance(event, dict) else None
    modules = session.get("modules") if isinstance(session, dict) else None
    if not isinstance(modules, list):
        return []
    out = []
    for item in modules:
        if isinstance(item, str) and item.strip().strip("/"):
            rel = item.strip().strip("/")
            out.append(rel if rel.endswith(".md") else rel + ".md")
    return list(dict.fromkeys(out))


def knowledge_record(meta: dict[str, Any]) -> tuple[KnowledgeTestRecord | None, str | None]:
    """The event's knowledge_test totals, validated: (record, None), (None, what is wrong), or
    (None, None) when the page gives none or only an empty block (a planned training's)."""
    event = meta.get("event")
    raw = event.get("knowledge_test") if isinstance(event, dict) else None
    if raw is None or raw == {}:
        return None, None
    try:
        return KnowledgeTestRecord.model_validate(raw), None
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = ".".join(str(x) for x in error["loc"] if not (isinstance(x, str) and "[" in x))
            message = error["msg"].removeprefix("Value error, ")  # a model's own check says where itself
            problems.append(f"{loc}: {message}" if loc and error["type"] != "value_error" else message)
        return None, "; ".join(dict.fromkeys(problems))


@dataclass(frozen=True)
class ResultRow:
    """One row of a knowledge test's results as the event page and its report show them."""

    sitting: str                      # pre | post | change
    women: tuple[int | None, float | None]
    men: tuple[int | None, float | None]
    all: tuple[int | None, float | None]


def _overall(women: tuple[int | None, float | None], men: tuple[int | None, float | None]) -> tuple[int | None, float | None]:
    (tw, aw), (tm, am) = women, men
    if tw is None or tm is None:
        return None, None
    tested = tw + tm
    if aw is None or am is None or tested == 0:
        return tested, None
    return tested, round((tw * aw + tm * am) / tested, 1)


def result_rows(record: KnowledgeTestRecord) -> list[ResultRow]:
    """Pre-test and post-test by sex and together (the average weighted by the numbers tested), and
    the change of each average from pre to post where both are given."""
    rows = []
    for name in ("pre", "post"):
        sitting = getattr(record, name)
        women, men = (sitting.women.tested, sitting.women.average), (sitting.men.tested, sitting.men.average)
        rows.append(ResultRow(name, women, men, _overall(women, men)))

    def change(pre: tuple[int | None, float | None], post: tuple[int | None, float | None]) -> tuple[None, float | None]:
        return None, (round(post[1] - pre[1], 1) if pre[1] is not None and post[1] is not None else None)

    pre, post = rows
    rows.append(ResultRow("change", change(pre.women, post.women), change(pre.men, post.men), change(pre.all, post.all)))
    return rows


def insert_results(html_text: str, block: str) -> str:
    """The results go at the end of the record's evaluation section, else of its participants
    section, else at the end of the page."""
    for section in ('id="evaluation"', 'id="participants"'):
        at = html_text.find(section)
        if at < 0:
            continue
        level = html_text.rfind("<h", 0, at)
        tag = html_text[level + 1:level + 3] if level >= 0 else "h2"
        after = html_text.find(f"</{tag}>", at)
        following = [html_text.find(f"<h{n}", after) for n in range(1, int(tag[1]) + 1)]
        found = [i for i in following if i >= 0]
        end = min(found) if found else len(html_text)
        return html_text[:end] + block + "\n" + html_text[end:]
    return html_text + block
