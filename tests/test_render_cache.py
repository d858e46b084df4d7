"""The checks keep what they read from each rendered page (its ids, what the sanitiser removes)
between runs, by the body's digest (kb.content.rendercache): a second run renders nothing, an edit renders
the edited page. The cache lives in the git directory, where no checkout can put a file; none is
kept outside a git work tree, and none is read in release mode or CI, through a symlink, when
malformed or for another configuration."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sitebuild import FIXTURES, make_project

from kb.checks import engine
from kb.content import rendercache
from kb.content.safety import Renderer


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "p", FIXTURES / "rules" / "unsafe-html" / "flag",
                        FIXTURES / "rules" / "broken-link" / "flag", site=True)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "pages")
    return root


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    bodies: list[str] = []
    original = Renderer.render

    def counted(self: Renderer, text: str) -> str:
        bodies.append(text)
        return original(self, text)

    monkeypatch.setattr(Renderer, "render", counted)
    return bodies


def _rows(report: engine.Report) -> list[tuple]:
    return [(f.path, f.line, f.rule, f.code, f.message) for f in report.findings]


def _unsafe(report: engine.Report) -> list[str]:
    return sorted({f.code for f in report.findings if f.rule == "unsafe-html"})


def _cache(project: Path) -> Path:
    path = rendercache.cache_file(project)
    assert path is not None
    return path


def test_a_second_run_renders_nothing_and_an_edit_renders_the_edited_page(project, renders, settings_for):
    first = engine.run(settings_for(project), lang="en", workers=1)
    pages = len(renders)
    assert pages >= 4 and _cache(project).is_file()
    assert {"tag", "event-attribute", "script-url"} <= set(_unsafe(first))
    assert any(f.rule == "broken-link" and f.code == "anchor" for f in first.findings)

    renders.clear()
    second = engine.run(settings_for(project), lang="en", workers=1)
    assert renders == [] and _rows(second) == _rows(first)

    page = project / "docs/en/script-handler-and-javascript-url.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    third = engine.run(settings_for(project), lang="en", workers=1)
    assert len(renders) == 1 and renders[0].endswith("One more line.\n")
    assert _unsafe(third) == _unsafe(first)


def test_the_cache_is_in_the_git_directory_and_the_work_tree_stays_clean(project, settings_for):
    engine.run(settings_for(project), lang="en", workers=1)
    git_dir = Path(_git(project, "rev-parse", "--absolute-git-dir").strip())
    assert _cache(project).resolve().is_relative_to(git_dir.resolve())
    assert _git(project, "status", "--porcelain") == ""


def test_outside_a_git_work_tree_nothing_is_kept(tmp_path, renders, settings_for):
    root = make_project(tmp_path / "plain", FIXTURES / "rules" / "unsafe-html" / "flag", site=True)
    engine.run(settings_for(root), lang="en", workers=1)
    first = len(renders)
    engine.run(settings_for(root), lang="en", workers=1)
    assert rendercache.cache_file(root) is None and len(renders) == 2 * first
    assert not [p for p in root.rglob("*.json") if "render" in p.name]


def _poison(project: Path) -> None:
    """Every cached page: no ids, nothing removed."""
    raw = json.loads(_cache(project).read_text(encoding="utf-8"))
    for entry in raw["entries"].values():
        entry["ids"], entry["removed"] = [], []
    _cache(project).write_text(json.dumps(raw), encoding="utf-8")


def test_a_cache_reached_through_a_symlink_is_not_read(project, tmp_path, renders, settings_for):
    first = engine.run(settings_for(project), lang="en", workers=1)
    _poison(project)
    _cache(project).rename(tmp_path / "elsewhere.json")
    _cache(project).symlink_to(tmp_path / "elsewhere.json")
    renders.clear()
    assert _rows(engine.run(settings_for(project), lang="en", workers=1)) == _rows(first) and renders


@pytest.mark.parametrize("content", ["{", "[]", '{"version": "kb-render-cache/1", "config": 1, "entries": []}', "\x00"])
def test_a_malformed_cache_is_a_cold_run(project, content, settings_for):
    first = engine.run(settings_for(project), lang="en", workers=1)
    _cache(project).write_text(content, encoding="utf-8")
    assert _rows(engine.run(settings_for(project), lang="en", workers=1)) == _rows(first)


def test_a_cache_of_another_configuration_is_not_read(project, renders, settings_for):
    first = engine.run(settings_for(project), lang="en", workers=1)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# another setting\n", encoding="utf-8")
    renders.clear()
    assert _rows(engine.run(settings_for(project), lang="en", workers=1)) == _rows(first) and len(renders) >= 4


@pytest.mark.parametrize("env", [{"CI": "true"}, {"KB_CHECK_CACHE": "0"}, {"KB_RELEASE": "1"}])
def test_release_mode_and_ci_render_every_page(project, renders, settings_for, env):
    engine.run(settings_for(project), lang="en", workers=1)
    _poison(project)
    renders.clear()
    report = engine.run(settings_for(project, **env), lang="en", workers=1)
    assert len(renders) >= 4 and {"tag", "event-attribute", "script-url"} <= set(_unsafe(report))
