"""The side-by-side review view: a pair's sections aligned by heading id. Pure functions over HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.checks.report import PairState, Report, TranslationState
from kb.project.schemas import UiFile
from kb.trust.approvals import PairApprovalState, outdated_diffs, pair_summary
from kb.web import csp
from kb.web.site import page_url_for, review_path

H2_RE = re.compile(r"<h2\b[^>]*\bid=\"(?P<id>[^\"]+)\"[^>]*>(?P<title>.*?)</h2>", re.DOTALL)
TAG_RE = re.compile(r"<[^>]+>")
PERMALINK_RE = re.compile(r"<a class=\"headerlink\"[^>]*>.*?</a>", re.DOTALL)


@dataclass(frozen=True)
class ReviewIndexRow:
    """One pair in the list of pairs to review (overrides/review/index.html)."""

    rel: str
    title: str
    review_url: str  # site-relative
    state: TranslationState
    findings: int
    approval: PairApprovalState  # NONE without approvals
    track: str
    awaiting: tuple[str, ...]  # organisations whose approval is lacking


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    html: str


def split_sections(html: str) -> list[Section]:
    """Cut rendered page HTML at its level-2 headings; text before the first one is "_intro"."""
    sections: list[Section] = []
    last_id, last_title, start = "_intro", "", 0
    for m in H2_RE.finditer(html):
        body = html[start:m.start()].strip()
        if body or last_id != "_intro":
            sections.append(Section(last_id, last_title, body))
        last_id, last_title, start = m.group("id"), TAG_RE.sub("", PERMALINK_RE.sub("", m.group("title"))).strip(), m.end()
    body = html[start:].strip()
    if body or last_id != "_intro":
        sections.append(Section(last_id, last_title, body))
    return sections


def align(left: list[Section], right: list[Section]) -> list[tuple[str, Section | None, Section | None]]:
    """Rows of (id, left section, right section), in the left page's order, then right-only ids."""
    right_by_id = {s.id: s for s in right}
    rows = [(s.id, s, right_by_id.get(s.id)) for s in left]
    seen = {s.id for s in left}
    rows += [(s.id, None, s) for s in right if s.id not in seen]
    return rows


URL_ATTR_RE = re.compile(r"""(?P<attr>\s(?:href|src))=(?P<q>["'])(?P<url>[^"']*)(?P=q)""")


def rebase(html: str, prefix: str) -> str:
    """Make the relative URLs of a page's HTML work from another folder: *prefix* is the path from
    the new location to the page's own URL (e.g. "../../mercury/panels/01-x/")."""

    def fix(m: re.Match[str]) -> str:
        url = m.group("url")
        if not url or re.match(r"^(?:[a-z][a-z0-9+.-]*:|/|//)", url, re.IGNORECASE):
            return m.group(0)
        return f'{m.group("attr")}={m.group("q")}{prefix}{url}{m.group("q")}'

    return URL_ATTR_RE.sub(fix, html)


ID_ATTR_RE = re.compile(r"""(?P<attr>\s(?:id|for|aria-labelledby|aria-describedby|aria-controls))=(?P<q>["'])(?P<value>[^"']*)(?P=q)""")
LOCAL_HREF_RE = re.compile(r"""(?P<attr>\shref)=(?P<q>["'])#(?P<frag>[^"']*)(?P=q)""")


def prefix_ids(html: str, prefix: str) -> str:
    """Give every id in a page's HTML (and the attributes and #links that refer to one) *prefix*, so
    that the two languages' sections on one review page do not share ids."""

    def fix(m: re.Match[str]) -> str:
        values = " ".join(prefix + v for v in m.group("value").split())
        return f'{m.group("attr")}={m.group("q")}{values}{m.group("q")}'

    html = ID_ATTR_RE.sub(fix, html)
    return LOCAL_HREF_RE.sub(lambda m: f'{m.group("attr")}={m.group("q")}#{prefix}{m.group("frag")}{m.group("q")}', html)


def write_review_pages(env: Any, report: Report, html_by_path: dict[str, str], site_dir: Path,
                       ui: UiFile) -> list[Path]:
    """Write review/index.html and one side-by-side page per translation pair from the pages' HTML
    as the site build rendered it (*html_by_path*: repository path -> body HTML)."""
    settings = report.settings
    css = sorted(p.relative_to(site_dir).as_posix() for p in (site_dir / "assets" / "stylesheets").glob("*.css"))
    css.append("assets/kb.css")
    written: list[Path] = []
    rows_for_index: list[ReviewIndexRow] = []
    pair_template, index_template = env.get_template("review/pair.html"), env.get_template("review/index.html")
    zh, en = settings.default_language, next(lang for lang in settings.languages if lang != settings.default_language)
    for pair in review_pairs(report):
        rel = pair.rel
        paths = {lang: f"{settings.docs_dir}/{lang}/{rel}" for lang in (zh, en)}
        if not all(p in html_by_path for p in paths.values()):
            continue  # not in this build (e.g. excluded from the navigation and the files)
        target = review_path(rel)
        root = "../" * target.count("/")
        urls = {lang: page_url_for(rel, lang, settings.default_language) for lang in (zh, en)}
        sections = {lang: [Section(s.id, s.title, prefix_ids(s.html, f"{lang}--"))
                           for s in split_sections(rebase(html_by_path[paths[lang]], root + urls[lang]))]
                    for lang in (zh, en)}
        findings = [f for path in sorted(paths.values()) for f in report.findings_for(path) if f.rule != "gap"]  # in the report's order
        approval = report.approvals.get(rel)
        summary = pair_summary(approval) if approval is not None else None
        diffs = outdated_diffs(settings.root, approval) if approval is not None and approval.outdated() else []
        stale = next((f for f in findings if f.rule == "stale-translation" and f.code == "stale"), None)
        html = pair_template.render(
            approval=summary, diffs=diffs, source_diff=stale.detail if stale is not None else "",
            root=root, stylesheets=css, ui=ui, rel=rel, pair=pair, findings=findings, urls=urls,
            rows=align(sections[zh], sections[en]),
            titles={"zh": report.pages[paths[zh]].title, "en": report.pages[paths[en]].title},
        )
        written.append(_write(site_dir / target, html))
        rows_for_index.append(ReviewIndexRow(
            rel=rel, title=report.pages[paths[zh]].title, review_url=target[: -len("index.html")], state=pair.state,
            findings=len(findings), approval=summary.state if summary else PairApprovalState.NONE,
            track=report.pages[paths[zh]].track or "general", awaiting=summary.lacking if summary else ()))
    html = index_template.render(
        root="../", stylesheets=css, ui=ui, pairs=rows_for_index,
        tracks=sorted({row.track for row in rows_for_index}), states=sorted({row.state for row in rows_for_index}),
        approvals=sorted({row.approval for row in rows_for_index}),
        orgs=sorted({org for row in rows_for_index for org in row.awaiting}))
    written.append(_write(site_dir / "review" / "index.html", html))
    return written


def review_pairs(report: Report) -> list[PairState]:
    """Translation pairs worth reviewing side by side (generated pages such as the status page are not)."""
    return [p for p in report.pairs if p.target is not None and "template" not in report.pages[p.source].meta]


def _write(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csp.add_policy(html), encoding="utf-8")  # the site's policy: script from its own files only
    return path
