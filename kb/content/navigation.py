"""The site's navigation as one typed record: the pages of each language in navigation order, as the
generator's navigation gives them (kb.build.pipeline ``Build.record_navigation``). The manuals print
their chapters in this order, the downloads page plans from it and the offline lists save it.

It lives here, below every package that reads it (build, web, print), so that no dict crosses a
module boundary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True)
class NavEntry:
    """One page in a language's navigation.

    A page missing in one language is built from another language's file (a fallback page):
    *file_lang* then differs from *lang*, and *path* names that file."""

    lang: str            # the language being built, e.g. "en"
    file_lang: str       # the language of the file (a page missing in English is the Chinese file)
    rel: str             # path under the language folder, e.g. "mercury/modules/01-x.md"
    path: str            # repository path of the file, e.g. "docs/zh/mercury/modules/01-x.md"
    url: str             # site-relative URL of the built page, e.g. "en/mercury/modules/01-x/"
    dest: str            # where the generator writes it, e.g. "en/mercury/modules/01-x/index.html"
    title: str | None    # the navigation title (None: the page's own title)
    section: str | None  # the section path above it, e.g. "汞减排（PVC 行业） · 培训模块" (None: top level)


Navigation: TypeAlias = dict[str, list[NavEntry]]
"""Language -> its pages in navigation order."""
