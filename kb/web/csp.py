"""The Content-Security-Policy of every built page, as a ``<meta http-equiv>`` (the site is static: a
host such as GitHub Pages sets no headers of ours).

A second wall behind the sanitiser (kb/content/safety.py): even if markup with script got past it, the
browser would not run it. Scripts run only from the site's own files (``'self'``) and from the
few inline scripts the theme writes into every page (Material's ``__md_scope`` set-up and its
tab-state restorers: :data:`THEME_SCRIPTS`, a fixed list), each allowed by its SHA-256 hash: never
``'unsafe-inline'`` for scripts. An inline script is hashed only when it is one of those, word for
word, and outside the page's article: a script that got into the page some other way (front matter
printed raw into ``<head>``, a template that prints a value) is not allowed by this policy. Styles
allow inline ``style`` attributes (Material sets them; the sanitiser removes them from content). Media may also come from the media host of data/media.yml.

The offline copy (``file://``) gets no policy: browsers give ``file:`` pages an opaque origin, so
``'self'`` would block the site's own files there.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urlsplit

EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}

# --- the inline scripts the project ships: Material's, as its templates print them ----------------------------
# partials/javascripts/base.html: the storage helpers, scoped to the site's base URL (a relative path
# such as "../..", or "/" on the 404 page): only a path of these characters, which cannot leave the string.
_MD_HELPERS = ('__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),'
               '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),'
               '__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}')
# partials/javascripts/content.html ("content.tabs.link"): the reader's last content tab, restored
_MD_TABS = ('var tabs=__md_get("__tabs");if(Array.isArray(tabs))e:for(var set of document.querySelectorAll(".tabbed-set"))'
            '{var labels=set.querySelector(".tabbed-labels");for(var tab of tabs)for(var label of labels.getElementsByTagName("label"))'
            'if(label.innerText.trim()===tab){var input=document.getElementById(label.htmlFor);input.checked=!0;continue e}}')
# partials/javascripts/content.html: the content tab named by the address's #fragment, opened
_MD_TAB_TARGET = ('var target=document.getElementById(location.hash.slice(1));'
                  'target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))')
THEME_SCRIPTS: tuple[re.Pattern[str], ...] = (
    re.compile(r'__md_scope=new URL\("[A-Za-z0-9_.~%/-]{0,200}",location\),' + re.escape(_MD_HELPERS)),
    re.compile(re.escape(_MD_TABS)),
    re.compile(re.escape(_MD_TAB_TARGET)),
)


def theme_script(text: str) -> bool:
    """Whether *text* is, word for word, one of the theme's inline scripts the project ships."""
    return any(pattern.fullmatch(text) for pattern in THEME_SCRIPTS)


def _inline_executable(attrs: list[tuple[str, str | None]]) -> bool:
    values = {k: (v or "") for k, v in attrs}
    return "src" not in values and values.get("type", "").strip().lower() in EXECUTABLE_TYPES


class _InlineScripts(HTMLParser):
    """Inline executable scripts outside <article> elements, with their exact text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._article_depth = 0
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self._article_depth += 1
        elif tag == "script":
            self._current = [] if _inline_executable(attrs) and self._article_depth == 0 else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self._article_depth:
            self._article_depth -= 1
        elif tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)


class _StartTag(HTMLParser):
    """The attributes of the one start tag fed (None: it could not be read on its own)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.attrs: list[tuple[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.attrs is None:
            self.attrs = attrs


@lru_cache(maxsize=256)  # the theme writes the same few tags into every page
def _start_tag_attrs(tag_text: str) -> tuple[tuple[str, str | None], ...] | None:
    tag = _StartTag()
    tag.feed(tag_text)
    return None if tag.attrs is None else tuple(tag.attrs)


def inline_scripts_parsed(html: str) -> list[str]:
    """The inline executable scripts outside <article>, by parsing the whole page: exact, and slow
    (about 30 ms a page with a large navigation, more than the rest of the hooks together)."""
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    return parser.scripts


_SCRIPT_OPEN = re.compile(r"<script(?=[\s>/])", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script", re.IGNORECASE)


def inline_scripts(html: str) -> list[str]:
    """The same scripts as inline_scripts_parsed, found by reading only the `<script` tags.

    Sound because everything outside the article is the theme's template output, autoescaped, so a
    raw `<script` there is a tag; the article (the authors' content, sanitised) is skipped whole,
    from its first `<article` to its last `</article>`, so nothing in it is ever hashed. A start tag
    that cannot be read on its own (a quoted `>`) sends the page to the full parser."""
    first, last = html.find("<article"), html.rfind("</article>")
    article = range(first, last + len("</article>")) if 0 <= first <= last else range(0)
    scripts: list[str] = []
    for m in _SCRIPT_OPEN.finditer(html):
        if m.start() in article:
            continue
        close = html.find(">", m.end())
        attrs = _start_tag_attrs(html[m.start():close + 1] if close >= 0 else "")
        if attrs is None:
            return inline_scripts_parsed(html)
        if not _inline_executable(list(attrs)):
            continue
        stop = _SCRIPT_CLOSE.search(html, close + 1)
        if stop is not None:  # an unclosed script is not allowed (nor by the full parser)
            scripts.append(html[close + 1:stop.start()])
    return scripts


def script_hashes(html: str) -> list[str]:
    """CSP source expressions ('sha256-…') of the page's inline scripts outside its article that are
    the theme's own (:func:`theme_script`); any other inline script is left without a hash, so the
    browser refuses it."""
    digests: list[str] = []
    for text in inline_scripts(html):
        source = _theme_script_source(text)
        if source is not None and source not in digests:
            digests.append(source)
    return digests


@lru_cache(maxsize=256)  # the same few scripts on every page (the scope differs with the page's depth)
def _theme_script_source(text: str) -> str | None:
    """The 'sha256-…' source expression of *text* when it is one of the theme's scripts, else None."""
    if not theme_script(text):
        return None
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode('ascii')}'"


def origin_of(url: str | None) -> str | None:
    """scheme://host[:port] of an absolute http(s) URL, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def policy(html: str, media_url: str | None = None) -> str:
    media = " ".join(filter(None, ["'self'", origin_of(media_url)]))
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes(html)]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self' data:",
        "media-src": media,
        "connect-src": "'self'",
        "worker-src": "'self'",
        "manifest-src": "'self'",
        "frame-src": "'none'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def add_policy(html: str, media_url: str | None = None) -> str:
    """The page with its policy as the first element of <head> (a meta policy covers only what
    follows it)."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html, media_url)}">'
    lowered = html[:4096].lower()
    at = lowered.find("<head>")
    if at < 0:
        return html
    at += len("<head>")
    return html[:at] + "\n  " + meta + html[at:]
