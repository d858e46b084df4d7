"""Which pages go into which PDF, and the HTML of each PDF: a training manual per programme and
language (kb.yml `manuals`: cover, contents, chapters in navigation order, glossary and trainer's
appendices, review record), a handout per module page and a large-format panel per panel page. The
HTML comes from the Jinja2 templates in overrides/manual/."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jieba
import jinja2
from markupsafe import Markup, escape

from kb.content.glossary import GlossaryEntry, glossary_entries
from kb.print.manual.content import ParsedPage, Target, parse_page, prepare
from kb.print.manual.parts import FOLIO_SLOT, PAGES_SLOT, PART_MARK, VERSION_PLACEHOLDER, split_parts
from kb.print.manual.plan import GUIDE, Chapter, ManualPlan
from kb.print.manual.render import PAGE_SLOT
from kb.print.manual.slides import (
    GUIDE_THUMB_MM,
    NOTES_THUMB_MM,
    SLIDE_MARGIN_MM,
    SLIDE_MM,
    THUMB_ID,
    Deck,
    Thumbnails,
    deck_of,
    guide_thumb_prefix,
)
from kb.project.gitdates import Revision, revisions, uncommitted
from kb.project.templating import fill

TEMPLATE_DIR = ("overrides", "manual")
HTML_LANG = {"zh": "zh-CN", "en": "en"}
GLOSSARY_ANCHOR = "appendix-glossary"
# Which stylesheets each kind of document uses, in cascade order (files in overrides/manual/).
STYLESHEETS = {
    "manual": ("content.css", "manual.css"),
    "workbook": ("content.css", "manual.css"),
    "handout": ("content.css", "manual.css", "handout.css"),
    "panel": ("content.css", "panel.css"),
    "slides": ("content.css", "slides.css"),
    "slides-notes": ("content.css", "slides.css", "slides-notes.css"),
}
A4_MM = (210, 297)


@dataclass
class Document:
    """An assembled PDF: what the renderer needs, plus what the log and the tests report."""

    kind: str  # manual (the trainer guide) | workbook | handout | panel | slides | slides-notes
    lang: str
    output: Path
    html: str
    stylesheets: tuple[str, ...]
    resources: tuple[str, ...]
    pages: list[str]  # repository paths of the site pages printed in it
    deck: Deck | None = None   # slides: what each slide is (the overflow finding names its section)
    thumbnails: tuple[Thumbnails, ...] = ()  # notes pages, trainer guide: the decks whose slides are drawn into them
    manual: str | None = None  # id of the training manual (kb.yml manuals), for manuals
    bleed_mm: float = 0.0      # press bleed (panels, kb.yml print.panel)
    parts: tuple[str, ...] = ()  # a big manual: the HTML of each part (kb.print.manual.parts); html is then the whole
    version: str = ""            # the version printed in a manual in parts (drawn by the merge)
    version_chars: str = ""      # the characters of the words a version can have (ui.yml), for the parts


# --- shared context ---------------------------------------------------------------------------------------------
VERSION_SLOT = "kb-version-slot-0f3a9c"  # where the version goes, replaced once the digest of the HTML around it is known


@dataclass(frozen=True)
class Provenance:
    """Where the build's pages stand in git, for the edition and version printed on each document.

    Each document's stamp derives from the pages it prints, never from the checkout's HEAD: an edit
    or a commit elsewhere leaves its HTML, hence its render cache key, unchanged."""

    revisions: dict[str, Revision] = field(default_factory=dict)  # page path -> last commit touching it
    uncommitted: frozenset[str] | None = None                       # None: not a git checkout

    @classmethod
    def of(cls, root: Path, folder: str) -> Provenance:
        dirty = uncommitted(root, folder)
        if dirty is None:
            return cls()
        return cls(revisions(root, folder), frozenset(dirty))

    def newest(self, pages: list[str]) -> Revision | None:
        """The newest commit touching *pages*; None outside git or when one of them is not committed."""
        if self.uncommitted is None or any(p in self.uncommitted for p in pages):
            return None
        known = [self.revisions[p] for p in pages if p in self.revisions]
        return min(known, key=lambda r: r.order) if known else None


def content_digest(html: str, resources: tuple[str, ...]) -> str:
    """First 8 hex digits of SHA-256 over the document's HTML (version slot included) and images."""
    h = hashlib.sha256(html.encode("utf-8"))
    for res in resources:
        path = Path(res)
        h.update(b"\0" + (path.read_bytes() if path.is_file() else b"missing"))
    return h.hexdigest()[:8]


def version_text(provenance: Provenance, pages: list[str], digest: str, ui: dict[str, str]) -> str:
    """'<commit> · <digest>' when every printed page is committed (the commit of the newest of
    them); '<digest> · uncommitted' when one differs from the checkout's HEAD; 'unversioned ·
    <digest>' outside git. The digest identifies the printed text exactly, in every case."""
    if provenance.uncommitted is None:
        return f"{ui['manual_unversioned']} · {digest}"
    newest = provenance.newest(pages)
    if newest is None:
        return f"{digest} · {ui['manual_uncommitted']}"
    return f"{newest.commit[:7]} · {digest}"


def make_env(template_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["css_page_counters"] = css_page_counters
    env.filters["css_page_slot"] = css_page_slot
    env.filters["css_page_counter_slots"] = css_page_counter_slots
    env.filters["fmt"] = fill
    env.filters["data_uri"] = data_uri
    env.filters["keep_cjk_tail"] = keep_cjk_tail
    env.filters["cover_title"] = cover_title
    env.filters["running_title"] = running_title
    return env


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


COVER_LINE_CJK = 15  # Chinese characters one line of the cover title holds (cover.css: 24 pt on A4)


def cover_title(text: str) -> Markup:
    """A Chinese cover title too long for one line is broken at the word boundary nearest its middle
    (words by jieba, the segmenter search already uses), each line kept whole: "再生有色金属行业 /
    性别主流化培训手册", not "…培训手 / 册". Other titles: keep_cjk_tail."""
    if len(text) <= COVER_LINE_CJK or not all(_CJK.match(c) for c in text):
        return keep_cjk_tail(text)
    bounds, at = [], 0
    for word in jieba.cut(text, HMM=False):
        at += len(word)
        bounds.append(at)
    cut = min(bounds[:-1] or [len(text) // 2], key=lambda b: abs(b - len(text) / 2))
    return Markup(f'<span class="kb-keep">{escape(text[:cut])}</span><br><span class="kb-keep">{escape(text[cut:])}</span>')


def keep_cjk_tail(text: str, keep: int = 2) -> Markup:
    """A title whose last *keep* Chinese characters never stand alone on a line ("培训手" / "册"): they
    are kept together in a span the stylesheet does not break (.kb-keep). Latin titles are unchanged."""
    if len(text) <= keep or not all(_CJK.match(c) for c in text[-keep:]):
        return escape(text)
    return Markup(f'{escape(text[:-keep])}<span class="kb-keep">{escape(text[-keep:])}</span>')


def running_title(text: str, budget: int = 60) -> str:
    """A title short enough for one line of a running header (7.5 pt on half an A4 line): Chinese
    characters count two, others one; a longer title is cut at a word (or character) and ends in "…"."""
    width = 0
    for index, char in enumerate(text):
        width += 2 if _CJK.match(char) else 1
        if width > budget:
            cut = text[:index]
            if not _CJK.match(char) and " " in cut:
                cut = cut[: cut.rfind(" ")]
            return cut.rstrip(" ,:;，：；、") + "…"
    return text


# What may not stand as itself in a CSS string inside <style>: what ends the string (quotes, a
# backslash, the newlines CSS knows: LF, CR, FF) or the element (<, >, &), and every other control or
# line-separator character. Each is written as a hex escape ended by a space (which the escape consumes,
# so a space written after it stays).
CSS_STRING_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\"'\\\\<>&\u2028\u2029]")


def css_string(text: str) -> str:
    """A CSS string literal, quotes included (the template writes it into a <style>): an interface
    string from a pull request cannot end the string or the style sheet, whatever it holds."""
    escaped = CSS_STRING_UNSAFE.sub(lambda m: f"\\{ord(m.group()):x} ", str(text))
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


def css_page_counter_slots(text: str) -> str:
    """'Page {page} of {pages}' -> "Page " "kb-folio-slot" " of " "kb-pages-slot": in a manual in
    parts the merge draws the numbers (kb.print.manual.parts)."""
    return _css_with(text, {"{page}": f'"{FOLIO_SLOT}"', "{pages}": f'"{PAGES_SLOT}"'})


def css_page_slot(text: str) -> str:
    """' (see page {page})' -> " (see page " "kb-page-slot" ")": the renderer sets the page numbers
    in after one layout (kb.print.manual.internals.fill_page_slots)."""
    return _css_with(text, {"{page}": f'"{PAGE_SLOT}"'})


def data_uri(svg: str) -> str:
    return Markup("data:image/svg+xml;base64," + base64.b64encode(str(svg).encode("utf-8")).decode("ascii"))


@dataclass
class Assembler:
    """Builds every Document of a build from the plans and the built site."""

    settings: Any
    data: Any
    site_dir: Path
    provenance: Provenance = field(default_factory=Provenance)
    env: jinja2.Environment = field(init=False)
    template_dir: Path = field(init=False)
    _parsed: dict[str, ParsedPage] = field(default_factory=dict)
    _decks: dict[str, Deck] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.template_dir = self.settings.root.joinpath(*TEMPLATE_DIR)
        self.env = make_env(self.template_dir)

    # -- helpers
    def parsed(self, dest: str) -> ParsedPage:
        if dest not in self._parsed:
            self._parsed[dest] = parse_page(self.site_dir, dest)
        return self._parsed[dest]

    def deck(self, ch: Chapter) -> Deck:
        """A module's slides (made once: the deck, its notes pages and the trainer guide print them)."""
        if ch.path not in self._decks:
            self._decks[ch.path] = deck_of(self.parsed(ch.entry.dest), ch.path, ch.title,
                                           self.settings.print.slides.min_font_pt)
        return self._decks[ch.path]

    def stylesheets(self, kind: str) -> tuple[str, ...]:
        return tuple(str(self.template_dir / name) for name in STYLESHEETS[kind])

    def page_size_mm(self, kind: str) -> tuple[float, float]:
        if kind == "panel":
            panel = self.settings.print.panel
            return panel.width_mm, panel.height_mm
        if kind == "slides":
            return SLIDE_MM
        return A4_MM

    def common(self, lang: str, kind: str, draft: bool, pages: list[str]) -> dict[str, Any]:
        """What every document prints. The edition is the date of the newest commit of the printed
        *pages* (today when one of them is not committed, or outside git); the version is a slot
        that `stamped` fills in."""
        ui = self.data.ui.strings(lang)
        newest = self.provenance.newest(pages)
        day: dt.date = dt.date.fromisoformat(newest.date) if newest is not None else self.settings.today
        width, height = self.page_size_mm(kind)
        watermark = self.env.get_template("watermark.html").render(
            text=ui["draft_watermark"], width=width, height=height, lang=HTML_LANG.get(lang, lang),
            angle=round(math.degrees(math.atan2(height, width)), 2))
        return {
            "lang": lang, "html_lang": HTML_LANG.get(lang, lang), "ui": ui, "kind": kind,
            "edition": ui["manual_date_format"].format(year=day.year, month=day.month, day=day.day),
            "created": day.isoformat(),
            "version": VERSION_SLOT,
            "watermark": Markup(watermark), "draft": draft,
            "title": ui["manual_title"], "subtitle": ui["manual_subtitle"], "description": ui["manual_description"],
            "partners": ui["manual_partners"], "panel": self.settings.print.panel,
        }

    def version(self, html: str, lang: str, pages: list[str], resources: tuple[str, ...]) -> str:
        """The version printed on the document whose HTML (version slot in it) is *html*."""
        return version_text(self.provenance, pages, content_digest(html, resources), self.data.ui.strings(lang))

    def stamped(self, html: str, lang: str, pages: list[str], resources: tuple[str, ...]) -> str:
        """The HTML with its version (kb.print.manual.assemble.version_text) in the slot."""
        return html.replace(VERSION_SLOT, str(escape(self.version(html, lang, pages, resources))))

    def org_names(self, orgs: tuple[str, ...], lang: str) -> list[str]:
        names = self.data.reviewers.names(lang)
        return [f"{names.get(o, o)}（{o}）" if lang == "zh" else f"{names.get(o, o)} ({o})" for o in orgs]

    def _resources(self, chapters: list[Chapter]) -> tuple[str, ...]:
        found: list[str] = []
        for ch in chapters:
            for res in self.parsed(ch.entry.dest).resources:
                if res not in found:
                    found.append(res)
        return tuple(found)

    # -- documents
    def manual(self, plan: ManualPlan, output: Path, edition: str = GUIDE,
               decks: dict[str, Path] | None = None) -> Document:
        """An edition of *plan*: the trainer guide (GUIDE: session plans, trainer notes, the answers
        appendix, the training agendas, each module's slides with their speaker notes) or the participant
        workbook (WORKBOOK: none of them, room to write). Both parse each page once (the assembler's cache).
        *decks*: module page -> its deck's PDF, whose slides the build draws into the guide's boxes."""
        guide = edition == GUIDE
        ui = self.data.ui.strings(plan.lang)
        chapters = [replace(ch) for ch in plan.chapters]  # each edition prints its own bodies
        glossary_terms: set[str] = set()
        for ch in chapters:
            glossary_terms |= self.parsed(ch.entry.dest).terms
        targets = {ch.entry.dest: Target(ch.anchor, self.parsed(ch.entry.dest).ids) for ch in chapters}
        if plan.glossary is not None:  # links to the glossary page lead to the glossary appendix
            targets[plan.glossary.entry.dest] = Target(GLOSSARY_ANCHOR, frozenset(f"term-{t}" for t in glossary_terms))
        for ch in chapters:
            printed = prepare(self.parsed(ch.entry.dest), anchor=ch.anchor, site_dir=self.site_dir,
                              targets=targets, split_answers=ch.type == "module", keep_answers=guide,
                              write_label=None if guide else ui["manual_write_label"])
            # a page cannot cut the manual into parts: only the template's own marks do (kb.print.manual.parts)
            ch.body = Markup(printed.body.replace(PART_MARK, ""))
            ch.answers = Markup(printed.answers.replace(PART_MARK, "")) if printed.answers is not None else None
            ch.ids = printed.ids
            if guide and decks is not None and ch.path in decks:
                ch.deck, ch.thumb_prefix = self.deck(ch), guide_thumb_prefix(ch.anchor)
        thumbnails = tuple(Thumbnails(decks[ch.path], ch.thumb_prefix, GUIDE_THUMB_MM)
                           for ch in chapters if ch.deck is not None and decks is not None)
        answered = [ch for ch in chapters if ch.answers is not None]
        glossary = self._glossary(plan.lang, glossary_terms) if plan.glossary else None
        counted = [*chapters, plan.glossary] if glossary and plan.glossary else list(chapters)
        unapproved = [ch for ch in counted if ch.draft]
        groups: list[dict[str, Any]] = []
        for ch in chapters:
            if ch.section is None or ch.section_start or not groups or groups[-1]["section"] is None:
                groups.append({"section": ch.section, "chapters": []})
            groups[-1]["chapters"].append(ch)
        pages = [ch.path for ch in counted]
        context = self.common(plan.lang, edition, draft=bool(unapproved), pages=pages)
        org_names = dict(zip(plan.orgs, self.org_names(plan.orgs, plan.lang), strict=True))
        context.update(
            guide=guide, edition_label=ui["manual_edition_guide" if guide else "manual_edition_workbook"],
            guide_thumb=thumbnail_geometry(GUIDE_THUMB_MM),
            agendas=plan.agendas if guide else [],
            chapters=chapters, groups=groups, answered=answered, to_complete=plan.to_complete,
            answers_draft=any(ch.draft for ch in answered),
            glossary=glossary, glossary_chapter=plan.glossary if glossary else None,
            total=len(counted), unapproved=len(unapproved),
            title=plan.spec.title[plan.lang], subtitle=plan.spec.subtitle.get(plan.lang, ""),
            description=" · ".join(x for x in (plan.spec.title[plan.lang], plan.spec.subtitle.get(plan.lang)) if x),
            partners=" · ".join(org_names[o] for o in plan.orgs[1:]) or ui["manual_partners"],
            record=[{"chapter": ch, "orgs": [
                        {"id": o, "name": org_names[o], "required": o in ch.approval.asked,
                         "approval": next((a for a in ch.approval.approvals if a.org == o), None)}
                        for o in plan.orgs] if ch.approval else []}
                    for ch in counted],
            record_orgs=[org_names[o] for o in plan.orgs],
        )
        resources = self._resources(chapters)
        part_bytes = self.settings.print.part_kb * 1000
        in_parts = sum(len(ch.body.encode("utf-8")) + len((ch.answers or "").encode("utf-8")) for ch in chapters) > 2 * part_bytes
        context.update(parts=False, part_mark=Markup(PART_MARK), version_placeholder=VERSION_PLACEHOLDER)
        whole = self.env.get_template("manual.html").render(**context)
        version = self.version(whole, plan.lang, pages, resources)
        html = whole.replace(VERSION_SLOT, str(escape(version)))
        parts: tuple[str, ...] = ()
        if in_parts:  # the same manual with part marks and slots; the whole one stays the fallback and the cache key
            marked = self.env.get_template("manual.html").render(**{**context, "parts": True})
            parts = tuple(split_parts(marked.replace(VERSION_SLOT, str(escape(version))), part_bytes))
        return Document(edition, plan.lang, output, html, self.stylesheets(edition), resources, pages, manual=plan.id,
                        thumbnails=thumbnails,
                        parts=parts if len(parts) > 1 else (), version=version if len(parts) > 1 else "",
                        version_chars="".join(sorted(set(ui["manual_uncommitted"] + ui["manual_unversioned"]))))

    def _glossary(self, lang: str, used: set[str]) -> list[GlossaryEntry]:
        """The glossary entries (same as the website's glossary page) of the terms the chapters use."""
        return [entry for entry in glossary_entries(self.data, lang) if entry.id in used]

    def single(self, kind: str, ch: Chapter, output: Path) -> Document:
        """A handout (module page, answers and trainer notes left out) or a panel."""
        printed = prepare(self.parsed(ch.entry.dest), anchor=ch.anchor, site_dir=self.site_dir,
                          targets={ch.entry.dest: Target(ch.anchor, self.parsed(ch.entry.dest).ids)},
                          split_answers=kind == "handout", keep_answers=False)  # trainees' copies
        lang = ch.entry.lang
        context = self.common(lang, kind, draft=ch.draft, pages=[ch.path])
        orgs = tuple(self.data.required_reviewers(ch.track or "general"))
        context.update(chapter=ch, body=Markup(printed.body),
                       track_label=self.data.model.track_label(ch.track, lang) or ch.section or "",
                       partners=" · ".join(self.org_names(orgs[1:], lang)) or context["partners"])
        resources = self._resources([ch])
        html = self.stamped(self.env.get_template(f"{kind}.html").render(**context), lang, [ch.path], resources)
        bleed = self.settings.print.panel.bleed_mm if kind == "panel" else 0.0
        return Document(kind, lang, output, html, self.stylesheets(kind), resources, [ch.path], bleed_mm=bleed)

    def slides(self, ch: Chapter, deck_output: Path, notes_output: Path) -> tuple[Document, Document]:
        """A module's slides (16:9) and their notes pages for the trainer (A4)."""
        lang = ch.entry.lang
        min_pt = self.settings.print.slides.min_font_pt
        deck = self.deck(ch)
        orgs = tuple(self.data.required_reviewers(ch.track or "general"))
        shared = {"deck": deck, "track_label": self.data.model.track_label(ch.track, lang) or ch.section or "",
                  "partners": " · ".join(self.org_names(orgs[1:], lang)),
                  "geometry": slide_geometry(min_pt), "thumb": thumbnail_geometry(NOTES_THUMB_MM)}
        resources = self._resources([ch])
        out = []
        for kind, output in (("slides", deck_output), ("slides-notes", notes_output)):
            context = {**self.common(lang, kind, draft=ch.draft, pages=[ch.path]), **shared}
            html = self.stamped(self.env.get_template(f"{kind}.html").render(**context), lang, [ch.path], resources)
            out.append(Document(kind, lang, output, html, self.stylesheets(kind), resources, [ch.path],
                                deck=deck if kind == "slides" else None,
                                thumbnails=(Thumbnails(deck_output),) if kind == "slides-notes" else ()))
        slides, notes = out
        return slides, notes


PT_PER_MM = 72 / 25.4
TITLE_EM = 3.2  # a slide's title with its rule and space below, in em of the body type: what an image leaves it


def slide_geometry(min_pt: float) -> dict[str, Any]:
    """The slide page (mm), its body type (pt) and the tallest image that leaves room for the title (em)."""
    top, _right, bottom, _left = SLIDE_MARGIN_MM
    body_em = (SLIDE_MM[1] - top - bottom) * PT_PER_MM / min_pt
    return {"width": SLIDE_MM[0], "height": SLIDE_MM[1], "margin": SLIDE_MARGIN_MM, "font_pt": min_pt,
            "image_em": round(body_em - TITLE_EM, 2)}


def thumbnail_geometry(width_mm: float) -> dict[str, Any]:
    """The box of a slide *width_mm* wide (mm), which the build draws the slide's page into, found by its id."""
    scale = width_mm / SLIDE_MM[0]
    return {"width": round(SLIDE_MM[0] * scale, 3), "height": round(SLIDE_MM[1] * scale, 3), "id_prefix": THUMB_ID}
