"""Which pages go into which PDF, and the HTML of each PDF: the manual per language (cover, contents,
chapters in navigation order, glossary and trainer's appendices), a handout per module page and a
large-format panel per panel page. The HTML comes from the Jinja2 templates in overrides/manual/."""

from __future__ import annotations

import base64
import datetime as dt
import math
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kb.manual.content import ParsedPage, Target, anchor_for, parse_page, prepare

TEMPLATE_DIR = ("overrides", "manual")
HTML_LANG = {"zh": "zh-CN", "en": "en"}
APPROVED = "approved"
GLOSSARY_ANCHOR = "appendix-glossary"
# Which stylesheets each kind of document uses, in cascade order (files in overrides/manual/).
STYLESHEETS = {
    "manual": ("content.css", "manual.css"),
    "handout": ("content.css", "manual.css", "handout.css"),
    "panel": ("content.css", "panel.css"),
}
PAGE_SIZES_MM = {"manual": (210, 297), "handout": (210, 297), "panel": (800, 1800)}


@dataclass
class Chapter:
    """One site page as printed."""

    entry: dict
    anchor: str
    title: str
    section: str | None
    type: str | None
    status: str | None
    in_manual: bool
    track: str | None = None
    section_start: bool = False
    body: Markup = Markup("")
    answers: Markup | None = None
    ids: set[str] = field(default_factory=set)

    @property
    def draft(self) -> bool:
        return self.status != APPROVED

    @property
    def path(self) -> str:
        return self.entry["path"]

    @property
    def stem(self) -> str:
        return Path(self.entry["rel"]).stem


@dataclass
class Document:
    """An assembled PDF: what the renderer needs, plus what the log and the tests report."""

    kind: str  # manual | handout | panel
    lang: str
    output: Path
    html: str
    stylesheets: tuple[str, ...]
    resources: tuple[str, ...]
    pages: list[str]  # repository paths of the site pages printed in it


@dataclass
class LanguagePlan:
    lang: str
    chapters: list[Chapter]       # manual chapters, navigation order
    glossary: Chapter | None      # the glossary page, printed as an appendix from data/glossary.yml
    handouts: list[Chapter]       # module pages
    panels: list[Chapter]         # panel pages

    def printed_pages(self) -> list[Chapter]:
        seen: dict[str, Chapter] = {}
        for ch in [*self.chapters, *([self.glossary] if self.glossary else []), *self.handouts, *self.panels]:
            seen.setdefault(ch.path, ch)
        return list(seen.values())


# --- selection ------------------------------------------------------------------------------------------------
def plan_language(lang: str, entries: list[dict], report: Any) -> LanguagePlan:
    """The pages of *lang* that are printed, from the navigation manifest.

    Left out of every PDF: fallback pages (another language's file) and generated pages (front matter
    `template`), except the glossary, which the manual prints as an appendix from the data file.
    `manual: false` leaves a page out of the manual only; its handout or panel PDF is still made."""
    chapters: list[Chapter] = []
    glossary = None
    handouts: list[Chapter] = []
    panels: list[Chapter] = []
    used: set[str] = set()
    for entry in entries:
        if entry.get("file_lang", lang) != lang:
            continue
        page = report.pages.get(entry["path"])
        meta = page.meta if page is not None else {}
        anchor = anchor_for(entry["rel"])
        while anchor in used:
            anchor += "-x"
        used.add(anchor)
        ch = Chapter(
            entry=entry, anchor=anchor,
            title=entry.get("title") or (page.title if page is not None else Path(entry["rel"]).stem),
            section=entry.get("section"), type=page.type if page is not None else None,
            status=page.review_status if page is not None else None,
            in_manual=page.in_manual if page is not None else True,
            track=page.track if page is not None else None,
        )
        if meta.get("template"):
            if ch.type == "glossary" and ch.in_manual:
                glossary = ch
            continue
        if ch.in_manual:
            chapters.append(ch)
        if ch.type == "module":
            handouts.append(ch)
        elif ch.type == "panel":
            panels.append(ch)
    previous: object = object()
    for ch in chapters:
        ch.section_start = ch.section is not None and ch.section != previous
        previous = ch.section
    return LanguagePlan(lang=lang, chapters=chapters, glossary=glossary, handouts=handouts, panels=panels)


# --- shared context ---------------------------------------------------------------------------------------------
def git_version(root: Path) -> str | None:
    """`git describe --always --dirty` of the checkout, or None when it is not one (or git is missing)."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True, text=True, timeout=20,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    version = out.stdout.strip()
    return version if out.returncode == 0 and version else None


def make_env(template_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["css_page_counters"] = css_page_counters
    env.filters["css_target_page"] = css_target_page
    env.filters["fmt"] = lambda text, **kw: text.format(**kw)
    env.filters["data_uri"] = data_uri
    return env


def css_string(text: str) -> str:
    """A CSS string literal, quotes included (the template writes it into a <style>)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


def _css_with(text: str, tokens: dict[str, str]) -> str:
    parts = re.split(r"(\{\w+\})", text)
    out = []
    for part in parts:
        if part in tokens:
            out.append(tokens[part])
        elif part:
            out.append(css_string(part))
    return Markup(" ".join(out) or '""')


def css_page_counters(text: str) -> str:
    """'Page {page} of {pages}' -> "Page " counter(page) " of " counter(pages)"""
    return _css_with(text, {"{page}": "counter(page)", "{pages}": "counter(pages)"})


def css_target_page(text: str) -> str:
    """' (see page {page})' -> " (see page " target-counter(attr(href), page) ")" """
    return _css_with(text, {"{page}": "target-counter(attr(href), page)"})


def data_uri(svg: str) -> str:
    return Markup("data:image/svg+xml;base64," + base64.b64encode(str(svg).encode("utf-8")).decode("ascii"))


@dataclass
class Assembler:
    """Builds every Document of a build from the plans and the built site."""

    settings: Any
    data: Any
    site_dir: Path
    version: str | None = None
    env: jinja2.Environment = field(init=False)
    template_dir: Path = field(init=False)
    _parsed: dict[str, ParsedPage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.template_dir = self.settings.root.joinpath(*TEMPLATE_DIR)
        self.env = make_env(self.template_dir)

    # -- helpers
    def parsed(self, dest: str) -> ParsedPage:
        if dest not in self._parsed:
            self._parsed[dest] = parse_page(self.site_dir, dest)
        return self._parsed[dest]

    def stylesheets(self, kind: str) -> tuple[str, ...]:
        return tuple(str(self.template_dir / name) for name in STYLESHEETS[kind])

    def common(self, lang: str, kind: str, draft: bool) -> dict[str, Any]:
        ui = self.data.ui.get(lang, {})
        today: dt.date = self.settings.today
        width, height = PAGE_SIZES_MM[kind]
        watermark = self.env.get_template("watermark.html").render(
            text=ui["draft_watermark"], width=width, height=height, lang=HTML_LANG.get(lang, lang),
            angle=round(math.degrees(math.atan2(height, width)), 2))
        return {
            "lang": lang, "html_lang": HTML_LANG.get(lang, lang), "ui": ui, "kind": kind,
            "edition": ui["manual_date_format"].format(year=today.year, month=today.month, day=today.day),
            "created": today.isoformat(),
            "version": self.version or ui["manual_unversioned"],
            "watermark": Markup(watermark), "draft": draft,
        }

    def _resources(self, chapters: list[Chapter]) -> tuple[str, ...]:
        found: list[str] = []
        for ch in chapters:
            for res in self.parsed(ch.entry["dest"]).resources:
                if res not in found:
                    found.append(res)
        return tuple(found)

    # -- documents
    def manual(self, plan: LanguagePlan, output: Path) -> Document:
        targets = {ch.entry["dest"]: Target(ch.anchor, self.parsed(ch.entry["dest"]).ids) for ch in plan.chapters}
        if plan.glossary is not None:  # links to the glossary page lead to the glossary appendix
            targets[plan.glossary.entry["dest"]] = Target(GLOSSARY_ANCHOR, self.parsed(plan.glossary.entry["dest"]).ids)
        for ch in plan.chapters:
            printed = prepare(self.parsed(ch.entry["dest"]), anchor=ch.anchor, site_dir=self.site_dir,
                              targets=targets, split_answers=ch.type == "module", keep_answers=True)
            ch.body = Markup(printed.body)
            ch.answers = Markup(printed.answers) if printed.answers is not None else None
            ch.ids = printed.ids
        answered = [ch for ch in plan.chapters if ch.answers is not None]
        counted = [*plan.chapters, *([plan.glossary] if plan.glossary else [])]
        unapproved = [ch for ch in counted if ch.draft]
        groups: list[dict[str, Any]] = []
        for ch in plan.chapters:
            if ch.section is None or ch.section_start or not groups or groups[-1]["section"] is None:
                groups.append({"section": ch.section, "chapters": []})
            groups[-1]["chapters"].append(ch)
        context = self.common(plan.lang, "manual", draft=bool(unapproved))
        context.update(
            chapters=plan.chapters, groups=groups, answered=answered,
            answers_draft=any(ch.draft for ch in answered),
            glossary=self._glossary(plan) if plan.glossary else None,
            glossary_chapter=plan.glossary,
            total=len(counted), unapproved=len(unapproved),
        )
        html = self.env.get_template("manual.html").render(**context)
        return Document("manual", plan.lang, output, html, self.stylesheets("manual"),
                        self._resources(plan.chapters), [ch.path for ch in counted])

    def _glossary(self, plan: LanguagePlan) -> list[dict[str, Any]]:
        from kb.site import glossary_entries

        return glossary_entries(self.data, plan.lang)

    def single(self, kind: str, ch: Chapter, output: Path) -> Document:
        """A handout (module page, answers left out) or a panel."""
        printed = prepare(self.parsed(ch.entry["dest"]), anchor=ch.anchor, site_dir=self.site_dir,
                          targets={ch.entry["dest"]: Target(ch.anchor, self.parsed(ch.entry["dest"]).ids)},
                          split_answers=kind == "handout", keep_answers=False)
        lang = ch.entry["lang"]
        context = self.common(lang, kind, draft=ch.draft)
        tracks = self.data.model.tracks
        context.update(chapter=ch, body=Markup(printed.body),
                       track_label=tracks.get(ch.track or "", {}).get(lang) or ch.section or "")
        html = self.env.get_template(f"{kind}.html").render(**context)
        return Document(kind, lang, output, html, self.stylesheets(kind), self._resources([ch]), [ch.path])


def single_outputs(chapters: list[Chapter], folder: Path) -> list[tuple[Chapter, Path]]:
    """<folder>/<file stem>.pdf; stems that occur twice get their folder path as prefix."""
    stems: dict[str, int] = {}
    for ch in chapters:
        stems[ch.stem] = stems.get(ch.stem, 0) + 1
    out = []
    for ch in chapters:
        name = ch.stem if stems[ch.stem] == 1 else re.sub(r"[^A-Za-z0-9_.-]+", "-", ch.entry["rel"][:-3])
        out.append((ch, folder / f"{name}.pdf"))
    return out

