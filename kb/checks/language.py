"""Language rules: text in the wrong language, Traditional characters on Simplified pages, and
Chinese copywriting typography (spacing and punctuation between Chinese and Latin text)."""

from __future__ import annotations

import re
from functools import cache

from kb.checks import Context, Scope, finding, rule
from kb.content.pages import GAP_RE, Page
from kb.project.findings import Finding

HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HAN_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
URL_RE = re.compile(r"(?:https?://|www\.)\S+")
LINK_TARGET_RE = re.compile(r"\]\([^()]*\)")
ATTR_RE = re.compile(r"\{[^{}]*\}")
HTML_TAG_RE = re.compile(r"<[^<>]+>")
PAREN_RE = re.compile(r"（[^（）]*）|\([^()]*\)|《[^《》]*》|“[^“”]*”|「[^「」]*」|\"[^\"]*\"")
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
STOPWORDS = frozenset(
    "the of and to is are was were be been in for with that this these those on by as at from it its "
    "which will can should must may not or an a has have had their they we you your our".split()
)


def _clean(text: str) -> str:
    text = URL_RE.sub(" ", text)
    text = LINK_TARGET_RE.sub("]", text)
    text = ATTR_RE.sub(" ", text)
    text = HTML_TAG_RE.sub(" ", text)
    return GAP_RE.sub(" ", text)


def _terms_re(ctx: Context, lang: str) -> re.Pattern[str]:
    """One alternation of every glossary form in *lang* (longest first), compiled once per glossary.
    English forms shorter than 4 letters are left out: they are not prose."""
    def make() -> re.Pattern[str]:
        forms = sorted({f for term in ctx.data.glossary for f in term.forms(lang) if lang == "zh" or len(f) > 3},
                       key=len, reverse=True)
        return re.compile("|".join(map(re.escape, forms)) or r"(?!x)x", 0 if lang == "zh" else re.IGNORECASE)

    return ctx.data.memo(("untranslated-terms", lang), make)


# --- untranslated ---------------------------------------------------------------------------------------
@rule(Scope.PAGE)
def check_untranslated(page: Page, ctx: Context) -> list[Finding]:
    if page.text is None:
        return []
    out = []
    if page.lang == "en":
        zh_terms = _terms_re(ctx, "zh")
        for line, text in page.prose:
            if not HAN_RUN_RE.search(text):  # what follows only takes characters out
                continue
            text = zh_terms.sub(" ", PAREN_RE.sub(" ", _clean(text)))
            han = "".join(HAN_RUN_RE.findall(text))
            if len(han) >= 4:
                out.append(finding("untranslated", "chinese-on-english", page, line, sample=han[:20]))
    elif page.lang == "zh":
        en_terms = _terms_re(ctx, "en")
        for line, text in page.prose:
            if not WORD_RE.search(text):
                continue
            lowered = en_terms.sub(" ", PAREN_RE.sub(" ", _clean(text)))
            for run in re.split(r"[\u3000-\u303f\uff00-\uffef\u3400-\u9fff]+|[.;:!?]\s", lowered):
                words = WORD_RE.findall(run)
                stop = sum(1 for w in words if w.lower() in STOPWORDS)
                if len(words) >= 6 and stop >= 2:
                    out.append(finding("untranslated", "english-on-chinese", page, line, sample=" ".join(words[:8])))
                    break
    return out


# --- traditional characters -------------------------------------------------------------------------------
@cache
def _converter(config: str):
    import opencc

    return opencc.OpenCC(f"{config}.json")


@cache
def is_traditional_form(char: str) -> bool:
    """Whether *char*, which OpenCC converts to Simplified, is a Traditional form rather than a
    variant (异体字) of a character Simplified and Traditional text share. OpenCC's character table
    holds both relations: Traditional → Simplified (後→后, 陞→升) and variant → standard form
    (冑→胄, 皁→皂, merged in 1955). CC-CEDICT (hanzidentifier's character sets) tells them apart:
    it reads 冑 and 皁 as Simplified too, 後 and 陞 only as Traditional. It also reads some regional
    forms of Traditional characters as Simplified (衞, the Hong Kong form of 衛; 閲, of 閱): a
    character that OpenCC's Hong Kong, Taiwan or Japanese variant tables turn into a Traditional-only
    character counts as Traditional too."""
    import hanzidentifier

    if not hanzidentifier.is_simplified(char):
        return True
    for config in ("hk2t", "tw2t", "jp2t"):
        standard = _converter(config).convert(char)
        if standard != char and len(standard) == 1 and not hanzidentifier.is_simplified(standard):
            return True
    return False


def _in_gb2312(text: str) -> bool:
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _reproduced(text: str) -> set[str]:
    """Characters of *text* that OpenCC writes itself when converting *text*'s Simplified form back to
    Traditional (Mainland, Taiwan or Hong Kong standard): 乾 in 乾燥, 後 in 之後; not 袷 in 袷衣."""
    found: set[str] = set()
    for back in ("t2s", "hk2s", "tw2s"):
        simp = _converter(back).convert(text)
        if simp == text or len(simp) != len(text):
            continue
        for fwd in ("s2t", "s2tw", "s2hk"):
            trad = _converter(fwd).convert(simp)
            if len(trad) == len(text):
                found.update(a for a, b, t in zip(text, simp, trad, strict=True) if a != b and a == t)
    return found


def traditional_chars(text: str) -> list[tuple[str, str]]:
    """(character, Simplified form) of every Traditional character in *text*, by OpenCC.

    t2s (and hk2s for Hong Kong forms such as 衞) is not run over the text alone: OpenCC's phrase
    exceptions are keyed by Traditional text, so converting text that is already Simplified loses
    them (乾安县 would become 干安县, 毕昇 毕升). A character counts only where the round trip
    Simplified → Traditional → Simplified (s2t∘t2s, s2hk∘hk2s) changes it too, i.e. where OpenCC does
    not keep it in this context. A character that is itself in GB 2312 (乾, 於, 袷) must in addition be
    what OpenCC writes for the Traditional form of the phrase (乾燥 yes, 袷衣 no)."""
    if _converter("hk2s").convert(text) == text:  # hk2s is t2s plus the Hong Kong forms: nothing to convert
        return []
    pairs: set[tuple[str, str]] = set()
    for fwd, back in (("s2t", "t2s"), ("s2hk", "hk2s")):
        simp = _converter(back).convert(text)
        if simp == text:
            continue
        if len(simp) != len(text):  # a phrase changed length: compare run by run of Chinese characters
            runs = HAN_RUN_RE.findall(text)
            if len(runs) > 1:
                pairs.update(p for run in runs for p in traditional_chars(run))
            continue
        trip = _converter(back).convert(_converter(fwd).convert(text))
        if len(trip) != len(text):
            trip = simp
        # OpenCC also maps some characters in normal mainland use (二噁英) to rare standard forms
        # (𫫇) outside GB 2312; only a replacement in GB 2312 means the original is Traditional.
        pairs.update((a, b) for a, b, r in zip(text, simp, trip, strict=True) if a != b and r != a and _in_gb2312(b))
    if any(_in_gb2312(a) for a, _ in pairs):
        reproduced = _reproduced(text)
        pairs = {(a, b) for a, b in pairs if not _in_gb2312(a) or a in reproduced}
    return sorted(pairs)


@rule(Scope.PAGE)
def check_traditional(page: Page, ctx: Context) -> list[Finding]:
    if page.lang != "zh" or page.text is None:
        return []
    out = []
    lines = [(1, page.meta.get("title", "") if isinstance(page.meta.get("title"), str) else "")] + page.prose
    for line, text in lines:
        if not HAN_RE.search(text):
            continue
        pairs = traditional_chars(text)
        # A character in GB 2312 (於, 乾) is reported only where OpenCC writes it in this context
        # (traditional_chars): that use is Traditional, whatever else the character is.
        traditional = [(a, b) for a, b in pairs if _in_gb2312(a) or is_traditional_form(a)]
        variants = [(a, b) for a, b in pairs if not (_in_gb2312(a) or is_traditional_form(a))]
        for rule_id, found in (("traditional-chars", traditional), ("variant-chars", variants)):
            if found:
                shown = "、".join(f"{a}→{b}" for a, b in found[:8])
                out.append(finding(rule_id, "found", page, line, chars=shown))
    return out


# --- Chinese typography ----------------------------------------------------------------------------------
@rule(Scope.PAGE)
def check_zh_typography(page: Page, ctx: Context) -> list[Finding]:
    if page.lang != "zh" or page.text is None:
        return []
    import autocorrect_py

    try:
        result = autocorrect_py.lint_for(page.text, page.path if page.path.endswith(".md") else "page.md")
    except Exception:
        return []
    out = []
    for item in result.lines:
        old, new = item.old.strip(), item.new.strip()
        out.append(finding("zh-typography", "spacing", page, item.line, old=old[:80], new=new[:80]))
    return out


# Number ranges (GB/T 15834-2011, 连接号): a range of values takes the wave dash "～" (50～80 人，第 6～8 款);
# the start and end of a period of time takes the one-em dash "—" (2025—2028 年). No spaces around either.
# The hyphen is left alone: it is the separator of dates (2026-12-31), standard numbers (GB 15581-2016)
# and codes, not a range mark. "50 至 80" between two bare numbers is one more way of writing the same range.
RANGE_RE = re.compile(r"(?<![\d.:])(\d[\d,.]*%?)(\s*)([–—―~～]|至)(\s*)(\d[\d,.]*%?)(?![\d.:])")
YEAR_RE = re.compile(r"^(?:1[5-9]|20)\d\d$")


def number_ranges(text: str) -> list[tuple[str, str]]:
    """(as written, as GB/T 15834 writes it) for every number range in *text* that is written otherwise."""
    out = []
    for m in RANGE_RE.finditer(_clean(text)):
        start, gap1, dash, gap2, end = m.groups()
        expected = "—" if YEAR_RE.match(start) and YEAR_RE.match(end) else "～"
        if dash != expected or gap1 or gap2:
            out.append((m.group(0), f"{start}{expected}{end}"))
    return out


@rule(Scope.PAGE)
def check_number_ranges(page: Page, ctx: Context) -> list[Finding]:
    if page.lang != "zh" or page.text is None:
        return []
    summary = page.meta.get("summary")
    fields = [(page.line_of(key), value) for key, value in (("title", page.title), ("summary", summary))
              if isinstance(value, str)]
    return [finding("zh-typography", "number-range", page, line, old=old, new=new)
            for line, text in [*fields, *page.prose] for old, new in number_ranges(text)]
