"""What the downloads page lists, from the same plan the PDF step renders (one naming rule, one
release decision): both editions of the training manuals of kb.yml in every language (the participant
workbooks for everyone, the trainer guides for trainers, ADR 0017), this language's handouts, slides
(with the trainer's notes pages) and panels, and the offline copy. In release mode a document whose pages are not all approved is listed
as not released yet (the PDF step does not write it)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from kb.build.offline import ZIP_NAME
from kb.content.navigation import NavEntry, Navigation
from kb.print.manual import editions
from kb.print.manual.plan import (
    GUIDE,
    WORKBOOK,
    LanguagePlan,
    manual_plans,
    plan_language,
    single_outputs,
    single_refused,
    slide_outputs,
    trainer_only,
    with_own_approval,
)
from kb.web.webapp import PrintedFile

DOWNLOADS = PurePosixPath("downloads")


def report_manifest(report: Any, lang: str) -> list[NavEntry]:
    """The pages of *lang* as navigation entries, for a language whose navigation is not known yet
    (mkdocs-static-i18n builds one language after the other)."""
    return [NavEntry(lang=lang, file_lang=lang, rel=p.rel, path=p.path, url="", dest="", title=None, section=None)
            for p in report.pages.values() if p.lang == lang]


def _plan(lang: str, manifests: Navigation, report: Any) -> LanguagePlan:
    return plan_language(lang, manifests.get(lang) or report_manifest(report, lang), report)


def downloads_for(settings: Any, data: Any, lang: str, manifests: Navigation, report: Any,
                  offline_from: Path | None = None) -> dict[str, Any]:
    """Site-relative paths and titles of the manuals, this language's handouts and panels, and the
    offline copy; `released` is False for what a release build refuses. *offline_from*: this is the
    offline copy's build, whose zip (kb/build/offline.py) takes the files built in that site folder; what
    is not there is marked "online only"."""

    def online_only(path: PurePosixPath) -> bool:
        # what the zip does not carry: missing here, or for trainers only (kb/build/offline.py)
        return offline_from is not None and (not (offline_from / path).is_file()
                                             or trainer_only(path.relative_to(DOWNLOADS).as_posix()))

    rows: dict[str, list[dict[str, Any]]] = {GUIDE: [], WORKBOOK: []}
    for other in settings.languages:
        for m in manual_plans(settings, data, report, _plan(other, manifests, report)):
            refused = settings.release and bool(m.refused())
            for kind, found in rows.items():
                name = m.edition_filename(kind)
                # refused: the last released edition stays at the usual address, the draft of the next is beside it
                edition = editions.last(settings.cache_path, name) if refused else None
                draft = DOWNLOADS / editions.DRAFTS / name
                found.append({"id": m.id, "lang": other, "title": m.spec.title[other],
                              "path": str(DOWNLOADS / name), "online_only": online_only(DOWNLOADS / name),
                              "released": not refused,
                              "edition": edition.model_dump() if edition is not None else None,
                              "draft_path": str(draft) if refused else None,
                              "draft_online_only": online_only(draft)})
    plan = _plan(lang, manifests, report)

    def singles(kind: str, folder: str, chapters: list) -> list[dict[str, Any]]:
        rows = []
        for ch, out in single_outputs(chapters, PurePosixPath(lang)):
            ch = with_own_approval(data, report, ch)
            refused = settings.release and single_refused(kind, ch)
            path = DOWNLOADS / folder / lang / out.name
            rows.append({"title": ch.title, "path": str(path), "track": ch.track, "released": not refused,
                         "online_only": online_only(path)})
        return rows

    slides = []
    for ch, out in single_outputs(plan.handouts, PurePosixPath(lang)):
        ch = with_own_approval(data, report, ch)
        deck, notes = (PurePosixPath(p) for p in slide_outputs(out.stem, lang, Path(DOWNLOADS)))
        slides.append({"title": ch.title, "path": str(deck), "notes_path": str(notes),
                       "released": not (settings.release and single_refused("handout", ch)),
                       "online_only": online_only(deck), "notes_online_only": online_only(notes)})

    return {
        "manuals": rows[GUIDE],       # the trainer guides (they keep the manuals' names)
        "workbooks": rows[WORKBOOK],
        "slides": slides,
        "handouts": singles("handout", "handouts", plan.handouts),
        "panels": singles("panel", "panels", plan.panels),
        "panel_size": {"width": _num(settings.print.panel.width_mm / 10), "height": _num(settings.print.panel.height_mm / 10),
                       "bleed": _num(settings.print.panel.bleed_mm)},
        "offline": str(DOWNLOADS / ZIP_NAME),
        "offline_build": offline_from is not None,
    }


def for_trainees(settings: Any, downloads: dict[str, Any], lang: str) -> dict[str, list[PrintedFile]]:
    """Per programme: the printed material of *lang* a trainee may save with the programme's pages for
    offline reading, from what the downloads page lists (*downloads*: downloads_for): the participant
    workbooks (released, or with a released edition at their address) and the module handouts. Never the
    trainer guides or anything under downloads/trainer/ (trainer_only, ADR 0017)."""
    out: dict[str, list[PrintedFile]] = {}
    for book in downloads["workbooks"]:
        spec = settings.manuals.get(book["id"])
        if book["lang"] == lang and spec is not None and (book["released"] or book["edition"]):
            out.setdefault(spec.track, []).append(PrintedFile(path=book["path"], title=book["title"]))
    for handout in downloads["handouts"]:
        if handout["released"]:
            out.setdefault(handout["track"], []).append(PrintedFile(path=handout["path"], title=handout["title"]))
    return {track: [f for f in files if not _for_trainers(f.path)] for track, files in out.items()}


def _for_trainers(path: str) -> bool:
    inside = PurePosixPath(path).relative_to(DOWNLOADS)
    return inside.parts[0] == "trainer" or trainer_only(inside.as_posix())


def _num(value: float) -> str:
    return f"{value:g}"
