"""A Jinja environment over overrides/ that escapes every value (autoescape), for the HTML and SVG
the kb package renders itself: the video player and transcript, figures, forms and event reports.
(MkDocs's theme environment does not autoescape; these templates print untrusted page data.)"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache
from markupsafe import Markup, escape

# {name}, or {name:02d}: the only format specs interface strings need (a zero-padded month); a spec that
# could ask for a huge width or reach into an attribute is not one of these, and stays as written
PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{(\w+)(?::(0?[1-9]?[dfs]))?\}")  # {{ and }} are braces, as in str.format


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
    """An interface string (data/ui.yml) with each ``{name}`` (or ``{name:02d}``) of *values* put in;
    any other brace is left as written. Not str.format: a string from a pull request could name a
    field that is not given (the build would stop), reach into an attribute (``{date.__class__}``) or
    ask for a huge width. Escaped text (Markup) gets escaped values."""
    def value(m: re.Match[str]) -> str:
        if m.group(1) is None:  # a doubled brace
            return m.group(0)[0]
        if m.group(1) not in values:
            return m.group(0)
        try:
            shown = format(values[m.group(1)], m.group(2) or "")
        except (ValueError, TypeError):
            shown = str(values[m.group(1)])
        return str(escape(shown)) if isinstance(text, Markup) else shown

    filled = PLACEHOLDER_RE.sub(value, str(text))
    return Markup(filled) if isinstance(text, Markup) else filled


class UiText(str):
    """An interface string of data/ui.yml. Its ``format`` is ``fill``: the templates and the code call
    ``ui.x.format(org=...)`` as on any string, and a string a pull request changed cannot stop the
    build (an unknown ``{field}`` stays as written) or reach past its values."""

    __slots__ = ()

    def format(self, *args: object, **values: object) -> str:  # type: ignore[override]
        return fill(str(self), **values)


class TemplateBytecodeCache(BytecodeCache):
    """Compiled theme templates kept in memory for one process: MkDocs makes a new Jinja environment for
    each language of a build (mkdocs-static-i18n) and for each rebuild of `serve`, and compiled
    Material's templates anew in each (about 0.4 s a language, a second a rebuild). Keyed by Jinja by
    template name and source checksum, so an edited template is compiled again. Only for
    environments configured alike (the theme's). In memory only: bytecode read from a file a pull
    request could place would run as code."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
