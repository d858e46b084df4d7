"""Numbers as a translator may legitimately write them, normalised so that a pair can be compared:
2017年8月16日 ↔ 16 August 2017, 10,000 ↔ 1 万, 50% ↔ 50 per cent, 1.5 亿 ↔ 150 million."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        1,
    )
    for m in names
}
EN_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
EN_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                 "ninety": 90, "hundred": 100, "half": 50, "twice": 2, "once": 1, "first": 1, "second": 2,
                 "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "dozen": 12, "double": 2})
ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ZH_MULT = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
EN_MULT = {"thousand": Decimal(1_000), "million": Decimal(1_000_000), "billion": Decimal(1_000_000_000)}

# A number not glued to a preceding letter (HgCl2, SDG5 and footnote ids are not quantities).
NUMBER_RE = re.compile(
    r"(?<![A-Za-z0-9_.^])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*(?P<mult>万|亿|thousand|million|billion)(?![A-Za-z]))?"
)
ZH_NUMERAL_RE = re.compile(r"(?P<num>[零〇一二两三四五六七八九十百千]+)(?=[个次期名位项场年月日天小时种类条款家人批轮份部分章节点倍周]|$)")
LIST_MARK_RE = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+")
FOOTNOTE_RE = re.compile(r"\[\^[^\]]*\]")
URLISH_RE = re.compile(r"(?:https?://|www\.)\S+|\]\([^)]*\)|\{[^{}]*\}|<[^>]+>|`[^`]*`|\[\[gap:[^\]]*\]\]")
HEADING_PREFIX_RE = re.compile(r"^\s*#{1,6}\s+")


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _zh_numeral(text: str) -> Decimal | None:
    """Small Chinese numerals as used for counts: 三, 十二, 二十, 一百. Larger forms are rare here."""
    total, current = 0, 0
    for ch in text:
        if ch in ZH_DIGITS:
            current = ZH_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "千":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
    return Decimal(total + current)


def canonical(value: Decimal) -> str:
    value = value.normalize()
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def clean_line(text: str) -> str:
    text = HEADING_PREFIX_RE.sub("", text)
    text = LIST_MARK_RE.sub(" ", text)  # list numbering is renumbered freely
    text = FOOTNOTE_RE.sub(" ", text)
    return URLISH_RE.sub(" ", text)


def numbers_in(text: str) -> list[str]:
    """Numbers that must appear on the other side: digits, with separators and 万/亿/million applied."""
    out = []
    for m in NUMBER_RE.finditer(clean_line(text)):
        value = _decimal(m.group("num"))
        if value is None:
            continue
        mult = m.group("mult")
        if mult:
            value *= ZH_MULT.get(mult) or EN_MULT[mult.lower()]
        out.append(canonical(value))
    return out


def words_in(text: str) -> set[str]:
    """Numbers written as words or in month names: these satisfy the other side but are not required."""
    found: set[str] = set()
    lowered = text.lower()
    for word in re.findall(r"[a-z]+", lowered):
        if word in EN_WORDS:
            found.add(str(EN_WORDS[word]))
        if word in MONTHS:
            found.add(str(MONTHS[word]))
    for m in ZH_NUMERAL_RE.finditer(text):
        value = _zh_numeral(m.group("num"))
        if value is not None:
            found.add(canonical(value))
    if "半" in text:
        found.add("50")
    # 2,000 ↔ 2 thousand; 1 万 ↔ 10 thousand: also accept the number with the multiplier removed
    for m in NUMBER_RE.finditer(clean_line(text)):
        value = _decimal(m.group("num"))
        if value is not None:
            found.add(canonical(value))
            for mult in (*ZH_MULT.values(), *EN_MULT.values()):
                found.add(canonical(value * mult))
    return found
