"""One build in three named stages, and the one object that holds its state (ARCHITECTURE.md).

- **prepare**: read and validate the settings and data files, start the checks (kb.checks.engine)
  beside the generator, and the git reading of page dates: nothing here needs the generator.
- **generate**: the MkDocs-compatible generator (MkDocs or ProperDocs, kb.build.generator) turns the
  Markdown into themed HTML. hooks/kb_hooks.py is the only code that runs inside it: it hands each
  page's values to the methods below and puts their results back (``page_markdown``, ``page_html``,
  ``page_context``, ``record_navigation``, ``with_policy``).
- **finish**: everything that works on the built HTML: status JSON, review pages, figures, video
  files, search indexes, web manifests, PDF manuals, forms and event reports, and last the offline
  lists (they weigh the pages and the PDFs).
  (The offline copy and the swap of ``site.building/`` into ``site/`` follow in kb.cli.)

Nothing here imports MkDocs: the generator is one replaceable stage, and whatever replaces it calls
the same methods with the same plain values."""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kb.build.downloads import Downloads, PrintedLink, downloads_for, for_trainees, printed_for
from kb.build.offline import offline_source
from kb.build.pageref import NavPage, PageRef
from kb.build.preview import PreviewSession, Rebuild, mark_all_stale, mark_stale
from kb.checks.report import CheckMemo, Report
from kb.content import boundary, dotfigures, figures, knowledge, safety, video
from kb.content.figures import Attendance
from kb.content.glossary import glossary_groups
from kb.content.lessons import Agenda, page_agenda
from kb.content.navigation import NavEntry, Navigation
from kb.content.siteconfig import site_dir_problem
from kb.print.manual.errors import ManualError
from kb.print.outputs import agenda_output, held_events
from kb.print.outputs import downloads as form_downloads
from kb.project import gitdates, templating
from kb.project.data import ProjectData
from kb.project.findings import format_text
from kb.project.settings import Settings, SettingsError, load_settings
from kb.web import csp, images, pdfmeta, review, search, searchfix, site, trainer, webapp
from kb.web.glossary_html import annotate
from kb.web.trainer_notes import fold_trainer_notes

log = logging.getLogger("mkdocs.hooks.kb")

GLOSSARY_TEMPLATE = "kb-glossary.html"
STATUS_TEMPLATE = "kb-status.html"
DOWNLOADS_TEMPLATE = "kb-downloads.html"
# The templates a page's front matter may choose (`template:`); any other is dropped (Material's
# redirect.html, for one, prints page.meta.location into a refresh and an inline script).
PAGE_TEMPLATES = frozenset({"main.html", GLOSSARY_TEMPLATE, STATUS_TEMPLATE, DOWNLOADS_TEMPLATE})


class BuildRefused(Exception):
    """The build must stop: release mode and error findings. The message says what to run."""


class FinishFailed(Exception):
    """A step of the finish stage failed (a missing font, drafts in release mode, a failed render);
    the message names the step and says what to do."""


def run_checks(settings: Settings, data: ProjectData, lang: str, workers: int | None,
               memo: CheckMemo | None = None) -> Report:
    """The checks' report (kb.checks.engine.run). The engine and its rules load in the process that runs
    them: beside the generator, that is the forked one, and the build's own process never loads them
    (docs/adr/0018-heavy-libraries-load-when-used.md)."""
    from kb.checks import engine

    return engine.run(settings, data, lang=lang, workers=workers, memo=memo)


@dataclass
class Build:
    """The state of one build cycle (one `mkdocs build`, or one rebuild of `mkdocs serve`)."""

    settings: Settings
    data: ProjectData
    command: str = "build"
    offline: bool = False  # the offline copy's build (file:// pages: no CSP, search without a worker)
    manifest: Navigation = field(default_factory=dict)  # language -> pages in navigation order
    html: dict[str, str] = field(default_factory=dict)  # docs/<lang>/<rel> -> body HTML, for the review view
    site_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # language -> (name, description)
    videos: list[video.VideoBlock] = field(default_factory=list)  # video blocks of the pages built
    not_found: str | None = None  # the default language's 404 page, served for every language
    _report: Report | None = None
    _pending: Future | None = None  # the checks, running beside the generator
    _pending_dates: Future | None = None
    _dates: dict[str, str] = field(default_factory=dict)
    _attendance: list[Attendance] | None = None
    _downloads_by_lang: dict[str, Downloads] = field(default_factory=dict)
    _agendas: dict[str, Agenda] | None = None
    _dot: dotfigures.DotRenderer | None = None
    _refused: dict[str, bool] = field(default_factory=dict)  # src_uri -> left out (every language's build asks)
    dot_figures: dict[str, str] = field(default_factory=dict)  # site path -> SVG of the ```dot figures drawn
    dot_pages: dict[str, list[str]] = field(default_factory=dict)  # page dest -> the figure files it shows (offline lists)
    preview: PreviewSession | None = None  # `serve`: what outlives this rebuild (kb.build.preview)
    rebuild: Rebuild | None = None  # `serve --dirty`: what this rebuild renders, once planned

    # --- prepare ------------------------------------------------------------------------------------------------
    @classmethod
    def prepare(cls, command: str = "build", root: Path | None = None, offline: bool = False,
                preview: PreviewSession | None = None) -> Build:
        """Settings and data read and validated once (raises SettingsError with file and reason)."""
        settings = load_settings(root)
        problem = site_dir_problem(settings.root / "mkdocs.yml", settings.root)
        if problem:
            raise SettingsError(problem)
        data = ProjectData(settings)
        data.validate()
        settings.check_manuals(data.model.tracks, data.model.types)
        return cls(settings=settings, data=data, command=command, offline=offline, preview=preview)

    def jieba_dictionary(self) -> Path:
        """The glossary's terms as a jieba user dictionary, for the search plugin's Chinese segmentation."""
        return site.write_jieba_user_dict(self.data, self.settings.cache_path)

    def start_checks(self) -> None:
        """Run the checks: beside the generator on the other core in a draft build; here and now in
        release mode (fail before anything is written) and under `serve` (no fork next to the file
        watcher's threads)."""
        if self._pending is not None or self._report is not None:
            return
        lang = "zh" if self.settings.default_language == "zh" else "en"
        if self.settings.release or self.command != "build" or "fork" not in multiprocessing.get_all_start_methods():
            self._set_report(run_checks(self.settings, self.data, lang, workers=None if self.command == "build" else 1,
                                        memo=self.preview.checks if self.preview is not None else None))
            self._dates = gitdates.last_changed(self.settings.root, self.settings.docs_dir)
            return
        checks = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        self._pending = checks.submit(run_checks, self.settings, self.data, lang, workers=1)
        checks.shutdown(wait=False)  # the submitted run still completes; the worker exits after it
        dates = ThreadPoolExecutor(max_workers=1)  # git runs in its own process: a thread is enough
        self._pending_dates = dates.submit(gitdates.last_changed, self.settings.root, self.settings.docs_dir)
        dates.shutdown(wait=False)

    def wait_for_checks(self) -> Report:
        """The check report, waiting for the run beside the generator the first time. Raises
        BuildRefused in release mode when a finding makes published content unsafe or false."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            started = time.perf_counter()
            report = pending.result()
            # the checks' cost to the build's wall time (./scripts/bench reads this line)
            log.info("kb checks: ran beside the build, which waited %.2f s for them", time.perf_counter() - started)
            self._set_report(report)
        if self._pending_dates is not None:
            pending_dates, self._pending_dates = self._pending_dates, None
            self._dates = pending_dates.result()
        if self._report is None:
            self.start_checks()
            return self.wait_for_checks()
        return self._report

    def _set_report(self, report: Report) -> None:
        self._report = report
        shown = [f for f in report.findings if f.severity in ("error", "warning")]
        for line in format_text(shown).splitlines():
            log.info(line)
        totals = {s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning", "info")}
        summary = f"kb checks: {totals['error']} errors, {totals['warning']} warnings, {totals['info']} notes"
        if not report.release:
            (log.warning if report.errors else log.info)(summary)
            return
        blocking = report.blocking
        if blocking:
            rules = ", ".join(sorted({f.rule for f in blocking}))
            raise BuildRefused(f"{summary}; {len(blocking)} of them make published content unsafe or false ({rules}): "
                               f"release mode refuses to build. Run ./scripts/check --release for the list.")
        # reported, not refused: on the status page and in the job summary (info: MkDocs --strict
        # fails on warnings, and these must not take the website offline)
        log.info("%s; none makes published content unsafe or false: the site is released, and each "
                 "programme's printed material only where all its pages are approved", summary)

    def attendance(self) -> list[Attendance]:
        """Held events' participants by sex (kb.content.figures), once per build."""
        if self._attendance is None:
            report, s = self.wait_for_checks(), self.settings
            self._attendance = figures.attendance(report.pages, s.docs_dir, s.languages, s.default_language)
        return self._attendance

    def agendas(self) -> dict[str, Agenda]:
        """The agenda of each training record whose session plan can be timed (by page path), once per build."""
        if self._agendas is None:
            report, s = self.wait_for_checks(), self.settings
            found = ((path, page_agenda(page, report.pages, s.docs_dir, s.default_language))
                     for path, page in report.pages.items() if page.type == "event" and page.text is not None)
            self._agendas = {path: agenda for path, agenda in found if agenda is not None}
        return self._agendas

    def _agenda_view(self, page: PageRef, path: str) -> dict[str, Any] | None:
        """What overrides/partials/kb-agenda.html shows: the agenda's rows, each module's page address,
        and the PDF when this build writes it."""
        agenda = self.agendas().get(path)
        if agenda is None:
            return None
        s = self.settings
        rows = [{**vars(row), "href": site.page_url_for(row.rel, page.lang, s.default_language) if row.rel else None}
                for row in agenda.rows]
        pdf = str(agenda_output(page.rel, page.lang)) if s.pdf else None
        return {**vars(agenda), "rows": rows, "pdf": pdf}

    def plan_rebuild(self, site_dir: Path) -> None:
        """`serve --dirty`, once per rebuild: render the edited pages and their translations, or every
        page when more than a page body changed (kb.build.preview); MkDocs renders what is dated older."""
        if self.preview is None or not self.preview.dirty or self.rebuild is not None:
            return
        report = self.wait_for_checks()  # run with the session's CheckMemo, keyed by this rebuild's structure
        self.rebuild = self.preview.plan(self.settings, report.pages, self.preview.checks.key)
        if self.rebuild.full:
            mark_all_stale(site_dir)
        else:
            mark_stale(site_dir, self.rebuild.stale)
            if self.rebuild.changed:
                log.info("kb preview: rendering %s and its translation", ", ".join(self.rebuild.changed))
            else:  # saved without a change to any page's text: MkDocs renders what it finds newer
                log.info("kb preview: no page's text changed")

    def title_of(self, page: PageRef) -> str | None:
        """The page's title from its front matter, for the navigation of a rebuild that does not render it."""
        found = self.wait_for_checks().pages.get(f"{self.settings.docs_dir}/{page.file_lang}/{page.rel}")
        return found.title if found is not None and found.title else None

    # --- generate: what each page shows -----------------------------------------------------------------------------
    def page_markdown(self, markdown: str, page: PageRef, render_gap: Callable[[str, dict[str, str]], str]) -> str:
        """Search ranking by type (content model), unless the page sets it; ```dot blocks as figures;
        gap markers as badges."""
        spec = self.data.model.types.get(page.meta.get("type", ""))
        search_meta = page.meta.get("search")
        if spec is not None and spec.search_boost and not (isinstance(search_meta, dict) and "boost" in search_meta):
            page.meta["search"] = {**(search_meta if isinstance(search_meta, dict) else {}), "boost": spec.search_boost}
        if "dot" in markdown:
            markdown = self._dot_figures(markdown, page)
        if "[[gap:" not in markdown:
            return markdown
        ui = self.ui(page.lang)
        return site.render_gaps(markdown, lambda text: render_gap(text, ui))

    def _dot_figures(self, markdown: str, page: PageRef) -> str:
        """Each ```dot block drawn (kb.content.dotfigures) and replaced by its figure; the SVG files are
        written by finish. A block that cannot be drawn shows a note; the figure rule says why."""
        if self._dot is None:
            s = self.settings
            self._dot = dotfigures.DotRenderer.for_project(s.root, self.data.limits, s.check_cache)
        markdown, drawn = dotfigures.replace_figures(markdown, self._dot, page.page_dir, self.ui(page.lang))
        for item in drawn:
            if item.svg is not None:
                self.dot_figures[item.path] = item.svg
                self.dot_pages.setdefault(page.dest_uri, []).append(item.path)
            else:
                log.info("kb figure: %s/%s/%s: a figure was not drawn (%s); ./scripts/check says why",
                         self.settings.docs_dir, page.file_lang, page.rel, item.problem.code if item.problem else "-")
        return markdown

    def page_html(self, html: str, page: PageRef, overrides: Path) -> str:
        """The page's HTML through the allow-list (nothing executable reaches a reader), kept for the
        review view; answers kept from trainees (kb.web.trainer), trainer notes folded (kb.web.trainer_notes);
        with glossary terms, the video player, a held event's figure by sex and its knowledge test's totals."""
        html = safety.sanitise(html)
        # answers and trainer notes: never in a trainee's search results, nor in the offline copy's
        # pages (its review views included)
        html = (trainer.for_trainees(html, self.ui(page.lang).get("answers_offline", "")) if self.offline
                else trainer.keep_from_search(html))
        self.html.setdefault(f"{self.settings.docs_dir}/{page.file_lang}/{page.rel}", html)
        # trainer notes folded under this language's label and kept out of the search index
        html = fold_trainer_notes(html, self.ui(page.lang).get("trainer_notes", "Trainer notes"))
        if page.meta.get("template") != GLOSSARY_TEMPLATE:  # first use on the page, in its own language
            html = annotate(html, self.data.glossary, page.file_lang)
        html = self._video_player(html, page, overrides)
        html = self._figure_by_sex(html, page, overrides)
        return self._knowledge_test(html, page, overrides)

    @staticmethod
    def escaped(title: Any) -> Any:
        """Material prints page.title and page.meta.title raw: escaped once, here (a title that is
        not a string is printed as its text)."""
        return title if title is None else safety.escape_title(title if isinstance(title, str) else str(title))

    def theme_meta(self, page: PageRef) -> None:
        """The page's front matter as the theme may print it (kb.content.safety.theme_meta): text
        fields escaped, tokens checked, only the project's templates. In place: the generator's
        templates read this dict. The checks report the fields the content model does not know."""
        dropped = [key for key in safety.theme_meta(page.meta, PAGE_TEMPLATES) if key not in page.meta]
        if dropped:
            log.info("kb: %s/%s/%s: front matter not printed (%s)", self.settings.docs_dir, page.file_lang,
                     page.rel, ", ".join(dropped))

    def _video_player(self, html: str, page: PageRef, overrides: Path) -> str:
        block = video.VideoBlock.from_meta(page.meta)
        if block is None:
            return html
        s = self.settings
        view = video.video_view(block, page_rel=page.rel, page_dir=page.page_dir, lang=page.lang, languages=s.languages,
                                default_language=s.default_language, docs_path=s.docs_path,
                                media_src=video.media_address(block, self.data.media.url, page.page_dir))
        self.videos.append(block)
        player = templating.render(overrides, "partials/kb-video.html", v=view, ui=self.ui(page.lang))
        return video.insert_player(html, player)

    def _figure_by_sex(self, html: str, page: PageRef, overrides: Path) -> str:
        event = page.meta.get("event")
        if page.meta.get("type") != "event" or not isinstance(event, dict) or event.get("status") != "held":
            return html
        item = next((a for a in self.attendance() if a.rel == page.rel), None)
        if item is None:  # counts missing or not adding up: the event rule says so
            return html
        return figures.insert_figure(html, figures.page_figure(overrides, item, page.lang, page.page_dir, self.ui(page.lang)))

    def _knowledge_test(self, html: str, page: PageRef, overrides: Path) -> str:
        """A held event's knowledge test totals by sex (event.knowledge_test), when valid (else the event rule says why)."""
        event = page.meta.get("event")
        if page.meta.get("type") != "event" or not isinstance(event, dict) or event.get("status") != "held":
            return html
        record, _ = knowledge.knowledge_record(page.meta)
        if record is None or record.points is None:
            return html
        block = templating.render(overrides, "partials/kb-knowledge-test.html", rows=knowledge.result_rows(record),
                                  points=record.points, ui=self.ui(page.lang))
        return knowledge.insert_results(html, block)

    def page_context(self, page: PageRef, alternates: dict[str, str | None], languages: list[str]) -> dict[str, Any]:
        """What the templates read as ``kb``: the page's state (review, translation, dates, notices)
        and, for the status, glossary and downloads pages, their data. *alternates*: language -> URL
        of this page in that language (None: not built)."""
        report, data, lang = self.wait_for_checks(), self.data, page.lang
        state = site.page_state(report, lang, page.rel, page.file_lang)
        state = replace(state, updated=self._dates.get(state.path),
                        alternate_missing=tuple(other for other in languages if other not in alternates))
        if state.source_lang:
            # a stale translation: the review view shows the source's changes since the translated version
            state = replace(state, source_url=alternates.get(state.source_lang),
                            changes_url=site.review_path(page.rel)[: -len("index.html")] + "#kb-source-diff")
        context: dict[str, Any] = {"ui": self.ui(lang), "lang": lang, "page": state, "model": data.model,
                                   "orgs": data.reviewers.organisations}
        context["printed"] = self._printed_for(page)
        if page.meta.get("type") == "event":
            context["agenda"] = self._agenda_view(page, state.path)
        template = page.meta.get("template", "")
        if template == STATUS_TEMPLATE:
            context["status"] = site.status_data(report, data, lang)
            # participation by sex per programme: the same SVG files the event pages and the PDFs show
            context["figures"] = figures.programme_figures(self.attendance(), lang, self.ui(lang), data.model.tracks)
            context["url_for"] = lambda rel: site.page_url_for(rel, lang, self.settings.default_language)
        elif template == GLOSSARY_TEMPLATE:
            context["glossary_groups"] = glossary_groups(data, lang)
        elif template == DOWNLOADS_TEMPLATE:
            offline_from = offline_source(self.settings) if self.offline else None
            context["downloads"] = downloads_for(self.settings, data, lang, self.manifest, report, offline_from)
            held = [(rel, str(p.meta.get("title") or rel)) for rel, p in
                    held_events(report.pages, self.settings.docs_dir, lang, self.settings.default_language)]
            context["forms"] = form_downloads(lang, self.ui(lang), held=held, offline_from=offline_from)
        return context

    def refused(self, src_uri: str) -> bool:
        """Whether a file under docs/ must be left out of the build (the engine reports the same as a
        finding): a symlink, an odd file, an undecodable page, a page over a limit. Read once per build."""
        if src_uri in self._refused:
            return self._refused[src_uri]
        s, docs = self.settings, self.settings.docs_path.resolve()
        parts = Path(src_uri).parts
        page = src_uri.endswith(".md") and len(parts) > 1 and parts[0] in s.languages
        refusal = boundary.refused_for_build(Path(docs, src_uri), docs, self.data.limits, page=page)
        if refusal is not None:
            log.warning("kb: %s/%s left out of the build (%s: %s)", s.docs_dir, boundary.shown(src_uri), refusal.rule, refusal.code)
        self._refused[src_uri] = refusal is not None
        return refusal is not None

    def _downloads(self, lang: str) -> Downloads:
        """The downloads of *lang* as the downloads page lists them, once per build."""
        if lang not in self._downloads_by_lang:
            self._downloads_by_lang[lang] = downloads_for(self.settings, self.data, lang, self.manifest,
                                                          self.wait_for_checks(), None)
        return self._downloads_by_lang[lang]

    def _printed_for(self, page: PageRef) -> tuple[PrintedLink, ...]:
        """The printed material a page leads to (kb.build.downloads.printed_for): only what this build writes
        (PDFs on, released in release mode), on pages in their own language."""
        if not self.settings.pdf or page.file_lang != page.lang:
            return ()
        return printed_for(self.settings, self._downloads(page.lang), page.rel, page.meta.get("type"), page.lang)

    def record_navigation(self, lang: str, pages: list[NavPage]) -> None:
        """This language's pages in navigation order (the manuals print them in this order)."""
        self.manifest[lang] = [NavEntry(
            lang=lang, file_lang=n.page.file_lang, rel=n.page.rel,
            path=f"{self.settings.docs_dir}/{n.page.file_lang}/{n.page.rel}", url=n.url, dest=n.page.dest_uri,
            # the whole section path ("汞减排（PVC 行业） · 培训模块"): both programmes have "培训模块"
            title=n.title, section=" · ".join(n.sections) or None,
        ) for n in pages]

    def with_policy(self, html: str) -> str:
        """The page with its Content-Security-Policy (kb.web.csp); none offline (file:// has an opaque
        origin, so 'self' would block the site's own files)."""
        return html if self.offline else csp.add_policy(html, self.data.media.url)

    def ui(self, lang: str) -> dict[str, str]:
        return self.data.ui.strings(lang)

    # --- finish: everything that works on the built HTML ---------------------------------------------------------------
    def finish(self, site_dir: Path, theme_env: Any, overrides: Path) -> None:
        """Write what follows from the built site. Raises FinishFailed with a message that says what to do."""
        report, data, s = self.wait_for_checks(), self.data, self.settings
        # photos lose their metadata (EXIF: names, phone numbers, GPS) before anything publishes or prints them
        for path in images.strip_metadata(site_dir):
            log.info("kb images: metadata removed from %s", path.relative_to(site_dir).as_posix())
        html, dot_pages = self.html, self.dot_pages
        if self.preview is not None:  # a preview that rendered some pages: the others as last rendered
            html, dot_pages = self.preview.keep(self.html, self.dot_pages)
        partial = self.rebuild is not None and not self.rebuild.full
        site.write_status_json(report, data, site_dir)
        review.write_review_pages(theme_env, report, html, site_dir, data.ui)
        # figures by sex: site/figures/<lang>/*.svg, before the PDFs that print them
        figures.write_figures(site_dir, overrides, self.attendance(), figures.targets(data.gender_targets),
                              data.ui, s.languages, data.model.tracks)
        dotfigures.write_figures(site_dir, self.dot_figures)  # the ```dot figures: site/figures/dot/<key>.svg
        if data.media.url is None:  # video files served by the site itself (data/media.yml url: null)
            for name in video.copy_media(self.videos, data.media.path, site_dir):
                log.info("kb video: copied %s into site/%s/", name, video.MEDIA_DIR)
        if not searchfix.patch_search_worker(site_dir):
            log.warning("kb: Material's search worker changed; Chinese queries may lose their last word (kb/web/searchfix.py)")
        # one search index per language, loaded when the reader opens search
        search.write_language_indexes(site_dir, s.languages, s.default_language, scripts=self.offline,
                                      keep_unrendered=partial)
        # installable offline reading: a web manifest per language, the pages to save
        for lang, (name, description) in self.site_names.items():
            webapp.write_manifest(site_dir, lang, s.default_language, name, self.ui(lang).get("app_short_name", ""), description)
        webapp.write_offline_page(site_dir, overrides, data.ui, s.languages, s.default_language)
        if s.pdf:
            self._print(site_dir, theme_env, overrides, html)
        # the pages a programme saves, and its printed material for trainees, each with its size: after the PDFs
        printed = {lang: for_trainees(s, self._downloads(lang), lang) for lang in s.languages} if s.pdf else {}
        webapp.write_offline_lists(site_dir, self.manifest, tuple(track for track in data.model.tracks if track != "general"),
                                   dot_pages, printed)

    def _print(self, site_dir: Path, theme_env: Any, overrides: Path, html: dict[str, str]) -> None:
        """The PDFs: manuals, handouts, panels and slides; forms and event reports (from *html*: each
        page's body as rendered); then their sizes and pages on the pages that offer them."""
        # the print stage loads when PDFs are made, not with every HTML build or preview (WeasyPrint's
        # pieces, pikepdf, the HTML5 parser: docs/adr/0018-heavy-libraries-load-when-used.md)
        from kb.print.forms import build_forms
        from kb.print.manual.assemble import Provenance
        from kb.print.manual.build import build_manuals

        report, data, s = self.wait_for_checks(), self.data, self.settings
        provenance = Provenance.of(s.root, s.docs_dir)  # one git reading for manuals and reports
        try:
            built = build_manuals(s, data, report, site_dir, self.manifest, provenance)
        except ManualError as exc:
            raise FinishFailed(f"PDF manuals: {exc}") from None
        # what the PDFs' layout found (slide-overflow) joins the checks' findings in status.json and on the status page
        report = report.with_findings(built.findings)
        if built.findings:
            site.write_status_json(report, data, site_dir)
        site.fill_print_findings(site_dir, theme_env, report, data, s.languages, s.default_language)
        try:
            done = build_forms(settings=s, data=data, report=report, site_dir=site_dir, overrides=overrides,
                               body_html=html, attendance=self.attendance(), provenance=provenance,
                               agendas=self.agendas())
        except ManualError as exc:
            raise FinishFailed(f"PDF forms and event reports: {exc}") from None
        log.info("kb forms: %d PDFs rendered, %d reused from the cache", len(done.rendered), len(done.reused))
        # the downloads pages say each PDF's size and pages, now that the PDFs exist
        pdfmeta.annotate(site_dir, {lang: self.ui(lang).get("dl_pages", "{n} pages") for lang in s.languages},
                         s.languages, s.default_language)
