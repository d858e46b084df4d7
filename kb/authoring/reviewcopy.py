"""``./scripts/review-copy --for ORG (PATH… | --track TRACK)``: the PDF a reviewer signs to approve, and
``./scripts/trust --add-certificate ORG FILE``: register the certificate that signs it.

A copy is made from the built site (``./scripts/build`` first, or the site artifact of a pull request)
and the approvals as they verify now: the digests it prints and embeds are the current ones. The
reviewer's signed file goes into data/review-copies/<ORG>/ (kb/trust/reviewcopies.py verifies it)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from kb.authoring.approve import set_status
from kb.checks.engine import run
from kb.print.reviewcopy import page_dest, write_review_copy
from kb.project.commandline import CommandError
from kb.project.data import ProjectData
from kb.project.findings import Catalog, Finding
from kb.project.fsutil import write_atomic
from kb.project.settings import Settings
from kb.trust.approvals import LANGUAGE_NAMES, PairApproval, signers_files
from kb.trust.reviewcopies import COPIES_DIR, certificate_line, certificate_pins, manifest_of


class CopyError(CommandError):
    """Stops the command (kb.project.commandline.CommandError: exit status 1 or 2)."""


@dataclass(frozen=True)
class CopyOutcome:
    output: Path
    pairs: list[str]
    pages: int


def _chosen(settings: Settings, approvals: dict[str, PairApproval], paths: list[Path], track: str | None,
            org: str, every: bool) -> list[PairApproval]:
    if paths:
        by_path = {p: pair for pair in approvals.values() for p in pair.paths.values()}
        chosen = []
        for path in paths:
            rel = path.resolve().relative_to(settings.root.resolve()).as_posix() if path.is_absolute() or path.exists() else str(path)
            pair = by_path.get(rel)
            if pair is None:
                raise CopyError(f"{path}: not a page of the site (give a file under {settings.docs_dir}/<language>/)", 2)
            if pair not in chosen:
                chosen.append(pair)
        return chosen
    pairs = [p for p in approvals.values() if p.track == track and org in p.required]
    if not every:  # the pairs that await this organisation's approval of their current text
        pairs = [p for p in pairs if org in p.lacking()]
    return sorted(pairs, key=lambda p: p.rel)


def make_copy(settings: Settings, data: ProjectData, *, org: str, paths: list[Path], track: str | None,
              output: Path | None, every: bool = False, now: dt.datetime | None = None) -> CopyOutcome:
    orgs = data.reviewers.organisations
    if org not in orgs:
        raise CopyError(f"--for {org}: not an organisation of data/reviewers.yml ({', '.join(orgs)})", 2)
    if not paths and not track:
        raise CopyError("name the pages (PATH…) or a whole programme (--track mercury|gender)", 2)
    if track and track not in data.model.tracks:
        raise CopyError(f"--track {track}: not a track ({', '.join(data.model.tracks)})", 2)
    site = settings.site_path
    if not site.is_dir():
        raise CopyError(f"no built site in {site}: run ./scripts/build first (the copy prints the pages as the site shows them)")
    report = run(settings, release=False)
    pairs = _chosen(settings, report.approvals, paths, track, org, every)
    if not pairs:
        raise CopyError(f"nothing awaits {org}'s approval in {track}: every page pair has its verified approval "
                        "(--all makes a copy of every pair of the programme)")
    missing = [p.rel for p in pairs for lang in p.paths
               if not (site / page_dest(p.rel, lang, settings.default_language)).is_file()]
    if missing:
        raise CopyError(f"not in the built site {site}: {', '.join(sorted(set(missing)))}; build again (./scripts/build)")
    now = now or dt.datetime.now(dt.UTC)
    name = track or re.sub(r"[^a-z0-9-]+", "-", pairs[0].rel.rsplit(".", 1)[0].lower()).strip("-")
    output = output or settings.root / f"review-copy-{org}-{name}-{now:%Y%m%d-%H%M}.pdf"
    titles = {page.path: str(page.meta.get("title") or "") for page in report.pages.values()}
    pages = write_review_copy(root=settings.root, site_dir=site, overrides=settings.root / "overrides", pairs=pairs,
                              org=org, org_names=orgs,
                              titles=titles, ui={lang: data.ui[lang] for lang in ("zh", "en")},
                              lang_names=LANGUAGE_NAMES, default_language=settings.default_language, output=output,
                              made=now)
    return CopyOutcome(output, [p.rel for p in pairs], pages)


def copies_folder(settings: Settings, org: str) -> Path:
    return settings.data_path / COPIES_DIR / org


@dataclass(frozen=True)
class Accepted:
    path: Path  # where the copy now is (data/review-copies/ORG/…)
    org: str
    approved: list[str]  # pairs now approved by every organisation of their track
    awaiting: dict[str, list[str]]  # pair -> organisations still to approve
    edited: list[str]  # pages whose review.status was set to approved


def accept_copy(settings: Settings, data: ProjectData, signed: Path, lang: str = "en") -> Accepted:
    """Put a signed review copy under data/review-copies/ORG/ and verify it as the checks will; set
    review.status to approved on the pairs it completes. A copy that does not verify is taken out
    again, with the finding's message; nothing is committed (the maintainer commits what changed)."""
    try:
        raw = signed.read_bytes()
    except OSError as exc:
        raise CopyError(f"{signed}: {exc.strerror}", 2) from None
    manifest = manifest_of(raw)
    if manifest is None:
        raise CopyError(f"{signed}: not a review copy of this project (make one with ./scripts/review-copy)")
    folder = copies_folder(settings, manifest.org)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", signed.stem).strip("-.") or "review-copy"
    dest, n = folder / f"{stem}.pdf", 1
    while dest.exists() and dest.read_bytes() != raw:
        n += 1
        dest = folder / f"{stem}-{n}.pdf"
    folder.mkdir(parents=True, exist_ok=True)
    existed = dest.exists()
    write_atomic(dest, raw)
    rel = dest.relative_to(settings.root).as_posix()
    report = run(settings, release=False)
    verdict = next((c for c in getattr(report.approvals, "copies", []) if c.path == rel), None)
    if verdict is None or verdict.problem:
        if not existed:
            dest.unlink()
        code, params = (verdict.problem, verdict.params) if verdict else ("copy-not-a-copy", {"copy": rel, "reason": "-"})
        message = Catalog(data.rules, lang).resolve(Finding("approval", code, rel, 1, dict(params))).message
        raise CopyError(f"{signed}: not accepted: {message}")
    approved, awaiting, edited = [], {}, []
    for pair_rel in verdict.pairs:
        pair = report.approvals[pair_rel]
        if not pair.approved:
            awaiting[pair_rel] = pair.lacking()
            continue
        approved.append(pair_rel)
        for path in pair.paths.values():
            page = report.pages.get(path)
            if page is not None and page.review_status != "approved":
                file = settings.root / path
                write_atomic(file, set_status(file.read_text(encoding="utf-8"), "approved").encode("utf-8"))
                edited.append(path)
    return Accepted(dest, verdict.org, approved, awaiting, edited)


# --- registering a certificate ------------------------------------------------------------------------------------
def read_certificate(raw: bytes) -> asn1_x509.Certificate:
    """A certificate from the file a reviewer sends: DER (.cer as Acrobat exports it) or PEM."""
    try:
        if pem.detect(raw):
            _, _, raw = pem.unarmor(raw)
        cert = asn1_x509.Certificate.load(raw)
        cert.native  # parse it all now: a broken file fails here, not later  # noqa: B018
        return cert
    except (ValueError, TypeError, KeyError) as exc:
        raise CopyError(f"not an X.509 certificate (DER or PEM): {exc}") from None


def add_certificate(settings: Settings, data: ProjectData, org: str, cert_file: Path, principal: str | None) -> tuple[Path, str]:
    """List the certificate in *org*'s allowed-signers file (the working tree: the maintainer commits it,
    signed with a key that may change that file, and the history then vouches for it)."""
    files = signers_files(settings, data)
    if org not in files:
        raise CopyError(f"{org}: no allowed-signers file declared in data/reviewers.yml", 2)
    try:
        raw = cert_file.read_bytes()
    except OSError as exc:
        raise CopyError(f"{cert_file}: {exc.strerror}", 2) from None
    cert = read_certificate(raw)
    name = principal or re.sub(r"\s+", "_", str(cert.subject.native.get("common_name") or org)).strip("_") or org
    line = certificate_line(name, cert.dump())
    target = files[org]
    text = target.read_text(encoding="utf-8") if target.is_file() else ""
    if cert.sha256.hex() in certificate_pins(text):
        return target, ""
    write_atomic(target, text + ("" if not text or text.endswith("\n") else "\n") + line + "\n")
    return target, line
