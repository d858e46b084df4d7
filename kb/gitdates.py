"""Last-change dates of pages from git, in one ``git log`` pass.

In a shallow clone every file looks as if it changed in the oldest commit present; such dates are
wrong. The clone is deepened when possible; dates that still hit the shallow boundary are left
unknown rather than shown wrong."""

from __future__ import annotations

import subprocess
from pathlib import Path


def _git(root: Path, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=timeout)


def last_changed(root: Path, folder: str, deepen: bool = True) -> dict[str, str]:
    """Repository-relative path -> ISO date (YYYY-MM-DD) of the last commit that touched it."""
    try:
        if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
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
    dates: dict[str, str] = {}
    commit, day = "", ""
    for line in log.stdout.splitlines():
        if line.startswith("@"):
            commit, day = line[1:].split(" ", 1)
        elif line and line not in dates:
            dates[line] = "" if commit in boundary else day
    return {path: day for path, day in dates.items() if day}
