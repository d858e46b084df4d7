"""The glossary as printed and shown: one row per term in a language, with the other language's term."""

from __future__ import annotations

from typing import Any

from kb.project.data import ProjectData


def glossary_entries(data: ProjectData, lang: str) -> list[dict[str, Any]]:
    other = "en" if lang == "zh" else "zh"
    rows = [
        {"id": t.id, "term": t.term(lang), "other": t.term(other), "definition": t.definition.get(lang, ""),
         "track": t.track, "source": t.source}
        for t in data.glossary
    ]
    key = (lambda r: r["term"]) if lang == "zh" else (lambda r: r["term"].lower())
    return sorted(rows, key=key)
