"""Every rule has fixture pairs that must be flagged and pairs that must not be:
tests/fixtures/rules/<rule-id>/flag/ and .../clean/, each a small docs/{zh,en} tree (and, where the
rule reads data, a data/ overlay). The engine runs over each; only the rule under test is asserted."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import FIXTURES, make_project

from kb.checks.engine import run

RULES_DIR = FIXTURES / "rules"
# Rules found in the rendered PDFs, not by the engine: tests/test_slides.py builds their fixtures.
LAYOUT_RULES = frozenset({"slide-overflow"})
ALL_CASES = sorted((p.parent.name, p.name) for p in RULES_DIR.glob("*/*") if p.is_dir())
CASES = [(rule, case) for rule, case in ALL_CASES if rule not in LAYOUT_RULES]


def test_every_rule_in_the_catalogue_has_both_kinds_of_fixture():
    from kb.project.data import load_rules

    catalogue = set(load_rules(Path(__file__).resolve().parents[1] / "data" / "messages.yml"))
    with_fixtures = {rule for rule, case in ALL_CASES if case == "flag"} & {rule for rule, case in ALL_CASES if case == "clean"}
    assert catalogue == with_fixtures, f"rules without flag+clean fixtures: {sorted(catalogue - with_fixtures)}"


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r}-{c}" for r, c in CASES])
def test_rule_fixture(rule: str, case: str, tmp_path: Path, settings_for):
    project = make_project(tmp_path, RULES_DIR / rule / case)
    report = run(settings_for(project), lang="en")
    hits = [f for f in report.findings if f.rule == rule]
    if case.startswith("flag"):  # "flag" or "flag-<behaviour>": a second flagged case kept apart from the first
        assert hits, f"{rule}: expected findings in {RULES_DIR / rule / case}"
        for f in hits:
            assert f.line >= 1 and f.message and f.severity in ("error", "warning", "info")
            assert (project / f.path).exists(), f.path
    else:
        assert not hits, "unexpected findings:\n" + "\n".join(f"{f.path}:{f.line}: {f.message}" for f in hits)


def test_number_ranges_follow_gbt_15834(tmp_path: Path, settings_for):
    """Values take the wave dash, spans of years the one-em dash; dates, standard numbers and codes keep
    their hyphens. Each finding names the range as written and as it should be written."""
    project = make_project(tmp_path, RULES_DIR / "zh-typography" / "flag-number-range")
    report = run(settings_for(project), lang="zh")
    ranges = [f for f in report.findings if f.rule == "zh-typography" and f.code == "number-range"]
    assert sorted((f.line, f.params["old"], f.params["new"]) for f in ranges) == [
        (8, "50–80", "50～80"),
        (11, "10 至 15", "10～15"),
        (11, "2025～2028", "2025—2028"),
        (11, "7—9", "7～9"),
    ]
    assert all(f.path.endswith("docs/zh/ranges-not-as-gbt-15834.md") for f in ranges)
    assert "GB/T 15834" in ranges[0].message and "“50～80”" in ranges[0].message


def test_a_phrase_the_glossary_excludes_is_not_counted_as_the_shorter_term(tmp_path: Path, settings_for):
    """'not total mercury use' is not the term 'total mercury' (总汞): with the glossary's exclusion the
    pair is clean; without it, the same pages are flagged."""
    page = "docs/zh/phrase-containing-a-shorter-term.md"
    project = make_project(tmp_path / "with", RULES_DIR / "term-mismatch" / "clean")
    hits = [f for f in run(settings_for(project), lang="en").findings if f.rule == "term-mismatch"]
    assert not hits
    project = make_project(tmp_path / "without", RULES_DIR / "term-mismatch" / "clean")
    glossary = project / "data" / "glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace("  excluding: {en: [total mercury use]}\n", ""),
                        encoding="utf-8")
    hits = [f for f in run(settings_for(project), lang="en").findings if f.rule == "term-mismatch"]
    assert [(f.path.endswith(page), f.params["term"]) for f in hits] == [(True, "total mercury")]


def test_reference_links_and_heading_slugs_are_checked_like_the_built_page(tmp_path: Path, settings_for):
    """A reference to a missing page and an undefined label are broken; an anchor must be the id the
    build gives the heading (toc's default slugify turns a Chinese heading into _1, a repeated one
    gets _1, _2), also for a heading inside an admonition: #学习目标 and #objectives_2 do not exist."""
    project = make_project(tmp_path, RULES_DIR / "broken-link" / "flag-reference-links-and-slugs")
    report = run(settings_for(project), lang="en")
    got = {(f.line, f.code) for f in report.findings if f.rule == "broken-link"}
    assert got == {(11, "missing"), (11, "undefined-reference"), (13, "anchor")}
    anchors = sorted(f.message for f in report.findings if f.rule == "broken-link" and f.code == "anchor")
    assert len(anchors) == 2 and "#学习目标" in anchors[1] + anchors[0] and "#objectives_2" in anchors[0] + anchors[1]


def test_a_line_separator_is_reported_at_the_line_git_counts(tmp_path: Path, settings_for):
    """U+2028 is a line break for YAML and browsers, not for git: the finding names the line as git
    counts it (line 10 of the file) and the character."""
    project = make_project(tmp_path, RULES_DIR / "encoding" / "flag-line-separator")
    report = run(settings_for(project), lang="en")
    (f,) = [f for f in report.findings if f.rule == "encoding" and f.code == "line-separator"]
    assert f.path == "docs/zh/line-separator.md" and f.line == 10 and f.severity == "error"
    assert f.message.startswith("Line 10 holds U+2028 LINE SEPARATOR: git does not count it as a line break")


def test_a_bidirectional_control_is_reported_with_its_name_and_line(tmp_path: Path, settings_for):
    project = make_project(tmp_path, RULES_DIR / "encoding" / "flag-invisible")
    report = run(settings_for(project), lang="en")
    (f,) = [f for f in report.findings if f.rule == "encoding" and f.code == "invisible"]
    assert f.path == "docs/zh/invisible.md" and f.line == 9 and f.severity == "error"
    assert f.message.startswith("Line 9 holds an invisible character, U+202E RIGHT-TO-LEFT OVERRIDE: bidirectional controls")
