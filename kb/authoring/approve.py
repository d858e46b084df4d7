"""``./scripts/approve PATH… --as ORG [--name NAME] [--revoke]``: record (or withdraw) an
organisation's approval of the current text of page pairs, in a signed commit.

The approval line goes into ``review.approvals`` of the pair's source page; only that line and the
``status`` line of ``review`` change (every other byte of both files stays as it was, so git blame
keeps attributing the other organisations' lines to their own signed commits). The status is set
to ``approved`` when every organisation of the track then has a verified approval, ``in-review``
otherwise; a revocation turns ``approved`` back into ``in-review``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb.authoring.translate import StampError, locate
from kb.checks.engine import run
from kb.checks.report import TranslationState
from kb.content.pages import (
    BOM,
    FrontMatterShapeError,
    front_matter_lines,
    normalise_text,
    parse_front_matter,
    split_front_matter,
)
from kb.project.commandline import CommandError
from kb.project.data import ProjectData
from kb.project.fsutil import write_atomic
from kb.project.git import Git
from kb.project.settings import Settings
from kb.trust.approvals import PairApproval, fingerprint, signer_keys, signers_files

REVIEW_KEY_RE = re.compile(r"review\s*:")


class ApproveError(CommandError):
    """Stops the command (kb.project.commandline.CommandError: exit status 1 or 2)."""


@dataclass(frozen=True)
class Outcome:
    files: list[str]
    commit: str
    status: str  # the review.status written
    notes: list[str]


# --- the front-matter edit ----------------------------------------------------------------------------------
def approval_item(org: str, name: str, day: dt.date, hashes: dict[str, str]) -> str:
    """The flow mapping of one approval: ``{by: UNIDO, name: 王某, date: 2026-11-30, zh: …, en: …}``."""
    value: dict[str, Any] = {"by": org}
    if name:
        value["name"] = name
    value["date"] = day
    value.update(hashes)
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False,
                          width=1 << 30).strip()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1 << 30).strip()


def edit_review(text: str, org: str, item: str | None, status: str | None) -> str:
    """Remove *org*'s approval lines from the front matter's ``review`` block, add *item* (a flow
    mapping) as its own line, and set ``review.status`` to *status* (None: leave it). The other lines,
    the BOM and the line endings are kept exactly."""
    try:
        fm = front_matter_lines(text)
    except FrontMatterShapeError as exc:
        raise ApproveError("has no front matter; add title, type, track and review first" if exc.reason == "missing"
                           else "front matter is not closed with ---") from None
    bom, nl, lines, end = fm.bom, fm.newline, fm.lines, fm.end
    span = fm.entry_span(REVIEW_KEY_RE)
    if span is None:
        new = [f"review:{nl}", f"  status: {status or 'in-review'}{nl}", f"  approvals:{nl}"]
        new += [f"    - {item}{nl}"] if item else []
        lines[end:end] = new
        return bom + "".join(lines)
    start, stop = span
    if lines[start].rstrip("\r\n").rstrip() != "review:":
        # inline (flow) review: rewrite it as a block, one line per approval
        meta, _, err = parse_front_matter("".join(lines[start:stop]))
        review = meta.get("review") if not err else None
        if not isinstance(review, dict):
            raise ApproveError("review is neither a block nor a flow mapping; fix it by hand first")
        kept = [a for a in review.get("approvals") or [] if not (isinstance(a, dict) and a.get("by") == org)]
        block = [f"review:{nl}", f"  status: {status or review.get('status') or 'in-review'}{nl}", f"  approvals:{nl}"]
        block += [f"    - {_flow(a)}{nl}" for a in kept] + ([f"    - {item}{nl}"] if item else [])
        extra = {k: v for k, v in review.items() if k not in ("status", "approvals")}
        block += [f"  {k}: {_flow(v)}{nl}" for k, v in extra.items()]
        lines[start:stop] = block
        return bom + "".join(lines)
    span = lines[start + 1:stop]
    key_indent = min((_indent(s) for s in span if s.strip()), default=2)
    key_pad = " " * key_indent
    status_at = next((i for i, s in enumerate(span) if _indent(s) == key_indent and s.lstrip().startswith("status:")), None)
    appr_at = next((i for i, s in enumerate(span) if _indent(s) == key_indent and s.lstrip().startswith("approvals:")), None)
    if appr_at is None:
        span.append(f"{key_pad}approvals:{nl}")
        appr_at = len(span) - 1
    inline = span[appr_at].split(":", 1)[1].strip()
    groups: list[list[str]] = []
    item_pad = key_pad + "  "
    if inline:
        parsed = yaml.safe_load(inline) if inline else None
        kept = parsed if isinstance(parsed, list) else []
        groups = [[f"{item_pad}- {_flow(a)}{nl}"] for a in kept]
        items_end = appr_at + 1
        span[appr_at] = f"{key_pad}approvals:{nl}"
    else:
        i = appr_at + 1
        while i < len(span) and (_indent(span[i]) > key_indent or (_indent(span[i]) == key_indent and span[i].lstrip().startswith("-"))):
            if span[i].lstrip().startswith("-") and (not groups or _indent(span[i]) <= _indent(groups[0][0])):
                groups.append([span[i]])
            elif groups:
                groups[-1].append(span[i])
            i += 1
        items_end = i
        if groups:
            item_pad = " " * _indent(groups[0][0])
    kept_groups = []
    for group in groups:
        try:
            parsed = yaml.safe_load("".join(g[len(item_pad):] if g.startswith(item_pad) else g.lstrip() for g in group))
        except yaml.YAMLError:
            parsed = None
        entry = parsed[0] if isinstance(parsed, list) and parsed else None
        if not (isinstance(entry, dict) and str(entry.get("by")) == org):
            kept_groups.append(group)
    new_items = [line for group in kept_groups for line in group] + ([f"{item_pad}- {item}{nl}"] if item else [])
    span[appr_at + 1:items_end] = new_items
    if status is not None:
        if status_at is None:
            span.insert(0, f"{key_pad}status: {status}{nl}")
        else:
            span[status_at] = f"{key_pad}status: {status}{nl}"
    lines[start + 1:stop] = span
    return bom + "".join(lines)


def set_status(text: str, status: str) -> str:
    """Only ``review.status`` changed (a flow review keeps its one line)."""
    bom = BOM if text.startswith(BOM) else ""
    lines = text[len(bom):].splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n").rstrip() in ("---", "...")), len(lines))
    start = next((i for i in range(1, end) if re.match(r"review\s*:", lines[i])), None)
    if start is None:
        return edit_review(text, "", None, status)
    stop = start + 1
    while stop < end and lines[stop][:1] in (" ", "\t"):
        stop += 1
    pattern = re.compile(r"(\bstatus\s*:\s*)(['\"]?)[\w-]*\2")
    for i in range(start, stop):
        if pattern.search(lines[i]):
            lines[i] = pattern.sub(lambda m: m.group(1) + status, lines[i], count=1)
            return bom + "".join(lines)
    return edit_review(text, "", None, status)


def _same_except_review(before: str, after: str) -> bool:
    """The edit touched the review block only: body and every other field unchanged."""
    fm_a, body_a, _ = split_front_matter(normalise_text(before))
    fm_b, body_b, _ = split_front_matter(normalise_text(after))
    meta_a, _, err_a = parse_front_matter(fm_a or "")
    meta_b, _, err_b = parse_front_matter(fm_b or "")
    meta_a.pop("review", None)
    meta_b.pop("review", None)
    return body_a == body_b and not err_b and (err_a is not None or meta_a == meta_b)


# --- signing ------------------------------------------------------------------------------------------------
def signing_key(git: Git) -> str:
    """The configured SSH signing key, or ApproveError(status 2) with the commands to set it up."""
    fmt = git.run("config", "--get", "gpg.format").stdout.strip()
    key = git.run("config", "--get", "user.signingkey").stdout.strip()
    if fmt == "ssh" and key:
        return key
    commands = []
    if not key:
        commands.append('ssh-keygen -t ed25519 -C "your.name@your-organisation.org" -f ~/.ssh/kb_signing   # once, if you have no key')
    if fmt != "ssh":
        commands.append("git config --global gpg.format ssh")
    if not key:
        commands.append("git config --global user.signingkey ~/.ssh/kb_signing.pub")
    raise ApproveError("commit signing with an SSH key is not set up; an approval is a signed commit. Run:\n  "
                       + "\n  ".join(commands)
                       + "\nthen send your public key (~/.ssh/kb_signing.pub) to a maintainer, who adds it to your "
                       "organisation's allowed-signers file (see CONTRIBUTING.md).", status=2)


def _key_fingerprint(root: Path, key: str) -> str:
    text = key[len("key::"):] if key.startswith("key::") else None
    if text is None:
        path = Path(key).expanduser()
        path = path if path.is_absolute() else root / path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""
    parts = text.split()
    return fingerprint(parts[1]) if len(parts) >= 2 else ""


def _require_listed_key(settings: Settings, data: ProjectData, org: str, key: str) -> None:
    """Refuse before anything is written when the signing key is not listed for *org*: a commit signed
    with it would record an approval that does not count (or one in another organisation's name)."""
    files = signers_files(settings, data)
    where = files[org].relative_to(settings.root).as_posix() if org in files else "data/reviewers.yml"
    fp = _key_fingerprint(settings.root, key)
    if not fp:
        raise ApproveError(f"cannot read the public key of git's user.signingkey ({key}); set it to your public key file: "
                           "git config --global user.signingkey ~/.ssh/kb_signing.pub. Nothing was changed.", status=2)
    if fp in (signer_keys(files[org]) if org in files else {}):
        return
    owners = sorted(o for o, path in files.items() if o != org and fp in signer_keys(path))
    if owners:
        raise ApproveError(f"your signing key {fp} is listed for {', '.join(owners)}, not for {org} ({where}): an approval "
                           f"as {org} must be signed by one of {org}'s reviewers. Nothing was changed. To approve for "
                           f"your own organisation: ./scripts/approve ... --as {owners[0]}", status=2)
    raise ApproveError(f"your signing key {fp} is not listed for {org} in {where}: a commit signed with it would record an "
                       f"approval that does not count. Nothing was changed. Send your public key to a maintainer, who "
                       f"adds it to {where} in a signed commit (CONTRIBUTING.md, reviewers); then run this again.",
                       status=2)


def _covered_files(settings: Settings, pair: PairApproval) -> list[str]:
    """The files besides the pages that the pair's digests read (kb/content/digest.py): they must be
    committed, so that the signed commit holds what the approval records."""
    out: list[str] = []
    glossary = settings.data_path / "glossary.yml"
    for digest in pair.digests.values():
        out += digest.files
        if any(part.startswith("term:") for part in digest.parts) and glossary.is_relative_to(settings.root):
            out.append(glossary.relative_to(settings.root).as_posix())
    return list(dict.fromkeys(out))


# --- the command ------------------------------------------------------------------------------------------------
def approve(settings: Settings, data: ProjectData, paths: list[Path], org: str, name: str = "",
            revoke: bool = False) -> Outcome:
    orgs = data.reviewers.organisations
    if org not in orgs:
        raise ApproveError(f"--as {org}: not an organisation of data/reviewers.yml ({', '.join(orgs)})", status=2)
    git = Git(settings.root)
    why = git.problem()
    if why:
        raise ApproveError(f"{why}: approvals are signed commits", status=2)
    key = signing_key(git)
    _require_listed_key(settings, data, org, key)
    rels: list[str] = []
    for p in paths:
        try:
            _, rel = locate(settings, p)
        except StampError as exc:
            raise ApproveError(str(exc), status=2) from None
        if rel not in rels:
            rels.append(rel)
    report = run(settings, data, release=False)
    edits: dict[str, str] = {}  # repository path -> new text
    statuses = []
    for rel in rels:
        pair = report.approvals.get(rel)
        pair_info = report.pair_for(rel)
        if pair is None or pair_info is None:
            raise ApproveError(f"{rel}: no such page under {settings.docs_dir}/<lang>/", status=2)
        files = list(pair.paths.values())
        covered = _covered_files(settings, pair)
        dirty = [line[3:] for line in git.run("status", "--porcelain", "--", *files, *covered).stdout.splitlines()
                 if line.strip()]
        if dirty:
            shown = ", ".join(dirty)
            raise ApproveError(f"{shown}: uncommitted changes; commit them (or stash them) first: an approval "
                               "covers committed content (the pages, the files they show, the glossary)")
        for path in files:
            page = report.pages[path]
            if page.text is None or page.meta_error:
                raise ApproveError(f"{path}: cannot be read or its front matter is not valid; fix it first (./scripts/check)")
        if pair_info.target is not None and pair_info.state not in (TranslationState.CURRENT, TranslationState.SINGLE):
            if not revoke:
                raise ApproveError(f"{pair_info.target}: the translation is {pair_info.state}; bring it up to date and "
                                   f"run ./scripts/translated first: an approval covers both languages' text")
        others_ok = not [o for o in pair.lacking() if o != org]
        mine = pair.for_org(org)
        if revoke and mine is None:
            raise ApproveError(f"{rel}: has no approval by {org} to revoke")
        if revoke:
            status = "in-review"
        else:
            status = "approved" if others_ok else "in-review"
        statuses.append(status)
        source = pair_info.source
        item = None if revoke else approval_item(org, name, settings.today, pair.hashes)
        for path in files:
            original = (settings.root / path).read_text(encoding="utf-8")
            page = report.pages[path]
            if path == source:
                new = edit_review(original, org, item, status)
            elif any(a.org == org and a.path == path for a in pair.approvals):
                new = edit_review(original, org, None, status)  # an older line on the translation goes too
            elif page.review_status != status:
                new = set_status(original, status)
            else:
                new = original
            if new != original:
                if not _same_except_review(original, new):
                    raise ApproveError(f"{path}: could not change only the review block; edit it by hand")
                edits[path] = new
    if not edits:
        raise ApproveError("nothing to change")
    originals = {path: (settings.root / path).read_bytes() for path in edits}
    for path, text in edits.items():
        write_atomic(settings.root / path, text.encode("utf-8"))
    shown = ", ".join(edits)
    message = f"{'Revoke approval of' if revoke else 'Approve'} {shown} as {org}"
    result = git.run("commit", "-S", "--only", "-m", message, "--", *edits)
    if result.returncode != 0:
        for path, raw in originals.items():
            write_atomic(settings.root / path, raw)
        raise ApproveError(f"git commit -S failed, nothing recorded:\n{result.stderr.strip() or result.stdout.strip()}")
    commit = git.run("rev-parse", "HEAD").stdout.strip()
    return Outcome(files=list(edits), commit=commit, status=statuses[-1], notes=[])
