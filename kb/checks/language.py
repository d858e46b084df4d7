"""Language rules: text in the wrong language, Traditional characters on Simplified pages, and
Chinese copywriting typography (spacing and punctuation between Chinese and Latin text)."""

from __future__ import annotations

import re
from functools import lru_cache

from kb.checks import Context, finding
from kb.findings import Finding
from kb.pages import GAP_RE, Page

HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HAN_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
URL_RE = re.compile(r"(?:https?://|www\.)\S+")
LINK_TARGET_RE = re.compile(r"\]\([^)]*\)")
ATTR_RE = re.compile(r"\{[^{}]*\}")
HTML_TAG_RE = re.compile(r"<[^>]+>")
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
def check_untranslated(page: Page, ctx: Context) -> list[Finding]:
    if page.text is None:
        return []
    out = []
    if page.lang == "en":
        zh_terms = _terms_re(ctx, "zh")
        for line, text in page.prose:
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
@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s.json")


def _in_gb2312(text: str) -> bool:
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def check_traditional(page: Page, ctx: Context) -> list[Finding]:
    if page.lang != "zh" or page.text is None:
        return []
    converter = _t2s()
    out = []
    lines = [(1, page.meta.get("title", "") if isinstance(page.meta.get("title"), str) else "")] + page.prose
    for line, text in lines:
        if not HAN_RE.search(text):
            continue
        simplified = converter.convert(text)
        if simplified == text:
            continue
        if len(simplified) == len(text):
            pairs = sorted({(a, b) for a, b in zip(text, simplified, strict=True) if a != b})
        else:  # a phrase conversion changed the length: name the characters that went away
            pairs = sorted({(a, converter.convert(a)) for a in set(text) - set(simplified)})
        # OpenCC also maps some characters in normal mainland use (二噁英) to rare standard forms
        # (𫫇) outside GB 2312; only a replacement in GB 2312 means the original is Traditional.
        pairs = [(a, b) for a, b in pairs if _in_gb2312(b)]
        if pairs:
            shown = "、".join(f"{a}→{b}" for a, b in pairs[:8])
            out.append(finding("traditional-chars", "found", page, line, chars=shown))
    return out


# --- Chinese typography ----------------------------------------------------------------------------------
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


def check_number_ranges(page: Page, ctx: Context) -> list[Finding]:
    if page.lang != "zh" or page.text is None:
        return []
    summary = page.meta.get("summary")
    fields = [(page.line_of(key), value) for key, value in (("title", page.title), ("summary", summary))
              if isinstance(value, str)]
    return [finding("zh-typography", "number-range", page, line, old=old, new=new)
            for line, text in [*fields, *page.prose] for old, new in number_ranges(text)]


LANGUAGE_CHECKS = (check_untranslated, check_traditional, check_zh_typography, check_number_ranges)
