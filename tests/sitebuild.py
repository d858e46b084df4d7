"""Helpers that make small sample projects from fixtures and build them for real."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
TODAY = "2026-11-21"  # the date the fixtures' deliverables and approvals are measured against


def without_nav(mkdocs_yml: str) -> str:
    """The project's mkdocs.yml with its nav removed, so a fixture's own pages make the navigation."""
    return re.sub(r"^nav:\n(?:[ \t]+.*\n|\n)*", "", mkdocs_yml, flags=re.MULTILINE)


def make_project(dest: Path, *overlays: Path, site: bool = False) -> Path:
    """Copy the settings and data files of the repository into *dest*, then each overlay (a folder
    with docs/ and optionally data/) on top. With site=True also what a build needs."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "kb.yml", dest / "kb.yml")
    shutil.copytree(REPO / "data", dest / "data", dirs_exist_ok=True)
    if site:
        (dest / "mkdocs.yml").write_text(without_nav((REPO / "mkdocs.yml").read_text(encoding="utf-8")), encoding="utf-8")
        for folder in ("overrides", "hooks", "kb"):
            shutil.copytree(REPO / folder, dest / folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(REPO / "docs" / "assets", dest / "docs" / "assets", dirs_exist_ok=True)
    for overlay in overlays:
        shutil.copytree(overlay, dest, dirs_exist_ok=True)
    return dest


def build(project: Path, *args: str, pdf: bool = False, release: bool = False, check: bool = True,
          extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "KB_PDF": "1" if pdf else "0", "KB_TODAY": TODAY, **(extra_env or {})}
    env.pop("KB_RELEASE", None)
    if release:
        env["KB_RELEASE"] = "1"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=project, env=env,
                            capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"mkdocs build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result
