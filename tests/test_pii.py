"""The personal-data rule on the forms numbers take in real pages: spaced, full-width, with country
codes, bank cards; and what it must leave alone: quantities, batch numbers, standards, dates."""

from __future__ import annotations

import pytest

from kb.checks.engine import make_context
from kb.checks.page import check_pii
from kb.content.pages import parse_page
from kb.project.data import ProjectData
from kb.project.settings import load_settings

SETTINGS = load_settings()
CTX = make_context(SETTINGS, ProjectData(SETTINGS), frozenset(), False)


def _codes(line: str) -> list[str]:
    page = parse_page("docs/zh/p.md", "zh", "p.md", f"---\ntitle: p\n---\n\n{line}\n".encode())
    return [f.code for f in check_pii(page, CTX)]


@pytest.mark.parametrize(("line", "code"), [
    ("办公电话 010 6234 5678", "landline"),
    ("电话 0755 8888 6666。", "landline"),
    ("Tel. +86-10-62345678", "landline"),
    ("电话 010-62345678", "landline"),
    ("电话（010）62345678", "landline"),
    ("手机 138 0013 8000", "mobile"),
    ("手机 １３８００１３８０００", "mobile"),
    ("身份证 110105 19491231 002X", "resident-id"),
    ("卡号 6222 0202 0000 0000 006", "bank-card"),
    ("邮箱 zhangsan＠163.com", "email"),
])
def test_personal_data_in_its_written_forms_is_flagged_once(line: str, code: str):
    assert _codes(line) == [code]


@pytest.mark.parametrize("line", [
    "年产量 13800138000 吨", "批号 01062345678", "GB 15581-2016", "2026-11-30 至 2026-12-01",
    "《国家危险废物名录》HW29 类 900-023-29", "联系邮箱 info@fecomee.org.cn",
])
def test_quantities_codes_dates_and_organisational_addresses_are_not_personal_data(line: str):
    assert _codes(line) == []


def test_the_line_prefilter_lets_through_every_character_python_reads_as_a_digit():
    """check_pii skips a line with no digit or @ before normalising it; a digit the prefilter did not
    know (², ①, ⑴: NFKC makes them ASCII digits) would hide a number on that line."""
    import sys

    from kb.checks.page import PII_TRIGGER_RE

    missed = [hex(cp) for cp in range(sys.maxunicode + 1) if chr(cp).isdigit() and not PII_TRIGGER_RE.match(chr(cp))]
    assert not missed
    assert PII_TRIGGER_RE.search("邮箱：someone＠example.org") and not PII_TRIGGER_RE.search("没有号码的一行 text")


def test_a_phone_number_in_circled_digits_is_still_read():
    assert _codes("联系：①③⑧ ⓪⓪①③ ⑧⓪⓪⓪") == ["mobile"]
