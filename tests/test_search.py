"""Splitting the built search index per language (kb/web/search.py), without a build."""

from __future__ import annotations

import json
from pathlib import Path

from kb.web.search import language_of, split_index, write_language_indexes

INDEX = {
    "config": {"lang": ["en", "zh"], "separator": "[\\s]+", "pipeline": ["stemmer"], "fields": {}},
    "docs": [
        {"location": "", "title": "首页", "text": "汞"},
        {"location": "mercury/x/#a", "title": "低汞触媒", "text": "触媒"},
        {"location": "en/", "title": "Home", "text": "mercury"},
        {"location": "en/mercury/x/", "title": "Catalysts", "text": "training"},
        {"location": "english-word/", "title": "A zh page whose path starts like a language", "text": ""},
    ],
}


def test_entries_go_to_the_language_of_their_location():
    assert language_of("en/mercury/x/", ("zh", "en"), "zh") == "en"
    assert language_of("mercury/x/#a", ("zh", "en"), "zh") == "zh"
    assert language_of("english-word/", ("zh", "en"), "zh") == "zh"
    assert language_of("", ("zh", "en"), "zh") == "zh"


def test_each_language_gets_its_own_pages_and_pipeline():
    parts = {p.lang: p for p in split_index(INDEX, ("zh", "en"), "zh")}
    assert [d["location"] for d in parts["zh"].docs] == ["", "mercury/x/#a", "english-word/"]
    assert [d["location"] for d in parts["en"].docs] == ["en/", "en/mercury/x/"]
    assert parts["en"].config["lang"] == ["en"] and parts["en"].config["pipeline"] == ["trimmer", "stopWordFilter", "stemmer"]
    assert parts["zh"].config["lang"] == ["zh"] and parts["zh"].config["pipeline"] == ["stemmer"]
    assert parts["en"].config["separator"] == INDEX["config"]["separator"]


def test_writing_leaves_a_stub_and_is_idempotent(tmp_path: Path):
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text(json.dumps(INDEX), encoding="utf-8")
    written = write_language_indexes(tmp_path, ("zh", "en"), "zh", scripts=True)
    assert {p.name for p in written} == {"zh.json", "en.json", "zh.js", "en.js"}
    stub = json.loads((tmp_path / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert stub["docs"] == [] and stub["config"]["lang"] == ["zh"]
    assert (tmp_path / "search" / "search_index.js").read_text(encoding="utf-8").startswith("var __index = ")
    script = (tmp_path / "search" / "en.js").read_text(encoding="utf-8")
    assert script.startswith("self.__kbSearchIndex = ") and '"Catalysts"' in script
    en = json.loads((tmp_path / "search" / "en.json").read_text(encoding="utf-8"))
    assert len(en["docs"]) == 2
    # a second run (mkdocs serve rebuilding, or the hook running twice) finds the stub and keeps the indexes
    assert write_language_indexes(tmp_path, ("zh", "en"), "zh") == []
    assert json.loads((tmp_path / "search" / "en.json").read_text(encoding="utf-8")) == en


def test_no_index_no_files(tmp_path: Path):
    assert write_language_indexes(tmp_path, ("zh", "en"), "zh") == []
