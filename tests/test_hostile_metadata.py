"""Hostile pull requests, first class of issue 29: values the theme prints outside the sanitised
article. One sample site (tests/fixtures/hostile-metadata), built once per module (draft):

- front matter Material prints raw: a ``description`` and an ``author`` that close their <meta> tag
  (an inline script, a refresh to another site), a ``subtitle`` and a ``title`` with markup (the
  navigation, the tab title), a ``status`` printed into a class, a ``revision_date``;
- a front matter ``template`` choosing Material's redirect.html with a ``location``;
- a fenced code block whose language string tries to leave the class attribute;
- content elements with ids the theme's scripts read (``__config``, ``__search``, ``__toc``, ``__drawer``).

None may reach a reader as markup, the page's policy hashes the theme's own scripts only (those of an
empty page at the same depth), the checks report the ids, and in Chromium nothing injected runs and
the page goes nowhere."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, build, make_project

from kb.checks.engine import run
from kb.project.settings import load_settings

build_site = pytest.mark.build  # the tests that build the sample site

ZH_DESCRIPTION = ("x\"><script>window.__pwned='description'</script>"
                  "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/zh\">")
EN_DESCRIPTION = "\"><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/en\">"
ZH_TITLE = "元数据<img src=x onerror=\"window.__pwned='title'\">"
EN_TITLE = "Metadata<img src=x onerror=\"window.__pwned='title-en'\">"
AUTHOR = "\"><script>window.__pwned='author'</script>"
SUBTITLE = "<img src=x onerror=\"window.__pwned='subtitle'\">"
ATTACK_PAGES = ("meta/index.html", "en/meta/index.html", "redirect/index.html", "en/redirect/index.html")
THEME_IDS = ("__config", "__search", "__toc", "__drawer")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    project = make_project(tmp_path_factory.mktemp("hostile-metadata") / "project", FIXTURES / "hostile-metadata", site=True)
    result = build(project, check=False)
    return {"project": project, "site": project / "site", "build": result}


class _Page(HTMLParser):
    """A built page as a browser's parser reads it: elements with their attributes (values decoded),
    the text of inline scripts and of <title>, what is inside the <article>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], bool]] = []  # (tag, attributes, inside the article)
        self.inline_scripts: list[tuple[str, bool]] = []  # (text, inside the article)
        self.title = ""
        self._article = 0
        self._in: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "article":
            self._article += 1
        self.elements.append((tag, values, self._article > 0))
        if tag == "title" or (tag == "script" and "src" not in values and values.get("type", "") in ("", "text/javascript", "module")):
            self._in, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self._article:
            self._article -= 1
        if tag == self._in:
            text = "".join(self._text)
            if tag == "title":
                self.title = text
            else:
                self.inline_scripts.append((text, self._article > 0))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)


def _read(site: Path, rel: str) -> tuple[bytes, _Page]:
    data = (site / rel).read_bytes()
    parser = _Page()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return data, parser


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _script_src(page: _Page) -> list[str]:
    policies = [a["content"] for tag, a, _ in page.elements if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(policies) == 1
    directive = next(d for d in policies[0].split("; ") if d.startswith("script-src "))
    return directive.split()[1:]


@build_site
def test_the_draft_build_of_the_sample_completes(hostile):
    result = hostile["build"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for rel in ATTACK_PAGES:
        assert (hostile["site"] / rel).is_file(), rel
    assert "Traceback" not in result.stderr


@build_site
def test_front_matter_the_theme_prints_reaches_the_page_as_text(hostile):
    for rel, description in (("meta/index.html", ZH_DESCRIPTION), ("en/meta/index.html", EN_DESCRIPTION)):
        data, page = _read(hostile["site"], rel)
        assert b"<script>window.__pwned" not in data, rel
        assert b'http-equiv="refresh"' not in data, rel
        assert not [a for tag, a, _ in page.elements if tag == "meta" and a.get("http-equiv", "").lower() == "refresh"]
        assert not [s for s, _ in page.inline_scripts if "__pwned" in s or "evil.example" in s], rel
        # the description is there, as the value of its <meta>, escaped in the bytes
        described = [a["content"] for tag, a, _ in page.elements if tag == "meta" and a.get("name") == "description"]
        assert described == [description], rel
        assert b'<meta name="description" content="' + description.replace('"', "&quot;").replace("<", "&lt;") \
            .replace(">", "&gt;").encode() + b'">' in data, rel
    data, page = _read(hostile["site"], "meta/index.html")
    assert [a["content"] for tag, a, _ in page.elements if tag == "meta" and a.get("name") == "author"] == [AUTHOR]
    assert "＜img src=x onerror=&quot;window.__pwned='subtitle'&quot;＞</small>".encode() in data  # the subtitle is text
    assert b"&lt;script&gt;window.__pwned='revision'&lt;/script&gt;" in data  # the revision date is text
    assert not [a for tag, a, _ in page.elements if "md-status" in a.get("class", "")]  # status: not a token, not printed


@build_site
def test_no_element_of_the_attack_pages_carries_an_event_attribute(hostile):
    """The fenced block's language string (```python" onmouseover="…), the subtitle and the title in
    the navigation: text, never an attribute."""
    for rel in ATTACK_PAGES:
        data, page = _read(hostile["site"], rel)
        handlers = [(tag, name) for tag, a, _ in page.elements for name in a if name.startswith("on")]
        assert not handlers, (rel, handlers)
        assert not [a for tag, a, _ in page.elements if tag == "img" and a.get("src") == "x"], rel


def _as_title(title: str) -> str:
    """A title with markup as the site prints it: angle brackets full-width (Material's tooltips
    re-read a navigation title's text as HTML), quotes escaped."""
    return title.replace("<", "＜").replace(">", "＞")


@build_site
def test_the_title_with_markup_is_text_in_the_tab_and_the_navigation(hostile):
    for rel, title in (("meta/index.html", ZH_TITLE), ("en/meta/index.html", EN_TITLE)):
        data, page = _read(hostile["site"], rel)
        assert page.title == _as_title(title) + " - " + page.title.split(" - ", 1)[1], page.title
        assert data.count(_as_title(title).replace('"', "&quot;").encode()) >= 3, rel  # <title>, header, navigation
        assert title.encode() not in data and b"&lt;img" not in data, rel
    _, home = _read(hostile["site"], "index.html")  # the navigation of another page
    assert not [a for tag, a, _ in home.elements if tag == "img" and a.get("src") == "x"]


@build_site
def test_title_attributes_the_theme_shows_as_tooltips_carry_no_markup(hostile):
    """Material's tooltips (content.tooltips) put a title attribute into the page as HTML: the
    sanitiser prints its angle brackets full-width, so a tooltip is text."""
    data, page = _read(hostile["site"], "meta/index.html")
    titles = [a["title"] for tag, a, inside in page.elements if inside and "title" in a]
    assert "＜img src=x onerror=\"window.__pwned='content-title'\"＞" in titles
    assert "＜a href=\"https://evil.example/abbr\"＞点击＜/a＞" in titles
    assert not [t for t in titles if "<" in t or ">" in t], titles


def test_front_matter_is_made_safe_for_the_theme_to_print():
    from kb.build.pipeline import PAGE_TEMPLATES
    from kb.content.safety import theme_meta

    meta = {"title": ["<b>", 1], "description": 'x"><script>1</script>', "author": None, "subtitle": "a<b>",
            "revision_date": datetime.date(2026, 1, 1), "status": 'new" onmouseover="x',
            "icon": "../../../etc/passwd", "template": "redirect.html", "location": "https://evil.example/",
            "type": "page", "hide": ["toc"]}
    changed = theme_meta(meta, PAGE_TEMPLATES)
    assert meta == {"title": "['＜b＞', 1]", "author": None, "subtitle": "a＜b＞",
                    "description": "x&quot;&gt;&lt;script&gt;1&lt;/script&gt;", "revision_date": "2026-01-01",
                    "type": "page", "hide": ["toc"]}
    assert set(changed) == {"title", "description", "subtitle", "revision_date", "status", "icon", "template", "location"}
    kept = {"title": "R&D", "status": "new", "icon": "material/alert-circle", "template": "kb-status.html"}
    theme_meta(kept, PAGE_TEMPLATES)
    assert kept == {"title": "R&amp;D", "status": "new", "icon": "material/alert-circle", "template": "kb-status.html"}
    assert theme_meta(dict(kept), PAGE_TEMPLATES) == []  # once is enough: a second pass changes nothing


def test_the_sanitiser_removes_ids_reserved_to_the_theme_and_says_so():
    from kb.content.safety import removed, sanitise

    fragment = ('<div id="__config">{}</div><h2 id="__search">x</h2><p id="__nav_1">y</p><p id="objectives">z</p>'
                '<input type="radio" id="__tabbed_1_1" name="__tabbed_1"><span id="__codelineno-0-1"></span>')
    out = sanitise(fragment)
    assert 'id="__config"' not in out and 'id="__search"' not in out and 'id="__nav_1"' not in out
    assert 'id="objectives"' in out and 'id="__tabbed_1_1"' in out and 'id="__codelineno-0-1"' in out
    assert sorted((r.kind, r.name, r.tag) for r in removed(fragment)) == [
        ("reserved-id", "__config", "div"), ("reserved-id", "__nav_1", "p"), ("reserved-id", "__search", "h2")]


def test_glossary_definitions_are_tooltip_text():
    """A glossary definition (data/glossary.yml, from a pull request too) becomes an abbr's title."""
    from kb.project.data import GlossaryTerm
    from kb.web.glossary_html import annotate

    hostile = GlossaryTerm(id="mercury", zh="汞", en="mercury", zh_aliases=(), en_aliases=(), track="general",
                           definition={"zh": "<img src=x onerror=alert(1)>元素汞", "en": "x"})
    out = annotate("<p>汞是一种金属。</p>", [hostile], "zh")
    assert 'title="＜img src=x onerror=alert(1)＞元素汞"' in out, out


@build_site
def test_a_theme_template_chosen_in_front_matter_is_not_used(hostile):
    for rel, text in (("redirect/index.html", "不应跳转"), ("en/redirect/index.html", "Must not redirect")):
        data, page = _read(hostile["site"], rel)
        assert b"evil.example" not in data, rel
        assert b'http-equiv="refresh"' not in data, rel
        assert text.encode() in data, rel  # the page itself, in the site's own template


@build_site
def test_ids_the_theme_reads_are_removed_from_the_content(hostile):
    for rel in ("meta/index.html", "en/meta/index.html"):
        data, page = _read(hostile["site"], rel)
        in_article = [a["id"] for tag, a, inside in page.elements if inside and a.get("id", "").startswith("__")]
        assert not in_article, (rel, in_article)
        config = [(tag, a) for tag, a, _ in page.elements if a.get("id") == "__config"]
        assert len(config) == 1 and config[0][0] == "script" and config[0][1]["type"] == "application/json", rel
        for name in THEME_IDS[1:]:
            assert sum(1 for _, a, _ in page.elements if a.get("id") == name) == 1, (rel, name)
        assert b'<div>{"base": "https://evil.example/"' in data, rel  # the element stays, without its id


@build_site
def test_the_policy_hashes_exactly_the_themes_own_scripts(hostile):
    """The theme's scripts are those of a page built from an empty Markdown page at the same depth."""
    for rel, empty in (("meta/index.html", "empty/index.html"), ("en/meta/index.html", "en/empty/index.html"),
                       ("redirect/index.html", "empty/index.html"), ("en/redirect/index.html", "en/empty/index.html")):
        _, page = _read(hostile["site"], rel)
        _, reference = _read(hostile["site"], empty)
        theme = {_sha(text) for text, inside in reference.inline_scripts if not inside}
        assert len(theme) == 3, theme  # Material's storage set-up, tab restorer and tab opener
        assert set(_script_src(reference)) == {"'self'"} | theme
        script_src = _script_src(page)
        assert script_src[0] == "'self'" and set(script_src[1:]) == theme, rel
        assert "'unsafe-inline'" not in script_src


@build_site
def test_the_checks_report_the_theme_ids_with_file_and_line(hostile):
    project = hostile["project"]
    lines = (project / "docs/zh/meta.md").read_text(encoding="utf-8").split("\n")
    for lang, words in (("zh", "主题"), ("en", "theme")):
        report = run(load_settings(project, environ={"KB_TODAY": TODAY}), lang=lang)
        found = {(f.path, f.line, f.code): f.message for f in report.findings if f.rule == "unsafe-html"}
        for ident in THEME_IDS:
            hits = [(line, message) for (path, line, code), message in found.items()
                    if path == "docs/zh/meta.md" and code == "reserved-id" and ident in message]
            assert hits, (lang, ident, sorted(found))
            line, message = hits[0]
            assert ident in lines[line - 1], (ident, line)
            assert words in message
        assert any(p == "docs/en/meta.md" and c == "reserved-id" for p, _, c in found)
        unknown = {(f.path, f.params.get("field")) for f in report.findings if f.rule == "front-matter"}
        for field in ("author", "subtitle", "status", "revision_date"):
            assert ("docs/zh/meta.md", field) in unknown, field
        assert ("docs/zh/redirect.md", "location") in unknown


BROWSER_PROBE = r"""
import functools, http.server, json, sys, threading
from playwright.sync_api import sync_playwright
site, chromium, args, paths = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
handler = functools.partial(Quiet, directory=site)
class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    def handle_error(self, request, client_address):
        pass  # the browser left mid-response
server = Server(("127.0.0.1", 0), handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
out = {}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=args)
    for path in paths:
        context = browser.new_context()
        page = context.new_page()
        seen = {"dialogs": [], "outside": [], "navigations": [], "violations": [], "ran": []}
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        # the canary: every injected script sets window.__pwned; told at once, even if the page then leaves
        page.on("console", lambda m: seen["ran"].append(m.text) if m.text.startswith("kb-pwned:") else None)
        page.add_init_script("Object.defineProperty(window, '__pwned', {configurable: true, "
                             "set(v) { console.log('kb-pwned:' + v); this.__kbPwned = v; }, get() { return this.__kbPwned; }})")
        def route(r):
            if r.request.url.startswith(base + "/") or r.request.url.startswith(("data:", "blob:")):
                r.continue_()
            else:
                seen["outside"].append(r.request.url)
                r.abort()
        context.route("**/*", route)
        page.on("framenavigated", lambda f: seen["navigations"].append(f.url) if f == page.main_frame else None)
        page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                             "(window.__kbViolations = window.__kbViolations || []).push(e.effectiveDirective))")
        page.goto(base + path, wait_until="load")
        page.wait_for_timeout(800)  # a refresh of 0 s, a timer
        for el in page.query_selector_all("article *, nav small, .md-nav__link")[:80]:
            try:
                el.hover(timeout=300)  # what an onmouseover targeted
            except Exception:
                pass
        page.wait_for_timeout(300)
        seen["url"] = page.url
        try:
            seen["tooltip_markup"] = page.evaluate("() => [...document.querySelectorAll("
                                                   "'.md-tooltip2__inner *, .md-tooltip__inner *')].map(e => e.outerHTML)")
        except Exception as exc:
            seen["tooltip_markup"] = f"not read: {type(exc).__name__}"
        for key, script in (("pwned", "() => window.__pwned === undefined ? null : String(window.__pwned)"),
                            ("config_is_the_themes", "() => document.getElementById('__config').tagName === 'SCRIPT'"),
                            ("violations", "() => window.__kbViolations || []")):
            try:
                seen[key] = page.evaluate(script)
            except Exception as exc:  # the page went somewhere else meanwhile
                seen[key] = f"not read: {type(exc).__name__}"
        out[path] = seen
        context.close()
    browser.close()
server.shutdown()
print(json.dumps(out))
"""


@pytest.mark.browser
@build_site
def test_the_attack_pages_run_nothing_and_go_nowhere_in_chromium(hostile):
    """Loaded and hovered in Chromium (in its own process: the browser tests keep a Playwright session
    open in this one): no injected script runs, no dialog opens, no request leaves the site and the
    page stays where it is; the theme's own scripts run (no policy violation)."""
    pytest.importorskip("playwright")
    from test_browser import CHROMIUM, CHROMIUM_ARGS, IN_CI

    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip("no Chromium")
    paths = ["/meta/", "/en/meta/", "/redirect/", "/en/redirect/"]
    result = subprocess.run([sys.executable, "-c", BROWSER_PROBE, str(hostile["site"]), str(CHROMIUM),
                             json.dumps(CHROMIUM_ARGS), json.dumps(paths)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    for path in paths:
        page = seen[path]
        assert page["pwned"] is None and not page["ran"], (path, page)
        assert not page["dialogs"], (path, page)
        assert not page["outside"], (path, page)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+" + re.escape(path), page["url"]), (path, page)
        assert all(url.endswith(path) for url in page["navigations"]), (path, page)
        assert page["config_is_the_themes"], (path, page)
        assert page["tooltip_markup"] == [], (path, page)  # the theme's tooltips show text
        assert not page["violations"], (path, page)  # nothing injected even tried, and the theme's scripts are allowed
