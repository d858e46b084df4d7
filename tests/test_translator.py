"""What a translator gets: ./scripts/translated refuses a translation the checks find errors in (or
records why it was stamped anyway), a pair's findings under either page's path, numbers checked per
section, paragraphs counted per section, and the source's changes since the translated version in the
check output, the review view and the stale notice's link."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, build, make_project

from bench.sample import copy_project
from kb.checks.engine import run
from kb.cli import main
from kb.content.pages import body_hash
from kb.project.settings import load_settings

RULES = FIXTURES / "rules"

ZH = """---
title: 触媒
type: page
track: general
review:
  status: draft
  approvals: []
---

## 储存 {#storage}

触媒应在干燥、通风的专用库房中储存。

## 装填 {#loading}

装填时应密闭操作并配备除尘设施。
"""

EN_BODY = """
## Storage {#storage}

Store catalyst in a dry, ventilated store of its own.

## Loading {#loading}

Load it in a closed system with dust extraction.
"""


def en_page(zh: str, body: str = EN_BODY) -> str:
    return ("---\ntitle: Catalyst\ntype: page\ntrack: general\nreview:\n  status: draft\n  approvals: []\n"
            f"translation: {{from: zh, hash: {body_hash(zh)}}}\n---\n{body}")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = copy_project(tmp_path / "p")
    for lang, text in (("zh", ZH), ("en", en_page(ZH))):
        page = root / "docs" / lang / "catalyst.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
    monkeypatch.setattr("kb.project.settings.REPO_ROOT", root)
    monkeypatch.setenv("KB_TODAY", TODAY)
    monkeypatch.setenv("KB_LANG", "en")
    monkeypatch.chdir(root)
    return root


def _write(root: Path, rel: str, text: str) -> None:
    (root / rel).write_text(text, encoding="utf-8")


def test_translated_refuses_a_translation_without_the_new_source_paragraph(project: Path, capsys) -> None:
    _write(project, "docs/zh/catalyst.md", ZH.replace("储存。\n", "储存。\n\n废触媒应密闭包装，贴危险废物标签。\n"))
    before = (project / "docs/en/catalyst.md").read_text(encoding="utf-8")
    assert main(["translated", "docs/en/catalyst.md"]) == 1
    err = capsys.readouterr().err
    assert ("docs/en/catalyst.md:11: structure-mismatch: error: The section storage has 2 paragraphs or list items in "
            "the source docs/zh/catalyst.md:10 and 1 here: a new source paragraph may not be translated yet, or one was "
            "dropped. Compare with the source and add what is missing.") in err
    assert "not stamped: 1 error(s) above" in err and "--override" in err
    assert (project / "docs/en/catalyst.md").read_text(encoding="utf-8") == before  # nothing stamped


def test_translated_refuses_an_invented_number_and_override_records_why(project: Path, capsys) -> None:
    body = EN_BODY.replace("of its own.", "of its own, at most 12,000 t.")
    _write(project, "docs/en/catalyst.md", en_page(ZH, body))
    assert main(["translated", "docs/en/catalyst.md"]) == 1
    err = capsys.readouterr().err
    assert "docs/zh/catalyst.md:10: number-mismatch: error: The number 12000 in docs/en/catalyst.md:13" in err
    assert main(["translated", "docs/en/catalyst.md", "--override", "the figure is UNIDO's: added to zh next"]) == 0
    assert "1 error(s) overridden: the figure is UNIDO's: added to zh next" in capsys.readouterr().out
    stamp = re.search(r"^translation: .*$", (project / "docs/en/catalyst.md").read_text(encoding="utf-8"), re.M)
    assert stamp and stamp.group(0) == (f"translation: {{from: zh, hash: {body_hash(ZH)}, "
                                        "override: 'the figure is UNIDO''s: added to zh next'}")
    # the recorded reason is a known field of the stamp; the number is still reported
    report = run(load_settings(project, environ={"KB_TODAY": TODAY}), lang="en")
    assert not [f for f in report.findings if f.rule in ("front-matter", "stale-translation")]
    assert [f.code for f in report.findings if f.rule == "number-mismatch"] == ["missing"]


def test_a_clean_translation_is_stamped(project: Path, capsys) -> None:
    _write(project, "docs/en/catalyst.md", en_page("stale"))
    assert main(["translated", "docs/en/catalyst.md"]) == 0
    assert "stamped (from docs/zh/catalyst.md" in capsys.readouterr().out


def test_a_pairs_finding_shows_under_either_pages_path(project: Path, settings_for) -> None:
    _write(project, "docs/en/catalyst.md", en_page(ZH, EN_BODY.replace("of its own.", "of its own, at most 12,000 t.")))
    for only in ("docs/zh/catalyst.md", "docs/en/catalyst.md", "docs/en"):
        report = run(settings_for(project), lang="en", only=[only])
        found = [(f.path, f.line, f.code) for f in report.findings if f.rule == "number-mismatch"]
        assert found == [("docs/zh/catalyst.md", 10, "missing")], only


def test_a_figure_in_another_section_is_reported_where_it_belongs(tmp_path: Path, settings_for) -> None:
    project = make_project(tmp_path, RULES / "number-mismatch" / "flag-other-section")
    report = run(settings_for(project), lang="en")
    found = [f for f in report.findings if f.rule == "number-mismatch"]
    assert [(f.path, f.line, f.code, f.severity) for f in found] == [
        ("docs/en/limits.md", 11, "other-section", "warning")]
    assert found[0].message == ("The number 49.14 in docs/zh/limits.md:12 is not in the matching section use of this "
                                "page, only in section emissions. Check that the translation did not put it in the "
                                "wrong place or change it.")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root),
                        "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"})


def _stale_project(root: Path) -> None:
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--no-gpg-sign", "-m", "Pages")
    _write(root, "docs/zh/catalyst.md", ZH.replace("除尘设施。", "除尘设施，装填后记录装填量。"))
    _git(root, "commit", "-q", "--no-gpg-sign", "-am", "Source edited")


def test_the_check_shows_the_source_diff_since_the_translated_version(project: Path, capsys) -> None:
    _stale_project(project)
    assert main(["check", "docs/en/catalyst.md"]) == 1
    out = capsys.readouterr().out
    assert "docs/en/catalyst.md:8: stale-translation: error:" in out
    assert re.search(r"\n    source changes since [0-9a-f]{10}:\n", out)
    assert "\n    -装填时应密闭操作并配备除尘设施。\n    +装填时应密闭操作并配备除尘设施，装填后记录装填量。" in out


@pytest.mark.build
def test_the_review_view_and_the_stale_notice_show_the_source_diff(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "site", site=True)
    for lang, text in (("zh", ZH), ("en", en_page(ZH))):
        page = root / "docs" / lang / "catalyst.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
    _stale_project(root)
    build(root, check=False)
    review = (root / "site" / "review" / "catalyst" / "index.html").read_text(encoding="utf-8")
    block = review[review.index('id="kb-source-diff"'):]
    assert "+装填时应密闭操作并配备除尘设施，装填后记录装填量。" in block[:block.index("</details>")]
    notice = (root / "site" / "en" / "catalyst" / "index.html").read_text(encoding="utf-8")
    link = re.search(r'<a href="([^"]+)" class="kb-notice__changes">What changed in the source since this translation</a>',
                     notice)
    assert link and link.group(1) == "../../review/catalyst/#kb-source-diff"
