"""Render jobs to PDF with WeasyPrint: fonts checked first, results cached by a hash of everything
that goes into a render, cache misses rendered in parallel processes, every file written atomically."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from kb.print.manual.errors import FontMissingError
from kb.print.manual.internals import (
    bleed_box_finisher,
    body_lines,
    cache_page_references,
    fill_page_slots,
    release_layout_state,
)

log = logging.getLogger("mkdocs.hooks.kb.manual")
CJK_FAMILY = "Noto Sans CJK SC"
INSTALL_HINT = "install Debian's fonts-noto-cjk: `sudo apt-get install fonts-noto-cjk`"
# Every PDF is written as PDF/UA-1: tagged (structure tree, /MarkInfo /Marked), /Lang from <html lang>,
# DisplayDocTitle in the viewer preferences; bookmarks come from the stylesheets. Part of the cache key.
PDF_OPTIONS: dict[str, str] = {"pdf_variant": "pdf/ua-1"}
FIT_SCALES = (1.0, 0.92, 0.84, 0.76, 0.68, 0.6)  # root font-size tried for one-page documents (panels)
# A handout whose last page would hold only a few lines is laid out again a little tighter, and the
# tighter layout is kept when it saves that page (a sheet carrying seven lines wastes paper and looks
# unfinished). The type shrinks by at most 10 %: still above the handout's minimum size.
SHORT_END_LINES = 8
TIGHTEN_SCALES = (0.95, 0.9)
# "(see page N)" after a link between chapters: the stylesheet prints this slot, which the renderer
# widens to a run of zeros as wide as the longest page number can be (the digits of Noto Sans CJK SC
# are all 555 units wide), lays the document out ONCE, then writes each number into its slot
# (fill_page_slots). WeasyPrint's own target-counter() would lay out again every page that holds a
# forward reference (nearly all pages of a manual whose modules link to each other and to their answers).
PAGE_SLOT = "kb-page-slot"
BYTES_PER_PAGE_AT_LEAST = 2000  # the benchmark's manuals: 3,400-4,300 bytes of HTML per PDF page
_GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "inherit", "initial"}


class RenderJob(NamedTuple):
    """Everything a worker process needs (picklable)."""

    html: str
    base_url: str
    stylesheets: tuple[str, ...]
    output: str
    name: str = ""
    fit_one_page: bool = False       # shrink the type until the document fits on one page (panels)
    tighten_end: bool = False        # lay out tighter when the last page holds only a few lines (handouts)
    resources: tuple[str, ...] = ()  # local files the HTML loads (images): part of the cache key
    bleed_mm: float = 0.0            # press bleed around the trim box (panels): the PDF BleedBox
    site_root: str = ""              # the built site, when base_url is a page folder inside it: files the job may load
    parts: tuple[str, ...] = ()      # a big manual: the HTML of its parts, rendered apart and merged (kb.print.manual.parts)
    version: str = ""                # what the merge prints as the manual's version
    version_chars: str = ""          # what else than hex digits a version can be made of (the words of version_text)


@dataclass
class Outcome:
    job: RenderJob
    rendered: bool            # False: copied from the cache
    pages: int | None = None  # known when rendered, or read from the cache's record
    seconds: float = 0.0
    scale: float = 1.0
    started: float = 0.0      # wall clock (time.time()) when the render began and ended; 0 when reused
    ended: float = 0.0
    parts: tuple[int, int] | None = None  # a manual in parts: (parts rendered, parts reused)


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rendered(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.rendered]

    @property
    def reused(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.rendered]


# --- fonts --------------------------------------------------------------------------------------------------------
def _fc_list(*args: str) -> str:
    try:
        out = subprocess.run(["fc-list", *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise FontMissingError(f"fontconfig's fc-list could not be run ({exc}); {INSTALL_HINT} (it brings fontconfig)") from None
    return out.stdout


def require_cjk_font() -> None:
    """The Chinese text needs Noto Sans CJK SC; without it WeasyPrint would print empty boxes."""
    families = {name.strip() for line in _fc_list(":lang=zh-cn", "family").splitlines() for name in line.split(",")}
    if CJK_FAMILY not in families:
        raise FontMissingError(
            f"the font \"{CJK_FAMILY}\" is not installed (fc-list ':lang=zh-cn' family does not list it); "
            f"the Chinese PDFs would print empty boxes. To fix it, {INSTALL_HINT}"
        )


def font_families(stylesheets: tuple[str, ...]) -> list[str]:
    """Every font family named in the stylesheets' font-family declarations."""
    found: set[str] = set()
    for path in stylesheets:
        for m in re.finditer(r"font-family\s*:\s*([^;}]+)", Path(path).read_text(encoding="utf-8")):
            for name in m.group(1).split(","):
                name = name.strip().strip("\"'").strip()
                if name and name.lower() not in _GENERIC_FAMILIES and not name.startswith("var("):
                    found.add(name)
    return sorted(found)


def font_identity(stylesheets: tuple[str, ...]) -> str:
    """The installed files of those families (path, size, mtime): a font update invalidates the cache."""
    lines = []
    for family in font_families(stylesheets):
        files = sorted(set(_fc_list("--format", "%{file}\n", family).split()))
        for f in files:
            try:
                st = os.stat(f)
            except OSError:
                continue
            lines.append(f"{family}|{f}|{st.st_size}|{st.st_mtime_ns}")
        if not files:
            lines.append(f"{family}|missing")
    return "\n".join(lines)


# --- cache ----------------------------------------------------------------------------------------------------------
MANUAL_STYLES = Path(__file__).resolve().parents[3] / "overrides" / "manual"


def closed_fetcher(base_url: str = "", stylesheets: tuple[str, ...] = (), site_root: str = "") -> URLFetcher:
    """WeasyPrint's fetcher, closed: file: URLs only when their real path (symlinks resolved) is
    inside the built site or the manual's stylesheet folders, data: URLs only for images. Everything
    else (other files, http(s), data: documents, ../ escapes) is refused and logged."""
    roots = {os.path.realpath(MANUAL_STYLES)} | {os.path.realpath(Path(css).parent) for css in stylesheets}
    if site_root:
        roots.add(os.path.realpath(site_root))
    elif base_url.startswith("file:"):
        roots.add(os.path.realpath(url2pathname(unquote(urlsplit(base_url).path))))

    class ClosedFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None):  # type: ignore[override]
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data" and url[5:].lstrip().lower().startswith("image/"):
                return super().fetch(url, headers)
            if scheme == "file":
                real = os.path.realpath(url2pathname(unquote(urlsplit(url).path)))
                if any(real == root or real.startswith(root + os.sep) for root in roots):
                    return super().fetch(url, headers)
            log.warning("kb manual: refused to load %s (outside the built site)", url[:200])
            raise ValueError(f"kb: refused to load {url[:200]}")

    return ClosedFetcher(allowed_protocols={"file", "data"})


def render_job(job: RenderJob) -> tuple[bytes, int, float, float]:
    """Render one job in this process: (PDF bytes, page count, seconds, type scale used)."""
    start = time.perf_counter()
    fetcher = closed_fetcher(job.base_url, job.stylesheets, job.site_root)
    styles = [CSS(filename=path, url_fetcher=fetcher) for path in job.stylesheets]
    scales = FIT_SCALES if job.fit_one_page else (1.0,)
    for scale in scales:
        document = _layout(job.html, job, fetcher, _scaled(styles, scale))
        if len(document.pages) <= 1:
            break
    if job.tighten_end and not job.fit_one_page and len(document.pages) > 1 \
            and body_lines(document.pages[-1]) <= SHORT_END_LINES:
        for tighter in TIGHTEN_SCALES:
            candidate = _layout(job.html, job, fetcher, _scaled(styles, tighter))
            if len(candidate.pages) < len(document.pages):
                document, scale = candidate, tighter
                break
    ready_to_write(document)
    pdf = document.write_pdf(finisher=bleed_box_finisher(job.bleed_mm) if job.bleed_mm else None, **PDF_OPTIONS)
    return pdf, len(document.pages), time.perf_counter() - start, scale


def _scaled(styles: list[CSS], scale: float) -> list[CSS]:
    """The stylesheets with the type scaled: the project's print stylesheets size the root font as
    calc(<size> * var(--kb-type-scale, 1)); a stylesheet given to the renderer wins over a <style>
    in the document, so the scale is one more stylesheet, last."""
    return styles if scale == 1.0 else [*styles, CSS(string=f":root {{ --kb-type-scale: {scale:g} }}")]


def _layout(html: str, job: RenderJob, fetcher: URLFetcher, styles: list[CSS]) -> Any:
    """One layout of *html* with its page-number slots filled (as render_job does)."""
    slot = "0" * len(str(max(9, len(html.encode("utf-8")) // BYTES_PER_PAGE_AT_LEAST)))
    sloted = html.replace(f'"{PAGE_SLOT}"', f'"{slot}"')
    document = HTML(string=sloted, base_url=job.base_url, url_fetcher=fetcher).render(stylesheets=styles)
    if sloted != html and not fill_page_slots(document, slot):
        # a page number wider than its slot (the estimate was short): WeasyPrint's own page references
        native = html.replace(f'"{PAGE_SLOT}"', "target-counter(attr(href), page)")
        document = HTML(string=native, base_url=job.base_url, url_fetcher=fetcher).render(stylesheets=styles)
    return document


def ready_to_write(document: Any) -> None:
    """What every render does between layout and write_pdf (a whole document or a part)."""
    # No file ever travels inside a PDF: no attachments, whatever the HTML asked for.
    document.metadata.attachments = []
    for page in document.pages:
        page.links[:] = [link for link in page.links if link[0] != "attachment"]
    release_layout_state(document)  # what only layout needed, kept alive by SVG images (kb/print/manual/internals.py)
    cache_page_references()  # PDF/UA tagging is quadratic in the pages without it (kb/print/manual/internals.py)


def slot_digits(html: str) -> int:
    """How many digits a page-number slot of a manual in parts holds: as many as the longest page
    number can have, and at least two (a merge that finds a longer number renders the manual whole)."""
    return len(str(max(99, len(html.encode("utf-8")) // BYTES_PER_PAGE_AT_LEAST)))
