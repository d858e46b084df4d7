"""The lesson rules: a module's ``lesson:`` block (durations, each objective practised by an exercise
or activity, key points), the same lesson in both languages, and each training's session plan (its
modules exist and declare their minutes, its breaks follow a module, the agenda ends in time).

The session plans need every module page: :func:`check_agendas` is a project-wide step of the engine."""

from __future__ import annotations

from collections.abc import Mapping

from kb.checks import Context, Pair, Scope, finding, rule
from kb.content.lessons import (
    OBJECTIVES_ID,
    SessionModule,
    agenda,
    declared,
    front_matter_line,
    key_points,
    lesson_block,
    objectives,
    session_block,
    session_refs,
)
from kb.content.pages import Page
from kb.project.findings import Finding

SHORT = 60  # characters of an objective quoted in a message


def _short(text: str) -> str:
    text = text.rstrip("；;。.，,")
    return text if len(text) <= SHORT else text[:SHORT - 1] + "…"


def _shown(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _heading_line(page: Page, heading_id: str) -> int:
    return next((h.line for h in page.headings if h.id == heading_id), page.body_start)


@rule(Scope.PAGE)
def check_lesson(page: Page, ctx: Context) -> list[Finding]:
    if page.text is None or page.meta_error:
        return []
    written = declared(page.meta.get("lesson"))
    if page.type != "module":
        return [finding("lesson", "not-a-module", page, page.line_of("lesson"), type=page.type or "-")] if written else []
    if not written:
        return [finding("lesson", "missing", page, 1)]
    block, problems = lesson_block(page)
    if block is None:
        return [finding("lesson", "invalid", page, front_matter_line(page, p.loc), where=f"lesson.{p.where}",
                        problem=p.what) for p in problems]
    out: list[Finding] = []
    items = objectives(page)
    if not items:
        out.append(finding("lesson", "no-objectives", page, _heading_line(page, OBJECTIVES_ID)))
    else:
        practised: set[int] = set()
        for i, activity in enumerate(block.activities):
            for j, number in enumerate(activity.practises):
                if number > len(items):
                    line = front_matter_line(page, ("lesson", "activities", i, "practises", j))
                    out.append(finding("lesson", "unknown-objective", page, line, activity=activity.id, number=number,
                                       count=len(items)))
                practised.add(number)
        for item in items:
            if item.number not in practised:
                out.append(finding("lesson", "objective-not-practised", page, item.line, number=item.number,
                                   objective=_short(item.text)))
    if any(h.id == "key-points" for h in page.headings) and not key_points(page):
        out.append(finding("lesson", "no-key-points", page, _heading_line(page, "key-points")))
    return out


@rule(Scope.PAIR)
def check_lesson_pair(pair: Pair, ctx: Context) -> list[Finding]:
    """The translation declares the same lesson as its source: minutes, activities and what each practises
    (the audience and titles are text in each language)."""
    source, target = pair.source, pair.target
    if source.type != "module" or target.type != "module":
        return []
    theirs, _ = lesson_block(source)
    ours, _ = lesson_block(target)
    if declared(source.meta.get("lesson")) != declared(target.meta.get("lesson")):
        missing_in = target if declared(source.meta.get("lesson")) else source
        return [finding("lesson", "pair-missing", missing_in, 1, other=(source if missing_in is target else target).path)]
    if theirs is None or ours is None:
        return []  # an invalid block: check_lesson reports it
    out: list[Finding] = []
    if theirs.teaching_minutes != ours.teaching_minutes:
        out.append(finding("lesson", "pair-teaching-minutes", target, front_matter_line(target, ("lesson", "teaching_minutes")),
                           ours=ours.teaching_minutes, theirs=theirs.teaching_minutes, source=source.path))
    their_ids, our_ids = [a.id for a in theirs.activities], [a.id for a in ours.activities]
    if their_ids != our_ids:
        out.append(finding("lesson", "pair-activities", target, front_matter_line(target, ("lesson", "activities")),
                           ours=", ".join(our_ids), theirs=", ".join(their_ids), source=source.path))
        return out
    for i, (mine, other) in enumerate(zip(ours.activities, theirs.activities, strict=True)):
        for name in ("kind", "minutes", "practises"):
            a, b = getattr(mine, name), getattr(other, name)
            if a != b:
                out.append(finding("lesson", "pair-activity", target, front_matter_line(target, ("lesson", "activities", i, name)),
                                   activity=mine.id, field=name, ours=_shown(a), theirs=_shown(b), source=source.path))
    return out


# --- session plans: a project-wide step (kb.checks.engine.run) -------------------------------------------------
def check_agendas(pages: Mapping[str, Page], ctx: Context) -> list[Finding]:
    """Every session plan: valid, its modules known and timed, its breaks after a module, and the
    agenda ending by the planned end of the day."""
    out: list[Finding] = []
    for page in pages.values():
        if page.text is None or page.meta_error:
            continue
        plan, problems = session_block(page)
        out.extend(finding("agenda", "invalid", page, front_matter_line(page, p.loc), where=f"event.session.{p.where}",
                           problem=p.what) for p in problems)
        if plan is None:
            continue
        modules: list[SessionModule] = []
        for ref in session_refs(plan, page.lang, pages, ctx.docs_dir, ctx.default_language):
            line = front_matter_line(page, ("event", "session", "modules", ref.index))
            if ref.page is None:
                out.append(finding("agenda", "unknown-module", page, line, module=ref.rel))
            elif ref.lesson is None:
                out.append(finding("agenda", "module-without-lesson", page, line, module=ref.rel, path=ref.page.path))
            else:
                modules.append(SessionModule(ref.rel, ref.page.title, ref.lesson))
        for i, pause in enumerate(plan.breaks):
            if pause.after > len(plan.modules):
                out.append(finding("agenda", "break-after", page, front_matter_line(page, ("event", "session", "breaks", i, "after")),
                                   after=pause.after, count=len(plan.modules)))
        if len(modules) < len(plan.modules):
            continue  # the agenda needs every module's minutes
        day = agenda(plan, modules)
        if day.overrun:
            out.append(finding("agenda", "overrun", page, front_matter_line(page, ("event", "session", "end")),
                               finishes=day.finishes, end=plan.end, minutes=day.overrun))
    return out
