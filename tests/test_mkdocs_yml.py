"""mkdocs.yml from a pull request cannot run code or read files: a python tag other than the heading-id
functions, or a Markdown extension outside the project's list (pymdownx.snippets reads any file), stops
./scripts/build and ./scripts/serve before MkDocs' own loader runs, with file, line and what to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, make_project

from kb.content.siteconfig import mkdocs_yml_problems


def _cli(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KB_PDF": "0", "KB_TODAY": TODAY, "PYTHONPATH": str(project)}
    env.pop("KB_RELEASE", None)
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.build
def test_a_python_tag_that_runs_code_stops_the_build_before_mkdocs_reads_the_file(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    canary = tmp_path / "ran"
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f'\nextra_data: !!python/object/apply:os.system ["touch {canary}"]\n', encoding="utf-8")
    line = len(config.read_text(encoding="utf-8").splitlines())
    result = _cli(project, "build", "--no-offline")
    assert result.returncode == 2
    assert f"mkdocs.yml:{line}: the tag !!python/object/apply:os.system would run code" in result.stderr
    assert "nothing was built" in result.stderr and "Traceback" not in result.stderr
    assert not canary.exists()
    assert not (project / "site.building").exists()


def test_an_extension_that_reads_files_is_refused_and_the_project_s_own_pass(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert mkdocs_yml_problems(config) == []  # the project's configuration (heading-id tag included)
    config.write_text(text.replace("  - pymdownx.inlinehilite\n", "  - pymdownx.inlinehilite\n  - pymdownx.snippets:\n      base_path: [/]\n"),
                      encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index("  - pymdownx.snippets:") + 1
    assert mkdocs_yml_problems(config) == [
        f"mkdocs.yml:{line}: the Markdown extension pymdownx.snippets is not one the project allows (it could read files "
        f"or run code for any page); remove it, or add it to ALLOWED_EXTENSIONS in kb/content/siteconfig.py in a "
        f"reviewed code change"]
