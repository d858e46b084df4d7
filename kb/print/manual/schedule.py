"""Render many documents: the cache first, then the misses in parallel processes within a memory
budget, a big manual in parts (kb.print.manual.parts) whose parts are merged once the render
processes are gone. One document's render is kb.print.manual.render."""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import weasyprint

from kb.print.manual.errors import RenderError
from kb.print.manual.parts import MergeError, PartFacts, merge_parts, render_part
from kb.print.manual.render import (
    PDF_OPTIONS,
    Outcome,
    RenderJob,
    Summary,
    font_identity,
    render_job,
    slot_digits,
)
from kb.project.fsutil import write_atomic

log = logging.getLogger("mkdocs.hooks.kb.manual")

CACHE_VERSION = b"kb-manual-cache/3"  # bumped when the renderer prints differently
CACHE_MAX_AGE_DAYS = 30  # cached PDFs not used for this long are deleted


def cache_key(job: RenderJob, engine_version: str, fonts: str) -> str:
    h = hashlib.sha256(CACHE_VERSION)
    options = ",".join(f"{k}={v}" for k, v in sorted(PDF_OPTIONS.items()))
    for part in (engine_version, fonts, job.base_url, "fit" if job.fit_one_page else "tight-end" if job.tighten_end else "flow", options, f"bleed={job.bleed_mm}", f"root={job.site_root}"):
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


def _part_job(job: RenderJob, index: int, html: str) -> RenderJob:
    return job._replace(html=html, output=f"{job.output}#part{index + 1}", name=f"{job.name} part {index + 1}/{len(job.parts)}",
                        parts=(), version="")


def _part_key(part: RenderJob, digits: int, engine_version: str, fonts: str) -> str:
    h = hashlib.sha256(PARTS_VERSION)
    h.update(f"\0{cache_key(part, engine_version, fonts)}\0digits={digits}\0{part.version_chars}".encode())
    return h.hexdigest()


def _timed_part(part: RenderJob, digits: int, font_store: str) -> tuple[tuple[bytes, str, int, float], float, float]:
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
