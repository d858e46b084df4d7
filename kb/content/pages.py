"""Parse a Markdown page into what the checks need: front matter, body, headings, blocks, links.

No Markdown library is used on purpose: the checks need source line numbers and must never fail,
whatever the input. The parser recognises just the constructs the content model names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.content.boundary import over_limits
from kb.content.text import BOM, decode, normalise_text
from kb.project.schemas import alias_line

# Every pattern here is linear on any line (no nested or overlapping quantifiers; classes stop at
# the next opening bracket, so a line of 5,000 "[" costs 5,000 steps, not 25 million). Lines are at
# most data/limits.yml line_chars long when they get here.
FENCE_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}+|~{3,}+)(?P<info>.*)$")
# Python-Markdown's hash headings need no space after the #s ("##x" is a heading "x")
HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})(?P<text>.*)$")
ATTR_ID_RE = re.compile(r"#(?P<id>[A-Za-z0-9_:.\-]++)")
ADMONITION_RE = re.compile(r"^(?P<indent>[ \t]*+)(?:!!!|\?\?\?\+?)[ \t]*+(?P<type>[\w-]++)")
TABLE_CELL_RE = re.compile(r"[ \t]*+:?-{3,}+:?[ \t]*+")
IMAGE_RE = re.compile(r"!\[(?P<alt>[^\[\]]*+)\]\((?P<src>[^()\s\[\]]++)(?:\s++\"[^\"]*+\")?\)")
LINK_RE = re.compile(r"(?<!!)\[(?P<text>[^\[\]]*+)\]\((?P<href><[^<>\n]++>|[^()\s\[\]<>]++)(?:\s++\"[^\"]*+\")?\)")
HTML_IMG_RE = re.compile(r"<img\b[^<>]*+>", re.IGNORECASE)
IMG_SRC_RE = re.compile(r"\bsrc\s*+=\s*+[\"']([^\"']++)")
IMG_ALT_RE = re.compile(r"\balt\s*+=\s*+[\"']([^\"']*+)")
GAP_RE = re.compile(r"\[\[gap:(?P<text>[^\[\]]*+)\]\]")
# Reference-style links as Python-Markdown reads them: a definition `[label]: url "title"` (up to three
# spaces of indentation, the URL optionally in <>), and uses `[text][label]`, `[text] [label]`,
# `[text][]` and `[label]`, images with a leading !. Labels match case-insensitively (str.lower, runs
# of white space as one space): Python-Markdown's ReferenceInlineProcessor.
REF_DEF_RE = re.compile(r"^ {0,3}\[(?P<label>[^\[\]]*+)\]:[ \t]*+(?P<url><[^<>\s]*+>|[^\s<>]++)?(?P<rest>.*)$")
REF_TITLE_RE = re.compile(r"[ \t]*+(?:\"[^\"]*+\"|'[^']*+'|\([^()]*+\))?[ \t]*+")
REF_USE_RE = re.compile(r"(?P<bang>!?)\[(?P<text>[^\[\]]*+)\](?:\s?\[(?P<label>[^\[\]]*+)\])?")
# Blocks whose indented content Python-Markdown parses as Markdown of its own (a heading there is a
# heading): admonitions (!!!), pymdownx.details (???, ???+) and pymdownx.tabbed (=== "Tab"), opened at the
# start of their block; and list items, whose content is indented under them.
CONTAINER_RE = re.compile(r"^(?:!!!|\?\?\?\+?|===[!+]{0,2}(?=[ \t]|$))")
LIST_ITEM_RE = re.compile(r"^(?:[*+-]|\d{1,9}[.)])[ \t]")
FRONT_MATTER_OPEN_RE = re.compile(r"-{3}[ \t]*+")
FRONT_MATTER_CLOSE_RE = re.compile(r"(?:-{3}|\.{3})[ \t]*+")
BACKTICKS_RE = re.compile(r"`++")


def strip_inline_code(line: str) -> str:
    """The line with inline code spans (CommonMark: a run of n backticks up to the next run of
    exactly n) replaced by a space. One pass over the backtick runs, not a backtracking pattern."""
    runs = [(m.start(), m.end()) for m in BACKTICKS_RE.finditer(line)]
    if len(runs) < 2:
        return line
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    cursor = {length: 0 for length in by_length}
    out, pos, i = [], 0, 0
    while i < len(runs):
        start, end = runs[i]
        same = by_length[end - start]
        k = cursor[end - start]
        while k < len(same) and same[k] <= i:
            k += 1
        cursor[end - start] = k
        if k == len(same):
            i += 1
            continue
        j = same[k]
        out.append(line[pos:start])
        out.append(" ")
        pos = runs[j][1]
        i = j + 1
    out.append(line[pos:])
    return "".join(out)


def strip_comments(line: str) -> str:
    """``<!-- … -->`` on one line replaced by a space (str.find: linear)."""
    out, pos = [], 0
    while True:
        start = line.find("<!--", pos)
        if start < 0:
            break
        end = line.find("-->", start + 4)
        if end < 0:
            break
        out.append(line[pos:start] + " ")
        pos = end + 3
    out.append(line[pos:])
    return "".join(out)


def is_table_separator(line: str) -> bool:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return bool(stripped) and all(TABLE_CELL_RE.fullmatch(cell) for cell in stripped.split("|"))


def heading_text(text: str) -> tuple[str, str | None]:
    """A heading's text without closing #s and its {#id} attribute list, and the id."""
    text = text.rstrip(" \t").rstrip("#").strip(" \t")
    ident = None
    if text.endswith("}") and "{" in text:
        open_at = text.rindex("{")
        inner = text[open_at + 1:-1]
        if "}" not in inner:
            m = ATTR_ID_RE.search(inner)
            if m:
                ident = m.group("id")
                text = text[:open_at].rstrip()
    return text, ident


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    id: str | None
    line: int


@dataclass(frozen=True)
class Block:
    """A structural element compared across a translation pair."""

    kind: str  # table | image | code | admonition
    line: int
    detail: str = ""


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    line: int
    image: bool = False
    ref: bool = False  # a reference-style link ([text][label], [label]): href is its definition's URL
    label: str = ""  # its label ("" for inline links); href is "" when no definition has it


@dataclass
class Page:
    """One Markdown file. ``path`` is repository-relative; ``rel`` is relative to docs/<lang>/."""

    path: str
    lang: str
    rel: str
    raw: bytes
    text: str | None = None
    decode_error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    meta_error: tuple[int, str] | None = None
    meta_lines: dict[str, int] = field(default_factory=dict)
    has_front_matter: bool = False
    body: str = ""
    body_start: int = 1  # file line number of the first body line
    headings: list[Heading] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    prose: list[tuple[int, str]] = field(default_factory=list)  # (line, text) outside code
    unclosed_fence: int | None = None
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)  # (key, file line): YAML keeps the last
    mixed_line_endings: bool = False
    refusal: Any = None  # kb.content.boundary.Refusal: the file was not parsed (symlink, over a limit, unreadable…)

    # -- convenience ------------------------------------------------------------------------------
    @property
    def type(self) -> str | None:
        value = self.meta.get("type")
        return value if isinstance(value, str) else None

    @property
    def track(self) -> str | None:
        value = self.meta.get("track")
        return value if isinstance(value, str) else None

    @property
    def title(self) -> str:
        value = self.meta.get("title")
        if isinstance(value, str) and value.strip():
            return value.strip()
        return Path(self.rel).stem

    @property
    def review(self) -> dict[str, Any]:
        value = self.meta.get("review")
        return value if isinstance(value, dict) else {}

    @property
    def review_status(self) -> str | None:
        value = self.review.get("status")
        return value if isinstance(value, str) else None

    @property
    def translation(self) -> Any:
        return self.meta.get("translation")

    @property
    def translation_none(self) -> str | None:
        """The reason given for a deliberately one-language page, or None."""
        return single_language_reason(self.translation)

    @property
    def in_manual(self) -> bool:
        return self.meta.get("manual", True) is not False

    @property
    def heading_ids(self) -> list[str]:
        return [h.id for h in self.headings if h.id]

    def line_of(self, key: str) -> int:
        return self.meta_lines.get(key, 1)

    def section_lines(self, heading_id: str) -> tuple[int, int] | None:
        """Body line range (inclusive start, exclusive end) of the section under *heading_id*."""
        for i, h in enumerate(self.headings):
            if h.id == heading_id:
                end = self.body_start + len(self.body.split("\n"))
                for later in self.headings[i + 1 :]:
                    if later.level <= h.level:
                        end = later.line
                        break
                return h.line, end
        return None

    def section_text(self, heading_id: str) -> str:
        span = self.section_lines(heading_id)
        if span is None:
            return ""
        lines = self.body.split("\n")
        start, end = span
        return "\n".join(lines[start - self.body_start + 1 : end - self.body_start])

    @property
    def gap_markers(self) -> list[tuple[int, str]]:
        """(line, text) of every ``[[gap: …]]`` marker in the body."""
        found = []
        for i, line in enumerate(self.body.split("\n")):
            for m in GAP_RE.finditer(line):
                found.append((self.body_start + i, m.group("text").strip()))
        return found


class FrontMatterShapeError(ValueError):
    """The file has no front matter (``reason == "missing"``) or it is not closed (``"unclosed"``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class FrontMatterLines:
    """A page's raw lines for editing one front-matter entry in place: the BOM and the line endings
    are kept, every other byte too (./scripts/translated, ./scripts/approve)."""

    bom: str
    newline: str
    lines: list[str]  # with their line endings; lines[0] is the opening ---
    end: int  # index of the closing --- (or ...)

    def entry_span(self, key: re.Pattern[str]) -> tuple[int, int] | None:
        """(first, past-last) line index of the top-level entry whose line matches *key*, with its
        indented continuation lines; None when there is none."""
        start = next((i for i in range(1, self.end) if key.match(self.lines[i])), None)
        if start is None:
            return None
        stop = start + 1
        while stop < self.end and self.lines[stop][:1] in (" ", "\t"):
            stop += 1
        return start, stop

    def text(self) -> str:
        return self.bom + "".join(self.lines)


def front_matter_lines(text: str) -> FrontMatterLines:
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom):]
    newline = "\r\n" if "\r\n" in body.split("\n", 1)[0] + "\n" else "\n"
    lines = body.splitlines(keepends=True)
    if not lines or not FRONT_MATTER_OPEN_RE.fullmatch(lines[0].rstrip("\r\n")):
        raise FrontMatterShapeError("missing")
    end = next((i for i in range(2, len(lines)) if FRONT_MATTER_CLOSE_RE.fullmatch(lines[i].rstrip("\r\n"))
                and lines[i].endswith("\n")), None)
    if end is None:
        raise FrontMatterShapeError("unclosed")
    return FrontMatterLines(bom, newline, lines, end)


def single_language_reason(value: Any) -> str | None:
    """The reason a front matter's ``translation`` gives for a deliberately one-language page ("" when
    none is given), or None when it does not say the page is one-language."""
    if isinstance(value, dict) and "none" in value:
        reason = value.get("none")
        return str(reason).strip() if reason else ""
    if value == "none" or value is False:
        return ""
    return None


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter source or None, body, body's first line number).

    The block is the one MkDocs' own reader takes (mkdocs.utils.meta.YAML_RE): an opening ``---``
    and a closing ``---`` or ``...`` line, each with nothing after it but spaces and tabs, at least
    one line between them, the closing line ended by a newline. An opener without a closer is still
    returned as front matter (the checks report it unclosed; MkDocs would render it as text)."""
    first, newline, _ = text.partition("\n")
    if not FRONT_MATTER_OPEN_RE.fullmatch(first):
        return None, text, 1
    lines = text.split("\n")
    for i in range(2, len(lines) - 1):  # the last piece has no newline after it
        if FRONT_MATTER_CLOSE_RE.fullmatch(lines[i]):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return "\n".join(lines[1:]), "", len(lines) + 1


def body_hash(text: str, length: int = 12) -> str:
    """Hash of a page's body as recorded in ``translation.hash``: front matter removed, BOM
    stripped, line endings normalised, trailing whitespace of every line and of the file stripped."""
    _, body, _ = split_front_matter(normalise_text(text))
    canonical = "\n".join(line.rstrip() for line in body.split("\n")).strip("\n")
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:length]


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: front matter of every page


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that remembers the line of every top-level key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping = _BaseLoader.construct_mapping(loader, node, deep=deep)
    if not hasattr(loader, "key_lines"):
        loader.key_lines = {}
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
        if key in seen:
            loader.duplicates.append((str(key), key_node.start_mark.line))
        seen.add(key)
    if node.start_mark.line == loader.top_line:
        for key_node, _ in node.value:
            if isinstance(key_node.value, str):
                loader.key_lines[key_node.value] = key_node.start_mark.line
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_front_matter(source: str, duplicates: list[tuple[str, int]] | None = None
                      ) -> tuple[dict[str, Any], dict[str, int], tuple[int, str] | None]:
    """Parse YAML front matter. Lines are 0-based within *source*; the caller offsets them.
    Keys given twice in one mapping (PyYAML silently keeps the last) are appended to *duplicates*."""
    try:
        loader = _LineLoader(source)
    except yaml.YAMLError as exc:  # unprintable characters are refused before parsing starts
        return {}, {}, (0, str(exc).split("\n")[0])
    loader.top_line = 0
    loader.key_lines = {}
    loader.duplicates = duplicates if duplicates is not None else []
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, None
        alias = alias_line(node)
        if alias is not None:  # see kb.project.schemas.alias_line: refused before anything is constructed
            return {}, {}, (alias, "YAML anchors and aliases (&name, *name) are not allowed in front matter: write the value out")
        loader.top_line = node.start_mark.line
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line if mark else 0
        return {}, {}, (line, f"{exc.problem or exc.context or 'syntax error'}")
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:  # bad dates, etc.
        return {}, {}, (0, str(exc).split("\n")[0])
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return {}, {}, (0, "front matter must be a mapping of fields (key: value)")
    return data, dict(loader.key_lines), None


def parse_page(path: str, lang: str, rel: str, raw: bytes, limits: Any = None) -> Page:
    """Parse a page. With *limits* (kb.project.data.Limits), a page over a limit is not parsed at all:
    ``page.refusal`` says which limit, and ``page.text`` stays None."""
    page = Page(path=path, lang=lang, rel=rel, raw=raw)
    text, error = decode(raw)
    if text is None:
        page.decode_error = error
        return page
    if "\x00" in text:
        page.decode_error = "binary|0"
        return page
    rest = text.replace("\r\n", "")
    page.mixed_line_endings = ("\r\n" in text) + ("\n" in rest) + ("\r" in rest) > 1
    text = normalise_text(text)
    if limits is not None:
        page.refusal = over_limits(text, limits)
        if page.refusal is not None:
            return page
    page.text = text
    fm, body, body_start = split_front_matter(text)
    page.body, page.body_start = body, body_start
    if fm is not None:
        page.has_front_matter = True
        duplicates: list[tuple[str, int]] = []
        meta, key_lines, err = parse_front_matter(fm, duplicates)
        page.duplicate_keys = [(key, line + 2) for key, line in duplicates]
        page.meta = meta
        page.meta_lines = {k: v + 2 for k, v in key_lines.items()}
        if err:
            page.meta_error = (err[0] + 2, err[1])
    _scan_body(page)
    return page


def _ref_label(label: str) -> str:
    """A reference label as Python-Markdown keys it (lower case, white space runs as one space)."""
    return " ".join(label.lower().split())


def _scan_body(page: Page) -> None:
    fence: tuple[str, int, int] | None = None  # (fence chars, length, start line)
    in_comment = False
    lines = page.body.split("\n")
    prev = ""
    # Content columns of the open containers (admonition, details, tab, list item), innermost last, and
    # per column the container a following indented line would continue: (content column, is a list).
    containers: list[int] = []
    open_at: dict[int, tuple[int, bool]] = {}
    blank_before = True
    refs: dict[str, str] = {}
    uses: list[tuple[str, str, int, bool, bool]] = []  # (label, text, line, image, explicit label)
    pending_def: str | None = None  # a definition whose URL is on the next line
    for offset, line in enumerate(lines):
        lineno = page.body_start + offset
        stripped = line.strip()
        if fence:
            m = FENCE_RE.match(line.lstrip())
            if m and m.group("fence")[0] == fence[0] and len(m.group("fence")) >= fence[1] and not m.group("info").strip():
                fence = None
            continue
        if not stripped:
            blank_before = True
            prev = line
            continue
        # Containers (Python-Markdown: a tab is four columns): a line less indented than a container's
        # content closes it; one indented under an open container goes in.
        expanded = line.expandtabs(4) if "\t" in line else line
        indent = len(expanded) - len(expanded.lstrip(" "))
        while containers and indent < containers[-1]:
            containers.pop()
        base = containers[-1] if containers else 0
        while base in open_at and indent >= open_at[base][0]:
            containers.append(open_at[base][0])
            base = containers[-1]
        for col in [c for c in open_at if c > base]:
            del open_at[col]
        rel = indent - base
        text = expanded[base:]
        if pending_def is not None:
            url = stripped.split()[0]
            if not url.startswith(("\"", "'", "(")):
                refs[pending_def] = url.strip("<>")
                pending_def = None
                prev = line
                blank_before = False
                continue
            pending_def = None
        # Fences may be indented inside lists and admonitions.
        m = FENCE_RE.match(line.lstrip())
        if m and (len(line) - len(line.lstrip())) <= 12:
            fence = (m.group("fence")[0], len(m.group("fence")), lineno)
            page.blocks.append(Block("code", lineno, m.group("info").strip().split(" ")[0]))
            blank_before = False
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
            continue
        if "<!--" in line and "-->" not in line.split("<!--", 1)[1]:
            in_comment = True
            line = line.split("<!--", 1)[0]
            text = text.split("<!--", 1)[0]
        if rel < 4:
            if (rel == 0 and CONTAINER_RE.match(text)) or LIST_ITEM_RE.match(text.lstrip(" ")):
                open_at[base] = (base + 4, not CONTAINER_RE.match(text))
            elif base in open_at and (blank_before or not open_at[base][1]):
                del open_at[base]  # a paragraph after the block: an indented block now is code
        blank_before = False
        d = REF_DEF_RE.match(text) if rel < 4 else None
        if d and not d.group("label").startswith("^"):
            label = d.group("label").strip().lower()
            if d.group("url") is None and not d.group("rest").strip():
                pending_def = label
                prev = line
                continue
            if d.group("url") is not None and REF_TITLE_RE.fullmatch(d.group("rest")):
                refs[label] = d.group("url").strip("<>")
                prev = line
                continue
        h = HEADING_RE.match(text) if rel == 0 else None
        if h is None and rel < 4 and (item := LIST_ITEM_RE.match(text.lstrip(" "))):
            # "- ## x": the list item's content is a heading
            h = HEADING_RE.match(text.lstrip(" ")[item.end():].lstrip(" \t"))
        if h:
            heading, ident = heading_text(h.group("text"))
            page.headings.append(Heading(len(h.group("hashes")), heading, ident, lineno))
            page.prose.append((lineno, heading))
            prev = line
            continue
        a = ADMONITION_RE.match(line)
        if a:
            page.blocks.append(Block("admonition", lineno, a.group("type").lower()))
        if "|" in prev and "---" in line and is_table_separator(line):
            page.blocks.append(Block("table", lineno - 1))
        clean = strip_inline_code(strip_comments(line))  # what is inside code spans is not a link
        for im in IMAGE_RE.finditer(clean):
            page.blocks.append(Block("image", lineno, im.group("src")))
            page.links.append(Link(im.group("src"), im.group("alt"), lineno, image=True))
        for im in HTML_IMG_RE.finditer(clean):
            src = IMG_SRC_RE.search(im.group(0))
            alt = IMG_ALT_RE.search(im.group(0))
            page.blocks.append(Block("image", lineno, src.group(1) if src else ""))
            page.links.append(Link(src.group(1) if src else "", alt.group(1) if alt else "", lineno, image=True))
        for lk in LINK_RE.finditer(clean):
            href = lk.group("href").strip("<>")
            page.links.append(Link(href, lk.group("text"), lineno))
        if "[" in clean:
            for r in REF_USE_RE.finditer(clean):
                if clean[r.end():r.end() + 1] == "(" and r.group("label") is None:
                    continue  # an inline link or image: found above
                label = r.group("label")
                explicit = label is not None
                uses.append((_ref_label(label or r.group("text")), r.group("text"), lineno, bool(r.group("bang")), explicit))
        page.prose.append((lineno, clean))
        prev = line
    if fence:
        page.unclosed_fence = fence[2]
    if uses:
        found = False
        for label, text, lineno, image, explicit in uses:
            href = refs.get(label)
            if href is None and not (explicit and label and not label.startswith("^")):
                continue  # [text] that names no definition is text, as the renderer leaves it
            found = True
            page.links.append(Link(href or "", text, lineno, image=image, ref=True, label=label))
            if image and href is not None:
                page.blocks.append(Block("image", lineno, href))
        if found:
            page.links.sort(key=lambda link: link.line)
            page.blocks.sort(key=lambda block: block.line)


def iso_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
