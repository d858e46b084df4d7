"""Review copies: the PDF a reviewer reads and signs instead of making a signed git commit.

For the chosen page pairs, a copy prints both languages of each pair as the built site shows them,
what changed since the organisation's last approval of it (a diff of each page, from git), and the
content digests the approval will cover (kb/content/digest.py, the same digests ./scripts/approve
records). The digests are also embedded as ``kb-review-copy.json``, which kb/trust/reviewcopies.py
reads back when the signed copy is committed. The document has one empty signature field, so Acrobat
Reader's "Use a certificate" signs it where the reviewer expects to."""

from __future__ import annotations

import datetime as dt
import io
import json
import posixpath
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from markupsafe import Markup

from kb.print.manual.content import inner_html, parse_page
from kb.print.manual.render import RenderJob, render_job
from kb.project.fsutil import write_atomic
from kb.project.schemas import LangText
from kb.project.templating import render
from kb.trust.approvals import ApprovalValidity, PairApproval, outdated_diffs
from kb.trust.reviewcopies import MANIFEST_KIND, MANIFEST_NAME

with warnings.catch_warnings():  # pyHanko imports cryptography's deprecated DSA module: not ours to fix
    warnings.simplefilter("ignore")
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

SIGNATURE_FIELD = "Reviewer"
SIGNATURE_BOX = (56, 60, 330, 130)  # points from the bottom left of the last page: the box the template leaves


@dataclass(frozen=True)
class CopiedPage:
    lang: str
    path: str  # repository path of the page
    title: str
    digest: str
    html: Markup  # the article as the site shows it, cleaned for print


@dataclass(frozen=True)
class CopiedPair:
    rel: str
    track: str
    pages: tuple[CopiedPage, ...]
    changes: tuple[tuple[str, str, str, Markup], ...]  # (language, approved on, by, diff lines as HTML)
    first_review: bool  # the organisation never approved this pair before


def page_dest(rel: str, lang: str, default_language: str) -> str:
    """The built HTML file of the page *rel* (path under docs/<lang>/) in site/ (use_directory_urls)."""
    stem = posixpath.splitext(rel)[0]
    folder = posixpath.dirname(stem) if posixpath.basename(stem) == "index" else stem
    prefix = "" if lang == default_language else f"{lang}/"
    return posixpath.join(prefix + folder, "index.html") if folder else prefix + "index.html"


def _diff_html(diff: str) -> Markup:
    rows = []
    for line in diff.splitlines()[2:]:  # the ---/+++ header names files; the table says which page
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        rows.append(Markup('<div class="kb-copy__diff--{}">{}</div>').format(kind, line))
    return Markup("").join(rows)


def copied_pairs(root: Path, site_dir: Path, pairs: list[PairApproval], org: str, titles: dict[str, str],
                 default_language: str) -> list[CopiedPair]:
    """What the copy prints for each pair: its pages as built, and the diff since *org*'s last approval."""
    out = []
    for pair in pairs:
        pages = []
        for lang, path in sorted(pair.paths.items(), key=lambda item: item[0] != default_language):
            parsed = parse_page(site_dir, page_dest(pair.rel, lang, default_language))
            pages.append(CopiedPage(lang, path, titles.get(path, pair.rel), pair.hashes[lang], Markup(inner_html(parsed.article))))
        mine = [a for a in pair.approvals if a.org == org]
        changes = []
        if any(a.state == ApprovalValidity.OUTDATED for a in mine):
            for entry in outdated_diffs(root, pair):
                if entry.org != org:
                    continue
                for lang, diff in entry.diffs.items():
                    changes.append((lang, entry.date, entry.name, _diff_html(diff)))
                break  # the most recent outdated approval of this organisation says enough
        out.append(CopiedPair(pair.rel, pair.track, tuple(pages), tuple(changes), first_review=not mine))
    return out


def manifest(org: str, pairs: list[PairApproval], made: dt.datetime) -> bytes:
    return json.dumps({"kind": MANIFEST_KIND, "version": 1, "org": org, "made": made.isoformat(timespec="seconds"),
                       "pairs": [{"rel": p.rel, "digests": dict(sorted(p.hashes.items()))} for p in pairs]},
                      ensure_ascii=False, indent=1).encode("utf-8")


def write_review_copy(*, root: Path, site_dir: Path, overrides: Path, pairs: list[PairApproval], org: str,
                      org_names: Mapping[str, LangText], titles: dict[str, str], ui: dict[str, dict[str, str]],
                      lang_names: dict[str, dict[str, str]], default_language: str, output: Path,
                      made: dt.datetime) -> int:
    """Render the review copy of *pairs* for *org* to *output*; returns its number of pages."""
    copied = copied_pairs(root, site_dir, pairs, org, titles, default_language)
    html = render(overrides, "manual/review-copy.html", pairs=copied, org=org, org_names=org_names, ui=ui, lang_names=lang_names,
                  made=made.strftime("%Y-%m-%d %H:%M UTC"), languages=sorted(ui, key=lambda lang: lang != default_language))
    css = str(overrides / "manual" / "review-copy.css")
    job = RenderJob(html=html, base_url=site_dir.resolve().as_uri() + "/", stylesheets=(css,), output=str(output),
                    name=f"review-copy:{output.name}", site_root=str(site_dir.resolve()))
    pdf, pages, _, _ = render_job(job)
    write_atomic(output, package_copy(pdf, manifest(org, pairs, made)))
    return pages


def package_copy(pdf: bytes, manifest_json: bytes) -> bytes:
    """The rendered copy made signable: the manifest attached, and the empty signature field added."""
    return _signable(_with_manifest(pdf, manifest_json))


def _signable(pdf: bytes) -> bytes:
    """The PDF with one empty signature field on its last page, where Acrobat asks the reviewer to sign."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    append_signature_field(writer, SigFieldSpec(SIGNATURE_FIELD, on_page=-1, box=SIGNATURE_BOX))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_manifest(pdf: bytes, data: bytes) -> bytes:
    """The PDF with the manifest attached (the renderer attaches nothing on its own: ready_to_write)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.attachments[MANIFEST_NAME] = pikepdf.AttachedFileSpec(doc, data, mime_type="application/json",
                                                                  description="kb review copy: what an approval covers")
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue()
