"""The glossary page: one section per programme, Chinese terms in pinyin order (pypinyin), English ones
alphabetical; the built page lists the sections and keeps every term's anchor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sitebuild import FIXTURES, build, make_project

from kb.content.glossary import sort_key

GLOSSARY = "---\ntitle: {title}\ntype: glossary\ntrack: general\ntemplate: kb-glossary.html\nreview: {{status: draft, approvals: []}}\n---\n"


def test_chinese_terms_sort_by_pinyin_not_by_code_point():
    terms = ["汞", "催化剂", "氯乙烯", "电石法", "触媒", "安全"]
    assert sorted(terms, key=lambda t: sort_key(t, "zh")) == ["安全", "触媒", "催化剂", "电石法", "汞", "氯乙烯"]
    assert sorted(terms) != sorted(terms, key=lambda t: sort_key(t, "zh"))  # code-point order differs
    assert sorted(["mercury", "Annex B", "catalyst"], key=lambda t: sort_key(t, "en")) == ["Annex B", "catalyst", "mercury"]


@pytest.mark.build
def test_the_glossary_page_has_a_section_per_programme_in_pinyin_order(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    for lang, title in (("zh", "术语表"), ("en", "Glossary")):  # a glossary page: its template prints data/glossary.yml
        (project / "docs" / lang / "glossary.md").write_text(GLOSSARY.format(title=title), encoding="utf-8")
    build(project, check=False)
    html = (project / "site" / "glossary" / "index.html").read_text(encoding="utf-8")
    sections = re.findall(r'<h2 id="glossary-([a-z]+)"', html)
    assert sections and sections == [s for s in ("mercury", "gender", "general") if s in sections]
    assert 'href="#glossary-mercury"' in html
    for section in re.split(r'<h2 id="glossary-', html)[1:]:
        terms = re.findall(r'<dt id="term-[^"]+" lang="zh-CN">([^<]+?) <span', section)
        assert terms == sorted(terms, key=lambda t: sort_key(t, "zh")), terms
