"""Sample projects: a folder with this repository's settings and data (and, for a build, its
MkDocs configuration without the navigation, theme overrides, hooks and engine), into which tests
and benchmarks put their own pages. One place, so that they all build the way the real site does."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from kb.project.settings import REPO_ROOT

NAV_RE = re.compile(r"^nav:\n(?:[ \t]+.*\n|\n)*", re.MULTILINE)
HOOKS_RE = re.compile(r"^hooks:\n(?:[ \t]+.*\n)*", re.MULTILINE)


def without_nav(mkdocs_yml: str) -> str:
    """The configuration with its nav removed, so that a sample's own pages make the navigation."""
    return NAV_RE.sub("", mkdocs_yml)


def without_hooks(mkdocs_yml: str) -> str:
    """The configuration with the project's hooks removed (the benchmark's baseline build)."""
    return HOOKS_RE.sub("", mkdocs_yml)


ROOT_RE = re.compile(r"^signers_root:.*$", re.MULTILINE)


def without_trust(data: Path) -> None:
    """A sample's data/ with no trust root and no listed keys, whatever this repository has recorded:
    tests that need trust make their own (throw-away keys in a throw-away repository), and never
    depend on the project's real trust state."""
    reviewers = data / "reviewers.yml"
    if reviewers.is_file():
        reviewers.write_text(ROOT_RE.sub('signers_root: ""', reviewers.read_text(encoding="utf-8")), encoding="utf-8")
    for signers in (data / "signers").glob("*.allowed_signers"):
        lines = signers.read_text(encoding="utf-8").splitlines()
        signers.write_text("".join(line + "\n" for line in lines if not line.strip() or line.lstrip().startswith("#")),
                           encoding="utf-8")
    shutil.rmtree(data / "review-copies", ignore_errors=True)  # signed review copies are trust state too


def copy_project(dest: Path, *, site: bool = False, source: Path = REPO_ROOT) -> Path:
    """Copy kb.yml and data/ into *dest* (without the trust state: without_trust); with site=True also
    what a build needs."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "kb.yml", dest / "kb.yml")
    shutil.copytree(source / "data", dest / "data", dirs_exist_ok=True)
    without_trust(dest / "data")
    if site:
        config = without_nav((source / "mkdocs.yml").read_text(encoding="utf-8"))
        (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
        for folder in ("overrides", "hooks", "kb"):
            shutil.copytree(source / folder, dest / folder, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(source / "docs" / "assets", dest / "docs" / "assets", dirs_exist_ok=True)
        shutil.copy2(source / "docs" / "sw.js", dest / "docs" / "sw.js")  # offline reading (service worker)
    return dest
