"""Slides per module and language, from the module page the site built (the same Markdown as the
web page, the handout and the manual), and the trainer's notes pages beside them.

What goes on the slides (the author marks it with attr_list on a heading, e.g. `### Heading {#id .slides}`):

- a title slide (module title, programme, partners, edition);
- the learning objectives, the key points and the exercises (questions and options, never answers),
  each whole on a slide of its own;
- each other `##`/`###` section of the content: marked `.slides`, its whole content, cut into more
  slides at each `---` (<hr>); not marked, its first list (or, without a list, its first paragraph),
  and each of its tables and figures on a slide of its own; marked `.no-slides`, nothing;
- never the answers, the sources or footnotes.

Trainer notes (any element of class `trainer`, as `!!! trainer "…"` makes) are taken off the slides
and kept as the speaker notes of the slide of their section, which the notes pages print beside a
thumbnail of every slide (downloads/trainer/slides-notes-<module>-<lang>.pdf).

A slide must fit its 16:9 page at the minimum type size (kb.yml print.slides.min_font_pt): a slide that
runs onto a second page is a finding (`slide-overflow`) naming the module file and the line of the
section's heading. Each slide is a bookmark of the PDF; the pages between one slide's bookmark and the
next say how many pages it took, in a PDF just rendered as in one reused from the cache."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from kb.print.manual.content import (
    ANSWERS_ID,
    EXERCISES_ID,
    ParsedPage,
    classes,
    extract_answers,
    serialize,
    text_of,
)
from kb.project.findings import Finding

SLIDES_CLASS = "slides"        # heading attribute: the section's whole content goes on slides
NO_SLIDES_CLASS = "no-slides"  # heading attribute: the section has no slide
TRAINER_CLASS = "trainer"      # trainer notes (!!! trainer "…"): speaker notes, never on a slide
OBJECTIVES_ID = "objectives"
KEY_POINTS_ID = "key-points"
WHOLE_SECTIONS = frozenset({OBJECTIVES_ID, KEY_POINTS_ID, EXERCISES_ID})  # always printed whole
LEFT_OUT_SECTIONS = frozenset({ANSWERS_ID, "sources"})
LEFT_OUT_CLASSES = frozenset({"footnote", "footnote-ref"})
RULE = "slide-overflow"

# 16:9 page (13.333 × 7.5 in) and its margins (top, right, bottom, left); the footer sits in the bottom margin
SLIDE_MM = (254.0, 142.875)
SLIDE_MARGIN_MM = (11.0, 16.0, 13.0, 16.0)
# the notes pages (A4): each slide as a thumbnail this wide beside its notes
NOTES_THUMB_MM = 92.0


@dataclass
class Slide:
    title: str
    body: Markup
    kind: str                      # title | objectives | key-points | exercises | section | table | figure
    heading_id: str | None = None  # the section's heading on the page (its line is the finding's line)
    notes: list[str] = field(default_factory=list)  # HTML of each trainer note of the section

    @property
    def notes_html(self) -> Markup:
        return Markup("".join(self.notes))


@dataclass
class Deck:
    """One module's slides in one language."""

    path: str          # repository path of the module page
    title: str
    slides: list[Slide]


def slide_outputs(stem: str, lang: str, downloads: Path) -> tuple[Path, Path]:
    """Where a module's deck and its notes pages go (stem: the module's handout name)."""
    return downloads / f"slides-{stem}-{lang}.pdf", downloads / "trainer" / f"slides-notes-{stem}-{lang}.pdf"


# --- from the built page to slides --------------------------------------------------------------------------------
@dataclass
class _Section:
    heading: ET.Element | None
    blocks: list[ET.Element] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        return self.heading.get("id") if self.heading is not None else None

    @property
    def title(self) -> str:
        return text_of(self.heading) if self.heading is not None else ""

    @property
    def marks(self) -> set[str]:
        return classes(self.heading) if self.heading is not None else set()


def _sections(article: ET.Element) -> list[_Section]:
    """The article cut at each h2 and h3: what comes before the first heading has none."""
    found = [_Section(None)]
    for child in article:
        if child.tag in ("h2", "h3"):
            found.append(_Section(child))
        elif child.tag != "h1":
            found[-1].blocks.append(child)
    return found


def _take_notes(blocks: list[ET.Element]) -> tuple[list[ET.Element], list[str]]:
    """The blocks without their trainer notes, and the notes' HTML (their title stays with them)."""
    notes: list[str] = []
    kept: list[ET.Element] = []
    for block in blocks:
        if TRAINER_CLASS in classes(block):
            notes.append(serialize(_plain(copy.deepcopy(block))))
            continue
        for parent in list(block.iter()):
            for child in list(parent):
                if TRAINER_CLASS in classes(child):
                    notes.append(serialize(_plain(copy.deepcopy(child))))
                    parent.remove(child)
        kept.append(block)
    return kept, notes


def _plain(el: ET.Element) -> ET.Element:
    """Slide content stands alone: no ids (a slide is printed twice in the notes pages), no links
    into the site (their text stays), no footnote markers."""
    for parent in list(el.iter()):
        for child in list(parent):
            if classes(child) & LEFT_OUT_CLASSES or (child.tag == "sup" and (child.get("id") or "").startswith("fnref")):
                tail = child.tail
                parent.remove(child)
                if tail:
                    parent.text = (parent.text or "") + tail  # rare: a footnote marker's tail text
    for node in el.iter():
        node.attrib.pop("id", None)
        if node.tag == "a":
            href = node.get("href") or ""
            if not href.startswith(("http://", "https://")):
                node.tag = "span"
                for attr in ("href", "title", "rel", "target", "hreflang"):
                    node.attrib.pop(attr, None)
    return el


def _html(blocks: list[ET.Element]) -> Markup:
    return Markup("".join(serialize(_plain(copy.deepcopy(b))) for b in blocks))


def _is_figure(el: ET.Element) -> bool:
    if el.tag in ("figure", "svg", "img"):
        return True
    return el.tag == "p" and len(el) == 1 and el[0].tag in ("img", "svg") and not (el.text or "").strip()


def _tables_and_figures(blocks: list[ET.Element]) -> list[tuple[str, ET.Element]]:
    found = []
    for block in blocks:
        if block.tag == "table" or (block.tag == "div" and block.find(".//table") is not None
                                    and not classes(block) & {"admonition", "highlight"}):
            found.append(("table", block))
        elif _is_figure(block):
            found.append(("figure", block))
    return found


def _split_at_rules(blocks: list[ET.Element]) -> list[list[ET.Element]]:
    parts: list[list[ET.Element]] = [[]]
    for block in blocks:
        if block.tag == "hr":
            parts.append([])
        else:
            parts[-1].append(block)
    return [p for p in parts if p]


def _section_slides(section: _Section, blocks: list[ET.Element]) -> list[Slide]:
    title, ident = section.title, section.id
    if ident in WHOLE_SECTIONS:
        return [Slide(title, _html(blocks), ident or "section", ident)]
    if SLIDES_CLASS in section.marks:
        parts = _split_at_rules(blocks)
        return [Slide(title if i == 0 else f"{title} ({i + 1})", _html(part), "section", ident)
                for i, part in enumerate(parts)]
    slides = []
    points = next((b for b in blocks if b.tag in ("ul", "ol")), None)
    if points is None:
        points = next((b for b in blocks if b.tag == "p" and not _is_figure(b) and text_of(b)), None)
    if points is not None:
        slides.append(Slide(title, _html([points]), "section", ident))
    for kind, block in _tables_and_figures(blocks):
        slides.append(Slide(title, _html([block]), kind, ident))
    return slides


def deck_of(parsed: ParsedPage, path: str, title: str) -> Deck:
    """The slides of a module page (parsed: kb.print.manual.content.parse_page)."""
    article = copy.deepcopy(parsed.article)
    extract_answers(article)
    slides: list[Slide] = []
    loose_notes: list[str] = []  # notes of a section that has no slide: they go to the slide before
    for section in _sections(article):
        if section.id in LEFT_OUT_SECTIONS or NO_SLIDES_CLASS in section.marks:
            continue
        blocks, notes = _take_notes(section.blocks)
        blocks = [b for b in blocks if not classes(b) & LEFT_OUT_CLASSES]
        made = _section_slides(section, blocks) if section.heading is not None and blocks else []
        if made:
            made[0].notes = loose_notes + notes
            loose_notes = []
            slides.extend(made)
        elif slides:
            slides[-1].notes.extend(notes)
        else:
            loose_notes.extend(notes)
    title_slide = Slide(title, Markup(""), "title", None, loose_notes)
    return Deck(path=path, title=title, slides=[title_slide, *slides])


# --- after the render: which slide took more than its page ----------------------------------------------------------
def slide_pages(pdf: Path) -> list[int] | None:
    """Pages each slide of the deck takes, from its bookmarks (one per slide, in order); None when
    the file cannot be read."""
    try:
        reader = PdfReader(pdf)
        starts = [reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)]
        total = len(reader.pages)
    except (OSError, PdfReadError, KeyError, ValueError):
        return None
    return [(nxt if nxt is not None else total) - start for start, nxt in zip(starts, [*starts[1:], None], strict=True)]


def overflow_findings(deck: Deck, pdf: Path, page: Any, min_pt: float) -> list[Finding]:
    """slide-overflow for each slide of *deck* that runs over its page in *pdf*. *page*: the module's
    kb.content.pages.Page (its headings give the line)."""
    pages = slide_pages(pdf)
    if pages is None or len(pages) != len(deck.slides):
        return []
    lines = {h.id: h.line for h in getattr(page, "headings", []) if h.id}
    found = []
    for slide, count in zip(deck.slides, pages, strict=True):
        if count > 1:
            found.append(Finding(RULE, "overflow", deck.path, lines.get(slide.heading_id, 1),
                                 {"slide": slide.title, "pages": count, "min_pt": f"{min_pt:g}",
                                  "file": pdf.name}))
    return found
