"""The PDF step: plan every document (kb.print.manual.plan), assemble and render it, keep and restore
manual editions, draw the slides into the trainer guides, refuse what release mode may not print."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from kb.content.navigation import Navigation
from kb.print.manual import editions
from kb.print.manual.approvals import ApprovalState
from kb.print.manual.assemble import Assembler, Document, Provenance
from kb.print.manual.errors import FontMissingError, ManualError, RenderError
from kb.print.manual.internals import harfbuzz_subsetting
from kb.print.manual.plan import (
    EDITIONS,
    LanguagePlan,
    ManualPlan,
    manual_plans,
    plan_language,
    single_outputs,
    single_refused,
    slide_outputs,
    with_own_approval,
)
from kb.print.manual.render import Outcome, RenderJob, Summary, require_cjk_font
from kb.print.manual.schedule import render_all
from kb.print.manual.slides import ThumbnailError, draw_thumbnails, overflow_findings
from kb.project.findings import Catalog, Finding, format_text, sort_findings

__all__ = [
    "BuildPlan", "FontMissingError", "ManualError", "ManualsBuilt", "Refusal", "RenderError",
    "build_manuals", "plan_documents",
]

log = logging.getLogger("mkdocs.hooks.kb.manual")


def _release_logger() -> logging.Logger:
    """Release refusals are warnings about content that the release accepts (the other manuals go
    out), so they are printed as warnings but outside MkDocs' logger tree: `mkdocs build --strict`
    (./scripts/build --release) counts only MkDocs' own warnings and must not fail on them."""
    logger = logging.getLogger("kb.release")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
        logger.setLevel(logging.INFO)
    return logger

DOWNLOADS = "downloads"


@dataclass(frozen=True)
class Refusal:
    """Release mode: a document that is not written, and why (page -> what it lacks)."""

    output: Path
    kind: str                     # manual (the trainer guide) | workbook | handout | panel | slides
    lang: str
    manual: str | None
    pages: tuple[ApprovalState, ...] = ()
    gaps: tuple[tuple[str, int], ...] = ()  # (page, number of [[gap]] markers): panels and manuals

    def lines(self) -> list[str]:
        out = [f"  - {s.path}: {s.reason()}" for s in self.pages]
        out += [f"  - {path}: {n} gap marker(s) [[gap: ...]] still to fill" for path, n in self.gaps]
        return out


@dataclass(frozen=True)
class ManualsBuilt:
    """What the PDF step made: the files, and the findings of their layout (slide-overflow), unworded."""

    paths: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class BuildPlan:
    languages: list[LanguagePlan]
    manuals: list[ManualPlan]
    documents: list[Document]     # to render, manuals first (they take longest)
    refused: list[Refusal] = field(default_factory=list)


def plan_documents(settings: Any, data: Any, report: Any, site_dir: Path,
                   manifests: Navigation, provenance: Provenance | None = None) -> BuildPlan:
    """Every document of this build. In release mode the documents with unapproved pages (and
    panels and manuals with gaps) are refused instead of planned."""
    plans = [plan_language(lang, manifests[lang], report) for lang in settings.languages if manifests.get(lang)]
    manuals = [m for plan in plans for m in manual_plans(settings, data, report, plan)]
    provenance = provenance if provenance is not None else Provenance.of(settings.root, settings.docs_dir)
    assembler = Assembler(settings, data, site_dir, provenance=provenance)
    downloads = site_dir / DOWNLOADS
    documents: list[Document] = []
    refused: list[Refusal] = []
    # each module's deck, whose slides the trainer guide prints with their speaker notes
    decks = {plan.lang: {ch.path: slide_outputs(out.stem, plan.lang, downloads)[0]
                         for ch, out in single_outputs(plan.handouts, downloads)} for plan in plans}
    for manual in manuals:
        for edition in EDITIONS:  # the trainer guide and the participant workbook: released together
            name = manual.edition_filename(edition)
            if settings.release and (manual.refused() or manual.gaps()):
                # unapproved pages, or gap markers in what it prints (the rule panels follow)
                refused.append(Refusal(downloads / name, edition, manual.lang, manual.id,
                                       tuple(manual.refused()), tuple(manual.gaps())))
                # the draft of the next edition, beside the last released one (kb.print.manual.editions)
                documents.append(assembler.manual(manual, downloads / editions.DRAFTS / name, edition, decks[manual.lang]))
            else:
                documents.append(assembler.manual(manual, downloads / name, edition, decks[manual.lang]))
    for plan in plans:
        for kind, chapters, folder in (("handout", plan.handouts, "handouts"), ("panel", plan.panels, "panels")):
            for ch, out in single_outputs(chapters, downloads / folder / plan.lang):
                ch = with_own_approval(data, report, ch)
                gaps = ((ch.path, ch.gaps),) if kind == "panel" and ch.gaps else ()
                if settings.release and single_refused(kind, ch):
                    pages = (ch.approval,) if ch.approval is not None and ch.draft else ()
                    refused.append(Refusal(out, kind, plan.lang, None, pages, gaps))
                else:
                    documents.append(assembler.single(kind, ch, out))
        # slides follow their module's handout: released when the module page is approved
        for ch, out in single_outputs(plan.handouts, downloads):
            ch = with_own_approval(data, report, ch)
            deck, notes = slide_outputs(out.stem, plan.lang, downloads)
            if settings.release and single_refused("handout", ch):
                pages = (ch.approval,) if ch.approval is not None else ()
                refused += [Refusal(deck, "slides", plan.lang, None, pages), Refusal(notes, "slides", plan.lang, None, pages)]
            else:
                documents.extend(assembler.slides(ch, deck, notes))
    return BuildPlan(plans, manuals, documents, refused)


def to_job(doc: Document, site_dir: Path) -> RenderJob:
    return RenderJob(
        html=doc.html, base_url=site_dir.resolve().as_uri() + "/", stylesheets=doc.stylesheets,
        output=str(doc.output), name=f"{doc.kind}-{doc.lang}:{doc.output.name}",
        fit_one_page=doc.kind == "panel", tighten_end=doc.kind == "handout", resources=doc.resources, bleed_mm=doc.bleed_mm,
        parts=doc.parts, version=doc.version, version_chars=doc.version_chars,
    )


def _rel(site_dir: Path, path: Path | str) -> Path | str:
    return Path(path).relative_to(site_dir) if Path(path).is_relative_to(site_dir) else path


def _log_outcome(site_dir: Path, outcome: Outcome) -> None:
    rel = _rel(site_dir, outcome.job.output)
    pages = f"{outcome.pages} pages" if outcome.pages is not None else "? pages"
    if outcome.rendered:
        scale = f", type at {outcome.scale:.0%} to fit one page" if outcome.scale != 1.0 else ""
        parts = ""
        if outcome.parts is not None:
            parts = f", in {sum(outcome.parts)} parts: {outcome.parts[0]} rendered, {outcome.parts[1]} reused"
        log.info("kb manual: rendered %s (%s, %.1f s%s%s)", rel, pages, outcome.seconds, scale, parts)
    else:
        log.debug("kb manual: reused %s from the cache (%s)", rel, pages)


def _refuse(site_dir: Path, refusal: Refusal) -> None:
    """Log the refusal as one warning block and remove a stale copy of the document."""
    rel = _rel(site_dir, refusal.output)
    removed = ""
    if refusal.output.exists():
        refusal.output.unlink()
        removed = " (the earlier copy was removed)"
    what = "pages are not approved" if refusal.pages else f"the {refusal.kind} has gaps"
    if refusal.pages and refusal.gaps:
        what = f"pages are not approved and the {refusal.kind} has gaps"
    _release_logger().warning("kb manual: release refused %s: %s%s:\n%s", rel, what, removed, "\n".join(refusal.lines()))


def _keep_and_restore_editions(settings: Any, plan: BuildPlan, site_dir: Path, provenance: Provenance) -> None:
    """Release mode: keep each released manual as its last released edition; publish the last released
    edition of each refused one at its usual address (its draft is in downloads/drafts/)."""
    downloads = site_dir / DOWNLOADS
    for doc in plan.documents:
        if doc.kind not in EDITIONS or editions.DRAFTS in doc.output.relative_to(downloads).parts:
            continue
        newest = provenance.newest(doc.pages)
        kept = editions.keep(settings.cache_path, doc.output, doc.output.relative_to(downloads).as_posix(),
                             newest.date if newest else settings.today.isoformat(), newest.commit[:7] if newest else "",
                             settings.today.isoformat())
        log.info("kb manual: released %s, edition of %s (%s), kept as the last released edition",
                 _rel(site_dir, doc.output), kept.edition, kept.commit or "-")
    for refusal in plan.refused:
        if refusal.kind not in EDITIONS:
            continue
        restored = editions.publish_last(settings.cache_path, refusal.output.relative_to(downloads).as_posix(), downloads)
        if restored is not None:
            log.info("kb manual: %s is the last released edition, of %s (%s); the draft of the next one is %s",
                     _rel(site_dir, refusal.output), restored.edition, restored.commit or "-",
                     _rel(site_dir, downloads / editions.DRAFTS / refusal.output.name))


def slide_findings(settings: Any, report: Any, plan: BuildPlan) -> list[Finding]:
    """slide-overflow for every slide of this build's decks that runs over its page (read from the
    PDFs written, rendered now or reused from the cache)."""
    found: list[Finding] = []
    for doc in plan.documents:
        if doc.deck is not None and doc.output.is_file():
            found += overflow_findings(doc.deck, doc.output, report.pages.get(doc.deck.path),
                                       settings.print.slides.min_font_pt)
    return found


def _draw_slide_thumbnails(site_dir: Path, plan: BuildPlan) -> None:
    """The notes pages and the trainer guides get their decks' slides drawn in (after every render, from
    the cache too: the cache keeps each PDF as WeasyPrint wrote it, the decks may have changed). A deck
    not written (release mode: its module is not approved, so the guide is a draft) leaves its boxes empty."""
    for doc in plan.documents:
        if not doc.thumbnails or not doc.output.is_file():
            continue
        present = [source for source in doc.thumbnails if source.deck.is_file()]
        missing = [source.deck.name for source in doc.thumbnails if not source.deck.is_file()]
        if missing:
            log.info("kb slides: %s: no slides drawn from %s (not written in this build)",
                     _rel(site_dir, doc.output), ", ".join(missing))
        if not present:
            continue
        try:
            draw_thumbnails(doc.output, present)
        except (ThumbnailError, pikepdf.PdfError, OSError) as exc:
            log.warning("kb slides: %s: the slides could not be drawn in (%s)", _rel(site_dir, doc.output), exc)


def _report_overflowing_slides(settings: Any, data: Any, found: list[Finding]) -> None:
    """Each overflowing slide as a finding line (file:line: rule: severity: message), in the language of
    the check report; a warning outside MkDocs' logger in release mode, as the refusals are."""
    if not found:
        return
    catalog = Catalog(data.rules, "zh" if settings.default_language == "zh" else "en")
    lines = format_text(sort_findings(catalog.resolve(f, release=settings.release) for f in found))
    (_release_logger() if settings.release else log).warning("kb slides: %d slide(s) overflow their page:\n%s", len(found), lines)


def build_manuals(settings: Any, data: Any, report: Any, site_dir: Path, manifests: Navigation,
                  provenance: Provenance | None = None) -> ManualsBuilt:
    """Make every PDF of the build; return the paths written and the findings of their layout (logged
    here; the build adds them to the status). Raises a ManualError subclass with a clear message
    (missing font, failed renders). Release refusals are logged, not raised.
    *provenance*: where the pages stand in git (default: read now)."""
    site_dir = Path(site_dir)
    if not any(manifests.get(lang) for lang in settings.languages):
        return ManualsBuilt()
    require_cjk_font()  # every stylesheet sets Noto Sans CJK SC first, for both languages
    if not harfbuzz_subsetting():
        log.warning("kb manual: WeasyPrint cannot load libharfbuzz-subset; it subsets the CJK fonts with fontTools, "
                    "10-20 s slower per PDF. Install Debian's libharfbuzz-subset0.")
    plan = plan_documents(settings, data, report, site_dir, manifests, provenance)
    for refusal in plan.refused:
        _refuse(site_dir, refusal)
    jobs = [to_job(doc, site_dir) for doc in plan.documents]
    summary: Summary = render_all(jobs, settings.cache_path / "pdf", on_done=lambda o: _log_outcome(site_dir, o),
                                  memory_budget_mb=settings.print.memory_mb)
    _draw_slide_thumbnails(site_dir, plan)  # before an edition is kept: the guide keeps its slides
    if settings.release:
        _keep_and_restore_editions(settings, plan, site_dir, provenance or Provenance.of(settings.root, settings.docs_dir))
    found = slide_findings(settings, report, plan)
    _report_overflowing_slides(settings, data, found)
    refused = f", {len(plan.refused)} refused for release" if plan.refused else ""
    log.info(
        "kb manual: %d PDFs rendered, %d reused from the cache%s (%s) in %.1f s",
        len(summary.rendered), len(summary.reused), refused,
        ", ".join(f"{m.id}-{m.lang}: {len(m.chapters)} chapters" for m in plan.manuals), summary.seconds,
    )
    return ManualsBuilt([doc.output for doc in plan.documents], found)
