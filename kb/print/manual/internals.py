"""Every use of WeasyPrint's and pydyf's internals, in one module.

The rest of the PDF step uses only their public API: ``weasyprint.HTML``, ``CSS``, ``Document`` and
``Page`` with their documented attributes (``pages``, ``metadata``, ``anchors``, ``links``,
``bookmarks``, ``width``, ``height``), ``write_pdf`` with a ``finisher``, ``weasyprint.urls.URLFetcher``
and ``weasyprint.__version__``. What needs more is here: the laid-out box tree (page-number slots,
lines of a page), Pango shaping, the drawing and font-writing functions the manual-in-parts path
wraps while a part is written, the bookmark tree, and two fixes around ``write_pdf``. A WeasyPrint or
pydyf release that changes them breaks this module only; the ``weasyprint-newest`` CI job runs the PDF
tests against the newest releases (docs/adr/0007-pdf-own-weasyprint-step.md).

The two fixes around ``write_pdf``, each measured in docs/adr/archive/architecture-notes-2026-12.md
("Writing the PDF"):

1. Time. pydyf's ``PDF.page_references`` builds the tuple of every page's reference each time it is
read, and WeasyPrint's PDF/UA tagging reads it once per structure element (``weasyprint/pdf/tags.py``:
``'Pg': pdf.page_references[page_number]``), ~140 per page of a manual: pages² steps, 10 million at
268 pages, 160 million at 1,065. Writing 534 pages took 61.3 s with it, 37.0 s without. pydyf 0.13.0,
the newest release, does not cache it. The tuple is kept while the page tree's list of kids is
unchanged: pages are only added, by ``PDF.add_page``, which extends that list, so its length and
last entry tell a changed tree.

2. Memory. An SVG image keeps WeasyPrint's layout context (it draws its text and images with it), and
the context keeps the style resolver with the computed style of every element and pseudo-element
of the document (~100,000 at 268 pages), the target collector and the page maker's states, none of
which drawing needs. ``release_layout_state`` drops them once the document is laid out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pydyf
import weasyprint.draw as wdraw
import weasyprint.pdf as wpdf
from weasyprint.anchors import gather_anchors, make_page_bookmark_tree
from weasyprint.formatting_structure.boxes import InlineBox, LineBox, MarginBox, TextBox
from weasyprint.images import SVGImage
from weasyprint.matrix import Matrix
from weasyprint.text import ffi as text_ffi
from weasyprint.text.ffi import FROM_UNITS, ffi, pango
from weasyprint.text.line_break import Layout

_CACHE_ATTR = "_kb_page_references"


def _cached_page_references(pdf: Any) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    key = (id(kids), len(kids), kids[-3] if kids else None)
    cached = pdf.__dict__.get(_CACHE_ATTR)
    if cached is not None and cached[0] == key:
        return cached[1]
    references = _released.fget(pdf)
    pdf.__dict__[_CACHE_ATTR] = (key, references)
    return references


_released: property | None = None  # pydyf's own property, once replaced


def cache_page_references() -> bool:
    """Install the cached property on pydyf.PDF (once per process). False, with nothing changed,
    when pydyf's attribute is not the property this fix was written for (a newer pydyf)."""
    global _released
    current = pydyf.PDF.__dict__.get("page_references")
    if isinstance(current, property) and current.fget is _cached_page_references:
        return True
    if not isinstance(current, property) or getattr(current.fget, "__qualname__", "") != "PDF.page_references":
        return False
    _released = current
    pydyf.PDF.page_references = property(_cached_page_references, doc=current.__doc__)
    return True


def release_layout_state(document: Any) -> bool:
    """Drop what the layout context kept for laying out, once *document* is laid out and its page
    slots filled (drawing needs only its fonts, hyphenation dictionaries and image loader). A render
    has one context, which every SVG image of it keeps: the first image found gives it. False when
    no image keeps it (it was freed with the layout)."""
    for page in document.pages:
        for box in page._page_box.descendants():
            background = getattr(box, "background", None)
            for image in (getattr(box, "replacement", None), *(layer.image for layer in getattr(background, "layers", ()))):
                context = getattr(image, "_context", None) if isinstance(image, SVGImage) else None
                if context is not None:
                    context.style_for = None
                    context.target_collector = None
                    context.page_maker = []
                    context.tables = {}
                    context.broken_out_of_flow = {}
                    return True
    return False


def harfbuzz_subsetting() -> bool:
    """Does WeasyPrint subset fonts with HarfBuzz (fast) rather than fontTools (slow for CJK)?"""
    return getattr(text_ffi, "harfbuzz_subset", None) is not None


def bleed_box_finisher(bleed_mm: float) -> Callable[[Any, Any], None]:
    """A ``write_pdf`` finisher that sets each page's BleedBox *bleed_mm* outside its TrimBox.
    WeasyPrint sets it at most 10 pt outside; the printer needs the real bleed."""
    bleed = bleed_mm * 72 / 25.4

    def finish(document: Any, pdf: Any) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and "TrimBox" in obj:
                left, top, right, bottom = obj["TrimBox"]
                obj["BleedBox"] = pydyf.Array([left - bleed, top - bleed, right + bleed, bottom + bleed])

    return finish


# --- the laid-out box tree --------------------------------------------------------------------------------------------
def body_lines(page: Any) -> int:
    """Lines of text in a laid-out page's body (running headers and footers, in margin boxes, not counted)."""
    box = page._page_box
    return sum(1 for child in box.children if not isinstance(child, MarginBox)
               for line in child.descendants() if isinstance(line, LineBox))


DIGIT_ADVANCE_EM = 0.555  # Noto Sans CJK SC: every digit is 555 of its 1000 units wide


def fill_page_slots(document: Any, slot: str) -> bool:
    """Write the page number of each "(see page N)" link's target into its slot, in the laid-out
    document (the digits share one width; a shorter number gives the unused digits back to the
    line: _close_up_slots). False, with nothing changed, when a number does
    not fit its slot or a target is missing: the caller lays the document out the usual way."""
    pages_of: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for name in page.anchors:
            pages_of.setdefault(name, number)
    found: list[tuple[Any, str]] = []
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if not isinstance(box, TextBox) or slot not in box.text or element is None:
                continue
            classes = (element.get("class") or "").split()
            # "(see page N)" after a cross-reference, "answers to the exercises on page N" before a back-reference
            if not (("kb-xref" in classes and box.element_tag.endswith("::after"))
                    or ("kb-backref" in classes and box.element_tag.endswith("::before"))):
                continue
            href = element.get("href") or ""
            number = pages_of.get(href[1:]) if href.startswith("#") else None
            if number is None or len(str(number)) > len(slot):
                return False
            found.append((box, str(number)))
    shrink: dict[int, float] = {}
    for box, number in found:
        box.text = box.text.replace(slot, number, 1)
        box.pango_layout.text = box.pango_layout.text.replace(slot, number, 1)
        if len(number) < len(slot):
            shrink[id(box)] = (len(slot) - len(number)) * DIGIT_ADVANCE_EM * box.style["font_size"]
    if shrink:
        _close_up_slots(document, shrink)
    return True


def _close_up_slots(document: Any, shrink: dict[int, float]) -> None:
    """The unused digits of a slot are taken out of its line: the text box narrows, what follows
    it on the line moves left by as much, and the page's link areas are gathered again from the
    moved boxes. (A justified line ends that much short of the margin.)"""

    def close_up(parent: Any) -> float:
        lost = 0.0
        for child in getattr(parent, "children", ()):
            if lost:
                child.translate(-lost, 0)
            own = shrink.get(id(child))
            if own is None and isinstance(child, InlineBox):
                own = close_up(child) or None
            if own:
                child.width -= own
                lost += own
        return lost

    for page in document.pages:
        moved = False
        for line in page._page_box.descendants():
            if isinstance(line, LineBox):
                moved = bool(close_up(line)) or moved
        if moved:
            page.anchors.clear()
            page.links.clear()
            page.bookmarks.clear()
            page.forms.clear()
            page.forms[None] = []
            gather_anchors(page._page_box, page.anchors, page.links, page.bookmarks, page.forms)


@dataclass(frozen=True)
class SlotBox:
    """A laid-out text box that holds placeholder runs."""
    box: int                    # id() of the text box, as drawing sees it
    runs: list[str]             # the placeholder runs it holds, in the order of its text
    margin: str | None          # the margin box it is in (its at-keyword), None in the page's body
    href: str = ""              # in the body: the link whose generated text it is
    classes: tuple[str, ...] = ()


def slot_boxes(document: Any, margin_runs: dict[str, re.Pattern[str]], link_run: re.Pattern[str]) -> list[SlotBox]:
    """The text boxes holding placeholder runs, in drawing order: in the margin boxes named in
    *margin_runs*, those that hold their run; in the body, the generated text (::before, ::after)
    of a link to an anchor of the document that holds *link_run*."""
    found: list[SlotBox] = []
    for page in document.pages:
        for child in page._page_box.children:
            if isinstance(child, MarginBox):
                run = margin_runs.get(child.at_keyword)
                for box in child.descendants() if run is not None else ():
                    if isinstance(box, TextBox) and (runs := run.findall(box.text)):
                        found.append(SlotBox(id(box), runs, child.at_keyword))
                continue
            for box in child.descendants():
                element = getattr(box, "element", None)
                if not isinstance(box, TextBox) or element is None or not box.element_tag.endswith(("::after", "::before")):
                    continue
                href = element.get("href") or ""
                if not href.startswith("#") or not (runs := link_run.findall(box.text)):
                    continue
                found.append(SlotBox(id(box), runs, None, href[1:], tuple((element.get("class") or "").split())))
    return found


def boxes_after(document: Any, box_ids: set[int]) -> list[tuple[int, list[int]]]:
    """Each text box that follows one of *box_ids* on its line, with those before it on that line:
    (id of the box, ids of the boxes of *box_ids* before it), in drawing order."""
    found: list[tuple[int, list[int]]] = []
    for page in document.pages:
        for line in page._page_box.descendants():
            if not isinstance(line, LineBox):
                continue
            before: list[int] = []
            for box in line.descendants():
                if not isinstance(box, TextBox):
                    continue
                if id(box) in box_ids:
                    before.append(id(box))
                elif before:
                    found.append((id(box), list(before)))
    return found


def pdf_bookmarks(page: Any) -> list[tuple[int, str, float, float, bool]]:
    """A laid-out page's bookmarks: (level, label, x, y in PDF points from the bottom left, open?)."""
    matrix = Matrix(a=0.75, d=-0.75, f=page.height * 0.75)  # CSS px, top-left -> PDF points, bottom-left
    out = []
    for level, label, (x, y), state in page.bookmarks:
        px, py = matrix.transform_point(x, y)
        out.append((level, label, px, py, state == "open"))
    return out


def bookmark_tree(by_page: dict[int, list[tuple[int, str, float, float, bool]]]) -> list[Any]:
    """The bookmarks of many pages (page number -> bookmarks as pdf_bookmarks gives them) as one
    tree, built as WeasyPrint builds it: [(label, (page, x, y), children, "open" | "closed"), ...]."""
    tree: list[Any] = []
    skipped: list[int] = []
    last_by_depth: list[list[Any]] = [tree]
    previous = 0
    for number in sorted(by_page):
        marks = [(level, label, (x, y), "open" if is_open else "closed") for level, label, x, y, is_open in by_page[number]]
        previous = make_page_bookmark_tree(SimpleNamespace(bookmarks=marks), skipped, last_by_depth,
                                           previous, number, Matrix())
    return tree


# --- while a part is written ----------------------------------------------------------------------------------------
def text_of(textbox: Any) -> str:
    """The text a text box draws (given to the callback of marking_text_boxes)."""
    return textbox.text


def shape(stream: Any, textbox: Any, text: str, start: int, end: int) -> dict[str, int]:
    """The glyph of each character of text[start:end] (character offsets) as Pango shapes *text* in
    *textbox*'s style: digits among letters get other glyphs than digits alone (Noto Sans CJK).
    Each glyph is added to its font's subset, Unicode map and widths in *stream*'s PDF, so that the
    merge can print it."""
    layout = Layout(textbox.style)
    layout.set_text(text)
    first_line, _ = layout.get_first_line()
    utf8 = text.encode("utf-8")
    low, high = len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))
    found: dict[str, int] = {}
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        pango_font = glyph_item.item.analysis.font
        font, font_size = stream.add_font(pango_font)
        offset, count = glyph_item.item.offset, glyphs.num_glyphs
        for i in range(count):
            gid = glyphs.glyphs[i].glyph
            first = offset + glyphs.log_clusters[i]
            if gid == pango.PANGO_GLYPH_EMPTY or gid & pango.PANGO_GLYPH_UNKNOWN_FLAG or not low <= first < high:
                continue
            last = offset + (glyph_item.item.length if i == count - 1 else glyphs.log_clusters[i + 1])
            char = utf8[first:last].decode("utf-8", "replace")
            if len(char) != 1:
                continue
            found.setdefault(char, gid)
            font.to_unicode.setdefault(gid, char)
            if gid not in font.widths:
                pango.pango_font_get_glyph_extents(pango_font, gid, stream.ink_rect, stream.logical_rect)
                font.widths[gid] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
    return found


@contextmanager
def marking_text_boxes(tags: dict[int, tuple[str, int]],
                       before_drawing: Callable[[Any, Any, str, int], None]) -> Iterator[None]:
    """While the PDF is drawn: each text box of *tags* (id -> (tag, number)) inside
    ``/<tag> <</N number>> BDC … EMC``, *before_drawing(stream, textbox, tag, number)* called first."""
    original = wdraw.draw_text

    def draw_text(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        marked = tags.get(id(textbox))
        if marked is None:
            return original(stream, textbox, *args, **kwargs)
        tag, number = marked
        before_drawing(stream, textbox, tag, number)
        pydyf.Stream.begin_marked_content(stream, tag, pydyf.Dictionary({"N": number}))
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            pydyf.Stream.end_marked_content(stream)

    wdraw.draw_text = draw_text
    try:
        yield
    finally:
        wdraw.draw_text = original


@dataclass(frozen=True)
class EmbeddedFont:
    """A font as WeasyPrint is about to subset and embed it."""
    name: str                   # WeasyPrint's font resource name
    data: bytes                 # the original font file
    index: int                  # face in a collection
    mergeable: bool             # an outline font embedded as it is (no variations, colour, bitmaps)
    missing: bool               # glyphs missing from the font (.notdef drawn)
    to_unicode: dict[int, str]
    widths: dict[int, float]


@contextmanager
def capturing_fonts(on_font: Callable[[EmbeddedFont], None]) -> Iterator[None]:
    """While the PDF is written: *on_font* gets each font just before WeasyPrint subsets it."""
    original = wpdf.build_fonts_dictionary

    def build_fonts_dictionary(pdf: Any, fonts: dict, *args: Any, **kwargs: Any) -> Any:
        for font in fonts.values():
            on_font(EmbeddedFont(font.hash, font.file_content, font.index,
                                 not (font.bitmap or font.png or font.svg or font.colr or "fvar" in font.tables),
                                 bool(font.missing), font.to_unicode, font.widths))
        return original(pdf, fonts, *args, **kwargs)

    wpdf.build_fonts_dictionary = build_fonts_dictionary
    try:
        yield
    finally:
        wpdf.build_fonts_dictionary = original
