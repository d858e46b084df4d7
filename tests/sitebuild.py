"""Helpers that make small sample projects from fixtures and build them for real."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bench.sample import copy_project
from kb.build import generator

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
TODAY = "2026-11-21"  # the date the fixtures' deliverables and approvals are measured against


def make_project(dest: Path, *overlays: Path, site: bool = False) -> Path:
    """A sample project (bench.sample.copy_project) with each overlay (a folder with docs/ and
    optionally data/) copied on top."""
    copy_project(dest, site=site)
    for overlay in overlays:
        shutil.copytree(overlay, dest, dirs_exist_ok=True)
    return dest


def build(project: Path, *args: str, pdf: bool = False, release: bool = False, check: bool = True,
          extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "KB_PDF": "1" if pdf else "0", "KB_TODAY": TODAY, **(extra_env or {})}
    env.pop("KB_RELEASE", None)
    if release:
        env["KB_RELEASE"] = "1"
    result = subprocess.run(generator.command("build", *args), cwd=project, env=env,
                            capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"mkdocs build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result
