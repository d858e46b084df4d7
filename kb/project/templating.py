"""A Jinja environment over overrides/ that escapes every value (autoescape), for the HTML and SVG
the kb package renders itself: the video player and transcript, figures, forms and event reports.
(MkDocs's theme environment does not autoescape; these templates print untrusted page data.)"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2


@lru_cache(maxsize=8)
def environment(overrides: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(overrides)),
        autoescape=True,  # .html and .svg alike
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(overrides: Path, name: str, **context: object) -> str:
    return environment(Path(overrides).resolve()).get_template(name).render(**context)
