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
- everything else is kept byte for byte: the tokenizer only records where each token starts and the
  output is the input sliced at those offsets, with matched text nodes rewritten.

Running it twice gives the same result: terms already wrapped (data-term-id) count as annotated."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Protocol

from kb.content.glossary import form_owners
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

    def forms(self, lang: str) -> tuple[str, ...]: ...

    def definition_in(self, lang: str) -> str: ...


def _definition(term: Term, lang: str) -> str:
    other = "en" if lang == "zh" else "zh"
    text = term.definition_in(lang) or term.definition_in(other)
    return " ".join(text.split())


# One token of HTML: a comment, CDATA, a declaration or processing instruction, a script or style
# element whole (its text is not HTML), a start or end tag (quoted attribute values may hold ">"), or
# a character reference; the text between tokens is text. A regular expression rather than
# html.parser, which re-reads every token in Python: on every page of the built site the output is
# the same, and annotating takes 0.6 of the time (it runs on every page of every build).
_TOKEN_RE = re.compile(
    r"<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$)|<[!?][^>]*>?"
    r"|<(script|style)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?(?:</\1\s*>|$)"
    r"|<(/?)([A-Za-z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?",
    re.DOTALL | re.IGNORECASE,
)
_ID_RE = re.compile(r"""(?:^|\s)id\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)


def _tokens(source: str) -> list[tuple[int, str, str, str | None]]:
    """(start offset, kind, tag, id) of every token: kind is "start", "end", "startend", "data" or
    "other" (comments, references, script and style elements)."""
    out: list[tuple[int, str, str, str | None]] = []
    last = 0
    for m in _TOKEN_RE.finditer(source):
        if m.start() > last:
            out.append((last, "data", "", None))
        closing, name, attrs = m.group(2), m.group(3), m.group(4)
        if name is None:
            out.append((m.start(), "other", "", None))
        elif closing:
            out.append((m.start(), "end", name.lower(), None))
        else:
            found = _ID_RE.search(attrs or "")
            tag_id = next((g for g in found.groups() if g is not None), None) if found else None
            kind = "startend" if (attrs or "").rstrip().endswith("/") else "start"
            out.append((m.start(), kind, name.lower(), tag_id))
        last = m.end()
    if last < len(source):
        out.append((last, "data", "", None))
    return out


def _has_definition(term: Term, lang: str) -> bool:
    return bool(_definition(term, lang))


def annotate(html_text: str, terms: Sequence[Term], lang: str) -> str:
    """Wrap the first occurrence of each glossary term in *html_text* (a page body) in an
    <abbr class="kb-term"> carrying the term's definition in *lang* ("zh" or "en")."""
    lang = "zh" if lang.lower().startswith("zh") else "en"
    form_owner, pattern, groups = form_owners(terms, lang, _has_definition)
    if not form_owner or not html_text:
        return html_text
    if pattern.search(html_text) is None:  # no form of any term anywhere: nothing to walk
        return html_text
    done: set[str] = set(_TERM_ID_RE.findall(html_text))

    tokens = _tokens(html_text)
    if not tokens:
        return html_text

    # the text nodes that change, as (start, end, new text): the output is the input with them replaced
    edits: list[tuple[int, int, str]] = []
    skip: dict[str, int] = {}
    skipping = 0  # open elements of SKIP_TAGS around the current token
    quiz_level = 0  # heading level of the exercises/answers section being skipped, 0 when outside
    for index, (offset, kind, tag, tag_id) in enumerate(tokens):
        if kind == "start":
            level = HEADINGS.get(tag)
            if level is not None:
                if tag_id in QUIZ_SECTIONS:
                    quiz_level = quiz_level or level
                elif quiz_level and level <= quiz_level:
                    quiz_level = 0
            if tag in SKIP_TAGS:
                skip[tag] = skip.get(tag, 0) + 1
                skipping += 1
        elif kind == "end" and skip.get(tag):
            skip[tag] -= 1
            skipping -= 1
        elif kind == "data" and not quiz_level and not skipping:
            end = tokens[index + 1][0] if index + 1 < len(tokens) else len(html_text)
            chunk = html_text[offset:end]
            wrapped = _wrap(chunk, pattern, groups, form_owner, done, lang)
            if wrapped is not chunk:
                edits.append((offset, end, wrapped))
    if not edits:
        return html_text
    out: list[str] = []
    last = 0
    for start, end, text in edits:
        out.append(html_text[last:start])
        out.append(text)
        last = end
    out.append(html_text[last:])
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
