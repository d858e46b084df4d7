"""What the website shows, computed without MkDocs: per-page notices, the status report data,
the jieba user dictionary and the glossary. The MkDocs hook (hooks/kb_hooks.py) only passes values
in and out, so a future site generator can call the same functions."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from kb.checks.report import DeliverableStatus, PairState, Report, TranslationState
from kb.content.pages import GAP_RE
from kb.project.data import ProjectData
from kb.project.findings import SEVERITIES, Finding
from kb.project.fsutil import write_atomic
from kb.project.records import record_json
from kb.trust.approvals import (
    ApprovalValidity,
    LanguageApprovalState,
    PairApprovalState,
    PairSummary,
    pair_summary,
    shown_status,
)


def jieba_user_dict(data: ProjectData) -> str:
    """jieba user dictionary lines ("word freq tag"): glossary terms stay whole in the search index."""
    words: set[str] = set()
    for term in data.glossary:
        words.update(f for f in term.forms("zh") if f and " " not in f)
    return "".join(f"{w} 20000 n\n" for w in sorted(words))


def write_jieba_user_dict(data: ProjectData, cache: Path) -> Path:
    path = cache / "jieba-userdict.txt"
    content = jieba_user_dict(data)
    if not path.exists() or path.read_text(encoding="utf-8") != content:
        write_atomic(path, content)
    return path


@dataclass(frozen=True)
class ShownApproval:
    """A verified approval a page shows: the organisation, the approver's name and the date."""

    by: str
    name: str
    date: str


@dataclass(frozen=True)
class OutdatedApproval:
    """A signed approval of an earlier text: "changed since FECO approved it on DATE"."""

    org: str
    date: str
    this_page: bool  # this language's page changed since (else only its counterpart)


@dataclass(frozen=True)
class PageState:
    """What the templates show about one rendered page (``kb.page``): its review state, the verified
    approvals, the translation notices. The build adds what only it knows (dates, URLs, alternates)."""

    path: str
    fallback: bool  # shown in another language's site, that language's page missing
    file_lang: str
    review: str | None = None  # as readers see it (kb.trust.approvals.shown_status)
    approvals: tuple[ShownApproval, ...] = ()
    outdated: tuple[OutdatedApproval, ...] = ()
    type: str | None = None
    single_language: str | None = None  # the reason of a one-language page ("" when none is given)
    translation: TranslationState | None = None  # of a translated page, as the engine found it
    source_lang: str | None = None
    findings: tuple[Finding, ...] = ()  # its errors and warnings
    # added by the build (kb.build.pipeline.Build.page_context)
    updated: str | None = None
    alternate_missing: tuple[str, ...] = ()
    source_url: str | None = None
    changes_url: str | None = None


def page_state(report: Report, lang: str, rel: str, file_lang: str) -> PageState:
    """Notices for one rendered page: fallback, single language, stale translation, review."""
    settings = report.settings
    path = f"{settings.docs_dir}/{file_lang}/{rel}"
    page = report.pages.get(path)
    fallback = file_lang != lang
    if page is None:
        return PageState(path=path, fallback=fallback, file_lang=file_lang)
    # the status readers see comes from the verified approvals (kb/trust/approvals.py), not the typed status
    approval = report.approval_for(rel)
    tr = page.translation
    pair = report.pair_for(rel)
    translated = (isinstance(tr, dict) and tr.get("from") in settings.languages and not fallback and pair is not None
                  and pair.target == path)
    return PageState(
        path=path, fallback=fallback, file_lang=file_lang,
        review=shown_status(approval, page.review_status),
        approvals=tuple(ShownApproval(a.org, a.name, a.date)
                        for a in (approval.approvals if approval else []) if a.state == ApprovalValidity.VALID),
        outdated=tuple(OutdatedApproval(a.org, a.date, page.lang in a.changed)
                       for a in (approval.outdated() if approval else [])),
        type=page.type, single_language=page.translation_none,
        translation=pair.state if translated and pair is not None else None,
        source_lang=tr["from"] if translated else None,
        findings=tuple(f for f in report.findings_for(path) if f.severity in ("error", "warning")),
    )


@dataclass(frozen=True)
class LanguageState:
    """One language's page of a pair, as the status page shows it."""

    lang: str
    exists: bool
    path: str | None
    typed: str | None  # review.status as typed in the page
    shown: str  # what readers see (kb.trust.approvals.shown_status: approved only when verified)
    approval: LanguageApprovalState
    gaps: int

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class ValidApproval:
    """A verified approval of a pair's current text, as the page table lists it."""

    org: str
    name: str
    date: str

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class PairRow:
    """One translation pair (or single page) of the status page's page table: both languages'
    review state, the verified approvals, and which rules and severities its findings have (for
    the filters)."""

    rel: str
    title: str
    type: str | None
    track: str
    translation: TranslationState
    approval_state: PairApprovalState
    languages: tuple[LanguageState, ...]
    approvals: tuple[ValidApproval, ...]
    lacking: tuple[str, ...]
    required: tuple[str, ...]
    rules: tuple[str, ...]
    severities: tuple[str, ...]

    @property
    def review_url(self) -> str:
        """The side-by-side review page of this pair, site-relative (kb.web.review)."""
        return review_path(self.rel)[: -len("index.html")]

    def to_json(self) -> dict[str, Any]:
        return record_json(self)  # review_url is the page table's link, not data


@dataclass(frozen=True)
class ReviewRow:
    """One page's review state in status.json (``reviews``): the status readers see and the one typed."""

    path: str
    rel: str
    title: str
    type: str | None
    track: str | None
    status: str  # as readers see it: approved only when verified
    typed: str | None  # review.status as typed in the page
    approvals: tuple[str, ...]  # "ORG DATE" of each valid approval
    required: tuple[str, ...]  # the organisations that review the page's track

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class Gap:
    line: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class GapPage:
    """The gap markers of one page, folded into one entry of the status page."""

    rel: str
    path: str
    lang: str
    title: str
    track: str
    severity: str
    count: int
    gaps: tuple[Gap, ...]

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class GapRow:
    """One gap marker in status.json (``gaps``): machines get every language's, one row per marker."""

    path: str
    line: int
    text: str
    rel: str | None  # None when the file is not a page

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class FindingRow:
    """A finding as the status page lists it: its page's title in the page's language, its programme
    and language; status.json has the finding's own fields and these."""

    finding: Finding
    rel: str | None  # None when the file is not a page (a data file, mkdocs.yml)
    title: str
    track: str
    lang: str | None
    url: str | None = None  # the page's link from the page that lists it (fill_print_findings), not data

    def to_json(self) -> dict[str, Any]:
        return {**self.finding.as_dict(), "rel": self.rel, "title": self.title, "track": self.track, "lang": self.lang}


@dataclass(frozen=True)
class RuleCount:
    """How many findings one rule has, by severity."""

    rule: str
    title: str  # in the page's language
    # the rule's row of Report.counts (severity -> count), a mapping as counted: status.json lists only
    # the severities the rule has, in the order they were first found
    by_severity: Mapping[str, int]

    @property
    def error(self) -> int:
        return self.by_severity.get("error", 0)

    @property
    def warning(self) -> int:
        return self.by_severity.get("warning", 0)

    @property
    def info(self) -> int:
        return self.by_severity.get("info", 0)

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "title": self.title, **self.by_severity}


@dataclass(frozen=True)
class SeverityTotals:
    """How many findings of each severity the report has."""

    error: int
    warning: int
    info: int

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class TrackOption:
    """A programme in the status page's filter, labelled in the page's language."""

    id: str
    label: str

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class RuleOption:
    """A rule with findings, in the status page's filter, titled in the page's language."""

    id: str
    title: str

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class ApprovalsRow:
    """One pair of the status page's approvals block: its approval summary, its title in the page's
    language, the review status typed in each language's page and the one readers see."""

    approval: PairSummary
    title: str
    typed: Mapping[str, str]  # language -> review.status as typed ("-": no page)
    shown: str  # kb.trust.approvals.shown_status

    @property
    def typed_differs(self) -> bool:
        return len(set(self.typed.values())) > 1

    def to_json(self) -> dict[str, Any]:
        return {**self.approval.to_json(), "title": self.title, "typed": dict(self.typed),
                "typed_differs": self.typed_differs, "shown": self.shown}


class StatusMode(StrEnum):
    RELEASE = "release"
    DRAFT = "draft"


@dataclass(frozen=True)
class StatusData:
    """Everything the status page (``kb.status``) and status.json show, in one record."""

    generated: str  # ISO time, UTC
    today: str  # ISO date the checks measured against
    mode: StatusMode
    lang: str  # the language of titles and messages
    totals: SeverityTotals
    counts: tuple[RuleCount, ...]
    pairs: tuple[PairState, ...]
    reviews: tuple[ReviewRow, ...]
    approvals: tuple[ApprovalsRow, ...]
    deliverables: tuple[DeliverableStatus, ...]
    gaps: tuple[GapRow, ...]
    findings: tuple[FindingRow, ...]
    # added for the status page's filters and folded gaps (machines: the lists above are unchanged)
    tracks: tuple[TrackOption, ...]
    rules: tuple[RuleOption, ...]
    pages: tuple[PairRow, ...]
    gap_pages: tuple[GapPage, ...]

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


def status_data(report: Report, data: ProjectData, lang: str) -> StatusData:
    """Everything the status page and status.json show, in one record. The page shows it in
    *lang*: messages, rule and programme names, page titles; gap texts are the authors' own, so the
    page lists the gaps of this language's pages (``gap_pages`` has every language's, each marked)."""
    settings = report.settings
    counts = tuple(RuleCount(rule=rule, title=_rule_title(data, rule, lang), by_severity=dict(by_severity))
                   for rule, by_severity in sorted(report.counts.items()))
    reviews: list[ReviewRow] = []
    approvals = approvals_status(report, data, lang)
    shown = {row.approval.rel: row for row in approvals}
    for path, page in sorted(report.pages.items()):
        if page.lang != lang and not (page.lang == settings.default_language and not _exists(report, lang, page.rel)):
            continue
        row = shown.get(page.rel)
        reviews.append(ReviewRow(
            path=path, rel=page.rel, title=page.title, type=page.type, track=page.track,
            # verified: "approved" only when every organisation's approval holds for both languages
            status=row.shown if row else (page.review_status or "draft"),
            typed=page.review_status,
            approvals=tuple(f"{a.org} {a.date}" for a in (row.approval.approvals if row else ())
                            if a.state == ApprovalValidity.VALID),
            required=tuple(data.required_reviewers(page.track or "general")),
        ))
    localised = report.in_language(lang)
    gaps = tuple(GapRow(path=f.path, line=f.line, text=f.params.get("text", ""), rel=_rel(report, f.path))
                 for f in localised if f.rule == "gap")
    findings = finding_rows(report, data, [f for f in localised if f.rule != "gap"], lang)
    severities = Counter(f.severity for f in report.findings)
    return StatusData(
        generated=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        today=settings.today.isoformat(),
        mode=StatusMode.RELEASE if report.release else StatusMode.DRAFT,
        lang=lang,
        totals=SeverityTotals(error=severities["error"], warning=severities["warning"], info=severities["info"]),
        counts=counts,
        pairs=tuple(report.pairs),
        reviews=tuple(reviews),
        approvals=approvals,
        deliverables=tuple(report.deliverables),
        gaps=gaps,
        findings=findings,
        tracks=tuple(TrackOption(id=t, label=label.in_lang(lang)) for t, label in data.model.tracks.items()),
        rules=tuple(RuleOption(id=r, title=_rule_title(data, r, lang)) for r in sorted({f.rule for f in localised})),
        pages=tuple(pair_rows(report, data, lang, localised)),
        gap_pages=tuple(gap_pages(report, lang, localised)),
    )


def _rule_title(data: ProjectData, rule: str, lang: str) -> str:
    return data.rules[rule].title.in_lang(lang) if rule in data.rules else rule


def pair_rows(report: Report, data: ProjectData, lang: str, findings: list[Finding]) -> list[PairRow]:
    """One row per translation pair (and per single-language page), titled in *lang* where that
    page exists."""
    settings = report.settings
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    rows = []
    for pair in sorted(report.pairs, key=lambda p: p.rel):
        rel = pair.rel
        pages = {lg: report.pages.get(f"{settings.docs_dir}/{lg}/{rel}") for lg in settings.languages}
        first = pages.get(lang) or next((p for p in pages.values() if p is not None), None)
        if first is None:
            continue
        approval = report.approval_for(rel)
        states = []
        mine: list[Finding] = []
        for lg, page in pages.items():
            path = f"{settings.docs_dir}/{lg}/{rel}"
            found = by_path.get(path, []) if page is not None else []
            mine.extend(found)
            states.append(LanguageState(
                lang=lg, exists=page is not None, path=path if page is not None else None,
                typed=page.review_status if page is not None else None,
                shown=shown_status(approval, page.review_status) if page is not None else "-",
                approval=(approval.language_state(lg) if approval is not None and page is not None
                          else LanguageApprovalState.UNAPPROVED),
                gaps=sum(1 for f in found if f.rule == "gap"),
            ))
        track = first.track or "general"
        valid = [a for a in (approval.approvals if approval else []) if a.state == ApprovalValidity.VALID]
        rows.append(PairRow(
            rel=rel, title=first.title or rel, type=first.type, track=track, translation=pair.state,
            approval_state=approval.state if approval is not None else PairApprovalState.NONE, languages=tuple(states),
            approvals=tuple(ValidApproval(org=a.org, name=a.name or "", date=str(a.date)) for a in valid),
            lacking=tuple(approval.lacking() if approval is not None else data.required_reviewers(track)),
            required=tuple(data.required_reviewers(track)),
            rules=tuple(sorted({f.rule for f in mine})),
            severities=tuple(s for s in SEVERITIES if any(f.severity == s for f in mine)),
        ))
    return rows


def gap_pages(report: Report, lang: str, findings: list[Finding]) -> list[GapPage]:
    """The gap markers grouped by page (in page order), each page titled in its own language."""
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        if f.rule == "gap":
            grouped.setdefault(f.path, []).append(f)
    out = []
    for path, found in sorted(grouped.items()):
        page = report.pages.get(path)
        severity = next((s for s in SEVERITIES if any(f.severity == s for f in found)), "info")
        out.append(GapPage(
            rel=page.rel if page is not None else path, path=path,
            lang=page.lang if page is not None else lang, title=(page.title if page is not None else "") or path,
            track=(page.track if page is not None else None) or "general", severity=severity, count=len(found),
            gaps=tuple(Gap(f.line, str(f.params.get("text", ""))) for f in sorted(found, key=lambda f: f.line)),
        ))
    return out


def approvals_status(report: Report, data: ProjectData, lang: str) -> tuple[ApprovalsRow, ...]:
    """The approvals block of the status page (overrides/partials/kb-approvals.html) and status.json:
    one row per pair that has approvals or claims to be approved, with both languages' state, who
    approved which version when, and the typed statuses when the two pages disagree."""
    rows = []
    for rel, pair in sorted(report.approvals.items()):
        pages = {lg: report.pages.get(path) for lg, path in pair.paths.items()}
        typed = {lg: (p.review_status or "draft") if p is not None else "-" for lg, p in pages.items()}
        if not pair.approvals and "approved" not in typed.values():
            continue
        title_page = pages.get(lang) or next(iter(p for p in pages.values() if p is not None), None)
        rows.append(ApprovalsRow(
            approval=pair_summary(pair),
            title=title_page.title if title_page is not None else rel,
            typed=typed,
            shown=shown_status(pair, next((s for s in typed.values() if s == "approved"), None)
                               or next(iter(typed.values()), None)),
        ))
    return tuple(rows)


def _exists(report: Report, lang: str, rel: str) -> bool:
    return f"{report.settings.docs_dir}/{lang}/{rel}" in report.pages


def _rel(report: Report, path: str) -> str | None:
    page = report.pages.get(path)
    return page.rel if page is not None else None


def _lang_of(report: Report, path: str) -> str | None:
    page = report.pages.get(path)
    return page.lang if page is not None else None


def _title(report: Report, path: str, lang: str) -> str:
    """The title of the page a finding is on, from the *lang* page of its pair where there is one;
    the path for files that are not pages (data files, mkdocs.yml)."""
    page = report.pages.get(path)
    if page is None:
        return path
    same = report.pages.get(f"{report.settings.docs_dir}/{lang}/{page.rel}")
    return (same.title if same is not None and same.title else page.title) or path


def _track_of(report: Report, data: ProjectData, finding: Finding) -> str:
    """The programme a finding belongs to: its page's track, a deliverable's programme, else general."""
    page = report.pages.get(finding.path)
    if page is not None:
        return page.track or "general"
    if finding.rule == "deliverables":
        item = next((d for d in data.deliverables if d.id == finding.params.get("id")), None)
        if item is not None:
            return item.programme
    return "general"


def finding_rows(report: Report, data: ProjectData, findings: list[Finding], lang: str) -> tuple[FindingRow, ...]:
    """The status page's row of each finding: its page's title in *lang*, programme and language."""
    return tuple(FindingRow(finding=f, rel=_rel(report, f.path), title=_title(report, f.path, lang),
                            track=_track_of(report, data, f), lang=_lang_of(report, f.path)) for f in findings)


# The status page is rendered before the PDFs exist; its slot for what their layout finds
# (slide-overflow) is filled by the finish stage (fill_print_findings), as the downloads pages' PDF facts are.
PRINT_SLOT_RE = re.compile(r'(<div class="kb-print-findings" data-kb-print-findings>).*?(</div><!--/kb-print-findings-->)',
                           re.DOTALL)
PRINT_RULES = frozenset({"slide-overflow"})  # the rules the PDF step finds


def fill_print_findings(site_dir: Path, env: Any, report: Report, data: ProjectData,
                        languages: tuple[str, ...], default_language: str) -> int:
    """Write the PDF step's findings (those of *report* whose rule is in PRINT_RULES) into the slot of
    each status page, in its language; return the pages filled."""
    template = env.get_template("partials/kb-status-print.html")
    filled = 0
    for page in sorted(site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8", errors="replace")
        if "data-kb-print-findings" not in html:
            continue
        rel = page.relative_to(site_dir)
        lang = rel.parts[0] if rel.parts[0] in languages and rel.parts[0] != default_language else default_language
        root = "../" * (len(rel.parts) - 1)
        rows = [replace(row, url=root + page_url_for(row.rel, row.lang, default_language) if row.rel and row.lang else None)
                for row in finding_rows(report, data, [f for f in report.in_language(lang) if f.rule in PRINT_RULES], lang)]
        fragment = template.render(rows=rows, ui=data.ui.strings(lang), lang=lang)
        new = PRINT_SLOT_RE.sub(lambda m, fragment=fragment: m.group(1) + fragment + m.group(2), html, count=1)
        if new != html:
            write_atomic(page, new.encode("utf-8"))
            filled += 1
    return filled


def write_status_json(report: Report, data: ProjectData, site_dir: Path) -> Path:
    path = site_dir / "status.json"
    payload = status_data(report, data, report.settings.default_language).to_json()
    # compact: the indented form goes through the pure-Python encoder, about 0.1 s of every build (pipe to `python -m json.tool` to read it)
    write_atomic(path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
    return path


def render_gaps(markdown: str, render: Any) -> str:
    """Replace ``[[gap: …]]`` markers with the rendered badge (the template does the HTML)."""
    return GAP_RE.sub(lambda m: render(m.group("text")), markdown)


def review_path(rel: str) -> str:
    """Site path of the review page of the pair at docs/<lang>/<rel> (directory URLs)."""
    stem = rel[:-3] if rel.endswith(".md") else rel
    if stem.endswith("/index"):
        stem = stem[: -len("index")]
    else:  # the home page's review is review/index/: review/index.html is the list of pairs
        stem += "/"
    return f"review/{stem}index.html"


def page_url_for(rel: str, lang: str, default_language: str) -> str:
    """Site-relative URL of a page with directory URLs (default language at /, others under /<lang>/)."""
    stem = rel[:-3] if rel.endswith(".md") else rel
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
    else:
        stem += "/"
    return ("" if lang == default_language else f"{lang}/") + stem


