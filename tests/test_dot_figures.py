"""Figures written as DOT in a page (```dot blocks, kb/content/dotfigures.py): what a hostile source
gets (exact findings at the fence's line, never a traceback), and what a reader gets: the SVG beside
the built page with the labels of the page's language and no script, the caption and source under it,
a placeholder where a figure cannot be drawn, and the labels in the PDF (pdftotext)."""

from __future__ import annotations

import concurrent.futures
import functools
import http.server
import json
import os
import posixpath
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sitebuild import FIXTURES, build, make_project

from kb.checks.engine import run
from kb.content.dotfigures import DotRenderer, dot_figures, source_problems
from kb.project.data import Limits
from kb.web.webapp import OFFLINE_LIST

SVG_NS = "{http://www.w3.org/2000/svg}"
FIGURES = FIXTURES / "dot-figures"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")


# --- the source, before dot sees it ------------------------------------------------------------------------------
@pytest.mark.parametrize(("source", "code", "name"), [
    ('digraph { a [image="/etc/passwd"]; }', "reads-file", "image"),
    ('digraph { a ["ima" + "ge"="/etc/passwd"]; }', "reads-file", "image"),  # dot joins concatenated strings
    ('digraph { imagepath="/etc"; a; }', "reads-file", "imagepath"),
    ('digraph { fontpath="/etc"; a; }', "reads-file", "fontpath"),
    ('digraph { node [shape=epsf, shapefile="/etc/passwd"]; a; }', "reads-file", "shapefile"),
    ('digraph { a [URL="https://example.org/"]; }', "attribute", "URL"),
    ('digraph { a [fontname="/etc/passwd"]; }', "attribute", "fontname"),
    ('digraph { layout=neato; a; }', "attribute", "layout"),
])
def test_attributes_that_read_files_or_leave_the_figure_are_refused(source: str, code: str, name: str):
    assert [(p.code, p.params) for p in source_problems(source, Limits())] == [(code, {"name": name})]


def test_an_html_label_is_refused_because_it_can_load_an_image():
    problems = source_problems('digraph { a [label=<<IMG SRC="/etc/passwd"/>>]; }', Limits())
    assert [p.code for p in problems] == ["html-label"] and "IMG" in problems[0].params["text"]


def test_size_nodes_and_edges_are_bounded_before_dot_runs():
    limits = Limits()
    chain = "digraph { " + " -> ".join(f"n{i}" for i in range(limits.figure_nodes + 5)) + "; }"
    assert [(p.code, p.params) for p in source_problems(chain, limits)] == [
        ("too-many-nodes", {"count": limits.figure_nodes + 5, "max": limits.figure_nodes})]
    edges = "digraph { a; b; " + " ".join("a -> b;" for _ in range(limits.figure_edges + 1)) + " }"
    assert [(p.code, p.params["count"]) for p in source_problems(edges, limits)] == [("too-many-edges", limits.figure_edges + 1)]
    big = "digraph { a [label=\"" + "x" * limits.figure_bytes + "\"]; }"
    assert [p.code for p in source_problems(big, limits)] == ["too-large"]
    renderer = DotRenderer(limits, dot="/nonexistent/dot-must-not-run")
    assert renderer.draw(chain).problem.code == "too-many-nodes"  # refused without starting dot


def test_a_missing_dot_is_a_finding_that_says_how_to_install_it():
    drawn = DotRenderer(Limits(), dot=None).draw("digraph { a -> b; }")
    assert drawn.svg is None and drawn.problem is not None and drawn.problem.code == "no-dot"


def _fake_dot(tmp_path: Path, body: str) -> str:
    script = tmp_path / "dot"
    # answers -V (the version in the cache key) at once, then does *body* when asked to draw
    script.write_text('#!/bin/sh\n[ "$1" = -V ] && { echo "dot - fake" >&2; exit 0; }\n' + body + "\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize(("body", "code"), [
    ("sleep 5", "timeout"),                  # wall clock: the timeout
    ("while :; do :; done", "timeout"),      # CPU time: the process limit ends it
    ("echo 'Error: layout failed' >&2; exit 1", "failed"),
    ("echo '<svg xmlns=\"http://www.w3.org/2000/svg\"><script>x</script></svg>'", "unsafe-svg"),
])
def test_dot_is_bounded_and_its_output_checked(tmp_path: Path, body: str, code: str):
    drawn = DotRenderer(Limits(figure_seconds=1), dot=_fake_dot(tmp_path, body)).draw("digraph { a -> b; }")
    assert drawn.svg is None and drawn.problem is not None and drawn.problem.code == code, drawn


def test_blocks_are_read_with_their_caption_source_and_fence_line():
    body = ("Text\n\n````markdown\n```dot\ndigraph { x; }\n```\n````\n\n"
            "```dot\n// caption: 流向\n// source: 模块正文\ndigraph { a -> b; }\n```\n")
    figures = dot_figures(body, first_line=20)
    assert [(f.line, f.caption, f.credit) for f in figures] == [(28, "流向", "模块正文")]  # not the example (line 8 of the body)


# --- the rule: exact findings at the fence's line -------------------------------------------------------------------
@needs_dot
def test_the_figure_rule_reports_each_problem_at_its_fence(tmp_path: Path, settings_for):
    project = make_project(tmp_path, FIXTURES / "rules" / "figure" / "flag")
    report = run(settings_for(project, KB_CHECK_CACHE="0"), lang="en")
    got = sorted((f.path, f.line, f.code, f.message) for f in report.findings if f.rule == "figure")
    en, zh = "docs/en/figures.md", "docs/zh/figures.md"
    syntax = ("This figure's DOT has a syntax error in its line 3 (line 19 of the file), near ';'. "
              "Check that quotes, semicolons and brackets match.")
    reads = ("This figure uses the attribute image, which makes Graphviz read a file and is not allowed. "
             "Remove it: a figure holds only text and shapes.")
    no_caption = ("This figure has no caption. Add a line // caption: <what the figure shows> at the top of the DOT "
                  "block (in the page's language).")
    no_source = ("This figure's labels carry numbers but it names no source. Add a line // source: <where the numbers "
                 "come from> at the top of the DOT block (the source the text cites).")
    assert got == sorted([(p, 11, "reads-file", reads) for p in (en, zh)]
                         + [(p, 16, "syntax", syntax) for p in (en, zh)]
                         + [(p, 16, "no-caption", no_caption) for p in (en, zh)]
                         + [(p, 16, "numbers-without-source", no_source) for p in (en, zh)])
    zh_syntax = next(f for f in report.findings if f.rule == "figure" and f.path == zh and f.code == "syntax")
    assert zh_syntax.severity == "error"


@needs_dot
def test_a_drawing_is_kept_by_its_source_and_checked_again_when_read(tmp_path: Path):
    cache = tmp_path / "cache"
    first = DotRenderer(Limits(), cache_dir=cache).draw('digraph { a [label="汞"]; }')
    assert first.svg is not None and (cache / f"{first.key}.svg").is_file()
    (cache / f"{first.key}.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    again = DotRenderer(Limits(), cache_dir=cache).draw('digraph { a [label="汞"]; }')
    assert again.svg is not None and "<script" not in again.svg and "汞" in again.svg  # drawn afresh


# --- what a reader gets ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz (dot) is not installed")
    project = make_project(tmp_path_factory.mktemp("dot") / "p", FIGURES, site=True)
    build(project, pdf=True)
    return project / "site"


def _figure_svg(site: Path, page: str) -> tuple[str, ET.Element]:
    html = (site / page).read_text(encoding="utf-8")
    src = re.search(r'<figure class="kb-figure kb-diagram">\s*<p><img src="([^"]+)" alt="([^"]*)"', html)
    assert src, html[html.find("kb-diagram") - 200:][:800]
    path = (site / page).parent / src.group(1)
    return html, ET.parse(path).getroot()


@pytest.mark.build
@pytest.mark.pdf
@pytest.mark.parametrize(("page", "labels", "caption"), [
    ("mercury/modules/01-figure-module/index.html", ["氯化汞触媒甲乙", "转化器丙丁", "废触媒回收戊己 30%"],
     "测试图：触媒中汞的流向<br><span class=\"kb-diagram__source\">来源：测试用示例数据（虚构）</span>"),
    ("en/mercury/modules/01-figure-module/index.html",
     ["Mercuric chloride catalyst alpha", "Converter bravo", "Spent catalyst recovery charlie 30%"],
     "Test figure: where the mercury in the catalyst goes<br><span class=\"kb-diagram__source\">Source: invented test data</span>"),
])
def test_the_page_shows_the_figure_with_its_labels_caption_and_source(built: Path, page: str, labels: list[str], caption: str):
    html, svg = _figure_svg(built, page)
    assert f"<figcaption>{caption}</figcaption>" in html
    texts = [t.text for t in svg.iter(f"{SVG_NS}text")]
    assert texts == labels
    assert all("Noto Sans CJK SC" in t.get("font-family", "") for t in svg.iter(f"{SVG_NS}text"))
    tags = {el.tag.split("}")[-1].lower() for el in svg.iter()}
    assert not tags & {"script", "foreignobject", "image", "a", "style"}
    assert not any(k.lower().startswith("on") for el in svg.iter() for k in el.attrib)


@pytest.mark.build
@pytest.mark.pdf
def test_hostile_figures_leave_a_placeholder_and_the_page_still_builds(built: Path):
    for page, note, tail in (("mercury/hostile-figures/index.html", "此图未能生成", "结尾文字庚辛"),
                             ("en/mercury/hostile-figures/index.html", "This figure could not be drawn", "golf hotel")):
        html = (built / page).read_text(encoding="utf-8")
        assert html.count('<p class="kb-diagram__missing">') == 4 and note in html and tail in html
        figures = re.findall(r'<figure class="kb-figure kb-diagram">.*?</figure>', html, re.DOTALL)
        assert len(figures) == 4 and not any("<svg" in f or "<img" in f for f in figures)
        assert "passwd" not in html
    assert not any("passwd" in p.read_text(encoding="utf-8") for p in (built / "figures" / "dot").glob("*.svg"))


@pytest.mark.build
@pytest.mark.pdf
@pytest.mark.parametrize(("lang", "labels"), [("zh", ["氯化汞触媒甲乙", "转化器丙丁"]),
                                              ("en", ["Mercuric chloride catalyst alpha", "Converter bravo"])])
def test_the_figure_is_printed_in_the_handout(built: Path, lang: str, labels: list[str]):
    pdf = built / "downloads" / "handouts" / lang / "01-figure-module.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for label in labels:
        assert re.sub(r"\s+", "", label) in flat, text[:2000]


@pytest.mark.build
@pytest.mark.pdf
def test_saving_a_programme_for_offline_reading_saves_its_figures(built: Path):
    lists = json.loads((built / OFFLINE_LIST).read_text(encoding="utf-8"))
    for lang, page in (("zh", "mercury/modules/01-figure-module/index.html"),
                       ("en", "en/mercury/modules/01-figure-module/index.html")):
        html = (built / page).read_text(encoding="utf-8")
        src = re.search(r'<figure class="kb-figure kb-diagram">\s*<p><img src="([^"]+)"', html).group(1)
        site_path = posixpath.normpath(posixpath.join(posixpath.dirname(page), src))
        assert site_path.startswith("figures/dot/") and site_path in lists[lang]["mercury"]["pages"]


@pytest.mark.build
@pytest.mark.pdf
@pytest.mark.browser
def test_the_figure_loads_under_the_sites_csp_in_a_browser(built: Path, tmp_path: Path):
    """In Chromium, with the page's Content-Security-Policy: the SVG loads, is drawn at a readable size
    on a phone without widening the page, and nothing is blocked (screenshots in the test's tmp_path)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = Path(os.environ.get("KB_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        pytest.skip(f"Chromium is missing at {chromium} (apt-get install chromium)")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def look() -> None:
        with sync_api.sync_playwright() as playwright:
            # the flags of the project's browser tests: no background requests to hosts this machine cannot reach
            browser = playwright.chromium.launch(executable_path=str(chromium), args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic"])
            for name, viewport in (("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 375, "height": 812})):
                page = browser.new_page(viewport=viewport)
                page.set_default_timeout(90_000)  # a loaded machine (the whole suite on two cores) is slow, not wrong
                errors: list[str] = []
                page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/mercury/modules/01-figure-module/")
                figure = page.locator("figure.kb-diagram img")
                figure.scroll_into_view_if_needed()
                page.wait_for_function("document.querySelector('figure.kb-diagram img').complete")
                natural, shown = figure.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().width]")
                assert natural > 0 and 0 < shown <= viewport["width"], (natural, shown)
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                assert not [e for e in errors if "Content Security Policy" in e or "figures/dot" in e], errors
                page.locator("figure.kb-diagram").screenshot(path=str(tmp_path / f"figure-{name}.png"))
                page.close()
            browser.close()

    try:
        # in a thread of its own: the browser tests' Playwright (sync API) may still run an event loop in
        # this one, and a second sync_playwright() cannot start inside it
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(look).result()
    finally:
        server.shutdown()
        server.server_close()
