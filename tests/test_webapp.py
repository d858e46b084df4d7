"""The offline reading mode's data (kb/web/webapp.py): web manifests and the pages a programme saves."""

from __future__ import annotations

import json
from pathlib import Path

from kb.content.navigation import NavEntry, Navigation
from kb.web.webapp import offline_lists, write_manifest


def _entries(lang: str, pages: list[tuple[str, str]]) -> list[NavEntry]:
    """Navigation entries of *lang*: (rel, url) in navigation order."""
    return [NavEntry(lang=lang, file_lang=lang, rel=rel, path=f"docs/{lang}/{rel}", url=url,
                     dest=f"{url}index.html", title=None, section=None) for rel, url in pages]


MANIFEST: Navigation = {
    "zh": _entries("zh", [("index.md", ""), ("glossary.md", "glossary/"), ("mercury/index.md", "mercury/"),
                          ("mercury/modules/01-x.md", "mercury/modules/01-x/"), ("gender/index.md", "gender/"),
                          ("guide/how-to-use.md", "guide/how-to-use/")]),
    "en": _entries("en", [("index.md", "en/"), ("mercury/modules/01-x.md", "en/mercury/modules/01-x/")]),
}


def test_a_programme_saves_its_pages_the_home_page_glossary_and_search(tmp_path: Path):
    workers = tmp_path / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    (workers / "search.abc123.min.js").write_text("", encoding="utf-8")
    lists = offline_lists(MANIFEST, ("mercury", "gender"), tmp_path)
    assert lists["zh"]["mercury"][:4] == ["", "glossary/", "mercury/", "mercury/modules/01-x/"]
    assert "gender/" not in lists["zh"]["mercury"] and "guide/how-to-use/" not in lists["zh"]["mercury"]
    assert "search/zh.json" in lists["zh"]["mercury"]
    # the worker as pages ask for it, so that search works offline
    assert "assets/javascripts/workers/kb-search.js?zh,search.abc123.min.js" in lists["zh"]["mercury"]
    assert "assets/javascripts/workers/search.abc123.min.js" in lists["zh"]["mercury"]
    assert "gender" not in lists["en"]  # no English gender pages in this sample: nothing to offer
    assert lists["en"]["mercury"][:2] == ["en/", "en/mercury/modules/01-x/"]


def test_each_language_installs_to_its_own_home_page(tmp_path: Path):
    zh = json.loads(write_manifest(tmp_path, "zh", "zh", "汞减排知识库", "培训知识库", "描述").read_text(encoding="utf-8"))
    en = json.loads(write_manifest(tmp_path, "en", "zh", "Knowledge base", "", "About").read_text(encoding="utf-8"))
    assert zh["start_url"] == "./" and en["start_url"] == "./en/" and zh["scope"] == en["scope"] == "./"
    assert zh["lang"] == "zh-CN" and zh["short_name"] == "培训知识库" and en["short_name"] == "Knowledge base"
    assert zh["display"] == "standalone" and zh["icons"][0]["src"] == "assets/favicon.svg"
