"""Numbers as a translator may legitimately write them, normalised so that a pair can be compared:
2017年8月16日 ↔ 16 August 2017, 10,000 ↔ 1 万, 50% ↔ 50 per cent, 1.5 亿 ↔ 150 million."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

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
ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
ZH_MULT = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
EN_MULT = {"thousand": Decimal(1_000), "million": Decimal(1_000_000), "billion": Decimal(1_000_000_000)}

# A number not glued to a letter: HgCl2, SDG5 and footnote ids before it, 4XX, 5G or 3D after it are
# names, not quantities. A degree sign or temperature unit is part of the number (180° is not 180).
NUMBER_RE = re.compile(
    r"(?<![A-Za-z0-9_.^])(?P<num>(?>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?))(?![A-Z]|xx)"
    r"(?:\s*(?P<mult>万|亿|thousand|million|billion)(?![A-Za-z]))?"
    r"(?:\s?(?P<unit>°C|°F|℃|℉|°))?"
)
# digits glued to letters: not required, but they satisfy the other side (10MW carries "10 MW")
GLUED_NUMBER_RE = re.compile(r"(?<=[A-Za-z])\d+(?:\.\d+)?|(?<![\d.])\d+(?:\.\d+)?(?=[A-Za-z])")
DEGREE_WORDS_RE = re.compile(r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>degrees?\s+(?:Celsius|centigrade)|摄氏度|degrees?|度)",
                             re.IGNORECASE)
UNITS = {"°": "°", "°C": "°C", "℃": "°C", "°F": "°F", "℉": "°F"}
# Chinese numerals: 三万, 两千五百, 一点五亿, 二〇一七
ZH_RUN_RE = re.compile(r"[零〇一二两三四五六七八九十百千万亿点]+")
ZH_MEASURE = "个次期名位项场年月日天小时种类条款家人批轮份部分章节点倍周吨元户台套座所千克公斤米"
# Arabic-Indic decimal and thousands separators (٠٫٥ is 0.5)
SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ","})
LIST_MARK_RE = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+")
FOOTNOTE_RE = re.compile(r"\[\^[^\]]*\]")
URLISH_RE = re.compile(r"(?:https?://|www\.)\S+|\]\([^()]*\)|\{[^{}]*\}|<[^<>]+>|`[^`]*`|\[\[gap:[^\[\]]*\]\]")
HEADING_PREFIX_RE = re.compile(r"^\s*#{1,6}\s+")


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _zh_section(text: str) -> Decimal | None:
    """A Chinese numeral without 万 or 亿: 三, 十二, 两千五百, 一千零五, 三点五, 二〇一七."""
    if not text:
        return Decimal(0)
    if "点" in text:
        whole, _, frac = text.partition("点")
        if not frac or any(c not in ZH_DIGITS for c in frac):
            return None
        value = _zh_section(whole)
        return None if value is None else value + Decimal("0." + "".join(str(ZH_DIGITS[c]) for c in frac))
    if all(c in ZH_DIGITS for c in text):  # digit by digit, as years are written
        return Decimal("".join(str(ZH_DIGITS[c]) for c in text))
    total, current = 0, None
    for ch in text:
        if ch in ZH_DIGITS:
            current = ZH_DIGITS[ch]
        elif ch in ZH_UNITS:
            total += (1 if current is None else current) * ZH_UNITS[ch]
            current = None
        else:
            return None
    return Decimal(total + (current or 0))


def zh_number(text: str) -> Decimal | None:
    """The value of a Chinese numeral (三万 30000, 两千五百 2500, 一点五亿 150000000, 三万亿), or None."""
    for ch, mult in (("亿", ZH_MULT["亿"]), ("万", ZH_MULT["万"])):
        if ch in text:
            left, _, right = text.partition(ch)
            lv = zh_number(left) if left else Decimal(1)
            rv = zh_number(right) if right else Decimal(0)
            if lv is None or rv is None:
                return None
            return lv * mult + rv
    return _zh_section(text)


def zh_numbers(text: str) -> tuple[list[str], set[str]]:
    """(required, accepted): Chinese numerals that are figures a translation must carry (they start
    with a digit and hold 万, 亿, 千, 百 or 点: 三万, 两千五百吨, 一点五亿), and every numeral that may
    stand for a number on the other side (also 三期, 十二个; idioms such as 千万 or 万一 are neither)."""
    required: list[str] = []
    accepted: set[str] = set()
    for m in ZH_RUN_RE.finditer(text):
        run = m.group(0).rstrip("点")
        if not run or run[0] not in ZH_DIGITS and run[0] != "十":
            continue
        value = zh_number(run)
        if value is None:
            continue
        after = text[m.end():m.end() + 1]
        if len(run) > 1 or after == "" or after in ZH_MEASURE:
            accepted.add(canonical(value))
        if len(run) > 1 and any(c in run for c in "万亿千百点") and run[0] != "十":
            required.append(canonical(value))
    return required, accepted


def canonical(value: Decimal) -> str:
    value = value.normalize()
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def clean_line(text: str) -> str:
    text = HEADING_PREFIX_RE.sub("", text)
    text = LIST_MARK_RE.sub(" ", text)  # list numbering is renumbered freely
    text = FOOTNOTE_RE.sub(" ", text)
    return URLISH_RE.sub(" ", text).translate(SEPARATORS)


def numbers_in(text: str) -> list[str]:
    """Numbers that must appear on the other side: digits, with separators and 万/亿/million applied
    and a degree unit kept (180°, 25°C), and Chinese numerals that are figures (三万, 一点五亿)."""
    return list(_numbers_in(text))


@lru_cache(maxsize=16384)
def _numbers_in(text: str) -> tuple[str, ...]:  # each line is read on both sides of a pair
    out = []
    cleaned = clean_line(text)
    for m in NUMBER_RE.finditer(cleaned):
        value = _decimal(m.group("num"))
        if value is None:
            continue
        mult = m.group("mult")
        if mult:
            value *= ZH_MULT.get(mult) or EN_MULT[mult.lower()]
        unit = m.group("unit")
        out.append(canonical(value) + (UNITS[unit] if unit else ""))
    out.extend(zh_numbers(cleaned)[0])
    return tuple(out)


def words_in(text: str) -> set[str]:
    """Numbers written as words or in month names: these satisfy the other side but are not required."""
    return set(_words_in(text))


@lru_cache(maxsize=16384)
def _words_in(text: str) -> frozenset[str]:
    found: set[str] = set()
    lowered = text.lower()
    for word in re.findall(r"[a-z]+", lowered):
        if word in EN_WORDS:
            found.add(str(EN_WORDS[word]))
        if word in MONTHS:
            found.add(str(MONTHS[word]))
    cleaned = clean_line(text)
    found |= zh_numbers(cleaned)[1]
    if "半" in text:
        found.add("50")
    for m in DEGREE_WORDS_RE.finditer(cleaned):  # 180 degrees, 180 度, 25 摄氏度
        value = _decimal(m.group("num"))
        if value is not None:
            celsius = "c" in m.group("unit").lower() or "摄氏" in m.group("unit")
            found.add(canonical(value) + ("°C" if celsius else "°"))
    # 2,000 ↔ 2 thousand; 1 万 ↔ 10 thousand: also accept the number with the multiplier removed
    for m in (*NUMBER_RE.finditer(cleaned), *GLUED_NUMBER_RE.finditer(cleaned)):
        value = _decimal(m.group("num") if "num" in m.re.groupindex else m.group(0))
        if value is not None:
            found.add(canonical(value))
            for mult in (*ZH_MULT.values(), *EN_MULT.values()):
                found.add(canonical(value * mult))
    return frozenset(found)
