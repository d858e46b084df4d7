"""3,000 nested <div> blocks, each under the other limits, crashed the build in the PDF step (the
manual's page cleaner and WeasyPrint recurse once per level; WeasyPrint 70 overflows Python's stack
at 136-140 nested <div>s in a bare document). Raw HTML nesting is now a limit (data/limits.yml
html_nesting, at most 40) checked in the same linear pass as the others: a page over it is a finding
and is left out; a page at every limit at once (40 levels of <div> inside 24 levels of quotes) is
built, website and PDF."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sitebuild import FIXTURES, build, make_project

from kb.checks.engine import run
from kb.content.boundary import over_limits
from kb.project.data import Limits
from kb.project.schemas import shown
from kb.project.settings import SettingsError

FRONT = "---\ntitle: 低汞触媒的规范使用\ntype: policy\ntrack: mercury\nreview: {status: draft, approvals: []}\n---\n\n"


def _unclosed(levels: int) -> str:
    return "\n\n".join(["<div>"] * levels) + "\n\nCANARY-DEEP\n"


def _md_in_html(levels: int) -> str:
    return ("\n\n".join(['<div markdown="1">'] * levels) + "\n\nCANARY-DEEP\n\n" + "\n\n".join(["</div>"] * levels) + "\n")


def _at_every_limit() -> str:
    """40 levels of <div> inside 24 levels of quotes: the deepest page the limits let through."""
    inner = ["<div>"] * 40 + ["", "DEEPESTCANARY", ""] + ["</div>"] * 40  # one word: the column is narrow
    return "\n".join(">" * 24 + (" " + line if line else "") for line in inner) + "\n"


def test_three_thousand_unclosed_divs_are_refused_at_the_line_one_level_too_deep():
    refusal = over_limits(_unclosed(3000), Limits())
    assert refusal is not None and (refusal.rule, refusal.code, refusal.line) == ("input-limits", "too-deep-html", 81)
    assert refusal.params == {"depth": 41, "limit": 40}
    refusal = over_limits(_md_in_html(1900), Limits())  # 3,800 "<": under the page's markup limit
    assert refusal is not None and (refusal.code, refusal.line) == ("too-deep-html", 81)


@pytest.mark.parametrize("text", [
    _at_every_limit(),
    "\n\n".join(["<div>x</div>"] * 1000) + "\n",  # many elements, none inside another
    "```html\n" + "<div>\n" * 300 + "```\n",  # a code block shows tags, it opens none
    "Write `<div>` to open a block. " * 100 + "\n",  # so does a code span
    "\n\n".join(["<br><img src='a.png' alt='a'><hr>"] * 100 + ["<svg><circle r='1'/></svg>"] * 100),  # void, self-closed
])
def test_pages_within_the_html_nesting_limit_pass(text: str):
    assert over_limits(text, Limits()) is None


def test_a_data_file_cannot_raise_the_html_nesting_limit(tmp_path: Path):
    limits = tmp_path / "limits.yml"
    limits.write_text("html_nesting: 200\n", encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        Limits.load(limits)
    assert str(refused.value) == (f"{shown(limits)}:1: html_nesting: may only be lowered (at most 40): the "
                                  f"limits protect the build and a data file does not raise them")


def test_the_finding_names_the_line_and_says_what_to_do(tmp_path: Path, settings_for):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic")
    for lang in ("zh", "en"):
        (project / "docs" / lang / "mercury" / "low-mercury.md").write_text(FRONT + _unclosed(3000), encoding="utf-8")
    report = run(settings_for(project), lang="en")
    found = [(f.path, f.line, f.message) for f in report.findings if f.code == "too-deep-html"]
    message = ("By this line the page's HTML elements are nested 41 levels deep (limit 40; a tag never closed stays open "
               "to the end of the page); the page was not checked and the build leaves it out. Close the tags or nest fewer.")
    assert found == [(f"docs/{lang}/mercury/low-mercury.md", 88, message) for lang in ("en", "zh")]


@pytest.mark.build
@pytest.mark.pdf
@pytest.mark.parametrize("release", [False, True], ids=["draft", "release"])
def test_three_thousand_nested_divs_no_longer_crash_a_build_and_the_deepest_allowed_page_prints(tmp_path: Path,
                                                                                                release: bool):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    for lang in ("zh", "en"):
        status = project / "docs" / lang / "status.md"  # the sample's one broken link would refuse any release
        status.write_text(status.read_text(encoding="utf-8").replace("guide/authoring.md", "index.md"), encoding="utf-8")
        (project / "docs" / lang / "mercury" / "low-mercury.md").write_text(FRONT + _unclosed(3000), encoding="utf-8")
        (project / "docs" / lang / "mercury" / "deepest.md").write_text(
            FRONT.replace("低汞触媒的规范使用", "最深的页面") + _at_every_limit(), encoding="utf-8")
    result = build(project, pdf=True, release=release, check=False)
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "RecursionError" not in out
    assert result.returncode == 0, out[-3000:]  # input-limits leaves the page out; it does not refuse a release
    site = project / "site"
    assert not (site / "mercury" / "low-mercury" / "index.html").exists()
    status = json.loads((site / "status.json").read_text(encoding="utf-8"))
    assert {(f["path"], f["line"]) for f in status["findings"] if f["code"] == "too-deep-html"} == {
        ("docs/zh/mercury/low-mercury.md", 88), ("docs/en/mercury/low-mercury.md", 88)}
    assert "DEEPESTCANARY" in (site / "mercury" / "deepest" / "index.html").read_text(encoding="utf-8")
    if not release:  # a release prints no manual whose pages are not approved
        pdf = site / "downloads" / "manual-mercury-zh.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "DEEPESTCANARY" in text and "CANARY-DEEP" not in text
