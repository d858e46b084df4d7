"""YAML anchors and aliases are refused in data files and front matter before anything is constructed:
an alias bomb of ten lines (a billion values once walked) is a finding with file and line, in
milliseconds, never a build that runs out of memory."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, make_project

from kb.checks.engine import run
from kb.project.data import ProjectData
from kb.project.schemas import shown
from kb.project.settings import SettingsError, load_settings

BOMB = "\n".join([
    "lol1: &a1 [x, x, x, x, x, x, x, x, x, x]",
    *[f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(2, 10)],
]) + "\n"


def test_an_alias_bomb_in_a_data_file_is_refused_with_file_and_line(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic")
    limits = project / "data" / "limits.yml"
    limits.write_text(BOMB + limits.read_text(encoding="utf-8"), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(SettingsError) as refused:
        ProjectData(load_settings(project, environ={"KB_TODAY": TODAY})).validate()
    assert time.perf_counter() - started < 5  # refused before anything is expanded
    assert "data/limits.yml:1: YAML anchors and aliases (&name, *name) are not allowed in data files" in str(refused.value)


def test_an_alias_bomb_in_front_matter_is_a_finding_at_its_line(tmp_path: Path, settings_for):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic")
    page = project / "docs" / "zh" / "bomb.md"
    page.write_text("---\ntitle: 炸弹\ntype: page\ntrack: general\n" + BOMB + "---\n\n正文。\n", encoding="utf-8")
    report = run(settings_for(project), lang="en")
    found = [f for f in report.findings if f.path == "docs/zh/bomb.md" and f.rule == "front-matter"]
    assert found and "YAML anchors and aliases (&name, *name) are not allowed in front matter" in found[0].message
    assert found[0].line == 5  # the anchor used again (lol1, line 5 of the file)


def test_a_recursive_alias_is_refused_too(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic")
    limits = project / "data" / "limits.yml"
    limits.write_text("loop: &loop [*loop]\n" + limits.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SettingsError, match=r"limits.yml:1: YAML anchors and aliases"):
        ProjectData(load_settings(project, environ={"KB_TODAY": TODAY})).limits  # noqa: B018


def test_a_data_file_cannot_raise_a_limit_that_protects_the_build(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic")
    limits = project / "data" / "limits.yml"
    text = limits.read_text(encoding="utf-8")
    line = text[:text.index("block_markup: 300 ")].count("\n") + 1
    limits.write_text(text.replace("block_markup: 300 ", "block_markup: 300000 "), encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        ProjectData(load_settings(project, environ={"KB_TODAY": TODAY})).validate()
    assert str(refused.value) == (f"{shown(limits)}:{line}: block_markup: may only be lowered (at most 300): "
                                  f"the limits protect the build and a data file does not raise them")
