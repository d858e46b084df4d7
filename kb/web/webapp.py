"""The installable offline reading mode (docs/sw.js): a web manifest per language, and the list of
pages a reader saves with "Save this programme for offline reading" (site/offline.json: OfflineLists,
with the sizes the save box shows before saving)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, RootModel

from kb.content.navigation import Navigation
from kb.project.fsutil import write_atomic
from kb.project.schemas import UiFile
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


class PrintedFile(BaseModel):
    """A PDF of the downloads page a trainee may save with a programme (kb.build.downloads decides which)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str    # site-relative: downloads/…
    title: str
    bytes: int = 0


class ProgrammeSave(BaseModel):
    """What "Save this programme for offline reading" stores for one language and programme, and how
    much it weighs: the reader sees the sizes before saving, on a phone line."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    pages: list[str]            # site-relative URLs, as the pages and the search worker ask for them
    pages_bytes: int            # the files' sizes in site/, each file once
    printed: list[PrintedFile]  # saved only when the reader ticks the box
    printed_bytes: int


OfflineLists = RootModel[dict[str, dict[str, ProgrammeSave]]]  # language -> programme -> what is saved


def _file_of(url: str) -> str:
    """The file in site/ a site-relative URL is served from ("", "x/" -> index.html; no query)."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    return path + "index.html" if path == "" or path.endswith("/") else path


def _bytes(site_dir: Path, files: Iterable[str]) -> int:
    """The sizes of *files* (each once) in *site_dir*; what is not there weighs nothing."""
    root = site_dir.resolve()
    total = 0
    for file in dict.fromkeys(files):
        path = (site_dir / file).resolve()
        if root in path.parents and path.is_file():
            total += path.stat().st_size
    return total


def offline_lists(manifests: Navigation, tracks: tuple[str, ...], site_dir: Path,
                  page_files: dict[str, list[str]] | None = None,
                  printed: dict[str, dict[str, list[PrintedFile]]] | None = None) -> OfflineLists:
    """Per language and programme: the site-relative URLs a reader saves. The programme's pages in
    navigation order (the hook's manifest; fallback pages included, they are what the reader sees),
    the figures they show (*page_files*: a page's dest -> site-relative files), the language's home
    page, glossary and downloads page, its search index, and the search worker's scripts; and apart, the
    programme's printed material for trainees in that language (*printed*: language -> programme -> PDFs),
    those of them the build wrote, each with its size."""
    page_files = page_files or {}
    printed = printed or {}
    shared = sorted(p.relative_to(site_dir).as_posix() for pattern in (
        "assets/javascripts/workers/search.*.min.js", "assets/javascripts/lunr/min/lunr.stemmer.support.min.js",
        "assets/javascripts/lunr/min/lunr.zh.min.js") for p in site_dir.glob(pattern))
    material = [Path(p).name for p in shared if Path(p).name.startswith("search.")]
    out: dict[str, dict[str, ProgrammeSave]] = {}
    for lang, entries in manifests.items():
        home = [e.url for e in entries if e.rel in ("index.md", "glossary.md", "downloads.md")]
        out[lang] = {}
        for track in tracks:
            mine = [e for e in entries if e.rel.split("/", 1)[0] == track]
            if not mine:
                continue
            files = list(dict.fromkeys(f for e in mine for f in page_files.get(e.dest, [])))
            # the search worker as the pages ask for it (overrides/main.html): kb-search.js?<lang>,<Material's>
            worker = [f"assets/javascripts/workers/kb-search.js?{lang},{name}" for name in material]
            pages = [*home, *(e.url for e in mine), *files, f"search/{lang}.json", *worker, *shared]
            pdfs = [f.model_copy(update={"bytes": _bytes(site_dir, [f.path])})
                    for f in printed.get(lang, {}).get(track, []) if (site_dir / f.path).is_file()]
            out[lang][track] = ProgrammeSave(pages=pages, pages_bytes=_bytes(site_dir, map(_file_of, pages)),
                                             printed=pdfs, printed_bytes=sum(f.bytes for f in pdfs))
    return OfflineLists(out)


def write_offline_lists(site_dir: Path, manifests: Navigation, tracks: tuple[str, ...],
                        page_files: dict[str, list[str]] | None = None,
                        printed: dict[str, dict[str, list[PrintedFile]]] | None = None) -> Path:
    path = site_dir / OFFLINE_LIST
    write_atomic(path, offline_lists(manifests, tracks, site_dir, page_files, printed).model_dump_json())
    return path


OFFLINE_PAGE = "offline.html"


def write_offline_page(site_dir: Path, overrides: Path, ui: UiFile, languages: tuple[str, ...],
                       default_language: str) -> Path:
    """offline.html: what the service worker shows, offline, for a page that was not saved (docs/sw.js)."""
    path = site_dir / OFFLINE_PAGE
    ordered = sorted(languages, key=lambda lang: lang != default_language)
    write_atomic(path, render(overrides, "kb-offline-page.html", ui=ui, languages=ordered,
                              default_language=default_language))
    return path
