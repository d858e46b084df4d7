"""`./scripts/build` keeps the previous site/ (and its PDFs) until a new build is complete: a build
that fails, or is killed half-way, leaves what readers and reviewers downloaded last time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, make_project

from kb.build import sitedir

pytestmark = pytest.mark.build


def _cli_build(project: Path, *args: str, **popen: object) -> subprocess.Popen:
    env = {**os.environ, "KB_PDF": "0", "KB_TODAY": TODAY, "PYTHONPATH": str(project)}
    env.pop("KB_RELEASE", None)
    return subprocess.Popen([sys.executable, "-m", "kb.cli", "build", "--no-offline", *args], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "project", FIXTURES / "site-basic", site=True)
    old = project / "site" / "downloads"
    old.mkdir(parents=True)
    (old / "manual-mercury-zh.pdf").write_bytes(b"%PDF- the previous release")
    return project


def test_a_complete_build_replaces_the_previous_site(project: Path):
    proc = _cli_build(project)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    assert (project / "site" / "index.html").is_file()
    assert (project / "site" / "en" / "index.html").is_file()
    assert not (project / "site" / "downloads" / "manual-mercury-zh.pdf").exists()  # KB_PDF=0: not made this time
    assert not (project / "site.building").exists() and not (project / "site.previous").exists()


def test_a_failed_build_keeps_the_previous_site(project: Path):
    (project / "docs" / "zh" / "broken.md").write_text("---\ntitle: [unclosed\n---\n\n正文。\n", encoding="utf-8")
    proc = _cli_build(project, "--release")
    _, err = proc.communicate(timeout=600)
    assert proc.returncode != 0
    assert "previous site/ is kept" in err
    assert (project / "site" / "downloads" / "manual-mercury-zh.pdf").read_bytes() == b"%PDF- the previous release"
    assert not (project / "site.building").exists()


def test_a_killed_build_keeps_the_previous_site_and_the_next_build_cleans_up(project: Path):
    proc = _cli_build(project, start_new_session=True)
    staging = project / ("site" + sitedir.BUILDING_SUFFIX)
    deadline = time.monotonic() + 300
    while not any(staging.glob("*")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # MkDocs has started writing into the staging folder
    assert proc.poll() is None, "the build ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert (project / "site" / "downloads" / "manual-mercury-zh.pdf").read_bytes() == b"%PDF- the previous release"
    assert not (project / "site" / "index.html").exists()  # nothing of the killed build reached site/
    rerun = _cli_build(project)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err[-3000:]
    assert (project / "site" / "index.html").is_file()
    assert not staging.exists()


def test_a_second_build_of_the_same_checkout_refuses_while_the_first_runs(project: Path):
    """Two builds at once shared site.building/: both died, or one published part of the other's PDFs."""
    with sitedir.build_lock(project / ".cache"):  # the first build, holding the checkout's lock
        proc = _cli_build(project)
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 1
        assert f"another build of this checkout is running (pid {os.getpid()})" in err and "Nothing was changed" in err
        assert "Traceback" not in err
        assert not (project / "site.building").exists()
        assert (project / "site" / "downloads" / "manual-mercury-zh.pdf").read_bytes() == b"%PDF- the previous release"
    proc = _cli_build(project)  # once the first has ended, the next one builds
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
