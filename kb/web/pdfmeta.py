"""The pages that offer a PDF (the downloads pages, a module's handout, a programme's manual) say how
big it is and how many pages it has, so a reader on a slow line knows before downloading. The pages
are written before the PDFs exist (the generator renders them first): the finish stage fills in each
`<span class="kb-pdf-meta" data-file="downloads/…">` afterwards, from the file itself (pikepdf counts
the pages). A file that is not there keeps the plain "(PDF)"."""

from __future__ import annotations

import re
from pathlib import Path

from kb.project.fsutil import write_atomic

META_RE = re.compile(r'<span class="kb-pdf-meta" data-file="(?P<file>[^"<>]+)">\(PDF(?P<extra>[^)<]*)\)</span>')


def size_text(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(1, round(size / 1000))} KB"


def annotate(site_dir: Path, pages_word: dict[str, str], languages: tuple[str, ...], default_language: str) -> int:
    """Fill the PDF facts into every downloads page; return how many links got them."""
    import pikepdf  # only a build that made PDFs fills their facts (docs/adr/0018-heavy-libraries-load-when-used.md)

    filled = 0
    facts: dict[str, tuple[str, int]] = {}  # file -> (size, pages): each PDF opened once
    for page in sorted(site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8", errors="replace")
        if 'class="kb-pdf-meta"' not in html:
            continue
        first = page.relative_to(site_dir).parts[0]
        lang = first if first in languages and first != default_language else default_language

        def fill(match: re.Match[str], lang: str = lang) -> str:
            nonlocal filled
            file = match.group("file")
            path = (site_dir / file).resolve()
            if site_dir.resolve() not in path.parents or not path.is_file():
                return match.group(0)
            if file not in facts:
                try:
                    with pikepdf.open(path) as pdf:
                        count = len(pdf.pages)
                except (pikepdf.PdfError, OSError):
                    return match.group(0)
                facts[file] = (size_text(path.stat().st_size), count)
            size, count = facts[file]
            filled += 1
            return (f'<span class="kb-pdf-meta" data-file="{file}">(PDF{match.group("extra")}, {size}, '
                    f'{pages_word.get(lang, "{n} pages").format(n=count)})</span>')

        new = META_RE.sub(fill, html)
        if new != html:
            write_atomic(page, new.encode("utf-8"))
    return filled
