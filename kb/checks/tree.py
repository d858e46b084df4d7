"""Rules that need the whole tree: missing translations, links and images, deliverables, event series,
skewed answer keys."""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kb.checks import Context, finding
from kb.checks.page import page_anchors, page_gaps
from kb.checks.report import DeliverableState, DeliverableStatus
from kb.content.knowledge import ANSWERS_ID, choice_answers
from kb.content.pages import Page, iso_date
from kb.project.data import Deliverable, first_lines
from kb.project.findings import Finding

# Files the build writes: links to them are valid although they are not in docs/.
GENERATED_PREFIXES = ("downloads/", "status.json", "review/")


def check_missing_translation(page: Page, counterpart_exists: bool, ctx: Context) -> list[Finding]:
    if page.text is None:
        return []
    reason = page.translation_none
    if counterpart_exists:
        if reason is not None:
            return [finding("missing-translation", "none-but-exists", page, page.line_of("translation"))]
        return []
    if reason:
        return []
    others = ", ".join(f"{ctx.docs_dir}/{lang}/{page.rel}" for lang in ctx.languages if lang != page.lang)
    code = "missing-fallback" if page.lang == ctx.default_language else "missing-no-fallback"
    return [finding("missing-translation", code, page, 1, expected=others)]


def check_links(page: Page, pages_by_path: dict[str, Page], ctx: Context) -> list[Finding]:
    """broken-link and missing-image: relative targets must exist (in this language, or in the
    default language, which the build falls back to), anchors must exist in the target page."""
    out: list[Finding] = []
    base = posixpath.dirname(page.path)
    lang_root = f"{ctx.docs_dir}/{page.lang}/"
    for link in page.links:
        href = link.href.strip()
        if link.ref and not href:
            out.append(finding("broken-link", "undefined-reference", page, link.line, text=link.text, label=link.label))
            continue
        if not href:
            if not link.image:
                out.append(finding("broken-link", "empty", page, link.line, text=link.text))
            continue
        parts = urlsplit(href)
        if parts.scheme in ("http", "https") or href.startswith("//"):
            if link.image:  # the site must load nothing from outside (slow or blocked networks)
                out.append(finding("missing-image", "external", page, link.line, src=href))
            continue
        if parts.scheme:  # mailto:, tel: (pii covers them), javascript: (unsafe-html covers it)
            continue
        if href.startswith("#"):
            anchor = unquote(href[1:])
            if anchor and not _has_anchor(page, anchor, ctx):
                out.append(finding("broken-link", "anchor", page, link.line, href=href, target=page.path))
            continue
        target_rel = unquote(parts.path)
        if target_rel.startswith("/"):
            out.append(finding("broken-link", "absolute", page, link.line, href=href))
            continue
        target = posixpath.normpath(posixpath.join(base, target_rel))
        rel_in_lang = target[len(lang_root):] if target.startswith(lang_root) else None
        if rel_in_lang is not None and rel_in_lang.startswith(GENERATED_PREFIXES):
            continue
        candidates = [target]
        if rel_in_lang is not None:
            candidates.append(f"{ctx.docs_dir}/{ctx.default_language}/{rel_in_lang}")
        if target.endswith("/") or not posixpath.splitext(target)[1]:
            candidates = [posixpath.join(c, "index.md") for c in candidates] + [c + ".md" for c in candidates]
        found = next((c for c in candidates if c in ctx.files), None)
        if found is None:
            if link.image:
                out.append(finding("missing-image", "missing", page, link.line, src=href, resolved=target))
            else:
                out.append(finding("broken-link", "missing", page, link.line, href=href, resolved=target))
            continue
        if parts.fragment and found.endswith(".md"):
            other = pages_by_path.get(found)
            if other is not None and other.text is not None and not _has_anchor(other, unquote(parts.fragment), ctx):
                out.append(finding("broken-link", "anchor", page, link.line, href=href, target=found))
    return out


def _has_anchor(page: Page, anchor: str, ctx: Context) -> bool:
    """Whether the rendered page has an element with this id (headings, attribute lists, footnotes,
    HTML): kb.checks.page.page_anchors."""
    return anchor in page_anchors(page, ctx)


# --- deliverables -------------------------------------------------------------------------------------------
def deliverable_status(item: Deliverable, pages: dict[str, Page], ctx: Context) -> DeliverableStatus:
    """What is present, missing and approved for one deliverable, per language."""
    present, missing, unapproved = [], [], []
    for rel in item.pages:
        for lang in item.languages:
            path = f"{ctx.docs_dir}/{lang}/{rel}"
            page = pages.get(path)
            if page is None or page.text is None:
                missing.append(path)
                continue
            present.append(path)
            if not ctx.is_approved(page):
                unapproved.append(path)
    events_needed = events_held = 0
    if item.events:
        kind, track = item.events.kind, item.events.track
        events_needed = item.events.count
        default_root = f"{ctx.docs_dir}/{ctx.default_language}/"
        for path, page in pages.items():
            ev = page.meta.get("event") if page.text is not None else None
            if (path.startswith(default_root) and isinstance(ev, dict) and ev.get("kind") == kind
                    and ev.get("status") == "held" and page.track == track):
                events_held += 1
    gaps = sum(len(page_gaps(pages[p], ctx)) for p in present if p in pages)
    complete = not missing and not unapproved and events_held >= events_needed and gaps == 0
    overdue = item.due is not None and item.due < ctx.today and not complete
    if complete:
        state = DeliverableState.COMPLETE
    elif overdue:
        state = DeliverableState.OVERDUE
    elif missing or events_held < events_needed:
        state = DeliverableState.MISSING if not present else DeliverableState.INCOMPLETE
    else:
        state = DeliverableState.INCOMPLETE
    return DeliverableStatus(
        id=item.id, programme=item.programme, title=item.title.model_dump(), source=item.source,
        due=item.due.isoformat() if item.due else None, languages=tuple(item.languages),
        state=state, present=tuple(present), missing=tuple(missing), unapproved=tuple(unapproved),
        gaps=gaps, events_needed=events_needed, events_held=events_held,
    )


def check_deliverables(items: list[Deliverable], pages: dict[str, Page], ctx: Context, path: str,
                       lines: dict[str, int]) -> tuple[list[Finding], list[DeliverableStatus]]:
    out: list[Finding] = []
    rows: list[DeliverableStatus] = []
    for item in items:
        row = deliverable_status(item, pages, ctx)
        rows.append(row)
        line = lines.get(item.id, 1)
        title = item.title.en
        for missing in row.missing:
            out.append(finding("deliverables", "page-missing", path, line, id=item.id, title=title, page=missing))
        if row.events_held < row.events_needed:
            out.append(finding("deliverables", "events-short", path, line, id=item.id, title=title,
                               held=row.events_held, needed=row.events_needed))
        if row.state == DeliverableState.OVERDUE:
            # A warning while drafting (the status page shows it in red); release mode refuses it.
            overdue = finding("deliverables", "overdue", path, line, id=item.id, title=title, due=row.due,
                              today=ctx.today.isoformat())
            out.append(replace(overdue, severity="error" if ctx.release else "warning"))
    return out, rows


# --- event series: what the terms of reference ask of several events together ------------------------------
def _held_events(pages: dict[str, Page], ctx: Context, programme: str, kind: str) -> list[tuple[Page, dict]]:
    """Held events of *kind* in *programme*, from the default language's pages (one per pair)."""
    root = f"{ctx.docs_dir}/{ctx.default_language}/"
    out = []
    for path, page in sorted(pages.items()):
        ev = page.meta.get("event") if page.text is not None else None
        if (path.startswith(root) and page.type == "event" and isinstance(ev, dict) and ev.get("kind") == kind
                and ev.get("status") == "held" and page.track == programme):
            out.append((page, ev))
    return out


def check_event_series(pages: dict[str, Page], ctx: Context, path: str, lines: dict[str, int]) -> list[Finding]:
    """Combined viewers of a programme's livestreams, and trainings per calendar year
    (data/event-thresholds.yml `combined` and `per_year`). *path*/*lines*: the thresholds file and
    the line of each programme in it, where a finding about events that do not exist yet points."""
    out: list[Finding] = []
    for (programme, kind), limits in sorted(ctx.data.event_thresholds.items()):
        held = _held_events(pages, ctx, programme, kind)
        if limits.combined is not None and len(held) >= limits.combined.count:
            counts = [ev.get("viewers") for _, ev in held]
            if all(isinstance(v, int) for v in counts):
                total = sum(counts)  # type: ignore[arg-type]
                if total < limits.combined.viewers_min:
                    last = max(held, key=lambda pe: str(pe[1].get("date")))[0]
                    out.append(finding("event-series", "combined-viewers", last, last.line_of("event"), kind=kind,
                                       programme=programme, total=total, min=limits.combined.viewers_min,
                                       count=len(held), pages=", ".join(p.path for p, _ in held)))
        if limits.per_year is not None:
            by_year: dict[int, int] = {}
            for _, ev in held:
                day = iso_date(ev.get("date"))
                if day is not None:
                    by_year[day.year] = by_year.get(day.year, 0) + 1
            line = lines.get(programme, 1)
            for year in range(limits.per_year.first_year, limits.per_year.last_year + 1):
                count = by_year.get(year, 0)
                if count >= limits.per_year.held_min:
                    continue
                if year < ctx.today.year:  # like an overdue deliverable: a warning while drafting, refused in release
                    short = finding("event-series", "year-short", path, line, kind=kind, programme=programme,
                                    year=year, held=count, min=limits.per_year.held_min)
                    out.append(replace(short, severity="error" if ctx.release else "warning"))
                elif year == ctx.today.year:
                    out.append(finding("event-series", "year-open", path, line, kind=kind, programme=programme,
                                       year=year, held=count, min=limits.per_year.held_min))
    return out


def event_series_lines(path: Path) -> dict[str, int]:
    """The line of each programme's block in data/event-thresholds.yml."""
    return first_lines(path, r"^([A-Za-z][\w-]*):")


# --- answer keys ----------------------------------------------------------------------------------------
# A key is skewed when one letter is the answer to more than half of at least SKEW_MIN_ANSWERS
# single-choice questions: with four options a trainee who always guesses that letter then scores more
# than half, twice what guessing should give, and learns to guess the letter instead of the content.
SKEW_MIN_ANSWERS = 6
SKEW_SHARE = 0.5


def _skewed(letters: list[str]) -> tuple[str, int] | None:
    if len(letters) < SKEW_MIN_ANSWERS:
        return None
    letter, count = sorted(Counter(letters).items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return (letter, count) if count > SKEW_SHARE * len(letters) else None


def _counts(letters: list[str]) -> str:
    return ", ".join(f"{letter} {n}" for letter, n in sorted(Counter(letters).items()))


def check_answer_key_skew(pages: dict[str, Page], ctx: Context) -> list[Finding]:
    """The single-choice answers of each module's answers section ({#answers}), per module and per
    programme and language: one letter answering more than half of them (SKEW_*) is reported at the
    answers heading (for a programme: of the module that gives that letter most often)."""
    out: list[Finding] = []
    by_track: dict[tuple[str, str], list[tuple[Page, list[str]]]] = {}
    for path in sorted(pages):
        page = pages[path]
        if page.type != "module" or page.text is None or page.refusal is not None:
            continue
        letters = [a.letter for a in choice_answers(page)]
        if not letters:
            continue
        by_track.setdefault((page.lang, page.track or "general"), []).append((page, letters))
        heading = next(h for h in page.headings if h.id == ANSWERS_ID)
        skew = _skewed(letters)
        if skew is not None:
            out.append(finding("answer-key-skew", "module", page, heading.line, letter=skew[0], count=skew[1],
                               total=len(letters), counts=_counts(letters)))
    for (_lang, track), modules in sorted(by_track.items()):
        letters = [letter for _, found in modules for letter in found]
        skew = _skewed(letters)
        if skew is None or len(modules) < 2:  # one module alone: reported above
            continue
        page = max(modules, key=lambda pm: (pm[1].count(skew[0]), -modules.index(pm)))[0]
        heading = next(h for h in page.headings if h.id == ANSWERS_ID)
        out.append(finding("answer-key-skew", "programme", page, heading.line, letter=skew[0], count=skew[1],
                           total=len(letters), counts=_counts(letters), programme=track, modules=len(modules)))
    return out


# --- the navigation and what a page belongs to ----------------------------------------------------------------------
def check_navigation(pages: dict[str, Page], ctx: Context, nav: tuple[frozenset[str], int] | None,
                     deliverables: list[Deliverable]) -> list[Finding]:
    """What the site's structure leaves out or contradicts: a page outside the navigation (readers find
    it only by a link; the manual and its handout leave it out), a track that is not the programme its
    folder names, a training module that no deliverable lists."""
    out: list[Finding] = []
    tracks = set(ctx.data.model.tracks)
    delivered = {page for item in deliverables for page in item.pages}
    root = f"{ctx.docs_dir}/{ctx.default_language}/"
    for path, page in sorted(pages.items()):
        if page.text is None or page.meta_error:
            continue
        folder = page.rel.split("/", 1)[0] if "/" in page.rel else ""
        if folder in tracks and page.track and page.track != folder:
            out.append(finding("navigation", "track-folder", page, page.line_of("track"), track=page.track,
                               folder=folder, rel=page.rel))
        if not path.startswith(root):
            continue  # a pair is listed once, by its default-language page
        if nav is not None and page.rel not in nav[0] and "template" not in page.meta:
            out.append(finding("navigation", "not-in-nav", page, 1, rel=page.rel, line=nav[1]))
        if page.type == "module" and page.rel not in delivered:
            out.append(finding("navigation", "module-without-deliverable", page, page.line_of("type"), rel=page.rel,
                               track=page.track or "-"))
    return out
