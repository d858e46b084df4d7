"""The pull-request report a reviewer who is not a developer can read, in each language: first the
changed files that decide trust or safety (kb.project.policy.TRUST_PATHS), then the changed page
pairs with their state (translation, verified approvals, who is awaited) and a link to each page in
the preview, the findings in the changed files, and every printed page that changed, before and
after (kb.print.pagediff). Written as Markdown (the CI job summary and the pull-request comment) and
as HTML with the page pictures (overrides/pr-report/report.html), one of each per language.

It runs in a checkout of the pull request's head: the pairs' state comes from the same engine and
status rows as the site's status page (kb.checks.engine.run, kb.web.site.pair_rows); the two built
sites give the printed pages. Nothing here runs code of either site."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kb.checks.engine import run
from kb.print.pagediff import Comparison, PagediffError, compare_downloads
from kb.print.reportpdf import write_report_pdf
from kb.project import templating
from kb.project.data import ProjectData
from kb.project.findings import Finding
from kb.project.fsutil import write_atomic
from kb.project.git import Git, failure
from kb.project.policy import trust_kind
from kb.project.settings import Settings
from kb.web.site import PairRow, page_url_for, pair_rows

TEMPLATE = "pr-report/report.html"
MARKDOWN_FINDINGS = 50  # findings listed per language in the Markdown (the HTML lists them all)
MARKDOWN_CHARS = 60_000  # GitHub refuses a comment over 65,536 characters
REV_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/~^@{}-]{0,199}$")


class PrReportError(Exception):
    """A mistake in what the report was given (a site folder, a revision): exit status 2, no traceback."""


@dataclass(frozen=True)
class ChangedFile:
    path: str
    change: str  # A added, M changed, D deleted (renames are a deletion and an addition)
    trust: str | None  # the kind of trust file (kb.project.policy.trust_kind), None for content


@dataclass(frozen=True)
class PairChange:
    """A page pair the pull request changes: its status row in each language of the report (None
    when both pages were deleted) and where each language's page can be read."""

    rel: str
    changed_langs: tuple[str, ...]
    rows: dict[str, PairRow | None]
    links: dict[str, str]


@dataclass
class PrReport:
    pr: str | None
    base: str
    head: str
    files: list[ChangedFile]
    pairs: list[PairChange]
    findings: dict[str, list[Finding]]
    prints: Comparison
    preview: bool  # links are preview URLs, not paths inside the site artifact
    max_images: int
    written: list[Path] = field(default_factory=list)
    pdf_problems: list[str] = field(default_factory=list)  # a report PDF WeasyPrint could not write

    @property
    def trust_files(self) -> list[ChangedFile]:
        return [f for f in self.files if f.trust is not None]


def changed_files(git: Git, base: str, head: str) -> list[ChangedFile]:
    """The files changed between the merge base of *base* and *head*, and *head* (as GitHub shows a
    pull request's files)."""
    for rev in (base, head):
        if not REV_RE.match(rev) or ".." in rev:
            raise PrReportError(f"'{rev}' is not a git revision name")
        if git.run("rev-parse", "--verify", "-q", f"{rev}^{{commit}}").returncode != 0:
            raise PrReportError(f"'{rev}' is not a commit of this repository (fetch it first, with full history)")
    result = git.run("diff", "--name-status", "--no-renames", "-z", f"{base}...{head}", "--")
    if result.returncode != 0:
        raise PrReportError(failure(result, "diff"))
    fields = result.stdout.split("\0")
    files = []
    for status, path in zip(fields[0::2], fields[1::2], strict=False):
        if not path:
            continue
        change = "A" if status.startswith("A") else "D" if status.startswith("D") else "M"
        files.append(ChangedFile(path, change, trust_kind(path)))
    return sorted(files, key=lambda f: f.path)


def _link(settings: Settings, rel: str, lang: str, pr: str | None) -> str:
    page = page_url_for(rel, lang, settings.default_language)
    if settings.preview_url and pr:
        return settings.preview_url.replace("{pr}", pr).rstrip("/") + "/" + page
    return f"{settings.site_dir}/{page}index.html"


def build_report(settings: Settings, data: ProjectData, *, base: str, head: str, base_site: Path, head_site: Path,
                 out: Path, pr: str | None, max_images: int) -> PrReport:
    """Compute the report (and write the page pictures into *out*/images)."""
    for name, site in (("--base-site", base_site), ("--head-site", head_site)):
        if not site.is_dir():
            raise PrReportError(f"{name} {site}: no such folder (build the site of that revision there first)")
    git = Git(settings.root)
    files = changed_files(git, base, head)
    if git.run("rev-parse", f"{head}^{{commit}}").stdout != git.run("rev-parse", "HEAD^{commit}").stdout:
        # the pairs' state and the findings are read from the files checked out here
        raise PrReportError(f"'{head}' is not the revision checked out in {settings.root}: check it out first")
    report = run(settings, data, release=False, lang=settings.default_language)
    docs = settings.docs_dir
    changed_pages: dict[str, set[str]] = {}
    for f in files:
        for lang in settings.languages:
            prefix = f"{docs}/{lang}/"
            if f.path.startswith(prefix) and f.path.endswith(".md"):
                changed_pages.setdefault(f.path[len(prefix):], set()).add(lang)
    localised = {lang: report.in_language(lang) for lang in settings.languages}
    rows = {lang: {row.rel: row for row in pair_rows(report, data, lang, localised[lang])} for lang in settings.languages}
    pairs = [PairChange(rel=rel, changed_langs=tuple(lg for lg in settings.languages if lg in langs),
                        rows={lang: rows[lang].get(rel) for lang in settings.languages},
                        links={lg: _link(settings, rel, lg, pr) for lg in settings.languages
                               if f"{docs}/{lg}/{rel}" in report.pages})
             for rel, langs in sorted(changed_pages.items())]
    # the changed files' findings, and those of the other page of each changed pair (a translation made stale)
    watched = {f.path for f in files} | {f"{docs}/{lg}/{p.rel}" for p in pairs for lg in settings.languages}
    findings = {lang: [f for f in localised[lang] if f.path in watched] for lang in settings.languages}
    try:
        prints = compare_downloads(base_site / "downloads", head_site / "downloads", out / "images", max_images)
    except PagediffError as exc:
        raise PrReportError(str(exc)) from None
    return PrReport(pr=pr, base=base, head=head, files=files, pairs=pairs, findings=findings, prints=prints,
                    preview=bool(settings.preview_url and pr), max_images=max_images)


# --- Markdown ------------------------------------------------------------------------------------------
MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!])")


def md(value: object) -> str:
    """Text from pages or files as one line of Markdown that shows as written (no links, no HTML)."""
    return MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split())) or "–"


def _row_state(row: PairRow | None, ui: dict[str, str]) -> tuple[str, str, str, str]:
    """Title, translation, approved by, awaiting: as the report prints them."""
    if row is None:
        return "", ui["pr_change_D"], ui["pr_nobody"], ui["pr_nobody"]
    approved = ", ".join(f"{a.org} ({a.name}, {a.date})" if a.name else f"{a.org} ({a.date})"
                         for a in row.approvals) or ui["pr_nobody"]
    return row.title, ui.get(f"state_{row.translation}", row.translation), approved, ", ".join(row.lacking) or ui["pr_nobody"]


def markdown(report: PrReport, lang: str, ui: dict[str, str]) -> str:
    out = [f"## {ui['pr_title']}", "",
           ui["pr_intro"].format(pr=f"#{report.pr}" if report.pr else ui["pr_no_number"], base=md(report.base),
                                 head=md(report.head), files=len(report.files)), ""]
    trust = report.trust_files
    if trust:
        out += ["> [!WARNING]", f"> **{ui['pr_trust_heading']}**", ">", f"> {ui['pr_trust_intro']}", ">"]
        out += [f"> - `{f.path.replace('`', '')}`: {ui['pr_kind_' + f.trust]}, {ui['pr_change_' + f.change]}"
                for f in trust if f.trust]
        out.append("")
    else:
        out += [ui["pr_trust_none"], ""]
    out += [f"### {ui['pr_pairs_heading']}", ""]
    if report.pairs:
        out += [f"| {ui['page']} | {ui['pr_changed_langs']} | {ui['pr_translation']} | {ui['pr_approved_by']} | "
                f"{ui['pr_awaiting']} | {ui['pr_preview']} |", "|---|---|---|---|---|---|"]
        for pair in report.pairs:
            title, translation, approved, awaiting = _row_state(pair.rows.get(lang), ui)
            links = " ".join(f"[{lg}]({url})" if report.preview else f"{lg}: `{url.replace('`', '')}`"
                             for lg, url in pair.links.items())
            out.append(f"| {md(title)}<br>`{pair.rel.replace('`', '')}` | {', '.join(pair.changed_langs)} | {md(translation)} "
                       f"| {md(approved)} | {md(awaiting)} | {links or '–'} |")
        out.append("")
    else:
        out += [ui["pr_pairs_none"], ""]
    out += [f"### {ui['pr_findings_heading']}", ""]
    found = report.findings.get(lang, [])
    if found:
        out += [f"| {ui['severity']} | {ui['page']} | {ui['rule']} | {ui['message']} |", "|---|---|---|---|"]
        out += [f"| {ui.get(f.severity, f.severity)} | `{f.path.replace('`', '')}:{f.line}` | {md(f.rule)} | {md(f.message)} |"
                for f in found[:MARKDOWN_FINDINGS]]
        if len(found) > MARKDOWN_FINDINGS:
            out += ["", ui["pr_findings_more"].format(count=len(found) - MARKDOWN_FINDINGS)]
        out.append("")
    else:
        out += [ui["pr_findings_none"], ""]
    out += [f"### {ui['pr_print_heading']}", ""]
    for problem in report.prints.problems:
        out.append(f"- ⚠️ {md(_problem_text(problem.code, problem.document, problem.detail, ui))}")
    if report.prints.documents:
        out += [ui["pr_print_images_elsewhere"].format(file=f"report-{lang}.html"), ""]
        for doc in report.prints.documents:
            note = {"added": f" ({ui['pr_document_added']})", "removed": f" ({ui['pr_document_removed']})"}.get(doc.kind, "")
            out.append(f"- `downloads/{doc.document.replace('`', '')}`{note}, "
                       + ui["pr_pages"].format(before=doc.pages_before, after=doc.pages_after) + ": "
                       + "; ".join(_page_text(p.kind, p.before, p.after, p.areas, ui) for p in doc.pages))
        out.append("")
    elif not report.prints.problems:
        out += [ui["pr_print_none"], ""]
    text = "\n".join(out) + "\n"
    return text if len(text) <= MARKDOWN_CHARS else text[:MARKDOWN_CHARS].rsplit("\n", 1)[0] + "\n\n…\n"


def _page_text(kind: str, before: int | None, after: int | None, areas: int, ui: dict[str, str]) -> str:
    return ui[f"pr_page_{kind}"].format(before=before, after=after, areas=areas)


def _problem_text(code: str, document: str, detail: str, ui: dict[str, str]) -> str:
    return ui[f"pr_print_problem_{code.replace('-', '_')}"].format(document=document, detail=detail)


# --- HTML ----------------------------------------------------------------------------------------------
def html(report: PrReport, lang: str, ui: dict[str, str], overrides: Path, other: str | None) -> str:
    pairs = []
    for pair in report.pairs:
        title, translation, approved, awaiting = _row_state(pair.rows.get(lang), ui)
        pairs.append({"rel": pair.rel, "title": title, "changed": ", ".join(pair.changed_langs),
                      "translation": translation, "state": pair.rows[lang].translation if pair.rows.get(lang) else "deleted",
                      "approved": approved, "awaiting": awaiting, "links": pair.links})
    documents = [{"document": d.document, "kind": d.kind,
                  "pages": ui["pr_pages"].format(before=d.pages_before, after=d.pages_after),
                  "changes": [{"text": _page_text(p.kind, p.before, p.after, p.areas, ui), "image": p.image, "kind": p.kind}
                              for p in d.pages]}
                 for d in report.prints.documents]
    problems = [_problem_text(p.code, p.document, p.detail, ui) for p in report.prints.problems]
    intro = ui["pr_intro"].format(pr=f"#{report.pr}" if report.pr else ui["pr_no_number"], base=report.base,
                                  head=report.head, files=len(report.files))
    return templating.render(overrides, TEMPLATE, ui=ui, lang=lang, other=other, intro=intro,
                             trust=report.trust_files, pairs=pairs, preview=report.preview,
                             findings=report.findings.get(lang, []), documents=documents, problems=problems,
                             limit=report.max_images)


def write_report(report: PrReport, settings: Settings, data: ProjectData, out: Path, *, pdf: bool = True) -> list[Path]:
    """report-<lang>.md, .html and (with *pdf*) .pdf for each language, into *out* (the images are there already)."""
    written = []
    langs = list(settings.languages)
    for lang in langs:
        ui = data.ui[lang]
        other = next((lg for lg in langs if lg != lang), None)
        for name, text in ((f"report-{lang}.md", markdown(report, lang, ui)),
                           (f"report-{lang}.html", html(report, lang, ui, settings.root / "overrides",
                                                        f"report-{other}.html" if other else None))):
            write_atomic(out / name, text)
            written.append(out / name)
        if pdf:
            try:
                write_report_pdf(out / f"report-{lang}.html", out / f"report-{lang}.pdf")
            except Exception as exc:  # WeasyPrint's errors are many: the HTML stands without the PDF
                report.pdf_problems.append(f"report-{lang}.pdf not written: {type(exc).__name__}: {str(exc)[:200]}")
            else:
                written.append(out / f"report-{lang}.pdf")
    report.written = written
    return written
