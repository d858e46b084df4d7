"""Page dates from git, including a shallow clone (as CI makes)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kb.project.gitdates import last_changed


def git(cwd: Path, *args: str, date: str | None = None) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@undp.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@undp.org", "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def test_dates_come_from_the_last_commit_of_each_file_even_in_a_shallow_clone(tmp_path: Path):
    repo = tmp_path / "repo"
    (repo / "docs" / "zh").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "docs/zh/a.md").write_text("a")
    (repo / "docs/zh/b.md").write_text("b")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "one", date="2026-01-05T10:00:00+00:00")
    (repo / "docs/zh/b.md").write_text("b2")
    git(repo, "commit", "-qam", "two", date="2026-03-07T10:00:00+00:00")
    assert last_changed(repo, "docs") == {"docs/zh/a.md": "2026-01-05", "docs/zh/b.md": "2026-03-07"}

    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    # deepening works here (the origin is local): the dates are right again
    assert last_changed(clone, "docs") == {"docs/zh/a.md": "2026-01-05", "docs/zh/b.md": "2026-03-07"}
    clone2 = tmp_path / "clone2"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone2))
    # without deepening, a.md's last change is outside the clone: unknown, never a wrong date
    assert last_changed(clone2, "docs", deepen=False) == {}
