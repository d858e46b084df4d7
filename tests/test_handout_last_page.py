"""A handout whose last page would hold only a few lines is laid out a little tighter when that saves
the page (kb/print/manual/render.py: tighten_end, SHORT_END_LINES); a fuller last page is left alone.
The scale reaches the layout through the print stylesheets' --kb-type-scale (a <style> in the
document would lose to them), which the panels' fit to one page uses too."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from kb.print.manual.render import MANUAL_STYLES, SHORT_END_LINES, RenderJob, render_job

pytestmark = pytest.mark.pdf

CSS = str(MANUAL_STYLES / "content.css")


def _job(tmp_path: Path, lines: int, *, tighten: bool) -> RenderJob:
    body = "".join(f"<p>Handout line {i + 1}.</p>" for i in range(lines))
    html = f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>{body}</body></html>'
    return RenderJob(html=html, base_url=tmp_path.as_uri() + "/", stylesheets=(CSS,), output=str(tmp_path / "h.pdf"),
                     tighten_end=tighten)


def _per_page(tmp_path: Path) -> int:
    """How many one-line paragraphs the first page holds at the normal size."""
    pdf, _, _, _ = render_job(_job(tmp_path, 400, tighten=False))
    first = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    return sum(1 for line in first.splitlines() if line.startswith("Handout line"))


def test_a_near_empty_last_page_is_pulled_back_onto_the_page_before(tmp_path: Path) -> None:
    per_page = _per_page(tmp_path)
    spill = 3  # three lines on a second page
    plain = render_job(_job(tmp_path, per_page + spill, tighten=False))
    assert plain[1] == 2
    pdf, pages, _, scale = render_job(_job(tmp_path, per_page + spill, tighten=True))
    assert pages == 1 and scale < 1.0
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert f"Handout line {per_page + spill}." in text  # nothing lost


def test_a_last_page_with_more_than_a_few_lines_is_left_as_it_is(tmp_path: Path) -> None:
    per_page = _per_page(tmp_path)
    _, pages, _, scale = render_job(_job(tmp_path, per_page + SHORT_END_LINES + 12, tighten=True))
    assert pages == 2 and scale == 1.0


def test_a_panel_too_long_for_its_page_is_set_smaller_until_it_fits(tmp_path: Path) -> None:
    body = "".join(f"<p>Panel line {i + 1}.</p>" for i in range(20))
    html = f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>{body}</body></html>'
    size = tmp_path / "size.css"  # the panel's trim size comes from kb.yml through its template; a small one here
    size.write_text("@page { size: 400mm 600mm; margin: 20mm }", encoding="utf-8")
    job = RenderJob(html=html, base_url=tmp_path.as_uri() + "/", stylesheets=(str(MANUAL_STYLES / "panel.css"), str(size)),
                    output=str(tmp_path / "p.pdf"), fit_one_page=True)
    pdf, pages, _, scale = render_job(job)
    assert pages == 1 and scale < 1.0
    assert "Panel line 20." in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
