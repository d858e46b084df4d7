"""The PDF renders keep within the memory budget (kb.yml print.memory_mb): jobs whose estimated
peaks (kb.print.manual.schedule.estimate_mb) do not fit together are not rendered at the same time, and
a job estimated over half the budget runs in a process of its own, whose peak memory is measured."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from kb.print.manual.render import RenderJob
from kb.print.manual.schedule import estimate_mb, render_all

pytestmark = pytest.mark.pdf  # renders PDFs with WeasyPrint: not in the fast lane


def jobs(tmp_path: Path, padding: int) -> list[RenderJob]:
    css = tmp_path / "page.css"
    css.write_text("body { font-family: 'Noto Sans CJK SC'; }", encoding="utf-8")
    out = []
    for name in ("first", "second", "third"):
        # the padding (an HTML comment) makes the estimate big without making the render slow
        html = (f"<html lang='en'><head><title>{name}</title></head><body><!-- {'x' * padding} -->"
                f"<p>Document {name}</p></body></html>")
        out.append(RenderJob(html, tmp_path.as_uri() + "/", (str(css),), str(tmp_path / "out" / f"{name}.pdf"), name))
    return out


def overlaps(summary) -> int:
    spans = sorted((o.started, o.ended) for o in summary.rendered)
    return sum(1 for (_, end), (start, _) in zip(spans, spans[1:], strict=False) if start < end)


def test_jobs_that_do_not_fit_the_budget_together_render_one_after_the_other(tmp_path: Path) -> None:
    big = jobs(tmp_path, 1_000_000)  # ~600 MB each by the estimate
    assert 550 < estimate_mb(big[0]) < 700
    summary = render_all(big, tmp_path / "cache-a", workers=2, memory_budget_mb=1000)
    assert len(summary.rendered) == 3 and overlaps(summary) == 0
    for job in big:
        assert PdfReader(job.output).pages[0].extract_text().strip() == f"Document {job.name}"


def test_jobs_that_fit_the_budget_render_side_by_side(tmp_path: Path) -> None:
    small = jobs(tmp_path, 10)
    summary = render_all(small, tmp_path / "cache-b", workers=2, memory_budget_mb=1500)
    assert len(summary.rendered) == 3 and all(Path(j.output).is_file() for j in small)
    assert overlaps(summary) >= 1  # two workers, two ~200 MB jobs at once
