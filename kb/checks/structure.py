"""Pair rules over what a translation must carry over unchanged: headings (every difference, not
just the first), links (Markdown and HTML: targets and count), code blocks (language, line count,
content outside comments), bare URLs and e-mail addresses, bracket balance, and targets that are
empty or still the source text.

Every finding lands on the target page at its own line (the target's element, or where the
missing one belongs) and names the source line, so a translator sees each difference once."""

from __future__ import annotations

import difflib
import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from kb.checks import Context, Pair, Scope, finding, rule
from kb.content.pages import FENCE_RE, LINK_RE, Heading, Page
from kb.project.findings import Finding

HTML_LINK_RE = re.compile(r"<a\b[^<>]*?\bhref\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))",
                          re.IGNORECASE)
URL_RE = re.compile(r"\b(?:https?|ftp)://[^\s<>()\[\]\"'`，。、；：！？（）《》“”]+", re.IGNORECASE)
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Comments in code (FastAPI's convention: "# " or "// " at the start or after a space); a translator
# may translate them, nothing else in a block.
CODE_COMMENT_RE = re.compile(r"(?:^|(?<=\s))(?:#|//|--|%%)(?:\s.*)?$")
WORD_RE = re.compile(r"[^\W\d_]{2,}")
LANG_TAG_RE = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,4})?$", re.IGNORECASE)
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
OPENERS = {"(": ")", "[": "]", "{": "}", "（": "）", "【": "】", "「": "」", "《": "》"}
CLOSERS = {v: k for k, v in OPENERS.items()}
# "a) first", "2) second", "iv) fourth": an enumerator before a closer, not a bracket
ENUMERATOR_RE = re.compile(r"[A-Za-z]|[0-9]{1,2}|[ivxIVX]{1,4}")
BRACKET_RE = re.compile("[" + re.escape("".join(OPENERS) + "".join(CLOSERS)) + "]")


# --- shared helpers ---------------------------------------------------------------------------------
def section_of(page: Page, line: int) -> str | None:
    """The id of the last heading with an id at or before *line*: the section that holds it."""
    current = None
    for h in page.headings:
        if h.line > line:
            break
        if h.id:
            current = h.id
    return current


def section_line(page: Page, line: int, other: Page) -> int:
    """The line in *other* of the section that holds *line* of *page* (matched by heading id)."""
    ident = section_of(page, line)
    if ident:
        for h in other.headings:
            if h.id == ident:
                return h.line
    return other.body_start


def _where(page: Page, line: int) -> str:
    return f"{page.path}:{line}"


# --- headings -----------------------------------------------------------------------------------------
def _head(h: Heading | None) -> str:
    if h is None:
        return "-"
    return f"{'#' * h.level} {{#{h.id}}}" if h.id else f"{'#' * h.level} (no id)"


@rule(Scope.PAIR)
def check_headings(pair: Pair, ctx: Context) -> list[Finding]:
    """Every heading difference of level 2 and below: changed level or id (a renamed section),
    a section missing from the target, a section the source does not have."""
    source, target = pair.source, pair.target
    if source.text is None or target.text is None:
        return []
    src = [h for h in source.headings if h.level >= 2]
    tgt = [h for h in target.headings if h.level >= 2]
    key = lambda h: (h.level, h.id)  # noqa: E731
    matcher = difflib.SequenceMatcher(a=[key(h) for h in src], b=[key(h) for h in tgt], autojunk=False)
    out: list[Finding] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace":
            for k in range(max(i2 - i1, j2 - j1)):
                s = src[i1 + k] if i1 + k < i2 else None
                t = tgt[j1 + k] if j1 + k < j2 else None
                if s is not None and t is not None:
                    out.append(finding("structure-mismatch", "headings", target, t.line, source=_where(source, s.line),
                                       expected=_head(s), actual=_head(t)))
                elif s is not None:
                    out.append(_missing_heading(source, target, s, tgt[j2 - 1] if j2 > 0 else None))
                elif t is not None:
                    out.append(finding("structure-mismatch", "heading-extra", target, t.line, expected="-", actual=_head(t),
                                       source=source.path))
        elif op == "delete":
            for s in src[i1:i2]:
                out.append(_missing_heading(source, target, s, tgt[j1 - 1] if j1 > 0 else None))
        elif op == "insert":
            for t in tgt[j1:j2]:
                out.append(finding("structure-mismatch", "heading-extra", target, t.line, expected="-", actual=_head(t),
                                   source=source.path))
    return out


def _missing_heading(source: Page, target: Page, s: Heading, before: Heading | None) -> Finding:
    line = before.line if before is not None else target.body_start
    return finding("structure-mismatch", "heading-missing", target, line, expected=_head(s), actual="-", text=s.text,
                   source=_where(source, s.line))


# --- links --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PageLink:
    href: str
    line: int
    html: bool


def links_of(page: Page) -> list[PageLink]:
    """Markdown and HTML links in the prose (headings included, code left out), images excluded."""
    out: list[PageLink] = []
    for line, text in page.prose:
        for m in LINK_RE.finditer(text):
            out.append(PageLink(m.group("href").strip("<>"), line, False))
        for m in HTML_LINK_RE.finditer(text):
            out.append(PageLink(m.group("dq") or m.group("sq") or m.group("bare") or "", line, True))
    # reference-style links ([text][label], [label]) with the target of their definition
    refs = [PageLink(lk.href, lk.line, False) for lk in page.links if lk.ref and lk.href and not lk.image]
    return sorted(out + refs, key=lambda lk: lk.line) if refs else out


def _link_key(href: str) -> str:
    return href.strip().rstrip("/") if "://" in href else href.strip()


def _exists_in(page: Page, href: str, ctx: Context) -> bool:
    """Whether a relative link to a page resolves in *page*'s language tree (True for anything else)."""
    path = href.split("#", 1)[0].split("?", 1)[0]
    if not path or "://" in path or path.startswith(("/", "mailto:")) or not path.endswith(".md") or not ctx.files:
        return True
    base = posixpath.dirname(page.path)
    return posixpath.normpath(posixpath.join(base, path)) in ctx.files


def _language_version(a: str, b: str) -> bool:
    """Whether web address *b* is *a* on another language version of the same site: one short path
    segment (/zh/, /ru/, /zh-hans/) inserted after the host. Translators rightly link to it."""
    if "://" not in a or "://" not in b:
        return False
    ua, ub = urlsplit(a), urlsplit(b)
    if ua.netloc.lower() != ub.netloc.lower() or ua.query != ub.query or ua.fragment != ub.fragment:
        return False
    sa = [x for x in ua.path.split("/") if x]
    sb = [x for x in ub.path.split("/") if x]
    for short, long in ((sa, sb), (sb, sa)):  # /how-to/ and /zh/how-to/
        if len(long) == len(short) + 1 and long[1:] == short and len(long[0]) <= 7 and long[0].replace("-", "").isalpha():
            return True
    if len(sa) == len(sb):  # /en/how-to/ and /zh/how-to/
        differ = [(x, y) for x, y in zip(sa, sb, strict=True) if x != y]
        return len(differ) == 1 and all(LANG_TAG_RE.match(x) for x in differ[0])
    return False


@rule(Scope.PAIR)
def check_links(pair: Pair, ctx: Context) -> list[Finding]:
    """The target links to the same places as the source: each target the source links to and the
    target does not (or less often), and each extra one, at its own line."""
    source, target = pair.source, pair.target
    if source.text is None or target.text is None:
        return []
    src, tgt = links_of(source), links_of(target)
    missing = _unmatched(src, tgt)
    extra = _unmatched(tgt, src)
    # a missing link and an extra one that is the same page in the target's language version
    for m in list(missing):
        for e in extra:
            if _language_version(m.href, e.href):
                missing.remove(m)
                extra.remove(e)
                break
    out: list[Finding] = []
    for lk in missing:
        if not _exists_in(target, lk.href, ctx):
            continue  # a page of the source language only (translation: none): nothing to link to here
        out.append(finding("structure-mismatch", "link-missing", target, section_line(source, lk.line, target),
                           href=lk.href, source=_where(source, lk.line), expected=len(src), actual=len(tgt)))
    for lk in extra:
        out.append(finding("structure-mismatch", "link-extra", target, lk.line, href=lk.href, source=source.path,
                           expected=len(src), actual=len(tgt)))
    return out


def _unmatched(these: list[PageLink], others: list[PageLink]) -> list[PageLink]:
    """Links of *these* whose target appears fewer times in *others* (counted, in order)."""
    have = Counter(_link_key(lk.href) for lk in others)
    out = []
    for lk in these:
        k = _link_key(lk.href)
        if have[k] > 0:
            have[k] -= 1
        else:
            out.append(lk)
    return out


# --- code blocks ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CodeBlock:
    line: int  # line of the opening fence
    lang: str
    lines: tuple[str, ...]  # content lines (without the fences)


def code_blocks(page: Page) -> list[CodeBlock]:
    """Fenced code blocks, recognised as kb.content.pages does (fences may be indented in lists/admonitions)."""
    out: list[CodeBlock] = []
    current: tuple[str, int, int, str, int] | None = None  # fence char, length, line, lang, indent
    content: list[str] = []
    for offset, line in enumerate(page.body.split("\n")):
        lineno = page.body_start + offset
        m = FENCE_RE.match(line.lstrip())
        if current:
            char, length, start, lang, indent = current
            if m and m.group("fence")[0] == char and len(m.group("fence")) >= length and not m.group("info").strip():
                out.append(CodeBlock(start, lang, tuple(content)))
                current, content = None, []
            else:
                content.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
            continue
        if m and (len(line) - len(line.lstrip())) <= 12:
            info = m.group("info").strip()
            lang = info.split(" ")[0].lstrip(".{").rstrip("}").lower() if info else ""
            current = (m.group("fence")[0], len(m.group("fence")), lineno, lang, len(line) - len(line.lstrip()))
    if current:
        out.append(CodeBlock(current[2], current[3], tuple(content)))
    return out


def _without_html_comments(line: str) -> str:
    """*line* with every complete <!-- … --> removed (one pass, no regex backtracking)."""
    parts, pos = [], 0
    while (start := line.find("<!--", pos)) >= 0 and (end := line.find("-->", start + 4)) >= 0:
        parts.append(line[pos:start])
        pos = end + 3
    parts.append(line[pos:])
    return "".join(parts)


def code_without_comments(lines: tuple[str, ...]) -> list[tuple[int, str]]:
    """(index, text) of the lines that carry code once comments are removed."""
    out = []
    for i, line in enumerate(lines):
        text = CODE_COMMENT_RE.sub("", _without_html_comments(line)).rstrip()
        if text.strip():
            out.append((i, text))
    return out


@rule(Scope.PAIR)
def check_code_blocks(pair: Pair, ctx: Context) -> list[Finding]:
    """Pairwise, when both pages have the same number of blocks (a different count is reported by
    check_structure): the same language, the same number of lines, the same code outside comments."""
    source, target = pair.source, pair.target
    if source.text is None or target.text is None:
        return []
    src, tgt = code_blocks(source), code_blocks(target)
    if len(src) != len(tgt):
        return []
    out: list[Finding] = []
    for s, t in zip(src, tgt, strict=True):
        where = _where(source, s.line)
        if s.lang != t.lang:
            out.append(finding("structure-mismatch", "code-lang", target, t.line, source=where,
                               expected=s.lang or "-", actual=t.lang or "-"))
        if len(s.lines) != len(t.lines):
            out.append(finding("structure-mismatch", "code-lines", target, t.line, source=where,
                               expected=len(s.lines), actual=len(t.lines)))
            continue
        s_code, t_code = code_without_comments(s.lines), code_without_comments(t.lines)
        for (si, stext), (ti, ttext) in zip(s_code, t_code, strict=False):
            # an example value written in Chinese on the Chinese side (title: 低汞触媒的规范使用) is
            # localised on purpose, as the prose around it is
            zh_text = stext if source.lang == "zh" else ttext if target.lang == "zh" else ""
            if stext != ttext and not HAN_RE.search(zh_text):
                out.append(finding("structure-mismatch", "code-content", target, t.line + 1 + ti,
                                   source=_where(source, s.line + 1 + si), expected=stext.strip()[:80],
                                   actual=ttext.strip()[:80]))
                break
        else:
            if len(s_code) != len(t_code):
                out.append(finding("structure-mismatch", "code-content", target, t.line, source=where,
                                   expected=len(s_code), actual=len(t_code)))
    return out


# --- bare URLs and e-mail addresses ---------------------------------------------------------------------
def _bare(page: Page, pattern: re.Pattern[str], marker: str) -> list[tuple[int, str]]:
    found = []
    for line, text in page.prose:
        if marker not in text:
            continue
        text = LINK_RE.sub(" ", HTML_LINK_RE.sub(" ", text))  # link targets are compared by check_links
        for m in pattern.finditer(text):
            found.append((line, m.group(0).rstrip(".,;:!?").lower()))
    return found


@rule(Scope.PAIR)
def check_addresses(pair: Pair, ctx: Context) -> list[Finding]:
    """Web and e-mail addresses written out in the text must be carried over as they are."""
    source, target = pair.source, pair.target
    if source.text is None or target.text is None:
        return []
    out: list[Finding] = []
    linked: dict[str, set[str]] = {}
    for page in (source, target):
        keys = {_link_key(lk.href).lower() for lk in links_of(page)}
        linked[page.path] = {k.removeprefix("mailto:").rstrip("/") for k in keys}
    for kind, pattern, marker in (("url", URL_RE, "://"), ("email", EMAIL_RE, "@")):
        src, tgt = _bare(source, pattern, marker), _bare(target, pattern, marker)
        if not src and not tgt:
            continue
        tgt_all = {v.rstrip("/") for _, v in tgt} | linked[target.path]
        src_all = {v.rstrip("/") for _, v in src} | linked[source.path]
        for line, value in src:
            if value.rstrip("/") not in tgt_all:
                out.append(finding("structure-mismatch", f"{kind}-missing", target, section_line(source, line, target),
                                   value=value, expected=value, actual="-", source=_where(source, line)))
        for line, value in tgt:
            if value.rstrip("/") not in src_all:
                out.append(finding("structure-mismatch", f"{kind}-extra", target, line, value=value, expected="-", actual=value,
                                   source=source.path))
    return out


# --- bracket balance ------------------------------------------------------------------------------------
def _after_enumerator(text: str, closer: int) -> bool:
    """Whether the closer at *closer* ends a short enumerator standing alone: a) 2) iv)."""
    start = closer
    while start > 0 and closer - start < 5 and text[start - 1].isalnum():
        start -= 1
    return (start == 0 or text[start - 1].isspace()) and ENUMERATOR_RE.fullmatch(text, start, closer) is not None


def _unbalanced(text: str) -> str | None:
    """The first bracket left open or closed without an opener on a line (full and half width
    brackets match each other: a translator writes （） for ()). A closer with nothing open after a
    short enumerator (a) first, 2) second, iv) fourth) is not a bracket."""
    width = {"（": "(", "）": ")", "【": "[", "】": "]"}
    stack: list[str] = []
    for m in BRACKET_RE.finditer(text):
        ch = m.group(0)
        ch_n = width.get(ch, ch)
        if ch_n in OPENERS or ch in OPENERS:
            stack.append(ch_n)
        elif ch_n in CLOSERS or ch in CLOSERS:
            want = CLOSERS.get(ch_n) or CLOSERS[ch]
            if stack and stack[-1] == want:
                stack.pop()
            elif stack or not _after_enumerator(text, m.start()):
                return ch
    return stack[-1] if stack else None


@rule(Scope.PAIR)
def check_brackets(pair: Pair, ctx: Context) -> list[Finding]:
    """A bracket the target opens and never closes (or closes without opening), on a line of its
    own section, where the source's brackets are balanced."""
    source, target = pair.source, pair.target
    if source.text is None or target.text is None:
        return []
    if any(_unbalanced(text) for _, text in source.prose):
        return []  # the source itself is unbalanced somewhere (a range like [0, 1) or a smiley): no reference
    out = []
    for line, text in target.prose:
        bad = _unbalanced(text)
        if bad:
            out.append(finding("structure-mismatch", "brackets", target, line, bracket=bad, expected="-", actual=bad,
                                   source=source.path))
    return out


# --- empty or untranslated targets --------------------------------------------------------------------
def _words(text: str) -> str:
    """The letters and digits of a text, whitespace collapsed: punctuation changes (Un&changed) are not
    a translation."""
    return " ".join(re.sub(r"[^\w\s]", "", text).split())


@rule(Scope.PAIR)
def check_untranslated_target(pair: Pair, ctx: Context) -> list[Finding]:
    """A target whose body is empty or blank while the source has text, or whose every line is
    a line of the source (copied, not translated)."""
    source, target = pair.source, pair.target
    if source.text is None or target.text is None or not source.body.strip():
        return []
    if not target.body.strip():
        return [finding("untranslated", "empty-target", target, target.body_start, source=source.path)]
    src_lines = {_words(t) for _, t in source.prose} - {""}
    tgt = [(line, _words(t)) for line, t in target.prose]
    tgt = [(line, w) for line, w in tgt if w]
    if not tgt or any(w not in src_lines for _, w in tgt):
        return []
    text = " ".join(w for _, w in tgt)
    # something a translator would have to translate: a word of two letters or more that is not an
    # acronym (F1, ISO, &ACRONYM and 1234 stay as they are in every language)
    if not any(not w.isupper() for w in WORD_RE.findall(text)):
        return []
    return [finding("untranslated", "same-as-source", target, tgt[0][0], source=source.path)]
