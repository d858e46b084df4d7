"""Personal data written to slip past the rule is read as the reader sees it: invisible and formatting
characters, character references, markup, emphasis, comments, brackets and a line break inside a
number; e-mail addresses with [at] / &#64;. Amounts with their unit in the text and batch numbers
stay unflagged."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.checks import Context
from kb.checks.page import check_pii
from kb.content.pages import parse_page
from kb.project.data import ProjectData

MOBILE = "13800138000"
FRONT = "---\ntitle: 联系\ntype: page\ntrack: general\nreview: {status: draft, approvals: []}\n---\n\n"
# every character Unicode classes as invisible formatting (Cf) in this Python's database, and the other
# default-ignorable code points (DerivedCoreProperties.txt: CGJ, Hangul fillers, variation selectors,
# Mongolian FVS, musical formatting, tags), written out here so a change to the rule's list is seen
DEFAULT_IGNORABLE_NOT_CF = [chr(c) for low, high in (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180D), (0x180F, 0x180F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
    for c in range(low, high + 1) if unicodedata.category(chr(c)) != "Cf"]
FORMAT_CHARS = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"] + DEFAULT_IGNORABLE_NOT_CF
# every space, line and paragraph separator (Zs, Zl, Zp): seen as a space, as between 138 0013 8000
SPACE_CHARS = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Zs", "Zl", "Zp")]


def _codes(body: str) -> list[tuple[str, int]]:
    page = parse_page("docs/zh/contact.md", "zh", "contact.md", (FRONT + body).encode("utf-8"))
    ctx = Context(data=ProjectData.__new__(ProjectData), today=None, email_allowlist_domains=("undp.org",))  # type: ignore[arg-type]
    return [(f.code, f.line) for f in check_pii(page, ctx)]


@pytest.mark.parametrize("written", [
    "138\u200b0013\u200b8000", "138\u00ad0013\u00ad8000", "138\u20600013\u20608000", "138\ufeff00138000",
    "&#49;3800138000", "&#x31;&#x33;800138000", "138<b>0013</b>8000", "138**0013**8000", "138_0013_8000",
    "138<!-- -->00138000", "+86 (138) 0013 8000", "138 0013\u202e 8000",
])
def test_a_mobile_number_split_by_what_the_reader_does_not_see_is_found(written: str):
    assert _codes(f"请联系：{written}。\n") == [("mobile", 8)]


def test_a_number_broken_across_two_lines_is_reported_at_the_first():
    assert _codes("请联系 138 0013\n8000 了解详情。\n") == [("mobile", 8)]


@pytest.mark.parametrize("written", ["wang[at]example.com", "wang (at) example [dot] com", "wang&#64;example.com",
                                     "wang＠example．com"])
def test_an_email_address_written_to_dodge_the_at_sign_is_found(written: str):
    assert _codes(f"邮箱：{written}\n") == [("email", 8)]


@pytest.mark.parametrize("text", ["年产量 13800138000 吨。", "批号 13800138000。", "| 数量（吨） |\n|---|\n| 1380 |\n",
                                  "wang at the meeting, 2026"])
def test_amounts_batches_and_ordinary_words_are_not_flagged(text: str):
    assert _codes(text + "\n") == []


def test_every_invisible_formatting_character_is_read_through():
    missed = [f"U+{ord(c):04X}" for c in FORMAT_CHARS if _codes(f"电话 138{c}0013{c}8000\n") != [("mobile", 8)]]
    assert not missed, f"not read through: {missed}"


def test_every_space_line_and_paragraph_separator_between_digit_groups_is_read_as_a_space():
    missed = [f"U+{ord(c):04X}" for c in SPACE_CHARS if _codes(f"电话 138{c}0013{c}8000\n") != [("mobile", 8)]]
    assert not missed, f"not read through: {missed}"
    assert {"\u1680", "\u2028", "\u2029", "\u3000"} <= set(SPACE_CHARS)  # the ones NFKC leaves alone among them


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=len(MOBILE) - 1), st.sampled_from(FORMAT_CHARS)),
                min_size=1, max_size=6))
def test_a_number_split_anywhere_by_any_formatting_characters_is_found(cuts: list[tuple[int, str]]):
    written = MOBILE
    for position, char in sorted(cuts, reverse=True):
        written = written[:position] + char + written[position:]
    assert _codes(f"手机：{written}\n") == [("mobile", 8)]


@pytest.mark.parametrize("url", ["https://www.chinanews.com/gn/2014/07-24/6421915.shtml",
                                 "http://faculty.example.edu.cn/1380013800/zh_CN/index.htm"])
def test_digits_in_a_source_address_are_not_personal_data(url: str):
    assert _codes(f"来源：[报道]({url})；{url}\n") == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=len(MOBILE) - 1), st.sampled_from(FORMAT_CHARS)),
                max_size=6),
       st.lists(st.tuples(st.integers(min_value=1, max_value=len(MOBILE) - 1), st.sampled_from(SPACE_CHARS)),
                min_size=1, max_size=4, unique_by=lambda cut: cut[0]),
       st.sampled_from(["手机：{}\n", "电话 {}（办公室）\n", "Tel. {}.\n"]))
def test_a_number_split_by_invisible_characters_and_any_kind_of_space_is_found(
        invisible: list[tuple[int, str]], spaces: list[tuple[int, str]], sentence: str):
    """Any mix of invisible characters (any number per gap) and spaces of every kind (one per gap, as
    a reader sees 138 0013 8000), in a Chinese or an English sentence."""
    written = MOBILE
    for position, char in sorted(invisible + spaces, key=lambda cut: cut[0], reverse=True):
        written = written[:position] + char + written[position:]
    found = _codes(sentence.format(written))
    assert ("mobile", 8) in found and all(code == "mobile" for code, _ in found)
