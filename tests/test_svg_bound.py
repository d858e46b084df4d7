"""SVG work is bounded: nested <use> references that would draw billions of shapes, and a <use> of its
own ancestor, are refused before any renderer sees the file (unsafe-file: svg-too-complex), with the
limit measured against WeasyPrint (kb/content/safety.py SVG_MAX_SHAPES); a real figure passes."""

from __future__ import annotations

import time
from pathlib import Path

from sitebuild import FIXTURES, TODAY, make_project

from kb.checks.engine import run
from kb.content.safety import SVG_MAX_SHAPES, check_svg
from kb.project.settings import load_settings


def _nested_use(levels: int, fan: int) -> bytes:
    defs = ['<circle id="u0" r="1"/>']
    defs += [f'<g id="u{i}">' + f'<use href="#u{i - 1}"/>' * fan + "</g>" for i in range(1, levels + 1)]
    return (f'<svg xmlns="http://www.w3.org/2000/svg"><defs>{"".join(defs)}</defs>'
            f'<use href="#u{levels}"/></svg>').encode()


def test_a_billion_shapes_of_nested_use_is_refused_in_milliseconds():
    started = time.perf_counter()
    problems = check_svg(_nested_use(9, 10))  # 10^9 shapes once expanded
    assert time.perf_counter() - started < 1
    assert [(p.kind, p.detail) for p in problems] == [("too-complex", f"more than {SVG_MAX_SHAPES} shapes once <use> is expanded")]


def test_a_use_of_its_own_ancestor_is_refused():
    loop = b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>'
    assert [p.kind for p in check_svg(loop)] == ["too-complex"]


def test_a_figure_with_some_reuse_passes():
    assert check_svg(_nested_use(3, 10)) == []  # 1,000 shapes


def test_the_check_reports_the_file_and_the_build_leaves_it_out(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic")
    (project / "docs" / "zh" / "mercury" / "bomb.svg").write_bytes(_nested_use(9, 10))
    report = run(load_settings(project, environ={"KB_TODAY": TODAY}), lang="en")
    (f,) = [f for f in report.findings if f.path == "docs/zh/mercury/bomb.svg"]
    assert (f.rule, f.code, f.severity) == ("unsafe-file", "svg-too-complex", "error")
    assert "too many shapes once its <use> references are expanded" in f.message
