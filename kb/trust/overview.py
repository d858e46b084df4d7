"""What the trust chain says today, for a person: the recorded trust root, who manages the keys, each
organisation's keys with the commit that listed each one and who signed that commit, and what is
missing before an organisation's approval can count. Read from the committed history (kb.trust.signers),
never from the working tree; `./scripts/trust` prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kb.project.data import ProjectData
from kb.project.git import Git
from kb.project.settings import Settings
from kb.trust.signers import KEY_RE, KeyLine, SignerProblem, establish, key_lines, signatures_by_any


@dataclass(frozen=True)
class KeyRecord:
    """One key of an organisation's committed allowed-signers file and the commit that listed it."""

    fingerprint: str
    principal: str
    valid_after: str   # YYYYMMDD or ""
    valid_before: str
    commit: str        # the commit that added the line ("" when git could not say)
    date: str
    author: str
    signed_by: str     # the signature's principal, or "" when the commit is not signed by a known key


@dataclass(frozen=True)
class OrganisationTrust:
    org: str
    file: str                 # repository path of its allowed-signers file ("" when none is declared)
    trusted: bool             # the history vouches for the committed file
    keys: tuple[KeyRecord, ...]
    tracks: tuple[str, ...]   # the tracks whose pages it must approve


@dataclass(frozen=True)
class TrustOverview:
    root: str                       # the recorded trust root commit ("" when none)
    managed_by: tuple[str, ...]
    organisations: tuple[OrganisationTrust, ...]
    problems: tuple[SignerProblem, ...] = ()
    missing: tuple[tuple[str, dict[str, str]], ...] = field(default=())  # (what, its parameters)


def _rel(settings: Settings, path: Path) -> str:
    return path.resolve().relative_to(settings.root.resolve()).as_posix()


def _added_by(git: Git, file: str, blob: str) -> tuple[str, str, str]:
    """(commit, date, author) of the oldest commit that put the key *blob* into *file*."""
    log = git.run("log", "--reverse", "--format=%H%x00%cs%x00%an", "-S", blob, "--", file)
    first = next((line for line in log.stdout.splitlines() if line.strip()), "") if log.returncode == 0 else ""
    parts = first.split("\x00")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else ("", "", "")


def overview(settings: Settings, data: ProjectData) -> TrustOverview:
    git = Git(settings.root)
    reviewers_rel = _rel(settings, settings.data_path / "reviewers.yml")
    trust = establish(git, reviewers_rel, _rel(settings, settings.data_path / "signers"))
    tracks_of: dict[str, list[str]] = {}
    for track, orgs in data.reviewers.tracks.items():
        for org in orgs or []:
            tracks_of.setdefault(org, []).append(track)
    every_key = sorted({k.text for text in trust.committed.values() for k in key_lines(text)})
    records: dict[str, list[tuple[KeyLine, str, str, str]]] = {}
    commits: set[str] = set()
    for org, file in trust.policy.files:
        for key in sorted(key_lines(trust.committed.get(org)), key=lambda k: k.text):
            match = KEY_RE.search(key.text)
            commit, day, author = _added_by(git, file, match.group(2)) if match else ("", "", "")
            records.setdefault(org, []).append((key, commit, day, author))
            if commit:
                commits.add(commit)
    signed: dict[str, str] = {}
    if commits and every_key:
        signatures, _ = signatures_by_any(git, every_key, commits)
        signed = {c: s.principal for c, s in signatures.items() if s.status == "G"}
    organisations = []
    missing: list[tuple[str, dict[str, str]]] = []
    if not trust.policy.root:
        missing.append(("trust_missing_root", {"file": reviewers_rel}))
    files = trust.policy.paths
    for org in sorted(data.reviewers.organisations):
        keys = tuple(KeyRecord(k.fingerprint, k.text.split()[0], k.after, k.before, commit, day, author,
                               signed.get(commit, ""))
                     for k, commit, day, author in records.get(org, []))
        organisations.append(OrganisationTrust(org, files.get(org, ""), bool(trust.trusted.get(org)), keys,
                                               tuple(sorted(tracks_of.get(org, [])))))
        if not files.get(org):
            missing.append(("trust_missing_file", {"org": org, "file": reviewers_rel}))
        elif not keys:
            missing.append(("trust_missing_keys", {"org": org, "file": files[org],
                                                   "tracks": ", ".join(sorted(tracks_of.get(org, []))) or "-"}))
        elif not trust.trusted.get(org):
            missing.append(("trust_missing_trusted", {"org": org, "file": files[org]}))
    return TrustOverview(trust.policy.root, trust.policy.managed_by, tuple(organisations), tuple(trust.problems),
                         tuple(missing))
