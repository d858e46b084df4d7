"""Rules over a translation pair: freshness, structure, numbers and glossary terms.

A pair (kb.checks.Pair) is (source, target): the target is the page whose front matter says
``translation: {from: <source language>}``; for an untracked pair the default language is taken as
the source. Findings land on the page a translator has to change, at the matching section."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from kb.checks import Context, Pair, Scope, finding, rule
from kb.checks.numbers import numbers_in, words_in
from kb.checks.structure import section_line, section_of
from kb.content.pages import GAP_RE, Block, Page, body_hash
from kb.project.findings import Finding


def orient(a: Page, b: Page, ctx: Context) -> tuple[Page, Page]:
    """Return (source, target) for a pair of pages with the same relative path."""
    for src, tgt in ((a, b), (b, a)):
        tr = tgt.translation
        if isinstance(tr, dict) and tr.get("from") == src.lang:
            return src, tgt
    return (a, b) if a.lang == ctx.default_language else (b, a)


def aligned_line(page: Page, section: str | None) -> int:
    """Line in *page* of the section with id *section* (falls back to the start of the body)."""
    if section:
        for h in page.headings:
            if h.id == section:
                return h.line
    return page.body_start


# --- freshness ----------------------------------------------------------------------------------------
@rule(Scope.PAIR)
def check_translation_freshness(pair: Pair, ctx: Context) -> list[Finding]:
    source, target = pair.source, pair.target
    if source.text is None or target.text is None:
        return []
    tr = target.translation
    if target.translation_none is not None or source.translation_none is not None:
        return []
    if not isinstance(tr, dict) or "hash" not in tr:
        if isinstance(source.translation, dict):
            return []
        return [finding("stale-translation", "untracked", target, 1, source=source.path, target=target.path)]
    recorded = str(tr.get("hash"))
    current = body_hash(source.text, ctx.data.model.hash_length)
    if recorded != current:
        return [finding("stale-translation", "stale", target, target.line_of("translation"), source=source.path,
                        recorded=recorded, current=current, target=target.path)]
    return []


# --- programme ---------------------------------------------------------------------------------------------
@rule(Scope.PAIR)
def check_track(pair: Pair, ctx: Context) -> list[Finding]:
    """Both pages of a pair belong to the same programme (their track decides who must approve them
    and which manual prints them)."""
    source, target = pair.source, pair.target
    if source.meta_error or target.meta_error or source.track == target.track:
        return []
    return [finding("navigation", "track-pair", target, target.line_of("track"), track=target.track or "-",
                    source=source.path, expected=source.track or "-")]


# --- structure -------------------------------------------------------------------------------------------
@rule(Scope.PAIR)
def check_structure(pair: Pair, ctx: Context) -> list[Finding]:
    source, target = pair.source, pair.target
    if source.text is None or target.text is None:
        return []
    out: list[Finding] = []
    for kind in ("table", "image", "code", "admonition"):
        src_blocks = [b for b in source.blocks if b.kind == kind]
        tgt_blocks = [b for b in target.blocks if b.kind == kind]
        if len(src_blocks) != len(tgt_blocks):
            out.extend(_count_findings(source, target, kind, src_blocks, tgt_blocks))
        elif kind == "admonition":
            for sb, tb in zip(src_blocks, tgt_blocks, strict=True):
                if sb.detail != tb.detail:
                    out.append(finding("structure-mismatch", "admonition-type", target, tb.line, source=source.path,
                                       expected=sb.detail, actual=tb.detail))
    return out


def _count_findings(source: Page, target: Page, kind: str, src: list[Block], tgt: list[Block]) -> list[Finding]:
    """A different number of tables, images, code blocks or admonitions: reported at each extra
    block of the target, or where each missing one belongs, with the source line."""
    out: list[Finding] = []
    matcher = difflib.SequenceMatcher(a=[b.detail for b in src], b=[b.detail for b in tgt], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            continue
        extra = tgt[j1 + (i2 - i1):j2] if op == "replace" else tgt[j1:j2]
        missing = src[i1 + (j2 - j1):i2] if op == "replace" else src[i1:i2]
        for b in extra:
            out.append(finding("structure-mismatch", "count", target, b.line, kind=kind, source=source.path,
                               expected=len(src), actual=len(tgt)))
        for b in missing:
            out.append(finding("structure-mismatch", "count", target, section_line(source, b.line, target), kind=kind,
                               source=f"{source.path}:{b.line}", expected=len(src), actual=len(tgt)))
    return out


# --- paragraphs ---------------------------------------------------------------------------------------------
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def text_units(page: Page) -> dict[str, tuple[int, int]]:
    """Per section id: (paragraphs and list items, line of the section's heading). A paragraph is a
    run of prose lines; each list item counts once; headings and table rows are not counted."""
    heading_lines = {h.line for h in page.headings}
    units: dict[str, tuple[int, int]] = {h.id: (0, h.line) for h in page.headings if h.id}
    previous = -2
    for line, text in page.prose:
        if line in heading_lines or text.lstrip().startswith("|"):
            previous = -2
            continue
        section = section_of(page, line)
        if section is not None and section in units and (LIST_ITEM_RE.match(text) or line != previous + 1):
            count, at = units[section]
            units[section] = (count + 1, at)
        previous = line
    return units


@rule(Scope.PAIR)
def check_paragraphs(pair: Pair, ctx: Context) -> list[Finding]:
    """A section of the translation with fewer paragraphs and list items than the source's: a new
    source paragraph not translated yet, or one dropped (reported at the section's heading)."""
    source, target = pair.source, pair.target
    if source.text is None or target.text is None:
        return []
    theirs, mine = text_units(source), text_units(target)
    return [finding("structure-mismatch", "paragraphs", target, mine[section][1], section=section,
                    source=f"{source.path}:{line}", expected=count, actual=mine[section][0])
            for section, (count, line) in theirs.items() if section in mine and mine[section][0] < count]


# --- numbers ---------------------------------------------------------------------------------------------
def _numbers_by_line(page: Page) -> list[tuple[int, list[str]]]:
    rows = [(1, numbers_in(page.title))]
    rows += [(line, numbers_in(text)) for line, text in page.prose]
    return [(line, nums) for line, nums in rows if nums]


def _available(page: Page) -> dict[str | None, set[str]]:
    """The numbers (as digits or words) of each section of *page* (None: before the first heading id,
    and the title)."""
    found: dict[str | None, set[str]] = {}
    for line, text in [(1, page.title), *page.prose]:
        here = found.setdefault(section_of(page, line) if line > 1 else None, set())
        here.update(numbers_in(text))
        here.update(words_in(text))
    return found


def _placed(number: str) -> bool:
    """Whether a number is a figure whose section is checked (not a small whole number)."""
    return any(c in number for c in ".%") or sum(c.isdigit() for c in number) >= 3


@rule(Scope.PAIR)
def check_numbers(pair: Pair, ctx: Context) -> list[Finding]:
    """Each number of one page is on the other page, in the matching section (same heading id) where
    the other page has that section: a number moved to another section is reported where it should be."""
    source, target = pair.source, pair.target
    if source.text is None or target.text is None:
        return []
    out: list[Finding] = []
    for this, other in ((source, target), (target, source)):
        by_section = _available(other)
        anywhere = set().union(*by_section.values()) if by_section else set()
        reported: set[tuple[str, str | None]] = set()
        for line, nums in _numbers_by_line(this):
            section = section_of(this, line) if line > 1 else None
            in_section = section if section in by_section and section is not None else None
            for num in nums:
                # small whole numbers (counts, list numbers, "2 of 3") recur across sections and are
                # often words on one side: only figures (3+ digits, decimals, percentages) are placed
                matched = in_section if _placed(num) else None
                if (num, matched) in reported:
                    continue
                if matched is None and num in anywhere:
                    continue
                if matched is not None and num in by_section[matched]:
                    continue
                reported.add((num, matched))
                if num in anywhere and this is target:
                    continue  # the same figure seen from the translation: reported once, from the source
                if num in anywhere:
                    elsewhere = sorted((s or "-") for s, nums_there in by_section.items() if num in nums_there)
                    out.append(finding("number-mismatch", "other-section", other, aligned_line(other, section),
                                       number=num, where=f"{this.path}:{line}", section=section or "-",
                                       found=", ".join(elsewhere)))
                else:
                    out.append(finding("number-mismatch", "missing", other, aligned_line(other, section), number=num,
                                       where=f"{this.path}:{line}", section=section or "-"))
    return out


# --- glossary terms ------------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _pattern(form: str, lang: str) -> re.Pattern[str]:
    if lang == "zh":
        return re.compile(re.escape(form))
    if form.isupper():  # acronyms (GAP, BAT) are matched as written, not as ordinary words
        # ... and not when a number follows: COP28 is the climate conference, not the Minamata COP
        return re.compile(rf"(?<![A-Za-z]){re.escape(form)}s?(?![A-Za-z0-9])")
    body = re.escape(form).replace(r"\-", "[- ]?").replace(r"\ ", "[- ]")
    # A capitalised form is a name ("Party", "Conference of the Parties"): "a third party" is not it.
    flags = 0 if form[0].isupper() else re.IGNORECASE
    # plurals: -s, -es, and -y to -ies ("Parties", "ies" after a consonant)
    plural = "(?:s|es)?" if not re.search(r"[^aeiou]y$", form) else ""
    if not plural:
        body = body[:-1] + "(?:y|ies)"
    return re.compile(rf"(?<![A-Za-z]){body}{plural}(?![A-Za-z])", flags)


# Link targets, bare URLs and attribute lists ({#id}) are addresses, not prose: "02-low-mercury-catalyst.md"
# is not a use of "low-mercury catalyst".
NOT_PROSE_RE = re.compile(r"\]\([^)]*\)|(?:https?://|www\.)\S+|\{[^{}]*\}")


# Chinese title marks inside a name do not make it another name: 全球环境基金《性别平等政策》 is the term
# 全球环境基金性别平等政策.
TITLE_MARKS_RE = re.compile("[《》〈〉]")


def _prose_text(text: str) -> str:
    text = NOT_PROSE_RE.sub(lambda m: "]" if m.group(0).startswith("]") else " ", text)
    return GAP_RE.sub(" ", TITLE_MARKS_RE.sub("", text))


def _term_forms(ctx: Context, lang: str) -> list[tuple[str, str | None]]:
    """(form, term id) for every checked form in *lang*, longest first, once per glossary. A term's
    excluded phrases come in with the id None: they are masked like a longer term, so the shorter
    form inside them is not counted, but they are not a use of anything. Their patterns are compiled
    when a line first holds their key (_pattern's cache): most forms are on few pages."""
    def make() -> list[tuple[str, str | None]]:
        forms: list[tuple[str, str | None]] = [
            (form, term.id) for term in ctx.data.glossary if term.checked for form in term.forms(lang)]
        forms += [(phrase, None) for term in ctx.data.glossary if term.checked for phrase in term.excluding.get(lang, ())]
        forms.sort(key=lambda x: len(x[0]), reverse=True)
        return forms

    return ctx.data.memo(("term-forms", lang), make)


def _literal_key(form: str, lang: str) -> str:
    """A string every text that _pattern(form, lang) matches contains, once _literal_text has
    folded it: the form itself in Chinese; in English lower case without spaces and hyphens (which
    the pattern lets vary), without a final y (-ies)."""
    if lang == "zh":
        return form
    key = form.lower().replace("-", "").replace(" ", "")
    return key[:-1] if re.search(r"[^aeiou]y$", form) else key


def _literal_text(text: str, lang: str) -> str:
    return text if lang == "zh" else text.lower().replace("-", "").replace(" ", "")


class _KeyFinder:
    """Which forms' literal keys a text holds, in one pass (Aho-Corasick, pyahocorasick): hundreds of
    forms, few on any line, so testing each key in turn was most of the term check's time."""

    def __init__(self, keys: list[str]) -> None:
        import ahocorasick

        self.always = [i for i, key in enumerate(keys) if not key]
        self.automaton = ahocorasick.Automaton()
        by_key: dict[str, list[int]] = {}
        for index, key in enumerate(keys):
            if key:
                by_key.setdefault(key, []).append(index)
        for key, indices in by_key.items():
            self.automaton.add_word(key, tuple(indices))
        self.empty = not by_key
        if not self.empty:
            self.automaton.make_automaton()

    def indices(self, text: str, after: int = -1) -> list[int]:
        """The indices (in _term_forms' order) of the forms whose key is in *text*, above *after*."""
        found = set(self.always)
        if not self.empty:
            for _, indices in self.automaton.iter(text):
                found.update(indices)
        return sorted(i for i in found if i > after)


def _key_finder(ctx: Context, lang: str) -> _KeyFinder:
    def make() -> _KeyFinder:
        return _KeyFinder([_literal_key(form, lang) for form, _ in _term_forms(ctx, lang)])

    return ctx.data.memo(("term-keys", lang), make)


def term_lines(page: Page, ctx: Context) -> dict[str, int]:
    """First line of each glossary term used on *page*. Longer terms are matched first and masked,
    so "gender mainstreaming" does not also count as a use of "gender". A pattern is tried only
    on a line that holds its literal key; after a mask the keys are looked up again (in English the
    folded text loses spaces, so a mask can join two words into a key)."""
    forms = _term_forms(ctx, page.lang)
    finder = _key_finder(ctx, page.lang)
    found: dict[str, int] = {}
    for line, text in [(1, page.title), *page.prose]:
        work = _prose_text(text)
        todo = finder.indices(_literal_text(work, page.lang))
        position = 0
        while position < len(todo):
            index = todo[position]
            position += 1
            form, term_id = forms[index]
            pattern = _pattern(form, page.lang)
            if pattern.search(work):
                if term_id is not None:
                    found.setdefault(term_id, line)
                work = pattern.sub(" ", work)
                todo, position = finder.indices(_literal_text(work, page.lang), after=index), 0
    return found


def _uses(text: str, forms: tuple[str, ...], lang: str, excluding: tuple[str, ...] = ()) -> bool:
    for phrase in excluding:  # "total mercury use" on the other page is not a use of "total mercury"
        text = _pattern(phrase, lang).sub(" ", text)
    return any(_pattern(form, lang).search(text) for form in forms)


def _plain_text(page: Page) -> str:
    return "\n".join([page.title, *(_prose_text(t) for _, t in page.prose)])


@rule(Scope.PAIR)
def check_terms(pair: Pair, ctx: Context) -> list[Finding]:
    source, target = pair.source, pair.target
    if source.text is None or target.text is None:
        return []
    pages = {source.lang: source, target.lang: target}
    if set(pages) != {"zh", "en"}:
        return []
    terms = {term.id: term for term in ctx.data.glossary}
    out: list[Finding] = []
    for this_lang, other_lang in (("zh", "en"), ("en", "zh")):
        this, other = pages[this_lang], pages[other_lang]
        other_text = _plain_text(other)
        for term_id, line in term_lines(this, ctx).items():
            term = terms[term_id]
            if _uses(other_text, term.forms(other_lang), other_lang, term.excluding.get(other_lang, ())):
                continue
            # Chinese text names organisations and conventions by their Latin acronyms too (FECO, GEF)
            acronyms = tuple(f for f in term.forms("en") if f.isupper())
            if other_lang == "zh" and acronyms and _uses(other_text, acronyms, "en"):
                continue
            section = section_of(this, line)
            out.append(finding("term-mismatch", "missing", other, aligned_line(other, section),
                               term=term.term(this_lang), translation=term.term(other_lang),
                               where=f"{this.path}:{line}"))
    return out
