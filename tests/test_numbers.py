"""Number normalisation: what a translator may legitimately change must compare equal."""

from __future__ import annotations

import pytest

from kb.checks.numbers import numbers_in, words_in


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("2017 年 8 月 16 日", "16 August 2017"),
        ("2017年8月16日", "August 16, 2017"),
        ("共 1 万人", "10,000 people"),
        ("1.5 亿元", "150 million yuan"),
        ("减少 50%", "a cut of 50 per cent"),
        ("10,000 吨", "10000 tonnes"),
        ("三期培训", "3 trainings"),
        ("第 21 条", "Article 21"),
        ("2025–2028 年", "2025-2028"),
    ],
)
def test_legitimate_translations_keep_every_number(zh: str, en: str):
    assert set(numbers_in(zh)) <= set(numbers_in(en)) | words_in(en)
    assert set(numbers_in(en)) <= set(numbers_in(zh)) | words_in(zh)


def test_list_numbering_footnotes_and_chemical_formulas_are_not_quantities():
    assert numbers_in("1. 氯化汞（HgCl2）[^3]") == []
    assert numbers_in("12. See SDG5 and CO2") == []


def test_a_changed_number_is_still_a_difference():
    assert "40" not in set(numbers_in("减少 50%")) | words_in("减少 50%")
