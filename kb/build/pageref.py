"""What the pipeline knows of a page the generator renders, in plain values: the generator's objects
are read into these by kb.build.generator, and kb.build.pipeline takes nothing else."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PageRef:
    """What the pipeline needs to know of a page the generator renders, in plain values."""

    rel: str          # path under the language folder, e.g. mercury/modules/01-x.md
    file_lang: str    # the language of the file (a page missing in English is the Chinese file)
    lang: str         # the language being built
    dest_uri: str     # where the generator writes it, e.g. en/mercury/index.html
    meta: dict[str, Any]

    @property
    def page_dir(self) -> str:
        return posixpath.dirname(self.dest_uri)


@dataclass(frozen=True)
class NavPage:
    """A page in the generator's navigation, in order, with the titles of the sections above it."""

    page: PageRef
    url: str
    title: str | None
    sections: tuple[str, ...]
