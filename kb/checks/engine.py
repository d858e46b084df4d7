"""The check engine: load the tree once, run every rule, resolve messages, build the report.
Called by the CLI (./scripts/check), the MkDocs hook and the status page; holds no MkDocs code."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import kb.checks.figure
import kb.checks.language
import kb.checks.lesson
import kb.checks.page
import kb.checks.pair
import kb.checks.structure
import kb.checks.video
from kb.checks import Context, Pair, Scope, registered
from kb.checks.approval import findings as approval_findings
from kb.checks.assets import personal_data_in_assets
from kb.checks.lesson import check_agendas
from kb.checks.page import cached_renders, markdown_config, render_results
from kb.checks.pair import orient
from kb.checks.report import CheckMemo, PairState, Report, TranslationState, count_findings
from kb.checks.tree import (
    check_answer_key_skew,
    check_deliverables,
    check_event_series,
    check_links,
    check_missing_translation,
    check_navigation,
    event_series_lines,
)
from kb.content import rendercache
from kb.content.boundary import check_path, read_checked, walk
from kb.content.pages import Page, body_hash, parse_page
from kb.content.rendercache import RenderResult
from kb.content.siteconfig import check_report_problem, nav_pages
from kb.content.sourcediff import source_diff
from kb.content.structure import structure_digest
from kb.project.data import Limits, ProjectData, first_lines
from kb.project.findings import Catalog, Finding, Localised, sort_findings
from kb.project.git import Git
from kb.project.settings import Settings
from kb.trust import approvals as approvals_mod

# The rule modules. A rule registers itself with @rule(Scope.PAGE) or @rule(Scope.PAIR) when its module
# is imported (kb/checks/__init__.py); importing them here, in one place, is what makes
# registered(scope) hold every rule wherever the engine runs. A new rule module is added to this tuple
# (tests/test_registry.py fails for a registered rule whose module is not listed). The rules run in
# the order their modules are first imported; the report does not depend on it (sort_findings).
RULE_MODULES = (kb.checks.page, kb.checks.language, kb.checks.video, kb.checks.figure, kb.checks.pair,
                kb.checks.structure, kb.checks.lesson)


def discover(settings: Settings, limits: Limits | None = None) -> tuple[dict[str, Page], frozenset[str], list[Finding]]:
    """Parse every Markdown page under docs/<lang>/ and list every file under docs/ that may be read
    (kb.content.boundary); what may not be read is a finding, and its file is not listed."""
    limits = limits or Limits()
    pages: dict[str, Page] = {}
    files: set[str] = set()
    refused: list[Finding] = []
    docs = settings.docs_path
    if not docs.is_dir():
        return pages, frozenset(), refused
    for path, is_dir_link in walk(docs):
        rel_repo = path.relative_to(settings.root).as_posix()
        rel_docs = path.relative_to(docs).as_posix()
        lang, _, rel = rel_docs.partition("/")
        is_page = lang in settings.languages and rel.endswith(".md") and not is_dir_link
        raw, refusal = read_checked(path, docs, limits, page=is_page) if (is_page or path.suffix.lower() == ".svg"
                                                                          or is_dir_link) else (None, check_path(path, docs))
        if refusal is not None:
            refused.append(Finding(refusal.rule, refusal.code, rel_repo, refusal.line, dict(refusal.params)))
            continue
        files.add(rel_repo)
        if is_page:
            pages[rel_repo] = parse_page(rel_repo, lang, rel, raw or b"", limits)
    return pages, frozenset(files), refused


def make_context(settings: Settings, data: ProjectData, files: frozenset[str], release: bool) -> Context:
    return Context(
        data=data, today=settings.today, release=release, files=files,
        default_language=settings.default_language, languages=settings.languages,
        email_allowlist_domains=settings.email_allowlist_domains, docs_dir=settings.docs_dir,
        manuals=dict(settings.manuals),
    )


def _entry_lines(path: Path) -> dict[str, int]:
    """The line of each deliverable's id in data/deliverables.yml."""
    return first_lines(path, r"^\s*-?\s*id:\s*([\w-]+)")


def pair_state(source: Page | None, target: Page | None, hash_length: int) -> TranslationState:
    if source is None or target is None:
        return TranslationState.MISSING
    tr = target.translation
    if target.translation_none is not None or source.translation_none is not None:
        return TranslationState.SINGLE
    if not isinstance(tr, dict) or "hash" not in tr:
        return TranslationState.UNTRACKED
    if source.text is None:
        return TranslationState.MISSING
    current = str(tr.get("hash")) == body_hash(source.text, hash_length)
    return TranslationState.CURRENT if current else TranslationState.STALE


def run(settings: Settings, data: ProjectData | None = None, *, release: bool | None = None,
        lang: str = "en", only: Iterable[str] | None = None, workers: int | None = None,
        memo: CheckMemo | None = None) -> Report:
    """Every check over the project. *workers*: processes that run the page and pair checks
    (default: every core; the build's background check passes 1, MkDocs having the other core);
    *memo*: findings of the last run in this process, reused for pages that did not change.

    The page and pair rules are the registered ones (run_page_and_pair_checks). The project-wide
    steps stay explicit steps here, because each needs more than one page or pair: a page's
    counterparts (missing translations), every page's anchors (links across pages), every pair's
    approvals, every page (deliverables, event series), or no page at all (report-problem, mkdocs.yml)."""
    data = data or ProjectData(settings)
    data.validate()  # every data file against its schema, all mistakes at once (exit 2 in the CLI)
    release = settings.release if release is None else release
    pages, files, refused = discover(settings, data.limits)
    ctx = make_context(settings, data, files, release)
    raw: list[Finding] = list(refused)
    # translation pairs, keyed by the path relative to docs/<lang>/
    by_rel: dict[str, dict[str, Page]] = {}
    for page in pages.values():
        by_rel.setdefault(page.rel, {})[page.lang] = page
    pairs: list[PairState] = []
    groups: list[tuple[str, Page, Page | None]] = []  # (rel, source, target) for the approvals
    checked_pairs: list[Pair] = []
    for rel in sorted(by_rel):
        group = by_rel[rel]
        for page in group.values():
            others = [lang for lang in settings.languages if lang != page.lang]
            # project-wide: whether the page's counterparts exist
            raw.extend(check_missing_translation(page, all(o in group for o in others), ctx))
        if len(group) == 2:
            a, b = group.values()
            source, target = orient(a, b, ctx)
            if not (source.meta_error or target.meta_error):
                checked_pairs.append(Pair(source, target))
            pairs.append(PairState(rel, source.path, target.path, pair_state(source, target, data.model.hash_length)))
            groups.append((rel, source, target))
        else:
            (page,) = group.values()
            groups.append((rel, page, None))
            state = TranslationState.SINGLE if page.translation_none else TranslationState.MISSING
            pairs.append(PairState(rel, page.path, None, state))
    cache_path = rendercache.cache_file(settings.root) if settings.check_cache and not release else None
    config = rendercache.config_digest(markdown_config(settings.root)) if cache_path is not None else ""
    if cache_path is not None:
        cached_renders(ctx).update(rendercache.load(cache_path, config))
    # the registered rules: registered(Scope.PAGE) on each page, registered(Scope.PAIR) on each pair
    if memo is not None:
        memo.start(structure_digest(settings, pages))
        raw.extend(memoised_page_and_pair_checks(list(pages.values()), checked_pairs, ctx, memo))
    else:
        raw.extend(run_page_and_pair_checks(list(pages.values()), checked_pairs, ctx,
                                            (os.cpu_count() or 1) if workers is None else workers))
    # project-wide: links across pages, after every page is rendered (a link's #fragment names another page's id)
    for page in pages.values():
        if page.refusal is None and page.text is not None:
            raw.extend(check_links(page, pages, ctx))
    if cache_path is not None:
        fresh = {rendercache.body_digest(body): result for body, result in render_results(ctx).values()}
        if fresh != cached_renders(ctx):
            rendercache.save(cache_path, config, fresh)
    # project-wide: the approvals of every pair, then what the approved pages deliver and the event series
    approved = approvals_mod.compute(settings, data, groups)
    raw.extend(approval_findings(approved, pages, ctx))
    ctx.approved_paths = frozenset(path for pair in approved.values() if pair.approved for path in pair.paths.values())
    deliverables_path = settings.data_path / "deliverables.yml"
    found, rows = check_deliverables(data.deliverables, pages, ctx,
                                     deliverables_path.relative_to(settings.root).as_posix(),
                                     _entry_lines(deliverables_path))
    raw.extend(found)
    thresholds_path = settings.data_path / "event-thresholds.yml"
    raw.extend(check_event_series(pages, ctx, thresholds_path.relative_to(settings.root).as_posix(),
                                  event_series_lines(thresholds_path)))
    raw.extend(check_answer_key_skew(pages, ctx))  # single-choice answers across each programme's modules
    # project-wide: each training's session plan against the modules it names (their minutes)
    raw.extend(check_agendas(pages, ctx))
    # project-wide: personal data in what is served or printed besides pages (assets, file names, glossary)
    raw.extend(personal_data_in_assets(ctx, settings.root, settings.data_path / "glossary.yml", data.glossary))
    # project-wide: pages outside the navigation, tracks against folders, modules no deliverable lists
    raw.extend(check_navigation(pages, ctx, nav_pages(settings.root / "mkdocs.yml"), data.deliverables))
    raw.extend(check_report_problem(settings.root / "mkdocs.yml"))  # "Report a problem" still lacks FECO's address
    catalog = Catalog(data.rules, lang)
    raw = with_source_diffs(raw, settings, data, pages)  # a stale translation: what changed in its source
    resolved = [catalog.resolve(localised(f, data)) for f in raw]
    if only is not None:
        prefixes = tuple(p.rstrip("/") for p in only)
        # a pair's finding shows under either page's path: the translator checks the page they edited
        resolved = [f for f in resolved if any(path == p or path.startswith(p + "/")
                                               for path in (f.path, *f.pair) for p in prefixes)]
    findings = sort_findings(resolved)
    counts = count_findings(findings)
    return Report(settings=settings, findings=findings, pages=pages, pairs=pairs, deliverables=rows,
                  release=release, lang=lang, counts=counts, catalog_rules=data.rules, approvals=approved)


MAX_SOURCE_DIFFS = 30  # stale translations whose source diff is looked up in one check


def with_source_diffs(found: list[Finding], settings: Settings, data: ProjectData, pages: dict[str, Page]) -> list[Finding]:
    """Each stale translation's finding with the diff of its source since the translated version
    (kb.content.sourcediff, from the history by the stamp's hash) as its detail."""
    stale = [f for f in found if f.rule == "stale-translation" and f.code == "stale"][:MAX_SOURCE_DIFFS]
    if not stale:
        return found
    git = Git(settings.root)
    if git.problem():
        return found
    details: dict[int, str] = {}
    for f in stale:
        source = pages.get(str(f.params.get("source", "")))
        if source is None or source.text is None:
            continue
        diff = source_diff(git, source.path, str(f.params.get("recorded", "")), source.text, data.model.hash_length)
        if diff is not None:
            cut = f"\n… {diff.cut} more lines" if diff.cut else ""
            details[id(f)] = f"source changes since {diff.commit[:10]}:\n{diff.diff or '(front matter only)'}{cut}"
    return [replace(f, detail=details[id(f)]) if id(f) in details else f for f in found]


# --- page and pair checks, on every core -------------------------------------------------------------------
# Rendering each page with the site's Markdown (for its anchors and what the sanitiser removes) is
# most of the checks' time; the page and pair checks need nothing from each other, so a standalone
# check runs them in forked processes, which inherit the parsed pages and the compiled data.
PARALLEL_MIN_PAGES = 40
_FORKED: tuple[list[Page], list[Pair], Context] | None = None  # set before the fork


def page_findings(page: Page, ctx: Context) -> list[Finding]:
    """Every check of one page on its own (its links, which need the other pages' anchors, aside)."""
    if page.refusal is not None:
        r = page.refusal
        return [Finding(r.rule, r.code, page.path, r.line, dict(r.params))]
    out: list[Finding] = []
    for check in registered(Scope.PAGE):
        out.extend(check(page, ctx))
    return out


def pair_findings(pair: Pair, ctx: Context) -> list[Finding]:
    """Every check of one translation pair."""
    out: list[Finding] = []
    both = (pair.source.path, pair.target.path)
    for check in registered(Scope.PAIR):
        out.extend(replace(f, pair=both) for f in check(pair, ctx))
    return out


def _checks_in_worker(share: int, workers: int) -> tuple[list[Finding], dict[str, tuple[str, RenderResult]]]:
    """One worker's share of the pages and pairs: its findings and the render results of its pages."""
    assert _FORKED is not None
    pages, pairs, ctx = _FORKED
    out: list[Finding] = []
    for page in pages[share::workers]:
        out.extend(page_findings(page, ctx))
    for pair in pairs[share::workers]:
        out.extend(pair_findings(pair, ctx))
    mine = {page.path for page in pages[share::workers]}
    return out, {path: known for path, known in render_results(ctx).items() if path in mine}


def run_page_and_pair_checks(pages: list[Page], pairs: list[Pair], ctx: Context,
                             workers: int) -> list[Finding]:
    """The page checks of *pages* and the pair checks of *pairs*, in *workers* forked processes (in
    this one when there is one worker, few pages or no fork); the pages' render results are kept
    for the link checks that follow and for the cache."""
    global _FORKED
    if workers <= 1 or len(pages) < PARALLEL_MIN_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        out: list[Finding] = []
        for page in pages:
            out.extend(page_findings(page, ctx))
        for pair in pairs:
            out.extend(pair_findings(pair, ctx))
        return out
    _FORKED = (pages, pairs, ctx)
    out = []
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for found, results in pool.map(_checks_in_worker, range(workers), [workers] * workers):
                out.extend(found)
                render_results(ctx).update(results)
    finally:
        _FORKED = None
    return out


def memoised_page_and_pair_checks(pages: list[Page], pairs: list[Pair], ctx: Context, memo: CheckMemo) -> list[Finding]:
    """The page and pair checks here, reusing *memo*'s findings (and render results) of the pages and
    pairs whose bytes did not change; *memo* then holds this run's."""
    out: list[Finding] = []
    results = render_results(ctx)
    kept_pages: dict[str, tuple[str, list[Finding], tuple[str, RenderResult] | None]] = {}
    for page in pages:
        digest = hashlib.sha256(page.raw).hexdigest()
        kept = memo.pages.get(page.path)
        if kept is not None and kept[0] == digest:
            found, render = kept[1], kept[2]
            if render is not None:
                results[page.path] = render
        else:
            found, render = page_findings(page, ctx), results.get(page.path)
        kept_pages[page.path] = (digest, found, render)
        out.extend(found)
    kept_pairs: dict[tuple[str, str], tuple[str, list[Finding]]] = {}
    for pair in pairs:
        key = (pair.source.path, pair.target.path)
        digest = hashlib.sha256(pair.source.raw + b"\0" + pair.target.raw).hexdigest()
        kept_pair = memo.pairs.get(key)
        found = kept_pair[1] if kept_pair is not None and kept_pair[0] == digest else pair_findings(pair, ctx)
        kept_pairs[key] = (digest, found)
        out.extend(found)
    memo.pages, memo.pairs = kept_pages, kept_pairs
    return out


def localised(finding: Finding, data: ProjectData) -> Finding:
    """The finding with the parameters that have a wording per language made Localised, so that each
    language's message quotes its own: a deliverable's title (data/deliverables.yml), an event
    series' programme and kind (data/content-model.yml tracks, data/ui.yml event_kind_*) in Chinese.
    JSON and text output keep the parameter as the check gave it (Localised's str)."""
    params = dict(finding.params)
    if finding.rule == "deliverables" and "title" in params:
        item = next((d for d in data.deliverables if d.id == params.get("id")), None)
        if item is not None:
            params["title"] = Localised({"zh": item.title.zh, "en": str(params["title"])})
    elif finding.rule == "event-series":
        programme, kind = str(params.get("programme", "")), str(params.get("kind", ""))
        label = data.model.track_label(programme, "zh")
        if programme and label:
            params["programme"] = Localised({"zh": label, "en": programme})
        kind_zh = data.ui.zh.get(f"event_kind_{kind}")
        if kind and kind_zh:
            params["kind"] = Localised({"zh": kind_zh, "en": kind})
    else:
        return finding
    return replace(finding, params=params)
