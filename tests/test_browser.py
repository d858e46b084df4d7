"""Browser tests: the real site, built once per session, driven in headless Debian Chromium.

What a trainee sees: the language switch, Chinese and English search, the self-check quiz,
glossary definitions on tap, no request leaving the site, accessibility (axe-core), 375 px
phones, and the weight of a first visit. Screenshots go to $KB_SCREENSHOTS (default: a pytest
temporary directory, printed with -s).

Chromium: /usr/bin/chromium (override with KB_CHROMIUM). KB_BROWSER_SITE=<dir> serves an already
built site instead of building one (local debugging only; ignored under CI). Never `playwright install`: under CI
(CI=true) a missing browser fails with the install command; locally the tests are skipped."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitebuild import FIXTURES, make_project
from sitebuild import build as build_sample

from kb.build import generator

try:
    from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - reported by the browser fixture
    sync_playwright = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("KB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
INSTALL_HINT = "apt-get install chromium"

MODULE_ZH = "/mercury/modules/02-low-mercury-catalyst/"
MODULE_EN = "/en/mercury/modules/02-low-mercury-catalyst/"
QUIZ_ZH = "/mercury/modules/01-minamata-convention/"
QUIZ_EN = "/en/gender/modules/01-concepts-and-sdg5/"
QUESTIONNAIRE = "/gender/questionnaire/"
STATUS = "/status/"
STATUS_EN = "/en/status/"
GLOSSARY = "/glossary/"
REVIEW = "/review/"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
UI = yaml.safe_load((ROOT / "data" / "ui.yml").read_text(encoding="utf-8"))
FIRST_VISIT_BUDGET = 150_000  # bytes transferred on a first visit to a module page (gzip)

pytestmark = pytest.mark.browser


def _unavailable(reason: str) -> None:
    message = f"{reason}. Install Debian's Chromium with `{INSTALL_HINT}` (never `playwright install`)."
    if IN_CI:
        pytest.fail(f"browser tests cannot run under CI: {message}", pytrace=False)
    pytest.skip(message)


# --- the site: built once, served on 127.0.0.1 ------------------------------------------------------------
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map"}


class _CountingWriter:
    """The response stream, counting the bytes that go out (headers and body)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.count = 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return self.raw.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed for text like any production static host (GitHub Pages,
    nginx with gzip_types), with GitHub Pages' `Cache-Control: max-age=600`, so the first-visit
    weight is what a trainee's phone downloads.
    Every response's size on the wire is appended to the server's `sent` list."""

    _cache: dict[Path, bytes] = {}

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile)

    def do_GET(self) -> None:
        start = self.wfile.count
        try:
            self._get()
        finally:
            self.server.sent.append((self.path, self.wfile.count - start))  # type: ignore[attr-defined]

    def _get(self) -> None:
        url_path = self.path.split("?", 1)[0].split("#", 1)[0]
        path = Path(self.translate_path(url_path))
        if path.is_dir() and url_path.endswith("/"):
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and path.is_file() and path.suffix in COMPRESSIBLE):
            super().do_GET()
            return
        body = self._cache.get(path)
        if body is None:
            body = self._cache[path] = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        # like GitHub Pages: cacheable for 10 minutes, so a page's own requests (the service worker
        # keeping the first page's files) are answered by the browser's cache, as on the real host
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    sent: list[tuple[str, int]]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser moved on mid-response
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("KB_BROWSER_SITE") and not IN_CI:  # debugging: serve an already built site
        return Path(os.environ["KB_BROWSER_SITE"])
    site = tmp_path_factory.mktemp("browser") / "site"
    env = {**os.environ, "KB_PDF": "0"}
    result = subprocess.run(
        generator.command("build", "-d", str(site)),
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, f"mkdocs build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return site


@pytest.fixture(scope="session")
def site_server(built_site: Path) -> Any:
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_SiteHandler, directory=str(built_site)))
    server.sent = []
    thread = threading.Thread(target=server.serve_forever, name="kb-site", daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def base_url(site_server: _QuietServer) -> str:
    return f"http://127.0.0.1:{site_server.server_address[1]}"


@pytest.fixture(scope="session")
def browser() -> Any:
    if sync_playwright is None:
        _unavailable("the playwright package is missing (pip install -r requirements.txt)")
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is missing at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ["KB_SCREENSHOTS"]) if os.environ.get("KB_SCREENSHOTS") else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


def _context(browser: Browser, *, phone: bool = False, **kwargs: Any) -> BrowserContext:
    if phone:
        return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, **kwargs)
    return browser.new_context(viewport=DESKTOP, **kwargs)


@pytest.fixture
def context(browser: Browser) -> Any:
    ctx = _context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser: Browser) -> Any:
    ctx = _context(browser, phone=True)
    yield ctx
    ctx.close()


class Watch:
    """Every request, console error and uncaught exception of one page."""

    def __init__(self, page: Page) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda msg: self.errors.append(f"console.{msg.type}: {msg.text} ({msg.location.get('url', '')})") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}\n{exc.stack or ''}"))

    def ours(self) -> list[str]:
        """Errors raised by the project's own script (the console test checks everything)."""
        return [e for e in self.errors if "/assets/kb.js" in e]


def _open(context: BrowserContext, url: str) -> tuple[Page, Watch]:
    page = context.new_page()
    watch = Watch(page)
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.ok, f"{url}: HTTP {response.status if response else 'no response'}"
    # on a loaded machine the network can be idle while the page's scripts are still running
    page.wait_for_function("() => document.readyState === 'complete'")  # a function: an expression string is eval'd, which the site's CSP refuses
    if page.locator("#exercises").count() and page.locator("#answers").count():
        page.wait_for_function("() => document.querySelector('#exercises').hasAttribute('data-kb-quiz')")  # kb.js built the quiz
    return page, watch


# --- language switch -----------------------------------------------------------------------------------------
def _switch_language(page: Page, lang: str) -> None:
    select = page.locator(".md-header .md-select")
    select.hover()
    link = select.locator(f"a[hreflang={lang}]")
    expect(link).to_be_visible()
    link.click()


def test_language_switch_keeps_the_reader_on_the_same_page(context: BrowserContext, base_url: str) -> None:
    page, _ = _open(context, base_url + MODULE_ZH)
    title_zh = page.locator("article h1").inner_text()
    _switch_language(page, "en")
    page.wait_for_url(base_url + MODULE_EN)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("article h1").inner_text() != title_zh
    _switch_language(page, "zh")
    page.wait_for_url(base_url + MODULE_ZH)
    assert page.evaluate("document.documentElement.lang").startswith("zh")
    assert page.locator("article h1").inner_text() == title_zh


def test_language_switch_keeps_the_section_the_reader_is_in(context: BrowserContext, base_url: str) -> None:
    page, _ = _open(context, base_url + MODULE_ZH + "#key-points")
    _switch_language(page, "en")
    page.wait_for_url(base_url + MODULE_EN + "#key-points")
    assert page.evaluate("() => location.hash") == "#key-points"
    assert page.locator("#key-points").is_visible()


# --- search --------------------------------------------------------------------------------------------------------
def _open_search(page: Page) -> None:
    """Open search as a reader does: the header's search button (phones) or the "s" shortcut."""
    button = page.locator("label.md-header__button[for=__search]")
    if button.is_visible():
        button.click()
    else:
        page.keyboard.press("s")
    expect(page.locator("input.md-search__input")).to_be_focused()


def _search(page: Page, query: str) -> list[str]:
    """Type *query* into Material's search and return the result links (absolute URLs), best first."""
    _open_search(page)
    box = page.locator("input.md-search__input")
    box.press_sequentially(query, delay=30)
    # Playwright enters CJK text without key events; Material searches on keyup (an IME's committing
    # key gives one), so press a key that does not change the text.
    box.press("End")
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    return page.eval_on_selector_all(".md-search-result__item > a.md-search-result__link", "links => links.map(a => a.href)")


def test_chinese_search_finds_the_low_mercury_catalyst_module_first(context: BrowserContext, base_url: str) -> None:
    page, _ = _open(context, base_url + "/")
    results = _search(page, "低汞触媒")
    assert results, "no results for 低汞触媒"
    assert "/mercury/modules/02-low-mercury-catalyst/" in results[0] and "/en/" not in results[0], results[:5]


def test_chinese_search_for_gender_mainstreaming_finds_a_gender_page(context: BrowserContext, base_url: str) -> None:
    page, _ = _open(context, base_url + "/")
    results = _search(page, "性别主流化")
    assert any("/gender/" in url and "/en/" not in url for url in results), results[:10]


def test_chinese_search_for_a_single_character_returns_results(context: BrowserContext, base_url: str) -> None:
    page, _ = _open(context, base_url + "/")
    assert _search(page, "汞"), "no results for 汞"


def test_english_search_returns_english_pages(context: BrowserContext, base_url: str) -> None:
    page, _ = _open(context, base_url + "/en/")
    results = _search(page, "catalyst")
    assert results and all(url.startswith(base_url + "/en/") for url in results), results[:10]
    assert any("/en/mercury/" in url for url in results), results[:10]


# The relevance set: (query, the page that must rank first). Modules and policies come before the
# templates (case studies and reports marked 模板 / Template) that use the same words; a query of
# several words ranks the pages that contain every word first.
RELEVANCE = {
    "en": [
        ("emissions", "/en/mercury/policy/emissions-releases-reporting/"),
        ("emission reporting", "/en/mercury/policy/emissions-releases-reporting/"),
        ("occupational", "/en/gender/modules/03-occupational-health/"),
        ("recovery", "/en/mercury/modules/05-spent-catalyst-recovery/"),
        ("spent catalyst recovery", "/en/mercury/modules/05-spent-catalyst-recovery/"),
        ("low-mercury catalysts", "/en/mercury/modules/02-low-mercury-catalyst/"),
        ("mercury-free alternatives", "/en/mercury/modules/03-mercury-free-alternatives/"),
        ("whole-process control", "/en/mercury/modules/04-whole-process-control/"),
        ("interim storage", "/en/mercury/policy/mercury-supply-and-waste/"),
        ("Annex B", "/en/mercury/policy/minamata-article-5-annex-b/"),
        ("sex-disaggregated data", "/en/gender/modules/04-sex-disaggregated-data/"),
        ("gender equality policies", "/en/gender/modules/02-gef-policy-and-undp-strategy/"),
        ("gender mainstreaming", "/en/gender/"),
        ("questionnaire", "/en/gender/questionnaire/"),
    ],
    "zh": [
        ("性别主流化", "/gender/"),
        # two policy pages on emissions, both with both words: either may come first
        ("汞 排放", ("/mercury/policy/emissions-releases-reporting/", "/mercury/policy/china-pvc-mercury-rules/")),
        ("低汞触媒", "/mercury/modules/02-low-mercury-catalyst/"),
        ("废汞触媒 回收", "/mercury/modules/05-spent-catalyst-recovery/"),
        ("废触媒", "/mercury/modules/05-spent-catalyst-recovery/"),  # ranked fourth behind answer sections once
        ("全过程 防控", "/mercury/modules/04-whole-process-control/"),
        ("水俣公约", "/mercury/modules/01-minamata-convention/"),
        ("临时储存", "/mercury/policy/mercury-supply-and-waste/"),
        ("附件B", "/mercury/policy/minamata-article-5-annex-b/"),
        ("按性别分列数据", "/gender/modules/04-sex-disaggregated-data/"),
        ("职业健康", "/gender/modules/03-occupational-health/"),
        ("问卷", "/gender/questionnaire/"),
        # parts of a compound that jieba kept whole at build time (无汞替代技术, 全球环境基金性别平等政策):
        # the worker segments the query against the index's own terms (kb-search.js `segment`)
        ("无汞替代", "/mercury/modules/03-mercury-free-alternatives/"),
        ("性别平等政策", "/gender/modules/02-gef-policy-and-undp-strategy/"),
    ],
}
TEMPLATE_PAGES = ("/mercury/cases/", "/gender/reports/")  # pages titled 模板 / Template


@pytest.mark.parametrize(("lang", "query"), [("en", "training"), ("en", "answer"), ("zh", "答案"), ("zh", "培训")])
def test_search_leads_to_no_answer_key(context: BrowserContext, base_url: str, lang: str, query: str) -> None:
    """Answer sections are kept out of the index (kb.web.trainer): no result of a search a trainee makes
    leads to one (trainer notes: tests/test_lesson.py reads the built index)."""
    page, _ = _open(context, base_url + ("/en/" if lang == "en" else "/"))
    results = _search(page, query)
    assert results, f"no results for {query}"
    assert not [url for url in results if "#" in url and url.split("#", 1)[1] == "answers"], results[:8]


def _search_groups(page: Page, query: str) -> list[dict[str, Any]]:
    """Search for *query* (one keystroke event, so one query reaches the worker) and return one entry
    per result page, best first: its address, and the query words that none of its sections has
    (Material marks them "missing" under each section)."""
    box = page.locator("input.md-search__input")
    if not box.is_visible():
        _open_search(page)
    box.fill("")
    box.fill(query)
    box.press("End")
    page.wait_for_function(
        """q => { const meta = document.querySelector('.md-search-result__meta');
                  return document.querySelector('input.md-search__input').value === q && meta
                         && !/^\\s*$/.test(meta.textContent) && document.querySelectorAll('.md-search-result__item').length > 0; }""",
        arg=query, timeout=15_000,
    )
    page.wait_for_timeout(150)
    groups = page.eval_on_selector_all(
        ".md-search-result__item",
        """items => items.map(li => {
             const links = [...li.querySelectorAll('a.md-search-result__link')].map(a => new URL(a.href));
             const matched = new Set(links.flatMap(u => (u.searchParams.get('h') || '').split(' ').filter(Boolean)));
             return {path: links[0].pathname, matched: [...matched]};
           })""",
    )
    for group in groups:
        group["lacking"] = [word for word in query.lower().replace("-", " ").split() if not _word_matched(word, group["matched"])]
    return groups


def _word_matched(word: str, terms: list[str]) -> bool:
    """Whether the terms Material matched in a page (the h= of its result links) cover a query word:
    a Chinese word by its segments, an English word by its stem (a prefix, with the stemmer's y -> i)."""
    covered = [False] * len(word)
    for term in terms:
        term = term.lower()
        if re.fullmatch(r"[a-z0-9']+", term):
            stem = term[:-1] if term.endswith("i") else term
            if word.startswith(stem) and len(stem) >= min(len(word), 3):
                return True
            continue
        at = word.find(term)
        while term and at != -1:
            covered[at:at + len(term)] = [True] * len(term)
            at = word.find(term, at + 1)
    return all(covered)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_search_relevance_set(context: BrowserContext, base_url: str, lang: str) -> None:
    """Each query of the relevance set finds its page first, in the reader's language only; pages
    with every word of a multi-word query come before pages that lack one; no template ranks
    above the module or policy that must come first."""
    page, watch = _open(context, base_url + ("/en/" if lang == "en" else "/"))
    _open_search(page)
    failures, report = [], []
    for query, expected in RELEVANCE[lang]:
        groups = _search_groups(page, query)
        paths = [g["path"] for g in groups]
        report.append(f"{lang} {query!r}: " + " | ".join(paths[:3]))
        if not paths or paths[0] not in ((expected,) if isinstance(expected, str) else expected):
            failures.append(f"{query!r}: expected {expected} first, got {paths[:5]}")
        wrong_lang = [p for p in paths if p.startswith("/en/") != (lang == "en")]
        if wrong_lang:
            failures.append(f"{query!r}: pages of the other language: {wrong_lang[:3]}")
        complete = [not g["lacking"] for g in groups]
        if len(query.split()) > 1 and complete != sorted(complete, reverse=True):
            failures.append(f"{query!r}: a page lacking a word ranks above one with every word: {groups[:6]}")
    print("\n" + "\n".join(report))
    assert not failures, "\n".join(failures)
    assert not watch.errors, watch.errors


@pytest.mark.parametrize(("start", "query", "found"), [
    ("/en/", "training", "/en/"), ("/en/", "policies", "/en/"), ("/", "mercury", "/en/"),
])
def test_english_words_are_found_whatever_their_ending(context: BrowserContext, base_url: str, start: str, query: str, found: str) -> None:
    """The words the issue reported ("No matching documents") find English pages on the English site;
    on the Chinese site an English word finds nothing from the English pages."""
    page, _ = _open(context, base_url + start)
    if start == "/en/":
        groups = _search_groups(page, query)
        paths = [g["path"] for g in groups]
        assert paths and all(p.startswith(found) for p in paths), paths[:5]
        # the result links highlight the word as typed on the page they open (not its stem)
        assert query in groups[0]["matched"], groups[0]
    else:
        _open_search(page)
        box = page.locator("input.md-search__input")
        box.fill(query)
        box.press("End")
        page.wait_for_timeout(1500)
        hrefs = page.eval_on_selector_all(".md-search-result__item a.md-search-result__link", "ls => ls.map(a => new URL(a.href).pathname)")
        assert not any(h.startswith(found) for h in hrefs), hrefs[:5]


def test_each_language_loads_only_its_own_index_and_only_when_search_opens(browser: Browser, base_url: str) -> None:
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(base_url + MODULE_EN, wait_until="networkidle")
        page.wait_for_timeout(500)
        assert not [u for u in fetched if "/search/en.json" in u or "/search/zh.json" in u], "an index loaded before search was opened"
        _open_search(page)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        indexes = [u for u in fetched if re.search(r"/search/(en|zh)\.json", u)]
        assert indexes == [base_url + "/search/en.json"], indexes
        assert _search_groups(page, "occupational health")[0]["path"] == "/en/gender/modules/03-occupational-health/"
    finally:
        ctx.close()


# --- self-check quiz ------------------------------------------------------------------------------------------
LETTERS_RE = re.compile(r"^\s*([A-Z](?:\s*[、,，]\s*[A-Z])*)\s*(?:[。.．:：;；)）]|$)")


def _answer_letters(page: Page) -> list[list[str]]:
    texts = page.evaluate(
        """() => { let n = document.getElementById('answers').nextElementSibling;
                   while (n && n.tagName !== 'OL') n = n.nextElementSibling;
                   return [...n.children].map(li => li.textContent); }"""
    )
    out = []
    for text in texts:
        m = LETTERS_RE.match(text)
        out.append(re.split(r"\s*[、,，]\s*", m.group(1)) if m else [])
    return out


def _quiz_attempt(page: Page, check_label: str) -> tuple[list[list[str]], str]:
    """Answer question 1 right and question 2 wrong, press the check button; return the answer key
    and the wrong letter chosen."""
    key = _answer_letters(page)
    items = page.locator("ol.kb-quiz > li.kb-quiz__item")
    assert len(key) >= 2 and key[0] and key[1], f"the first two questions must be multiple choice: {key}"
    first, second = items.nth(0), items.nth(1)
    for letter in key[0]:
        first.locator(f"input[value={letter}]").check()
    options = second.locator("input").evaluate_all("inputs => inputs.map(i => i.value)")
    wrong = next(letter for letter in options if letter not in key[1])
    # keyboard: focus the wrong option and select it with the space bar
    second.locator(f"input[value={wrong}]").focus()
    page.keyboard.press("Space")
    expect(second.locator(f"input[value={wrong}]")).to_be_checked()
    page.get_by_role("button", name=check_label).click()
    return key, wrong


@pytest.mark.parametrize(
    ("url", "check", "score", "right", "wrong", "show"),
    [
        (QUIZ_ZH, "检查答案", "得分：{score} / {total}", "回答正确", "回答错误", "显示参考答案"),
        (QUIZ_EN, "Check answers", "Score: {score} / {total}", "Correct", "Incorrect", "Show reference answer"),
    ],
    ids=["zh", "en"],
)
def test_quiz_scores_an_answer_and_explains_only_after_the_attempt(
    context: BrowserContext, base_url: str, url: str, check: str, score: str, right: str, wrong: str, show: str
) -> None:
    page, watch = _open(context, base_url + url)
    items = page.locator("ol.kb-quiz > li.kb-quiz__item")
    explanations = page.locator(".kb-quiz__explanation")
    # before an attempt: the trainer's answers are hidden, no explanation shows
    expect(page.locator("#answers")).to_be_hidden()
    assert explanations.count() == items.count()
    for i in range(explanations.count()):
        expect(explanations.nth(i)).to_be_hidden()
    # accessible structure: a named group per choice question, a label per input, a live result
    groups = page.locator(".kb-quiz__options")
    assert groups.count() >= 2
    for i in range(groups.count()):
        labelled_by = groups.nth(i).get_attribute("aria-labelledby")
        assert groups.nth(i).get_attribute("role") in ("radiogroup", "group") and labelled_by
        assert page.locator(f"#{labelled_by}").inner_text().strip()
    for input_id in page.locator(".kb-quiz__options input").evaluate_all("inputs => inputs.map(i => i.id)"):
        assert page.locator(f"label[for='{input_id}']").count() == 1, input_id
    result = page.locator(".kb-quiz__result")
    assert result.get_attribute("aria-live") == "polite"

    key, _ = _quiz_attempt(page, check)
    total = sum(1 for letters in key if letters)
    expected = score.format(score=1, total=total)
    expect(result).to_contain_text(expected)
    assert result.inner_text().startswith(expected), result.inner_text()
    # each question is marked, in words as well as colour, and its explanation appears under it
    expect(items.nth(0).locator(".kb-quiz__feedback")).to_contain_text(right)
    expect(items.nth(1).locator(".kb-quiz__feedback")).to_contain_text(wrong)
    expect(items.nth(0)).to_have_class(re.compile(r"kb-quiz__item--right"))
    expect(items.nth(1)).to_have_class(re.compile(r"kb-quiz__item--wrong"))
    expect(explanations.nth(0)).to_be_visible()
    expect(explanations.nth(1)).to_be_visible()
    answer_texts = page.evaluate(
        """() => { let n = document.getElementById('answers').nextElementSibling;
                   while (n && n.tagName !== 'OL') n = n.nextElementSibling;
                   return [...n.children].map(li => li.textContent.trim()); }"""
    )
    expect(explanations.nth(0)).to_contain_text(answer_texts[0][:20])
    # an open question reveals its reference answer on request
    open_items = page.locator("li.kb-quiz__item--open")
    if open_items.count():
        item = open_items.first
        explanation = item.locator(".kb-quiz__explanation")
        expect(explanation).to_be_hidden()
        item.locator("textarea").fill("my attempt")
        button = item.get_by_role("button", name=show)
        assert button.get_attribute("aria-expanded") == "false"
        button.click()
        expect(explanation).to_be_visible()
        assert item.locator(".kb-quiz__show").get_attribute("aria-expanded") == "true"
    assert not watch.ours(), watch.ours()


@pytest.mark.parametrize("width", [320, 375, 768, 1024, 1280, 1920])
@pytest.mark.parametrize("url", [QUIZ_ZH, QUIZ_EN], ids=["zh", "en"])
def test_quiz_answers_are_invisible_until_the_trainee_checks(browser: Browser, base_url: str, url: str, width: int) -> None:
    """The trainer's answer list is not rendered before an attempt (computed display and Playwright's
    visibility), whatever the width; Material's `.md-typeset ol:not([hidden])` must not win."""
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page, watch = _open(ctx, base_url + url)
        state = page.evaluate(
            """() => { const h = document.getElementById('answers'); let n = h.nextElementSibling;
                       while (n && n.tagName !== 'OL') n = n.nextElementSibling;
                       const box = n.getBoundingClientRect();
                       return {heading: getComputedStyle(h).display, list: getComputedStyle(n).display,
                               height: box.height, text: n.innerText.length}; }"""
        )
        assert state["heading"] == "none" and state["list"] == "none" and state["height"] == 0, (state, watch.errors)
        answers_list = page.locator("#answers ~ ol").first
        expect(answers_list).to_be_hidden()
        expect(page.locator("#answers")).to_be_hidden()
        # the answers' text is nowhere on screen: no visible element carries the first answer's words
        first_answer = page.evaluate("() => document.querySelector('#answers ~ ol > li').textContent.trim().slice(0, 30)")
        visible = page.evaluate(
            """t => [...document.querySelectorAll('article *')].some(e => e.children.length === 0 && e.textContent.includes(t)
                     && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')""",
            first_answer,
        )
        assert not visible, f"the answer text {first_answer!r} is visible at {width}px before any attempt"
    finally:
        ctx.close()


def test_quiz_without_javascript_shows_the_questions_then_the_answers(browser: Browser, base_url: str) -> None:
    ctx = _context(browser, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(base_url + QUIZ_ZH)
        expect(page.locator("#exercises")).to_be_visible()
        expect(page.locator("#answers")).to_be_visible()
        assert page.locator("#exercises ~ ol input").count() == 0
    finally:
        ctx.close()


# --- glossary definitions on tap and focus ------------------------------------------------------------------
def test_glossary_term_shows_its_definition_on_tap_and_focus(browser: Browser, base_url: str, shots: Path) -> None:
    ctx = _context(browser, phone=True)
    try:
        page, watch = _open(ctx, base_url + MODULE_ZH)
        terms = page.locator("article abbr.kb-term")
        assert terms.count() > 0, (
            "no <abbr class=\"kb-term\"> on the module page: kb.web.glossary_html.annotate() is not wired into "
            "hooks/kb_hooks.py on_page_content"
        )
        term = terms.first
        definition = term.get_attribute("title")
        assert definition and term.get_attribute("data-term-id")
        assert term.get_attribute("tabindex") == "0", "kb.js makes glossary terms keyboard-focusable"
        term.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -150)")
        term.tap()
        tip = page.locator(".md-tooltip2--active, .kb-term-pop")
        expect(tip.first).to_be_visible()
        expect(tip.first).to_contain_text(definition[:15])
        page.wait_for_timeout(500)  # let the fade-in finish for the screenshot
        page.screenshot(path=str(shots / "glossary-tap-phone.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator("article h1").tap()
        expect(page.locator(".md-tooltip2--active, .kb-term-pop")).to_have_count(0)
        assert not watch.ours(), watch.ours()
    finally:
        ctx.close()
    desk = _context(browser)
    try:
        page, _ = _open(desk, base_url + MODULE_EN)
        term = page.locator("article abbr.kb-term").first
        term.focus()
        expect(page.locator(".md-tooltip2--active")).to_be_visible()
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "glossary-focus-desktop.png"))
    finally:
        desk.close()


# --- nothing from outside the site, no errors -------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", MODULE_ZH, STATUS, GLOSSARY, "/en/", MODULE_EN], ids=lambda p: p.strip("/") or "home")
def test_nothing_loads_from_outside_the_site_and_no_console_errors(context: BrowserContext, base_url: str, path: str) -> None:
    page, watch = _open(context, base_url + path)
    # open the search too: it starts a worker and fetches the index
    _open_search(page)
    page.locator("input.md-search__input").press_sequentially("汞")
    page.locator("input.md-search__input").press("End")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    outside = [url for url in watch.requests if not url.startswith(base_url + "/") and not url.startswith(("data:", "blob:"))]
    assert not outside, f"requests leaving the site from {path}: {outside}"
    assert not watch.errors, f"console errors on {path}:\n" + "\n".join(watch.errors)


# --- accessibility ----------------------------------------------------------------------------------------------
def _serious_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    # what the reader sees once it has settled: a colour read halfway through a transition (Material's
    # back-to-top button fading in, a button's hover colour) is neither the before nor the after
    # (an endless animation never settles: it is left running). Polled from here: the page's CSP
    # refuses the string evaluation wait_for_function would use.
    for _ in range(50):
        if page.evaluate("document.getAnimations().every(a => a.playState !== 'running'"
                         " || a.effect?.getTiming().iterations === Infinity)"):
            break
        page.wait_for_timeout(100)
    results = Axe().run(page)
    out = []
    for v in results.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            targets = [" ".join(map(str, n.get("target", []))) for n in v["nodes"][:5]]
            out.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']} -> {targets}")
    return out


@pytest.mark.parametrize("path", ["/", MODULE_ZH, STATUS, STATUS_EN, GLOSSARY, MODULE_EN], ids=lambda p: p.strip("/") or "home")
def test_axe_reports_no_serious_or_critical_violations(context: BrowserContext, base_url: str, path: str) -> None:
    page, _ = _open(context, base_url + path)
    violations = _serious_violations(page)
    assert not violations, f"axe on {path}:\n" + "\n".join(violations)


@pytest.mark.parametrize("path", [MODULE_ZH, QUIZ_EN, "/en/mercury/", STATUS, STATUS_EN], ids=lambda p: p.strip("/").replace("/", "-"))
def test_axe_reports_no_serious_violations_on_a_phone(phone: BrowserContext, base_url: str, path: str) -> None:
    """Module, programme and status pages at 375 px, with the offline-reading box and the report link."""
    page, _ = _open(phone, base_url + path)
    violations = _serious_violations(page)
    assert not violations, f"axe on {path} at 375 px:\n" + "\n".join(violations)


@pytest.mark.parametrize("path", ["/", MODULE_ZH, MODULE_EN, GLOSSARY, "/en/downloads/"], ids=lambda p: p.strip("/").replace("/", "-") or "home")
def test_every_page_offers_report_a_problem_prefilled_with_the_page(context: BrowserContext, base_url: str, path: str) -> None:
    from urllib.parse import parse_qs, urlsplit

    page, watch = _open(context, base_url + path)
    lang = "en" if path.startswith("/en/") else "zh"
    link = page.locator(".kb-report a").first
    expect(link).to_be_visible()
    expect(link).to_have_text("Fill in the problem form" if lang == "en" else "在线填写问题表")
    query = parse_qs(urlsplit(link.get_attribute("href") or "").query)
    title = page.locator("article h1").first.inner_text().strip()
    assert title and title in query["title"][0], (title, query)
    body = query["body"][0]
    assert path in body and (f"Language: {lang}" if lang == "en" else f"语言：{lang}") in body, body
    assert not [u for u in watch.requests if not u.startswith(base_url)], "the report link loaded something from outside"


def test_axe_reports_no_serious_violations_in_the_quiz_after_an_attempt(browser: Browser, base_url: str) -> None:
    for phone in (False, True):
        ctx = _context(browser, phone=phone)
        try:
            page, _ = _open(ctx, base_url + QUIZ_ZH)
            _quiz_attempt(page, "检查答案")
            page.locator(".kb-quiz__show").first.click()
            violations = _serious_violations(page)
            assert not violations, f"axe on the quiz after an attempt ({'phone' if phone else 'desktop'}):\n" + "\n".join(violations)
        finally:
            ctx.close()


def test_the_review_list_filters_and_fits_a_phone(phone: BrowserContext, base_url: str) -> None:
    """/review/ on a 375 px phone: no sideways scrolling; the filters (kept in the address) show one
    programme's pairs, and those still awaiting an organisation."""
    page, _ = _open(phone, base_url + REVIEW + "?track=gender")
    expect(page.locator("#kb-filter")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    def shown(name: str) -> list[str]:
        return page.eval_on_selector_all(".kb-review-list__item",
                                         f"items => items.filter(i => !i.hidden).map(i => i.dataset.kb{name})")

    assert shown("Track") and set(shown("Track")) == {"gender"}
    page.select_option("select[name=track]", "")
    page.select_option("select[name=awaiting]", "UNIDO")
    awaiting = shown("Awaiting")
    assert awaiting and all("UNIDO" in a.split() for a in awaiting)
    assert set(shown("Track")) == {"mercury"}  # UNIDO reviews the mercury programme only
    assert "awaiting=UNIDO" in page.url


def test_axe_reports_no_serious_violations_in_the_review_view(context: BrowserContext, base_url: str) -> None:
    page = context.new_page()
    response = page.goto(base_url + REVIEW, wait_until="networkidle")
    assert response is not None and response.ok, (
        f"the review view is missing: {REVIEW} answered HTTP {response.status if response else 'nothing'} "
        "(the lead engineer adds it; this test needs it to exist)"
    )
    violations = _serious_violations(page)
    assert not violations, f"axe on {REVIEW}:\n" + "\n".join(violations)


# --- phones: no horizontal scrolling --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [MODULE_ZH, QUESTIONNAIRE, STATUS, STATUS_EN, MODULE_EN, "/glossary/", "/en/downloads/"],
                         ids=lambda p: p.strip("/").replace("/", "-"))
def test_phone_screen_has_no_horizontal_overflow(phone: BrowserContext, base_url: str, shots: Path, path: str) -> None:
    page, _ = _open(phone, base_url + path)
    name = path.strip("/").replace("/", "-")
    page.screenshot(path=str(shots / f"phone-{name}.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    culprits = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > limit + 1 && getComputedStyle(e).position !== 'fixed')
             .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`)""",
        PHONE["width"],
    )
    assert width <= PHONE["width"], f"{path} scrolls sideways on a 375 px phone: scrollWidth={width}; {culprits}"


@pytest.mark.parametrize("width", [375, 1280])
def test_punctuation_after_a_gap_badge_stays_on_the_badges_line(browser: Browser, base_url: str, width: int) -> None:
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page, _ = _open(ctx, base_url + MODULE_ZH)
        rows = page.evaluate(
            """() => [...document.querySelectorAll('article .kb-gap')]
                 .filter(g => g.nextSibling && g.nextSibling.nodeType === 3 && /^[。，；：]/.test(g.nextSibling.data))
                 .map(g => { const r = document.createRange(); r.setStart(g.nextSibling, 0); r.setEnd(g.nextSibling, 1);
                             const mark = r.getBoundingClientRect(); const rects = g.getClientRects(); const last = rects[rects.length - 1];
                             return {text: g.textContent.slice(0, 20), mark: mark.top, last: last.top, height: last.height}; })"""
        )
        assert rows, "no gap badge followed by punctuation on the module page"
        alone = [r for r in rows if abs(r["mark"] - r["last"]) > r["height"] / 2]
        assert not alone, f"at {width}px the punctuation after these badges starts a line of its own: {alone}"
    finally:
        ctx.close()


# --- printing ---------------------------------------------------------------------------------------------------------
def test_print_shows_only_the_content_and_the_quiz_as_plain_questions_then_answers(context: BrowserContext, base_url: str) -> None:
    page, _ = _open(context, base_url + QUIZ_ZH)
    assert page.locator("link[rel=stylesheet][href$='assets/print.css']").count() == 1, (
        "assets/print.css is not linked: add it to extra_css in mkdocs.yml"
    )
    _quiz_attempt(page, "检查答案")
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer", ".md-content__button",
                   ".md-search", ".md-select"):
        for i in range(page.locator(chrome).count()):
            expect(page.locator(chrome).nth(i)).to_be_hidden()
    expect(page.locator("article .headerlink").first).to_be_hidden()
    # the quiz: questions and options as text, no controls or marks, then the trainer's answers
    expect(page.locator("#answers")).to_be_visible()
    expect(page.locator(".kb-quiz__submit")).to_be_hidden()
    expect(page.locator(".kb-quiz__options input").first).to_be_hidden()
    expect(page.locator(".kb-quiz__explanation").first).to_be_hidden()
    expect(page.locator(".kb-quiz__option").first).to_be_visible()
    width = page.evaluate("document.querySelector('article').getBoundingClientRect().width")
    assert width > DESKTOP["width"] * 0.9, f"content is {width}px wide in print, not the full page"
    # external links print their address; internal ones do not
    external = page.locator("article a[href^='http']:not([data-kb-url-shown])")
    if external.count():
        after = external.first.evaluate("a => getComputedStyle(a, '::after').content")
        assert "http" in after, after
    internal = page.locator("article a[href^='../']").first
    if internal.count():
        assert internal.evaluate("a => getComputedStyle(a, '::after').content") in ("none", "normal")
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"


# --- weight of a first visit ------------------------------------------------------------------------------------------
def test_first_visit_to_a_module_page_transfers_under_150_kb(browser: Browser, base_url: str, site_server: _QuietServer, built_site: Path) -> None:
    """Bytes on the wire (headers and gzip bodies, counted by the server, so the search worker's
    and the service worker's own downloads count too) for a first visit with an empty cache, until
    the network is idle; then search still works on that page."""
    ctx = _context(browser)  # a fresh context: empty cache
    try:
        page = ctx.new_page()
        site_server.sent.clear()
        page.goto(base_url + MODULE_ZH, wait_until="networkidle")
        page.wait_for_timeout(1000)
        sent = list(site_server.sent)
        total = sum(size for _, size in sent)
        lines = [f"{size:>9,}  {path}" for path, size in sorted(sent, key=lambda row: -row[1])]

        def file_size(path: str) -> int:
            local = built_site / path.split("?", 1)[0].lstrip("/")
            local = local / "index.html" if local.is_dir() else local
            return local.stat().st_size if local.is_file() else 0

        print(f"\nfirst visit to {MODULE_ZH}: {total:,} bytes transferred ({len(sent)} responses, gzip), "
              f"{sum(file_size(path) for path, _ in sent):,} bytes uncompressed")
        print("\n".join(lines))
        assert not any(re.match(r"/search/(zh|en)\.(json|js)", path) for path, _ in sent), "a search index loaded on page load"
        assert total < FIRST_VISIT_BUDGET, f"first visit transfers {total:,} bytes (aim: under {FIRST_VISIT_BUDGET:,}):\n" + "\n".join(lines)
        # search still works on that page: opening it loads this language's index, and a query finds the module
        site_server.sent.clear()
        assert _search_groups(page, "低汞触媒")[0]["path"] == MODULE_ZH
        searched = sum(size for _, size in site_server.sent)
        print(f"opening search and the first query: {searched:,} bytes more")
        assert any(path.startswith("/search/zh.json") for path, _ in site_server.sent)
    finally:
        ctx.close()


# --- offline reading (service worker) -------------------------------------------------------------------------
def _wait_until_kept(page: Page, url: str) -> None:
    """Wait until the service worker controls the page and *url* is in the pages cache."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15_000)
    for _ in range(50):
        if page.evaluate("u => caches.open('kb-pages-v1').then(c => c.match(u)).then(Boolean)", url):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{url} was not kept for offline reading")


def test_offline_reading_keeps_visited_pages_and_a_saved_programme(browser: Browser, base_url: str, shots: Path) -> None:
    """On a phone: the first page visited, a later one, and a whole saved programme open with the
    network cut, styled, with search; a page never kept says so in both languages."""
    ctx = _context(browser, phone=True)
    try:
        page, watch = _open(ctx, base_url + MODULE_EN)
        manifest = page.locator("link[rel=manifest]").get_attribute("href")
        assert manifest and page.evaluate("u => fetch(u).then(r => r.json()).then(m => m.start_url)", manifest) == "./en/"
        _wait_until_kept(page, base_url + MODULE_EN)
        page.goto(base_url + "/en/mercury/", wait_until="networkidle")
        save = page.get_by_role("button", name="Save this programme for offline reading")
        expect(save).to_be_visible()
        save.click()
        expect(page.locator(".kb-offline__status")).to_contain_text("Saved", timeout=60_000)
        page.screenshot(path=str(shots / "offline-saved-phone.png"))

        ctx.set_offline(True)
        for url, title in [(MODULE_EN, "low-mercury"), ("/en/mercury/policy/mercury-supply-and-waste/", "Interim Storage")]:
            page.goto(base_url + url)
            expect(page.locator("article h1")).to_contain_text(title)
            assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed"), \
                f"{url} offline without Material's stylesheet"
        page.screenshot(path=str(shots / "offline-saved-page-phone.png"))
        assert _search_groups(page, "interim storage")[0]["path"] == "/en/mercury/policy/mercury-supply-and-waste/"
        # a page never kept: the offline page, the reader's language first, with the saved pages as links
        page.goto(base_url + "/en/gender/modules/03-occupational-health/")
        expect(page.locator("body")).to_contain_text("This page has not been saved")
        first = page.locator("[data-kb-lang]").first
        assert first.get_attribute("data-kb-lang") == "en"
        saved = first.locator(".kb-offline-page__saved a")
        expect(saved.first).to_be_visible()
        titles = saved.all_inner_texts()
        assert any("Interim Storage" in t for t in titles), titles
        assert page.evaluate("getComputedStyle(document.body).margin") is not None
        page.screenshot(path=str(shots / "offline-page-phone.png"))
        saved.filter(has_text="Interim Storage").first.click()
        expect(page.locator("article h1")).to_contain_text("Interim Storage")  # a way back to what is saved
        expect(page.locator("[lang=zh-CN]").first).to_be_attached()
        assert not watch.ours(), watch.ours()
    finally:
        ctx.close()


# --- saving a programme with its printed material ----------------------------------------------------------------
@pytest.fixture(scope="session")
def printed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small site built with its PDFs (tests/fixtures/offline-save-printed: a mercury module in both
    languages, the downloads page): the workbooks, handouts, trainer guides and notes pages are real."""
    project = make_project(tmp_path_factory.mktemp("offline-save") / "project", FIXTURES / "offline-save-printed", site=True)
    build_sample(project, pdf=True)
    return project / "site"


@pytest.fixture(scope="session")
def printed_server(printed_site: Path) -> Any:
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_SiteHandler, directory=str(printed_site)))
    server.sent = []
    threading.Thread(target=server.serve_forever, name="kb-printed-site", daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _megabytes(size: int) -> str:
    return f"{max(0.1, size / 1e6):.1f}"


def _programme_save(site: Path, lang: str) -> dict[str, Any]:
    return json.loads((site / "offline.json").read_text(encoding="utf-8"))[lang]["mercury"]


def _open_save_box(ctx: BrowserContext, url: str) -> Page:
    page, _ = _open(ctx, url)
    box = page.locator(".kb-offline")
    box.scroll_into_view_if_needed()  # the sizes are read when the box comes near the screen
    return page


@pytest.mark.parametrize(("lang", "prefix"), [("zh", ""), ("en", "en/")])
def test_saving_a_programme_shows_its_size_first_and_keeps_the_ticked_manuals_offline(
        browser: Browser, printed_site: Path, printed_server: _QuietServer, shots: Path, lang: str, prefix: str) -> None:
    """On a phone: before saving, the pages' size and the offer of the printed material with its size
    (unticked); ticked and saved, with the network cut, the downloads page and a PDF come from the
    service worker's cache, and the offline page lists the saved PDF."""
    base_url = f"http://127.0.0.1:{printed_server.server_address[1]}/"
    ui, saved = UI[lang], _programme_save(printed_site, lang)
    assert saved["printed"] and saved["pages_bytes"] > 0
    ctx = _context(browser, phone=True)
    try:
        page = _open_save_box(ctx, base_url + prefix + "mercury/modules/01-test-module/")
        size = page.locator(".kb-offline__size")
        expect(size).to_be_visible()
        expect(size).to_have_text(ui["offline_pages_size"].format(size=ui["offline_size"].format(mb=_megabytes(saved["pages_bytes"]))))
        tick = page.get_by_role("checkbox", name=ui["offline_with_printed"].format(mb=_megabytes(saved["printed_bytes"])))
        expect(tick).to_be_visible()
        expect(tick).not_to_be_checked()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator(".kb-offline").screenshot(path=str(shots / f"offline-save-box-{lang}-phone.png"))

        tick.check()
        page.get_by_role("button", name=ui["offline_save"]).click()
        total = len(saved["pages"]) + len(saved["printed"])  # the status line counts the PDFs too
        expect(page.locator(".kb-offline__status")).to_have_text(ui["offline_saved"].format(total=total), timeout=90_000)
        page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15_000)
        page.locator(".kb-offline").screenshot(path=str(shots / f"offline-save-box-{lang}-saved-phone.png"))

        asked_before = len(printed_server.sent)
        ctx.set_offline(True)
        downloads = page.goto(base_url + prefix + "downloads/")
        assert downloads is not None and downloads.status == 200 and downloads.from_service_worker
        expect(page.locator("article h1")).to_be_visible()
        pdf = saved["printed"][0]
        fetched = page.evaluate("u => fetch(u).then(r => r.arrayBuffer().then(b => [r.status, r.headers.get('content-type'), b.byteLength]))",
                                base_url + pdf["path"])
        assert fetched == [200, "application/pdf", pdf["bytes"]]
        assert (printed_site / pdf["path"]).read_bytes()[:5] == b"%PDF-"
        assert len(printed_server.sent) == asked_before, printed_server.sent[asked_before:]  # nothing reached the site

        # a page never saved: the offline page lists the saved PDFs of the reader's language by title
        page.goto(base_url + prefix + "never-saved/")
        first = page.locator("[data-kb-lang]").first
        assert first.get_attribute("data-kb-lang") == lang
        printed = first.locator(".kb-offline-page__printed")
        expect(printed.get_by_role("heading")).to_have_text(ui["offline_page_printed"])
        expect(printed.locator("a")).to_have_text([f["title"] for f in sorted(saved["printed"], key=lambda f: f["path"])])
        page.screenshot(path=str(shots / f"offline-page-printed-{lang}-phone.png"), full_page=True)
    finally:
        ctx.close()


def test_without_the_box_ticked_no_pdf_is_kept(browser: Browser, printed_site: Path, printed_server: _QuietServer) -> None:
    base_url = f"http://127.0.0.1:{printed_server.server_address[1]}/"
    ui, saved = UI["en"], _programme_save(printed_site, "en")
    ctx = _context(browser, phone=True)
    try:
        page = _open_save_box(ctx, base_url + "en/mercury/modules/01-test-module/")
        expect(page.locator(".kb-offline__with-printed")).not_to_be_checked()
        page.get_by_role("button", name=ui["offline_save"]).click()
        expect(page.locator(".kb-offline__status")).to_have_text(ui["offline_saved"].format(total=len(saved["pages"])), timeout=90_000)
        page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15_000)
        assert page.evaluate("() => caches.open('kb-printed-v1').then(c => c.keys()).then(k => k.length)") == 0
        ctx.set_offline(True)
        downloads = page.goto(base_url + "en/downloads/")  # the downloads page is saved all the same
        assert downloads is not None and downloads.status == 200 and downloads.from_service_worker
        status = page.evaluate("u => fetch(u).then(r => r.status, () => 'failed')", base_url + saved["printed"][0]["path"])
        assert status == "failed"
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def offline_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline copy's site (what kb/build/offline.py zips): the build with Material's offline plugin."""
    site = tmp_path_factory.mktemp("offline") / "site"
    env = {**os.environ, "KB_PDF": "0", "KB_OFFLINE": "true"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"offline build failed:\n{result.stderr[-4000:]}"
    return site


@pytest.mark.parametrize(("start", "query", "expected"), [
    ("en/index.html", "occupational", "en/gender/modules/03-occupational-health.html"),
    ("index.html", "低汞触媒", "mercury/modules/02-low-mercury-catalyst.html"),
], ids=["en", "zh"])
def test_offline_copy_searches_each_language_from_file_urls(browser: Browser, offline_copy: Path, start: str, query: str, expected: str) -> None:
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        watch = Watch(page)
        page.goto((offline_copy / start).as_uri())
        groups = _search_groups(page, query)
        assert groups and groups[0]["path"].endswith("/" + expected), groups[:3]
        assert all(("/en/" in g["path"]) == start.startswith("en/") for g in groups), groups[:5]
        outside = [u for u in watch.requests if not u.startswith("file://") and not u.startswith(("data:", "blob:", "about:"))]
        assert not outside, outside
    finally:
        ctx.close()


# --- screenshots of what trainees see -----------------------------------------------------------------------------
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_screenshot_of_the_quiz_after_an_attempt(browser: Browser, base_url: str, shots: Path, phone: bool) -> None:
    ctx = _context(browser, phone=phone)
    try:
        page, watch = _open(ctx, base_url + QUIZ_ZH)
        _quiz_attempt(page, "检查答案")
        page.locator(".kb-quiz__show").first.click()
        page.evaluate("window.scrollTo(0, document.getElementById('exercises').getBoundingClientRect().top + window.scrollY - 70)")
        page.wait_for_timeout(300)
        path = shots / f"quiz-after-attempt-{'phone' if phone else 'desktop'}.png"
        page.screenshot(path=str(path))
        box = page.evaluate(
            """() => { const top = document.getElementById('exercises').getBoundingClientRect().top + window.scrollY;
                       const end = document.querySelector('.kb-quiz__submit').getBoundingClientRect().bottom + window.scrollY;
                       return {x: 0, y: top, width: document.documentElement.clientWidth, height: end - top}; }"""
        )
        page.screenshot(path=str(path.with_name(path.stem + "-full.png")), full_page=True, clip=box)
        assert path.stat().st_size > 10_000
        if phone:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert not watch.ours(), watch.ours()
    finally:
        ctx.close()


# --- Content-Security-Policy (kb/web/csp.py) -----------------------------------------------------------------------
def test_the_content_security_policy_blocks_script_the_site_did_not_write(context: BrowserContext, base_url: str) -> None:
    """The site's own scripts run (the console test above finds no violation), but an inline script that
    got into a page some other way does not."""
    page, _ = _open(context, base_url + MODULE_ZH)
    result = page.evaluate("""() => new Promise(resolve => {
        const seen = [];
        document.addEventListener('securitypolicyviolation', e => seen.push(e.effectiveDirective));
        const script = document.createElement('script');
        script.textContent = 'window.__pwned = "inline";';
        document.body.appendChild(script);
        const img = document.createElement('img');
        img.setAttribute('onerror', 'window.__pwned = "handler"');
        img.src = 'data:,x';
        document.body.appendChild(img);
        setTimeout(() => resolve({seen, pwned: window.__pwned || null}), 300);
    })""")
    assert result["pwned"] is None, result
    assert "script-src-elem" in result["seen"] or "script-src" in result["seen"], result


# --- the status page for people: filters, folded gaps, one language per page ---------------------------------------
FILTERABLE = "article [data-kb-track], article [data-kb-severity], article [data-kb-rule]"


def _status_items(page: Page) -> list[dict[str, Any]]:
    """Every item the filters act on, with its attributes and whether the browser shows it."""
    return page.eval_on_selector_all(FILTERABLE, """els => els.filter(e => !e.closest('form')).map(e => ({
        track: e.getAttribute('data-kb-track'), severity: e.getAttribute('data-kb-severity'),
        rule: e.getAttribute('data-kb-rule'), visible: e.checkVisibility(), tag: e.tagName.toLowerCase()}))""")


def _carries(item: dict[str, Any], name: str, value: str) -> bool:
    return item[name] is None or value in item[name].split()


@pytest.mark.parametrize("path", [STATUS, STATUS_EN], ids=["zh", "en"])
def test_status_page_filters_by_programme_severity_and_rule(context: BrowserContext, base_url: str, path: str) -> None:
    page, watch = _open(context, base_url + path)
    expect(page.locator("#kb-filter")).to_be_visible()
    items = _status_items(page)
    assert len(items) > 50 and all(i["visible"] for i in items)
    count = page.locator(".kb-filter__count")
    expect(count).to_contain_text(f"{len(items)}")

    page.select_option("select[data-kb-filter=track]", "gender")
    items = _status_items(page)
    shown = [i for i in items if i["visible"]]
    assert shown and all(_carries(i, "track", "gender") for i in shown), shown[:5]
    mercury = [i for i in items if i["track"] == "mercury"]
    assert mercury and not [i for i in mercury if i["visible"]]
    assert any(i["tag"] == "tr" for i in shown) and any(i["tag"] == "li" for i in shown)  # tables and folded gaps
    expect(count).to_contain_text(f"{len(shown)}")

    page.select_option("select[data-kb-filter=severity]", "warning")
    items = _status_items(page)
    shown = [i for i in items if i["visible"]]
    assert shown and all(_carries(i, "track", "gender") and _carries(i, "severity", "warning") for i in shown)
    assert not [i for i in items if i["visible"] and i["rule"] == "gap"]  # gaps are notes (info), not warnings

    page.locator("#kb-filter button[type=reset]").click()
    page.wait_for_function("() => document.querySelector('.kb-filter__count').textContent.includes(String(document.querySelectorAll('article [data-kb-track], article [data-kb-severity], article [data-kb-rule]').length))")
    assert all(i["visible"] for i in _status_items(page))
    assert not page.locator(".kb-filter-empty:visible").count()

    page.select_option("select[data-kb-filter=rule]", "report-problem")
    items = _status_items(page)
    shown = [i for i in items if i["visible"]]
    assert shown and all(_carries(i, "rule", "report-problem") for i in shown)
    row = page.locator("tr[data-kb-track][data-kb-rule=report-problem]")
    expect(row).to_be_visible()  # the organisational e-mail FECO is to supply: a visible gap
    assert "mkdocs.yml" in row.inner_text()
    assert not [i for i in items if i["visible"] and i["rule"] == "gap"]
    # a list with nothing left says so; the findings table, which has the row, does not
    expect(page.locator("ul.kb-gap-pages + .kb-filter-empty")).to_be_visible()
    expect(page.locator("[aria-labelledby=findings] + .kb-filter-empty")).to_be_hidden()
    # the choice is in the address: reloading (or sharing the link) shows the same rows
    assert "rule=report-problem" in page.url
    page.reload(wait_until="networkidle")
    assert page.locator("select[data-kb-filter=rule]").input_value() == "report-problem"
    assert [i["visible"] for i in _status_items(page)] == [i["visible"] for i in items]
    assert not watch.errors, watch.errors


def test_status_page_shows_the_pages_awaiting_an_organisation_and_leads_to_their_review(context: BrowserContext,
                                                                                          base_url: str) -> None:
    """A UNIDO reviewer asks "what awaits us?": the filter keeps the page rows whose approvals still
    lack UNIDO, and each row's title opens the side-by-side review view."""
    page, watch = _open(context, base_url + "/en/status/?awaiting=UNIDO")
    rows = page.locator("tr[data-kb-awaiting]")
    states = rows.evaluate_all("rows => rows.map(r => [r.getAttribute('data-kb-awaiting'), !r.hidden, r.getAttribute('data-kb-track')])")
    shown = [s for s in states if s[1]]
    assert shown and all("UNIDO" in s[0].split() for s in shown)
    assert all(s[2] == "mercury" for s in shown)  # UNIDO reviews the mercury programme only
    assert [s for s in states if not s[1] and s[2] == "gender"]  # gender pages await FECO and UNDP, not UNIDO
    link = page.locator("tr[data-kb-awaiting]:not([hidden]) a.kb-review-link").first
    title, href = link.inner_text(), link.get_attribute("href")
    assert href and "review/" in href
    link.click()
    page.wait_for_load_state("networkidle")
    assert "/review/" in page.url and title in page.locator("body").inner_text()  # the pair, side by side
    assert not watch.errors, watch.errors


def test_status_page_without_javascript_shows_every_row(browser: Browser, base_url: str) -> None:
    ctx = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(base_url + STATUS, wait_until="networkidle")
        assert not page.locator("#kb-filter").is_visible()  # filters that cannot work are not offered
        items = _status_items(page)
        assert len(items) > 50 and all(i["visible"] for i in items)
        expect(page.locator(".kb-gap-page summary").first).to_be_visible()
    finally:
        ctx.close()


@pytest.mark.parametrize(("path", "lang"), [(STATUS, "zh"), (STATUS_EN, "en")], ids=["zh", "en"])
def test_status_page_folds_gaps_per_page_under_titles_in_one_language(context: BrowserContext, base_url: str,
                                                                      path: str, lang: str) -> None:
    from kb.project.data import load_rules

    page, _ = _open(context, base_url + path)
    assert page.evaluate("document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
    folds = page.eval_on_selector_all(".kb-gap-page", """lis => lis.map(li => {
        const d = li.querySelector('details'), a = li.querySelector('a');
        return {open: d.open, summary: d.querySelector('summary').innerText, count: d.querySelectorAll('ol > li').length,
                first: d.querySelector('ol > li').checkVisibility(), title: a.innerText.trim(), href: a.href,
                texts: [...d.querySelectorAll('ol > li')].map(x => x.textContent)};
    })""")
    assert len(folds) > 10
    hrefs = [f["href"] for f in folds]
    assert len(set(hrefs)) == len(hrefs), "one entry per page"
    for fold in folds:
        assert not fold["open"] and not fold["first"], fold["title"]  # folded: the markers are not shown
        assert str(fold["count"]) in fold["summary"], fold
        assert fold["title"] and not fold["title"].endswith(".md") and "docs/" not in fold["title"], fold["title"]
        assert ("/en/" in fold["href"]) == (lang == "en"), fold["href"]  # this language's pages only
    han = re.compile(r"[\u4e00-\u9fff]")
    texts = [t for f in folds for t in f["texts"]]
    if lang == "en":
        assert sum(1 for t in texts if han.search(t)) < len(texts) / 20, "Chinese gap texts on the English page"
    else:
        assert sum(1 for t in texts if han.search(t)) > len(texts) * 0.9
    page.locator(".kb-gap-page summary").first.click()
    expect(page.locator(".kb-gap-page ol > li").first).to_be_visible()
    # interface text, headings and messages in the page's language (data/ui.yml, data/messages.yml)
    headings = page.eval_on_selector_all("article h2", "hs => hs.map(h => h.innerText)")
    assert headings and all(bool(han.search(h)) == (lang == "zh") for h in headings), headings
    expect(page.locator("#kb-filter-title")).to_have_text("筛选" if lang == "zh" else "Filter")
    rules = load_rules(ROOT / "data" / "messages.yml")
    message = page.locator("tr[data-kb-track][data-kb-rule=report-problem] td").last.inner_text().strip()
    assert message == rules["report-problem"].messages["no-email"].in_lang(lang).strip()
    for text in page.eval_on_selector_all("tr[data-kb-track][data-kb-rule=deliverables] td:last-child", "tds => tds.map(t => t.innerText)"):
        assert bool(han.search(text)) == (lang == "zh"), text  # deliverable titles quoted in the page's language
    series = page.eval_on_selector_all("tr[data-kb-track][data-kb-rule=event-series] td:last-child", "tds => tds.map(t => t.innerText)")
    assert series, "the real site's event series have findings"
    for text in series:  # programme and kind named in the page's language
        assert (re.search(r"\b(training|livestream|gender|mercury)\b", text) is None) == (lang == "zh"), text
    # both languages' review state for each pair
    states = page.eval_on_selector_all("tr[data-rel] .kb-langs", "uls => uls.map(u => [...u.children].map(li => li.dataset.lang))")
    assert states and all(s == ["zh", "en"] for s in states)


@pytest.mark.parametrize("path", [STATUS, STATUS_EN], ids=["zh", "en"])
def test_status_page_fits_a_phone_with_every_gap_list_open(phone: BrowserContext, base_url: str, shots: Path, path: str) -> None:
    page, _ = _open(phone, base_url + path)
    name = "status-" + ("en" if path == STATUS_EN else "zh")
    page.screenshot(path=str(shots / f"phone-{name}.png"))
    page.eval_on_selector_all(".kb-gap-page details", "ds => ds.forEach(d => { d.open = true; })")
    width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{path} scrolls sideways at 375 px with the gap lists open: {width}"
    # the tables reflow into cards: no table region needs scrolling sideways
    wide = page.eval_on_selector_all(".kb-table-wrap", "ws => ws.filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.getAttribute('aria-labelledby'))")
    assert not wide, wide
    violations = _serious_violations(page)
    assert not violations, f"axe on {path} at 375 px, gap lists open:\n" + "\n".join(violations)

