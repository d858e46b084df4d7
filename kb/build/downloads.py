"""What the downloads page lists, from the same plan the PDF step renders (one naming rule, one
release decision): both editions of the training manuals of kb.yml in every language (the participant
workbooks for everyone, the trainer guides for trainers, ADR 0017), this language's handouts, slides
(with the trainer's notes pages) and panels, and the offline copy. In release mode a document whose pages are not all approved is listed
as not released yet (the PDF step does not write it). What it lists is a `Downloads` record; the
printed material a page leads to (`printed_for`) and what a trainee may save with a programme
(`for_trainees`) are read from it."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from kb.build.offline import ZIP_NAME
from kb.content.navigation import NavEntry, Navigation
from kb.print.manual import editions
from kb.print.manual.editions import Edition
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


class PrintedKind(StrEnum):
    """What a printed item is: a page's link to it is labelled with data/ui.yml's ``printed_<kind>``."""

    WORKBOOK = "workbook"  # a programme's participant workbook (everyone)
    MANUAL = "manual"      # a programme's trainer guide (it keeps the manual's name: ADR 0017)
    HANDOUT = "handout"    # a module's handout
    SLIDES = "slides"      # a module's slides (their notes pages go with them)
    PANEL = "panel"        # a roll-up banner


MANUAL_KINDS = {GUIDE: PrintedKind.MANUAL, WORKBOOK: PrintedKind.WORKBOOK}  # kb.print.manual.plan's editions


@dataclass(frozen=True)
class ManualDownload:
    """One edition of a training manual in one language, as the downloads page lists it."""

    kind: PrintedKind          # WORKBOOK or MANUAL
    id: str                    # the manual's id in kb.yml
    lang: str                  # the manual's language (the page lists every language's)
    title: str
    path: str                  # site-relative: downloads/…
    online_only: bool          # the offline copy's build: the zip does not carry it
    released: bool             # False: a release build refuses it
    edition: Edition | None    # refused: the last released edition, published at `path`
    draft_path: str | None     # refused: the draft of the next edition, beside it
    draft_online_only: bool

    @property
    def offered(self) -> bool:
        """Whether a file is at `path`: released, or the last released edition stands in for it."""
        return self.released or self.edition is not None


@dataclass(frozen=True)
class SingleDownload:
    """A module's handout or a panel, in the page's language."""

    kind: PrintedKind          # HANDOUT or PANEL
    title: str
    path: str
    track: str | None
    released: bool
    online_only: bool


@dataclass(frozen=True)
class SlidesDownload:
    """A module's slides and their notes pages for the trainer, in the page's language."""

    title: str
    path: str
    notes_path: str
    released: bool
    online_only: bool
    notes_online_only: bool
    kind: PrintedKind = PrintedKind.SLIDES


@dataclass(frozen=True)
class PanelSize:
    """The panels' printed size as the downloads page says it (numbers as text: "85", "0.3")."""

    width: str   # cm
    height: str  # cm
    bleed: str   # mm


@dataclass(frozen=True)
class Downloads:
    """What the downloads page of one language lists."""

    manuals: tuple[ManualDownload, ...]    # the trainer guides
    workbooks: tuple[ManualDownload, ...]  # the participant workbooks
    slides: tuple[SlidesDownload, ...]
    handouts: tuple[SingleDownload, ...]
    panels: tuple[SingleDownload, ...]
    panel_size: PanelSize
    offline: str                           # the offline copy's zip, site-relative
    offline_build: bool                    # this is the offline copy's build (it says so, no link to itself)


@dataclass(frozen=True)
class PrintedLink:
    """A link from a page to printed material it leads to."""

    kind: PrintedKind
    title: str
    path: str


def report_manifest(report: Any, lang: str) -> list[NavEntry]:
    """The pages of *lang* as navigation entries, for a language whose navigation is not known yet
    (mkdocs-static-i18n builds one language after the other)."""
    return [NavEntry(lang=lang, file_lang=lang, rel=p.rel, path=p.path, url="", dest="", title=None, section=None)
            for p in report.pages.values() if p.lang == lang]


def _plan(lang: str, manifests: Navigation, report: Any) -> LanguagePlan:
    return plan_language(lang, manifests.get(lang) or report_manifest(report, lang), report)


def downloads_for(settings: Any, data: Any, lang: str, manifests: Navigation, report: Any,
                  offline_from: Path | None = None) -> Downloads:
    """Site-relative paths and titles of the manuals, this language's handouts and panels, and the
    offline copy; `released` is False for what a release build refuses. *offline_from*: this is the
    offline copy's build, whose zip (kb/build/offline.py) takes the files built in that site folder; what
    is not there is marked "online only"."""

    def online_only(path: PurePosixPath) -> bool:
        # what the zip does not carry: missing here, or for trainers only (kb/build/offline.py)
        return offline_from is not None and (not (offline_from / path).is_file()
                                             or trainer_only(path.relative_to(DOWNLOADS).as_posix()))

    rows: dict[str, list[ManualDownload]] = {GUIDE: [], WORKBOOK: []}
    for other in settings.languages:
        for m in manual_plans(settings, data, report, _plan(other, manifests, report)):
            refused = settings.release and bool(m.refused())
            for kind, found in rows.items():
                name = m.edition_filename(kind)
                draft = DOWNLOADS / editions.DRAFTS / name
                found.append(ManualDownload(
                    kind=MANUAL_KINDS[kind], id=m.id, lang=other, title=m.spec.title[other],
                    path=str(DOWNLOADS / name), online_only=online_only(DOWNLOADS / name), released=not refused,
                    # refused: the last released edition stays at the usual address, the draft of the next is beside it
                    edition=editions.last(settings.cache_path, name) if refused else None,
                    draft_path=str(draft) if refused else None, draft_online_only=online_only(draft)))
    plan = _plan(lang, manifests, report)

    def singles(kind: PrintedKind, folder: str, chapters: list) -> tuple[SingleDownload, ...]:
        found = []
        for ch, out in single_outputs(chapters, PurePosixPath(lang)):
            ch = with_own_approval(data, report, ch)
            refused = settings.release and single_refused(kind.value, ch)
            path = DOWNLOADS / folder / lang / out.name
            found.append(SingleDownload(kind=kind, title=ch.title, path=str(path), track=ch.track,
                                        released=not refused, online_only=online_only(path)))
        return tuple(found)

    slides = []
    for ch, out in single_outputs(plan.handouts, PurePosixPath(lang)):
        ch = with_own_approval(data, report, ch)
        deck, notes = (PurePosixPath(p) for p in slide_outputs(out.stem, lang, Path(DOWNLOADS)))
        slides.append(SlidesDownload(title=ch.title, path=str(deck), notes_path=str(notes),
                                     released=not (settings.release and single_refused("handout", ch)),
                                     online_only=online_only(deck), notes_online_only=online_only(notes)))

    panel = settings.print.panel
    return Downloads(
        manuals=tuple(rows[GUIDE]),
        workbooks=tuple(rows[WORKBOOK]),
        slides=tuple(slides),
        handouts=singles(PrintedKind.HANDOUT, "handouts", plan.handouts),
        panels=singles(PrintedKind.PANEL, "panels", plan.panels),
        panel_size=PanelSize(width=_num(panel.width_mm / 10), height=_num(panel.height_mm / 10), bleed=_num(panel.bleed_mm)),
        offline=str(DOWNLOADS / ZIP_NAME),
        offline_build=offline_from is not None,
    )


def printed_for(settings: Any, downloads: Downloads, rel: str, page_type: str | None, lang: str) -> tuple[PrintedLink, ...]:
    """The printed material the page *rel* of *lang* leads to, from what its language's downloads page
    lists: a module (*page_type* "module") its released handout and slides; a programme's home page
    (<track>/index.md) the programme's participant workbook, then its trainer guide, in this language
    (released, or with a released edition at their address)."""
    if page_type == "module":
        stem = posixpath.splitext(posixpath.basename(rel))[0]
        return (*(PrintedLink(h.kind, h.title, h.path) for h in downloads.handouts
                  if h.released and h.path.endswith(f"/{stem}.pdf")),
                *(PrintedLink(sl.kind, sl.title, sl.path) for sl in downloads.slides
                  if sl.released and sl.path.endswith(f"/slides-{stem}-{lang}.pdf")))
    track = rel.split("/", 1)[0]
    if rel != f"{track}/index.md":
        return ()
    # the participant workbook first (everyone), then the trainer guide
    return tuple(PrintedLink(m.kind, m.title, m.path) for m in (*downloads.workbooks, *downloads.manuals)
                 if m.lang == lang and m.offered and _track_of(settings, m.id) == track)


def for_trainees(settings: Any, downloads: Downloads, lang: str) -> dict[str, list[PrintedFile]]:
    """Per programme: the printed material of *lang* a trainee may save with the programme's pages for
    offline reading, from what the downloads page lists (*downloads*: downloads_for): the participant
    workbooks (released, or with a released edition at their address) and the module handouts. Never the
    trainer guides or anything under downloads/trainer/ (trainer_only, ADR 0017)."""
    out: dict[str, list[PrintedFile]] = {}
    for book in downloads.workbooks:
        track = _track_of(settings, book.id)
        if book.lang == lang and track is not None and book.offered:
            out.setdefault(track, []).append(PrintedFile(path=book.path, title=book.title))
    for handout in downloads.handouts:
        if handout.released and handout.track is not None:
            out.setdefault(handout.track, []).append(PrintedFile(path=handout.path, title=handout.title))
    return {track: [f for f in files if not _for_trainers(f.path)] for track, files in out.items()}


def _track_of(settings: Any, manual_id: str) -> str | None:
    """The programme of the manual *manual_id* of kb.yml (None: not a manual of kb.yml)."""
    spec = settings.manuals.get(manual_id)
    return spec.track if spec is not None else None


def _for_trainers(path: str) -> bool:
    inside = PurePosixPath(path).relative_to(DOWNLOADS)
    return inside.parts[0] == "trainer" or trainer_only(inside.as_posix())


def _num(value: float) -> str:
    return f"{value:g}"
