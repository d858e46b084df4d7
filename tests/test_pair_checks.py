"""The pair checks report every difference once, at its own line on the translation, with the
source line in the message; and what a translator may legitimately change stays quiet. Runs the
engine over the rule fixtures (tests/fixtures/rules/<rule>/{flag,clean}) and over pages made here."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import FIXTURES, make_project

from kb.checks.engine import run
from kb.checks.language import traditional_chars
from kb.checks.numbers import numbers_in, words_in, zh_number

RULES = FIXTURES / "rules"


def _findings(tmp_path: Path, settings_for, rule: str, case: str) -> set[tuple[str, int, str]]:
    project = make_project(tmp_path, RULES / rule / case)
    report = run(settings_for(project), lang="en")
    return {(f.path, f.line, f.code) for f in report.findings if f.rule == rule}


def _messages(tmp_path: Path, settings_for, rule: str, case: str, page: str) -> list[str]:
    project = make_project(tmp_path, RULES / rule / case)
    report = run(settings_for(project), lang="en")
    return [f.message for f in report.findings if f.rule == rule and f.path.endswith(page)]


def test_every_structural_difference_is_reported_at_its_own_line(tmp_path, settings_for):
    got = _findings(tmp_path, settings_for, "structure-mismatch", "flag")
    expected = {
        # a removed section (where it belongs) and a renamed one (at the renamed heading)
        ("docs/en/section-removed-and-renamed.md", 11, "heading-missing"),
        ("docs/en/section-removed-and-renamed.md", 19, "headings"),
        # a link dropped (in its section) and one added (at its line); the HTML link kept
        ("docs/en/links-dropped-and-added.md", 11, "link-missing"),
        ("docs/en/links-dropped-and-added.md", 15, "link-extra"),
        # a code block: language, line count; another: code outside comments
        ("docs/en/code-block-changed.md", 13, "code-lang"),
        ("docs/en/code-block-changed.md", 13, "code-lines"),
        ("docs/en/code-block-changed.md", 21, "code-content"),
        ("docs/en/addresses-changed.md", 11, "email-missing"),
        ("docs/en/addresses-changed.md", 13, "email-extra"),
        ("docs/en/bracket-left-open.md", 13, "brackets"),
        ("docs/en/heading-table-and-admonition-differ.md", 10, "count"),
        ("docs/en/heading-table-and-admonition-differ.md", 11, "headings"),
        ("docs/en/heading-table-and-admonition-differ.md", 17, "admonition-type"),
    }
    assert got == expected


def test_messages_name_the_source_line(tmp_path, settings_for):
    messages = _messages(tmp_path, settings_for, "structure-mismatch", "flag", "section-removed-and-renamed.md")
    assert any("docs/zh/section-removed-and-renamed.md:14" in m and "{#measures}" in m for m in messages)
    assert any("docs/zh/section-removed-and-renamed.md:22" in m and "{#lessons-learned}" in m for m in messages)


def test_language_versions_translated_comments_and_one_language_pages_are_not_differences(tmp_path, settings_for):
    assert _findings(tmp_path, settings_for, "structure-mismatch", "clean") == set()


def test_empty_and_copied_translations_are_untranslated(tmp_path, settings_for):
    got = _findings(tmp_path, settings_for, "untranslated", "flag")
    assert ("docs/en/target-empty.md", 10, "empty-target") in got
    assert ("docs/en/target-copied-from-source.md", 11, "same-as-source") in got
    assert not {f for f in _findings(tmp_path / "c", settings_for, "untranslated", "clean")}


def test_numbers_units_and_chinese_numerals_on_pages(tmp_path, settings_for):
    got = _findings(tmp_path, settings_for, "number-mismatch", "flag")
    assert ("docs/en/degree-unit-dropped.md", 10, "missing") in got
    messages = _messages(tmp_path / "m", settings_for, "number-mismatch", "flag", "chinese-numeral-changed.md")
    assert any("2500" in m for m in messages) and any("2400" in m for m in messages)
    assert not any("150000000" in m for m in messages)  # 一点五亿 = 150 million
    assert _findings(tmp_path / "c", settings_for, "number-mismatch", "clean") == set()


@pytest.mark.parametrize(("text", "value"), [
    ("三万", 30000), ("两千五百", 2500), ("一点五亿", 150_000_000), ("一千零五", 1005), ("二〇一七", 2017),
    ("三万亿", 3_000_000_000_000), ("十二", 12), ("一亿两千万", 120_000_000),
])
def test_chinese_numerals_are_read(text: str, value: int):
    assert zh_number(text) == value


def test_numbers_keep_degree_units_and_decimals_and_skip_codes():
    assert numbers_in("180° turn") == ["180°"]
    assert "180°" not in set(numbers_in("180 turn")) | words_in("180 turn")
    assert "180°" in words_in("a 180 degree turn")
    assert numbers_in("25 ℃") == numbers_in("25°C") == ["25°C"]
    assert numbers_in("**4XX**（400 至 499）") == ["400", "499"]
    assert numbers_in("(٠٫٥×)") == ["0.5"]  # Arabic-Indic decimal separator
    assert numbers_in("1.5G and 12.34.56") == ["12.34"]  # a decimal is never split into 1 and 5
    assert numbers_in("千万不要，万一") == []  # idioms, not figures
    assert "10" in words_in("10MW")  # glued digits satisfy the other side but are not required
    assert numbers_in("10MW") == []


@pytest.mark.parametrize("text", ["吉林省乾安县", "毕昇发明了活字印刷", "幺麽小丑", "二噁英", "袷衣", "几率和概率", "演算法"])
def test_simplified_text_is_not_traditional(text: str):
    assert traditional_chars(text) == []


@pytest.mark.parametrize(("text", "char"), [("之後", "後"), ("乾燥的天氣", "乾"), ("於是", "於"), ("世界衞生组织", "衞"),
                                            ("這個演算法", "這")])
def test_traditional_characters_are_found(text: str, char: str):
    assert char in {a for a, _ in traditional_chars(text)}


def test_variant_characters_are_a_note_and_traditional_forms_an_error(tmp_path, settings_for):
    """冑 and 皁 are variants (异体字) merged into 胄 and 皂, characters Simplified and Traditional
    text share (CC-CEDICT reads them as Simplified too): a note, not Traditional characters.
    衞 (the Hong Kong form of 衛), 後 and 於 in 於是 on the same page stay errors."""
    project = make_project(tmp_path, RULES / "variant-chars" / "flag")
    report = run(settings_for(project), lang="en")
    rules = ("traditional-chars", "variant-chars")
    got = {(f.line, f.rule, f.severity) for f in report.findings if f.rule in rules}
    assert got == {(11, "variant-chars", "info"), (13, "variant-chars", "info"), (17, "traditional-chars", "error")}
    messages = {f.line: f.message for f in report.findings if f.rule in rules}
    assert "冑→胄" in messages[11] and "皁→皂" in messages[13]
    assert "衞→卫" in messages[17] and "後→后" in messages[17] and "於→于" in messages[17]  # 於 in GB 2312, Traditional here


@pytest.mark.parametrize(("char", "traditional"), [("冑", False), ("皁", False), ("汙", False), ("後", True), ("髮", True),
                                                  ("陞", True), ("覈", True), ("衞", True), ("閲", True)])
def test_traditional_forms_are_told_from_variants(char: str, traditional: bool):
    """CC-CEDICT's character sets, plus OpenCC's regional variant tables for 衞 (Hong Kong) and 閲."""
    from kb.checks.language import is_traditional_form

    assert is_traditional_form(char) is traditional


def test_reference_links_are_compared_by_their_targets(tmp_path, settings_for):
    """[text][label] links count like inline ones: the dropped one is missing where its section is
    (line 11), the added one is extra at its line; [glossary][] = [术语表][] (same target) is quiet."""
    got = _findings(tmp_path, settings_for, "structure-mismatch", "flag-reference-link-dropped")
    assert got == {("docs/en/reference-link-dropped.md", 11, "link-missing"),
                   ("docs/en/reference-link-dropped.md", 13, "link-extra")}
