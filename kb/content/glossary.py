"""The glossary as printed and shown: one entry per term in a language, with the other language's term
(`GlossaryEntry`), grouped by programme for the glossary page (`GlossaryGroup`); and how a written form
of a term is recognised in text (the website's hover definitions, the approval digest's "terms the
page uses")."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kb.project.data import GlossaryTerm, ProjectData

_WORD = r"[^\W_]"  # a letter or digit in any script
_LATIN = r"[A-Za-z0-9]"


@dataclass(frozen=True)
class GlossaryEntry:
    """A term as the glossary page and the manuals' glossary appendix print it, in one language."""

    id: str          # the term's id in data/glossary.yml (the anchor term-<id>)
    term: str        # in this language
    other: str       # in the other language
    definition: str  # in this language ("" when the file has none)
    track: str       # the programme it belongs to (a track of the content model)
    source: str      # where the definition comes from ("" when none is given)


@dataclass(frozen=True)
class GlossaryGroup:
    """One programme's section of the glossary page."""

    track: str
    label: str                            # the track's name in this language (the track's id if it has none)
    entries: tuple[GlossaryEntry, ...]    # in the language's order (sort_key)


def glossary_entries(data: ProjectData, lang: str) -> list[GlossaryEntry]:
    """Every term of data/glossary.yml in *lang*, in the language's order (sort_key)."""
    other = "en" if lang == "zh" else "zh"
    entries = [GlossaryEntry(id=t.id, term=t.term(lang), other=t.term(other), definition=t.definition_in(lang),
                             track=t.track, source=t.source)
               for t in data.glossary]
    return sorted(entries, key=lambda e: sort_key(e.term, lang))


def sort_key(term: str, lang: str) -> tuple[str, str]:
    """Chinese terms in pinyin order, as Chinese dictionaries and indexes order them (pypinyin, the
    maintained pinyin library: tone numbers break ties between syllables), English ones case-blind."""
    if lang == "zh":
        # loaded when a Chinese glossary is sorted, not with every build (docs/adr/0018-heavy-libraries-load-when-used.md)
        from pypinyin import Style, lazy_pinyin

        return " ".join(lazy_pinyin(term, style=Style.TONE3, errors=lambda chars: list(chars.lower()))), term
    return term.casefold(), term


def glossary_groups(data: ProjectData, lang: str) -> list[GlossaryGroup]:
    """The glossary page's sections: one per programme (the content model's tracks, in their order),
    each in the language's order (sort_key)."""
    entries = glossary_entries(data, lang)
    groups = []
    for track, label in data.model.tracks.items():
        mine = tuple(e for e in entries if e.track == track)
        if mine:
            groups.append(GlossaryGroup(track=track, label=label.in_lang(lang) or track, entries=mine))
    return groups


def form_edges(form: str, lang: str) -> tuple[str, str, bool]:
    """(boundary before, suffix after, case-sensitive) of one written form: a Chinese form matches as
    a substring (with a boundary only next to Latin letters or digits); any other form on word
    boundaries, with an optional plural "s"/"es", case-insensitively unless it has a capital letter
    after the first character (GAP, Hg)."""
    if lang == "zh" and re.search(r"[^\x00-\x7f]", form):
        before = rf"(?<!{_LATIN})" if re.match(_LATIN, form) else ""
        after = rf"(?!{_LATIN})" if re.search(rf"{_LATIN}$", form) else ""
        return before, after, True
    before = rf"(?<!{_WORD})" if re.match(_WORD, form) else ""
    after = rf"(?!{_WORD})" if re.search(rf"{_WORD}$", form) else ""
    plural = "(?:e?s)?" if re.search(r"[A-Za-z]$", form) else ""
    return before, plural + after, any(c.isupper() for c in form[1:])


def _trie(forms: list[tuple[str, str]], lang: str) -> str:
    """One regex for many forms, as a character trie: at each position the engine follows one path
    instead of trying hundreds of alternatives (glossary terms on every page of a large site).
    Each form ends in an empty named group, so ``match.lastgroup`` names the form that matched;
    longer continuations are tried first, so the longest form wins, as with a plain alternation."""
    by_boundary: dict[str, dict] = {}
    suffix: dict[str, str] = {}
    for name, form in forms:
        before, after, _ = form_edges(form, lang)
        suffix[name] = after
        node = by_boundary.setdefault(before, {})
        for part in re.split(r"(\s+)", form):
            for token in ([r"[\s\u00a0]+"] if part.isspace() else [re.escape(c) for c in part]):
                node = node.setdefault(token, {})
        node.setdefault("", []).append(name)

    def emit(node: dict) -> tuple[str, int]:
        """The node's pattern and its depth (longest path below it), in one walk."""
        children = [(key, *emit(child)) for key, child in node.items() if key]
        children.sort(key=lambda c: -c[2])
        branches = [key + pattern for key, pattern, _ in children]
        branches += [f"{suffix[name]}(?P<{name}>)" for name in node.get("", [])]
        pattern = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return pattern, 1 + max((depth for _, _, depth in children), default=0)

    return "|".join(before + emit(node)[0] for before, node in by_boundary.items())


_PATTERNS: dict[tuple, tuple[re.Pattern[str], dict[str, str]]] = {}


def form_pattern(forms: list[str], lang: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """The compiled matcher for a set of forms, and group name -> form; built once per glossary."""
    key = (lang, tuple(forms))
    if key not in _PATTERNS:
        groups = {f"t{i}": form for i, form in enumerate(forms)}
        sensitive = [(n, f) for n, f in groups.items() if form_edges(f, lang)[2]]
        insensitive = [(n, f) for n, f in groups.items() if not form_edges(f, lang)[2]]
        alternatives = []
        if sensitive:
            alternatives.append(_trie(sensitive, lang))
        if insensitive:
            alternatives.append(f"(?i:{_trie(insensitive, lang)})")
        _PATTERNS[key] = (re.compile("|".join(alternatives)), groups)
    return _PATTERNS[key]


_OWNERS: dict[tuple[int, str, Callable[..., bool] | None],
              tuple[Sequence[Any], dict[str, Any], re.Pattern[str], dict[str, str]]] = {}


def form_owners(terms: Sequence[Any], lang: str, keep: Callable[[Any, str], bool] | None = None
                ) -> tuple[dict[str, Any], re.Pattern[str], dict[str, str]]:
    """Each written form in *lang* of the terms (those *keep* keeps), its term, and the compiled
    matcher with its group names: prepared once per glossary and language, not once per page (every
    page of a build passes the same list of terms)."""
    kept = _OWNERS.get((id(terms), lang, keep))
    if kept is not None and kept[0] is terms:
        return kept[1], kept[2], kept[3]
    owner: dict[str, Any] = {}
    for term in terms:
        if keep is not None and not keep(term, lang):
            continue
        for form in term.forms(lang):
            if form and form.strip():
                owner.setdefault(form.strip(), term)
    pattern, groups = form_pattern(sorted(owner, key=lambda f: (-len(f), f)), lang) if owner else (re.compile("(?!)"), {})
    if len(_OWNERS) > 8:  # a long-running process (serve) reads the glossary afresh for each rebuild
        _OWNERS.clear()
    _OWNERS[(id(terms), lang, keep)] = (terms, owner, pattern, groups)
    return owner, pattern, groups


def terms_used(text: str, terms: Sequence[GlossaryTerm], lang: str) -> list[GlossaryTerm]:
    """The terms a written form of which in *lang* occurs in *text*, matched as the website's hover
    definitions match them (kb/web/glossary_html.py: the longest form at each position) but anywhere in
    the text and every time: the terms the page shows and the manual prints with it, and a few more."""
    lang = "zh" if lang.lower().startswith("zh") else "en"
    owner, pattern, groups = form_owners(terms, lang)
    if not owner or not text:
        return []
    used = {owner[groups[m.lastgroup or ""]].id for m in pattern.finditer(text) if m.lastgroup}
    return [t for t in terms if t.id in used]
