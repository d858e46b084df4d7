"""PDF training manuals, module handouts and exhibition panels, made after the site is built.

For each language: WeasyPrint over the built pages' article content, in navigation order
(site/downloads/manual-<lang>.pdf), one handout per module page (site/downloads/handouts/<lang>/)
and one 80 x 180 cm roll-up banner per panel page (site/downloads/panels/<lang>/).

- kb.manual.content: one built page made printable (parsing, cleaning, links, answers)
- kb.manual.assemble: which pages go where; the documents' HTML from overrides/manual/ templates
- kb.manual.render: fonts, cache, parallel WeasyPrint renders, atomic writes
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kb.manual.assemble import Assembler, Document, LanguagePlan, git_version, plan_language, single_outputs
from kb.manual.errors import FontMissingError, ManualError, RenderError, UnapprovedPagesError
from kb.manual.render import Outcome, RenderJob, Summary, harfbuzz_subsetting, render_all, require_cjk_font

__all__ = [
    "FontMissingError", "ManualError", "RenderError", "UnapprovedPagesError", "build_manuals", "plan_documents",
]

log = logging.getLogger("mkdocs.hooks.kb.manual")

DOWNLOADS = "downloads"


def plan_documents(settings: Any, data: Any, report: Any, site_dir: Path,
                   manifests: dict[str, list[dict]]) -> tuple[list[LanguagePlan], list[Document]]:
    """Every document of this build, manuals first (they take longest)."""
    plans = [plan_language(lang, manifests[lang], report) for lang in settings.languages if manifests.get(lang)]
    if settings.release:
        unapproved = sorted({ch.path for plan in plans for ch in plan.printed_pages() if ch.draft})
        if unapproved:
            raise UnapprovedPagesError(unapproved)
    assembler = Assembler(settings, data, site_dir, version=git_version(settings.root))
    downloads = site_dir / DOWNLOADS
    manuals = [assembler.manual(plan, downloads / f"manual-{plan.lang}.pdf") for plan in plans]
    singles: list[Document] = []
    for plan in plans:
        for ch, out in single_outputs(plan.handouts, downloads / "handouts" / plan.lang):
            singles.append(assembler.single("handout", ch, out))
        for ch, out in single_outputs(plan.panels, downloads / "panels" / plan.lang):
            singles.append(assembler.single("panel", ch, out))
    return plans, manuals + singles


def to_job(doc: Document, site_dir: Path) -> RenderJob:
    return RenderJob(
        html=doc.html, base_url=site_dir.resolve().as_uri() + "/", stylesheets=doc.stylesheets,
        output=str(doc.output), name=f"{doc.kind}-{doc.lang}:{doc.output.name}",
        fit_one_page=doc.kind == "panel", resources=doc.resources,
    )


def _log_outcome(site_dir: Path, outcome: Outcome) -> None:
    rel = Path(outcome.job.output).relative_to(site_dir) if Path(outcome.job.output).is_relative_to(site_dir) else outcome.job.output
    pages = f"{outcome.pages} pages" if outcome.pages is not None else "? pages"
    if outcome.rendered:
        scale = f", type at {outcome.scale:.0%} to fit one page" if outcome.scale != 1.0 else ""
        log.info("kb manual: rendered %s (%s, %.1f s%s)", rel, pages, outcome.seconds, scale)
    else:
        log.debug("kb manual: reused %s from the cache (%s)", rel, pages)


def build_manuals(settings: Any, data: Any, report: Any, site_dir: Path, manifests: dict[str, list[dict]]) -> list[Path]:
    """Make every PDF of the build; return their paths. Raises a ManualError subclass with a clear message
    (missing font, unapproved pages in release mode, failed renders)."""
    site_dir = Path(site_dir)
    if not any(manifests.get(lang) for lang in settings.languages):
        return []
    require_cjk_font()  # every stylesheet sets Noto Sans CJK SC first, for both languages
    if not harfbuzz_subsetting():
        log.warning("kb manual: WeasyPrint cannot load libharfbuzz-subset; it subsets the CJK fonts with fontTools, "
                    "10-20 s slower per PDF. Install Debian's libharfbuzz-subset0.")
    plans, documents = plan_documents(settings, data, report, site_dir, manifests)
    jobs = [to_job(doc, site_dir) for doc in documents]
    summary: Summary = render_all(jobs, settings.cache_path / "pdf", on_done=lambda o: _log_outcome(site_dir, o))
    log.info(
        "kb manual: %d PDFs rendered, %d reused from the cache (%s) in %.1f s",
        len(summary.rendered), len(summary.reused),
        ", ".join(f"{p.lang}: {len(p.chapters)} chapters" for p in plans), summary.seconds,
    )
    return [doc.output for doc in documents]
