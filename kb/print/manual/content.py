"""One built page's article, made printable: parsed with tinyhtml5 (the HTML5 parser WeasyPrint uses),
stripped of the web interface, answers split off, ids made unique and links rewritten for the document
the page goes into. Works on ElementTree elements; only the document shell is templated."""

from __future__ import annotations

import copy
import logging
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinyhtml5

log = logging.getLogger("mkdocs.hooks.kb.manual")

ARTICLE_START = '<article class="md-content__inner'
ARTICLE_END = "</article>"
ANSWERS_ID = "answers"
TRAINER_CLASS = "trainer"  # a trainer note (kb.web.trainer_notes folds it on the website)
EXERCISES_ID = "exercises"
OBJECTIVES_ID = "objectives"

# Web interface inside the article that has no place on paper.
DROP_CLASSES = frozenset({
    "headerlink",            # permalink ¶
    "md-content__button",    # edit / view source
    "md-source-file",        # git revision date
    "md-tags",
    "md-feedback",
    "kb-page-meta",          # review status aside (the cover and watermark say it)
    "kb-notice",             # draft / review / fallback / stale notices
    "kb-printed",            # "handout of this module (PDF)": the website's download link
    "footnote-backref",      # ↩
    "task-list-indicator",
})
DROP_TAGS = frozenset({"script", "noscript", "style", "button", "form", "iframe", "object", "embed", "template",
                       "link", "meta", "base", "frame", "frameset", "applet", "audio", "video", "source", "track"})
XLINK_NS = "http://www.w3.org/1999/xlink"


def classes(el: ET.Element) -> set[str]:
    return set((el.get("class") or "").split())


def add_class(el: ET.Element, name: str) -> None:
    el.set("class", " ".join(sorted(classes(el) | {name})))


def text_of(el: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def _remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove *child* but keep the text that followed it."""
    if child.tail:
        index = list(parent).index(child)
        if index > 0:
            prev = parent[index - 1]
            prev.tail = (prev.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


PREFORMATTED = frozenset({"pre", "textarea", "script", "style"})


def _collapse_blank_runs(el: ET.Element) -> None:
    """Every run of only white space outside <pre> becomes one space, which renders the same in
    normal flow. The HTML then does not depend on what the printed copy leaves out: a stale
    translation's notice, removed, leaves the same text (and so the same cache key) as a page that
    never had one."""
    if el.tag in PREFORMATTED:
        return
    if el.text and not el.text.strip():
        el.text = " "
    for child in el:
        _collapse_blank_runs(child)
        if child.tail and not child.tail.strip():
            child.tail = " "


def _unlink(a: ET.Element) -> None:
    """A link that leads nowhere on paper: keep its text, drop the link."""
    a.tag = "span"
    for attr in ("href", "title", "rel", "target", "hreflang"):
        a.attrib.pop(attr, None)


def _strip_namespaces(el: ET.Element) -> None:
    """tinyhtml5 puts inline SVG/MathML in their namespaces; ElementTree would print ns0: prefixes.
    The HTML parser that reads the output puts them back from the tag names."""
    for node in el.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            ns, _, local = node.tag[1:].partition("}")
            node.tag = local
            if local in ("svg", "math") and "xmlns" not in node.attrib:
                node.set("xmlns", ns)
        for key in [k for k in node.attrib if k.startswith("{")]:
            ns, _, local = key[1:].partition("}")
            value = node.attrib.pop(key)
            node.set(f"xlink:{local}" if ns == XLINK_NS else local, value)


# --- parsing and cleaning (once per built page) ----------------------------------------------------------------
@dataclass
class ParsedPage:
    dest: str                  # site-relative HTML file
    article: ET.Element        # cleaned, images resolved; ids and links still as built
    ids: frozenset[str]        # every id in the article (answers included)
    resources: tuple[str, ...]  # local files the article loads (images), as paths
    terms: frozenset[str] = frozenset()  # glossary term ids the page uses (marked by the glossary hook)


def article_fragment(html: str) -> str:
    start = html.find(ARTICLE_START)
    end = html.rfind(ARTICLE_END)
    if start < 0 or end < start:
        raise ValueError("no <article class=\"md-content__inner\"> in the built page")
    return html[start:end + len(ARTICLE_END)]


def parse_page(site_dir: Path, dest: str) -> ParsedPage:
    path = site_dir / dest
    root = tinyhtml5.parse(article_fragment(path.read_text(encoding="utf-8")), namespace_html_elements=False)
    article = root.find(".//article")
    assert article is not None
    _strip_namespaces(article)
    _clean(article)
    _collapse_blank_runs(article)
    letter_options(article)
    number_objectives(article)
    resources = _resolve_resources(article, site_dir, dest)
    ids = frozenset(el.get("id") for el in article.iter() if el.get("id"))
    terms = frozenset(el.get("data-term-id") for el in article.iter("abbr")
                      if "kb-term" in classes(el) and el.get("data-term-id"))
    return ParsedPage(dest=dest, article=article, ids=ids, resources=tuple(resources), terms=terms)


def letter_options(article: ET.Element) -> None:
    """Multiple-choice options (a bullet list inside a numbered question of the exercises section)
    print with letters A, B, C..., as the answer key names them ("1. B")."""
    children = list(article)
    inside = False
    for child in children:
        if child.tag in ("h1", "h2"):
            inside = child.get("id") == EXERCISES_ID
            continue
        if not inside:
            continue
        for ol in [child] if child.tag == "ol" else child.iter("ol"):
            for li in ol.findall("li"):
                for ul in li.findall("ul"):
                    ul.tag = "ol"
                    ul.set("type", "A")
                    add_class(ul, "kb-options")


def section_children(article: ET.Element, section_id: str) -> Iterator[ET.Element]:
    """The top-level elements of the article's section under the h2 with id *section_id*."""
    inside = False
    for child in article:
        if child.tag in ("h1", "h2"):
            inside = child.get("id") == section_id
        elif inside:
            yield child


def number_objectives(article: ET.Element) -> None:
    """The learning objectives print numbered: a lesson's activities name them by number (the session
    plan's "objectives practised" column in the trainer guide)."""
    for child in section_children(article, OBJECTIVES_ID):
        if child.tag == "ul":
            child.tag = "ol"
            add_class(child, "kb-objectives")
            return


def _clean(el: ET.Element) -> None:
    for child in list(el):
        if not isinstance(child.tag, str):  # comments
            _remove(el, child)
            continue
        if child.tag in DROP_TAGS or classes(child) & DROP_CLASSES:
            _remove(el, child)
            continue
        # nothing on paper may pull in a file: no attachments, no styles that load anything
        child.attrib.pop("rel", None)
        if "url(" in (child.get("style") or "").replace(" ", "").lower():
            child.attrib.pop("style")
        if child.tag == "input" and child.get("type") == "checkbox":
            # task list: Material draws the box with CSS; print a character instead
            box = ET.Element("span", {"class": "kb-task"})
            box.text = "\u2611" if child.get("checked") is not None else "\u2610"
            box.tail = child.tail
            el[list(el).index(child)] = box
            continue
        if child.tag == "input":
            _remove(el, child)
            continue
        if "tabbed-set" in classes(child):
            _flatten_tabs(child)
        if child.tag == "details":
            child.set("open", "")
        _clean(child)


def _flatten_tabs(tabset: ET.Element) -> None:
    """Content tabs print one after the other, each under its label."""
    labels = [text_of(lab) for lab in tabset.iter("label")]
    blocks = [b for b in tabset.iter("div") if "tabbed-block" in classes(b)]
    for child in list(tabset):
        tabset.remove(child)
    tabset.text = None
    for i, block in enumerate(blocks):
        title = ET.SubElement(tabset, "p", {"class": "kb-tab-label"})
        title.text = labels[i] if i < len(labels) else ""
        block.tail = None
        tabset.append(block)


def _resolve_resources(article: ET.Element, site_dir: Path, dest: str) -> list[str]:
    """Image URLs in built HTML are relative to the page: make them absolute file URLs."""
    found = []
    base = posixpath.dirname(dest)
    for img in article.iter("img"):
        src = img.get("src") or ""
        img.attrib.pop("srcset", None)
        img.attrib.pop("loading", None)
        parts = urlsplit(src)
        if not src or parts.scheme or src.startswith("//"):
            continue  # data: stays; http(s) is refused by the renderer's fetcher
        target = site_dir / posixpath.normpath(posixpath.join(base, unquote(parts.path)))
        if not target.is_file():
            log.warning("kb manual: %s: image %s not found in the built site", dest, src)
            continue
        img.set("src", target.resolve().as_uri())
        found.append(str(target.resolve()))
    return found


# --- per document -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """A page of the document being assembled, as a link target."""

    anchor: str
    ids: frozenset[str]


@dataclass
class PrintedPage:
    body: str                        # inner HTML of the article
    answers: str | None = None       # inner HTML of the answers section (without its heading), if any
    ids: set[str] = field(default_factory=set)


def extract_answers(article: ET.Element) -> list[ET.Element] | None:
    """Remove the section under <h2 id="answers"> (up to the next h1/h2) and return it, heading first."""
    children = list(article)
    for i, child in enumerate(children):
        if child.tag == "h2" and child.get("id") == ANSWERS_ID:
            taken = [child]
            for later in children[i + 1:]:
                if later.tag in ("h1", "h2"):
                    break
                taken.append(later)
            for el in taken:
                _remove(article, el)
            return taken
    return None



WRITE_CLASS = "kb-write"          # room to write after an exercise (the participant workbook)
WRITE_LINES = 5                   # ruled lines after a question without options
WRITE_LINES_PER_PART = 3          # ... or this many per numbered part "(1)", "(2)" when it has parts
PART_RE = re.compile(r"[(（]\d{1,2}[)）]")


def _exercise_items(article: ET.Element) -> list[ET.Element]:
    """The questions of the exercises section: the items of its top-level numbered lists."""
    return [item for child in section_children(article, EXERCISES_ID) if child.tag == "ol" for item in child.findall("li")]


def add_writing_space(article: ET.Element, label: str) -> int:
    """After each exercise question that has no options (a nested list, printed A, B, C by
    ``letter_options``), ruled lines to write the answer on, under *label*: five, or three per
    numbered part "(1)" of a question in parts. Single-choice questions get none. Returns how many
    questions got room to write."""
    count = 0
    for li in _exercise_items(article):
        if any("kb-options" in classes(el) for el in li.iter("ol")):
            continue
        parts = len(set(PART_RE.findall(text_of(li))))
        lines = WRITE_LINES_PER_PART * parts if parts >= 2 else WRITE_LINES
        add_class(li, "kb-write-after")  # the question and its lines stay on one page
        box = ET.SubElement(li, "div", {"class": WRITE_CLASS, "data-lines": str(lines)})
        title = ET.SubElement(box, "p", {"class": "kb-write__label"})
        title.text = label
        for _ in range(lines):
            ET.SubElement(box, "div", {"class": "kb-write__line"}).text = " "
        count += 1
    return count


def remove_trainer_notes(article: ET.Element) -> None:
    """Take out every trainer note (an element of class ``trainer``): trainee material never prints them."""
    for parent in list(article.iter()):
        for child in list(parent):
            if TRAINER_CLASS in classes(child):
                _remove(parent, child)


def page_target_dest(base_dest: str, href_path: str, site_dir: Path) -> str:
    """The site-relative file a relative link of the page *base_dest* leads to (directory URLs: index.html)."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(base_dest), unquote(href_path)))
    if href_path.endswith("/") or path == "." or (site_dir / path).is_dir():
        path = posixpath.normpath(posixpath.join(path, "index.html"))
    return path.lstrip("/")


def prepare(parsed: ParsedPage, *, anchor: str, site_dir: Path, targets: dict[str, Target],
            split_answers: bool, keep_answers: bool, write_label: str | None = None) -> PrintedPage:
    """Print *parsed* into a document whose pages are *targets* (dest -> Target).

    split_answers: take the answers section out of the body. keep_answers: the document prints it
    elsewhere (the trainer's appendix), so links to it stay links; without it the document is
    trainees' material, and the trainer notes are left out too. write_label: the participant
    workbook: room to write after the questions that need it (add_writing_space), under this label."""
    article = copy.deepcopy(parsed.article)
    first = next(iter(article), None)
    if first is not None and first.tag == "h1":
        _remove(article, first)  # the template prints the title
    answers = extract_answers(article) if split_answers else None
    if not keep_answers:  # a handout, a panel or the workbook: what trainees take away
        remove_trainer_notes(article)
    if write_label is not None:
        add_writing_space(article, write_label)
    answer_ids = {el.get("id") for a in answers or () for el in a.iter() if el.get("id")}
    body_ids = {el.get("id") for el in article.iter() if el.get("id")}
    local_ids = body_ids | (answer_ids if keep_answers else set())
    roots = [article, *(answers[1:] if answers else [])]
    moved = answer_ids if keep_answers else set()
    for root in roots:
        # links from the chapter to its answers lead to the appendix: "(see page N)"
        _rewrite_links(root, parsed.dest, anchor, local_ids, moved if root is article else set(), site_dir, targets)
        for el in root.iter():
            if el.get("id"):
                el.set("id", f"{anchor}--{el.get('id')}")
    printed = PrintedPage(body=inner_html(article), ids={f"{anchor}--{i}" for i in local_ids})
    if answers is not None and keep_answers:
        printed.answers = "".join(serialize(el) for el in answers[1:])
    return printed


def _rewrite_links(root: ET.Element, dest: str, anchor: str, local_ids: set[str], moved_ids: set[str],
                   site_dir: Path, targets: dict[str, Target]) -> None:
    for a in root.iter("a"):
        href = a.get("href")
        if href is None:
            continue
        parts = urlsplit(href)
        if parts.scheme or href.startswith("//"):
            if parts.scheme in ("http", "https") and text_of(a).rstrip("/") != href.rstrip("/"):
                add_class(a, "kb-url")  # the address is printed after the text
            continue
        fragment = unquote(parts.fragment)
        if not parts.path:  # same page
            if not fragment:
                a.set("href", f"#{anchor}")
            elif fragment in local_ids:
                a.set("href", f"#{anchor}--{fragment}")
                if fragment in moved_ids:
                    add_class(a, "kb-xref")
            else:
                _unlink(a)
            continue
        target = targets.get(page_target_dest(dest, parts.path, site_dir))
        if target is None:
            _unlink(a)  # a page or file not in this document
            continue
        if fragment and fragment in target.ids:
            a.set("href", f"#{target.anchor}--{fragment}")
        else:
            a.set("href", f"#{target.anchor}")
        if target.anchor != anchor:
            add_class(a, "kb-xref")  # "(see page N)"


def serialize(el: ET.Element) -> str:
    return ET.tostring(el, encoding="unicode", method="html")


def inner_html(el: ET.Element) -> str:
    return escape(el.text or "", quote=False) + "".join(serialize(child) for child in el)
