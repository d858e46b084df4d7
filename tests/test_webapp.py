"""The offline reading mode's data (kb/web/webapp.py): web manifests, the pages a programme saves and
their size, and the printed material for trainees offered with them (kb/build/downloads.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sitebuild import FIXTURES, build, make_project

from kb.build.downloads import Downloads, ManualDownload, PanelSize, PrintedKind, SingleDownload, for_trainees
from kb.content.navigation import NavEntry, Navigation
from kb.web.webapp import OFFLINE_LIST, OfflineLists, PrintedFile, offline_lists, write_manifest, write_offline_lists


def _entries(lang: str, pages: list[tuple[str, str]]) -> list[NavEntry]:
    """Navigation entries of *lang*: (rel, url) in navigation order."""
    return [NavEntry(lang=lang, file_lang=lang, rel=rel, path=f"docs/{lang}/{rel}", url=url,
                     dest=f"{url}index.html", title=None, section=None) for rel, url in pages]


MANIFEST: Navigation = {
    "zh": _entries("zh", [("index.md", ""), ("glossary.md", "glossary/"), ("downloads.md", "downloads/"), ("mercury/index.md", "mercury/"),
                          ("mercury/modules/01-x.md", "mercury/modules/01-x/"), ("gender/index.md", "gender/"),
                          ("guide/how-to-use.md", "guide/how-to-use/")]),
    "en": _entries("en", [("index.md", "en/"), ("mercury/modules/01-x.md", "en/mercury/modules/01-x/")]),
}


def test_a_programme_saves_its_pages_the_home_page_glossary_and_search(tmp_path: Path):
    workers = tmp_path / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    (workers / "search.abc123.min.js").write_text("", encoding="utf-8")
    lists = offline_lists(MANIFEST, ("mercury", "gender"), tmp_path).root
    zh = lists["zh"]["mercury"].pages
    # the downloads page is always saved with a programme
    assert zh[:5] == ["", "glossary/", "downloads/", "mercury/", "mercury/modules/01-x/"]
    assert "gender/" not in zh and "guide/how-to-use/" not in zh
    assert "search/zh.json" in zh
    # the worker as pages ask for it, so that search works offline
    assert "assets/javascripts/workers/kb-search.js?zh,search.abc123.min.js" in zh
    assert "assets/javascripts/workers/search.abc123.min.js" in zh
    assert "gender" not in lists["en"]  # no English gender pages in this sample: nothing to offer
    assert lists["en"]["mercury"].pages[:2] == ["en/", "en/mercury/modules/01-x/"]


def _write(site: Path, path: str, size: int) -> int:
    file = site / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(b"x" * size)
    return size


def test_the_sizes_shown_before_saving_are_the_files_sizes(tmp_path: Path):
    """offline.json says what Save stores and how much: each file once (the worker's script is asked
    for with a query), and apart the printed material the build wrote, each PDF with its size."""
    site = tmp_path / "site"
    pages = sum(_write(site, path, size) for path, size in [
        ("index.html", 1200), ("glossary/index.html", 3400), ("downloads/index.html", 560),
        ("mercury/index.html", 780), ("mercury/modules/01-x/index.html", 9100), ("search/zh.json", 45_000),
        ("assets/javascripts/workers/search.abc123.min.js", 2300),
        ("assets/javascripts/workers/kb-search.js", 640)])
    _write(site, "gender/index.html", 99_999)  # another programme's page: not in mercury's sum
    workbook = _write(site, "downloads/workbook-mercury-zh.pdf", 123_456)
    handout = _write(site, "downloads/handouts/zh/01-x.pdf", 7_890)
    printed = {"zh": {"mercury": [PrintedFile(path="downloads/workbook-mercury-zh.pdf", title="学员手册"),
                                  PrintedFile(path="downloads/handouts/zh/01-x.pdf", title="模块一"),
                                  PrintedFile(path="downloads/handouts/zh/02-not-built.pdf", title="模块二")]}}
    path = write_offline_lists(site, MANIFEST, ("mercury", "gender"), printed=printed)
    assert path == site / OFFLINE_LIST
    saved = OfflineLists.model_validate_json(path.read_text(encoding="utf-8")).root["zh"]["mercury"]
    assert saved.pages_bytes == pages == 62_980
    # what the build did not write is not offered
    assert [(f.path, f.title, f.bytes) for f in saved.printed] == [
        ("downloads/workbook-mercury-zh.pdf", "学员手册", workbook), ("downloads/handouts/zh/01-x.pdf", "模块一", handout)]
    assert saved.printed_bytes == workbook + handout
    raw = json.loads(path.read_text(encoding="utf-8"))  # what the reader's script reads: numbers
    assert raw["zh"]["mercury"]["pages_bytes"] == 62_980 and raw["zh"]["mercury"]["printed"][0]["bytes"] == 123_456


def _downloads(**rows: tuple[Any, ...]) -> Downloads:
    empty: dict[str, Any] = {"manuals": (), "workbooks": (), "slides": (), "handouts": (), "panels": ()}
    return Downloads(**{**empty, **rows}, panel_size=PanelSize(width="85", height="200", bleed="3"),
                     offline="downloads/offline-site.zip", offline_build=False)


def _book(kind: PrintedKind, path: str, *, lang: str = "zh", id: str = "mercury", released: bool = True) -> ManualDownload:
    return ManualDownload(kind=kind, id=id, lang=lang, title="学员手册", path=path, online_only=False, released=released,
                          edition=None, draft_path=None, draft_online_only=False)


def _handout(title: str, path: str, track: str, released: bool) -> SingleDownload:
    return SingleDownload(kind=PrintedKind.HANDOUT, title=title, path=path, track=track, released=released, online_only=False)


def test_a_programme_offers_its_workbook_and_handouts_never_trainer_material(tmp_path: Path, settings_for: Any):
    """Only what a trainee takes: this language's released workbook and handouts, never a trainer guide
    (wherever it lies) or anything under downloads/trainer/."""
    settings = settings_for(make_project(tmp_path / "project"))
    downloads = _downloads(
        manuals=(_book(PrintedKind.MANUAL, "downloads/manual-mercury-zh.pdf"),),
        workbooks=(_book(PrintedKind.WORKBOOK, "downloads/workbook-mercury-zh.pdf"),
                   _book(PrintedKind.WORKBOOK, "downloads/workbook-mercury-en.pdf", lang="en"),
                   _book(PrintedKind.WORKBOOK, "downloads/workbook-gender-zh.pdf", id="gender", released=False)),
        handouts=(_handout("模块一", "downloads/handouts/zh/01-x.pdf", "mercury", True),
                  _handout("模块二", "downloads/handouts/zh/02-y.pdf", "gender", False),
                  _handout("讲稿", "downloads/trainer/notes-zh.pdf", "mercury", True),
                  _handout("指南", "downloads/drafts/manual-mercury-zh.pdf", "mercury", True)))
    offered = for_trainees(settings, downloads, "zh")
    assert {track: [f.path for f in files] for track, files in offered.items()} == {
        "mercury": ["downloads/workbook-mercury-zh.pdf", "downloads/handouts/zh/01-x.pdf"]}


@pytest.fixture(scope="module")
def printed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("offline-save") / "project", FIXTURES / "offline-save-printed", site=True)
    build(project, pdf=True)
    return project / "site"


@pytest.mark.build
@pytest.mark.pdf
def test_the_built_offline_list_weighs_the_built_files_and_offers_no_trainer_material(printed_site: Path):
    lists = json.loads((printed_site / OFFLINE_LIST).read_text(encoding="utf-8"))
    for lang, prefix in (("zh", ""), ("en", "en/")):
        saved = lists[lang]["mercury"]
        assert f"{prefix}downloads/" in saved["pages"]
        files = {(printed_site / (p.split("?")[0] + ("index.html" if p.split("?")[0].endswith("/") else ""))) for p in saved["pages"]}
        assert saved["pages_bytes"] == sum(f.stat().st_size for f in files)
        paths = [f["path"] for f in saved["printed"]]
        assert paths == [f"downloads/workbook-mercury-{lang}.pdf", f"downloads/handouts/{lang}/01-test-module.pdf"]
        assert [f["bytes"] for f in saved["printed"]] == [(printed_site / p).stat().st_size for p in paths]
        assert saved["printed_bytes"] == sum(f["bytes"] for f in saved["printed"])
    # the trainer guides and notes pages exist, and are never offered
    assert (printed_site / "downloads" / "manual-mercury-zh.pdf").is_file()
    assert any((printed_site / "downloads" / "trainer").glob("*.pdf"))
    text = (printed_site / OFFLINE_LIST).read_text(encoding="utf-8")
    assert "manual-" not in text and "trainer/" not in text


def test_each_language_installs_to_its_own_home_page(tmp_path: Path):
    zh = json.loads(write_manifest(tmp_path, "zh", "zh", "汞减排知识库", "培训知识库", "描述").read_text(encoding="utf-8"))
    en = json.loads(write_manifest(tmp_path, "en", "zh", "Knowledge base", "", "About").read_text(encoding="utf-8"))
    assert zh["start_url"] == "./" and en["start_url"] == "./en/" and zh["scope"] == en["scope"] == "./"
    assert zh["lang"] == "zh-CN" and zh["short_name"] == "培训知识库" and en["short_name"] == "Knowledge base"
    assert zh["display"] == "standalone" and zh["icons"][0]["src"] == "assets/favicon.svg"
