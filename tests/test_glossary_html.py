"""annotate(): glossary terms wrapped in <abbr class="kb-term"> in page HTML (no build needed)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from kb.project.data import GlossaryTerm, load_glossary
from kb.web.glossary_html import annotate

ROOT = Path(__file__).resolve().parents[1]


def term(id_: str, zh: str, en: str, *, zh_aliases=(), en_aliases=(), zh_def="", en_def="") -> GlossaryTerm:
    return GlossaryTerm(
        id=id_, zh=zh, en=en, zh_aliases=tuple(zh_aliases), en_aliases=tuple(en_aliases), track="general",
        definition={"zh": zh_def or f"{zh}的定义", "en": en_def or f"definition of {en}"},
    )


MERCURY = term("mercury", "汞", "mercury", zh_aliases=["水银"], en_aliases=["Hg", "elemental mercury"],
               zh_def="元素汞。", en_def="Elemental mercury.")
COMPOUND = term("mercury-compound", "汞化合物", "mercury compound")
LOW_CAT = term("low-mercury-catalyst", "低汞触媒", "low-mercury catalyst", zh_aliases=["低汞催化剂"])
GAP = term("gender-action-plan", "性别行动计划", "gender action plan", en_aliases=["GAP"])
TERMS = [MERCURY, COMPOUND, LOW_CAT, GAP]


def abbrs(out: str) -> list[tuple[str, str]]:
    """(term id, wrapped text) of every kb-term abbr, in order."""
    return re.findall(r'<abbr class="kb-term" title="[^"]*" data-term-id="([^"]+)">(.*?)</abbr>', out, re.S)


def test_first_occurrence_only():
    out = annotate("<p>汞是一种金属。汞有毒。</p><p>水银也是汞。</p>", TERMS, "zh")
    assert abbrs(out) == [("mercury", "汞")]
    assert out == '<p><abbr class="kb-term" title="元素汞。" data-term-id="mercury">汞</abbr>是一种金属。汞有毒。</p><p>水银也是汞。</p>'


def test_longest_match_first_chinese():
    out = annotate("<p>使用低汞触媒可以减少汞化合物的排放。</p>", TERMS, "zh")
    assert abbrs(out) == [("low-mercury-catalyst", "低汞触媒"), ("mercury-compound", "汞化合物")]
    # 汞 inside the longer terms is not wrapped on its own
    assert "mercury\"" not in out


def test_used_term_still_claims_its_text():
    # the second 汞化合物 is not annotated again, and 汞 inside it is not taken for "mercury"
    out = annotate("<p>汞化合物。</p><p>汞化合物和汞。</p>", TERMS, "zh")
    assert abbrs(out) == [("mercury-compound", "汞化合物"), ("mercury", "汞")]
    assert out.endswith('汞化合物和<abbr class="kb-term" title="元素汞。" data-term-id="mercury">汞</abbr>。</p>')


def test_aliases_match():
    out = annotate("<p>水银温度计。</p>", TERMS, "zh")
    assert abbrs(out) == [("mercury", "水银")]
    out = annotate("<p>Readings of elemental mercury and Hg.</p>", TERMS, "en")
    assert abbrs(out) == [("mercury", "elemental mercury")]


def test_english_case_insensitive_on_word_boundaries():
    out = annotate("<p>The mercuryx sample and Mercuryfree text; then Mercury.</p>", TERMS, "en")
    assert abbrs(out) == [("mercury", "Mercury")]
    out = annotate("<p>xmercury is not a word, but mercury is.</p>", TERMS, "en")
    assert abbrs(out) == [("mercury", "mercury")]


def test_english_plural_and_longest():
    out = annotate("<p>Mercury compounds and Low-Mercury Catalysts.</p>", TERMS, "en")
    assert abbrs(out) == [("mercury-compound", "Mercury compounds"), ("low-mercury-catalyst", "Low-Mercury Catalysts")]


def test_english_term_across_line_break():
    out = annotate("<p>a mercury\ncompound here</p>", TERMS, "en")
    assert abbrs(out) == [("mercury-compound", "mercury\ncompound")]


def test_acronyms_are_case_sensitive():
    out = annotate("<p>Mind the gap. The GAP says so.</p>", TERMS, "en")
    assert abbrs(out) == [("gender-action-plan", "GAP")]


def test_code_links_headings_and_more_untouched():
    src = (
        "<h1>汞</h1><h2 id=\"x\">汞化合物<a class=\"headerlink\" href=\"#x\">¶</a></h2>"
        "<p><a href=\"/m/\">汞</a> <code>汞</code> <kbd>汞</kbd></p><pre><code>汞化合物</code></pre>"
        "<button>汞</button><label>汞</label><script>var s = '汞';</script><style>/* 汞 */</style>"
        "<p><abbr title=\"x\">汞</abbr></p><p>正文里的汞。</p>"
    )
    out = annotate(src, TERMS, "zh")
    assert abbrs(out) == [("mercury", "汞")]
    assert out == src.replace("正文里的汞。", '正文里的<abbr class="kb-term" title="元素汞。" data-term-id="mercury">汞</abbr>。')


def test_nested_inline_markup_is_annotated_but_link_text_is_not():
    out = annotate('<p><strong>汞</strong> and <a href="#"><em>汞化合物</em></a></p>', TERMS, "zh")
    assert abbrs(out) == [("mercury", "汞")]
    assert '<a href="#"><em>汞化合物</em></a>' in out


def test_quiz_sections_untouched():
    src = (
        '<p>前言</p><h2 id="exercises">练习</h2><ol><li>汞是什么？<ul><li>汞化合物</li></ul></li></ol>'
        '<h2 id="answers">参考答案</h2><ol><li>A。低汞触媒。</li></ol>'
        '<h2 id="sources">资料来源</h2><p>汞和低汞触媒</p>'
    )
    out = annotate(src, TERMS, "zh")
    assert abbrs(out) == [("mercury", "汞"), ("low-mercury-catalyst", "低汞触媒")]
    assert out.index("kb-term") > out.index('id="sources"')


def test_title_is_escaped():
    tricky = term("tricky", "汞齐", "amalgam", zh_def='含 "引号" & <尖括号> 与 \'撇号\'', en_def="a & b")
    out = annotate("<p>汞齐</p>", [tricky], "zh")
    title = re.search(r'title="([^"]*)"', out).group(1)
    # angle brackets full-width: Material's tooltip puts the title into the page as HTML (kb.content.safety.tooltip_text)
    assert html.unescape(title) == '含 "引号" & ＜尖括号＞ 与 \'撇号\''
    assert "<尖" not in title and '"引' not in title


def test_rest_of_document_preserved_byte_for_byte():
    src = (
        "<!-- note 汞 -->\n<p class='x'  data-a=b>AT&amp;T &#27700; &nbsp; 汞<br/>\n"
        "<img alt=\"汞\" src=\"a.png\">汞</p>\n<table><tr><td>汞化合物</td></tr></table>\n"
    )
    out = annotate(src, TERMS, "zh")
    wrapped = '<abbr class="kb-term" title="元素汞。" data-term-id="mercury">汞</abbr>'
    assert out == src.replace("&nbsp; 汞<br/>", f"&nbsp; {wrapped}<br/>", 1).replace(
        "<td>汞化合物</td>", '<td><abbr class="kb-term" title="汞化合物的定义" data-term-id="mercury-compound">汞化合物</abbr></td>')


def test_idempotent():
    src = "<p>汞和汞化合物。</p><p>低汞触媒</p>"
    once = annotate(src, TERMS, "zh")
    assert annotate(once, TERMS, "zh") == once
    en = annotate("<p>Mercury and the GAP.</p>", TERMS, "en")
    assert annotate(en, TERMS, "en") == en


def test_no_terms_or_no_text():
    assert annotate("<p>nothing</p>", [], "zh") == "<p>nothing</p>"
    assert annotate("", TERMS, "zh") == ""
    assert annotate("<p>没有术语</p>", TERMS, "zh") == "<p>没有术语</p>"


def test_chinese_latin_form_needs_boundary():
    pvc = term("polyvinyl-chloride", "聚氯乙烯", "polyvinyl chloride", zh_aliases=["PVC"])
    out = annotate("<p>XPVC 和 PVC 行业</p>", [pvc], "zh")
    assert abbrs(out) == [("polyvinyl-chloride", "PVC")]
    assert out.startswith("<p>XPVC 和 <abbr")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_real_glossary_on_real_module_text(lang):
    terms = load_glossary(ROOT / "data" / "glossary.yml")
    text = (ROOT / "docs" / lang / "mercury" / "modules" / "02-low-mercury-catalyst.md").read_text(encoding="utf-8")
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines() if line and not line.startswith(("#", "-")))
    out = annotate(body, terms, lang)
    ids = [i for i, _ in abbrs(out)]
    assert ids, "expected some glossary terms in the module text"
    assert len(ids) == len(set(ids)), "each term is wrapped at most once per page"
    assert re.sub(r'<abbr class="kb-term" title="[^"]*" data-term-id="[^"]+">(.*?)</abbr>', r"\1", out) == body
