"""What only trainers read on a page: a module's answers section ({#answers}) and the trainer notes
(admonitions of class ``trainer``). Kept out of the search index (Material's search plugin leaves out
a heading's section, or a block, marked ``data-search-exclude``) and out of the offline copy, which
trainees take home: there the answers section keeps its heading (the page's contents link to it) and
says where the answers are, and the trainer notes are left out. Works on the sanitised HTML."""

from __future__ import annotations

import re

from markupsafe import escape

from kb.content.knowledge import ANSWERS_ID

HEADING_RE = re.compile(r"<h([1-6])\b([^>]*)>")
ANSWERS_RE = re.compile(r"<h([1-6])\b[^>]*\bid=\"" + ANSWERS_ID + r"\"[^>]*>.*?</h\1>", re.DOTALL)
TRAINER_RE = re.compile(r"<(div|details)\b[^>]*\bclass=\"(?:[^\"]*\s)?trainer(?:\s[^\"]*)?\"[^>]*>")
EXCLUDE = " data-search-exclude"


def _answers_span(html: str) -> tuple[int, int, int] | None:
    """(start of the answers heading, end of that heading, end of its section) or None."""
    m = ANSWERS_RE.search(html)
    if m is None:
        return None
    level = int(m.group(1))
    for later in HEADING_RE.finditer(html, m.end()):
        if int(later.group(1)) <= level:
            return m.start(), m.end(), later.start()
    return m.start(), m.end(), len(html)


def _element_end(html: str, start: int, tag: str) -> int:
    """The end of the element whose opening tag starts at *start* (nested elements of the same tag
    counted); the end of the HTML when it is not closed."""
    depth = 0
    for m in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return start + m.end()
    return len(html)


def _trainer_blocks(html: str) -> list[tuple[int, int, int]]:
    """(start, end of the opening tag, end) of each outermost trainer note."""
    out: list[tuple[int, int, int]] = []
    for m in TRAINER_RE.finditer(html):
        if out and m.start() < out[-1][2]:
            continue  # inside the previous one
        out.append((m.start(), m.end(), _element_end(html, m.start(), m.group(1))))
    return out


def keep_from_search(html: str) -> str:
    """*html* with the answers section's headings marked data-search-exclude."""
    inserts: list[int] = []  # positions just before the '>' of an opening tag
    span = _answers_span(html)
    if span is not None:
        start, _, end = span
        inserts += [m.end() - 1 for m in HEADING_RE.finditer(html, start, end)]
    # the trainer notes are marked where they are folded (kb.web.trainer_notes)
    for at in sorted(set(inserts), reverse=True):
        html = html[:at] + EXCLUDE + html[at:]
    return html


def for_trainees(html: str, answers_note: str) -> str:
    """*html* as the offline copy gives it: trainer notes left out, the answers section's content
    replaced by *answers_note* (its heading kept)."""
    for start, _, end in reversed(_trainer_blocks(html)):
        html = html[:start] + html[end:]
    span = _answers_span(html)
    if span is not None:
        _, heading_end, end = span
        html = f'{html[:heading_end]}\n<p class="kb-answers-note">{escape(answers_note)}</p>\n{html[end:]}'
    return html
