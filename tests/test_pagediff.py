"""Comparing the printed pages of two builds (kb/print/pagediff.py) on small inputs made here: the
alignment of pages moved by added text, the running footer left out, the changed areas outlined, and
PDFs poppler cannot read reported, never raised. The whole path through real manuals is
tests/test_pr_report.py."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from kb.print.pagediff import (
    Line,
    PdfPage,
    align,
    changed_areas,
    compare_downloads,
    page_keys,
    running_lines,
    side_by_side,
)


def test_a_page_moved_by_added_text_is_aligned_with_itself():
    assert align(["cover", "one", "two"], ["cover", "new", "one", "two"]) == [(0, 0), (None, 1), (1, 2), (2, 3)]
    assert align(["cover", "one", "two"], ["cover", "two"]) == [(0, 0), (1, None), (2, 1)]
    # an edited page is compared with the page it was
    assert align(["cover", "one", "two"], ["cover", "one edited", "two"]) == [(0, 0), (1, 1), (2, 2)]


def _page(*lines: tuple[str, float]) -> PdfPage:
    return PdfPage(595, 842, tuple(Line(text, (0.1, y, 0.9, y + 0.02)) for text, y in lines))


def test_the_running_footer_is_not_part_of_what_a_page_says():
    pages = [_page(("Chapter text one", 0.3), ("Page 1 of 2 · edition 1a2b", 0.95)),
             _page(("Chapter text two", 0.3), ("Page 2 of 2 · edition 1a2b", 0.95))]
    running = running_lines(pages)
    assert running == [{1}, {1}]
    assert page_keys(pages, running) == ["Chapter text one", "Chapter text two"]
    # a line at the foot of one page only is the author's, not a running footer
    single = [_page(("Body", 0.3), ("A note at the foot", 0.95)), _page(("Body two", 0.3))]
    assert running_lines(single) == [set(), set()]


def test_the_changed_area_is_outlined_and_an_unchanged_page_has_none():
    before = Image.new("RGB", (200, 280), "white")
    after = before.copy()
    ImageDraw.Draw(after).rectangle((50, 60, 80, 70), fill="black")
    assert changed_areas(before, before.copy()) == []
    (area,) = changed_areas(before, after)
    assert area[0] <= 50 and area[1] <= 60 and area[2] >= 80 and area[3] >= 70
    assert area[2] - area[0] < 60 and area[3] - area[1] < 40  # around the change, not the whole page
    picture = side_by_side(before, after, [area])
    assert picture.size == (2 * 200 + 16, 280)
    assert picture.getpixel((area[0] + 216, area[1])) == (220, 0, 0)  # outlined on the after page too
    added = side_by_side(None, after, [])
    assert added.getpixel((100, 140)) == (225, 225, 225)  # no page before: a grey sheet


def _raster_pdf(path: Path, pages: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sheets = [Image.new("RGB", (210, 297), "white") for _ in range(pages)]
    sheets[0].save(path, save_all=True, append_images=sheets[1:])
    return path


def test_a_pdf_poppler_cannot_read_is_a_problem_named_not_a_traceback(tmp_path: Path):
    base, head = tmp_path / "base", tmp_path / "head"
    _raster_pdf(base / "manual-a-en.pdf", 1)
    (head / "manual-a-en.pdf").parent.mkdir(parents=True)
    (head / "manual-a-en.pdf").write_bytes(b"%PDF-1.7\nnot really a PDF\n")
    _raster_pdf(base / "handouts/en/b.pdf", 1)
    _raster_pdf(head / "handouts/en/b.pdf", 2)
    result = compare_downloads(base, head, tmp_path / "out", max_images=10)
    assert [(p.document, p.code) for p in result.problems] == [("manual-a-en.pdf", "unreadable")]
    assert result.problems[0].detail.startswith("after: ")
    # the other document is still compared: its second page is new
    (doc,) = result.documents
    assert doc.document == "handouts/en/b.pdf" and [(p.kind, p.before, p.after) for p in doc.pages] == [("added", None, 2)]
    assert (tmp_path / "out" / doc.pages[0].image).is_file()


def test_the_picture_limit_lists_further_pages_without_a_picture(tmp_path: Path):
    base, head = tmp_path / "base", tmp_path / "head"
    _raster_pdf(base / "p.pdf", 1)
    _raster_pdf(head / "p.pdf", 3)
    result = compare_downloads(base, head, tmp_path / "out", max_images=1)
    (doc,) = result.documents
    assert [p.image is not None for p in doc.pages] == [True, False]
    assert (result.images, result.omitted) == (1, 1)


def test_a_build_without_downloads_is_a_problem(tmp_path: Path):
    (tmp_path / "head").mkdir()
    result = compare_downloads(tmp_path / "base", tmp_path / "head", tmp_path / "out", max_images=10)
    assert [(p.document, p.code) for p in result.problems] == [("base", "no-downloads")]


def test_a_document_that_looks_the_same_leaves_nothing_for_the_next(tmp_path: Path):
    # a.pdf: other bytes (its title), the same three pages; b.pdf, compared next, gains a page
    base, head = tmp_path / "base", tmp_path / "head"
    for folder, title in ((base, "before"), (head, "after")):
        sheets = [Image.new("RGB", (210, 297), "white") for _ in range(3)]
        folder.mkdir(parents=True)
        sheets[0].save(folder / "a.pdf", save_all=True, append_images=sheets[1:], title=title)
    _raster_pdf(base / "b.pdf", 1)
    _raster_pdf(head / "b.pdf", 2)
    result = compare_downloads(base, head, tmp_path / "out", max_images=10)
    assert result.problems == []
    (doc,) = result.documents
    assert doc.document == "b.pdf" and [(p.kind, p.before, p.after) for p in doc.pages] == [("added", None, 2)]
