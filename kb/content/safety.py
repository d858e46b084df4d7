"""What may reach a reader: the one allow-list sanitiser for page HTML (nh3, the Python binding of
Rust's ammonia), the Markdown rendering the checks use to see what the build will produce, what the
sanitiser would remove (for the unsafe-html rule) and the checks of SVG files.

The hook sanitises every page's HTML with :func:`sanitise` after Markdown; the unsafe-html rule renders
the same Markdown with the same extensions and reports :func:`removed` — so what authors are told and
what the build does cannot disagree. No MkDocs imports here."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nh3
import yaml

# --- the allow-list ---------------------------------------------------------------------------------------------
# Everything Python-Markdown with the extensions in mkdocs.yml and Material produce for our pages:
# admonitions and details, content tabs (radio inputs and labels), task lists (checkboxes),
# footnotes, tables, Pygments highlighting spans, abbr (glossary), definition lists, images.
TAGS = frozenset(nh3.ALLOWED_TAGS - {"map", "area", "center", "acronym", "tt", "strike", "nav", "header", "footer",
                                     "hgroup", "article", "aside"}
                 | {"input", "label", "section", "figure", "figcaption"})
GENERIC_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "role", "tabindex", "hidden"})
TAG_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "hreflang", "name"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "abbr": frozenset({"data-term-id"}),
    "span": frozenset({"data-kb-gap", "data-linenos"}),
    "div": frozenset({"data-tabs"}),
    "td": frozenset({"style", "colspan", "rowspan", "align"}),
    "th": frozenset({"style", "colspan", "rowspan", "align", "scope"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "li": frozenset({"value"}),
    "input": frozenset({"checked", "disabled", "name"}),
    "label": frozenset({"for"}),
    "details": frozenset({"open"}),
    "time": frozenset({"datetime"}),
    "code": frozenset({"data-lang"}),
    "pre": frozenset(),
    "col": frozenset({"span", "width"}),
    "colgroup": frozenset({"span"}),
    "q": frozenset({"cite"}),
    "blockquote": frozenset({"cite"}),
}
TAG_ATTRIBUTE_VALUES = {"input": {"type": {"checkbox", "radio"}}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
STYLE_PROPERTIES = frozenset({"text-align"})
# removed together with their content (the content of these is code, not text)
CLEAN_CONTENT_TAGS = frozenset({"script", "style", "svg", "math", "iframe", "object", "embed", "template",
                                "noscript", "textarea", "select", "frameset", "frame", "applet", "title", "xmp"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "cite", "poster", "background",
                            "data", "srcset", "ping"})


# Ids the theme's scripts and templates read (document.getElementById("__config"), the __search and
# __drawer toggles, the __toc and __nav_1_2 checkboxes, __palette_0, __consent …): Material names its own
# elements "__…". An element of the content with such an id would clobber the theme's (its config
# JSON is printed after the article, so getElementById("__config") would find the content's first).
# Kept: the ids the site's Markdown extensions write into content themselves (content tabs,
# code line numbers), which the theme expects there.
THEME_ID_PREFIX = "__"
GENERATED_THEME_IDS = re.compile(r"__(?:tabbed_\d+_\d+|codelineno-[\w-]+|span-[\w-]+)")


def reserved_id(value: str) -> bool:
    """Whether *value*, as an id in content, would collide with an element of the theme."""
    return value.strip().startswith(THEME_ID_PREFIX) and not GENERATED_THEME_IDS.fullmatch(value.strip())


def tooltip_text(value: str) -> str:
    """A title attribute's value as Material's tooltips may show it: they put it into the page as
    HTML (content.tooltips: innerHTML), so its angle brackets are printed full-width (＜ ＞)."""
    return value.translate(_TITLE_BRACKETS) if "<" in value or ">" in value else value


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if name == "id" and reserved_id(value):
        return None
    return tooltip_text(value) if name == "title" else value


def sanitise(fragment: str) -> str:
    """The page HTML with everything outside the allow-list removed, ids reserved to the theme
    removed, and title attributes made tooltip text (:func:`tooltip_text`)."""
    return nh3.clean(
        fragment,
        tags=set(TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={"*": set(GENERIC_ATTRIBUTES), **{k: set(v) for k, v in TAG_ATTRIBUTES.items()}},
        tag_attribute_values={t: {a: set(v) for a, v in av.items()} for t, av in TAG_ATTRIBUTE_VALUES.items()},
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        link_rel=None,
        strip_comments=True,
        attribute_filter=_attribute_filter,
    )


def escape_text(text: str) -> str:
    """A value Material prints raw (as text or into a double-quoted attribute): markup escaped."""
    if not any(c in text for c in '<>&"'):
        return text  # apostrophes stay: Material quotes its attributes with "
    return html.escape(html.unescape(text), quote=False).replace('"', "&quot;")


# Material's script copies the text of a navigation entry or of the header's title that does not fit
# (.md-ellipsis) into a tooltip as HTML (innerText → title → innerHTML): an escaped "<" there would be
# markup again. A title's angle brackets are therefore printed as their full-width forms.
_TITLE_BRACKETS = str.maketrans({"<": "\uff1c", ">": "\uff1e"})


def escape_title(title: str) -> str:
    """A page title as Material prints it (raw, into <title>, the navigation, the header and the
    heading, and re-read as HTML by its tooltips): text, with < and > as ＜ ＞ and the rest escaped."""
    if not any(c in title for c in '<>&"'):
        return title
    return escape_text(html.unescape(title).translate(_TITLE_BRACKETS))


# --- front matter the theme prints ------------------------------------------------------------------------------
# Material's templates print these page.meta values raw (MkDocs' theme environment does not
# autoescape): into <title>, <meta name="description|author" content="…">, the navigation
# (subtitle), the "last update" line (revision dates). They are made text here; the two shown in
# the navigation as titles (re-read as HTML by its tooltips) as titles.
THEME_TITLE_FIELDS = ("title", "subtitle")
THEME_TEXT_FIELDS = ("description", "author", "revision_date", "git_revision_date_localized",
                     "git_creation_date_localized")
# Printed into a class attribute (status) or a template path (icon): kept only when they are a token.
THEME_TOKEN_FIELDS = {
    "status": re.compile(r"[a-z0-9][a-z0-9_-]{0,40}"),
    "icon": re.compile(r"[a-z0-9][a-z0-9_-]{0,60}(?:/[a-z0-9][a-z0-9_-]{0,60}){1,3}"),
}
# Printed only by templates no page of the project may choose (Material's redirect.html: a
# <meta http-equiv="refresh"> and an inline script to page.meta.location).
THEME_DROPPED_FIELDS = ("location",)
# Read by the theme and the search plugin as structures: a value of another shape (hide: 5,
# search: [1]) made the build stop with a traceback; it is dropped instead (the check reports it).
THEME_HIDE = frozenset({"navigation", "toc", "footer", "path", "tags", "feedback", "tabs"})


def _shaped(key: str, value: Any) -> bool:
    if key == "hide":
        return isinstance(value, list) and all(isinstance(v, str) and v in THEME_HIDE for v in value)
    if key == "search":
        return isinstance(value, dict) and set(value) <= {"boost", "exclude"} \
            and isinstance(value.get("exclude", False), bool) \
            and isinstance(value.get("boost", 1), (int, float)) and not isinstance(value.get("boost", 1), bool)
    return True


def theme_meta(meta: dict[str, Any], templates: frozenset[str]) -> list[str]:
    """Make a page's front matter safe for the theme to print, in place (the generator's templates
    read this very dict): text fields escaped (titles as :func:`escape_title`; a value that is not a
    string becomes its text), token fields dropped unless they are a token, ``template`` dropped
    unless it is one of *templates* (the project's page templates; the generator then uses its
    default), fields only a refused template prints dropped. Returns the fields changed or dropped."""
    changed: list[str] = []
    for key in THEME_TITLE_FIELDS + THEME_TEXT_FIELDS:
        if key not in meta or meta[key] is None:
            continue
        value = meta[key]
        text = value if isinstance(value, str) else str(value)
        safe = escape_title(text) if key in THEME_TITLE_FIELDS else escape_text(text)
        if safe != value:
            meta[key] = safe
            changed.append(key)
    for key, pattern in THEME_TOKEN_FIELDS.items():
        if key in meta and not (isinstance(meta[key], str) and pattern.fullmatch(meta[key])):
            del meta[key]
            changed.append(key)
    if "template" in meta and not (isinstance(meta["template"], str) and meta["template"] in templates):
        del meta["template"]
        changed.append("template")
    for key in THEME_DROPPED_FIELDS:
        if key in meta:
            del meta[key]
            changed.append(key)
    for key in ("hide", "search"):
        if key in meta and not _shaped(key, meta[key]):
            del meta[key]
            changed.append(key)
    return changed


# --- what the sanitiser removes -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Removal:
    kind: str      # tag | event-attribute | script-url | url | reserved-id | attribute
    name: str      # tag or attribute name (script-url: the scheme; url: the address; reserved-id: the id)
    value: str = ""  # the attribute's value, shortened
    tag: str = ""


class _Inventory(HTMLParser):
    """Start tags and (tag, attribute) pairs of an HTML fragment, with attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.attrs: Counter[tuple[str, str, str]] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            # style is rewritten (properties filtered), not only kept or dropped: compare its presence;
            # a title keeps its text (angle brackets full-width: tooltip_text)
            value = "" if name == "style" else tooltip_text(value or "") if name == "title" else (value or "")
            self.attrs[(tag, name, value)] += 1

    handle_startendtag = handle_starttag


def _inventory(fragment: str) -> _Inventory:
    inv = _Inventory()
    inv.feed(fragment)
    inv.close()
    return inv


# nh3's output is html5ever's serialisation: comments gone, every "<" in text written &lt;, attribute
# values always in double quotes with '"' written &quot;. Its start tags can be read with a pattern,
# three times faster than html.parser (the input still goes through html.parser: it is anything).
_SERIALISED_TAG_RE = re.compile(r'<([a-zA-Z][^\s/>]*+)((?:\s++[^\s=/>]++(?:="[^"]*+")?+)*+)\s*+/?>')
_SERIALISED_ATTR_RE = re.compile(r'([^\s=/>]++)(?:="([^"]*+)")?+')


def _serialised_inventory(sanitised: str) -> _Inventory:
    """The inventory html.parser would make of *sanitised* (nh3's output), read with a pattern."""
    inv = _Inventory()
    for tag in _SERIALISED_TAG_RE.finditer(sanitised):
        name = tag.group(1).lower()
        inv.tags[name] += 1
        for attr in _SERIALISED_ATTR_RE.finditer(tag.group(2)):
            key = attr.group(1).lower()
            value = "" if key == "style" else html.unescape(attr.group(2) or "")
            inv.attrs[(name, key, value)] += 1
    return inv


_CONTROL_RE = re.compile(r"[\x00-\x20]+")


def url_scheme(value: str) -> str:
    """The scheme a browser would see: entities decoded, tabs, newlines and spaces inside removed."""
    cleaned = _CONTROL_RE.sub("", html.unescape(value)).lower()
    if cleaned.startswith("data:"):
        return "data:" + cleaned[5:].split(";", 1)[0].split(",", 1)[0]
    return urlsplit(cleaned).scheme if ":" in cleaned.split("/", 1)[0] else ""


def removed(fragment: str) -> list[Removal]:
    """What :func:`sanitise` takes out of *fragment*, once per kind and name."""
    before, after = _inventory(fragment), _serialised_inventory(sanitise(fragment))
    out: list[Removal] = []
    for tag in sorted(before.tags - after.tags):
        if tag not in TAGS:
            out.append(Removal("tag", tag))
    seen: set[tuple[str, str]] = set()
    for tag, name, value in sorted(before.attrs - after.attrs):
        if tag not in TAGS:
            continue  # reported with its tag
        if name.startswith("on"):
            key = ("event-attribute", name)
        elif name == "id" and reserved_id(value):
            key = ("reserved-id", value)
        elif name in URL_ATTRIBUTES:
            scheme = url_scheme(value)
            key = ("script-url", scheme) if scheme in ("javascript", "vbscript") or scheme.startswith("data:") else ("url", value[:80])
        else:
            key = ("attribute", name)
        if key not in seen:
            seen.add(key)
            out.append(Removal(key[0], key[1], value[:80], tag))
    return out


def locate(lines: list[str], item: Removal) -> int:
    """Index of the first source line that shows *item* (its value, else its name), as written or
    with entities decoded; 0 when none does (the finding then points at the start of the body)."""
    needles = [n.lower() for n in (item.value, item.name) if len(n) >= 2]
    for decode in (False, True):
        for needle in needles:
            for index, line in enumerate(lines):
                text = html.unescape(line) if decode else line
                if needle in text.lower():
                    return index
    return 0


# --- Markdown as the build renders it -------------------------------------------------------------------------------
class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml uses tags such as !ENV and !!python/name: read them as plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


# The heading-id functions mkdocs.yml may name for toc's `slugify` (!!python/name:… or, for the
# pymdownx.slugs factory, !!python/object/apply:pymdownx.slugs.slugify {kwds: {…}}): resolved so the
# checks compute the ids the build does. Nothing else named in a python tag is imported.
SLUGIFY_MODULES = frozenset({"markdown.extensions.toc", "pymdownx.slugs"})


def _python_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    import importlib

    kind, _, name = suffix.partition(":")
    module, _, attr = name.rpartition(".")
    if module in SLUGIFY_MODULES and (kind == "name" or (kind == "object/apply" and name == "pymdownx.slugs.slugify")):
        try:
            function = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            return _any_tag(loader, suffix, node)
        if kind == "name":
            return function
        args: list[Any] = []
        kwds: dict[str, Any] = {}
        if isinstance(node, yaml.SequenceNode):
            args = loader.construct_sequence(node, deep=True)
        elif isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
            args, kwds = list(value.get("args") or []), dict(value.get("kwds") or {})
        return function(*args, **kwds)
    return _any_tag(loader, suffix, node)


_TolerantLoader.add_multi_constructor("!", _any_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _python_tag)

# MkDocs always loads these, whether mkdocs.yml lists them or not (mkdocs.config.defaults).
MKDOCS_BUILTIN_EXTENSIONS = ("toc", "tables", "fenced_code")


def read_mkdocs_yml(mkdocs_yml: Path) -> dict[str, Any]:
    """mkdocs.yml as plain data (tags such as !ENV read as their values); {} when it is missing."""
    if not mkdocs_yml.is_file():
        return {}
    raw = yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    return raw if isinstance(raw, dict) else {}


def markdown_extensions(mkdocs_yml: Path) -> tuple[list[str], dict[str, dict]]:
    """The Markdown extensions and their settings as MkDocs builds with them: its built-in ones
    first, then those of mkdocs.yml (only the built-ins when it is missing)."""
    if not mkdocs_yml.is_file():
        return list(MKDOCS_BUILTIN_EXTENSIONS), {}
    raw = read_mkdocs_yml(mkdocs_yml)
    names: list[str] = list(MKDOCS_BUILTIN_EXTENSIONS)
    configs: dict[str, dict] = {}
    for item in raw.get("markdown_extensions") or []:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            for name, config in item.items():
                names.append(name)
                if isinstance(config, dict):
                    configs[name] = config
    return list(dict.fromkeys(names)), configs


class Renderer:
    """Python-Markdown with the site's extensions, reused page after page (reset in between)."""

    def __init__(self, mkdocs_yml: Path) -> None:
        import markdown

        names, configs = markdown_extensions(mkdocs_yml)
        try:
            self.md = markdown.Markdown(extensions=names, extension_configs=configs)
        except Exception:  # an extension that is not installed: fall back to plain Markdown, still sanitised
            self.md = markdown.Markdown(extensions=[*MKDOCS_BUILTIN_EXTENSIONS, "attr_list", "md_in_html", "footnotes"])

    def render(self, text: str) -> str:
        self.md.reset()
        return self.md.convert(text)


HTML_TAG_RE = re.compile(r"<[A-Za-z][^<>]*+>")
HTML_ID_RE = re.compile(r"""\bid\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s"'>]++))""", re.IGNORECASE)


def element_ids(rendered: str) -> frozenset[str]:
    """Every id attribute in rendered HTML: headings (toc's slugs, numbered _1, _2 when repeated),
    attribute lists, footnotes, tabs, raw HTML. Text is escaped by the renderer, so only tags match."""
    ids: set[str] = set()
    for tag in HTML_TAG_RE.finditer(rendered):
        if "id" in tag.group(0) or "ID" in tag.group(0):
            for m in HTML_ID_RE.finditer(tag.group(0)):
                ids.add(html.unescape(m.group(1) or m.group(2) or m.group(3) or ""))
    return frozenset(ids)


# --- SVG files ------------------------------------------------------------------------------------------------------
SVG_SCRIPT_TAGS = frozenset({"script", "foreignobject", "iframe", "object", "embed", "handler", "listener"})
SVG_ANIMATION_TAGS = frozenset({"animate", "set", "animatetransform", "animatemotion"})
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


@dataclass(frozen=True)
class SvgProblem:
    kind: str  # script | event-attribute | external | animation | not-xml
    detail: str
    line: int = 1


# Shapes an SVG may draw once its <use> references are expanded. WeasyPrint takes about 0.2 ms a shape
# (measured on 2 cores: 1,000 shapes 0.2 s, 10,000 2.0 s, 100,000 23 s); a figure of the site draws a
# few hundred. Ten nested <use> of ten each would be 10^10: refused before any renderer sees it.
SVG_MAX_SHAPES = 10_000


def _expanded_shapes(root: Any) -> int:
    """How many elements the SVG draws with every internal <use> expanded (SVG_MAX_SHAPES + 1 once
    past the limit, or for a reference cycle)."""
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    memo: dict[int, int] = {}

    def size(el: Any, path: frozenset[int]) -> int:
        key = id(el)
        if key in memo:
            return memo[key]
        if key in path:  # a <use> of its own ancestor: infinite
            return SVG_MAX_SHAPES + 1
        inner = path | {key}
        total = 1
        for child in el:
            if isinstance(child.tag, str):
                total += size(child, inner)
            if total > SVG_MAX_SHAPES:
                break
        if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1].lower() == "use" and total <= SVG_MAX_SHAPES:
            ref = (el.get("href") or el.get(XLINK_HREF) or "").strip()
            target = ids.get(ref[1:]) if ref.startswith("#") else None
            if target is not None:
                total += size(target, inner)
        memo[key] = min(total, SVG_MAX_SHAPES + 1)
        return memo[key]

    try:
        return size(root, frozenset())
    except RecursionError:  # nested deeper than Python recurses: far past any figure
        return SVG_MAX_SHAPES + 1


def check_svg(raw: bytes) -> list[SvgProblem]:
    """Scripts, event handlers, animation and references to anything outside the file in an SVG,
    parsed with defusedxml (no entities, no external DTDs: a billion-laughs file is refused)."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        root = DET.fromstring(raw)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError
        return [SvgProblem("not-xml", str(exc).split("\n")[0][:120])]
    out: list[SvgProblem] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = el.tag.rsplit("}", 1)[-1].lower()
        if local in SVG_SCRIPT_TAGS:
            out.append(SvgProblem("script", f"<{local}>"))
        elif local in SVG_ANIMATION_TAGS:
            out.append(SvgProblem("animation", f"<{local}>"))
        elif local == "style" and re.search(r"@import|url\s*\(", el.text or "", re.IGNORECASE):
            out.append(SvgProblem("external", "<style> @import/url()"))
        for name, value in el.attrib.items():
            attr = name.rsplit("}", 1)[-1].lower()
            if attr.startswith("on"):
                out.append(SvgProblem("event-attribute", attr))
            elif attr == "href" or name == XLINK_HREF:
                if not value.strip().startswith("#"):
                    out.append(SvgProblem("external", f"{attr}={value[:80]}"))
            elif "url(" in value.replace(" ", "").lower() and "url(#" not in value.replace(" ", "").lower():
                out.append(SvgProblem("external", f"{attr}={value[:80]}"))
    shapes = _expanded_shapes(root)
    if shapes > SVG_MAX_SHAPES:
        out.append(SvgProblem("too-complex", f"more than {SVG_MAX_SHAPES} shapes once <use> is expanded"))
    return out
