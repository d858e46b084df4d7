"""No input may crash the engine: random front matter and Markdown, odd bytes, huge files."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitebuild import REPO

from bench.sample import copy_project
from kb.checks import Context, Pair, Scope, registered
from kb.checks.engine import run  # imports every rule module: registered() holds every rule
from kb.checks.tree import check_links
from kb.content.pages import parse_page
from kb.project.data import ProjectData
from kb.project.findings import Catalog
from kb.project.settings import load_settings

# Local runs explore new examples every time; CI replays a fixed sequence so a submission's result
# does not depend on the luck of the draw.
IN_CI = os.environ.get("CI") == "true"
DATA = ProjectData(load_settings(REPO, environ={"KB_TODAY": "2026-11-21"}))
CTX = Context(data=DATA, today=DATA.settings.today, files=frozenset())
CATALOG = Catalog(DATA.rules, "en")

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                         st.dates().map(str))
fm_values = st.recursive(yaml_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["status", "approvals", "by", "date", "from", "hash", "none", "kind", "participants", "total",
                     "file", "poster", "subtitles", "zh", "duration_minutes"]),
    inner, max_size=4), max_leaves=8)
fm_keys = st.sampled_from(["title", "type", "track", "review", "translation", "event", "video", "manual", "x", "summary"])
md_lines = st.sampled_from([
    "## 学习目标 {#objectives}", "# T", "```", "~~~~", "!!! note", "| a | b |", "|---|---|", "![](x.png)",
    "[a](b.md#c)", "<script>x</script>", "13812345678", "11010519491231002X", "[[gap: x]]", "2017 年 8 月 16 日",
    "50%", "低汞触媒", "Traditional 漢字", "    - option", "1. question", "---", "<!--", "-->", "{#", "\t", "",
]) | st.text(max_size=40)


def _check_everything(raw: bytes, lang: str = "zh") -> None:
    page = parse_page(f"docs/{lang}/p.md", lang, "p.md", raw)
    other = parse_page("docs/en/p.md", "en", "p.md", raw)
    findings = []
    for check in registered(Scope.PAGE):
        findings += check(page, CTX)
    findings += check_links(page, {page.path: page}, CTX)
    for check in registered(Scope.PAIR):
        findings += check(Pair(page, other), CTX)
    for f in findings:
        CATALOG.resolve(f)  # every finding has a message and all its parameters


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=IN_CI)
@given(st.dictionaries(fm_keys, fm_values, max_size=6), st.lists(md_lines, max_size=25))
def test_random_front_matter_and_markdown_give_findings_never_exceptions(meta: dict, lines: list[str]):
    import yaml

    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + "\n".join(lines)
    _check_everything(text.encode("utf-8"))


@settings(max_examples=100, deadline=None, derandomize=IN_CI)
@given(st.binary(max_size=300))
def test_random_bytes_give_findings_never_exceptions(raw: bytes):
    _check_everything(raw)
    _check_everything(b"---\n" + raw + b"\n---\n" + raw)


def test_odd_files_in_a_real_tree(tmp_path: Path):
    root = copy_project(tmp_path)
    zh = root / "docs" / "zh"
    zh.mkdir(parents=True)
    (zh / "empty.md").write_bytes(b"")
    (zh / "binary.md").write_bytes(bytes(range(256)))
    (zh / "gbk.md").write_bytes("---\ntitle: 汞\n---\n汞减排".encode("gbk"))
    (zh / "huge.md").write_bytes(b"a" * 2_100_000)
    (zh / "fence.md").write_text("---\ntitle: x\n---\n```\nnever closed\n", encoding="utf-8")
    (zh / "bad-yaml.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    (zh / "list-yaml.md").write_text("---\n- a\n- b\n---\n", encoding="utf-8")
    (zh / "date-yaml.md").write_text("---\ntitle: x\nreview: {status: approved, approvals: [{by: FECO, date: 2026-02-30}]}\n---\n", encoding="utf-8")
    report = run(load_settings(root, environ={"KB_TODAY": "2026-11-21"}))
    rules = {(f.path.split("/")[-1], f.rule) for f in report.findings}
    assert ("empty.md", "encoding") in rules and ("binary.md", "encoding") in rules
    assert ("gbk.md", "encoding") in rules and ("huge.md", "input-limits") in rules
    assert ("bad-yaml.md", "front-matter") in rules and ("list-yaml.md", "front-matter") in rules
    assert ("date-yaml.md", "front-matter") in rules
    gbk = next(f for f in report.findings if f.path.endswith("gbk.md") and f.rule == "encoding")
    assert "GBK" in gbk.message and "iconv" in gbk.message


pathological_runs = st.sampled_from(["<a ", "[", "`", "*", "_", "{", "<!--", "](", "![", "[[gap:", "<img ", "#", " ", "\t",
                                     "> ", "- ", "{#", "&#x09;", "javascript:", "13800138000"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=IN_CI)
@given(st.lists(st.tuples(pathological_runs, st.integers(1, 3000)), min_size=1, max_size=6),
       st.integers(0, 60), st.booleans())
def test_long_runs_and_deep_nesting_give_findings_never_exceptions(runs: list[tuple[str, int]], depth: int, quote: bool):
    """Long runs of markup characters and deep nesting: findings (input-limits when over the limits),
    never an exception, a RecursionError or a hang (the time per page is in ./scripts/bench)."""
    line = "".join(chunk * count for chunk, count in runs)
    nested = "\n".join(("> " * i if quote else "    " * i) + "- x" for i in range(depth))
    text = "---\ntitle: x\n---\n" + line + "\n\n" + nested + "\n"
    page = parse_page("docs/zh/p.md", "zh", "p.md", text.encode("utf-8"), DATA.limits)
    findings = []
    for check in registered(Scope.PAGE):
        findings += check(page, CTX)
    for f in findings:
        CATALOG.resolve(f)
    assert page.refusal is not None or page.text is not None


@settings(max_examples=150, deadline=None, derandomize=IN_CI)
@given(st.lists(st.sampled_from(["WEBVTT", "", "00:00:01.000 --> 00:00:02.000", "00:01.000 --> 00:00.500", "-->",
                                 "NOTE x", "STYLE", "1", "00:00:01,000 --> 00:00:02,000", "字幕", "<b>x</b> &amp;"])
                | st.text(max_size=30), max_size=20))
def test_random_subtitle_files_give_problems_never_exceptions(lines: list[str]):
    from kb.content.video import cue_problems, parse_subtitles

    subs = parse_subtitles("\n".join(lines))
    cue_problems(subs, "zh", 16, 2)
    for line, _code, _params in subs.problems:
        assert line >= 1


html_pieces = st.sampled_from([
    "<a href=\"x.md\" title='a>b'>", "<a href=javascript:alert(1)>", "</a>", "<img src=x onerror=alert(1)>",
    "<p style=\"color:red;position:fixed\">", "<div class=\"admonition note\" id=x>", "<br/>", "<hr />", "<!--",
    "-->", "<script>", "</script>", "<svg><g onload=x>", "<code>", "</code>", "<pre>", "&amp;", "&quot;", "\"",
    "<table><tr><td colspan=2 data-x=\"y\">", "<iframe src=//x>", "<details open>", "<summary>", "<input value=\"<b>\">",
    "<span title=\"&lt;i&gt;\" lang=zh>", "<abbr title=\"mercury &amp; PVC\">", "<", ">", "<A HREF=\"#Up\">", "汞",
]) | st.text(max_size=12)


@settings(max_examples=300, deadline=None, derandomize=IN_CI)
@given(st.lists(html_pieces, max_size=25).map("".join))
def test_the_sanitised_html_is_inventoried_as_html_parser_reads_it(fragment: str):
    """kb.content.safety reads nh3's output with a pattern instead of html.parser (what the sanitiser removed
    is the difference of the two inventories); on any input the pattern must see what the parser sees."""
    from kb.content.safety import _inventory, _serialised_inventory, sanitise

    clean = sanitise(fragment)
    by_parser, by_pattern = _inventory(clean), _serialised_inventory(clean)
    assert (by_pattern.tags, by_pattern.attrs) == (by_parser.tags, by_parser.attrs)
