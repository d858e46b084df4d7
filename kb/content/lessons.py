"""A module's lesson and a training day's session plan, read from parsed pages.

- ``lesson:`` (front matter of a module): audience, minutes of teaching, and each exercise or activity
  with its minutes and the objectives it practises (1-based numbers of the items of the module's
  ``{#objectives}`` list). A module lasts :func:`module_minutes`.
- ``event.session`` (front matter of a training's record): date (or null while unknown), start and end
  time, the modules in order (paths relative to docs/<lang>/) and the breaks (lunch is a break). The
  agenda (:func:`agenda`) gives each module its times from its minutes.

Both blocks are untrusted input: they are validated with the schemas (kb.project.schemas) and every
problem keeps the line of the front matter it is on (:func:`front_matter_line`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from kb.content.pages import LIST_ITEM_RE, Page, split_front_matter
from kb.project.schemas import LessonBlock, Problem, SessionPlan, block_problems, yaml_lines

OBJECTIVES_ID = "objectives"
KEY_POINTS_ID = "key-points"
TOP_ITEM_RE = re.compile(r"^(?:[*+-]|\d{1,9}[.)])[ \t]+(?P<text>.*)$")


@dataclass(frozen=True)
class Item:
    """One item of a section's list: its 1-based number, file line and text."""

    number: int
    line: int
    text: str


def section_items(page: Page, heading_id: str) -> list[Item]:
    """The items of the top-level list(s) of the section under *heading_id* (not nested items)."""
    span = page.section_lines(heading_id)
    if span is None:
        return []
    start, end = span
    lines = page.body.split("\n")
    out: list[Item] = []
    fence = False
    for lineno in range(start + 1, end):
        line = lines[lineno - page.body_start]
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if fence or not LIST_ITEM_RE.match(line):  # indented lines are nested items or continuations
            continue
        m = TOP_ITEM_RE.match(line)
        if m:
            out.append(Item(len(out) + 1, lineno, m.group("text").strip()))
    return out


def objectives(page: Page) -> list[Item]:
    return section_items(page, OBJECTIVES_ID)


def key_points(page: Page) -> list[Item]:
    return section_items(page, KEY_POINTS_ID)


def _key(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(x if isinstance(x, int) else str(x) for x in loc)


@lru_cache(maxsize=16)
def _front_matter_lines(text: str) -> dict[tuple[Any, ...], int]:
    """The lines of a page's front matter by location, parsed once per page however many findings need
    one (a hostile page may give thousands)."""
    source, _, _ = split_front_matter(text)
    return {_key(loc): line for loc, line in (yaml_lines(source) if source else {}).items()}


def front_matter_line(page: Page, loc: tuple[Any, ...]) -> int:
    """The file line of *loc* (("lesson", "activities", 1, "minutes")) in the page's front matter: the
    deepest part of it that is written (a missing key: its parent's line)."""
    lines = _front_matter_lines(page.text) if page.text is not None else {}
    if not lines:
        return page.line_of(str(loc[0])) if loc else 1
    loc = _key(loc)
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]] + 1  # the front matter starts on the file's second line
    return 1


def declared(block: Any) -> bool:
    """Whether a front-matter block is written: absent, null and {} (as ./scripts/new leaves an event's
    mappings) are not yet declared."""
    return block is not None and block != {}


def lesson_block(page: Page) -> tuple[LessonBlock | None, list[Problem]]:
    """The page's ``lesson:`` block, or None and what is wrong with it (locations under "lesson")."""
    if not declared(page.meta.get("lesson")):
        return None, []
    block, problems = block_problems(page.meta.get("lesson"), LessonBlock)
    return block, [Problem(p.where, ("lesson", *p.loc), p.what) for p in problems]


def module_minutes(page: Page) -> int | None:
    """How long the module takes to run (teaching plus every activity); None without a valid lesson."""
    block, _ = lesson_block(page)
    return block.minutes if block is not None else None


# --- session plans and agendas --------------------------------------------------------------------------------
def session_block(page: Page) -> tuple[SessionPlan | None, list[Problem]]:
    """The record's ``event.session``, or None and what is wrong with it (locations under "event", "session")."""
    event = page.meta.get("event")
    if not isinstance(event, dict) or not declared(event.get("session")):
        return None, []
    plan, problems = block_problems(event.get("session"), SessionPlan)
    return plan, [Problem(p.where, ("event", "session", *p.loc), p.what) for p in problems]


def module_page(rel: str, lang: str, pages: Mapping[str, Page], docs_dir: str, default_language: str) -> Page | None:
    """The module a session names, in *lang* (else the default language's page, as the site shows it)."""
    for tree in dict.fromkeys((lang, default_language)):
        page = pages.get(f"{docs_dir}/{tree}/{rel}")
        if page is not None and page.text is not None:
            return page
    return None


@dataclass(frozen=True)
class ModuleRef:
    """A module a session plan names: its page (None: no such module page) and lesson (None: none valid)."""

    index: int  # 0-based, in the plan's list
    rel: str
    page: Page | None
    lesson: LessonBlock | None


def session_refs(plan: SessionPlan, lang: str, pages: Mapping[str, Page], docs_dir: str,
                 default_language: str) -> list[ModuleRef]:
    out = []
    for index, rel in enumerate(plan.modules):
        page = module_page(rel.strip().lstrip("/"), lang, pages, docs_dir, default_language)
        if page is not None and page.type != "module":
            page = None
        lesson = lesson_block(page)[0] if page is not None else None
        out.append(ModuleRef(index, rel, page, lesson))
    return out


def page_agenda(page: Page, pages: Mapping[str, Page], docs_dir: str, default_language: str) -> Agenda | None:
    """The agenda of a training's record in its language; None without a session plan or while one of
    its modules has no valid lesson or a break follows no module (the agenda rule says which)."""
    plan, _ = session_block(page)
    if plan is None or any(b.after > len(plan.modules) for b in plan.breaks):
        return None
    modules = []
    for ref in session_refs(plan, page.lang, pages, docs_dir, default_language):
        if ref.page is None or ref.lesson is None:
            return None
        modules.append(SessionModule(ref.rel, ref.page.title, ref.lesson))
    return agenda(plan, modules)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes_of(value: str) -> int:
    hours, _, minutes = value.partition(":")
    return int(hours) * 60 + int(minutes)


RowKind = Literal["module", "teaching", "exercise", "activity", "break"]


@dataclass(frozen=True)
class AgendaRow:
    kind: RowKind
    start: str
    end: str
    minutes: int
    title: str
    rel: str | None = None  # a module's path under docs/<lang>/


@dataclass(frozen=True)
class Agenda:
    date: dt.date | None
    start: str
    end: str  # the planned end of the day
    finishes: str  # when the agenda ends
    overrun: int  # minutes past the planned end (0: it fits)
    rows: tuple[AgendaRow, ...]


@dataclass(frozen=True)
class SessionModule:
    """A module as the agenda needs it: its path, title, and lesson."""

    rel: str
    title: str
    lesson: LessonBlock


def agenda(plan: SessionPlan, modules: Sequence[SessionModule]) -> Agenda:
    """The day's agenda: each module from its minutes (its teaching, then its activities, as sub-rows),
    each break after the module it names, in the order the plan lists them."""
    now = minutes_of(plan.start)
    rows: list[AgendaRow] = []
    for number, module in enumerate(modules, 1):
        lesson = module.lesson
        rows.append(AgendaRow("module", clock(now), clock(now + lesson.minutes), lesson.minutes, module.title, module.rel))
        rows.append(AgendaRow("teaching", clock(now), clock(now + lesson.teaching_minutes), lesson.teaching_minutes, ""))
        at = now + lesson.teaching_minutes
        for activity in lesson.activities:
            rows.append(AgendaRow(activity.kind, clock(at), clock(at + activity.minutes), activity.minutes, activity.title))
            at += activity.minutes
        now = at
        for pause in (b for b in plan.breaks if b.after == number):
            rows.append(AgendaRow("break", clock(now), clock(now + pause.minutes), pause.minutes, pause.title))
            now += pause.minutes
    return Agenda(plan.date, plan.start, plan.end, clock(now), max(0, now - minutes_of(plan.end)), tuple(rows))
