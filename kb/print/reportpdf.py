"""The pull-request report's HTML (kb.build.prreport) as a PDF, through the same closed WeasyPrint
fetcher as the manuals: it loads only the files beside the report (its page pictures), nothing else."""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML

from kb.print.manual.render import closed_fetcher
from kb.project.fsutil import write_atomic


def write_report_pdf(html_file: Path, pdf_file: Path) -> None:
    """Render *html_file* to *pdf_file*. Raises whatever WeasyPrint raises; the caller reports it."""
    fetcher = closed_fetcher(site_root=str(html_file.parent.resolve()))
    pdf = HTML(filename=str(html_file), url_fetcher=fetcher).write_pdf()
    write_atomic(pdf_file, pdf)
