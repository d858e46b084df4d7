"""Which built pages go into which PDF, and what each PDF is called: the plan of the training manuals
(both editions, ADR 0017), handouts and panels, and the release decision of each page in them. The
downloads page, the module and programme pages and the offline lists read it from the HTML build, so
nothing here loads a layout or PDF library (ADR 0018); kb.print.manual.assemble makes the documents'
HTML from it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from kb.content.lessons import Agenda, lesson_block, page_agenda
from kb.content.navigation import NavEntry
from kb.print.manual.approvals import APPROVED, ApprovalState, approval_state

if TYPE_CHECKING:  # annotations only: the slides module loads pikepdf
    from kb.print.manual.slides import Deck




# The two editions of a programme's manual, made from the same pages (ADR 0017): the trainer guide (the
# manual: session plans, trainer notes open, answers, agendas) and the participant workbook (none of
# them; room to write after the questions that need it).
GUIDE = "manual"
WORKBOOK = "workbook"
EDITIONS = (GUIDE, WORKBOOK)


@dataclass(frozen=True)
class PlanActivity:
    title: str
    kind: str                      # exercise | activity
    minutes: int
    practises: tuple[int, ...]     # 1-based numbers of the module's objectives


@dataclass(frozen=True)
class SessionPlanView:
    """A module's session plan as the trainer guide prints it at the chapter start (from its ``lesson:``)."""

    audience: str
    teaching_minutes: int
    minutes: int
    activities: tuple[PlanActivity, ...]


def session_plan_of(page: Any) -> SessionPlanView | None:
    """The session plan of a module page; None without a valid ``lesson:`` block (the lesson rule says why)."""
    block, _ = lesson_block(page)
    if block is None:
        return None
    return SessionPlanView(
        audience=block.audience, teaching_minutes=block.teaching_minutes, minutes=block.minutes,
        activities=tuple(PlanActivity(a.title, a.kind, a.minutes, tuple(a.practises)) for a in block.activities),
    )


@dataclass
class Chapter:
    """One site page as printed."""

    entry: NavEntry
    anchor: str
    title: str
    section: str | None
    type: str | None
    status: str | None
    in_manual: bool
    track: str | None = None
    section_start: bool = False
    body: Markup = Markup("")
    answers: Markup | None = None
    ids: set[str] = field(default_factory=set)
    gaps: int = 0                         # [[gap: ...]] markers on the page
    approval: ApprovalState | None = None  # sign-off by the organisations of the document it is printed in
    session_plan: SessionPlanView | None = None  # a module's lesson, printed at its start in the trainer guide
    deck: Deck | None = None  # a module's slides: the trainer guide prints each with its speaker notes
    thumb_prefix: str = ""    # ... in boxes of this id prefix + the slide's number

    @property
    def draft(self) -> bool:
        return not self.approval.approved if self.approval is not None else self.status != APPROVED

    @property
    def path(self) -> str:
        return self.entry.path

    @property
    def stem(self) -> str:
        return Path(self.entry.rel).stem


@dataclass
class LanguagePlan:
    lang: str
    chapters: list[Chapter]       # pages that may go into a training manual, navigation order
    glossary: Chapter | None      # the glossary page, printed as an appendix from data/glossary.yml
    handouts: list[Chapter]       # module pages
    panels: list[Chapter]         # panel pages


@dataclass
class ManualPlan:
    """One training manual in one language: its chapters and their sign-off."""

    id: str
    spec: Any                     # kb.project.settings.ManualSpec
    lang: str
    orgs: tuple[str, ...]         # who must approve every printed page (data/reviewers.yml, the track's list)
    chapters: list[Chapter]
    glossary: Chapter | None
    to_complete: list[Chapter] = field(default_factory=list)  # case pages still templates: listed, not printed
    agendas: list[tuple[str, Agenda]] = field(default_factory=list)  # (training, its agenda): the trainer guide's appendix

    @property
    def filename(self) -> str:
        """The trainer guide's file (it keeps the manual's name: ADR 0017)."""
        return manual_filename(self.id, self.lang)

    @property
    def workbook_filename(self) -> str:
        return workbook_filename(self.id, self.lang)

    def edition_filename(self, edition: str) -> str:
        return self.workbook_filename if edition == WORKBOOK else self.filename

    def gaps(self) -> list[tuple[str, int]]:
        """(page, gap markers) of the printed chapters: a released edition has none."""
        return [(ch.path, ch.gaps) for ch in self.chapters if ch.gaps]

    def printed(self) -> list[Chapter]:
        return [*self.chapters, *([self.glossary] if self.glossary else [])]

    def refused(self) -> list[ApprovalState]:
        """The printed pages that keep this manual out of a release (empty: it can be released)."""
        return [ch.approval for ch in self.printed() if ch.approval is not None and not ch.approval.approved]


def manual_filename(manual_id: str, lang: str) -> str:
    return f"manual-{manual_id}-{lang}.pdf"


def workbook_filename(manual_id: str, lang: str) -> str:
    return f"workbook-{manual_id}-{lang}.pdf"


def trainer_only(path: str) -> bool:
    """Whether the downloads file *path* (relative to downloads/) is the trainers' alone: the trainer
    guides (manual-*.pdf, their drafts too) hold the answers and the trainer notes."""
    parts = Path(path).parts
    return bool(parts) and parts[-1].startswith("manual-") and parts[-1].endswith(".pdf")


# --- selection ------------------------------------------------------------------------------------------------
def plan_language(lang: str, entries: list[NavEntry], report: Any) -> LanguagePlan:
    """The pages of *lang* that are printed, from the navigation manifest.

    Left out of every PDF: fallback pages (another language's file), pages that are not Markdown
    sources under docs/<lang>/ (generated by the hooks, e.g. the review view) and generated pages
    (front matter `template`), except the glossary, which the manual prints as an appendix from the
    data file. `manual: false` leaves a page out of the manual only; its handout or panel PDF is still made."""
    chapters: list[Chapter] = []
    glossary = None
    handouts: list[Chapter] = []
    panels: list[Chapter] = []
    used: set[str] = set()
    for entry in entries:
        if entry.file_lang != lang:
            continue
        page = report.pages.get(entry.path)
        if page is None:
            continue
        anchor = anchor_for(entry.rel)
        while anchor in used:
            anchor += "-x"
        used.add(anchor)
        ch = Chapter(
            entry=entry, anchor=anchor,
            title=entry.title or page.title, section=entry.section, type=page.type,
            status=page.review_status, in_manual=page.in_manual, track=page.track, gaps=len(page.gap_markers),
            session_plan=session_plan_of(page) if page.type == "module" else None,
        )
        if page.meta.get("template"):
            if ch.type == "glossary" and ch.in_manual:
                glossary = ch
            continue
        if ch.in_manual:
            chapters.append(ch)
        if ch.type == "module":
            handouts.append(ch)
        elif ch.type == "panel":
            panels.append(ch)
    return LanguagePlan(lang=lang, chapters=chapters, glossary=glossary, handouts=handouts, panels=panels)


def _local_sections(sections: list[str | None]) -> list[str | None]:
    """A programme's manual needs no programme prefix: the navigation components all its chapters
    share are left out, keeping at least the last ("汞减排（PVC 行业） · 培训模块" -> "培训模块")."""
    paths = [s.split(" · ") if s else None for s in sections]
    known = [p for p in paths if p]
    common = 0
    while known and all(len(p) > common + 1 and p[common] == known[0][common] for p in known):
        common += 1
    return [" · ".join(p[common:]) if p else None for p in paths]


def manual_plans(settings: Any, data: Any, report: Any, plan: LanguagePlan) -> list[ManualPlan]:
    """Every training manual of kb.yml in *plan*'s language: the pages of its track and types, in
    navigation order, each with its sign-off by the track's organisations."""
    out = []
    for manual_id, spec in settings.manuals.items():
        orgs = tuple(data.required_reviewers(spec.track))
        included = [ch for ch in plan.chapters if spec.includes(type=ch.type, track=ch.track, in_manual=ch.in_manual)]
        to_complete = [ch for ch in included if is_template(ch, settings.print.template_gaps)]
        chapters = [replace(ch, approval=approval_state(report, ch.path, orgs)) for ch in included if ch not in to_complete]
        for ch, section in zip(chapters, _local_sections([ch.section for ch in chapters]), strict=True):
            ch.section = section
        previous: object = object()
        for ch in chapters:
            ch.section_start = ch.section is not None and ch.section != previous
            previous = ch.section
        glossary = None
        if plan.glossary is not None:  # the shared glossary page is signed off by its own track's organisations
            glossary = with_own_approval(data, report, plan.glossary)
        out.append(ManualPlan(manual_id, spec, plan.lang, orgs, chapters, glossary, to_complete,
                              training_agendas(settings, report, plan.lang, spec.track)))
    return out


def training_agendas(settings: Any, report: Any, lang: str, track: str) -> list[tuple[str, Agenda]]:
    """(title, agenda) of the track's trainings in *lang* whose session plan gives an agenda, by path."""
    out = []
    for path in sorted(report.pages):
        page = report.pages[path]
        if page.lang != lang or page.type != "event" or page.track != track or page.text is None:
            continue
        agenda = page_agenda(page, report.pages, settings.docs_dir, settings.default_language)
        if agenda is not None:
            out.append((page.title, agenda))
    return out


def is_template(ch: Chapter, template_gaps: int) -> bool:
    """A case page still in template state: at least *template_gaps* gap markers."""
    return ch.type == "case" and ch.gaps >= template_gaps


def with_own_approval(data: Any, report: Any, ch: Chapter) -> Chapter:
    """A handout or panel: signed off by its own track's organisations."""
    return replace(ch, approval=approval_state(report, ch.path, tuple(data.required_reviewers(ch.track or "general"))))


def single_refused(kind: str, ch: Chapter) -> bool:
    """Release mode: is this handout or panel kept back? (Not approved, or a panel with gaps.)"""
    return ch.draft or (kind == "panel" and ch.gaps > 0)


def anchor_for(rel: str) -> str:
    """The id of a page's chapter in a manual: p-<its path, in letters and digits>."""
    stem = rel[:-3] if rel.endswith(".md") else rel
    return "p-" + (re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower() or "page")


def slide_outputs(stem: str, lang: str, downloads: Path) -> tuple[Path, Path]:
    """Where a module's deck and its notes pages go (stem: the module's handout name)."""
    return downloads / f"slides-{stem}-{lang}.pdf", downloads / "trainer" / f"slides-notes-{stem}-{lang}.pdf"


def single_outputs(chapters: list[Chapter], folder: Path) -> list[tuple[Chapter, Path]]:
    """<folder>/<file stem>.pdf; stems that occur twice get their folder path as prefix."""
    stems: dict[str, int] = {}
    for ch in chapters:
        stems[ch.stem] = stems.get(ch.stem, 0) + 1
    out = []
    for ch in chapters:
        name = ch.stem if stems[ch.stem] == 1 else re.sub(r"[^A-Za-z0-9_.-]+", "-", ch.entry.rel[:-3])
        out.append((ch, folder / f"{name}.pdf"))
    return out

