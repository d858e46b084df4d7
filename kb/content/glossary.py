"""The glossary as printed and shown: one row per term in a language, with the other language's term;
and how a written form of a term is recognised in text (the website's hover definitions, the
approval digest's "terms the page uses")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from kb.project.data import GlossaryTerm, ProjectData

_WORD = r"[^\W_]"  # a letter or digit in any script
_LATIN = r"[A-Za-z0-9]"


def glossary_entries(data: ProjectData, lang: str) -> list[dict[str, Any]]:
    other = "en" if lang == "zh" else "zh"
    rows = [
        {"id": t.id, "term": t.term(lang), "other": t.term(other), "definition": t.definition.get(lang, ""),
         "track": t.track, "source": t.source}
        for t in data.glossary
    ]
    key = (lambda r: r["term"]) if lang == "zh" else (lambda r: r["term"].lower())
    return sorted(rows, key=key)


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


@lru_cache(maxsize=4096)
def _form_pattern(form: str, lang: str) -> re.Pattern[str]:
    before, after, sensitive = form_edges(form, lang)
    body = r"[\s\u00a0]+".join(re.escape(part) for part in form.split())
    return re.compile(before + body + after, 0 if sensitive else re.IGNORECASE)


def terms_used(text: str, terms: Iterable[GlossaryTerm], lang: str) -> list[GlossaryTerm]:
    """The terms one of whose written forms in *lang* occurs in *text*, matched as the website's hover
    definitions match them (kb/web/glossary_html.py) but anywhere in the text: a superset of the terms
    the page shows and the manual prints with it."""
    lang = "zh" if lang.lower().startswith("zh") else "en"
    return [t for t in terms if any(form.strip() and _form_pattern(form.strip(), lang).search(text)
                                    for form in t.forms(lang))]
