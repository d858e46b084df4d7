"""What an approval covers: one digest per page of everything the reader sees or the manual prints
for it (docs/adr/0011-approval-digest.md).

The digest is made of named parts, each a SHA-256 of a canonical form:

- ``body``: the page's body, as the translation stamp hashes it (``kb.content.pages.body_hash``);
- ``field:NAME``: each front-matter field the content model marks ``shown: true`` (title, summary,
  description, event, video …) that the page has, as sorted-key JSON;
- ``asset:PATH``: the bytes of every local file the page shows or links to (images, the video's poster
  and subtitles, downloads), resolved inside docs/ as the build resolves them (this language, then the
  default language) and named by the file found; a missing file is the part ``missing``, one outside
  docs/ ``outside``;
- ``term:ID``: each glossary entry the page uses (both languages' term and definition, the source),
  found in the body and the shown fields as the website finds them (kb.content.glossary.terms_used).

The digest recorded in an approval line is the SHA-256 of the sorted parts, cut to the content model's
``translation.hash_length`` hex digits. The same function gives what ``./scripts/approve`` records
and what verification compares (kb/trust/approvals.py), from the working tree or from a commit: it
reads files only through *read*."""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from kb.content.glossary import terms_used
from kb.content.pages import Page, body_hash
from kb.project.data import GlossaryTerm

Reader = Callable[[str], "bytes | None"]  # repository path -> the file's bytes, None when there is none

MISSING, OUTSIDE = "missing", "outside"
KINDS = ("body", "front-matter", "field", "asset", "term")  # the order parts are listed in


@dataclass(frozen=True)
class DigestRules:
    """What a digest reads besides the page: the same for every page of one check."""

    glossary: Sequence[GlossaryTerm]
    fields: tuple[str, ...]  # the shown front-matter fields (ContentModel.shown_fields)
    docs_dir: str  # repository path of the docs directory ("docs")
    default_language: str
    length: int  # hex digits recorded (ContentModel.hash_length)


@dataclass(frozen=True)
class PageDigest:
    value: str  # what an approval line records for the page
    parts: dict[str, str] = field(default_factory=dict)  # part name -> SHA-256 hex or a marker
    files: tuple[str, ...] = ()  # the repository files it read (assets found)

    def changed(self, other: PageDigest) -> list[str]:
        """The parts that differ from *other* (present in one only, or different), in KINDS order."""
        names = {n for n in self.parts.keys() | other.parts.keys() if self.parts.get(n) != other.parts.get(n)}
        return sorted(names, key=part_order)


def part_order(name: str) -> tuple[int, str]:
    kind = name.split(":", 1)[0]
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), name)


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def _shown_text(value: Any) -> list[str]:
    """Every string inside a shown field (where glossary terms are looked for)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _shown_text(v)]
    if isinstance(value, list):
        return [s for v in value for s in _shown_text(v)]
    return []


def asset_refs(page: Page) -> list[str]:
    """The local files the page shows or links to, as written: images, non-page links (downloads),
    the video's poster and subtitle files."""
    refs = [link.href for link in page.links if link.image or _is_file(link.href)]
    video = page.meta.get("video")
    if isinstance(video, dict):
        if isinstance(video.get("poster"), str):
            refs.append(video["poster"])
        subtitles = video.get("subtitles")
        if isinstance(subtitles, dict):
            refs += [v for _, v in sorted(subtitles.items(), key=lambda kv: str(kv[0])) if isinstance(v, str)]
    return refs


def _is_file(href: str) -> bool:
    path = urlsplit(href.strip()).path
    ext = posixpath.splitext(path)[1].lower()
    return bool(ext) and ext not in (".md", ".html", ".htm")


def _asset_parts(page: Page, rules: DigestRules, read: Reader) -> tuple[dict[str, str], list[str]]:
    parts: dict[str, str] = {}
    found: list[str] = []
    base = posixpath.dirname(page.path)
    root = rules.docs_dir.rstrip("/") + "/"
    lang_root = f"{root}{page.lang}/"
    for href in asset_refs(page):
        href = href.strip()
        split = urlsplit(href)
        if not href or href.startswith(("#", "//")) or split.scheme:
            continue  # not a local file (external images are refused by the missing-image rule)
        target_rel = unquote(split.path)
        if not target_rel:
            continue
        if target_rel.startswith("/"):  # site-absolute: the build does not resolve it inside docs/
            parts[f"asset:{target_rel}"] = OUTSIDE
            continue
        target = posixpath.normpath(posixpath.join(base, target_rel))
        if not target.startswith(root):
            parts[f"asset:{target}"] = OUTSIDE
            continue
        candidates = [target]
        if target.startswith(lang_root):
            candidates.append(f"{root}{rules.default_language}/{target[len(lang_root):]}")
        for candidate in candidates:
            data = read(candidate)
            if data is not None:
                parts[f"asset:{candidate}"] = _sha(data)  # the file the reader gets, named as it is
                found.append(candidate)
                break
        else:
            parts[f"asset:{target}"] = MISSING
    return parts, found


def term_record(term: GlossaryTerm) -> str:
    """What the website and the manual print of a glossary entry, canonically."""
    return _canonical({"id": term.id, "zh": term.zh, "en": term.en, "definition": term.definition.model_dump() if term.definition else {},
                       "source": term.source})


def page_digest(page: Page, rules: DigestRules, read: Reader) -> PageDigest:
    """The digest of one page (parsed by kb.content.pages.parse_page) with the files *read* gives."""
    text = page.text or ""
    parts: dict[str, str] = {"body": body_hash(text, 64)}
    if page.meta_error:
        parts["front-matter"] = _sha(text[: max(0, len(text) - len(page.body))])
    shown: list[str] = [page.body]
    for name in rules.fields:
        if name in page.meta:
            parts[f"field:{name}"] = _sha(_canonical(page.meta[name]))
            shown += _shown_text(page.meta[name])
    assets, found = _asset_parts(page, rules, read)
    parts.update(assets)
    for term in terms_used("\n".join(shown), rules.glossary, page.lang):
        parts[f"term:{term.id}"] = _sha(term_record(term))
    value = _sha(_canonical(parts))[: rules.length]
    return PageDigest(value=value, parts=parts, files=tuple(dict.fromkeys(found)))
