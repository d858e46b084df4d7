"""Last changes of pages from git, in one ``git log`` pass: the date (the site's "last updated")
and the commit (the version stamp printed on the PDFs, kb.print.manual.assemble).

In a shallow clone every file looks as if it changed in the oldest commit present; such dates are
wrong. The clone is deepened when possible; dates that still hit the shallow boundary are left
unknown rather than shown wrong."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Revision:
    """The last commit that touched a file."""

    commit: str  # full hash
    date: str    # committer date, YYYY-MM-DD
    order: int   # position in `git log` (0: the newest commit of the folder's history)


def _git(root: Path, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=timeout)


def _prefix(root: Path) -> str | None:
    """*root*'s path inside its repository ("" at the top), or None when it is not in a work tree."""
    if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        return None
    return _git(root, "rev-parse", "--show-prefix").stdout.strip()


def _relative(path: str, prefix: str) -> str | None:
    return path[len(prefix):] if path.startswith(prefix) else None


def revisions(root: Path, folder: str, deepen: bool = True) -> dict[str, Revision]:
    """Path relative to *root* -> the last commit that touched it (files under *folder*)."""
    try:
        prefix = _prefix(root)
        if prefix is None:
            return {}
        shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
        if shallow and deepen:
            _git(root, "fetch", "--quiet", "--unshallow")
            shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
        boundary: set[str] = set()
        if shallow:
            shallow_file = Path(_git(root, "rev-parse", "--git-path", "shallow").stdout.strip())
            shallow_file = shallow_file if shallow_file.is_absolute() else root / shallow_file
            boundary = set(shallow_file.read_text().split()) if shallow_file.exists() else set()
        log = _git(root, "log", "--format=@%H %cs", "--name-only", "--no-renames", "--", folder, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    found: dict[str, Revision] = {}
    commit, day, order = "", "", -1
    for line in log.stdout.splitlines():
        if line.startswith("@"):
            commit, day = line[1:].split(" ", 1)
            order += 1
        elif line and (path := _relative(line, prefix)) is not None and path not in found:
            found[path] = Revision(commit, "" if commit in boundary else day, order)
    return {path: rev for path, rev in found.items() if rev.date}


def last_changed(root: Path, folder: str, deepen: bool = True) -> dict[str, str]:
    """Path relative to *root* -> ISO date (YYYY-MM-DD) of the last commit that touched it."""
    return {path: rev.date for path, rev in revisions(root, folder, deepen).items()}


def uncommitted(root: Path, folder: str) -> set[str] | None:
    """Files under *folder* (relative to *root*) that differ from HEAD or are not committed at all;
    None when *root* is not in a git work tree (or git fails)."""
    try:
        prefix = _prefix(root)
        if prefix is None:
            return None
        out = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", folder)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    paths = (entry[3:] for entry in out.stdout.split("\0") if len(entry) > 3)  # "XY path"
    return {rel for path in paths if (rel := _relative(path, prefix)) is not None}
