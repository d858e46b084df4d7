"""Approvals that hold: each one is bound to the text it approved and to the organisation's key.

An approval is one flow-mapping line in ``review.approvals`` of a page's front matter (written by
``./scripts/approve``, kb/authoring/approve.py), recorded for the translation pair as a whole::

    - {by: UNIDO, name: 王某, date: 2026-11-30, zh: 3f2a…, en: 9c1d…}

``zh`` / ``en`` are the content digests (kb/content/digest.py: body, shown front-matter fields, the files
the page shows, the glossary entries it uses; docs/adr/0011-approval-digest.md) of both pages when it
was approved. It counts only when

1. the commit that introduced that exact line (``git blame``) is signed with an SSH key listed in
   the organisation's allowed-signers file (``signers:`` in data/reviewers.yml) as committed and
   vouched for by its history (kb/trust/signers.py: never the working tree), verified offline by git itself (``gpg.ssh.allowedSignersFile``; valid-after / valid-before are honoured against
   the commit date), and
2. both recorded digests equal the current ones. When one differs, the digest is computed again from
   that signed commit (the page, its files and the glossary as committed there): when it matches, the
   approval is *outdated* and the parts that differ say what changed (title, a field, a file, a
   glossary term, the body); when it does not, the line records something its commit did not contain
   and is refused.

``compute`` runs once per check (kb.checks.engine.run) and its result is ``Report.approvals``: the site,
the status page, the review view and the PDF step read that one state. Git is called only for
pages that carry approvals: the signers history replay (kb/trust/signers.py), one ``blame`` per such file, one ``log`` per organisation over the
distinct commits found, and for an approval whose digest no longer matches, the files its digest reads at its commit."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import posixpath
import re
import tempfile
from collections.abc import Container, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from kb.content.digest import DigestRules, PageDigest, Reader, page_digest
from kb.content.pages import Page, iso_date, parse_page, split_front_matter
from kb.content.text import line_separator, normalise_text
from kb.project.data import GlossaryTerm, ProjectData, glossary_terms
from kb.project.findings import Localised
from kb.project.git import ZERO, Git, Signature
from kb.project.records import record_json
from kb.project.schemas import SafeLoader
from kb.project.settings import Settings, SettingsError
from kb.trust.reviewcopies import CopyVerdict, certificate_pins, copy_files, verify_copy
from kb.trust.signers import KEY_RE, SignerProblem, Trust, establish, fingerprint, key_lines

RULE = "approval"
APPROVE_SUBJECT_RE = r"^\W*Approve .+ as {org}\s*$"  # the subject ./scripts/approve writes
REVOKE_SUBJECT_RE = r"^\W*Revoke approval of (?P<paths>.+) as {org}\s*$"  # and ./scripts/approve --revoke


# --- records ------------------------------------------------------------------------------------------------
class ApprovalValidity(StrEnum):
    """What the verification of one approval found."""

    VALID = "valid"  # signed by the organisation's key, for the current text of both pages
    OUTDATED = "outdated"  # signed by the organisation's key, for an earlier text
    INVALID = "invalid"  # not signed by the organisation's key, or recording a text its commit did not hold


class PairApprovalState(StrEnum):
    """The approval state of a pair (the status page's approvals block, the review view)."""

    APPROVED = "approved"  # every organisation of the track approved the current text
    OUTDATED = "outdated"  # an organisation's signed approval is of an earlier text
    INVALID = "invalid"  # an organisation's approval does not verify
    PARTIAL = "partial"  # some organisations approved
    NONE = "none"  # no organisation approved


class LanguageApprovalState(StrEnum):
    """The approval state of one language's page of a pair."""

    APPROVED = "approved"  # every organisation approved this text
    CHANGED = "changed"  # a signed approval covers an earlier version of it
    UNCHANGED = "unchanged"  # every organisation signed this text, but the other language changed since
    UNAPPROVED = "unapproved"


@dataclass
class Approval:
    """One approval line, with what its verification found."""

    org: str
    name: str
    date: str
    hashes: dict[str, str]  # language -> content digest recorded (kb/content/digest.py)
    path: str  # the page whose front matter holds the line
    line: int
    commit: str = ""  # the commit that introduced the line ("" when none)
    signer: str = ""  # principal of the key that signed it (from the allowed-signers file)
    state: ApprovalValidity = ApprovalValidity.INVALID
    problem: str = ""  # message code of the approval rule; "" when valid
    params: dict[str, Any] = field(default_factory=dict)  # details for the message
    changed: tuple[str, ...] = ()  # languages whose digest differs from the approved version
    versions: dict[str, str] = field(default_factory=dict)  # language -> commit of the approved text
    parts: dict[str, list[str]] = field(default_factory=dict)  # language -> digest parts changed since

    @property
    def signed(self) -> bool:
        """Signed by the organisation's key (the text may have changed since)."""
        return self.state in (ApprovalValidity.VALID, ApprovalValidity.OUTDATED)


@dataclass
class PairApproval:
    """The approval state of one translation pair (or one single-language page)."""

    rel: str
    track: str
    required: tuple[str, ...]
    paths: dict[str, str]  # language -> repository path of the page
    hashes: dict[str, str]  # language -> current content digest
    approvals: list[Approval] = field(default_factory=list)
    digests: dict[str, PageDigest] = field(default_factory=dict)  # language -> current digest, with its parts

    def for_org(self, org: str) -> Approval | None:
        """The organisation's best approval: valid, else outdated, else the first invalid one."""
        mine = [a for a in self.approvals if a.org == org]
        rank = {ApprovalValidity.VALID: 0, ApprovalValidity.OUTDATED: 1, ApprovalValidity.INVALID: 2}
        return min(mine, key=lambda a: rank[a.state]) if mine else None

    def approved_by(self, orgs: Iterable[str] | None = None) -> bool:
        """True when every organisation in *orgs* (default: the track's) has a verified approval of
        the current text of every page of the pair."""
        return not self.lacking(orgs)

    def lacking(self, orgs: Iterable[str] | None = None) -> list[str]:
        """The organisations of *orgs* (default: the track's) without a valid approval."""
        wanted = self.required if orgs is None else tuple(orgs)
        return [org for org in wanted if (a := self.for_org(org)) is None or a.state != ApprovalValidity.VALID]

    @property
    def approved(self) -> bool:
        return bool(self.required) and self.approved_by()

    @property
    def state(self) -> PairApprovalState:
        if self.approved:
            return PairApprovalState.APPROVED
        best = [a for org in self.required if (a := self.for_org(org)) is not None]
        if any(a.state == ApprovalValidity.OUTDATED for a in best):
            return PairApprovalState.OUTDATED
        if any(a.state == ApprovalValidity.INVALID for a in best):
            return PairApprovalState.INVALID
        return PairApprovalState.PARTIAL if best else PairApprovalState.NONE

    def language_state(self, lang: str) -> LanguageApprovalState:
        """The approval state of the pair's page in *lang*."""
        best = [a for org in self.required if (a := self.for_org(org)) is not None and a.signed]
        if any(lang in a.changed for a in best):
            return LanguageApprovalState.CHANGED
        if self.approved:
            return LanguageApprovalState.APPROVED
        if best and len(best) == len(self.required):
            return LanguageApprovalState.UNCHANGED
        return LanguageApprovalState.UNAPPROVED

    def outdated(self) -> list[Approval]:
        return [a for a in self.approvals if a.state == ApprovalValidity.OUTDATED]


class Approvals(dict[str, PairApproval]):
    """The approval state of every pair (rel -> PairApproval), with what the allowed-signers
    history check found (kb/trust/signers.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.signers: list[SignerProblem] = []
        self.copies: list[CopyVerdict] = []  # every review copy under data/review-copies/, verified


# --- reading the approval lines of a page ----------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    value: Any
    line: int  # file line number


def approval_entries(page: Page) -> list[Entry]:
    """The items of ``review.approvals`` with the file line each starts on."""
    items = page.review.get("approvals")
    if page.text is None or page.meta_error or not isinstance(items, list) or not items:
        return []
    fm, _, _ = split_front_matter(normalise_text(page.text))
    lines = [page.line_of("review")] * len(items)
    try:
        root = yaml.compose(fm or "", Loader=SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError):
        root = None
    if isinstance(root, yaml.MappingNode):
        review = next((v for k, v in root.value if getattr(k, "value", None) == "review"), None)
        seq = None
        if isinstance(review, yaml.MappingNode):
            seq = next((v for k, v in review.value if getattr(k, "value", None) == "approvals"), None)
        if isinstance(seq, yaml.SequenceNode) and len(seq.value) == len(items):
            lines = [node.start_mark.line + 2 for node in seq.value]
    return [Entry(value, line) for value, line in zip(items, lines, strict=True)]


# --- allowed signers ----------------------------------------------------------------------------------------------
def signer_keys(path: Path) -> dict[str, str]:
    """Fingerprint -> principal of every key in an allowed-signers file (comments skipped)."""
    keys: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return keys
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = KEY_RE.search(line)
        if m:
            keys[fingerprint(m.group(2))] = line.split()[0]
    return keys


def signers_files(settings: Settings, data: ProjectData) -> dict[str, Path]:
    """Organisation -> its declared allowed-signers file (data/reviewers.yml ``signers``)."""
    out = {}
    for org, spec in data.reviewers.organisations.items():
        if spec.signers and spec.signers.strip():
            out[org] = settings.root / spec.signers.strip()
    return out


# --- verification ---------------------------------------------------------------------------------------------------
def _as_str(value: Any) -> str:
    day = iso_date(value)
    return day.isoformat() if day is not None else ("" if value is None else str(value))


def _pair_pages(source: Page, target: Page | None) -> dict[str, Page]:
    return {p.lang: p for p in (source, target) if p is not None and p.text is not None}


def digest_rules(settings: Settings, data: ProjectData) -> DigestRules:
    """What every page's digest reads besides the page (kb/content/digest.py), as the project has it now."""
    return DigestRules(glossary=tuple(data.glossary), fields=data.model.shown_fields, docs_dir=settings.docs_dir,
                       default_language=settings.default_language, length=data.model.hash_length)


def worktree_reader(root: Path) -> Reader:
    """A file of the working tree (not a symbolic link, not outside the repository), None when there is none."""
    base = root.resolve()

    def read(path: str) -> bytes | None:
        full = root / path
        try:
            if full.is_symlink() or not full.is_file() or not full.resolve().is_relative_to(base):
                return None
            return full.read_bytes()
        except OSError:
            return None
    return read


def compute(settings: Settings, data: ProjectData, groups: list[tuple[str, Page, Page | None]], *,
            deepen: bool = True) -> Approvals:
    """Verify the approvals of every pair. *groups*: (rel, source page, target page or None)."""
    rules = digest_rules(settings, data)
    read = worktree_reader(settings.root)
    files = signers_files(settings, data)
    orgs = data.reviewers.organisations
    result = Approvals()
    pending: list[tuple[PairApproval, Approval]] = []
    for rel, source, target in groups:
        pages = _pair_pages(source, target)
        track = source.track or "general"
        digests = {lang: page_digest(p, rules, read) for lang, p in pages.items()}
        pair = PairApproval(rel=rel, track=track, required=tuple(data.required_reviewers(track)),
                            paths={lang: p.path for lang, p in pages.items()},
                            hashes={lang: d.value for lang, d in digests.items()}, digests=digests)
        result[rel] = pair
        for page in pages.values():
            for entry in approval_entries(page):
                approval = _parse(settings, entry, page, pair, orgs, files)
                pair.approvals.append(approval)
                if not approval.problem:
                    pending.append((pair, approval))
    copies = copy_files(settings.data_path)
    if pending or copies:
        result.signers = _verify(settings, pending, rules, deepen, copies, result)
    return result


def _line_separator(page: Page) -> tuple[int, str] | None:
    """A character that makes git count the page's lines differently from its reader: the signed
    commit of an approval line is found by line number, so such a page's approvals cannot be attributed."""
    return line_separator(page.raw.decode("utf-8", "replace")) if page.raw else None


def _parse(settings: Settings, entry: Entry, page: Page, pair: PairApproval, orgs: Container[str],
           files: dict[str, Path]) -> Approval:
    item = entry.value if isinstance(entry.value, dict) else {}
    org = str(item.get("by", "")) if item.get("by") is not None else ""
    hashes = {lang: str(item[lang]) for lang in pair.hashes if item.get(lang) not in (None, "")}
    approval = Approval(org=org, name=str(item.get("name") or ""), date=_as_str(item.get("date")), hashes=hashes,
                        path=page.path, line=entry.line, params={"org": org or "?", "date": _as_str(item.get("date"))})
    missing = [lang for lang in pair.hashes if lang not in hashes]
    if org not in orgs:
        approval.problem = "unknown-org"  # reported by the review rule (unknown-reviewer)
    elif missing or iso_date(item.get("date")) is None:
        approval.problem = "malformed"
        approval.params["langs"] = ", ".join(missing) or "-"
    elif (separator := _line_separator(page)) is not None:
        approval.problem = "line-separators"
        approval.params.update(line=str(separator[0]), char=separator[1], path=page.path)
    elif org not in files or not files[org].is_file():
        approval.problem = "no-signers"
        approval.params["file"] = _repo_rel(settings, files[org]) if org in files else "-"
    return approval


def _verify(settings: Settings, pending: list[tuple[PairApproval, Approval]], rules: DigestRules,
            deepen: bool, copies: list[Path], result: Approvals) -> list[SignerProblem]:
    git = Git(settings.root)
    why = git.problem()
    if why:
        for _, a in pending:
            a.problem, a.params["reason"] = "no-git", why
        result.copies = [CopyVerdict(_repo_rel(settings, p), problem="no-git", params={"org": "?", "reason": why})
                         for p in copies]
        return []
    boundary, deepen_error = git.shallow_boundary(deepen)
    # 0. which keys the history vouches for: approvals are checked against the committed files
    # whose every change is trusted (kb/trust/signers.py), never against the working tree; 1. which
    # commit introduced each approval line: one blame per file. (git runs in its own processes:
    # threads overlap them)
    by_file: dict[str, list[Approval]] = {}
    for _, a in pending:
        by_file.setdefault(a.path, []).append(a)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        replay = pool.submit(establish, git, _repo_rel(settings, settings.data_path / "reviewers.yml"),
                             _repo_rel(settings, settings.data_path / "signers"), shallow=bool(boundary))
        blames = dict(zip(by_file, pool.map(lambda item: git.blame(item[0], [a.line for a in item[1]]), by_file.items()),
                          strict=True))
        trust = replay.result()
    with tempfile.TemporaryDirectory(prefix="kb-approvals-") as tmp:
        files: dict[str, Path] = {}
        for org, text in trust.committed.items():
            files[org] = Path(tmp) / f"{org}.allowed_signers"
            files[org].write_text(text, encoding="utf-8")
        _verify_signed(git, pending, trust, files, blames, boundary, deepen_error)
    _verify_text(git, pending, rules, _repo_rel(settings, settings.data_path / "glossary.yml"), boundary, deepen_error)
    if copies:
        _count_copies(settings, git, trust, copies, result)
    return trust.problems


# --- review copies (kb/trust/reviewcopies.py) ----------------------------------------------------------------------
def _count_copies(settings: Settings, git: Git, trust: Trust, copies: list[Path], result: Approvals) -> None:
    """Verify each review copy and count the sound ones as approvals of the pairs they list: valid
    where the digests are the current ones, outdated where a page changed since."""
    pins = {org: certificate_pins(text) for org, text in trust.committed.items()}
    effective = main_times(git)
    now = dt.datetime.now(dt.UTC)
    for path in copies:
        rel = _repo_rel(settings, path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            result.copies.append(CopyVerdict(rel, problem="copy-not-a-copy", params={"org": "?", "copy": rel,
                                                                                     "reason": exc.strerror or "read"}))
            continue
        verdict = verify_copy(raw, rel, pins, {} if trust.git_failure else trust.trusted,
                              _reached_main(git, rel, effective) or now, result.keys())
        result.copies.append(verdict)
        if verdict.problem:
            continue
        for pair_rel, digests in verdict.pairs.items():
            pair = result[pair_rel]
            approval = Approval(org=verdict.org, name=verdict.name, date=verdict.signed, hashes=dict(digests),
                                path=rel, line=1, signer=verdict.signer,
                                params={"org": verdict.org, "copy": rel, "date": verdict.signed})
            approval.changed = tuple(lang for lang in pair.hashes if digests.get(lang) != pair.hashes[lang])
            if approval.changed:
                approval.state, approval.problem = ApprovalValidity.OUTDATED, "copy-outdated"
                approval.params.update(langs=", ".join(approval.changed), page=pair_rel)
            else:
                approval.state = ApprovalValidity.VALID
            pair.approvals.append(approval)


def main_times(git: Git) -> dict[str, int]:
    """Commit -> the time it reached the main branch: along HEAD's first-parent history, each commit's
    time taken as the latest so far (a commit date is whatever its author wrote; this only grows)."""
    listing = git.run("rev-list", "--first-parent", "--reverse", "--format=%ct", "HEAD")
    effective: dict[str, int] = {}
    if listing.returncode != 0:
        return effective
    latest, commit = 0, ""
    for line in listing.stdout.splitlines():
        if line.startswith("commit "):
            commit = line.split()[1]
        elif line.strip().isdigit() and commit:
            latest = max(latest, int(line))
            effective[commit] = latest
    return effective


def _entry(git: Git, commit: str, effective: dict[str, int]) -> str:
    """The first-parent commit through which *commit* reached HEAD ("" when it did not)."""
    if commit in effective:
        return commit
    path = git.run("rev-list", "--first-parent", "--ancestry-path", "--reverse", f"{commit}..HEAD")
    return next((c for c in path.stdout.split() if c in effective), "")


def _reached_main(git: Git, rel: str, effective: dict[str, int]) -> dt.datetime | None:
    """When the file as it is now reached the main branch; None when it is not committed as it is."""
    if git.run("diff", "--quiet", "HEAD", "--", rel).returncode != 0:
        return None
    last = git.run("log", "-1", "--format=%H", "HEAD", "--", rel).stdout.strip()
    entry = _entry(git, last, effective) if last else ""
    return dt.datetime.fromtimestamp(effective[entry], dt.UTC) if entry else None


def _verify_signed(git: Git, pending: list[tuple[PairApproval, Approval]], trust: Trust, files: dict[str, Path],
                   blames: dict[str, tuple[dict[int, tuple[str, str]], str]], boundary: set[str],
                   deepen_error: str) -> None:
    paths = trust.policy.paths
    by_file: dict[str, list[Approval]] = {}
    for _, a in pending:
        by_file.setdefault(a.path, []).append(a)
    failed: dict[int, str] = {}  # id(approval) -> git's failure, when git could not say who wrote it or signed it
    for path, approvals in by_file.items():
        lines, error = blames[path]
        for a in approvals:
            a.commit = lines.get(a.line, (ZERO, ""))[0]
            if error:
                failed[id(a)] = error
    # 2. who signed those commits: one log per organisation over its distinct commits
    commits_by_org: dict[str, set[str]] = {}
    for _, a in pending:
        if a.commit != ZERO and a.commit not in boundary and trust.trusted.get(a.org):
            commits_by_org.setdefault(a.org, set()).add(a.commit)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        verdicts = dict(zip(commits_by_org, pool.map(lambda item: git.signatures(files[item[0]], item[1]),
                                                     commits_by_org.items()), strict=True))
    for _, a in pending:
        error = verdicts.get(a.org, ({}, ""))[1] if a.commit in commits_by_org.get(a.org, ()) else ""
        if error:
            failed.setdefault(id(a), error)
    keys = {org: trust.keys(org) for org in trust.committed}
    for _, a in pending:
        a.params.update(commit=a.commit[:10], file=paths.get(a.org, "-"), path=a.path)
        if id(a) in failed:
            a.problem, a.params["reason"] = "no-git", failed[id(a)]
        elif a.commit == ZERO:
            a.problem = "uncommitted"
        elif a.commit in boundary:
            a.problem = "shallow"
            a.params["reason"] = deepen_error or "shallow clone"
        elif not trust.trusted.get(a.org) and trust.git_failure:
            a.problem, a.params["reason"] = "no-git", trust.git_failure
        elif not trust.trusted.get(a.org):
            a.problem = "signers-not-trusted"
        else:
            _classify(a, verdicts[a.org][0].get(a.commit), keys)
    _judged_by_main(git, pending, trust)
    _revoked_later(git, pending, files)


def _judged_by_main(git: Git, pending: list[tuple[PairApproval, Approval]], trust: Trust) -> None:
    """A key's valid-before is judged against the time the approval reached main, not the date in its
    commit, which whoever makes the commit writes: main's first-parent history, each commit's time
    taken as the latest so far along it. A commit backdated into a rotated key's window is refused."""
    signed = [a for _, a in pending if not a.problem and a.signer and a.commit and a.commit != ZERO]
    if not signed:
        return
    effective = main_times(git)
    if not effective:
        return  # verified as git verified it; a history that cannot be listed is reported elsewhere
    for a in signed:
        entry = _entry(git, a.commit, effective)
        if not entry:
            continue
        reached = dt.datetime.fromtimestamp(effective[entry], dt.UTC).date()
        fingerprint_ = a.params.get("key", "")
        for key in key_lines(trust.committed.get(a.org)):
            if key.fingerprint == fingerprint_ and key.before and reached.strftime("%Y%m%d") >= key.before:
                a.problem = "key-not-valid"
                a.params.update(cdate=f"{reached.isoformat()} (reached main)", signer=a.signer)
                a.signer = ""
                break


def _revoked_later(git: Git, pending: list[tuple[PairApproval, Approval]], files: dict[str, Path]) -> None:
    """An approval whose line a signed revocation of the same organisation removed after it was
    written stays revoked, even when a branch from before the revocation brings the line back in a
    merge: blame finds the old signed commit, and the revocation is in the history after it."""
    candidates = [a for _, a in pending if not a.problem and a.commit and a.commit != ZERO]
    later: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (commit, path) -> (revoking commit, subject)
    for a in candidates:
        key = (a.commit, a.path)
        if key not in later:
            # --full-history: a merge that keeps the old branch's side of the page would otherwise hide
            # the other side's commits, the revocation among them
            log = git.run("log", "--full-history", "--format=%H%x00%s", f"{a.commit}..HEAD", "--", a.path)
            later[key] = [tuple(line.split("\x00", 1)) for line in log.stdout.splitlines() if "\x00" in line]
    # the later commits whose subject revokes this approval's page as its organisation, oldest last
    revoking: dict[int, list[str]] = {}
    by_org: dict[str, set[str]] = {}
    for a in candidates:
        pattern = re.compile(REVOKE_SUBJECT_RE.format(org=re.escape(a.org)))
        revoking[id(a)] = [commit for commit, subject in later[(a.commit, a.path)]
                           if (match := pattern.match(subject)) and a.path in match.group("paths").split(", ")]
        by_org.setdefault(a.org, set()).update(revoking[id(a)])
    signed: dict[str, dict[str, Signature]] = {}
    for org, commits in by_org.items():
        if org in files and commits:
            signed[org] = git.signatures(files[org], commits)[0]
    for a in candidates:
        for commit in revoking[id(a)]:
            sig = signed.get(a.org, {}).get(commit)
            if sig is not None and sig.status == "G":
                a.problem = "revoked"
                a.params.update(revoked=commit[:10], rdate=sig.date, revoker=sig.principal or sig.fingerprint)
                break


def _verify_text(git: Git, pending: list[tuple[PairApproval, Approval]], rules: DigestRules, glossary_path: str,
                 boundary: set[str], deepen_error: str) -> None:
    # 3. is the approved content the current content? When a digest differs, the digest of the content
    # as its signed commit holds it says whether the line is true to that commit and, part by part,
    # what changed since
    then: dict[tuple[str, str], PageDigest | None] = {}
    glossaries: dict[str, tuple[GlossaryTerm, ...] | None] = {}
    for pair, a in pending:
        if a.problem:
            continue
        a.changed = tuple(lang for lang in pair.hashes if a.hashes.get(lang) != pair.hashes[lang])
        unknown = []
        for lang in a.changed:
            key = (a.commit, pair.paths[lang])
            if key not in then:
                if a.commit not in glossaries:
                    glossaries[a.commit] = _glossary_at(git, a.commit, glossary_path)
                then[key] = _digest_at(git, a.commit, pair.paths[lang], lang, rules, glossaries[a.commit])
            approved = then[key]
            if approved is not None and approved.value == a.hashes[lang]:
                a.versions[lang] = a.commit
                a.parts[lang] = approved.changed(pair.digests[lang])
            else:
                unknown.append(lang)
        if unknown:
            a.problem = "shallow" if boundary else "hash-unknown"
            a.params.update(lang=", ".join(unknown), recorded=", ".join(a.hashes[lang] for lang in unknown),
                            page=", ".join(pair.paths[lang] for lang in unknown),
                            reason=deepen_error or "shallow clone")
        elif a.changed:
            a.state, a.problem = ApprovalValidity.OUTDATED, "outdated"
            a.params.update(langs=", ".join(a.changed), version=a.commit[:10], changes=describe_changes(a.parts))
        else:
            a.state = ApprovalValidity.VALID


def _glossary_at(git: Git, commit: str, path: str) -> tuple[GlossaryTerm, ...] | None:
    """The glossary as *commit* holds it (empty when it has none), None when it cannot be read."""
    raw = git.blob(commit, path)
    if raw is None:
        return ()
    try:
        return tuple(glossary_terms(yaml.load(raw.decode("utf-8"), Loader=SafeLoader), Path(path)))
    except (SettingsError, yaml.YAMLError, UnicodeDecodeError, ValueError, TypeError, RecursionError):
        return None


def _digest_at(git: Git, commit: str, path: str, lang: str, rules: DigestRules,
               glossary: tuple[GlossaryTerm, ...] | None) -> PageDigest | None:
    """The digest of the page *path* with its files and glossary as *commit* holds them (None: not there)."""
    raw = git.blob(commit, path)
    if raw is None or glossary is None:
        return None
    page = parse_page(path, lang, posixpath.relpath(path, f"{rules.docs_dir}/{lang}"), raw)
    if page.text is None:
        return None
    return page_digest(page, replace(rules, glossary=glossary), lambda p: git.blob(commit, p))


# The words that name a changed part in a message (the parts: kb/content/digest.py).
LANGUAGE_NAMES = {"zh": {"zh": "中文", "en": "英文"}, "en": {"zh": "Chinese", "en": "English"}}


def _part_name(part: str, lang: str) -> str:
    kind, _, name = part.partition(":")
    zh = lang == "zh"
    if kind == "body":
        return "正文" if zh else "body"
    if kind == "front-matter":
        return "前置元数据" if zh else "front matter"
    if kind == "field" and name == "title":
        return "标题（title）" if zh else "title"
    if kind == "field":
        return f"前置字段 {name}" if zh else f"front-matter field {name}"
    if kind == "asset":
        return f"文件 {name}" if zh else f"file {name}"
    if kind == "term":
        return f"术语 {name} 的词条" if zh else f"glossary term {name}"
    return part


def describe_changes(parts: dict[str, list[str]]) -> Localised:
    """What changed since an approval, per page, worded in each language: ``the Chinese page: title,
    glossary term mercury; the English page: file docs/en/x.png``."""
    out = {}
    for lang in ("zh", "en"):
        names = LANGUAGE_NAMES[lang]
        if lang == "zh":
            out[lang] = "；".join(f"{names.get(page, page)}页面的" + "、".join(_part_name(p, lang) for p in changed)
                                 for page, changed in parts.items() if changed)
        else:
            out[lang] = "; ".join(f"the {names.get(page, page)} page's " + ", ".join(_part_name(p, lang) for p in changed)
                                  for page, changed in parts.items() if changed)
    return Localised(out)


def _repo_rel(settings: Settings, path: Path) -> str:
    try:
        return path.resolve().relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _classify(a: Approval, sig: Signature | None, keys: dict[str, dict[str, str]]) -> None:
    """Set a.problem ("" when the commit is signed by a key of a.org valid at its date)."""
    if sig is None:
        a.problem = "unsigned"
        a.params.update(author="?", cdate="?", subject="?")
        return
    a.params.update(author=sig.author, cdate=sig.date, subject=(sig.message.splitlines() or [""])[0][:80],
                    key=sig.fingerprint or "-")
    if sig.status == "G":
        a.signer = sig.principal or sig.fingerprint
        return
    names_approval = re.search(APPROVE_SUBJECT_RE.format(org=re.escape(a.org)), sig.message, re.MULTILINE)
    owners = [org for org, fps in keys.items() if sig.fingerprint and sig.fingerprint in fps]
    if sig.status == "N":
        a.problem = "squashed" if names_approval else "unsigned"
    elif sig.status == "B":
        a.problem = "bad-signature"
    elif sig.status == "E":
        a.problem = "cannot-verify"
    elif a.org in owners:
        a.problem = "key-not-valid"
        a.params["signer"] = keys[a.org][sig.fingerprint]
    elif owners:
        a.problem = "other-org-key"
        a.params.update(other=", ".join(owners), signer=keys[owners[0]][sig.fingerprint])
    else:
        a.problem = "squashed" if names_approval else "unlisted-key"


# --- what reviewers see ------------------------------------------------------------------------------------------------
def shown_status(pair: PairApproval | None, typed: str | None) -> str:
    """The review status shown to readers: approved only when verified; a typed "approved" that
    does not verify is shown as in review."""
    if pair is not None and pair.approved:
        return "approved"
    if typed == "approved":
        return "in-review"
    return typed or "draft"


@dataclass(frozen=True)
class ApprovalRow:
    """One approval as the status page, the review view and status.json show it."""

    org: str
    name: str
    date: str
    state: ApprovalValidity
    problem: str  # message code of the approval rule; "" when valid
    commit: str  # the first 10 hex digits of the commit that introduced the line ("" when none)
    signer: str  # principal of the key that signed it
    hashes: Mapping[str, str]  # language -> content digest recorded
    changed: tuple[str, ...]  # languages whose digest differs from the approved version
    path: str  # the page (or review copy) that holds the approval
    line: int

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class PairSummary:
    """The approval state of one pair as the status page, the review view and status.json show it."""

    rel: str
    track: str
    required: tuple[str, ...]  # the organisations that review the track
    state: PairApprovalState
    lacking: tuple[str, ...]  # the organisations of *required* without a valid approval
    languages: Mapping[str, LanguageApprovalState]  # language -> the state of its page
    hashes: Mapping[str, str]  # language -> current content digest
    approvals: tuple[ApprovalRow, ...]

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True)
class OutdatedDiff:
    """What changed since one outdated approval: per language, a unified diff of the page's body from
    the approved version to the current text."""

    org: str
    name: str
    date: str
    diffs: Mapping[str, str]  # language -> unified diff


def approval_rows(pair: PairApproval) -> tuple[ApprovalRow, ...]:
    """One row per approval of *pair*, in the order the pages and review copies hold them."""
    return tuple(ApprovalRow(
        org=a.org, name=a.name, date=a.date, state=a.state, problem=a.problem,
        commit=a.commit[:10] if a.commit and a.commit != ZERO else "", signer=a.signer,
        hashes=dict(a.hashes), changed=tuple(a.changed), path=a.path, line=a.line,
    ) for a in pair.approvals)


def pair_summary(pair: PairApproval) -> PairSummary:
    """The approval state of *pair* with its approvals, for templates and status.json."""
    return PairSummary(
        rel=pair.rel, track=pair.track, required=tuple(pair.required), state=pair.state,
        lacking=tuple(pair.lacking()), languages={lang: pair.language_state(lang) for lang in pair.paths},
        hashes=dict(pair.hashes), approvals=approval_rows(pair),
    )


def outdated_diffs(root: Path, pair: PairApproval, context: int = 2) -> list[OutdatedDiff]:
    """For each outdated approval: per language, a unified diff of the page's body from the approved
    version to the current text (from git; difflib)."""
    git = Git(root)
    out = []
    for a in pair.outdated():
        diffs = {}
        for lang in a.changed:
            commit = a.versions.get(lang)
            old = git.show(commit, pair.paths[lang]) if commit else None
            new_path = root / pair.paths[lang]
            if old is None or not new_path.is_file():
                continue
            new = new_path.read_text(encoding="utf-8", errors="replace")
            old_body = split_front_matter(normalise_text(old))[1].split("\n")
            new_body = split_front_matter(normalise_text(new))[1].split("\n")
            diffs[lang] = "\n".join(difflib.unified_diff(old_body, new_body, f"{pair.paths[lang]} ({commit[:10]})",
                                                         f"{pair.paths[lang]}", n=context, lineterm=""))
        out.append(OutdatedDiff(org=a.org, name=a.name, date=a.date, diffs=diffs))
    return out
