"""Glossary hover/tap definitions: wrap the first occurrence of each glossary term on a page in
<abbr class="kb-term" title="definition" data-term-id="id">. Pure function on the page body HTML
(what MkDocs passes to on_page_content); no MkDocs import, so any site generator can call it.

Matching rules:
- every written form of every term (main form and aliases), longest form first at each position;
  a form of a term already annotated on this page still claims its text (so "汞" is never
  wrapped inside a later "汞化合物"), it is just not wrapped again;
- English is matched case-insensitively on word boundaries, with an optional plural "s"/"es";
  forms with a capital letter after the first character (acronyms and formulas: GAP, COP, Hg,
  HCl) are matched case-sensitively, so "GAP" does not match the word "gap";
- Chinese is matched as a substring; a form that begins or ends with a Latin letter or digit
  (PVC, 附件 B) still needs a boundary on that side;
- text inside h1-h6, a, code, pre, kbd, samp, abbr, script, style, button, label, textarea,
  select, option and svg is left alone, and so are the exercises and answers sections (the quiz
  turns them into form controls);
- everything else is kept byte for byte: the parser only records where each token starts and the
  output is the input sliced at those offsets, with matched text nodes rewritten.

Running it twice gives the same result: terms already wrapped (data-term-id) count as annotated."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Protocol

from kb.content.glossary import form_pattern as _pattern_for
from kb.content.safety import tooltip_text

SKIP_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "kbd", "samp", "abbr", "script", "style",
    "button", "label", "textarea", "select", "option", "svg", "math", "title",
})
HEADINGS = {f"h{n}": n for n in range(1, 7)}
QUIZ_SECTIONS = frozenset({"exercises", "answers"})
_TERM_ID_RE = re.compile(r"""<abbr\b[^>]*\bdata-term-id\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


class Term(Protocol):
    """What annotate() needs from a glossary term (kb.project.data.GlossaryTerm has it)."""

    id: str
    definition: dict[str, str]

    def forms(self, lang: str) -> tuple[str, ...]: ...


def _definition(term: Term, lang: str) -> str:
    other = "en" if lang == "zh" else "zh"
    text = term.definition.get(lang) or term.definition.get(other) or ""
    return " ".join(text.split())


class _Tokens(HTMLParser):
    """Records the start offset and kind of every token; nothing is re-serialised."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._line_starts = [0]
        for m in re.finditer("\n", source):
            self._line_starts.append(m.end())
        # (offset, kind, tag, attrs): kind is "start", "end", "startend", "data" or "other"
        self.tokens: list[tuple[int, str, str, dict[str, str | None]]] = []

    def _add(self, kind: str, tag: str = "", attrs: list[tuple[str, str | None]] | None = None) -> None:
        line, col = self.getpos()
        self.tokens.append((self._line_starts[line - 1] + col, kind, tag, dict(attrs or ())))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add("start", tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add("startend", tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._add("end", tag)

    def handle_data(self, data: str) -> None:
        self._add("data")

    def handle_entityref(self, name: str) -> None:
        self._add("other")

    def handle_charref(self, name: str) -> None:
        self._add("other")

    def handle_comment(self, data: str) -> None:
        self._add("other")

    def handle_decl(self, decl: str) -> None:
        self._add("other")

    def handle_pi(self, data: str) -> None:
        self._add("other")

    def unknown_decl(self, data: str) -> None:
        self._add("other")


def annotate(html_text: str, terms: Sequence[Term], lang: str) -> str:
    """Wrap the first occurrence of each glossary term in *html_text* (a page body) in an
    <abbr class="kb-term"> carrying the term's definition in *lang* ("zh" or "en")."""
    lang = "zh" if lang.lower().startswith("zh") else "en"
    form_owner: dict[str, Term] = {}
    for term in terms:
        if not _definition(term, lang):
            continue
        for form in term.forms(lang):
            if form and form.strip():
                form_owner.setdefault(form.strip(), term)
    if not form_owner or not html_text:
        return html_text
    forms = sorted(form_owner, key=lambda f: (-len(f), f))
    pattern, groups = _pattern_for(forms, lang)
    done: set[str] = set(_TERM_ID_RE.findall(html_text))

    parser = _Tokens(html_text)
    parser.feed(html_text)
    parser.close()
    tokens = parser.tokens
    if not tokens:
        return html_text

    out: list[str] = [html_text[: tokens[0][0]]]
    skip: dict[str, int] = {}
    quiz_level = 0  # heading level of the exercises/answers section being skipped, 0 when outside
    for index, (offset, kind, tag, attrs) in enumerate(tokens):
        end = tokens[index + 1][0] if index + 1 < len(tokens) else len(html_text)
        chunk = html_text[offset:end]
        if kind == "start":
            level = HEADINGS.get(tag)
            if level is not None:
                if attrs.get("id") in QUIZ_SECTIONS:
                    quiz_level = quiz_level or level
                elif quiz_level and level <= quiz_level:
                    quiz_level = 0
            if tag in SKIP_TAGS:
                skip[tag] = skip.get(tag, 0) + 1
        elif kind == "end" and skip.get(tag):
            skip[tag] -= 1
        elif kind == "data" and not quiz_level and not any(skip.values()):
            chunk = _wrap(chunk, pattern, groups, form_owner, done, lang)
        out.append(chunk)
    return "".join(out)


def _wrap(text: str, pattern: re.Pattern[str], groups: dict[str, str], owner: dict[str, Term],
          done: set[str], lang: str) -> str:
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        term = owner[groups[match.lastgroup or ""]]
        if term.id in done:
            continue
        done.add(term.id)
        title = html.escape(tooltip_text(_definition(term, lang)), quote=True)  # Material's tooltip reads it as HTML
        term_id = html.escape(term.id, quote=True)
        pieces.append(text[last:match.start()])
        pieces.append(f'<abbr class="kb-term" title="{title}" data-term-id="{term_id}">{match.group(0)}</abbr>')
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)
