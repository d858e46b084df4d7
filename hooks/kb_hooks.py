"""MkDocs hooks: thin glue between MkDocs and the kb package. Every rule, notice and report is
computed in kb/; this file only passes values in and out, in labelled sections per event.

mkdocs-static-i18n builds each language in turn (on_config .. on_post_build run once per
language), so state that is per build is reset in on_startup / at the first language, and anything
written to disk is named by language."""

from __future__ import annotations

import logging
import multiprocessing
import posixpath
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import mkdocs.plugins
from mkdocs.exceptions import Abort

from kb.checks import engine
from kb.content import boundary, figures, safety, video
from kb.content.glossary import glossary_entries
from kb.project import gitdates, templating
from kb.project.data import ProjectData
from kb.project.findings import format_text
from kb.project.settings import Settings, SettingsError, load_settings
from kb.web import csp, review, search, searchfix, site, webapp
from kb.web.glossary_html import annotate

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("mkdocs.hooks.kb")


class _State:
    settings: Settings | None = None
    data: ProjectData | None = None
    _report: engine.Report | None = None
    pending: Future | None = None  # the checks, running in a second process while MkDocs reads pages
    pending_dates: Future | None = None
    command: str = "build"
    manifest: dict[str, list[dict]] = {}
    html: dict[str, str] = {}  # rendered body HTML per source path, for the review view
    dates: dict[str, str] = {}  # repository path -> date of its last commit
    not_found: str | None = None  # the default language's 404 page
    gap_template: Any = None  # the gap badge's template, compiled once per command
    site_names: dict[str, tuple[str, str]] = {}  # language -> (site name, description), for the web manifests
    videos: list = []  # video blocks of the pages built (their files are copied into site/media/)
    attendance: list | None = None  # held events' participants by sex (kb.content.figures), once per build


    @property
    def report(self) -> engine.Report | None:
        """The check report; waits for the background run the first time it is needed."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            started = time.perf_counter()
            self._report = pending.result()
            # the checks' cost to the build's wall time (./scripts/bench reads this line)
            log.info("kb checks: ran beside the build, which waited %.2f s for them", time.perf_counter() - started)
            _announce(self._report)
        if self.pending_dates is not None:
            pending_dates, self.pending_dates = self.pending_dates, None
            self.dates = pending_dates.result()
        return self._report

    @report.setter
    def report(self, value: engine.Report | None) -> None:
        self._report, self.pending = value, None


STATE = _State()


def _language(config: Any) -> str:
    i18n = config.plugins.get("i18n")
    if i18n is not None and getattr(i18n, "current_language", None):
        return i18n.current_language
    return config.theme.get("language") or "zh"


def _offline_build(config: Any) -> bool:
    """Whether this is the offline copy's build (Material's offline plugin on: kb/build/offline.py)."""
    offline = config.plugins.get("material/offline") or config.plugins.get("offline")
    return offline is not None and bool(offline.config.enabled)


def _is_first_language(config: Any) -> bool:
    i18n = config.plugins.get("i18n")
    return i18n is None or not getattr(i18n, "building", False)


# --- start-up and configuration ----------------------------------------------------------------------------
def on_startup(command: str, dirty: bool) -> None:
    STATE.command = command
    STATE.settings = STATE.data = None
    STATE.report = None
    STATE.manifest, STATE.html, STATE.dates = {}, {}, {}
    STATE.not_found = STATE.gap_template = None
    STATE.site_names = {}
    STATE.videos = []
    STATE.attendance = None


@mkdocs.plugins.event_priority(100)  # before the search plugin reads jieba_dict_user
def on_config(config: Any) -> Any:
    try:
        if STATE.data is None:  # once per command: mkdocs-static-i18n calls on_config once per language
            settings = load_settings(ROOT)
            data = ProjectData(settings)
            data.model  # noqa: B018 - validate the data files now, with a clear message
            data.rules  # noqa: B018
            data.ui  # noqa: B018
            settings.check_manuals(data.model.tracks, data.model.types)
            STATE.settings, STATE.data = settings, data
        settings, data = STATE.settings, STATE.data
    except SettingsError as exc:
        raise Abort(f"configuration error: {exc}") from None
    if Path(config.docs_dir).resolve() != settings.docs_path.resolve():
        raise Abort(f"configuration error: mkdocs.yml docs_dir ({config.docs_dir}) differs from kb.yml ({settings.docs_dir})")
    if _offline_build(config):
        # Search from file:// needs the iframe-worker shim; Material would load it from unpkg.com.
        config.extra["polyfills"] = ["assets/vendor/iframe-worker/shim.js"]
    search = config.plugins.get("material/search") or config.plugins.get("search")
    if search is not None:
        search.config.jieba_dict_user = str(site.write_jieba_user_dict(data, settings.cache_path))
    return config


# --- checks (once per build cycle, at the first language) ---------------------------------------------------
def on_pre_build(config: Any) -> None:
    STATE.site_names[_language(config)] = (config.site_name, config.site_description or "")  # this language's, for its web manifest
    if not _is_first_language(config) and (STATE.pending is not None or STATE._report is not None):
        return
    settings, data = STATE.settings, STATE.data
    assert settings is not None and data is not None
    STATE.html = {}
    STATE.attendance = None  # recomputed from this cycle's report
    lang = "zh" if settings.default_language == "zh" else "en"
    if settings.release or STATE.command != "build" or not hasattr(multiprocessing, "get_context"):
        # release: fail before anything is written; serve: no fork next to the file watcher's threads
        STATE.report = engine.run(settings, data, lang=lang, workers=None if STATE.command == "build" else 1)
        STATE.dates = gitdates.last_changed(settings.root, settings.docs_dir)
        _announce(STATE.report)
        return
    # The checks need none of MkDocs's work: run them on the other core while MkDocs reads the pages,
    # and wait for them when the first page is rendered.
    checks = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    STATE.pending = checks.submit(engine.run, settings, data, lang=lang, workers=1)  # MkDocs has the other core
    checks.shutdown(wait=False)  # the submitted run still completes; the worker exits after it
    dates = ThreadPoolExecutor(max_workers=1)  # git runs in its own process: a thread is enough
    STATE.pending_dates = dates.submit(gitdates.last_changed, settings.root, settings.docs_dir)
    dates.shutdown(wait=False)


def _announce(report: engine.Report) -> None:
    shown = [f for f in report.findings if f.severity in ("error", "warning")]
    for line in format_text(shown).splitlines():
        log.info(line)
    totals = {s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning", "info")}
    summary = f"kb checks: {totals['error']} errors, {totals['warning']} warnings, {totals['info']} notes"
    if report.release and report.errors:
        raise Abort(f"{summary}; release mode refuses to build. Run ./scripts/check --release for the list.")
    (log.warning if report.errors else log.info)(summary)


# --- the build's boundary: files the checks refuse never reach the site or a PDF -----------------------------
@mkdocs.plugins.event_priority(100)  # before mkdocs-static-i18n and the search plugin see the files
def on_files(files: Any, config: Any) -> Any:
    settings, data = STATE.settings, STATE.data
    if settings is None or data is None:
        return files
    docs = Path(config.docs_dir).resolve()
    for file in list(files):
        if not file.abs_src_path or not file.src_dir or Path(file.src_dir).resolve() != docs:
            continue  # the theme's own files (Material, overrides/) or generated by a plugin
        parts = Path(file.src_uri).parts
        page = file.src_uri.endswith(".md") and len(parts) > 1 and parts[0] in settings.languages
        refusal = boundary.refused_for_build(Path(docs, file.src_uri), docs, data.limits, page=page)
        if refusal is not None:
            log.warning("kb: %s/%s left out of the build (%s: %s)", settings.docs_dir, boundary.shown(file.src_uri),
                        refusal.rule, refusal.code)
            files.remove(file)
    return files


# --- review view: body HTML of every page as built, for the side-by-side pages written at the end ----------------
def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    # Nothing executable reaches a reader: the page's HTML through the allow-list (kb/content/safety.py)
    html = safety.sanitise(html)
    if not getattr(page, "_kb_title_escaped", False):  # Material prints page.title and page.meta.title raw
        if isinstance(page.meta.get("title"), str):
            page.meta["title"] = safety.escape_title(page.meta["title"])
        if page.title:
            page.title = safety.escape_title(page.title)
        page._kb_title_escaped = True
    if STATE.settings is not None and hasattr(page.file, "locale"):
        rel = getattr(page.file, "norm_src_uri", page.file.src_uri)
        STATE.html.setdefault(f"{STATE.settings.docs_dir}/{page.file.locale}/{rel}", html)
    # Glossary terms get their definition on hover and tap (first use on the page, in its own language)
    if STATE.data is not None and page.meta.get("template") != "kb-glossary.html":
        html = annotate(html, STATE.data.glossary, getattr(page.file, "locale", _language(config)))
    html = _video_player(html, page, config)
    html = _figure_by_sex(html, page, config)
    return html


# --- figures by sex: a held event's participants by sex, under its participants heading --------------------------
def _attendance() -> list:
    report, settings = STATE.report, STATE.settings
    if report is None or settings is None:
        return []
    if STATE.attendance is None:
        STATE.attendance = figures.attendance(report.pages, settings.docs_dir, settings.languages, settings.default_language)
    return STATE.attendance


def _figure_by_sex(html: str, page: Any, config: Any) -> str:
    event = page.meta.get("event")
    if page.meta.get("type") != "event" or not isinstance(event, dict) or event.get("status") != "held" or STATE.data is None:
        return html
    rel = getattr(page.file, "norm_src_uri", page.file.src_uri)
    item = next((a for a in _attendance() if a.rel == rel), None)
    if item is None:  # counts missing or not adding up: the event rule says so
        return html
    lang = _language(config)
    figure = figures.page_figure(Path(config.theme.custom_dir), item, lang, posixpath.dirname(page.file.dest_uri),
                                 STATE.data.ui.get(lang, {}))
    return figures.insert_figure(html, figure)


# --- video pages: player, subtitle tracks and transcript (before search and the manual read the page) ----------
def _video_player(html: str, page: Any, config: Any) -> str:
    block = video.VideoBlock.from_meta(page.meta)
    settings, data = STATE.settings, STATE.data
    if block is None or settings is None or data is None:
        return html
    lang = _language(config)
    page_dir = posixpath.dirname(page.file.dest_uri)
    view = video.video_view(
        block, page_rel=getattr(page.file, "norm_src_uri", page.file.src_uri), page_dir=page_dir, lang=lang,
        languages=settings.languages, default_language=settings.default_language, docs_path=settings.docs_path,
        media_src=video.media_address(block, data.media.url, page_dir),
    )
    STATE.videos.append(block)
    player = templating.render(Path(config.theme.custom_dir), "partials/kb-video.html", v=view, ui=data.ui.get(lang, {}))
    return video.insert_player(html, player)


# --- page content ------------------------------------------------------------------------------------------------
def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page is not None and STATE.data is not None:  # search ranking by type (content model), unless the page sets it
        spec = STATE.data.model.types.get(page.meta.get("type", ""))
        if spec is not None and spec.search_boost and "boost" not in (page.meta.get("search") or {}):
            page.meta["search"] = {**(page.meta.get("search") or {}), "boost": spec.search_boost}
    if "[[gap:" not in markdown:
        return markdown
    # The page environment (on_env) comes after all pages are read: use the theme's own loader, once.
    if STATE.gap_template is None:
        STATE.gap_template = config.theme.get_env().get_template("partials/kb-gap.html")
    template = STATE.gap_template
    ui = STATE.data.ui.get(_language(config), {}) if STATE.data else {}
    return site.render_gaps(markdown, lambda text: template.render(text=text, ui=ui).strip())


@mkdocs.plugins.event_priority(0)  # after mkdocs-static-i18n (50) has set the alternates
def on_page_context(context: dict, page: Any, config: Any, nav: Any) -> dict:
    report, data = STATE.report, STATE.data
    if report is None or data is None or not hasattr(page.file, "locale"):
        return context
    lang = _language(config)
    rel = getattr(page.file, "norm_src_uri", page.file.src_uri)
    state = site.page_state(report, lang, rel, page.file.locale)
    state["updated"] = STATE.dates.get(state["path"])
    alternates = getattr(page.file, "alternates", {})
    state["alternate_missing"] = [a["lang"] for a in config.extra.get("alternate", []) if a["lang"] not in alternates]
    if state.get("source_lang"):
        source = alternates.get(state["source_lang"])
        state["source_url"] = source.url if source is not None else None
    context["kb"] = {
        "ui": data.ui.get(lang, {}),
        "lang": lang,
        "page": state,
        "model": data.model,
        "orgs": data.reviewers["organisations"],
    }
    template = page.meta.get("template", "")
    settings = report.settings
    if template == "kb-status.html":
        context["kb"]["status"] = site.status_data(report, data, lang)
        # participation by sex per programme: the same SVG files the event pages and the PDFs show
        context["kb"]["figures"] = figures.programme_figures(_attendance(), lang, data.ui.get(lang, {}), data.model.tracks)
        context["kb"]["url_for"] = lambda rel_: site.page_url_for(rel_, lang, report.settings.default_language)
    elif template == "kb-glossary.html":
        context["kb"]["glossary"] = glossary_entries(data, lang)
    elif template == "kb-downloads.html":
        from kb.build.downloads import downloads_for
        from kb.build.offline import offline_source

        offline_from = offline_source(settings) if _offline_build(config) else None
        context["kb"]["downloads"] = downloads_for(settings, data, lang, STATE.manifest, report, offline_from)
        from kb.print.forms import downloads as form_downloads
        from kb.print.forms import held_events

        held = [(rel, str(p.meta.get("title") or rel)) for rel, p in
                held_events(report.pages, STATE.settings.docs_dir, lang, STATE.settings.default_language)]
        context["kb"]["forms"] = form_downloads(lang, data.ui.get(lang, {}), held=held, offline_from=offline_from)
    return context


# --- navigation order, for the PDF manual ------------------------------------------------------------------
def _ancestors(page: Any) -> list[str]:
    titles, parent = [], page.parent
    while parent is not None:
        titles.insert(0, parent.title)
        parent = parent.parent
    return titles


@mkdocs.plugins.event_priority(-150)  # after mkdocs-static-i18n (-100) has localised the navigation
def on_nav(nav: Any, config: Any, files: Any) -> Any:
    """Record this language's pages in navigation order with the metadata the manual needs."""
    settings = STATE.settings
    if settings is None:
        return nav
    lang = _language(config)
    entries = []
    for page in nav.pages:
        file = page.file
        locale = getattr(file, "locale", lang)
        rel = getattr(file, "norm_src_uri", file.src_uri)
        entries.append({
            "lang": lang, "file_lang": locale, "rel": rel, "path": f"{settings.docs_dir}/{locale}/{rel}",
            "url": file.url, "dest": file.dest_uri, "title": page.title,
            # the whole section path ("汞减排（PVC 行业） · 培训模块"): both programmes have "培训模块"
            "section": " · ".join(_ancestors(page)) or None,
        })
    STATE.manifest[lang] = entries
    return nav


# --- the 404 page: one, bilingual, from the default language's build ------------------------------------------
def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    if template_name != "404.html" or STATE.settings is None:
        return output_content
    if _language(config) == STATE.settings.default_language:
        STATE.not_found = _with_policy(output_content, config)
    return STATE.not_found or output_content


# --- Content-Security-Policy of every page (kb/web/csp.py): script only from the site's own files ----------------
def _with_policy(html: str, config: Any) -> str:
    if _offline_build(config) or STATE.data is None:  # file:// has an opaque origin: 'self' would block the site
        return html
    return csp.add_policy(html, STATE.data.media.url)


def on_post_page(output: str, page: Any, config: Any) -> str:
    return _with_policy(output, config)


# --- after each language's build ---------------------------------------------------------------------------
@mkdocs.plugins.event_priority(-200)  # after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config: Any) -> None:
    report, data, settings = STATE.report, STATE.data, STATE.settings
    if report is None or data is None or settings is None:
        return
    if not _is_first_language(config):
        return  # a language built from inside mkdocs-static-i18n: the outer build finishes the job
    try:
        site.write_status_json(report, data, Path(config.site_dir))
        review.write_review_pages(config.theme.get_env(), report, STATE.html, Path(config.site_dir), data.ui)
        # --- figures by sex: site/figures/<lang>/*.svg, before the PDFs that print them
        figures.write_figures(Path(config.site_dir), Path(config.theme.custom_dir), _attendance(),
                              figures.load_targets(settings.data_path / "gender-targets.yml"), data.ui,
                              settings.languages, data.model.tracks)
        # --- video files: copied into site/media/ when pages load them from the site (data/media.yml url: null)
        if data.media.url is None:
            for name in video.copy_media(STATE.videos, data.media.path, Path(config.site_dir)):
                log.info("kb video: copied %s into site/%s/", name, video.MEDIA_DIR)
        if not searchfix.patch_search_worker(Path(config.site_dir)):
            log.warning("kb: Material's search worker changed; Chinese queries may lose their last word (kb/web/searchfix.py)")
        # one search index per language, loaded when the reader opens search (kb/web/search.py)
        search.write_language_indexes(Path(config.site_dir), settings.languages, settings.default_language,
                                      scripts=_offline_build(config))
        # installable offline reading (kb/web/webapp.py, docs/sw.js): a web manifest per language, the pages to save
        for lang, (name, description) in STATE.site_names.items():
            short_name = data.ui.get(lang, {}).get("app_short_name", "")
            webapp.write_manifest(Path(config.site_dir), lang, settings.default_language, name, short_name, description)
        webapp.write_offline_lists(Path(config.site_dir), STATE.manifest,
                                   tuple(track for track in data.model.tracks if track != "general"))
        if settings.pdf:
            from kb.print.manual import ManualError, build_manuals
            from kb.print.manual.assemble import Provenance

            provenance = Provenance.of(settings.root, settings.docs_dir)  # one git reading for manuals and reports
            try:
                build_manuals(settings, data, report, Path(config.site_dir), STATE.manifest, provenance)
            except ManualError as exc:  # a missing font, drafts in release mode, a failed render: say what to do
                raise Abort(f"PDF manuals: {exc}") from None
            # --- printable forms (sign-in sheet, evaluation questionnaire) and held events' summary reports
            from kb.print.forms import build_forms

            try:
                done = build_forms(settings=settings, data=data, report=report, site_dir=Path(config.site_dir),
                                   overrides=Path(config.theme.custom_dir), body_html=STATE.html, attendance=_attendance(),
                                   provenance=provenance)
            except ManualError as exc:
                raise Abort(f"PDF forms and event reports: {exc}") from None
            log.info("kb forms: %d PDFs rendered, %d reused from the cache", len(done.rendered), len(done.reused))
    finally:
        STATE.data = None  # `mkdocs serve` rebuilds: read the data files afresh next time
