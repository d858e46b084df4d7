"""Search per language: one index per language, loaded by the search worker only when the reader
opens search.

Material's search plugin writes one `search/search_index.json`; mkdocs-static-i18n fills it with
every language's pages and gives it the default language's configuration (for Chinese: the stemmer
only), and Material's page script fetches it on every first page load. After the build this module
splits it into `search/<lang>.json` (that language's pages only, with that language's lunr language
and pipeline) and leaves a stub without documents at `search/search_index.json`.
`docs/assets/javascripts/workers/kb-search.js` loads the right file (see docs/adr/archive/architecture-notes-2026-12.md, "Search").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.project.fsutil import write_atomic

INDEX = Path("search") / "search_index.json"

# lunr pipeline per language. English: trimmer, stop words and the Porter stemmer at index time; the
# worker stems the query's words the same way (Material sends them with a wildcard, which skips the
# query pipeline). Chinese: jieba segments at build time; lunr.zh's stemmer leaves words alone.
PIPELINES: dict[str, tuple[str, ...]] = {
    "en": ("trimmer", "stopWordFilter", "stemmer"),
    "zh": ("stemmer",),
}


@dataclass(frozen=True)
class LanguageIndex:
    lang: str
    config: dict[str, Any]
    docs: list[dict[str, Any]]

    def payload(self) -> str:
        return json.dumps({"config": self.config, "docs": self.docs}, ensure_ascii=False, separators=(",", ":"))


def language_of(location: str, languages: tuple[str, ...], default_language: str) -> str:
    """The language of an index entry, from its location ("en/mercury/…" -> en, else the default)."""
    head = location.split("/", 1)[0] if "/" in location else ""
    return head if head in languages and head != default_language else default_language


def split_index(index: dict[str, Any], languages: tuple[str, ...], default_language: str) -> list[LanguageIndex]:
    config = dict(index.get("config") or {})
    by_lang: dict[str, list[dict[str, Any]]] = {lang: [] for lang in languages}
    for doc in index.get("docs") or []:
        by_lang[language_of(str(doc.get("location", "")), languages, default_language)].append(doc)
    out = []
    for lang in languages:
        lang_config = {**config, "lang": [lang]}
        if lang in PIPELINES:
            lang_config["pipeline"] = list(PIPELINES[lang])
        out.append(LanguageIndex(lang, lang_config, by_lang[lang]))
    return out


def page_of(location: str) -> str:
    """The page an index entry belongs to ("mercury/x/#section" -> "mercury/x/")."""
    return location.split("#", 1)[0]


def with_unrendered(part: LanguageIndex, previous: list[dict[str, Any]]) -> LanguageIndex:
    """*part* (the pages a preview rebuild rendered) with *previous*'s entries of every other page."""
    rendered = {page_of(str(doc.get("location", ""))) for doc in part.docs}
    kept = [doc for doc in previous if page_of(str(doc.get("location", ""))) not in rendered]
    return LanguageIndex(part.lang, part.config, [*kept, *part.docs])


def _previous_docs(path: Path) -> list[dict[str, Any]]:
    try:
        docs = json.loads(path.read_text(encoding="utf-8")).get("docs")
    except (OSError, ValueError, AttributeError):
        return []
    return [d for d in docs if isinstance(d, dict)] if isinstance(docs, list) else []


def write_language_indexes(site_dir: Path, languages: tuple[str, ...], default_language: str,
                           scripts: bool = False, keep_unrendered: bool = False) -> list[Path]:
    """Split the built site's search index per language; *scripts* also writes `search/<lang>.js`
    (the offline copy's worker runs from file://, where it cannot fetch); *keep_unrendered*: a preview
    that rendered only some pages keeps the other pages' entries from the last index
    (kb.build.preview). Returns the files written; nothing when there is no index (search disabled)
    or it is already a stub."""
    path = site_dir / INDEX
    if not path.is_file():
        return []
    index = json.loads(path.read_text(encoding="utf-8"))
    if not index.get("docs"):
        return []
    written = []
    for part in split_index(index, languages, default_language):
        if keep_unrendered:
            part = with_unrendered(part, _previous_docs(site_dir / "search" / f"{part.lang}.json"))
        target = site_dir / "search" / f"{part.lang}.json"
        write_atomic(target, part.payload())
        written.append(target)
        if scripts:
            script = target.with_suffix(".js")
            write_atomic(script, f"self.__kbSearchIndex = {part.payload()};\n")
            written.append(script)
    stub = json.dumps({"config": {**index.get("config", {}), "lang": [default_language]}, "docs": []}, ensure_ascii=False)
    write_atomic(path, stub)
    if scripts:  # Material's offline plugin turns the index into search_index.js for file://
        write_atomic(path.with_suffix(".js"), f"var __index = {stub}")
    return written
