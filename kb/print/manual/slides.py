"""Slides per module and language, from the module page the site built (the same Markdown as the
web page, the handout and the manual), and the trainer's notes pages beside them.

What goes on the slides (the author marks it with attr_list on a heading, e.g. `### Heading {#id .slides}`):

- a title slide (module title, programme, partners, edition);
- the learning objectives, the key points and the exercises (questions and options, never answers),
  whole, with the sections under them;
- each other `##`/`###` section of the content: marked `.slides`, its whole content, cut into more
  slides at each `---` (<hr>) where the author puts one; not marked, its first list (or, without a
  list, its first paragraph), and each of its tables and figures on a slide of its own; marked
  `.no-slides`, nothing;
- never the answers, the sources or footnotes.

What is not cut by the author (the whole sections, the first list of an unmarked section) is cut
between list items and blocks into as many slides as it needs, by an estimate of the lines it takes
at the minimum type size; the layout decides the rest. Trainer notes (any element of class `trainer`,
as `!!! trainer "…"` makes) are taken off the slides and kept as the speaker notes of the first slide
of their section, which the notes pages print beside a thumbnail of every slide
(downloads/trainer/slides-notes-<module>-<lang>.pdf), and which the trainer guide prints the same way in
each module's chapter, in its section "Slides and speaker notes" (laid out, tagged and page-numbered
with the rest of the guide; the slides are drawn into its boxes after the render, as into the notes pages).

A slide must fit its 16:9 page at the minimum type size (kb.yml print.slides.min_font_pt): a slide that
runs onto a second page is a finding (`slide-overflow`) naming the module file and the line of the
section's heading. Each slide is a bookmark of the PDF; the pages between one slide's bookmark and the
next say how many pages it took, in a PDF just rendered as in one reused from the cache."""

from __future__ import annotations

import copy
import io
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from markupsafe import Markup

from kb.print.manual.content import (
    ANSWERS_ID,
    EXERCISES_ID,
    TRAINER_CLASS,
    ParsedPage,
    classes,
    extract_answers,
    serialize,
    text_of,
)
from kb.project.findings import Finding
from kb.project.fsutil import write_atomic

SLIDES_CLASS = "slides"        # heading attribute: the section's whole content goes on slides
NO_SLIDES_CLASS = "no-slides"  # heading attribute: the section has no slide
OBJECTIVES_ID = "objectives"
KEY_POINTS_ID = "key-points"
WHOLE_SECTIONS = frozenset({OBJECTIVES_ID, KEY_POINTS_ID, EXERCISES_ID})  # always printed whole
LEFT_OUT_SECTIONS = frozenset({ANSWERS_ID, "sources"})
LEFT_OUT_CLASSES = frozenset({"footnote", "footnote-ref"})
RULE = "slide-overflow"

# 16:9 page (13.333 × 7.5 in) and its margins (top, right, bottom, left); the footer sits in the bottom margin
SLIDE_MM = (254.0, 142.875)
SLIDE_MARGIN_MM = (11.0, 16.0, 13.0, 16.0)
# the notes pages (A4): each slide as a thumbnail this wide beside its notes, in a box of this id and its number
NOTES_THUMB_MM = 92.0
THUMB_ID = "kb-thumb-"
# the trainer guide: a narrower thumbnail (the guide's text column is narrower), in a box whose id also
# names the module's chapter (a guide holds the slides of many modules)
GUIDE_THUMB_MM = 80.0


def guide_thumb_prefix(anchor: str) -> str:
    """The id of a slide's box in the trainer guide, less the slide's number (*anchor*: the module's chapter)."""
    return f"{THUMB_ID}{anchor}-"


@dataclass(frozen=True)
class Thumbnails:
    """A deck whose slides are drawn into a PDF after its render: slide n into the box of id prefix + n."""

    deck: Path
    prefix: str = THUMB_ID
    width_mm: float = NOTES_THUMB_MM


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


# How much a slide holds, estimated from the type: a line of the body is CONTENT_EM wide (the page less its
# margins, in em of the minimum size), a Chinese character is 1 em, another about LATIN_EM; the body
# holds the lines of its height under the title, less a little for the space between items.
PT_PER_MM = 72 / 25.4
LATIN_EM = 0.55
LINE_HEIGHT = 1.35
TITLE_EM = 2.8          # the slide's title, its rule and the space under it
ITEM_GAP_LINES = 0.4    # the space between two list items or blocks, in lines
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")


@dataclass(frozen=True)
class Room:
    """What one slide holds at the minimum type size: the width of a line and the lines of the body (in em)."""

    line_em: float
    lines: float

    @classmethod
    def at(cls, min_pt: float) -> Room:
        width = (SLIDE_MM[0] - SLIDE_MARGIN_MM[1] - SLIDE_MARGIN_MM[3]) * PT_PER_MM / min_pt
        height = (SLIDE_MM[1] - SLIDE_MARGIN_MM[0] - SLIDE_MARGIN_MM[2]) * PT_PER_MM / min_pt
        return cls(width, (height - TITLE_EM) / LINE_HEIGHT)


def _text_lines(text: str, width_em: float) -> float:
    if not text:
        return 0.0
    wide = len(_WIDE.findall(text))
    return max(1, math.ceil((wide + (len(text) - wide) * LATIN_EM) / width_em))


def _own_text(el: ET.Element) -> str:
    """The text of an element without its nested lists (they are counted as items of their own)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag not in ("ul", "ol"):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _lines(el: ET.Element, room: Room, indent: int = 0) -> float:
    """Estimated lines *el* takes on a slide."""
    width = room.line_em - 1.3 * indent
    if el.tag in ("ul", "ol"):
        return sum(_lines(li, room, indent + 1) + ITEM_GAP_LINES for li in el.findall("li"))
    nested = [child for child in el if child.tag in ("ul", "ol")]
    return _text_lines(_own_text(el), width) + sum(_lines(n, room, indent) for n in nested)


def _list_part(lst: ET.Element, items: list[ET.Element], first: int) -> ET.Element:
    """A copy of the list *lst* with only *items*; a numbered list goes on counting from *first*."""
    part = ET.Element(lst.tag, dict(lst.attrib))
    part.text = lst.text
    if lst.tag == "ol" and first > 1:
        part.set("start", str(int(lst.get("start") or 1) + first - 1))
    part.extend(items)
    return part


def _pack(blocks: list[ET.Element], room: Room) -> list[list[ET.Element]]:
    """The blocks in slides that each hold no more than the room's lines (estimated), a list cut between
    its items; a block or item longer than a slide gets a slide of its own (the layout then reports it)."""
    slides: list[list[ET.Element]] = [[]]
    used = 0.0

    def put(el: ET.Element, lines: float) -> None:
        nonlocal used
        if slides[-1] and used + lines > room.lines:
            slides.append([])
            used = 0.0
        slides[-1].append(el)
        used += lines + ITEM_GAP_LINES

    for block in blocks:
        lines = _lines(block, room)
        if block.tag not in ("ul", "ol") or used + lines <= room.lines:
            put(block, lines)
            continue
        items = block.findall("li")
        taken = 0
        while taken < len(items):
            free = room.lines - used
            count = 0
            need = 0.0
            for li in items[taken:]:
                more = _lines(li, room, 1) + ITEM_GAP_LINES
                if count and need + more > free:
                    break
                need += more
                count += 1
            if need > free and slides[-1]:  # not even one item fits under what is there: a new slide
                slides.append([])
                used = 0.0
                continue
            slides[-1].append(_list_part(block, items[taken:taken + count], taken + 1))
            used += need
            taken += count
            if taken < len(items):
                slides.append([])
                used = 0.0
    return [s for s in slides if s]


def _numbered(title: str, parts: list[list[ET.Element]], kind: str, ident: str | None) -> list[Slide]:
    return [Slide(title if i == 0 else f"{title} ({i + 1})", _html(part), kind, ident) for i, part in enumerate(parts)]


def _section_slides(section: _Section, blocks: list[ET.Element], whole: str | None, room: Room) -> list[Slide]:
    """*whole*: the id of the objectives, key points or exercises section this one is (or is under)."""
    title, ident = section.title, section.id
    if whole is not None:
        return _numbered(title, _pack(blocks, room), whole, ident)
    if SLIDES_CLASS in section.marks:
        return _numbered(title, _split_at_rules(blocks), "section", ident)
    points = next((b for b in blocks if b.tag in ("ul", "ol")), None)
    if points is None:
        points = next((b for b in blocks if b.tag == "p" and not _is_figure(b) and text_of(b)), None)
    slides = _numbered(title, _pack([points], room), "section", ident) if points is not None else []
    for kind, block in _tables_and_figures(blocks):
        slides.append(Slide(title, _html([block]), kind, ident))
    return slides


def deck_of(parsed: ParsedPage, path: str, title: str, min_pt: float) -> Deck:
    """The slides of a module page (parsed: kb.print.manual.content.parse_page) at the minimum type size."""
    article = copy.deepcopy(parsed.article)
    extract_answers(article)
    room = Room.at(min_pt)
    slides: list[Slide] = []
    loose_notes: list[str] = []  # notes of a section that has no slide: they go to the slide before
    parent: _Section | None = None  # the h2 section a h3 is under
    for section in _sections(article):
        if section.heading is not None and section.heading.tag == "h2":
            parent = section
        under = parent if section.heading is not None and section.heading.tag == "h3" else None
        ids = {section.id, under.id if under is not None else None}
        marks = section.marks | (under.marks if under is not None else set())
        if ids & LEFT_OUT_SECTIONS or NO_SLIDES_CLASS in marks:
            continue
        whole = next((i for i in (section.id, under.id if under is not None else None) if i in WHOLE_SECTIONS), None)
        blocks, notes = _take_notes(section.blocks)
        blocks = [b for b in blocks if not classes(b) & LEFT_OUT_CLASSES]
        made = _section_slides(section, blocks, whole, room) if section.heading is not None and blocks else []
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
    from pypdf import PdfReader  # loaded when slides are made, not by every build (ADR 0018)
    from pypdf.errors import PdfReadError

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
    for number, (slide, count) in enumerate(zip(deck.slides, pages, strict=True), 1):
        if count > 1:
            found.append(Finding(RULE, "overflow", deck.path, lines.get(slide.heading_id, 1),
                                 {"slide": slide.title, "number": number, "pages": count, "min_pt": f"{min_pt:g}",
                                  "file": pdf.name}))
    return found


# --- the notes pages: each slide's first page drawn into its box ------------------------------------------------------
class ThumbnailError(Exception):
    """The notes pages and their deck do not match (a box or a slide missing)."""


def _slide_starts(deck: pikepdf.Pdf) -> list[int]:
    """The page index each slide of the deck starts on (its bookmark)."""
    starts = []
    with deck.open_outline() as outline:
        for item in outline.root:
            dest = item.destination
            if dest is None and item.action is not None:
                dest = item.action.get("/D")
            if dest is None:
                raise ThumbnailError(f"bookmark {item.title!r} leads nowhere")
            starts.append(pikepdf.Page(dest[0]).index)
    return starts


def _boxes(notes: pikepdf.Pdf) -> dict[str, tuple[int, float, float]]:
    """Every named destination of the notes pages: name -> (page index, left, top) in PDF points."""
    names = notes.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    found = {}
    for name, dest in pikepdf.NameTree(names.Dests).items():
        dest = dest.get("/D", dest) if isinstance(dest, pikepdf.Dictionary) else dest
        found[str(name)] = (pikepdf.Page(dest[0]).index, float(dest[2]), float(dest[3]))
    return found


def _retag_fonts(xobject: pikepdf.Object, seen: set[tuple[int, int]]) -> None:
    """The deck's font subsets get subset tags of their own: WeasyPrint names the notes pages' subsets
    of the same face alike, and two different fonts of one name in a PDF confuse the tools that read it."""
    stack = [xobject.get("/Resources")]
    while stack:
        resources = stack.pop()
        if resources is None:
            continue
        for font in (resources.get("/Font") or {}).values():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            for part in [font, *(font.get("/DescendantFonts") or [])]:
                for holder, key in ((part, "/BaseFont"), (part.get("/FontDescriptor"), "/FontName")):
                    name = str(holder.get(key, "")) if holder is not None else ""
                    tag, plus, face = name.lstrip("/").partition("+")
                    if plus and len(tag) == 6:
                        holder[key] = pikepdf.Name("/" + "".join(chr(65 + (ord(c) - 65 + 13) % 26) for c in tag) + "+" + face)
        for inner in (resources.get("/XObject") or {}).values():
            stack.append(inner.get("/Resources"))


def _draw_as_artifact(page: pikepdf.Page, xobject: pikepdf.Object, rect: pikepdf.Rectangle, first: bool) -> None:
    """Draw *xobject* into *rect* of *page*, marked as an artifact: the slide's number, title and notes
    are the tagged text beside it, and the slide's own marked content belongs to the deck's tags.
    *first*: the first drawing on this page, which puts the page's own content in a q/Q pair (it leaves
    its coordinates flipped: WeasyPrint draws top down)."""
    if first:
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(b"\nQ\n", prepend=False)
    name = page.add_resource(xobject, pikepdf.Name.XObject, prefix="KbSlide")
    placed = page.calc_form_xobject_placement(xobject, name, rect, allow_shrink=True, allow_expand=True)
    page.contents_add(b"/Artifact BMC q " + placed + b" Q EMC\n", prepend=False)


def draw_thumbnails(target_pdf: Path, sources: list[Thumbnails]) -> int:
    """Draw the first page of each slide of each source deck into its box on *target_pdf* (the box with
    the source's id prefix + the slide's number, as wide as the source says and as high as the slide
    scaled alike), as vector graphics: the thumbnail is the slide itself, its fonts embedded. Returns
    the thumbnails drawn; raises ThumbnailError, with *target_pdf* unchanged, when a slide has no box."""
    drawn = 0
    with pikepdf.open(target_pdf) as target:
        boxes = _boxes(target)
        retagged: set[tuple[int, int]] = set()
        drawn_on: set[int] = set()  # pages drawn on
        for source in sources:
            width = source.width_mm * PT_PER_MM
            height = width * SLIDE_MM[1] / SLIDE_MM[0]
            with pikepdf.open(source.deck) as deck:
                for number, start in enumerate(_slide_starts(deck), 1):
                    box = boxes.get(f"{source.prefix}{number}")
                    if box is None:
                        raise ThumbnailError(f"{target_pdf.name} has no box for slide {number} of {source.deck.name}")
                    index, left, top = box
                    slide = target.copy_foreign(deck.pages[start].as_form_xobject())
                    _retag_fonts(slide, retagged)
                    _draw_as_artifact(pikepdf.Page(target.pages[index]), slide,
                                      pikepdf.Rectangle(left, top - height, left + width, top), index not in drawn_on)
                    drawn_on.add(index)
                    drawn += 1
        out = io.BytesIO()
        target.save(out)
    write_atomic(target_pdf, out.getvalue())
    return drawn
