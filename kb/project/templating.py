"""A Jinja environment over overrides/ that escapes every value (autoescape), for the HTML and SVG
the kb package renders itself: the video player and transcript, figures, forms and event reports.
(MkDocs's theme environment does not autoescape; these templates print untrusted page data.)"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


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


def fill(text: str, /, **values: object) -> str:
    """An interface string (data/ui.yml) with each ``{name}`` of *values* put in; any other brace is
    left as written. Not str.format: a string from a pull request could name a field that is not
    given (the build would stop) or reach into an attribute (``{date.__class__}``). Escaped text
    (Markup) gets escaped values."""
    if isinstance(text, Markup):
        return Markup(PLACEHOLDER_RE.sub(lambda m: str(escape(values[m.group(1)])) if m.group(1) in values else m.group(0), text))
    return PLACEHOLDER_RE.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), str(text))
