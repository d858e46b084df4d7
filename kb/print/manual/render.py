"""Render jobs to PDF with WeasyPrint: fonts checked first, results cached by a hash of everything
that goes into a render, cache misses rendered in parallel processes, every file written atomically."""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import multiprocessing
import os
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from kb.print.manual.errors import FontMissingError, RenderError
from kb.print.manual.pdfwriter import cache_page_references, release_layout_state
from kb.project.fsutil import write_atomic

log = logging.getLogger("mkdocs.hooks.kb.manual")
CJK_FAMILY = "Noto Sans CJK SC"
INSTALL_HINT = "install Debian's fonts-noto-cjk: `sudo apt-get install fonts-noto-cjk`"
CACHE_VERSION = b"kb-manual-cache/3"  # bumped when the renderer prints differently
# Every PDF is written as PDF/UA-1: tagged (structure tree, /MarkInfo /Marked), /Lang from <html lang>,
# DisplayDocTitle in the viewer preferences; bookmarks come from the stylesheets. Part of the cache key.
PDF_OPTIONS: dict[str, str] = {"pdf_variant": "pdf/ua-1"}
CACHE_MAX_AGE_DAYS = 30  # cached PDFs not used for this long are deleted
FIT_SCALES = (1.0, 0.92, 0.84, 0.76, 0.68, 0.6)  # root font-size tried for one-page documents (panels)
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


def harfbuzz_subsetting() -> bool:
    """Does WeasyPrint subset fonts with HarfBuzz (fast) rather than fontTools (slow for CJK)?"""
    from weasyprint.text import ffi

    return getattr(ffi, "harfbuzz_subset", None) is not None


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
def cache_key(job: RenderJob, engine_version: str, fonts: str) -> str:
    h = hashlib.sha256(CACHE_VERSION)
    options = ",".join(f"{k}={v}" for k, v in sorted(PDF_OPTIONS.items()))
    for part in (engine_version, fonts, job.base_url, "fit" if job.fit_one_page else "flow", options, f"bleed={job.bleed_mm}", f"root={job.site_root}"):
        h.update(b"\0" + part.encode("utf-8"))
    for path in job.stylesheets:
        h.update(b"\0css\0" + Path(path).name.encode() + b"\0" + Path(path).read_bytes())
    for path in job.resources:
        p = Path(path)
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "missing"
        h.update(f"\0res\0{path}\0{digest}".encode())
    h.update(b"\0html\0" + job.html.encode("utf-8"))
    return h.hexdigest()


def _read_cached(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        return None
    return data


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _cached_pages(path: Path) -> int | None:
    try:
        return int(path.with_suffix(".pages").read_text())
    except (OSError, ValueError):
        return None


def prune_cache(cache_dir: Path, keep: set[str], max_age_days: int = CACHE_MAX_AGE_DAYS) -> int:
    if not cache_dir.is_dir():
        return 0
    limit = time.time() - max_age_days * 86400
    removed = 0
    for path in (cache_dir / "fonts").glob("*.font"):  # the font files a merge of parts subsets (kb.print.manual.parts)
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass
    for path in cache_dir.glob("*.pdf"):
        if path.stem in keep:
            continue
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                path.with_suffix(".pages").unlink(missing_ok=True)
                path.with_suffix(".facts.json").unlink(missing_ok=True)
                removed += 1
        except OSError:
            pass
    return removed


# --- rendering ------------------------------------------------------------------------------------------------------
MANUAL_STYLES = Path(__file__).resolve().parents[3] / "overrides" / "manual"


def _fetcher(base_url: str = "", stylesheets: tuple[str, ...] = (), site_root: str = ""):
    """WeasyPrint's fetcher, closed: file: URLs only when their real path (symlinks resolved) is
    inside the built site or the manual's stylesheet folders, data: URLs only for images. Everything
    else (other files, http(s), data: documents, ../ escapes) is refused and logged."""
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    from weasyprint.urls import URLFetcher

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
    from weasyprint import CSS, HTML

    start = time.perf_counter()
    fetcher = _fetcher(job.base_url, job.stylesheets, job.site_root)
    styles = [CSS(filename=path, url_fetcher=fetcher) for path in job.stylesheets]
    scales = FIT_SCALES if job.fit_one_page else (1.0,)
    for scale in scales:
        html = job.html
        if scale != 1.0:
            html = html.replace("</head>", f"<style>html {{ font-size: {scale * 100:.0f}% }}</style></head>", 1)
        slot = "0" * len(str(max(9, len(html.encode("utf-8")) // BYTES_PER_PAGE_AT_LEAST)))
        sloted = html.replace(f'"{PAGE_SLOT}"', f'"{slot}"')
        document = HTML(string=sloted, base_url=job.base_url, url_fetcher=fetcher).render(stylesheets=styles)
        if sloted != html and not fill_page_slots(document, slot):
            # a page number wider than its slot (the estimate was short): WeasyPrint's own page references
            native = html.replace(f'"{PAGE_SLOT}"', "target-counter(attr(href), page)")
            document = HTML(string=native, base_url=job.base_url, url_fetcher=fetcher).render(stylesheets=styles)
        if len(document.pages) <= 1:
            break
    ready_to_write(document)
    pdf = document.write_pdf(finisher=_bleed_box(job.bleed_mm) if job.bleed_mm else None, **PDF_OPTIONS)
    return pdf, len(document.pages), time.perf_counter() - start, scale


def ready_to_write(document: object) -> None:
    """What every render does between layout and write_pdf (a whole document or a part)."""
    # No file ever travels inside a PDF: no attachments, whatever the HTML asked for.
    document.metadata.attachments = []  # type: ignore[attr-defined]
    for page in document.pages:  # type: ignore[attr-defined]
        page.links[:] = [link for link in page.links if link[0] != "attachment"]
    release_layout_state(document)  # what only layout needed, kept alive by SVG images (kb/print/manual/pdfwriter.py)
    cache_page_references()  # PDF/UA tagging is quadratic in the pages without it (kb/print/manual/pdfwriter.py)


def fill_page_slots(document: object, slot: str) -> bool:
    """Write the page number of each "(see page N)" link's target into its slot, in the laid-out
    document (the digits share one width; a shorter number gives the unused digits back to the
    line: _close_up_slots). False, with nothing changed, when a number does
    not fit its slot or a target is missing: the caller lays the document out the usual way."""
    from weasyprint.formatting_structure.boxes import TextBox

    pages_of: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):  # type: ignore[attr-defined]
        for name in page.anchors:
            pages_of.setdefault(name, number)
    found: list[tuple[object, str]] = []
    for page in document.pages:  # type: ignore[attr-defined]
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if not isinstance(box, TextBox) or slot not in box.text or element is None:
                continue
            classes = (element.get("class") or "").split()
            # "(see page N)" after a cross-reference, "answers to the exercises on page N" before a back-reference
            if not (("kb-xref" in classes and box.element_tag.endswith("::after"))
                    or ("kb-backref" in classes and box.element_tag.endswith("::before"))):
                continue
            href = element.get("href") or ""
            number = pages_of.get(href[1:]) if href.startswith("#") else None
            if number is None or len(str(number)) > len(slot):
                return False
            found.append((box, str(number)))
    shrink: dict[int, float] = {}
    for box, number in found:
        box.text = box.text.replace(slot, number, 1)  # type: ignore[attr-defined]
        box.pango_layout.text = box.pango_layout.text.replace(slot, number, 1)  # type: ignore[attr-defined]
        if len(number) < len(slot):
            shrink[id(box)] = (len(slot) - len(number)) * DIGIT_ADVANCE_EM * box.style["font_size"]  # type: ignore[attr-defined]
    if shrink:
        _close_up_slots(document, shrink)
    return True


DIGIT_ADVANCE_EM = 0.555  # Noto Sans CJK SC: every digit is 555 of its 1000 units wide


def _close_up_slots(document: object, shrink: dict[int, float]) -> None:
    """The unused digits of a slot are taken out of its line: the text box narrows, what follows
    it on the line moves left by as much, and the page's link areas are gathered again from the
    moved boxes. (A justified line ends that much short of the margin.)"""
    from weasyprint.anchors import gather_anchors
    from weasyprint.formatting_structure.boxes import InlineBox, LineBox

    def close_up(parent: object) -> float:
        lost = 0.0
        for child in getattr(parent, "children", ()):
            if lost:
                child.translate(-lost, 0)
            own = shrink.get(id(child))
            if own is None and isinstance(child, InlineBox):
                own = close_up(child) or None
            if own:
                child.width -= own
                lost += own
        return lost

    for page in document.pages:  # type: ignore[attr-defined]
        moved = False
        for line in page._page_box.descendants():
            if isinstance(line, LineBox):
                moved = bool(close_up(line)) or moved
        if moved:
            page.anchors.clear()
            page.links.clear()
            page.bookmarks.clear()
            page.forms.clear()
            page.forms[None] = []
            gather_anchors(page._page_box, page.anchors, page.links, page.bookmarks, page.forms)


def _bleed_box(bleed_mm: float) -> Callable:
    """WeasyPrint sets the PDF BleedBox at most 10 pt outside the TrimBox; the printer needs the real
    bleed. (The CSS bleed area is twice as wide when crop marks are drawn: they sit in its outer half.)"""
    bleed = bleed_mm * 72 / 25.4

    def finish(document: object, pdf: object) -> None:
        import pydyf

        for obj in pdf.objects:  # type: ignore[attr-defined]
            if isinstance(obj, pydyf.Dictionary) and "TrimBox" in obj:
                left, top, right, bottom = obj["TrimBox"]
                obj["BleedBox"] = pydyf.Array([left - bleed, top - bleed, right + bleed, bottom + bleed])

    return finish


def _pool_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


# Peak memory of one render (MB) ~ BASE + PER_HTML_MB x the HTML's size in MB (UTF-8): fitted on the
# benchmark's manuals (bench/pdf.py: 0.3 MB of HTML -> ~310 MB, 4.8 MB -> ~2,030 MB peak;
# WeasyPrint keeps every laid-out page until the PDF is written).
RENDER_BASE_MB = 200.0
RENDER_MB_PER_HTML_MB = 400.0


def estimate_mb(job: RenderJob) -> float:
    """The peak memory a render of *job* is expected to need (MB)."""
    return RENDER_BASE_MB + RENDER_MB_PER_HTML_MB * len(job.html.encode("utf-8")) / 1e6


def _timed(job: RenderJob) -> tuple[tuple[bytes, int, float, float], float, float]:
    """render_job with the wall-clock times it started and ended (when renders overlapped)."""
    started = time.time()
    result = render_job(job)
    return result, started, time.time()


def _render_alone(job: RenderJob) -> tuple[tuple[bytes, int, float, float], float, float]:
    """A big render in a process of its own, which exits afterwards and gives its memory back
    (a pool worker would keep the heap of the biggest document it laid out)."""
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=_pool_context()) as pool:
        return pool.submit(_timed, job).result()


PARTS_VERSION = b"kb-manual-parts/2"  # bumped when a part is rendered or recorded differently


def slot_digits(html: str) -> int:
    """How many digits a page-number slot of a manual in parts holds: as many as the longest page
    number can have, and at least two (a merge that finds a longer number renders the manual whole)."""
    return len(str(max(99, len(html.encode("utf-8")) // BYTES_PER_PAGE_AT_LEAST)))


def _part_job(job: RenderJob, index: int, html: str) -> RenderJob:
    return job._replace(html=html, output=f"{job.output}#part{index + 1}", name=f"{job.name} part {index + 1}/{len(job.parts)}",
                        parts=(), version="")


def _part_key(part: RenderJob, digits: int, engine_version: str, fonts: str) -> str:
    h = hashlib.sha256(PARTS_VERSION)
    h.update(f"\0{cache_key(part, engine_version, fonts)}\0digits={digits}\0{part.version_chars}".encode())
    return h.hexdigest()


def _timed_part(part: RenderJob, digits: int, font_store: str) -> tuple[tuple[bytes, str, int, float], float, float]:
    from kb.print.manual.parts import render_part

    started = time.time()
    pdf, facts, seconds = render_part(part, digits, Path(font_store))
    return (pdf, facts.to_json(), facts.pages, seconds), started, time.time()


def _done_future(fn: Callable, *args: object) -> concurrent.futures.Future:
    """A finished future of fn(*args): one worker renders in this process, in the same loop."""
    future: concurrent.futures.Future = concurrent.futures.Future()
    try:
        future.set_result(fn(*args))
    except Exception as exc:
        future.set_exception(exc)
    return future


@dataclass
class _Parted:
    """A manual rendered in parts: what is known of its parts so far."""

    job: RenderJob
    keys: list[str]
    digits: int
    done: dict[int, tuple[bytes, str]] = field(default_factory=dict)  # part index -> (PDF, facts JSON)
    rendered: int = 0
    started: float = 0.0
    seconds: float = 0.0


@dataclass
class _Task:
    """A render to run: a whole document, or one part of a manual in parts."""

    job: RenderJob                 # for a part: the part's own job (kb.print.manual.parts.render_part)
    manual: _Parted | None = None  # the manual a part belongs to
    index: int = 0                 # which part


def render_all(jobs: list[RenderJob], cache_dir: Path, *, on_done: Callable[[Outcome], None] | None = None,
               workers: int | None = None, memory_budget_mb: float | None = None) -> Summary:
    """Write every job's PDF, from the cache when the same input was rendered before.

    Jobs are rendered in the order given (put the big ones first), at most *workers* at a time and,
    with *memory_budget_mb*, only as many together as their estimated peaks (estimate_mb) fit in it:
    a job that would exceed it waits for running ones to finish (one over the whole budget runs
    alone). Jobs estimated over half the budget render in a process of their own. A manual with
    parts has each part rendered (or reused from the cache) as a job of its own, and its parts
    merged once the render processes are gone; if they cannot be merged it is rendered whole. A failed job
    leaves its output file as it was; the others are still written; RenderError lists the failures
    at the end."""
    import weasyprint

    start = time.perf_counter()
    summary = Summary()
    fonts = font_identity(tuple(sorted({css for job in jobs for css in job.stylesheets if Path(css).is_file()})))
    font_store = cache_dir / "fonts"
    failures: list[tuple[str, str]] = []
    keys: dict[str, str] = {}
    used_keys: set[str] = set()
    pending: list[_Task] = []
    parted: list[_Parted] = []
    for job in jobs:
        try:
            keys[job.output] = cache_key(job, weasyprint.__version__, fonts)
        except OSError as exc:  # a stylesheet that cannot be read
            failures.append((job.output, f"{type(exc).__name__}: {exc}"))
            continue
        used_keys.add(keys[job.output])
        cached = cache_dir / f"{keys[job.output]}.pdf"
        data = _read_cached(cached)
        if data is None:
            if not job.parts:
                pending.append(_Task(job))
                continue
            digits = slot_digits(job.html)
            manual = _Parted(job, [], digits)
            parted.append(manual)
            for index, html in enumerate(job.parts):
                part = _part_job(job, index, html)
                key = _part_key(part, digits, weasyprint.__version__, fonts)
                manual.keys.append(key)
                used_keys.add(key)
                pdf = _read_cached(cache_dir / f"{key}.pdf")
                facts = _read_text(cache_dir / f"{key}.facts.json")
                if pdf is not None and facts is not None:
                    manual.done[index] = (pdf, facts)
                    os.utime(cache_dir / f"{key}.pdf")
                else:
                    pending.append(_Task(part, manual, index))
            continue
        write_atomic(Path(job.output), data)
        os.utime(cached)  # recently used: kept by prune_cache
        outcome = Outcome(job, rendered=False, pages=_cached_pages(cached))
        summary.outcomes.append(outcome)
        if on_done:
            on_done(outcome)

    def finish(job: RenderJob, timed: tuple[tuple[bytes, int, float, float], float, float],
               parts: tuple[int, int] | None = None) -> None:
        (pdf, pages, seconds, scale), started, ended = timed
        key = keys[job.output]
        write_atomic(cache_dir / f"{key}.pdf", pdf)
        write_atomic(cache_dir / f"{key}.pages", str(pages))
        write_atomic(Path(job.output), pdf)
        outcome = Outcome(job, rendered=True, pages=pages, seconds=seconds, scale=scale, started=started, ended=ended,
                          parts=parts)
        summary.outcomes.append(outcome)
        if on_done:
            on_done(outcome)

    def merge(manual: _Parted) -> None:
        """All parts are there: merge them (in this process), or render the manual whole."""
        from kb.print.manual.parts import MergeError, PartFacts, merge_parts

        t0 = time.perf_counter()
        started = manual.started or time.time()
        try:
            parts = [(pdf, PartFacts.from_json(facts)) for _, (pdf, facts) in sorted(manual.done.items())]
            pdf = merge_parts(parts, manual.job.version, font_store)
        except MergeError as exc:
            log.warning("kb manual: %s: the parts could not be merged (%s); rendering it whole", manual.job.name, exc)
            pending.insert(0, _Task(manual.job._replace(parts=())))
            return
        pages = sum(f.pages for _, f in parts)
        finish(manual.job, ((pdf, pages, manual.seconds + time.perf_counter() - t0, 1.0), started, time.time()),
               parts=(manual.rendered, len(manual.done) - manual.rendered))

    def completed(task: _Task, future: concurrent.futures.Future) -> None:
        try:
            manual = task.manual
            if manual is None:
                finish(task.job, future.result())
                return
            (pdf, facts, _pages, seconds), started, _ended = future.result()
            key = manual.keys[task.index]
            write_atomic(cache_dir / f"{key}.pdf", pdf)
            write_atomic(cache_dir / f"{key}.facts.json", facts)
            manual.done[task.index] = (pdf, facts)
            manual.rendered += 1
            manual.seconds += seconds
            manual.started = min(manual.started or started, started)
            if len(manual.done) == len(manual.job.parts):
                ready.append(manual)
        except Exception as exc:
            failures.append((task.job.output if task.manual is None else task.manual.job.output, f"{type(exc).__name__}: {exc}"))

    # Manuals whose parts are all there are merged once the render processes are gone: the merge of
    # a 1,000-page manual needs ~700 MB, which would come on top of the workers' heaps.
    ready: list[_Parted] = [m for m in parted if len(m.done) == len(m.job.parts)]
    # the parts of the manuals first (they take longest), then the rest in the order given
    pending.sort(key=lambda task: 0 if task.manual is not None else 1)

    def submit(task: _Task, pool: concurrent.futures.Executor | None, alone: concurrent.futures.Executor | None,
               big: float) -> concurrent.futures.Future:
        if task.manual is not None:
            args: tuple = (_timed_part, task.job, task.manual.digits, str(font_store))
        else:
            args = (_timed, task.job)
        if pool is None:
            return _done_future(*args)
        if task.manual is None and estimate_mb(task.job) > big and alone is not None:
            return alone.submit(_render_alone, task.job)
        return pool.submit(*args)

    def run(pending: list[_Task]) -> None:
        n = min(len(pending), workers or os.cpu_count() or 1)
        if n <= 1:
            while pending:
                task = pending.pop(0)
                completed(task, submit(task, None, None, float("inf")))
        else:
            big = (memory_budget_mb or float("inf")) / 2
            running: dict[concurrent.futures.Future, tuple[_Task, float]] = {}
            with concurrent.futures.ProcessPoolExecutor(max_workers=n, mp_context=_pool_context()) as pool, \
                    concurrent.futures.ThreadPoolExecutor(max_workers=n) as alone:
                while pending or running:
                    for task in list(pending):  # start what fits, in order
                        if len(running) >= n:
                            break
                        est = estimate_mb(task.job)
                        used = sum(e for _, e in running.values())
                        if running and memory_budget_mb is not None and used + est > memory_budget_mb:
                            continue
                        pending.remove(task)
                        running[submit(task, pool, alone, big)] = (task, est)
                    if not running:
                        continue
                    done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
                    for future in done:
                        task, _ = running.pop(future)
                        completed(task, future)

    while True:
        run(pending)
        if not ready:
            break
        while ready:
            merge(ready.pop(0))  # a manual that cannot be merged goes back to pending, whole
        if not pending:
            break
    prune_cache(cache_dir, used_keys)
    summary.seconds = time.perf_counter() - start
    if failures:
        raise RenderError(failures)
    return summary
