"""The author's preview (`./scripts/serve`): what one serve session keeps from one rebuild to the next,
so that saving a page rebuilds that page and its translation, not the site (ADR 0019).

MkDocs' `serve --dirty` renders only the pages whose Markdown is newer than their HTML. That alone
leaves the rest stale in four ways, each handled here or in the hook:
- a change to anything but a page's body (front matter: titles, order, lesson minutes; a page added or
  removed; data/, kb.yml, mkdocs.yml, overrides/, a file under docs/ other than a page) can change every
  page: the rebuild is full (`Rebuild.full`);
- a page's translation shows whether it follows its source: the pair's other page is rebuilt too, and
  so are the pages made from every page's state (status, downloads);
- pages not rendered have no title for the navigation: the hook gives them theirs (`titles`);
- the search index, the review views and the offline lists are made from the pages rendered: the
  session keeps the last HTML of every page (`html`) and the search index keeps the entries of the
  pages not rendered (kb.web.search).
The state lives in the serve process only: nothing is written to the project."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kb.checks.report import CheckMemo
from kb.content.pages import Page
from kb.project.settings import Settings
from kb.web.site import page_url_for


@dataclass(frozen=True)
class Rebuild:
    """What one rebuild renders: every page (*full*), or the pages MkDocs finds newer plus *stale*
    (site-relative HTML files to render again although their Markdown did not change)."""

    full: bool
    stale: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()  # pages whose body changed since the last rebuild (repository paths)


@dataclass
class PreviewSession:
    """One `serve` process: the state that outlives a rebuild."""

    dirty: bool  # rendering only what changed (serve --dirty); False: every rebuild renders every page
    checks: CheckMemo = field(default_factory=CheckMemo)  # unchanged pages are not checked again
    html: dict[str, str] = field(default_factory=dict)  # repository path -> body HTML, as last rendered
    dot_pages: dict[str, list[str]] = field(default_factory=dict)  # page dest -> figure files (offline lists)
    _structure: str | None = None
    _bodies: dict[str, str] = field(default_factory=dict)  # repository path -> digest of the body

    def plan(self, settings: Settings, pages: Mapping[str, Page], structure: str) -> Rebuild:
        """Compare the project with the last rebuild's: full when anything but a page body changed
        (*structure*: kb.content.structure.structure_digest of this rebuild, which its checks computed)."""
        bodies = {path: _digest(page.body) for path, page in pages.items()}
        full = not self.dirty or structure != self._structure
        changed = tuple(sorted(p for p, d in bodies.items() if self._bodies.get(p) != d))
        self._structure, self._bodies = structure, bodies
        if full:
            return Rebuild(full=True, changed=changed)
        # the changed pages and their translations, and the pages made from every page's state (status, downloads)
        again = [pages[path] for path in changed] + [page for page in pages.values() if _generated(page)]
        stale = sorted({html_file(page.rel, lang, settings.default_language) for page in again for lang in settings.languages})
        return Rebuild(full=False, stale=tuple(stale), changed=changed)

    def keep(self, html: Mapping[str, str], dot_pages: Mapping[str, list[str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
        """This rebuild's rendered pages over the last ones: every page's HTML, as a full build has it."""
        self.html = {**self.html, **html}
        self.dot_pages = {**self.dot_pages, **dot_pages}
        return self.html, self.dot_pages


def _generated(page: Page) -> bool:
    """A page whose template shows the build's data (the status and downloads pages), not its own text."""
    template = page.meta.get("template")
    return isinstance(template, str) and template not in ("", "main.html")


def html_file(rel: str, lang: str, default_language: str) -> str:
    """The site-relative HTML file of a page (directory URLs)."""
    return page_url_for(rel, lang, default_language) + "index.html"


def mark_stale(site_dir: Path, files: Iterable[str]) -> None:
    """Make MkDocs' dirty build render these pages again: their HTML is dated older than any source
    (MkDocs compares modification times); a missing one is built anyway."""
    for name in files:
        path = site_dir / name
        if path.is_file() and not path.is_symlink():
            os.utime(path, (0, 0))


def mark_all_stale(site_dir: Path) -> None:
    """A full rebuild in a dirty session: every page's HTML dated old (kept in place, so a browser
    reloading meanwhile still gets a page)."""
    mark_stale(site_dir, (path.relative_to(site_dir).as_posix() for path in site_dir.rglob("index.html")))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
