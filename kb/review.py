"""The side-by-side review view: a pair's sections aligned by heading id. Pure functions over HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass

H2_RE = re.compile(r"<h2\b[^>]*\bid=\"(?P<id>[^\"]+)\"[^>]*>(?P<title>.*?)</h2>", re.DOTALL)
TAG_RE = re.compile(r"<[^>]+>")
PERMALINK_RE = re.compile(r"<a class=\"headerlink\"[^>]*>.*?</a>", re.DOTALL)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    html: str


def split_sections(html: str) -> list[Section]:
    """Cut rendered page HTML at its level-2 headings; text before the first one is "_intro"."""
    sections: list[Section] = []
    last_id, last_title, start = "_intro", "", 0
    for m in H2_RE.finditer(html):
        body = html[start:m.start()].strip()
        if body or last_id != "_intro":
            sections.append(Section(last_id, last_title, body))
        last_id, last_title, start = m.group("id"), TAG_RE.sub("", PERMALINK_RE.sub("", m.group("title"))).strip(), m.end()
    body = html[start:].strip()
    if body or last_id != "_intro":
        sections.append(Section(last_id, last_title, body))
    return sections


def align(left: list[Section], right: list[Section]) -> list[tuple[str, Section | None, Section | None]]:
    """Rows of (id, left section, right section), in the left page's order, then right-only ids."""
    right_by_id = {s.id: s for s in right}
    rows = [(s.id, s, right_by_id.get(s.id)) for s in left]
    seen = {s.id for s in left}
    rows += [(s.id, None, s) for s in right if s.id not in seen]
    return rows
