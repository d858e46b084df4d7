"""A big manual rendered in parts, each part in a process of its own, and the parts' PDFs merged
into one.

Why: WeasyPrint keeps every laid-out page of a document in memory until the PDF is written and uses
one core; a manual of 1,000 pages peaked at 2 GB on one core, and one edited character laid it all
out again. In parts, each process holds one part; both cores work on one manual; an edit renders
the part it is in, and the merge (seconds) does the rest. docs/adr/archive/architecture-notes-2026-12.md, "A manual in parts",
has the measurements and the trade-off.

What depends on other parts is left as a slot in each part and drawn by the merge:
- numbers: the footer's "page N of M", the contents' page numbers and "(see page N)" are laid out
  as runs of placeholder digits as long as the longest page number can be; the render wraps each
  such text box in a marked-content sequence `/KbSlot <</N n>> BDC … EMC`, shapes in its place the
  characters it may print and records them; the merge replaces the placeholder glyphs by the
  number's glyphs in the content stream, so the number stays real text in its tagged span (a
  shorter number closes up the rest of its text box, is right-aligned in the contents and centred
  in the footer; the text after a "(see page N)" on its line, marked `/KbShift`, moves left by what
  it gave back) and removes the markers;
- the footer's version (a digest of the whole manual) likewise, right-aligned;
- links to another part's anchors, written by the part as a `kb-part:` URI and turned into a named
  destination by the merge;
- fonts: every part subsets each font keeping glyph ids (WeasyPrint's subsetter); the merge
  subsets the font once more to the union of the parts' glyphs (the slots' among them), so the
  manual embeds each font once;
- the PDF/UA structure tree and its parent tree are joined, the pages' and annotations' keys
  renumbered; bookmarks are rebuilt from every part's bookmark levels.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import time
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Object, OutlineItem, String
from pydantic import TypeAdapter
from weasyprint import CSS, HTML

from kb.print.manual.hbsubset import SubsetError, subset_font
from kb.print.manual.internals import (
    EmbeddedFont,
    bookmark_tree,
    boxes_after,
    capturing_fonts,
    marking_text_boxes,
    pdf_bookmarks,
    shape,
    slot_boxes,
    text_of,
)
from kb.print.manual.render import PAGE_SLOT, PDF_OPTIONS, closed_fetcher, ready_to_write
from kb.project.fsutil import write_atomic

PART_MARK = "<!--kb-part-->"          # where the manual template allows a part to end
FOLIO_SLOT = "kb-folio-slot"          # the page's own number (footer)
PAGES_SLOT = "kb-pages-slot"          # the number of pages (footer)
VERSION_PLACEHOLDER = "7" * 18        # as long as '<commit> · <digest>'
PART_LINK = "kb-part:#"               # a link to another part's anchor, until the merge
# the margin boxes that print the footer's numbers and the version (overrides/manual/manual.css)
FOOTER_BOX, VERSION_BOX = "@bottom-center", "@bottom-right"
_PLACEHOLDER = {"folio": "0", "target": "0", "total": "9", "version": "7"}


class MergeError(RuntimeError):
    """The parts cannot be merged (a number longer than its slot, a font that cannot be merged):
    the caller renders the manual whole."""


# --- splitting ------------------------------------------------------------------------------------------------------
def split_parts(html: str, part_bytes: int) -> list[str]:
    """The manual's HTML cut at its part marks into documents of about *part_bytes* each, all of
    about the same size (every one with the whole <head> and <body> tag, so each part has the
    stylesheets, title and strings).
    The first segment (cover) and the last (review record) are parts of their own: they print the
    manual's version and edition, which change with every edit, and are short."""
    start = html.index(">", html.index("<body")) + 1
    end = html.rindex("</body>")
    head, body, tail = html[:start], html[start:end], html[end:]
    segments = body.split(PART_MARK)
    if len(segments) < 3:
        return [html]
    middle = segments[1:-1]
    sizes = [len(segment.encode("utf-8")) for segment in middle]
    # as many parts as part_bytes gives, of equal size (so that the cores finish together)
    count = max(1, round(sum(sizes) / part_bytes))
    target = sum(sizes) / count
    groups: list[list[str]] = [[segments[0]]]
    current: list[str] = []
    done = 0
    for segment, size in zip(middle, sizes, strict=True):
        current.append(segment)
        done += size
        if done >= target * len(groups) and len(groups) < count:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    groups.append([segments[-1]])
    return [head + "".join(group) + tail for group in groups]


# --- what a part tells the merge ----------------------------------------------------------------------------------
@dataclass
class Slot:
    align: str                 # left | center | right: where the number sits when shorter than its slot
    kinds: list[str]           # folio | total | version | target, in the order of the text
    target: str | None = None  # the anchor whose page a target slot prints
    # the glyph of each character a slot can print, shaped as the slot's text is (English text gets
    # other digit glyphs than Chinese): char -> glyph id; filled while the part is drawn
    glyphs: dict[str, int] = field(default_factory=dict)
    placeholders: dict[str, int] = field(default_factory=dict)  # kind -> the placeholder's glyph as laid out


@dataclass
class FontRecord:
    sha256: str                # of the original font file (kept in the font store for the merge)
    index: int                 # face in a collection
    mergeable: bool            # an outline font WeasyPrint embeds as it is (no variations, colour, bitmaps)
    missing: bool              # glyphs missing from the font (.notdef drawn)
    to_unicode: dict[int, str] = field(default_factory=dict)
    widths: dict[int, int] = field(default_factory=dict)


@dataclass
class PartFacts:
    pages: int
    anchors: dict[str, int]                     # anchor -> page index in the part (first occurrence)
    bookmarks: list[list[Any]]                  # [page index, level, label, x, y, open?] in PDF coordinates
    slots: dict[int, Slot]
    fonts: dict[str, FontRecord]                # by WeasyPrint's font resource name
    digits: int                                 # width of the number slots
    # text after a "(see page N)" on its line: marker number -> the slots before it, whose unused
    # width it moves left by
    followers: dict[int, list[int]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> PartFacts:
        """Validated against the dataclasses' types (pydantic: JSON's string keys become ints)."""
        return TypeAdapter(cls).validate_json(text)


# --- rendering one part (in a worker process) ---------------------------------------------------------------------
SLOT_CHARS = "0123456789abcdef · "  # what numbers and versions are made of (kb.print.manual.assemble.version_text)


def slotted_html(html: str, digits: int) -> str:
    return (html.replace(f'"{PAGE_SLOT}"', '"' + "0" * digits + '"')
                .replace(f'"{FOLIO_SLOT}"', '"' + "0" * digits + '"')
                .replace(f'"{PAGES_SLOT}"', '"' + "9" * digits + '"'))


def find_slots(document: Any, digits: int) -> tuple[dict[int, int], dict[int, Slot], dict[int, int], dict[int, list[int]]]:
    """The text boxes that hold slots, and the text boxes after a left-aligned slot on its line:
    (id(box) -> slot number, slot number -> Slot, id(box) -> follower number, follower number -> slots)."""
    number_run = f"(?<![0-9])0{{{digits}}}(?![0-9])"
    margin_runs = {FOOTER_BOX: re.compile(f"{number_run}|(?<![0-9])9{{{digits}}}(?![0-9])"),
                   VERSION_BOX: re.compile(f"(?<![0-9]){VERSION_PLACEHOLDER}(?![0-9])")}
    ids: dict[int, int] = {}
    slots: dict[int, Slot] = {}
    for found in slot_boxes(document, margin_runs, re.compile(number_run)):
        ids[found.box] = len(slots)
        if found.margin is not None:
            align = "center" if found.margin == FOOTER_BOX else "right"
            slots[len(slots)] = Slot(align, [
                "version" if m.startswith("7") else "total" if m.startswith("9") else "folio" for m in found.runs])
        else:
            slots[len(slots)] = Slot("right" if "kb-toc" in found.classes else "left", ["target"] * len(found.runs), found.href)
    followers: dict[int, int] = {}
    groups: dict[int, list[int]] = {}
    left = {box_id for box_id, n in ids.items() if slots[n].align == "left" and slots[n].kinds[0] == "target"}
    if left:
        for box_id, before in boxes_after(document, left):
            followers[box_id] = len(groups)
            groups[len(groups)] = [ids[b] for b in before]
    return ids, slots, followers, groups


def _probe(stream: Any, textbox: Any, slot: Slot, version_chars: str, digits: int) -> None:
    """slot.glyphs: every character the slot can print, shaped in place of its first placeholder
    run; slot.placeholders: the glyph of each kind's placeholder as laid out."""
    text = text_of(textbox)
    for kind in dict.fromkeys(slot.kinds):
        char = _PLACEHOLDER[kind]
        run = char * (len(VERSION_PLACEHOLDER) if kind == "version" else digits)
        start = text.find(run)
        if start < 0:
            continue
        probe = SLOT_CHARS + version_chars if kind == "version" else "0123456789"
        shaped = shape(stream, textbox, text[:start] + probe + text[start + len(run):], start, start + len(probe))
        for c, gid in shaped.items():
            slot.glyphs.setdefault(c, gid)
        placeholder = shape(stream, textbox, text, start, start + 1).get(char)
        if placeholder is not None:
            slot.placeholders[kind] = placeholder


def _marking(slot_ids: dict[int, int], follower_ids: dict[int, int], slots: dict[int, Slot],
             version_chars: str, digits: int) -> AbstractContextManager[None]:
    """While the PDF is drawn: every slot's text box inside /KbSlot <</N n>> BDC … EMC (the
    characters it may print shaped first: _probe), and every text box after a "(see page N)" on its
    line inside /KbShift <</N n>> BDC … EMC."""
    tags = {box: ("KbShift", number) for box, number in follower_ids.items()}
    tags.update({box: ("KbSlot", number) for box, number in slot_ids.items()})

    def before_drawing(stream: Any, textbox: Any, tag: str, number: int) -> None:
        if tag == "KbSlot":
            _probe(stream, textbox, slots[number], version_chars, digits)

    return marking_text_boxes(tags, before_drawing)


def _capturing_fonts(records: dict[str, FontRecord], font_store: Path) -> AbstractContextManager[None]:
    """While the PDF is written: each font's original file (kept once in *font_store*), its glyphs
    and widths, taken just before WeasyPrint subsets it."""

    def record(font: EmbeddedFont) -> None:
        digest = hashlib.sha256(font.data).hexdigest()
        stored = font_store / f"{digest}.font"
        if stored.is_file():
            os.utime(stored)  # recently used: kept by kb.print.manual.schedule.prune_cache
        else:
            write_atomic(stored, font.data)
        kept = records.setdefault(font.name, FontRecord(digest, font.index, font.mergeable, font.missing))
        kept.to_unicode.update(font.to_unicode)
        kept.widths.update({g: int(round(w)) for g, w in font.widths.items()})
        kept.missing = kept.missing or font.missing

    return capturing_fonts(record)


def render_part(job: Any, digits: int, font_store: Path) -> tuple[bytes, PartFacts, float]:
    """Lay out and write one part (kb.print.manual.render.RenderJob): (PDF, what the merge needs, seconds)."""
    start = time.perf_counter()
    fetcher = closed_fetcher(job.base_url, job.stylesheets, job.site_root)
    document = HTML(string=slotted_html(job.html, digits), base_url=job.base_url,
                    url_fetcher=fetcher).render(
        stylesheets=[CSS(filename=path, url_fetcher=fetcher) for path in job.stylesheets])
    anchors: dict[str, int] = {}
    bookmarks: list[list[Any]] = []
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
        bookmarks += [[number, *mark] for mark in pdf_bookmarks(page)]
    slot_ids, slots, follower_ids, followers = find_slots(document, digits)
    for page in document.pages:  # a link to another part's anchor waits for the merge
        page.links[:] = [
            ("external", PART_LINK + target, rect, box) if kind == "internal" and target not in anchors
            else (kind, target, rect, box)
            for kind, target, rect, box in page.links]
    ready_to_write(document)
    fonts: dict[str, FontRecord] = {}
    font_store.mkdir(parents=True, exist_ok=True)
    with _marking(slot_ids, follower_ids, slots, job.version_chars, digits), _capturing_fonts(fonts, font_store):
        pdf = document.write_pdf(**PDF_OPTIONS)
    facts = PartFacts(len(document.pages), anchors, bookmarks, slots, fonts, digits, followers)
    return pdf, facts, time.perf_counter() - start


# --- merging ------------------------------------------------------------------------------------------------------
_SEGMENT = re.compile(rb"/(KbSlot|KbShift)\s*<<\s*/N\s+(\d+)\s*>>\s*BDC(.*?)EMC", re.S)
_TM = re.compile(rb"(-?[\d.]+)(\s+-?[\d.]+\s+-?[\d.]+\s+-?[\d.]+\s+)(-?[\d.]+)(\s+-?[\d.]+\s+Tm)")
_TF = re.compile(rb"/([^\s/\[<(]+)\s+(-?[\d.]+)\s+Tf")
_TJ = re.compile(rb"\[([^\]]*)\]\s*TJ")
_TJ_ITEM = re.compile(rb"<([0-9a-fA-F]*)>|(-?\d+(?:\.\d*)?|-?\.\d+)")


def _glyph(slot: Slot, char: str) -> int:
    gid = slot.glyphs.get(char)
    if gid is None:
        raise MergeError(f"no glyph for {char!r} was shaped for a slot")
    return gid


def _widths_array(widths: dict[int, int]) -> list[Any]:
    out: list[Any] = []
    run: list[int] = []
    previous = None
    for gid in sorted(widths):
        if previous is None or gid != previous + 1:
            run = []
            out += [gid, run]
        run.append(widths[gid])
        previous = gid
    return out


def _to_unicode_cmap(to_unicode: dict[int, str]) -> bytes:
    """The ToUnicode CMap WeasyPrint writes (weasyprint/pdf/fonts.py), for the merged glyphs."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(to_unicode.items())
    for i in range(0, len(items), 100):
        batch = items[i:i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{gid:04x}> <{text.encode('utf-16-be').hex()}>".encode() for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _number(value: float) -> bytes:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return (text if text not in ("", "-0") else "0").encode()


def _rewrite_segment(body: bytes, slot: Slot, values: list[str], fonts: dict[str, FontRecord],
                     digits: int) -> tuple[bytes, float]:
    """The slot's text with each placeholder run replaced by its value's glyphs, aligned; and the
    width a left-aligned slot gave back (user space units), by which the rest of its line moves."""
    font_name = None
    font_size = 0.0
    for m in _TF.finditer(body):
        font_name, font_size = m.group(1).decode(), float(m.group(2))
    font = fonts.get(font_name or "")
    if font is None:
        raise MergeError(f"slot text in a font that was not merged ({font_name})")
    widths = font.widths
    pending = list(zip(slot.kinds, values, strict=True))
    lost = 0.0

    def rewrite(match: re.Match[bytes]) -> bytes:
        nonlocal lost
        tokens: list[tuple[str, float]] = []
        for item in _TJ_ITEM.finditer(match.group(1)):
            if item.group(1) is not None:
                hexa = item.group(1).decode()
                tokens += [("g", int(hexa[i:i + 4], 16)) for i in range(0, len(hexa), 4)]
            else:
                tokens.append(("k", float(item.group(2))))
        out: list[tuple[str, float]] = []
        i = 0
        while i < len(tokens):
            if pending and tokens[i][0] == "g":
                kind, value = pending[0]
                placeholder = slot.placeholders.get(kind, slot.glyphs.get(_PLACEHOLDER[kind], -1))
                length = len(VERSION_PLACEHOLDER) if kind == "version" else digits
                j, count, old = i, 0, 0.0
                while j < len(tokens) and count < length:
                    if tokens[j][0] == "g":
                        if tokens[j][1] != placeholder:
                            break
                        old += widths.get(placeholder, 0)
                        count += 1
                    else:
                        old -= tokens[j][1]
                    j += 1
                if count == length:
                    while j < len(tokens) and tokens[j][0] == "k":  # the last placeholder's own kerning
                        old -= tokens[j][1]
                        j += 1
                    new = [_glyph(slot, c) for c in value]
                    if any(g not in widths for g in new):
                        raise MergeError("a slot's glyph has no width in the merged font")
                    lost += old - sum(widths[g] for g in new)
                    out += [("g", g) for g in new]
                    pending.pop(0)
                    i = j
                    continue
            out.append(tokens[i])
            i += 1
        return b"[" + _serialise(out) + b"] TJ"

    rewritten = _TJ.sub(rewrite, body)
    if pending:
        raise MergeError("a slot's placeholder was not found in its text")
    shift = {"right": lost, "center": lost / 2}.get(slot.align, 0.0)
    if shift:  # a negative TJ number moves what follows to the right
        rewritten = _TJ.sub(lambda m: b"[" + _number(-shift) + b" " + m.group(1) + b"] TJ", rewritten, count=1)
    return rewritten, (lost * font_size / 1000 if slot.align == "left" else 0.0)


def _shift_segment(body: bytes, by: float) -> bytes:
    """A text box after a shortened slot on its line, moved left by *by*."""
    if not by:
        return body
    return _TM.sub(lambda m: m.group(1) + m.group(2) + _number(float(m.group(3)) - by) + m.group(4), body)


def _serialise(tokens: list[tuple[str, float]]) -> bytes:
    out = bytearray()
    glyphs: list[int] = []
    for kind, value in tokens + [("end", 0.0)]:
        if kind == "g":
            glyphs.append(int(value))
            continue
        if glyphs:
            out += b"<" + "".join(f"{g:04x}" for g in glyphs).encode() + b">"
            glyphs = []
        if kind == "k":
            out += b" " + _number(value) + b" "
    return bytes(out)


def merge_parts(parts: list[tuple[bytes, PartFacts]], version: str, font_store: Path) -> bytes:
    """One PDF from the parts' PDFs, in order, with every slot filled (see the module's docstring)."""
    if not parts:
        raise MergeError("no parts")
    facts = [f for _, f in parts]
    offsets: list[int] = []
    total = 0
    for f in facts:
        offsets.append(total)
        total += f.pages
    digits = facts[0].digits
    if len(str(total)) > digits or any(f.digits != digits for f in facts):
        raise MergeError(f"{total} pages do not fit slots of {digits} digits")
    try:
        sources = [pikepdf.open(io.BytesIO(data)) for data, _ in parts]
    except pikepdf.PdfError as exc:
        raise MergeError(f"a part is not a readable PDF ({exc})") from None
    anchors: dict[str, int] = {}
    for offset, f in zip(offsets, facts, strict=True):
        for name, page in f.anchors.items():
            anchors.setdefault(name, offset + page)

    out = pikepdf.new()
    page_of: dict[tuple[int, tuple[int, int]], Any] = {}  # (part, source page objgen) -> merged page
    for p, src in enumerate(sources):
        for page in src.pages:
            out.pages.append(page)
            page_of[(p, page.objgen)] = out.pages[-1].obj

    # fonts: one per resource name, subset to the union of the parts' glyphs (the slots' among them)
    records: dict[str, FontRecord] = {}
    for f in facts:
        for name, rec in f.fonts.items():
            have = records.get(name)
            if have is None:
                records[name] = FontRecord(rec.sha256, rec.index, rec.mergeable, rec.missing, dict(rec.to_unicode), dict(rec.widths))
            elif have.sha256 != rec.sha256 or have.index != rec.index:
                raise MergeError(f"font {name} differs between parts")
            else:
                have.to_unicode.update(rec.to_unicode)
                have.widths.update(rec.widths)
                have.mergeable = have.mergeable and rec.mergeable
                have.missing = have.missing or rec.missing
    font_bytes: dict[str, bytes] = {}
    for name, rec in records.items():
        if not rec.mergeable or rec.missing:
            raise MergeError(f"font {name} cannot be merged (variable, colour, bitmap or missing glyphs)")
        stored = font_store / f"{rec.sha256}.font"
        try:
            font_bytes[name] = subset_font(stored.read_bytes(), rec.index, set(rec.to_unicode))
            os.utime(stored)  # used: kept by kb.print.manual.schedule.prune_cache as long as the parts are
        except (OSError, SubsetError) as exc:
            raise MergeError(f"font {name}: {exc}") from None

    done: dict[str, Any] = {}
    seen: set[tuple[int, int]] = set()

    def fix_resources(resources: Any) -> None:
        if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
            return
        seen.add(resources.objgen)
        font_dict = resources.get("/Font")
        if font_dict is not None:
            for key in list(font_dict.keys()):
                name = key[1:]
                if name not in records:
                    continue
                if name not in done:
                    done[name] = _rebuild_font(font_dict[key], records[name], font_bytes[name])
                font_dict[key] = done[name]
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == Name.Form:
                fix_resources(xobject.get("/Resources"))

    # pages: slots, fonts, links, structure keys
    struct_offset = 0
    nums = Array()
    doc_elem = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
    root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([doc_elem])))
    doc_elem.P = root
    names: dict[str, Any] = {}
    for p, (src, f) in enumerate(zip(sources, facts, strict=True)):
        for local, src_page in enumerate(src.pages):
            page = page_of[(p, src_page.objgen)]
            number = offsets[p] + local
            fix_resources(page.get("/Resources"))
            contents = page.Contents
            data = contents.read_bytes()

            given_back: dict[int, float] = {}

            def fill(match: re.Match[bytes], *, _f: PartFacts = f, _number: int = number,
                     _given_back: dict[int, float] = given_back) -> bytes:
                if match.group(1) == b"KbShift":
                    return _shift_segment(match.group(3), sum(_given_back.get(s, 0.0) for s in _f.followers.get(int(match.group(2)), ())))
                slot_number = int(match.group(2))
                slot = _f.slots[slot_number]
                values = []
                for kind in slot.kinds:
                    if kind == "folio":
                        values.append(str(_number + 1))
                    elif kind == "total":
                        values.append(str(total))
                    elif kind == "version":
                        values.append(version)
                    else:
                        target = anchors.get(slot.target or "")
                        values.append("" if target is None else str(target + 1))
                body, _given_back[slot_number] = _rewrite_segment(match.group(3), slot, values, records, digits)
                return body

            patched = _SEGMENT.sub(fill, data)
            if patched != data:
                contents.write(patched)
            for annot in page.get("/Annots") or []:
                action = annot.get("/A")
                if action is not None and str(action.get("/URI", "")).startswith(PART_LINK):
                    target_name = str(action.URI)[len(PART_LINK):]
                    del annot["/A"]
                    if target_name in anchors:
                        annot.Dest = String(target_name)
                        annot.Contents = String(target_name)
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + struct_offset
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + struct_offset
        # named destinations (the first part that has a name wins, as WeasyPrint takes the first anchor)
        dests = src.Root.get("/Names", {}).get("/Dests")
        if dests is not None:
            flat = list(dests.get("/Names", []))
            for i in range(0, len(flat) - 1, 2):
                name = str(flat[i])
                dest = flat[i + 1]
                if name in names:
                    continue
                target_page = page_of.get((p, dest[0].objgen))
                if target_page is not None:
                    names[name] = Array([target_page, *(_copy(out, item) for item in list(dest)[1:])])
        # structure: the part's document element's children, its parent tree with the keys moved on
        tree = src.Root.get("/StructTreeRoot")
        if tree is not None:
            part_doc = tree.K[0] if isinstance(tree.K, Array) else tree.K
            for kid in part_doc.K:
                copied = _copy(out, kid)
                if isinstance(copied, Dictionary):
                    copied.P = doc_elem
                doc_elem.K.append(copied)
            parent_nums = list(tree.ParentTree.Nums)
            highest = -1
            for i in range(0, len(parent_nums) - 1, 2):
                key = int(parent_nums[i])
                value = parent_nums[i + 1]
                highest = max(highest, key)
                nums.append(key + struct_offset)
                nums.append(_copy(out, value))
            struct_offset += highest + 1
    root.ParentTree = out.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = struct_offset
    first = sources[0].Root
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/PageMode"):
        if key in first:
            out.Root[key] = _copy(out, first[key])
    if "/Metadata" in first:
        out.Root.Metadata = out.copy_foreign(first.Metadata)
    if "/StructTreeRoot" in first:
        if "/RoleMap" in first.StructTreeRoot:
            root.RoleMap = _copy(out, first.StructTreeRoot.RoleMap)
        out.Root.StructTreeRoot = root
    if names:
        flat = Array()
        for name in sorted(names, key=lambda n: n.encode("utf-8")):
            flat.append(String(name))
            flat.append(names[name])
        out.Root.Names = Dictionary(Dests=Dictionary(Names=flat))
    if "/Info" in sources[0].trailer:
        out.trailer.Info = out.copy_foreign(sources[0].trailer.Info)
    _outline(out, facts, offsets)
    buffer = io.BytesIO()
    out.save(buffer, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for src in sources:
        src.close()
    return buffer.getvalue()


def _copy(out: Any, obj: Any) -> Any:
    """*obj* of another PDF, usable in *out*: indirect objects copied (once) by qpdf, direct ones rebuilt."""
    if isinstance(obj, Object) and obj.is_indirect:
        return out.copy_foreign(obj)
    if isinstance(obj, Dictionary):
        return Dictionary({key: _copy(out, value) for key, value in obj.items()})
    if isinstance(obj, Array):
        return Array([_copy(out, value) for value in obj])
    return obj


def _rebuild_font(font: Any, record: FontRecord, data: bytes) -> Any:
    """The first part's font dictionary, carrying the merged subset, widths and Unicode map."""
    descendant = font.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
    descriptor[key].write(data)
    if key == "/FontFile2":
        descriptor[key].Length1 = len(data)
    if "/CIDSet" in descriptor:
        del descriptor["/CIDSet"]
    descendant.W = Array(_widths_array(record.widths))
    bbox = list(descriptor.FontBBox)
    bbox[2] = max(record.widths.values(), default=0)
    descriptor.FontBBox = Array(bbox)
    font.ToUnicode.write(_to_unicode_cmap(record.to_unicode))
    if "/Encoding" in font and font.Encoding != Name("/Identity-H"):
        raise MergeError("a font with its own encoding CMap cannot be merged")
    return font


def _outline(out: Any, facts: list[PartFacts], offsets: list[int]) -> None:
    """The bookmarks of all parts as one tree, built from their levels as WeasyPrint builds it."""
    by_page: dict[int, list[tuple[int, str, float, float, bool]]] = {}
    for offset, f in zip(offsets, facts, strict=True):
        for page, level, label, x, y, is_open in f.bookmarks:
            by_page.setdefault(offset + page, []).append((level, label, x, y, is_open))
    tree = bookmark_tree(by_page)

    def items(subtrees: list[Any]) -> list[Any]:
        made = []
        for label, (number, x, y), children, state in subtrees:
            item = OutlineItem(label, number, "XYZ", left=x, top=y)
            item.is_closed = state != "open"
            item.children.extend(items(children))
            made.append(item)
        return made

    with out.open_outline() as outline:
        outline.root.extend(items(tree))
