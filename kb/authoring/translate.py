"""Stamp a translated page with the hash of its source: ``translation: {from: zh, hash: …}``.
Only that one front-matter entry changes; every other byte of the file stays as it was."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.checks.engine import run
from kb.content.pages import (
    FrontMatterShapeError,
    body_hash,
    front_matter_lines,
    normalise_text,
    parse_front_matter,
    split_front_matter,
)
from kb.project.data import ProjectData
from kb.project.findings import Finding
from kb.project.fsutil import write_atomic
from kb.project.settings import Settings

TRANSLATION_KEY_RE = re.compile(r"translation:")


class StampError(Exception):
    """A problem with one file: reported with its path, the others are still stamped."""


@dataclass(frozen=True)
class Stamp:
    path: Path
    source: Path
    hash: str
    changed: bool


def locate(settings: Settings, path: Path) -> tuple[str, str]:
    """Return (language, path relative to docs/<lang>/) of a page path."""
    try:
        rel = path.resolve().relative_to(settings.docs_path.resolve()).as_posix()
    except ValueError:
        raise StampError(f"{path}: not under {settings.docs_dir}/") from None
    lang, _, rest = rel.partition("/")
    if lang not in settings.languages or not rest.endswith(".md"):
        raise StampError(f"{path}: expected {settings.docs_dir}/<{'|'.join(settings.languages)}>/….md")
    return lang, rest


# What stamping itself resolves: the stamp records that the translation follows the current source
# (a stale, untracked or mistyped stamp is replaced).
RESOLVED_BY_STAMP = frozenset({("stale-translation", "stale"), ("stale-translation", "untracked"),
                               ("front-matter", "bad-translation-hash"), ("front-matter", "bad-translation")})


def translation_errors(settings: Settings, data: ProjectData, paths: Iterable[Path], lang: str = "en") -> dict[str, list[Finding]]:
    """The errors that keep each page from being stamped as a current translation: the pair checks'
    (structure, paragraphs, numbers, links…) and the page's own, one check run for all of them."""
    rels = [p.resolve().relative_to(settings.root.resolve()).as_posix() for p in paths]
    report = run(settings, data, release=False, lang=lang, only=rels)
    out: dict[str, list[Finding]] = {rel: [] for rel in rels}
    for f in report.errors:
        if (f.rule, f.code) in RESOLVED_BY_STAMP:
            continue
        for rel in rels:
            if f.path == rel or rel in f.pair:
                out[rel].append(f)
    return out


def stamp(settings: Settings, path: Path, source_lang: str | None = None, hash_length: int = 12,
          override: str | None = None) -> Stamp:
    lang, rel = locate(settings, path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StampError(f"{path}: not UTF-8; convert it first (see ./scripts/check)") from None
    fm_source, _, _ = split_front_matter(normalise_text(text))
    if fm_source is None:
        raise StampError(f"{path}: has no front matter; add title, type, track and review first")
    meta, _, err = parse_front_matter(fm_source)
    if err:
        raise StampError(f"{path}:{err[0] + 2}: front matter is not valid YAML ({err[1]}); fix it first")
    existing = meta.get("translation")
    if source_lang is None:
        if isinstance(existing, dict) and existing.get("from") in settings.languages:
            source_lang = existing["from"]
        else:
            others = settings.other_languages(lang)
            source_lang = settings.default_language if settings.default_language in others else others[0]
    if source_lang == lang:
        raise StampError(f"{path}: a page cannot be a translation of itself ({lang})")
    source = settings.lang_dir(source_lang) / rel
    if not source.exists():
        raise StampError(f"{path}: source page {source.relative_to(settings.root)} does not exist")
    try:
        source_text = source.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise StampError(f"{source}: not UTF-8; convert it first") from None
    digest = body_hash(source_text, hash_length)
    entry: dict[str, str] = {"from": source_lang, "hash": digest}
    if override:  # stamped although the checks found errors: why, for the reviewer to read
        entry["override"] = " ".join(override.split())
    flow = yaml.safe_dump(entry, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1 << 30).strip()
    new_text = replace_translation_entry(text, f"translation: {flow}")
    changed = new_text != text
    if changed:
        write_atomic(path, new_text.encode("utf-8"))
    return Stamp(path=path, source=source, hash=digest, changed=changed)


def replace_translation_entry(text: str, entry: str) -> str:
    """Replace (or add) the top-level ``translation`` entry of the front matter, keeping the BOM,
    the line endings and every other line exactly as they were."""
    try:
        fm = front_matter_lines(text)
    except FrontMatterShapeError as exc:
        raise StampError("no front matter" if exc.reason == "missing" else "front matter is not closed with ---") from None
    new_line = entry + fm.newline
    span = fm.entry_span(TRANSLATION_KEY_RE)
    if span is None:
        fm.lines.insert(fm.end, new_line)
    else:
        fm.lines[span[0]:span[1]] = [new_line]
    return fm.text()
