"""The installable offline reading mode (docs/sw.js): a web manifest per language, and the list of
pages a reader saves with "Save this programme for offline reading" (site/offline.json)."""

from __future__ import annotations

import json
from pathlib import Path

from kb.content.navigation import Navigation
from kb.project.fsutil import write_atomic
from kb.project.templating import render

OFFLINE_LIST = "offline.json"
THEME_COLOR = "#00796b"  # the header colour (docs/assets/kb.css)
HTML_LANG = {"zh": "zh-CN"}  # as <html lang> (overrides/partials/language.html)


def manifest_name(lang: str) -> str:
    return f"manifest-{lang}.webmanifest"


def write_manifest(site_dir: Path, lang: str, default_language: str, name: str, short_name: str, description: str) -> Path:
    """A web manifest for one language: installing the site from an English page opens /en/."""
    start = "./" if lang == default_language else f"./{lang}/"
    manifest = {
        "name": name, "short_name": short_name or name, "description": description,
        "lang": HTML_LANG.get(lang, lang), "start_url": start, "scope": "./", "display": "standalone",
        "background_color": "#ffffff", "theme_color": THEME_COLOR,
        "icons": [{"src": "assets/favicon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }
    path = site_dir / manifest_name(lang)
    write_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=1))
    return path


def offline_lists(manifests: Navigation, tracks: tuple[str, ...], site_dir: Path,
                  page_files: dict[str, list[str]] | None = None) -> dict[str, dict[str, list[str]]]:
    """Per language and programme: the site-relative URLs a reader saves. The programme's pages in
    navigation order (the hook's manifest; fallback pages included, they are what the reader sees),
    the figures they show (*page_files*: a page's dest -> site-relative files), the language's home
    page and glossary, its search index, and the search worker's scripts."""
    page_files = page_files or {}
    shared = sorted(p.relative_to(site_dir).as_posix() for pattern in (
        "assets/javascripts/workers/search.*.min.js", "assets/javascripts/lunr/min/lunr.stemmer.support.min.js",
        "assets/javascripts/lunr/min/lunr.zh.min.js") for p in site_dir.glob(pattern))
    material = [Path(p).name for p in shared if Path(p).name.startswith("search.")]
    out: dict[str, dict[str, list[str]]] = {}
    for lang, entries in manifests.items():
        home = [e.url for e in entries if e.rel in ("index.md", "glossary.md")]
        out[lang] = {}
        for track in tracks:
            mine = [e for e in entries if e.rel.split("/", 1)[0] == track]
            pages = [e.url for e in mine]
            files = list(dict.fromkeys(f for e in mine for f in page_files.get(e.dest, [])))
            if pages:
                # the search worker as the pages ask for it (overrides/main.html): kb-search.js?<lang>,<Material's>
                worker = [f"assets/javascripts/workers/kb-search.js?{lang},{name}" for name in material]
                out[lang][track] = [*home, *pages, *files, f"search/{lang}.json", *worker, *shared]
    return out


def write_offline_lists(site_dir: Path, manifests: Navigation, tracks: tuple[str, ...],
                        page_files: dict[str, list[str]] | None = None) -> Path:
    path = site_dir / OFFLINE_LIST
    write_atomic(path, json.dumps(offline_lists(manifests, tracks, site_dir, page_files), ensure_ascii=False,
                                  separators=(",", ":")))
    return path


OFFLINE_PAGE = "offline.html"


def write_offline_page(site_dir: Path, overrides: Path, ui: dict[str, dict[str, str]], languages: tuple[str, ...],
                       default_language: str) -> Path:
    """offline.html: what the service worker shows, offline, for a page that was not saved (docs/sw.js)."""
    path = site_dir / OFFLINE_PAGE
    ordered = sorted(languages, key=lambda lang: lang != default_language)
    write_atomic(path, render(overrides, "kb-offline-page.html", ui=ui, languages=ordered,
                              default_language=default_language))
    return path
