"""'(see page N)' after links between chapters: the renderer lays a document out once and writes the
numbers into their slots (kb.print.manual.internals.fill_page_slots), instead of WeasyPrint laying out again
every page that holds a forward reference; a number wider than its slot falls back to WeasyPrint's
target-counter(). Checked in the PDF text and the link annotations, and by counting WeasyPrint's
page layouts (make_page calls) in this process."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from kb.print.manual import render
from kb.print.manual.assemble import css_page_slot
from kb.print.manual.render import RenderJob, render_job

pytestmark = pytest.mark.pdf  # renders PDFs with WeasyPrint: not in the fast lane


def document(chapters: int) -> str:
    see = css_page_slot(" (see page {page})")
    body = []
    for i in range(1, chapters + 1):
        target = chapters if i == 1 else 1  # chapter 1 points forward to the last, the others back to the first
        body.append(f'<section id="ch{i}" style="break-before: page"><h1>Chapter {i}</h1>'
                    f'<p>Text of chapter {i}. <a class="kb-xref" href="#ch{target}">Chapter {target}</a> again.</p></section>')
    return (f"<html lang='en'><head><title>refs</title><style>a.kb-xref::after {{ content: {see}; }}</style></head>"
            f"<body>{''.join(body)}</body></html>")


def laid_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, html: str) -> tuple[list[str], int, Path]:
    import weasyprint.layout.page as page_layout

    calls = {"n": 0}
    real = page_layout.make_page

    def counted(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(page_layout, "make_page", counted)
    css = tmp_path / "page.css"
    css.write_text("@page { size: A6; } body { font-family: 'Noto Sans CJK SC'; }", encoding="utf-8")
    pdf, pages, _, _ = render_job(RenderJob(html, tmp_path.as_uri() + "/", (str(css),), str(tmp_path / "out.pdf")))
    out = tmp_path / "out.pdf"
    out.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    texts = [" ".join(page.split()) for page in text.split("\f")[:-1]]  # white space squashed
    assert len(texts) == pages
    return texts, calls["n"], out


def test_forward_references_get_their_page_from_one_layout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pages, layouts, pdf = laid_out(monkeypatch, tmp_path, document(4))
    assert len(pages) == 4 and layouts == 4  # every page laid out once
    assert "Chapter 4 (see page 4)" in pages[0]
    for n in (2, 3, 4):
        assert "Chapter 1 (see page 1)" in pages[n - 1]
    assert "000" not in "".join(pages) and "kb-page-slot" not in "".join(pages)
    # the link still leads to its chapter
    annots = [a.get_object() for a in PdfReader(pdf).pages[0].get("/Annots", [])]
    assert any("/Dest" in a or a.get("/A", {}).get("/S") == "/GoTo" for a in annots)


def test_a_number_wider_than_its_slot_falls_back_to_weasyprints_references(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    monkeypatch.setattr(render, "BYTES_PER_PAGE_AT_LEAST", 10**9)  # a one-digit slot, for a 12-page document
    pages, layouts, _ = laid_out(monkeypatch, tmp_path, document(12))
    assert len(pages) == 12 and layouts > 12  # the one-pass layout, then WeasyPrint's
    assert "Chapter 12 (see page 12)" in pages[0]
    assert "Chapter 1 (see page 1)" in pages[11]


def test_unused_digits_of_a_slot_are_taken_out_of_the_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(render, "BYTES_PER_PAGE_AT_LEAST", 1)  # a slot of many digits, for one-digit page numbers
    html = document(4).replace(" again.</p>", ' again, <a href="#ch3">onwards</a>.</p>', 1)
    _, layouts, pdf = laid_out(monkeypatch, tmp_path, html)
    assert layouts == 4
    words = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    boxes = {m.group(3): (float(m.group(1)), float(m.group(2)))
             for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]+)</word>', words)}
    gap = boxes["again,"][0] - boxes["4)"][1]
    between_words = boxes["page"][0] - boxes["(see"][1]
    assert gap < 1.5 * between_words, (gap, between_words)  # no run of blank digits after the number
    # the link after the reference moved with its text: its clickable area starts where the word does
    word = re.search(r'<word xMin="([\d.]+)"[^>]*>onwards', words)
    assert word is not None
    page = PdfReader(pdf).pages[0]
    rects = [[float(v) for v in a.get_object()["/Rect"]] for a in page.get("/Annots", [])]
    assert any(abs(r[0] - float(word.group(1))) < 2 for r in rects), (rects, word.group(1))


def test_back_references_before_a_link_get_their_page_from_the_same_layout(monkeypatch: pytest.MonkeyPatch,
                                                                            tmp_path: Path) -> None:
    """The answers appendix opens each module's answers with "Exercises on page N" (a.kb-backref::before):
    the same slots, so the chapters it points back to are not laid out again either."""
    before = css_page_slot("Exercises on page {page}")
    html = document(4).replace("</style>", f" a.kb-backref::before {{ content: {before}; }}</style>", 1).replace(
        "</body>", '<section id="answers" style="break-before: page"><h1>Answers</h1>'
                   '<p><a class="kb-backref" href="#ch3"></a></p><p>B.</p>'
                   '<p><a class="kb-backref" href="#ch2"></a></p><p>C.</p></section></body>', 1)
    pages, layouts, _ = laid_out(monkeypatch, tmp_path, html)
    assert len(pages) == 5 and layouts == 5
    assert "Exercises on page 3" in pages[4] and "Exercises on page 2" in pages[4]
    assert "000" not in pages[4]
