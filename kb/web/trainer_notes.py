"""Trainer notes on the website: folded, labelled, and never in the search index.

Authors write a trainer note as an admonition of type ``trainer`` (``!!! trainer "培训师提示"``) or as
collapsible details (``??? trainer "Trainer notes"``, ``???+ trainer``). Whatever they wrote, the page
shows it as a closed ``<details class="admonition trainer">`` labelled in the page's language
(data/ui.yml ``trainer_notes``): a trainee reading the module sees a folded line, a trainer opens it.
The element carries ``data-search-exclude``, which Material's search plugin skips (and then removes
from the page), so trainees never find a trainer note in search.

Pure function on the sanitised body HTML (kb.content.safety.sanitise runs first); everything outside
the notes is kept byte for byte."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

TRAINER_CLASS = "trainer"
# Material's search plugin skips an element with this attribute and strips it from the page afterwards
# (its pattern wants a non-empty value).
SEARCH_EXCLUDE = 'data-search-exclude="trainer"'


@dataclass(frozen=True)
class _Tag:
    kind: str  # start | end | startend
    tag: str
    classes: frozenset[str]
    start: int
    end: int


class _Tags(HTMLParser):
    """The offsets of every tag of a fragment; nothing is re-serialised."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.tags: list[_Tag] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _start(self, kind: str, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        raw = self.get_starttag_text() or ""
        names = next((value or "" for name, value in attrs if name == "class"), "")
        self.tags.append(_Tag(kind, tag, frozenset(names.split()), start, start + len(raw)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start("start", tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start("startend", tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        start = self._offset()
        close = self.source.find(">", start)
        self.tags.append(_Tag("end", tag, frozenset(), start, (close + 1) if close >= 0 else len(self.source)))


def _closing(tags: list[_Tag], index: int) -> int | None:
    """The index of the end tag that closes the start tag at *index* (same name, nesting counted)."""
    depth = 0
    name = tags[index].tag
    for i in range(index, len(tags)):
        tag = tags[i]
        if tag.tag != name or tag.kind == "startend":
            continue
        depth += 1 if tag.kind == "start" else -1
        if depth == 0:
            return i
    return None


def _is_note(tag: _Tag) -> bool:
    return tag.kind == "start" and TRAINER_CLASS in tag.classes and (
        tag.tag == "details" or (tag.tag == "div" and "admonition" in tag.classes))


def _is_title(tag: _Tag, note: _Tag) -> bool:
    if note.tag == "details":
        return tag.kind == "start" and tag.tag == "summary"
    return tag.kind == "start" and tag.tag == "p" and "admonition-title" in tag.classes


@dataclass(frozen=True)
class Note:
    start: int  # offsets of the whole note in the fragment
    end: int
    body: str  # its content without the author's title


def find_notes(html: str) -> list[Note]:
    """The trainer notes of *html*, outermost only, in order."""
    parser = _Tags(html)
    parser.feed(html)
    parser.close()
    tags = parser.tags
    notes: list[Note] = []
    i = 0
    while i < len(tags):
        if not _is_note(tags[i]):
            i += 1
            continue
        close = _closing(tags, i)
        if close is None:  # unbalanced: the sanitiser balances tags, so this is not expected; left as it is
            i += 1
            continue
        body_start = tags[i].end
        first = next((j for j in range(i + 1, close) if tags[j].kind != "end"), None)
        if first is not None and _is_title(tags[first], tags[i]):
            title_close = _closing(tags, first)
            if title_close is not None and title_close < close:
                body_start = tags[title_close].end
        notes.append(Note(tags[i].start, tags[close].end, html[body_start:tags[close].start]))
        i = close + 1
    return notes


def fold_trainer_notes(html: str, label: str) -> str:
    """*html* with every trainer note folded (closed details), labelled *label*, kept out of search."""
    if TRAINER_CLASS not in html:
        return html
    notes = find_notes(html)
    if not notes:
        return html
    out: list[str] = []
    pos = 0
    for note in notes:
        out.append(html[pos:note.start])
        out.append(f'<details class="admonition {TRAINER_CLASS}" {SEARCH_EXCLUDE}><summary>{escape(label)}</summary>'
                   f"{note.body}</details>")
        pos = note.end
    out.append(html[pos:])
    return "".join(out)

