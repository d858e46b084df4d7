"""The figure rule: each ```dot block of a page (kb.content.dotfigures) can be drawn, safely and within
the limits, and says what it shows (a caption) and, when it carries numbers, where they come from.
Reported at the fence's line; the build still builds the page (with a note in place of the figure)."""

from __future__ import annotations

import re

from kb.checks import Context, Scope, finding, rule
from kb.content.dotfigures import DotFigure, DotRenderer, dot_figures
from kb.content.pages import Page
from kb.project.findings import Finding

DIGIT_RE = re.compile(r"[0-9]")
LABEL_RE = re.compile(r'label\s*=\s*"((?:[^"\\]|\\.)*)"')


def renderer(ctx: Context) -> DotRenderer:
    s = ctx.data.settings
    return ctx.data.memo(("dot-renderer",), lambda: DotRenderer.for_project(s.root, ctx.data.limits, s.check_cache))


def _carries_numbers(figure: DotFigure) -> bool:
    return any(DIGIT_RE.search(label) for label in LABEL_RE.findall(figure.source))


@rule(Scope.PAGE)
def check_figures(page: Page, ctx: Context) -> list[Finding]:
    if page.text is None or "dot" not in page.body:
        return []
    out: list[Finding] = []
    for figure in dot_figures(page.body, page.body_start):
        drawn = renderer(ctx).draw(figure.source)
        if drawn.problem is not None:
            params = dict(drawn.problem.params)
            if "dot_line" in params:
                params["file_line"] = figure.line + int(params["dot_line"])
            out.append(finding("figure", drawn.problem.code, page, figure.line, **params))
        if not figure.caption.strip():
            out.append(finding("figure", "no-caption", page, figure.line))
        if _carries_numbers(figure) and not figure.credit.strip():
            out.append(finding("figure", "numbers-without-source", page, figure.line))
    return out
