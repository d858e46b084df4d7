"""The page parser: front matter with line numbers, headings with ids, blocks, links, gaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.content.pages import body_hash, parse_page

PAGE = """---
title: 示例
type: module
track: mercury
review: {status: draft, approvals: []}
---

## 学习目标 {#objectives}

![图](img/a.svg) 见[模块](02.md#x)。

```python
## not a heading
```

| a | b |
|---|---|
| 1 | 2 |

!!! warning "注意"
    内容 [[gap: 企业名称]]
"""


def test_parse_front_matter_headings_blocks_links_and_gaps():
    page = parse_page("docs/zh/m.md", "zh", "m.md", PAGE.encode())
    assert page.meta["type"] == "module" and page.line_of("track") == 4
    assert [(h.level, h.id, h.line) for h in page.headings] == [(2, "objectives", 8)]
    assert [b.kind for b in page.blocks] == ["image", "code", "table", "admonition"]
    assert [(link.href, link.image) for link in page.links] == [("img/a.svg", True), ("02.md#x", False)]
    assert page.gap_markers == [(21, "企业名称")]


def test_yaml_error_reports_the_file_line():
    page = parse_page("docs/zh/m.md", "zh", "m.md", b"---\ntitle: a\ntype: [unclosed\n---\nbody\n")
    assert page.meta_error is not None and page.meta_error[0] in (3, 4)


def test_body_hash_ignores_front_matter_bom_line_endings_and_trailing_space():
    a = "---\ntitle: a\n---\n\nline one\nline two\n"
    b = "\ufeff---\r\ntitle: changed\r\n---\r\n\r\nline one   \r\nline two\r\n\r\n"
    assert body_hash(a) == body_hash(b)
    assert body_hash(a) != body_hash(a.replace("two", "2"))
    assert len(body_hash(a)) == 12


def test_unclosed_fence_and_binary_do_not_crash():
    assert parse_page("p", "zh", "p.md", b"```\nno end").unclosed_fence == 1
    assert parse_page("p", "zh", "p.md", b"\x00\x01\x02").decode_error.startswith("binary")


# --- what the renderer sees: Python-Markdown with the project's mkdocs.yml extensions ---------------------------
def _site_markdown():
    from kb.content.safety import Renderer
    from kb.project.settings import REPO_ROOT

    return Renderer(REPO_ROOT / "mkdocs.yml")


def _page(body: str, front: str = "---\ntitle: t\n---\n"):
    return parse_page("docs/zh/p.md", "zh", "p.md", (front + body).encode())


REFERENCE_LINKS = """\
See [the guide][Guide], [the guide again] [guide], [Guide][] and [guide] itself.
![a figure][Fig] and ![fig].
[Not a definition] is text, `[code][guide]` is code, [^1] is a footnote.
[Case][MiXeD  Label] and [next line][later].

[guide]: ../guide/how-to-use.md "The guide"
  [fig]: <img/figure.svg> 'Figure'
[mixed label]: 02.md#objectives (Title)
[later]:
    https://example.org/page

[^1]: A note.
"""


def test_reference_links_are_found_with_their_definitions_targets():
    page = _page(REFERENCE_LINKS)
    got = [(lk.line, lk.href, lk.image) for lk in page.links]
    assert got == [(4, "../guide/how-to-use.md", False)] * 4 + [(5, "img/figure.svg", True)] * 2 + [
        (7, "02.md#objectives", False), (7, "https://example.org/page", False)]
    assert [b.kind for b in page.blocks] == ["image", "image"]
    assert all(lk.ref for lk in page.links)
    assert not any("example.org" in text or "how-to-use" in text for _, text in page.prose)  # definitions are not text


def test_reference_links_agree_with_the_renderer():
    import re

    html = _site_markdown().render(REFERENCE_LINKS)
    rendered = re.findall(r'<(?:a href|img[^>]*?src)="([^"#]+(?:#[^"]*)?)"', html)
    rendered = [href for href in rendered if not href.startswith("#fn")]  # footnote links are the footnote's own
    page = _page(REFERENCE_LINKS)
    assert sorted(lk.href for lk in page.links) == sorted(rendered)


def test_an_undefined_explicit_reference_is_a_link_without_target():
    page = _page("A [typo][no-such-label] and a [plain bracket] in text.\n")
    assert [(lk.href, lk.label, lk.ref) for lk in page.links] == [("", "no-such-label", True)]


CONTAINERS = """\
## Top

!!! note "Note"
    ## In an admonition

    !!! tip
        ### Nested

??? info "Details"
    ## In details

=== "Tab one"

    ## In a tab

- a list item

    ## In a list item

Paragraph.

    ## In an indented code block

text
    ## A paragraph continuation

\t## Tab-indented code
"""


def test_headings_inside_admonitions_details_tabs_and_list_items_are_headings():
    page = _page(CONTAINERS)
    assert [(h.level, h.text) for h in page.headings] == [
        (2, "Top"), (2, "In an admonition"), (3, "Nested"), (2, "In details"), (2, "In a tab"), (2, "In a list item")]
    assert [h.line for h in page.headings] == [4, 7, 10, 13, 17, 21]


def test_scanner_headings_are_the_renderers_headings():
    import re

    html = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", _site_markdown().render(CONTAINERS))  # the permalinks
    rendered = [(int(level), re.sub(r"<[^>]+>", "", text).strip())
                for level, text in re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", html, re.DOTALL)]
    assert [(h.level, h.text) for h in _page(CONTAINERS).headings] == rendered


HASHES_WITHOUT_SPACE_AND_ON_LIST_LINES = """\
Intro.

##No space

- ## On the list line
- plain item

1. ### Numbered item {#numbered}

* text
##Continuation heading ##

####### Seven hashes
"""


def test_headings_without_a_space_or_on_a_list_line_are_the_renderers_headings():
    import re

    text = HASHES_WITHOUT_SPACE_AND_ON_LIST_LINES
    html = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", _site_markdown().render(text))
    rendered = [(int(level), ident, re.sub(r"<[^>]+>", "", inner).strip())
                for level, ident, inner in re.findall(r'<h([1-6]) id="([^"]*)"[^>]*>(.*?)</h\1>', html, re.DOTALL)]
    page = _page(text)
    assert [(h.level, h.text) for h in page.headings] == [(level, inner) for level, _, inner in rendered]
    assert len(rendered) == 5 and page.headings[2].id == "numbered"
    assert [h.line for h in page.headings] == [6, 8, 11, 14, 16]


def test_front_matter_delimiters_are_the_ones_mkdocs_reads():
    """kb.content.pages.split_front_matter against MkDocs' own reader (mkdocs.utils.meta.get_data) on
    openers and closers with trailing spaces and tabs, '...', four dashes, no final newline."""
    from mkdocs.utils.meta import YAML_RE, get_data

    from kb.content.pages import split_front_matter

    cases = ["---   \ntitle: a\n---\nbody\n", "---\t \ntitle: a\n--- \t\nbody\n", "---\ntitle: a\n...  \nbody\n",
             "---\ntitle: a\n---", "----\ntitle: a\n---\nbody\n", "---\ntitle: a\n----\n---\nbody\n",
             " ---\ntitle: a\n---\nbody\n", "---\ntitle: a\n  ---\n---\nbody\n"]
    for text in cases:
        body, meta = get_data(text)
        fm, ours, start = split_front_matter(text)
        closed = fm is not None and start <= len(text.split("\n"))  # an unclosed block runs to the end
        assert closed == bool(YAML_RE.match(text)), text
        if meta:
            assert ours.lstrip("\n") == body, text
    page = parse_page("docs/zh/p.md", "zh", "p.md", "---   \ntitle: 标题\ntype: page\n---  \n## 正文\n".encode())
    assert page.meta == {"title": "标题", "type": "page"} and page.line_of("type") == 3
    assert [(h.text, h.line) for h in page.headings] == [("正文", 5)]


ANCHORS = """\
## 学习目标

## 学习目标

## Objectives

## Objectives

## Objectives {#objectives_1}

## Use `code` and **bold**, [a link](x.md) & more

!!! note
    ### Inside a note

A paragraph with an id
{: #para-id }

Text with a footnote.[^n]

[^n]: The note.
"""


def _settings_with_mkdocs_yml(tmp_path: Path, toc: str):
    import re

    from kb.project.settings import REPO_ROOT

    config = (REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(re.sub(r"  - toc:\n      permalink: true\n", toc, config), encoding="utf-8")
    return tmp_path / "mkdocs.yml"


@pytest.mark.parametrize("toc", [
    "  - toc:\n      permalink: true\n",  # the project's: toc's default slugify (Chinese headings get _1, _2)
    "  - toc:\n      slugify: !!python/name:markdown.extensions.toc.slugify_unicode\n",
    "  - toc:\n      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}\n",
], ids=["default", "slugify_unicode", "pymdownx-slugs"])
def test_anchors_are_the_ids_of_the_rendered_page(toc: str, tmp_path: Path):
    """page_anchors against the ids in HTML that Python-Markdown renders, configured from mkdocs.yml
    the way MkDocs is (its built-in toc, tables, fenced_code; the slugify mkdocs.yml names)."""
    import re

    import markdown
    import yaml
    from mkdocs.utils.yaml import get_yaml_loader

    from kb.checks.page import page_anchors

    mkdocs_yml = _settings_with_mkdocs_yml(tmp_path, toc)
    raw = yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=get_yaml_loader())  # MkDocs' own reading
    names, configs = ["toc", "tables", "fenced_code"], {}
    for item in raw["markdown_extensions"]:
        name, config = (item, {}) if isinstance(item, str) else next(iter(item.items()))
        names.append(name)
        configs[name] = config or {}
    html = markdown.Markdown(extensions=list(dict.fromkeys(names)), extension_configs=configs).convert(ANCHORS)
    expected = set(re.findall(r'\bid="([^"]+)"', html))

    page = _page(ANCHORS)
    ctx = _context(tmp_path, mkdocs_yml)
    assert page_anchors(page, ctx) == expected
    headings = [i for i in re.findall(r'<h[1-6] id="([^"]+)"', html)]
    assert len(headings) == len(page.headings) == 7
    if "slugify" not in toc:
        assert headings[:5] == ["_1", "_2", "objectives", "objectives_2", "objectives_1"]


def _context(root: Path, mkdocs_yml: Path):
    from types import SimpleNamespace

    from kb.content.safety import Renderer

    memo: dict = {"markdown-renderer": Renderer(mkdocs_yml)}

    def remember(key, make):
        if key not in memo:
            memo[key] = make()
        return memo[key]

    return SimpleNamespace(data=SimpleNamespace(memo=remember, settings=SimpleNamespace(root=root)))
