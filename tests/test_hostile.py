"""Hostile pull requests: one sample site full of attacks (tests/fixtures/hostile plus files made
here that git cannot hold: symlinks, a FIFO, odd names, other encodings, pathological pages), built
once per module, draft with PDFs. Nothing outside the project may reach site/ or a PDF (a canary file
outside the project and a canary environment variable), nothing in it may run script, and the
checks name every attack; a release build refuses it."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, build, make_project

from kb.checks.engine import run
from kb.project.settings import load_settings

CANARY_TEXT = f"CANARY-FILE-{uuid.uuid4().hex}"
CANARY_ENV = f"CANARY-ENV-{uuid.uuid4().hex}"
FM = "---\ntitle: {title}\ntype: page\ntrack: general\nreview:\n  status: draft\n  approvals: []\n---\n\n"


def _page(title: str, body: str) -> str:
    return FM.format(title=title) + body


pytestmark = pytest.mark.build  # builds the hostile site (draft with PDFs, and release)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("hostile")
    canary = base / "outside" / "secret.txt"
    canary.parent.mkdir()
    canary.write_text(CANARY_TEXT + "\n", encoding="utf-8")
    project = make_project(base / "project", FIXTURES / "hostile", site=True)
    zh = project / "docs" / "zh"
    attack = zh / "attack.md"
    attack.write_text(attack.read_text(encoding="utf-8").replace("CANARY_FILE", str(canary)), encoding="utf-8")
    # symlinks: to a file outside, to a file inside, a directory loop, a dangling link, an image
    (zh / "leak.md").symlink_to(canary)
    (zh / "inside.md").symlink_to(zh / "index.md")
    (zh / "loop").symlink_to(zh)
    (zh / "dangling.md").symlink_to(base / "nowhere.md")
    (zh / "img" / "leak.svg").symlink_to(canary)
    # not regular files, unreadable content, other encodings
    os.mkfifo(zh / "fifo.md")
    (zh / "folder.md").mkdir()
    (zh / "gbk.md").write_bytes(_page("汞", "汞减排").encode("gbk"))
    (zh / "utf16.md").write_bytes(_page("汞", "汞减排").encode("utf-16"))
    (zh / "invalid.md").write_bytes(_page("x", "").encode() + b"\xff\xfe\xfa broken")
    (zh / "mixed.md").write_bytes(_page("混合", "一行\r\n二行\n三行\r\n").encode())
    # pathological input
    (zh / "a-line.md").write_text(_page("长行", "<a " * 350_000 + "\n"), encoding="utf-8")
    (zh / "brackets.md").write_text(_page("括号", "[" * 20_000 + "\n"), encoding="utf-8")
    (zh / "nested.md").write_text(_page("嵌套", "\n".join(" " * (2 * i) + "- x" for i in range(5000))), encoding="utf-8")
    (zh / "deep.md").write_text(_page("嵌套", "\n".join("    " * i + "- x" for i in range(60))), encoding="utf-8")
    (zh / "quotes.md").write_text(_page("引用", ">" * 1000 + " x\n"), encoding="utf-8")
    # odd names
    for name in ("with space.md", "ctrl\x07.md", "-leading.md", "x" * 120 + ".md", "<img src=x onerror=alert(1)>.md"):
        (zh / name).write_text(_page("odd", "odd name"), encoding="utf-8")
    env = {"KB_CANARY": CANARY_ENV}
    result = build(project, pdf=True, check=False, extra_env=env)
    report = run(load_settings(project, environ={"KB_TODAY": TODAY}))
    return {"project": project, "site": project / "site", "build": result, "report": report, "canary": canary}


def _findings(report) -> set[tuple[str, str, str]]:
    return {(f.path.rsplit("/", 1)[-1], f.rule, f.code) for f in report.findings}


def test_the_draft_build_of_a_hostile_site_completes(hostile):
    result = hostile["build"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (hostile["site"] / "attack" / "index.html").is_file()
    assert (hostile["site"] / "downloads" / "manual-mercury-zh.pdf").is_file()  # the attack page is a mercury policy page
    assert "Traceback" not in result.stderr


def _pdf_texts(site: Path) -> dict[Path, str]:
    return {pdf: subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            for pdf in site.rglob("*.pdf")}


def test_nothing_from_outside_the_project_reaches_any_file_of_the_site(hostile):
    site = hostile["site"]
    files = [p for p in site.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert CANARY_TEXT.encode() not in data, path
        assert CANARY_ENV.encode() not in data, path
    texts = _pdf_texts(site)
    assert texts
    for pdf, text in texts.items():
        assert CANARY_TEXT not in text and CANARY_ENV not in text, pdf
        assert "KB_CANARY" not in text and "PATH=" not in text, pdf


def test_pdfs_carry_no_attachments_and_no_foreign_images(hostile):
    from pypdf import PdfReader

    for pdf in hostile["site"].rglob("*.pdf"):
        reader = PdfReader(pdf)
        names = reader.trailer["/Root"].get("/Names")
        assert names is None or "/EmbeddedFiles" not in names.get_object(), pdf
        assert not reader.attachments, pdf
        for page in reader.pages:
            for annot in page.get("/Annots") or []:
                assert annot.get_object().get("/Subtype") != "/FileAttachment", pdf
            for image in page.images:
                assert CANARY_TEXT.encode() not in image.data and CANARY_ENV.encode() not in image.data


def test_the_manual_was_built_from_the_attack_page_without_its_attacks(hostile):
    text = _pdf_texts(hostile["site"])[hostile["site"] / "downloads" / "manual-mercury-zh.pdf"]
    assert "End of the attack page." in text  # the page is printed: its attacks are what is missing


def test_no_symlinked_or_refused_file_is_published(hostile):
    site = hostile["site"]
    for name in ("leak", "inside", "loop", "dangling", "fifo", "gbk", "utf16", "invalid", "a-line", "brackets",
                 "nested", "deep", "quotes", "with space", "-leading"):
        assert not (site / name).exists(), name
    assert not (site / "img" / "leak.svg").exists()
    assert not (site / "img" / "script.svg").exists()
    assert not any("onerror" in p.name or "\x07" in p.name for p in site.rglob("*"))


def _article(html: str) -> str:
    """The page's content: from its heading (after Material's edit button and its icon) to the end."""
    start = html.index("<h1", html.index('<article class="md-content__inner'))
    return html[start:html.index("</article>", start)]


class _Elements(HTMLParser):
    """Every element and attribute of a page as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        self._in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
            self._in_script = False


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def test_the_built_attack_page_carries_no_executable_content(hostile):
    html = (hostile["site"] / "attack" / "index.html").read_text(encoding="utf-8")
    article = _elements(_article(html))
    for tag in ("script", "svg", "iframe", "object", "embed", "form", "link", "style", "animate", "base", "meta"):
        assert tag not in article.tags, tag
    whole = _elements(html)
    assert not [a for a in whole.attrs if a[1].startswith("on")]
    for tag, name, value in whole.attrs:
        if name in ("href", "src", "action", "formaction", "data"):
            scheme = re.sub(r"[\x00-\x20]", "", value).lower()
            assert not scheme.startswith(("javascript:", "vbscript:", "data:text", "file:")), (tag, name, value)
    assert not [s for s in whole.scripts if "__pwned" in s]
    assert "End of the attack page." in html
    # the title is text wherever Material prints it
    assert "<script>window.__pwned" not in html
    # and behind the sanitiser, the page's policy allows script only from the site's own files
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src "))
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src


def test_the_checks_name_every_attack(hostile):
    found = _findings(hostile["report"])
    expected = {
        ("attack.md", "unsafe-html", "event-attribute"), ("attack.md", "unsafe-html", "script-url"),
        ("attack.md", "unsafe-html", "tag"), ("attack.md", "unsafe-html", "url"),
        ("leak.md", "unsafe-file", "symlink"), ("inside.md", "unsafe-file", "symlink"),
        ("loop", "unsafe-file", "symlink"), ("dangling.md", "unsafe-file", "symlink"),
        ("leak.svg", "unsafe-file", "symlink"), ("script.svg", "unsafe-file", "svg-script"),
        ("fifo.md", "unsafe-file", "not-a-file"),
        ("invalid.md", "encoding", "not-utf8"),
        ("mixed.md", "encoding", "mixed-line-endings"),
        ("duplicate-keys.md", "front-matter", "duplicate-key"),
        ("a-line.md", "input-limits", "too-large"), ("brackets.md", "input-limits", "line-too-long"),
        ("nested.md", "input-limits", "too-large"), ("deep.md", "input-limits", "too-deep"),
        ("quotes.md", "input-limits", "too-deep"),
        ("with space.md", "unsafe-file", "file-name"), ("-leading.md", "unsafe-file", "file-name"),
    }
    assert expected <= found, sorted(expected - found)
    for name in ("utf16.md", "gbk.md"):
        assert any(f.path.endswith(name) and f.rule == "encoding" for f in hostile["report"].findings), name
    # every finding of the attack page points at a line of it
    lines = (hostile["project"] / "docs/zh/attack.md").read_text(encoding="utf-8").count("\n") + 1
    assert all(1 <= f.line <= lines for f in hostile["report"].findings if f.path.endswith("attack.md"))


def test_a_release_build_refuses_the_hostile_site(hostile, tmp_path):
    result = build(hostile["project"], "-d", str(tmp_path / "release-site"), release=True, check=False)
    assert result.returncode != 0
    assert "release mode refuses to build" in result.stdout + result.stderr
    assert not (tmp_path / "release-site" / "attack").exists()
    assert "Traceback" not in result.stderr


BROWSER_PROBE = r"""
import functools, http.server, json, sys, threading
from playwright.sync_api import sync_playwright
site, chromium, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=site)
handler.log_message = lambda *a, **k: None
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
dialogs, console = [], []
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=args)
    page = browser.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: console.append(m.text))
    page.goto(f"http://127.0.0.1:{server.server_port}/attack/", wait_until="load")
    for el in page.query_selector_all("article h1, article p, article a")[:60]:
        try:
            el.hover(timeout=500)  # what onmouseover / onclick attributes targeted
            el.click(timeout=500, no_wait_after=True)
        except Exception:
            pass
        if page.url.rstrip("/").split("/")[-1] != "attack":
            page.go_back()
    page.wait_for_timeout(300)
    pwned = page.evaluate("window.__pwned === undefined ? null : String(window.__pwned)")
    browser.close()
server.shutdown()
print(json.dumps({"pwned": pwned, "dialogs": dialogs, "console": console}))
"""


@pytest.mark.browser
def test_the_attack_page_runs_no_script_in_chromium(hostile):
    """Loaded, hovered and clicked in Chromium (in its own process: the browser tests keep a
    Playwright session open in this one), the page runs none of its scripts."""
    import json
    import sys

    pytest.importorskip("playwright")
    from test_browser import CHROMIUM, CHROMIUM_ARGS, IN_CI

    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip("no Chromium")
    result = subprocess.run([sys.executable, "-c", BROWSER_PROBE, str(hostile["site"]), str(CHROMIUM),
                             json.dumps(CHROMIUM_ARGS)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["pwned"] is None, seen
    assert not seen["dialogs"]
    assert not [c for c in seen["console"] if "__pwned" in c]
