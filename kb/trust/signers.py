"""Which allowed-signers keys the history vouches for (the trust behind kb/trust/approvals.py).

The allowed-signers files (``signers:`` in data/reviewers.yml) say whose signed commit counts as an
organisation's approval. A pull request can change them as easily as a page, so the keys an
approval is checked against are not the working tree's: they are the ones the history establishes.

A file's content is *trusted* when the commit that last changed its keys was signed by a key that
was already trusted, in the parent's files, for that organisation or for one of the managing
organisations (``signers_managed_by`` in data/reviewers.yml). The trust settings themselves
(``signers``, ``signers_managed_by``, ``signers_root``) change only in commits signed by a trusted
key of a managing organisation. Where nothing can vouch for a change (the parent lists no key of
the organisation nor of a manager: the repository starts with empty files), the commit that first
lists keys is a *trust root*: it counts only when it is the one commit recorded as
``signers_root`` (verified by the maintainers out of band). A later change signed with a trusted
key makes a file trusted again (the repair after a bad change); comment-only edits are not changes.

The history is replayed oldest first over the commits that touched data/reviewers.yml or
data/signers/ (``git log --full-history --parents``: rewritten parents, every side branch): one
log, two ``cat-file --batch`` and one signature ``log`` over the commits that changed keys or
settings, whatever the size of the project. Git verifies each signature against every key any
version listed; whether the key was trusted for that change, at that commit's date, is decided
here from the parent's lines."""

from __future__ import annotations

import base64
import hashlib
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.project.git import Git, Signature, failure
from kb.project.schemas import SafeLoader

KEY_RE = re.compile(r"(?:^|\s)((?:ssh|ecdsa|sk-ssh|sk-ecdsa)-[\w@.-]+)\s+([A-Za-z0-9+/=]+)")
VALID_RE = re.compile(r'valid-(after|before)="?(\d{8})')
SHA_RE = re.compile(r"^[0-9a-f]{40}$")


# --- the trust settings ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignersPolicy:
    """The trust settings of data/reviewers.yml at one commit."""

    files: tuple[tuple[str, str], ...] = ()  # (organisation, repository path of its allowed-signers file)
    managed_by: tuple[str, ...] = ()  # organisations whose keys may change every organisation's file
    root: str = ""  # the trust root commit recorded by the maintainers ("" when none)
    # who must approve each track: a change decides whose approval releases a programme's manual, so
    # it is a settings change like the others (signed by a managing organisation's key)
    tracks: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def paths(self) -> dict[str, str]:
        return dict(self.files)


def policy_from(raw: Any) -> SignersPolicy:
    """Read the trust settings from a parsed data/reviewers.yml, tolerating any shape (the file at
    an old commit may be anything: what it says is compared, not trusted)."""
    if not isinstance(raw, dict):
        return SignersPolicy()
    orgs = raw.get("organisations")
    files = []
    if isinstance(orgs, dict):
        for org, spec in orgs.items():
            rel = spec.get("signers") if isinstance(spec, dict) else None
            if isinstance(rel, str) and rel.strip():
                files.append((str(org), rel.strip()))
    managers = raw.get("signers_managed_by")
    if isinstance(managers, str):
        managers = [managers]
    managed = tuple(sorted(str(m) for m in managers)) if isinstance(managers, list) else ()
    root = raw.get("signers_root")
    raw_tracks = raw.get("tracks")
    tracks = tuple(sorted((str(track), tuple(sorted(str(o) for o in orgs)) if isinstance(orgs, list) else (str(orgs),))
                          for track, orgs in raw_tracks.items())) if isinstance(raw_tracks, dict) else ()
    return SignersPolicy(tuple(sorted(files)), managed, str(root).strip().lower() if root else "", tracks)


def parse_policy(text: str | None) -> SignersPolicy:
    if text is None:
        return SignersPolicy()
    try:
        return policy_from(yaml.load(text, Loader=SafeLoader))
    except (yaml.YAMLError, ValueError, RecursionError):
        return SignersPolicy()


# --- key lines ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyLine:
    text: str  # the line, whitespace-normalised
    fingerprint: str
    after: str  # YYYYMMDD or ""
    before: str

    def valid_on(self, day: str) -> bool:
        """Whether the key may sign on *day* (YYYY-MM-DD, the commit date git verifies with)."""
        compact = day.replace("-", "")
        return (not self.after or compact >= self.after) and (not self.before or compact < self.before)


def fingerprint(blob_b64: str) -> str:
    """OpenSSH's SHA256 fingerprint of a base64 public key blob (what git prints as %GF)."""
    try:
        blob = base64.b64decode(blob_b64, validate=False)
    except ValueError:
        return ""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def key_lines(text: str | None) -> frozenset[KeyLine]:
    """The key lines of an allowed-signers file (comments and blank lines are not keys)."""
    out = set()
    for raw in (text or "").splitlines():
        line = " ".join(raw.split())
        if not line or line.startswith("#"):
            continue
        m = KEY_RE.search(line)
        options = dict(VALID_RE.findall(line[:m.start()])) if m else {}
        out.add(KeyLine(line, fingerprint(m.group(2)) if m else "", options.get("after", ""), options.get("before", "")))
    return frozenset(out)


# --- what the replay finds ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cause:
    """Why a file (or the settings) is not trusted: a message code of the approval rule and its details."""

    code: str
    commit: str
    params: tuple[tuple[str, str], ...] = ()
    added: tuple[str, ...] = ()  # fingerprints the commit added (to find their line in the file)


@dataclass
class SignerProblem:
    code: str
    path: str
    line: int
    params: dict[str, str]


@dataclass
class Trust:
    """The outcome: which organisations' files the history vouches for, and their committed text."""

    policy: SignersPolicy  # HEAD's settings
    trusted: dict[str, bool]  # organisation -> the committed file is established by trusted changes
    committed: dict[str, str]  # organisation -> the text of its file at HEAD ("" when none)
    problems: list[SignerProblem] = field(default_factory=list)

    @property
    def git_failure(self) -> str:
        """git's failure when the history could not be read ("" when it could)."""
        return next((p.params["reason"] for p in self.problems if p.code == "git-failed"), "")

    def keys(self, org: str) -> dict[str, str]:
        """Fingerprint -> principal of the organisation's committed keys."""
        return {k.fingerprint: k.text.split()[0] for k in key_lines(self.committed.get(org)) if k.fingerprint}


@dataclass
class _State:
    policy: SignersPolicy
    keys: dict[str, frozenset[KeyLine]]
    trusted: dict[str, bool]
    causes: dict[str, Cause | None]
    policy_trusted: bool = True
    policy_cause: Cause | None = None

    def listed(self, orgs: Iterable[str]) -> frozenset[KeyLine]:
        return frozenset().union(*(self.keys.get(o, frozenset()) for o in orgs))

    def trusted_keys(self, orgs: Iterable[str]) -> frozenset[KeyLine]:
        return frozenset().union(*(self.keys.get(o, frozenset()) for o in orgs if self.trusted.get(o, True)))


EMPTY = _State(SignersPolicy(), {}, {}, {})


# --- the replay ---------------------------------------------------------------------------------------------------------
def signatures_by_any(git: Git, key_texts: Iterable[str], commits: Iterable[str]) -> tuple[dict[str, Signature], str]:
    """git's verdict on each commit's signature against every one of *key_texts* (allowed-signers
    lines) at once: which key signed it, whoever it belongs to; and git's failure, or ""."""
    with tempfile.TemporaryDirectory(prefix="kb-signers-") as tmp:
        union = Path(tmp) / "allowed_signers"
        union.write_text("\n".join(key_texts) + "\n", encoding="utf-8")
        return git.signatures(union, commits)


def establish(git: Git, reviewers_rel: str, signers_dir: str, *, shallow: bool = False) -> Trust:
    """Replay the history of the trust settings and allowed-signers files up to HEAD."""
    log = git.run("log", "--full-history", "--topo-order", "--reverse", "--parents", "--format=%H %P", "HEAD",
                  "--", reviewers_rel, signers_dir)
    failed: list[str] = [failure(log, "log (trust history)")] if log.returncode != 0 else []
    order = [line.split() for line in log.stdout.splitlines() if line.strip()] if log.returncode == 0 else []
    commits = [c[0] for c in order]
    policies = dict(zip(commits, (parse_policy(t) for t in git.cat_many([(c, reviewers_rel) for c in commits])), strict=True))
    specs = [(c, path) for c in commits for _, path in policies[c].files]
    blobs = dict(zip(specs, git.cat_many(specs), strict=True))
    texts = {c: {org: blobs[(c, path)] for org, path in policies[c].files} for c in commits}
    keys = {c: {org: key_lines(t) for org, t in texts[c].items()} for c in commits}
    states: dict[str, _State] = {}
    parents = {c[0]: c[1:] for c in order}
    changes = {c: _changes(policies, keys, c, parents[c]) for c in commits}
    to_verify = [c for c in commits if _needs_signature(policies, keys, changes[c], parents[c][:1])]
    every_key = sorted({k.text for c in commits for lines in keys[c].values() for k in lines})
    signatures: dict[str, Signature] = {}
    if to_verify and every_key:
        signatures, error = signatures_by_any(git, every_key, to_verify)
        if error:
            failed.append(error)
    declared = policies[commits[-1]].root if commits else ""
    roots: list[str] = []
    candidates: list[tuple[str, Cause]] = []  # (organisation, cause) of every other would-be root
    for commit in commits:
        states[commit] = _step(commit, [states[p] for p in parents[commit] if p in states], policies[commit],
                               keys[commit], changes[commit], signatures.get(commit), declared, roots, candidates)
    if commits:
        head, head_policy = states[commits[-1]], policies[commits[-1]]
        committed = {org: texts[commits[-1]].get(org) or "" for org, _ in head_policy.files}
    else:
        head, head_policy = EMPTY, parse_policy(git.show("HEAD", reviewers_rel))
        committed = {org: "" for org, _ in head_policy.files}
    trust = Trust(policy=head_policy, committed=committed,
                  trusted={org: head.policy_trusted and head.trusted.get(org, True) and not shallow and not candidates
                           for org, _ in head_policy.files})
    if failed:  # git could not say what the history vouches for: nothing is trusted, and that is why
        trust.trusted = dict.fromkeys(trust.trusted, False)
        trust.problems.append(SignerProblem("git-failed", reviewers_rel, 1, {"reason": "; ".join(failed)}))
        return trust
    _report(git.root, trust, head, reviewers_rel, roots, candidates, shallow, _described(git, signatures, states, candidates))
    return trust


def _described(git: Git, signatures: dict[str, Signature], states: dict[str, _State],
               candidates: list[tuple[str, Cause]]) -> dict[str, tuple[str, str, str, str]]:
    """(author, date, subject, key) of every commit a finding may name: from the signature check,
    or one more log for those it did not need (root candidates)."""
    named = {c.commit for _, c in candidates} | {c.commit for st in states.values()
                                                 for c in (*st.causes.values(), st.policy_cause) if c is not None}
    out = {c: (sig.author, sig.date, (sig.message.splitlines() or [""])[0][:80], sig.fingerprint)
           for c, sig in signatures.items() if c in named}
    rest = sorted(named - set(out))
    if rest:
        log = git.run("log", "--no-walk=unsorted", "--format=%H%x00%an%x00%cs%x00%s", *rest, "--")
        for line in log.stdout.splitlines():
            parts = line.split("\x00")
            if len(parts) == 4:
                out[parts[0]] = (parts[1], parts[2], parts[3][:80], "")
    return out


def _step(commit: str, parents: list[_State], policy: SignersPolicy, keys: dict[str, frozenset[KeyLine]],
          change: tuple[set[str], bool], sig: Signature | None, declared: str, roots: list[str],
          candidates: list[tuple[str, Cause]]) -> _State:
    """The trust state after *commit*, from its parents' states."""
    parents = parents or [EMPTY]
    first = parents[0]
    state = _State(policy, keys, {}, {})
    changed, settings_changed = change
    for org in set(keys) | changed:
        if org in changed:
            continue
        same = [s for s in parents if s.keys.get(org, frozenset()) == keys.get(org, frozenset())] or parents
        good = [s for s in same if s.trusted.get(org, True)]
        state.trusted[org] = bool(good)
        state.causes[org] = None if good else same[0].causes.get(org)
    if not settings_changed:
        same = [s for s in parents if s.policy == policy] or parents
        good = [s for s in same if s.policy_trusted]
        state.policy_trusted, state.policy_cause = bool(good), None if good else same[0].policy_cause
    if not changed and not settings_changed:
        return state
    managers = first.policy.managed_by  # the parent's settings say who may change what
    if commit == declared and not first.listed(managers):  # the recorded trust root
        roots.append(commit)
        for org in changed:
            state.trusted[org], state.causes[org] = True, None
        return state
    for org in changed:
        added = tuple(sorted(k.fingerprint for k in keys.get(org, frozenset()) - first.keys.get(org, frozenset())))
        if not first.listed([org, *managers]):  # nothing could vouch for it: a trust root
            cause: Cause | None = Cause("signers-root", commit, (("managers", ", ".join(managers) or "-"),), added)
            candidates.append((org, cause))
        else:
            cause = _authorised(commit, sig, first.trusted_keys([org, *managers]), added)
        state.trusted[org], state.causes[org] = cause is None, cause
    if settings_changed:
        if not first.listed(managers):
            # no managing organisation's key yet: nothing to protect while no file lists a key
            cause = None if not any(first.keys.values()) else Cause("signers-config", commit)
        else:
            cause = _authorised(commit, sig, first.trusted_keys(managers), (), settings=True)
        state.policy_trusted, state.policy_cause = cause is None, cause
    return state


def _authorised(commit: str, sig: Signature | None, allowed: frozenset[KeyLine], added: tuple[str, ...], *,
                settings: bool = False) -> Cause | None:
    """None when *sig* is a good signature by one of *allowed*, valid at the commit date."""
    if sig is not None and sig.status == "G" and any(k.fingerprint == sig.fingerprint and k.valid_on(sig.date)
                                                    for k in allowed):
        return None
    if settings:
        code = "signers-config"
    elif sig is None or sig.status == "N":
        code = "signers-unsigned"
    elif sig.status == "E":
        code = "cannot-verify"
    else:
        code = "signers-untrusted"
    return Cause(code, commit, (("key", (sig.fingerprint if sig else "") or "-"),), added)


def _report(root: Path, trust: Trust, head: _State, reviewers_rel: str, roots: list[str],
            candidates: list[tuple[str, Cause]], shallow: bool, described: dict[str, tuple[str, str, str, str]]) -> None:
    """Turn what the replay found into problems with a file and a line: what still holds at HEAD (a
    change repaired later is history, not a finding), and every would-be root other than the recorded
    one (two trust roots in one history would let a branch from before the root bring its own)."""
    policy = trust.policy
    managers = ", ".join(policy.managed_by) or "-"
    seen: set[tuple[str, str, str]] = set()

    def add(code: str, path: str, line: int, cause: Cause | None, **params: str) -> None:
        if (code, cause.commit if cause else "", path) in seen:
            return
        seen.add((code, cause.commit if cause else "", path))
        if cause is not None:
            author, day, subject, key = described.get(cause.commit, ("?", "?", "?", ""))
            params.update(dict(cause.params), commit=cause.commit[:10], sha=cause.commit, author=author, cdate=day,
                          subject=subject)
            params.setdefault("key", key or "-")
        params.setdefault("managers", managers)
        trust.problems.append(SignerProblem(code, path, line, params))

    if shallow:
        add("signers-shallow", reviewers_rel, _line_of(root / reviewers_rel, "signers"), None)
    if not head.policy_trusted:
        add(head.policy_cause.code if head.policy_cause else "signers-config", reviewers_rel,
            _line_of(root / reviewers_rel, "signers"), head.policy_cause, file=reviewers_rel, org=managers)
    for org, cause in candidates:
        path = policy.paths.get(org, reviewers_rel)
        add(cause.code, path, _key_line(root / path, cause.added), cause, file=path, org=org)
    for org, path in policy.files:
        cause = head.causes.get(org)
        if head.trusted.get(org, True) or cause is None:
            continue
        add(cause.code, path, _key_line(root / path, cause.added), cause, file=path, org=org)
    if policy.root and policy.root not in roots:
        add("signers-root-unknown", reviewers_rel, _line_of(root / reviewers_rel, "signers_root"), None,
            root=policy.root, file=reviewers_rel)
    # uncommitted edits are not history: the committed text is used, and the edit is reported
    worktree = root / reviewers_rel
    try:
        current = parse_policy(worktree.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        current = SignersPolicy()
    if current != policy:
        add("signers-uncommitted", reviewers_rel, _line_of(worktree, "signers"), None, file=reviewers_rel)
    for org, path in policy.files:
        try:
            text = (root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        extra = key_lines(text) - key_lines(trust.committed.get(org))
        if extra or key_lines(text) != key_lines(trust.committed.get(org)):
            add("signers-uncommitted", path, _key_line(root / path, tuple(k.fingerprint for k in extra)), None,
                file=path, org=org)


def _line_of(path: Path, needle: str) -> int:
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith(needle):
                return n
    except (OSError, UnicodeDecodeError):
        pass
    return 1


def _key_line(path: Path, fingerprints: Iterable[str]) -> int:
    """The line of the first of *fingerprints* in the working-tree file (1 when none is there)."""
    wanted = set(fingerprints)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    for n, line in enumerate(lines, 1):
        if any(k.fingerprint in wanted for k in key_lines(line)):
            return n
    return 1


def _needs_signature(policies: dict[str, SignersPolicy], keys: dict[str, dict[str, frozenset[KeyLine]]],
                     change: tuple[set[str], bool], first: list[str]) -> bool:
    """Whether some key listed in the first parent could vouch for the change (a root candidate or a
    change while no file lists a key needs no signature check)."""
    orgs, settings = change
    if not first or first[0] not in keys:  # replayed as from an empty parent: nothing to check against
        return False
    managers = policies[first[0]].managed_by
    listed = keys[first[0]]
    if settings and any(listed.get(m) for m in managers):
        return True
    return any(listed.get(o) for o in (*orgs, *managers)) if orgs else False


def _changes(policies: dict[str, SignersPolicy], keys: dict[str, dict[str, frozenset[KeyLine]]], commit: str,
             parents: list[str]) -> tuple[set[str], bool]:
    """Organisations whose keys the commit changed, and whether it changed the settings: a merge
    changes what differs from every parent."""
    mine = keys[commit]
    before = [keys.get(p, {}) for p in parents] or [{}]
    orgs = {org for org in set(mine) | set().union(*before)
            if all(mine.get(org, frozenset()) != b.get(org, frozenset()) for b in before)}
    settings = all(policies[commit] != policies.get(p, SignersPolicy()) for p in parents) if parents \
        else policies[commit] != SignersPolicy()
    return orgs, settings
