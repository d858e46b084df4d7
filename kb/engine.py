"""The check engine: load the tree once, run every rule, resolve messages, build the report.
Called by the CLI (./scripts/check), the MkDocs hook and the status page; holds no MkDocs code."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kb.checks import Context
from kb.checks.language import LANGUAGE_CHECKS
from kb.checks.page import PAGE_CHECKS
from kb.checks.pair import PAIR_CHECKS, orient
from kb.checks.tree import (
    check_deliverables,
    check_event_series,
    check_links,
    check_missing_translation,
    event_series_lines,
)
from kb.checks.video import check_video
from kb.data import ProjectData
from kb.findings import Catalog, Finding, sort_findings
from kb.pages import Page, body_hash, parse_page
from kb.settings import Settings

MAX_BYTES = 2_000_000  # larger files are reported, not parsed (a pasted data dump, a binary)


@dataclass
class Report:
    settings: Settings
    findings: list[Finding]
    pages: dict[str, Page]
    pairs: list[dict]
    deliverables: list[dict]
    release: bool
    lang: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    catalog_rules: dict = field(default_factory=dict, repr=False)

    def in_language(self, lang: str) -> list[Finding]:
        """The same findings with their messages in *lang*."""
        if lang == self.lang:
            return self.findings
        catalog = Catalog(self.catalog_rules, lang)
        return sort_findings(catalog.resolve(replace(f, severity="", message="")) for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def pair_for(self, rel: str) -> dict | None:
        """The translation pair of the pages at docs/<lang>/<rel>."""
        if not hasattr(self, "_pairs_by_rel"):
            self._pairs_by_rel = {p["rel"]: p for p in self.pairs}
        return self._pairs_by_rel.get(rel)

    def findings_for(self, path: str) -> list[Finding]:
        return [f for f in self.findings if f.path == path]


def discover(settings: Settings) -> tuple[dict[str, Page], frozenset[str]]:
    """Parse every Markdown page under docs/<lang>/ and list every file under docs/."""
    pages: dict[str, Page] = {}
    files: set[str] = set()
    docs = settings.docs_path
    if not docs.is_dir():
        return pages, frozenset()
    for path in sorted(docs.rglob("*")):
        if not path.is_file():
            continue
        rel_repo = path.relative_to(settings.root).as_posix()
        files.add(rel_repo)
        rel_docs = path.relative_to(docs).as_posix()
        lang, _, rel = rel_docs.partition("/")
        if lang not in settings.languages or not rel.endswith(".md"):
            continue
        pages[rel_repo] = load_page(path, rel_repo, lang, rel)
    return pages, frozenset(files)


def load_page(path: Path, rel_repo: str, lang: str, rel: str) -> Page:
    size = path.stat().st_size
    if size > MAX_BYTES:
        page = Page(path=rel_repo, lang=lang, rel=rel, raw=b"")
        page.decode_error = f"too-large|{size}"
        return page
    return parse_page(rel_repo, lang, rel, path.read_bytes())


def make_context(settings: Settings, data: ProjectData, files: frozenset[str], release: bool) -> Context:
    return Context(
        data=data, today=settings.today, release=release, files=files,
        default_language=settings.default_language, languages=settings.languages,
        email_allowlist_domains=settings.email_allowlist_domains, docs_dir=settings.docs_dir,
    )


def _entry_lines(path: Path) -> dict[str, int]:
    lines: dict[str, int] = {}
    if path.exists():
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            m = re.match(r"^\s*-?\s*id:\s*([\w-]+)", line)
            if m:
                lines.setdefault(m.group(1), number)
    return lines


def pair_state(source: Page | None, target: Page | None, hash_length: int) -> str:
    if source is None or target is None:
        return "missing"
    tr = target.translation
    if target.translation_none is not None or source.translation_none is not None:
        return "single"
    if not isinstance(tr, dict) or "hash" not in tr:
        return "untracked"
    if source.text is None:
        return "missing"
    return "current" if str(tr.get("hash")) == body_hash(source.text, hash_length) else "stale"


def run(settings: Settings, data: ProjectData | None = None, *, release: bool | None = None,
        lang: str = "en", only: Iterable[str] | None = None) -> Report:
    data = data or ProjectData(settings)
    release = settings.release if release is None else release
    pages, files = discover(settings)
    ctx = make_context(settings, data, files, release)
    raw: list[Finding] = []
    for page in pages.values():
        if page.decode_error and page.decode_error.startswith("too-large"):
            raw.append(Finding("encoding", "too-large", page.path, 1, {"size": page.decode_error.split("|")[1]}))
            continue
        for check in PAGE_CHECKS + LANGUAGE_CHECKS:
            raw.extend(check(page, ctx))
        raw.extend(check_video(page, ctx))
        if page.text is not None:
            raw.extend(check_links(page, pages, ctx))
    # translation pairs, keyed by the path relative to docs/<lang>/
    by_rel: dict[str, dict[str, Page]] = {}
    for page in pages.values():
        by_rel.setdefault(page.rel, {})[page.lang] = page
    pairs = []
    for rel in sorted(by_rel):
        group = by_rel[rel]
        for page in group.values():
            others = [lang for lang in settings.languages if lang != page.lang]
            raw.extend(check_missing_translation(page, all(o in group for o in others), ctx))
        if len(group) == 2:
            a, b = group.values()
            source, target = orient(a, b, ctx)
            if not (source.meta_error or target.meta_error):
                for check in PAIR_CHECKS:
                    raw.extend(check(source, target, ctx))
            pairs.append({"rel": rel, "source": source.path, "target": target.path,
                          "state": pair_state(source, target, data.model.hash_length)})
        else:
            (page,) = group.values()
            state = "single" if page.translation_none else "missing"
            pairs.append({"rel": rel, "source": page.path, "target": None, "state": state})
    deliverables_path = settings.data_path / "deliverables.yml"
    found, rows = check_deliverables(data.deliverables, pages, ctx,
                                     deliverables_path.relative_to(settings.root).as_posix(),
                                     _entry_lines(deliverables_path))
    raw.extend(found)
    thresholds_path = settings.data_path / "event-thresholds.yml"
    raw.extend(check_event_series(pages, ctx, thresholds_path.relative_to(settings.root).as_posix(),
                                  event_series_lines(thresholds_path)))
    catalog = Catalog(data.rules, lang)
    resolved = [catalog.resolve(f) for f in raw]
    if only is not None:
        prefixes = tuple(p.rstrip("/") for p in only)
        resolved = [f for f in resolved if any(f.path == p or f.path.startswith(p + "/") for p in prefixes)]
    findings = sort_findings(resolved)
    counts: dict[str, dict[str, int]] = {}
    for f in findings:
        counts.setdefault(f.rule, {}).setdefault(f.severity, 0)
        counts[f.rule][f.severity] += 1
    return Report(settings=settings, findings=findings, pages=pages, pairs=pairs, deliverables=rows,
                  release=release, lang=lang, counts=counts, catalog_rules=data.rules)
