"""Build a small bilingual fixture site for real and check what readers get: languages, the
language switch, the fallback notice, nothing loaded from outside, Chinese search, the status page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sitebuild import FIXTURES, build, make_project

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("site-basic"), FIXTURES / "site-basic", site=True)
    build(project)
    return project / "site"


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def test_each_language_has_its_own_root_and_html_lang(site: Path):
    assert re.search(r'<html lang="zh-CN"', read(site, "index.html"))  # Simplified Chinese: fonts and voices
    assert re.search(r'<html lang="en"', read(site, "en/index.html"))
    assert "首页" in read(site, "index.html")
    assert "Home" in read(site, "en/index.html")


def _switch_links(html: str) -> dict[str, str]:
    return dict(re.findall(r'<a href="([^"]+)" hreflang="(\w+)"[^>]*class="md-select__link', html)[::1] and
                [(lang, href) for href, lang in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"[^>]*class="md-select__link', html)])


def test_language_switch_opens_the_same_page_in_the_other_language(site: Path):
    zh = _switch_links(read(site, "mercury/low-mercury/index.html"))
    en = _switch_links(read(site, "en/mercury/low-mercury/index.html"))
    assert zh["en"].rstrip("/").endswith("en/mercury/low-mercury")
    assert en["zh"].rstrip("/").endswith("mercury/low-mercury") and "en/" not in en["zh"]


def test_language_switch_says_when_the_page_does_not_exist_in_the_other_language(site: Path):
    html = read(site, "en/only-english/index.html")
    assert re.search(r'hreflang="zh"[^>]*class="md-select__link kb-alt-missing"', html)
    assert "no such page" in html


def test_missing_translation_falls_back_with_a_notice_in_the_readers_language(site: Path):
    html = read(site, "en/only-chinese/index.html")
    assert "has not been translated into English yet" in html
    assert 'lang="zh-CN"' in html  # the Chinese content keeps its own language for fonts and screen readers
    assert "本页尚无英文版" in html
    body = html[html.index('<div lang="zh-CN">'):]
    assert "<h1" in body  # the page's Chinese body (title included) sits under lang="zh-CN", not the English page's lang


def test_a_chinese_only_page_gives_its_reason_labelled_in_english_and_marked_as_chinese(site: Path):
    html = read(site, "en/chinese-by-design/index.html")
    notice = html[html.index("kb-notice--single"):]
    notice = notice[:notice.index("</div>")]
    assert "available in Chinese only" in notice
    assert re.search(r'Reason given by the authors: <q class="kb-notice__reason" lang="zh-CN">仅供国内示范企业填写</q>', notice)
    assert "：" not in notice.split("<q")[0]  # no Chinese punctuation in the English label
    assert "<h1" in html[html.index('<div lang="zh-CN">'):]


def test_gap_markers_render_as_visible_badges(site: Path):
    assert 'class="kb-gap"' in read(site, "mercury/low-mercury/index.html")
    assert "[[gap:" not in read(site, "mercury/low-mercury/index.html")


class _Fetched(HTMLParser):
    """URLs a browser fetches while loading a page (not links a reader may click)."""

    FETCHING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "manifest", "prefetch",
                          "apple-touch-icon", "preconnect", "dns-prefetch"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed", "track", "input") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and set(a.get("rel", "").lower().split()) & self.FETCHING_LINK_RELS:
            self.urls.append(a.get("href", ""))
        if tag == "object" and a.get("data"):
            self.urls.append(a["data"])
        for value in (a.get("srcset", ""), a.get("style", "")):
            self.urls.extend(re.findall(r"(?:https?:)?//[^\s,'\")]+", value))


EXTERNAL = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?((?:https?:)?//[^'")\s]+)|@import\s+['"]((?:https?:)?//[^'"]+)""", re.IGNORECASE)
KNOWN_REMOTE = re.compile(r"fonts\.googleapis|fonts\.gstatic|googletagmanager|google-analytics|cdn\.jsdelivr|unpkg\.com|"
                          r"cdnjs\.cloudflare|api\.github\.com|polyfill\.io", re.IGNORECASE)


def test_nothing_is_fetched_from_outside_the_site(site: Path):
    problems = []
    for path in site.rglob("*"):
        if path.suffix == ".html":
            parser = _Fetched()
            parser.feed(path.read_text(encoding="utf-8"))
            problems += [f"{path.relative_to(site)}: {u}" for u in parser.urls if EXTERNAL.match(u)]
        elif path.suffix == ".css":
            problems += [f"{path.relative_to(site)}: {m}" for m in CSS_URL.findall(path.read_text(encoding="utf-8"))]
        elif path.suffix == ".js" and not path.name.startswith("bundle."):
            problems += [f"{path.relative_to(site)}: {m}" for m in KNOWN_REMOTE.findall(path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_materials_conditional_remote_loads_are_never_triggered(site: Path):
    """Material's bundle can fetch from unpkg.com (Mermaid diagrams) and api.github.com (repository
    facts); neither trigger may appear in any page."""
    bundle = next((site / "assets" / "javascripts").glob("bundle.*.min.js")).read_text(encoding="utf-8")
    assert "unpkg.com/mermaid" in bundle and "api.github.com" in bundle  # the triggers below still matter
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert 'data-md-component="source"' not in html, path
        assert 'class="mermaid"' not in html, path


def test_search_index_segments_chinese_and_keeps_glossary_terms_whole(site: Path):
    index = json.loads(read(site, "search/zh.json"))
    docs = index["docs"]
    text = {d["location"]: d["text"] for d in docs}

    def pages_with(word: str) -> set[str]:
        return {loc.split("#")[0] for loc, t in text.items() if word in t.replace("\u200b", "")}

    assert "mercury/low-mercury/" in pages_with("低汞触媒")
    assert "gender/intro/" in pages_with("性别主流化")
    assert "mercury/low-mercury/" in pages_with("汞")
    # jieba segmented the text, and the glossary (user dictionary) kept the term in one token
    segmented = next(t for loc, t in text.items() if loc.startswith("mercury/low-mercury/") and "触媒" in t)
    assert "\u200b" in segmented and "\u200b低汞触媒\u200b" in segmented


def test_search_has_one_index_per_language_and_a_stub_for_the_page_load(site: Path):
    """Each language's pages in its own index with its own lunr set-up; the file Material fetches on
    every page load has no documents (the worker loads the language's index when search opens)."""
    stub = json.loads(read(site, "search/search_index.json"))
    assert stub["docs"] == [] and len(read(site, "search/search_index.json")) < 1000
    zh, en = json.loads(read(site, "search/zh.json")), json.loads(read(site, "search/en.json"))
    assert zh["config"]["lang"] == ["zh"] and en["config"]["lang"] == ["en"]
    assert en["config"]["pipeline"] == ["trimmer", "stopWordFilter", "stemmer"]  # the worker stems queries alike
    assert all(d["location"].startswith("en/") for d in en["docs"])
    assert not any(d["location"].startswith("en/") for d in zh["docs"])
    assert any("catalyst" in d["text"].lower() for d in en["docs"])
    # the English index holds no Chinese page: a fallback page (only-chinese) is left to the Chinese index
    han = re.compile(r"[\u4e00-\u9fff]")
    assert not [d["location"] for d in en["docs"] if len(han.findall(d["title"] + d["text"])) > 20]
    html = read(site, "en/index.html")
    assert "assets/javascripts/workers/kb-search.js?en,search." in html


def test_status_page_renders_in_both_languages_and_status_json_is_written(site: Path):
    zh, en = read(site, "status/index.html"), read(site, "en/status/index.html")
    assert "译文状态" in zh and "交付成果" in zh and "待补充内容" in zh
    assert "Translation status" in en and "Deliverables" in en and "Gaps to fill" in en
    assert "示范企业名称" in zh  # the gap is listed
    status = json.loads(read(site, "status.json"))
    assert {"totals", "counts", "pairs", "reviews", "deliverables", "gaps", "findings"} <= set(status)
    states = {p["rel"]: p["state"] for p in status["pairs"]}
    assert states["only-chinese.md"] == "missing" and states["only-english.md"] == "missing"
    assert any(f["rule"] == "missing-translation" for f in status["findings"])


def test_draft_pages_show_the_review_status(site: Path):
    html = read(site, "mercury/low-mercury/index.html")
    assert "kb-notice--draft" in html and "草稿" in html


def test_release_build_refuses_broken_links_with_a_clear_message(tmp_path: Path):
    # the sample's status page links to an authoring guide it lacks: published, the link would lead
    # nowhere (drafts alone do not refuse a release: tests/test_release.py)
    project = make_project(tmp_path, FIXTURES / "site-basic", site=True)
    result = build(project, release=True, check=False)
    assert result.returncode != 0
    assert "make published content unsafe or false (broken-link): release mode refuses to build" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_review_view_shows_each_pair_side_by_side_with_its_findings(site: Path):
    index = read(site, "review/index.html")
    assert "mercury/low-mercury.md" in index
    html = read(site, "review/mercury/low-mercury/index.html")
    assert html.count('class="kb-review__row') == 1 and 'id="row-overview"' in html
    assert '<div class="kb-review__cell" lang="zh-CN">' in html and '<div class="kb-review__cell" lang="en">' in html
    assert "电石法聚氯乙烯" in html and "Calcium carbide PVC" in html
    assert "stale-translation" in html  # the pair is untracked: its finding is listed
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert ids and len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_page_labels_use_the_readers_punctuation(site: Path):
    en, zh = read(site, "en/mercury/low-mercury/index.html"), read(site, "mercury/low-mercury/index.html")
    assert "Review status: Draft" in en and "Review status：" not in en
    assert "审校状态：草稿" in zh


def test_trainees_get_no_edit_pencil(site: Path):
    """The edit pencil is for contributors (kb.yml contributor_links; the contributors' build:
    test_the_repository_link_and_edit_pencil_are_for_contributors_only)."""
    html = read(site, "en/mercury/low-mercury/index.html")
    assert "edit/main/docs/" not in html and 'title="Edit this page"' not in html


def test_offline_copy_is_a_zip_that_works_from_file_urls_without_outside_scripts(site: Path):
    import zipfile

    from kb.build.offline import build_offline_zip
    from kb.project.settings import load_settings

    project = site.parent
    # a workbook and a trainer guide the online build made (the build here has no PDFs): the copy must
    # carry the workbook, and not the guide (answers and trainer notes: ADR 0017)
    (site / "downloads").mkdir(exist_ok=True)
    (site / "downloads" / "workbook-mercury-zh.pdf").write_bytes(b"%PDF-1.7 sample")
    (site / "downloads" / "manual-mercury-zh.pdf").write_bytes(b"%PDF-1.7 sample")
    out = build_offline_zip(load_settings(project, environ={"KB_TODAY": "2026-11-21"}))
    assert out == site / "downloads" / "offline-site.zip"
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert "knowledge-site/downloads/workbook-mercury-zh.pdf" in names
        assert not [n for n in names if "manual-" in n]
        assert "knowledge-site/index.html" in names and "knowledge-site/en/index.html" in names
        # search works without a server: one index per language, as scripts for file://
        assert {"knowledge-site/search/zh.js", "knowledge-site/search/en.js"} <= names
        home = archive.read("knowledge-site/index.html").decode("utf-8")
        module = archive.read("knowledge-site/mercury/low-mercury.html").decode("utf-8")
        downloads = {lang: archive.read(f"knowledge-site/{prefix}downloads.html").decode("utf-8")
                     for lang, prefix in (("zh", ""), ("en", "en/"))}
    # the copy's downloads page links only what the copy holds, and says what is online only
    for lang, html in downloads.items():
        base = "knowledge-site/" + ("en/" if lang == "en" else "")
        links = re.findall(r'<a href="([^"#]+\.(?:pdf|zip))"', html)
        assert links, f"{lang}: the workbook in the copy is not linked"
        for href in links:
            target = str(Path(base, href)).replace("\\", "/")
            target = re.sub(r"[^/]+/\.\./", "", target)
            assert target in names, f"{lang} downloads page links {href}, which is not in the copy"
        assert "offline-site.zip" not in html
    assert "仅在线提供" in downloads["zh"] and "online only" in downloads["en"]
    assert "您正在阅读离线版" in downloads["zh"]
    assert 'href="mercury/low-mercury.html"' in home  # file:// needs explicit index-less links
    assert "assets/vendor/iframe-worker/shim.js" in module and "unpkg.com" not in module


def test_the_404_page_speaks_both_languages_and_is_not_overwritten_by_the_english_build(site: Path):
    html = read(site, "404.html")
    assert '<html lang="zh-CN"' in html
    assert "页面不存在" in html and "Page not found" in html


def test_search_worker_is_patched_to_keep_the_last_word_of_a_chinese_query(site: Path):
    from kb.web.searchfix import FIXED

    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    assert FIXED in worker.read_text(encoding="utf-8")


def test_a_stale_translation_tells_readers_and_links_to_the_source(tmp_path: Path):
    project = make_project(tmp_path, FIXTURES / "rules" / "stale-translation" / "flag", site=True)
    build(project)
    html = (project / "site" / "en" / "source-changed-after-translation" / "index.html").read_text(encoding="utf-8")
    assert "kb-notice--stale" in html and "may be outdated" in html
    assert 'href="../../source-changed-after-translation/" hreflang="zh"' in html


@pytest.mark.build
def test_the_repository_link_and_edit_pencil_are_for_contributors_only(tmp_path: Path) -> None:
    """Trainees see neither the GitHub link nor the edit pencil (kb.yml contributor_links: false); a
    contributors' build (KB_CONTRIBUTOR_LINKS=1, a pull request's preview) shows both."""
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    build(project)
    page = (project / "site" / "en" / "index.html").read_text(encoding="utf-8")
    # ("Report a problem" keeps its form link until FECO gives an e-mail address: the report-problem rule)
    assert "md-source" not in page and "md-content__button" not in page and "edit/main/docs/" not in page
    build(project, extra_env={"KB_CONTRIBUTOR_LINKS": "1"})
    page = (project / "site" / "en" / "index.html").read_text(encoding="utf-8")
    assert 'class="md-source"' in page and "edit/main/docs/" in page
