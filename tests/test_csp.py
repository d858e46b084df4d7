"""The Content-Security-Policy written into every page (kb/web/csp.py): the theme's inline scripts are
allowed by hash, nothing inside the page's article ever is, and no 'unsafe-inline' for scripts."""

from __future__ import annotations

import base64
import hashlib
import re

from kb.web import csp

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<script>__md_scope=new URL(".",location)</script>
<script id="__config" type="application/json">{"base": "."}</script>
<script src="assets/kb.js"></script>
</head><body><article class="md-content__inner md-typeset"><p>x</p><script>window.__pwned=1</script></article>
<script>var tabs=__md_get("__tabs")</script></body></html>"""


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _directives(html: str) -> dict[str, str]:
    content = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
    return dict(part.strip().split(" ", 1) for part in content.split(";"))


def test_theme_scripts_are_allowed_by_hash_and_content_scripts_never():
    policy = _directives(csp.add_policy(PAGE))
    script_src = policy["script-src"].split()
    assert script_src[0] == "'self'"
    assert _sha('__md_scope=new URL(".",location)') in script_src
    assert _sha('var tabs=__md_get("__tabs")') in script_src
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
    assert csp.inline_scripts(PAGE) == ['__md_scope=new URL(".",location)', 'var tabs=__md_get("__tabs")']
