"""The fixes around WeasyPrint's write_pdf (kb/print/manual/internals.py). The cached pydyf page references:
the same references as pydyf's own property at every page count, built once per page count instead
of once per read, and a tagged PDF whose structure elements point at the same pages as without the
fix. The released layout state: the style resolver an SVG image kept alive is freed, and the PDF
draws the same."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import pydyf
import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject
from weasyprint import HTML

from kb.print.manual import internals

pytestmark = pytest.mark.pdf  # renders PDFs with WeasyPrint: not in the fast lane


@pytest.fixture
def uncached(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydyf as released, whatever an earlier test or render installed."""
    monkeypatch.setattr(pydyf.PDF, "page_references", internals._released or pydyf.PDF.__dict__["page_references"])
    monkeypatch.setattr(internals, "_released", None)


def test_references_are_pydyfs_and_built_once_per_page_count(uncached: None, monkeypatch: pytest.MonkeyPatch) -> None:
    released = pydyf.PDF.page_references.fget
    pdf = pydyf.PDF()
    expected = [released(pdf)]
    for _ in range(5):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        expected.append(released(pdf))
    assert internals.cache_page_references()
    builds = {"n": 0}
    real = internals._released.fget

    def counted(pdf_: pydyf.PDF) -> tuple[bytes, ...]:
        builds["n"] += 1
        return real(pdf_)

    monkeypatch.setattr(internals, "_released", property(counted))
    fresh = pydyf.PDF()
    seen = [fresh.page_references]
    for _ in range(5):
        fresh.add_page(pydyf.Dictionary({"Type": "/Page"}))
        for _ in range(50):  # what tagging does: many reads per page
            references = fresh.page_references
        seen.append(references)
    assert seen == expected
    assert builds["n"] == 6
    assert internals.cache_page_references()  # installing twice changes nothing
    assert pydyf.PDF.page_references.fget is internals._cached_page_references


def test_an_unknown_pydyf_is_left_alone(uncached: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pydyf.PDF, "page_references", property(lambda self: ()))
    assert not internals.cache_page_references()
    assert pydyf.PDF.page_references.fget is not internals._cached_page_references


def structure_pages(pdf: bytes) -> list[tuple[str, int]]:
    """(role, page index) of every structure element, in tree order."""
    reader = PdfReader(io.BytesIO(pdf))
    index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    out: list[tuple[str, int]] = []
    stack = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if "/Pg" in node:
            out.append((str(node["/S"]), index[node.raw_get("/Pg").idnum]))
        kids = node.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        # kids are structure elements, or marked-content ids (integers) on the element's page
        stack += [kid.get_object() for kid in reversed(kids) if isinstance(kid, IndirectObject)]
    return out


def test_tagged_pdf_points_at_the_same_pages(uncached: None) -> None:
    sections = "".join(f"<section style='break-before: page'><h1>Part {i}</h1><p>Text {i}.</p>"
                       f"<ul><li>item {i}</li></ul></section>" for i in range(4))
    html = f"<html lang='en'><head><title>t</title></head><body>{sections}</body></html>"
    released = structure_pages(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
    assert internals.cache_page_references()
    cached = structure_pages(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
    assert cached == released
    assert {page for _, page in cached} == {0, 1, 2, 3}


SVG = ("<svg xmlns='http://www.w3.org/2000/svg' width='200' height='80'><rect width='200' height='80' fill='#00695c'/>"
       "<text x='10' y='50' font-size='20'>figure text</text></svg>")


def svg_document(tmp_path: Path) -> HTML:
    (tmp_path / "figure.svg").write_text(SVG, encoding="utf-8")
    sections = "".join(f"<section style='break-before: page'><h1>Part {i}</h1><p>Text {i}.</p>"
                       f"<img src='figure.svg' alt='figure {i}'></section>" for i in range(3))
    html = f"<html lang='en'><head><title>t</title></head><body>{sections}</body></html>"
    return HTML(string=html, base_url=tmp_path.as_uri() + "/")


def test_layout_state_is_released_and_the_pdf_is_the_same(tmp_path: Path) -> None:
    from weasyprint.css import StyleFor

    def style_resolvers() -> int:
        gc.collect()
        return sum(isinstance(o, StyleFor) for o in gc.get_objects())

    elsewhere = style_resolvers()  # other tests' documents still alive in this process
    kept = svg_document(tmp_path).render()
    released = svg_document(tmp_path).render()
    assert style_resolvers() == elsewhere + 2  # the SVG images keep each document's alive
    assert internals.release_layout_state(released)
    assert style_resolvers() == elsewhere + 1  # only the other document's
    before, after = kept.write_pdf(pdf_variant="pdf/ua-1"), released.write_pdf(pdf_variant="pdf/ua-1")
    pages = [PdfReader(io.BytesIO(pdf)).pages for pdf in (before, after)]
    assert [p.get_contents().get_data() for p in pages[0]] == [p.get_contents().get_data() for p in pages[1]]
    text = "".join(page.extract_text() for page in pages[1])
    assert text.count("figure text") == 3 and "Part 2" in text


def test_a_document_without_images_has_nothing_to_release(tmp_path: Path) -> None:
    document = HTML(string="<html lang='en'><title>t</title><p>text</p></html>").render()
    assert not internals.release_layout_state(document)
