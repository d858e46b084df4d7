"""Which printed pages a change alters: the PDFs of two built sites (site/downloads/) compared page by
page, each changed page drawn before and after, side by side, with the changed areas marked.

Pages move when text is added, so the pages of the old and new PDF are aligned first by their text
(difflib over the text of each page, read with poppler's pdftotext), and only aligned pairs are
compared as images (rasterised with poppler's pdftoppm, compared with pixelmatch: docs/adr/0014).
The running header and footer (the same line in the top or bottom margin of several pages: page
x of y, the edition's digest, the chapter's title) are left out of both comparisons: they follow
from a change elsewhere and would otherwise mark every page. Pages only the new PDF has are shown
as added, pages only the old one has as removed; unchanged pages are not shown.

Every PDF is untrusted here: one poppler cannot read is a problem named in the result, never a
traceback, and the images are drawn from poppler's rasters only."""

from __future__ import annotations

import difflib
import hashlib
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from PIL import Image, ImageChops, ImageDraw, UnidentifiedImageError
from pixelmatch.contrib.PIL import pixelmatch

RASTER_PX = 640  # the longer side of a page image: about 55 dpi for A4, small enough for an artifact
MARGIN = 0.1  # top and bottom tenth of a page: where running headers and footers are
CELL = 12  # changed pixels are grouped in cells of this many pixels before areas are drawn
GAP = 16  # pixels between the before and after page of a side-by-side image
MARK = (220, 0, 0)
POPPLER_TIMEOUT = 300
XHTML = "{http://www.w3.org/1999/xhtml}"
DIGITS = re.compile(r"\d+")
SPACE = re.compile(r"\s+")


class PagediffError(Exception):
    """Poppler is missing: nothing can be compared (the report says so instead of a traceback)."""


@dataclass(frozen=True)
class Line:
    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 as a fraction of the page


@dataclass(frozen=True)
class PdfPage:
    width: float
    height: float
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class PageChange:
    """One printed page that differs: changed (both sides), added (after only) or removed (before only).
    Page numbers count from 1; *image* is the side-by-side PNG's file name (None: over the limit)."""

    kind: str
    before: int | None
    after: int | None
    areas: int
    image: str | None


@dataclass(frozen=True)
class DocumentChange:
    """One PDF under downloads/ (path relative to it) that exists in either site and differs."""

    document: str
    kind: str  # changed | added | removed
    pages_before: int
    pages_after: int
    pages: tuple[PageChange, ...]


@dataclass(frozen=True)
class Problem:
    """A PDF that could not be compared: *code* names the sentence the report prints (data/ui.yml)."""

    document: str
    code: str  # unreadable | no-downloads
    detail: str


@dataclass
class Comparison:
    documents: list[DocumentChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    images: int = 0
    omitted: int = 0  # changed pages listed without an image (over the limit)


def pdf_files(downloads: Path) -> dict[str, Path]:
    """Every PDF under *downloads*, by its path relative to it (links are not followed)."""
    if not downloads.is_dir():
        return {}
    return {p.relative_to(downloads).as_posix(): p for p in sorted(downloads.rglob("*.pdf"))
            if p.is_file() and not p.is_symlink()}


def _poppler(args: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, timeout=POPPLER_TIMEOUT)
    except FileNotFoundError:
        raise PagediffError(f"{args[0]} is not installed (Debian: apt-get install poppler-utils)") from None
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 1, b"", f"{args[0]} took over {POPPLER_TIMEOUT} s".encode())


def _said(result: subprocess.CompletedProcess) -> str:
    lines = (result.stderr or b"").decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:200] if lines else f"exit status {result.returncode}"


def read_pages(pdf: Path) -> list[PdfPage]:
    """Each page's text lines and where they are (pdftotext -bbox-layout). Raises ValueError with
    poppler's words when the file cannot be read as a PDF."""
    result = _poppler(["pdftotext", "-q", "-enc", "UTF-8", "-bbox-layout", str(pdf), "-"])
    if result.returncode != 0:
        raise ValueError(_said(result))
    try:
        root = ElementTree.fromstring(result.stdout)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ValueError(f"pdftotext's page text could not be read: {exc}") from None
    pages = []
    for page in root.iter(f"{XHTML}page"):
        width, height = _number(page, "width"), _number(page, "height")
        if width <= 0 or height <= 0:
            raise ValueError("a page has no size")
        lines = []
        for line in page.iter(f"{XHTML}line"):
            text = " ".join((w.text or "").strip() for w in line.iter(f"{XHTML}word")).strip()
            if text:
                lines.append(Line(text, (_number(line, "xMin") / width, _number(line, "yMin") / height,
                                         _number(line, "xMax") / width, _number(line, "yMax") / height)))
        pages.append(PdfPage(width, height, tuple(lines)))
    if not pages:
        raise ValueError("no pages")
    return pages


def _number(element: Element, name: str) -> float:
    try:
        return float(element.get(name, "0"))
    except ValueError:
        return 0.0


def _in_margin(line: Line) -> bool:
    return line.box[3] <= MARGIN or line.box[1] >= 1 - MARGIN


def _shape(text: str) -> str:
    """A line with its numbers made alike: 'page 3 of 10' and 'page 4 of 11' are the same running line."""
    return DIGITS.sub("#", SPACE.sub(" ", text))


def running_lines(pages: list[PdfPage]) -> list[set[int]]:
    """For each page, the indexes of its running header and footer lines: in the top or bottom margin,
    and in the margin of at least one other page too (numbers aside)."""
    seen: dict[str, int] = {}
    for page in pages:
        for shape in {_shape(ln.text) for ln in page.lines if _in_margin(ln)}:
            seen[shape] = seen.get(shape, 0) + 1
    return [{i for i, ln in enumerate(page.lines) if _in_margin(ln) and seen.get(_shape(ln.text), 0) >= 2}
            for page in pages]


def page_keys(pages: list[PdfPage], running: list[set[int]]) -> list[str]:
    """What a page says, without its running lines: pages with the same key are aligned."""
    return [SPACE.sub(" ", " ".join(ln.text for i, ln in enumerate(page.lines) if i not in skip)).strip()
            for page, skip in zip(pages, running, strict=True)]


def align(before: list[str], after: list[str]) -> list[tuple[int | None, int | None]]:
    """Pairs of page indexes (None: no counterpart), in order: the old and new PDF aligned by page
    text, so that a page moved by added text is compared with itself, not with its new neighbour."""
    pairs: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += list(zip(range(i1, i2), range(j1, j2), strict=True))
        elif tag == "delete":
            pairs += [(i, None) for i in range(i1, i2)]
        elif tag == "insert":
            pairs += [(None, j) for j in range(j1, j2)]
        else:  # replace: the pages of the block side by side in order, the rest added or removed
            common = min(i2 - i1, j2 - j1)
            pairs += [(i1 + k, j1 + k) for k in range(common)]
            pairs += [(i, None) for i in range(i1 + common, i2)]
            pairs += [(None, j) for j in range(j1 + common, j2)]
    return pairs


def rasterise(pdf: Path, folder: Path) -> list[Path]:
    """Every page of *pdf* as a PNG of RASTER_PX on its longer side (pdftoppm), in page order."""
    folder.mkdir(parents=True, exist_ok=True)
    result = _poppler(["pdftoppm", "-q", "-png", "-scale-to", str(RASTER_PX), str(pdf), str(folder / "p")])
    if result.returncode != 0:
        raise ValueError(_said(result))
    return sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem.rpartition("-")[2]))


def _masked(image: Image.Image, boxes: list[tuple[float, float, float, float]]) -> Image.Image:
    """The page with its running lines painted over (white), to compare what the authors wrote."""
    out = image.convert("RGB")
    draw = ImageDraw.Draw(out)
    w, h = out.size
    for x0, y0, x1, y1 in boxes:
        draw.rectangle((x0 * w - 2, y0 * h - 2, x1 * w + 2, y1 * h + 2), fill=(255, 255, 255))
    return out


def changed_areas(before: Image.Image, after: Image.Image) -> list[tuple[int, int, int, int]]:
    """Rectangles (in the after image's pixels) around the pixels pixelmatch finds different,
    neighbouring cells of CELL pixels joined into one area. Different sizes: the whole page."""
    if before.size != after.size:
        return [(0, 0, after.size[0] - 1, after.size[1] - 1)]
    if ImageChops.difference(before, after).getbbox() is None:
        return []
    mask = Image.new("RGBA", after.size)
    if pixelmatch(before, after, mask, threshold=0.1, diff_mask=True) == 0:
        return []
    w, h = after.size
    cols, rows = (w + CELL - 1) // CELL, (h + CELL - 1) // CELL
    alpha = mask.getchannel("A")
    cells = {(cx, cy) for cy in range(rows) for cx in range(cols)
             if alpha.crop((cx * CELL, cy * CELL, min(w, (cx + 1) * CELL), min(h, (cy + 1) * CELL))).getbbox()}
    areas = []
    while cells:
        stack = [cells.pop()]
        x0, y0, x1, y1 = stack[0][0], stack[0][1], stack[0][0], stack[0][1]
        while stack:
            cx, cy = stack.pop()
            x0, y0, x1, y1 = min(x0, cx), min(y0, cy), max(x1, cx), max(y1, cy)
            for nx in range(cx - 2, cx + 3):  # cells up to one cell apart belong to the same area
                for ny in range(cy - 2, cy + 3):
                    if (nx, ny) in cells:
                        cells.remove((nx, ny))
                        stack.append((nx, ny))
        areas.append((max(0, x0 * CELL - 3), max(0, y0 * CELL - 3), min(w - 1, (x1 + 1) * CELL + 2),
                      min(h - 1, (y1 + 1) * CELL + 2)))
    return sorted(areas, key=lambda a: (a[1], a[0]))


def side_by_side(before: Image.Image | None, after: Image.Image | None,
                 areas: list[tuple[int, int, int, int]]) -> Image.Image:
    """Before on the left, after on the right, the changed areas outlined on both; a missing side
    (an added or removed page) is a grey sheet."""
    shown = [im for im in (before, after) if im is not None]
    width = max(im.size[0] for im in shown)
    height = max(im.size[1] for im in shown)
    canvas = Image.new("RGB", (2 * width + GAP, height), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    for slot, image in enumerate((before, after)):
        left = slot * (width + GAP)
        if image is None:
            draw.rectangle((left, 0, left + width - 1, height - 1), fill=(225, 225, 225), outline=(160, 160, 160))
            continue
        canvas.paste(image.convert("RGB"), (left, 0))
        draw.rectangle((left, 0, left + image.size[0] - 1, image.size[1] - 1), outline=(160, 160, 160))
        for x0, y0, x1, y1 in areas:
            draw.rectangle((left + x0, y0, left + x1, y1), outline=MARK, width=2)
    return canvas


def _image_name(document: str, before: int | None, after: int | None) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", document.removesuffix(".pdf")).strip("-")
    tag = hashlib.sha256(document.encode()).hexdigest()[:6]  # two paths that flatten alike stay apart
    return f"{stem}-{tag}-{before or 0}-{after or 0}.png"


def compare_downloads(base: Path, head: Path, out: Path, max_images: int) -> Comparison:
    """The printed pages that differ between two built sites' downloads/ folders; at most
    *max_images* side-by-side PNGs are written into *out* (the rest are listed without one)."""
    result = Comparison()
    for side, folder in (("base", base), ("head", head)):
        if not folder.is_dir():
            result.problems.append(Problem(side, "no-downloads", str(folder)))
    if result.problems:
        return result
    before_files, after_files = pdf_files(base), pdf_files(head)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kb-pagediff-") as tmp:
        for index, document in enumerate(sorted(set(before_files) | set(after_files))):
            old, new = before_files.get(document), after_files.get(document)
            if old is not None and new is not None and old.read_bytes() == new.read_bytes():
                continue
            try:
                # a folder of its own per document: pages left by one that showed no change must not count for the next
                change = _compare_document(document, old, new, Path(tmp) / str(index), out, result, max_images)
            except (ValueError, OSError, UnidentifiedImageError) as exc:
                result.problems.append(Problem(document, "unreadable", str(exc)))
                continue
            if change is not None:
                result.documents.append(change)
    return result


def _compare_document(document: str, old: Path | None, new: Path | None, tmp: Path, out: Path,
                      result: Comparison, max_images: int) -> DocumentChange | None:
    sides: dict[str, tuple[list[PdfPage], list[set[int]], list[Path]]] = {}
    for side, pdf in (("before", old), ("after", new)):
        if pdf is None:
            sides[side] = ([], [], [])
            continue
        try:
            pages = read_pages(pdf)
            images = rasterise(pdf, tmp / side)
        except ValueError as exc:
            raise ValueError(f"{side}: {exc}") from None
        if len(images) != len(pages):
            raise ValueError(f"{side}: pdftoppm drew {len(images)} pages, pdftotext read {len(pages)}")
        sides[side] = (pages, running_lines(pages), images)
    (pb, rb, ib), (pa, ra, ia) = sides["before"], sides["after"]
    changes = []
    for i, j in align(page_keys(pb, rb), page_keys(pa, ra)):
        before = Image.open(ib[i]) if i is not None else None
        after = Image.open(ia[j]) if j is not None else None
        areas: list[tuple[int, int, int, int]] = []
        if before is not None and after is not None:
            boxes = [ln.box for k, ln in enumerate(pb[i].lines) if k in rb[i]] + \
                    [ln.box for k, ln in enumerate(pa[j].lines) if k in ra[j]]
            areas = changed_areas(_masked(before, boxes), _masked(after, boxes))
            same_text = page_keys([pb[i]], [rb[i]]) == page_keys([pa[j]], [ra[j]])
            if not areas and same_text:
                continue  # the same page: not shown
        kind = "changed" if before is not None and after is not None else ("added" if before is None else "removed")
        name = None
        if result.images < max_images:
            name = _image_name(document, None if i is None else i + 1, None if j is None else j + 1)
            side_by_side(before, after, areas).save(out / name, optimize=True)
            result.images += 1
        else:
            result.omitted += 1
        changes.append(PageChange(kind, None if i is None else i + 1, None if j is None else j + 1, len(areas), name))
    if not changes and old is not None and new is not None:
        return None  # the files differ (a date, an id) but no page does
    kind = "changed" if old is not None and new is not None else ("added" if old is None else "removed")
    return DocumentChange(document, kind, len(pb), len(pa), tuple(changes))
