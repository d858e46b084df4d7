"""The page parser: front matter with line numbers, headings with ids, blocks, links, gaps."""

from __future__ import annotations

from kb.pages import body_hash, parse_page

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
