"""Which site generator runs the build: MkDocs 1.6 today, or ProperDocs, its maintained 1.x fork.

Material for MkDocs reaches end of life on 2027-05-05 and MkDocs 1.x has had no release since 2024.
ProperDocs builds this project unchanged (it aliases ``mkdocs.*`` imports, so the theme, the i18n
plugin and our hooks load as they are). Every command that starts a build (the CLI, the tests, the
benchmarks) asks this module, so moving means changing ``DEFAULT`` and the lock, and CI already
builds and tests with the other one (``./scripts/test --properdocs``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from typing import Any

from kb.build.pageref import NavPage, PageRef

ENV_GENERATOR = "KB_GENERATOR"  # mkdocs | properdocs
GENERATORS = ("mkdocs", "properdocs")
DEFAULT = "mkdocs"


class GeneratorError(Exception):
    """The generator named in KB_GENERATOR is unknown or not installed."""


def name(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    env = os.environ if environ is None else environ
    value = (env.get(ENV_GENERATOR) or DEFAULT).strip().lower()
    if value not in GENERATORS:
        raise GeneratorError(f"{ENV_GENERATOR}={value!r}: use one of {', '.join(GENERATORS)}")
    if importlib.util.find_spec(value) is None:
        raise GeneratorError(f"{ENV_GENERATOR}={value}: the package is not installed in this environment "
                             f"(it is pinned in requirements.txt; run ./scripts/test or ./scripts/build once)")
    return value


def command(*args: str, environ: dict[str, str] | None = None) -> list[str]:
    """The command line that runs the generator with *args* (``build``, ``serve``…)."""
    return [sys.executable, "-m", name(environ), *args]


def reset_search_entries(i18n: Any, search: Any) -> None:
    """`serve` keeps the plugin objects from one rebuild to the next. mkdocs-static-i18n 1.3 collects
    the search entries on its own (the index doubled and its quadratic de-duplication slowed every
    rebuild), and Material's search merges a dirty rebuild's entries as if it rendered one page of one
    language: each rebuild starts empty, and kb.web.search keeps the entries of pages not rendered."""
    if isinstance(getattr(i18n, "search_entries", None), list):
        i18n.search_entries.clear()
    if getattr(search, "search_index_prev", None) is not None:
        search.search_index_prev = None


# --- the generator's objects read into plain values (duck-typed: MkDocs, ProperDocs) ---------------------------
def language(config: Any) -> str:
    """The language being built: mkdocs-static-i18n's current one, else the theme's."""
    i18n = config.plugins.get("i18n")
    return getattr(i18n, "current_language", None) or config.theme.get("language") or "zh"


def outermost(config: Any) -> bool:
    """Not a language built inside mkdocs-static-i18n's on_post_build (that one finishes the build)."""
    i18n = config.plugins.get("i18n")
    return i18n is None or not getattr(i18n, "building", False)


def search_plugin(config: Any) -> Any:
    return config.plugins.get("material/search") or config.plugins.get("search")


def offline_build(config: Any) -> bool:
    """Material's offline plugin is on: the pages are read from file://."""
    offline = config.plugins.get("material/offline") or config.plugins.get("offline")
    return offline is not None and bool(offline.config.enabled)


def page_ref(page: Any, config: Any) -> PageRef:
    file = page.file
    return PageRef(rel=getattr(file, "norm_src_uri", file.src_uri), file_lang=getattr(file, "locale", language(config)),
                   lang=language(config), dest_uri=file.dest_uri, meta=page.meta)


def alternates(page: Any) -> dict[str, str]:
    """Language -> URL of this page in that language (mkdocs-static-i18n's alternates)."""
    return {lang: f.url for lang, f in getattr(page.file, "alternates", {}).items()}


def nav_pages(nav: Any, config: Any) -> list[NavPage]:
    """The navigation's pages in order, each with the titles of the sections above it."""
    pages = []
    for page in nav.pages:
        ancestors, parent = [], page.parent
        while parent is not None:
            ancestors.insert(0, parent.title)
            parent = parent.parent
        pages.append(NavPage(page_ref(page, config), page.file.url, page.title, tuple(ancestors)))
    return pages


def titles_of_unrendered(files: Any, config: Any, title_of: Callable[[PageRef], str | None]) -> None:
    """`serve --dirty`: MkDocs does not read the pages a rebuild leaves alone, so the navigation would
    show their file names; each gets its front matter's title (*title_of*) and an empty body."""
    for file in files.documentation_pages():
        page = file.page
        if page is not None and page.markdown is None:
            title = title_of(page_ref(page, config))
            page.markdown, page.meta = "", ({"title": title} if title else {})
