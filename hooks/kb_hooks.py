"""MkDocs hooks: glue between the generator and the build pipeline (kb/build/pipeline.py): each event
hands plain values (kb.build.generator reads the generator's objects) to the cycle's Build and puts its
results back. mkdocs-static-i18n runs on_config .. on_post_build once per language (the others inside
the default one's on_post_build): the Build is made at the first on_config of a cycle and finished by
the outermost on_post_build."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import mkdocs.plugins
from mkdocs.exceptions import Abort

from kb.build import generator
from kb.build.generator import language, page_ref
from kb.build.pipeline import Build, BuildRefused, FinishFailed
from kb.build.preview import PreviewSession
from kb.project.settings import SettingsError
from kb.project.templating import TemplateBytecodeCache

_build: Build | None = None  # the cycle's build; None between cycles (serve reads the data afresh)
_command = "build"
_preview: PreviewSession | None = None  # `serve`: what outlives a rebuild (kb.build.preview)
_templates = TemplateBytecodeCache()  # the theme's templates, compiled once per process (every language, every rebuild)
_gap_template: Any = None  # the theme's gap badge, compiled once per command (the page environment comes later)


def on_startup(command: str, dirty: bool) -> None:
    global _build, _command, _gap_template, _preview
    _build, _command, _gap_template = None, command, None
    _preview = PreviewSession(dirty=dirty) if command == "serve" else None
    if _preview is not None and dirty:  # MkDocs warns that a dirty build leaves pages stale: kb.build.preview does not
        logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())


def _with_template_cache(env: Any) -> Any:
    env.bytecode_cache = _templates  # each language's environment, and each rebuild's, reuses what the first compiled
    return env


@mkdocs.plugins.event_priority(100)  # before the search plugin reads jieba_dict_user
def on_config(config: Any) -> Any:
    global _build
    search = generator.search_plugin(config)
    if _build is None:  # a new cycle: serve keeps plugin objects between rebuilds
        generator.reset_search_entries(config.plugins.get("i18n"), search)
    try:
        _build = _build or Build.prepare(_command, offline=generator.offline_build(config), preview=_preview)
        _build.start_checks()  # as early as can be: they run beside everything the generator does from here
    except SettingsError as exc:
        raise Abort(f"configuration error: {exc}") from None
    except BuildRefused as exc:
        raise Abort(str(exc)) from None
    settings = _build.settings
    if Path(config.docs_dir).resolve() != settings.docs_path.resolve():
        raise Abort(f"configuration error: mkdocs.yml docs_dir ({config.docs_dir}) differs from kb.yml ({settings.docs_dir})")
    if not settings.contributor_links:  # trainees see no repository link and no edit pencil (kb.yml)
        config.repo_url = config.edit_uri = None
    if _build.offline:  # search from file:// needs the iframe-worker shim; Material would load it from unpkg.com
        config.extra["polyfills"] = ["assets/vendor/iframe-worker/shim.js"]
    if search is not None:
        search.config.jieba_dict_user = str(_build.jieba_dictionary())
    return config


def on_pre_build(config: Any) -> None:
    assert _build is not None
    _build.site_names[language(config)] = (config.site_name, config.site_description or "")


@mkdocs.plugins.event_priority(100)  # before mkdocs-static-i18n and the search plugin see the files
def on_files(files: Any, config: Any) -> Any:
    """Files the checks refuse never reach the site or a PDF."""
    assert _build is not None
    _build.plan_rebuild(Path(config.site_dir))  # serve --dirty: what this rebuild renders
    docs = Path(config.docs_dir).resolve()
    for file in list(files):
        # the theme's own files (Material, overrides/) and files made by a plugin are not the project's
        if file.abs_src_path and file.src_dir and Path(file.src_dir).resolve() == docs and _build.refused(file.src_uri):
            files.remove(file)
    return files


def on_env(env: Any, config: Any, files: Any) -> Any:
    _with_template_cache(env)
    if _build is not None and _preview is not None and _preview.dirty:
        generator.titles_of_unrendered(files, config, _build.title_of)
    return env


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    global _gap_template
    assert _build is not None
    if _gap_template is None and "[[gap:" in markdown:
        _gap_template = _with_template_cache(config.theme.get_env()).get_template("partials/kb-gap.html")
    return _build.page_markdown(markdown, page_ref(page, config), lambda text, ui: _gap_template.render(text=text, ui=ui).strip())


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    assert _build is not None
    ref = page_ref(page, config)
    if not getattr(page, "_kb_meta_safe", False):  # Material prints page.title and page.meta's values raw
        _build.theme_meta(ref)
        page.title, page._kb_meta_safe = Build.escaped(page.title), True
    return _build.page_html(html, ref, Path(config.theme.custom_dir))


@mkdocs.plugins.event_priority(0)  # after mkdocs-static-i18n (50) has set the alternates
def on_page_context(context: dict, page: Any, config: Any, nav: Any) -> dict:
    assert _build is not None
    if hasattr(page.file, "locale"):
        languages = [a["lang"] for a in config.extra.get("alternate", [])]
        context["kb"] = _build.page_context(page_ref(page, config), generator.alternates(page), languages)
    return context


@mkdocs.plugins.event_priority(-150)  # after mkdocs-static-i18n (-100) has localised the navigation
def on_nav(nav: Any, config: Any, files: Any) -> Any:
    assert _build is not None
    _build.record_navigation(language(config), generator.nav_pages(nav, config))
    return nav


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    """One bilingual 404 page, from the default language's build."""
    if template_name != "404.html" or _build is None:
        return output_content
    if language(config) == _build.settings.default_language:
        _build.not_found = _build.with_policy(output_content)
    return _build.not_found or output_content


def on_post_page(output: str, page: Any, config: Any) -> str:
    return _build.with_policy(output) if _build is not None else output


@mkdocs.plugins.event_priority(-200)  # after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config: Any) -> None:
    global _build
    if _build is None or not generator.outermost(config):
        return  # a language built from inside mkdocs-static-i18n: the outer build finishes the job
    try:
        _build.finish(Path(config.site_dir), _with_template_cache(config.theme.get_env()), Path(config.theme.custom_dir))
    except FinishFailed as exc:
        raise Abort(str(exc)) from None
    finally:
        _build = None  # `mkdocs serve` rebuilds: the next cycle reads the data files afresh
