"""The build's boundary: which files under docs/ may be read at all, and which pages are too big or
too deeply nested to parse. Used by the engine (findings) and by the hook (the same files are left
out of the build), so a refused file never reaches MkDocs, site/ or a PDF.

Policy: docs/ holds real files only. Any symlink (file or directory, whatever its target) is
refused: a link into the repository is as easy to write as a copy, and a link out of it is how a
pull request would publish the build machine's files. Not-regular files (FIFOs, sockets), files
that cannot be read, odd names (spaces, control characters, leading dash, markup characters, more
than 100 characters) and pages over the limits in data/limits.yml are refused as well."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.content.safety import check_svg
from kb.content.text import decode, normalise_text
from kb.project.data import Limits

NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class Refusal:
    rule: str   # unsafe-file | input-limits
    code: str
    line: int = 1
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def shown(name: str) -> str:
    """A file name as it may be printed: control characters visible, length bounded."""
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)
    return text if len(text) <= 80 else text[:77] + "..."


def walk(docs: Path) -> Iterator[tuple[Path, bool]]:
    """Every entry under *docs* that is a file or a symlink, without following symlinks:
    (path, is a symlinked directory). Symlinked directories are listed but not entered."""
    for folder, dirnames, filenames in os.walk(docs, followlinks=False):
        here = Path(folder)
        for name in sorted(dirnames):
            if (here / name).is_symlink():
                yield here / name, True
        dirnames[:] = sorted(d for d in dirnames if not (here / d).is_symlink())
        for name in sorted(filenames):
            yield here / name, False


def check_path(path: Path, docs: Path) -> Refusal | None:
    """Name, symlinks (the file or any folder above it inside docs/), file type."""
    try:
        rel = path.relative_to(docs)
    except ValueError:
        return Refusal("unsafe-file", "outside", params={"target": shown(str(path))})
    for part in rel.parts:
        if not NAME_RE.match(part):
            return Refusal("unsafe-file", "file-name", params={"name": shown(part)})
    current = docs
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            try:
                target = os.readlink(current)
            except OSError:
                target = "?"
            return Refusal("unsafe-file", "symlink", params={"target": shown(target)})
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return Refusal("unsafe-file", "unreadable", params={"error": exc.strerror or type(exc).__name__})
    if not stat.S_ISREG(mode):
        return Refusal("unsafe-file", "not-a-file")
    return None


def read_checked(path: Path, docs: Path, limits: Limits, *, page: bool) -> tuple[bytes | None, Refusal | None]:
    """The bytes of a file under docs/, or why it is refused."""
    refusal = check_path(path, docs)
    if refusal is not None:
        return None, refusal
    try:
        size = path.stat().st_size
        if page and size > limits.page_bytes:
            return None, Refusal("input-limits", "too-large", params={"size": size, "limit": limits.page_bytes})
        with open(path, "rb") as handle:
            raw = handle.read(limits.page_bytes + 1) if page else handle.read()
    except OSError as exc:
        return None, Refusal("unsafe-file", "unreadable", params={"error": exc.strerror or type(exc).__name__})
    if page and len(raw) > limits.page_bytes:  # grew while being read
        return None, Refusal("input-limits", "too-large", params={"size": len(raw), "limit": limits.page_bytes})
    if path.suffix.lower() == ".svg":
        problems = check_svg(raw)
        if problems:
            p = problems[0]
            return raw, Refusal("unsafe-file", f"svg-{p.kind}", p.line, {"detail": p.detail})
    return raw, None


# An HTML tag's start (<div, </div): what opens or closes an element when a page's raw HTML is rendered.
TAG_START_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:[^<>]*?(/)>)?")
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                           "track", "wbr"})
FENCE_RE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")
CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")  # `<div>` in a sentence is text, not an element


def _html_depth(line: str, depth: int) -> int:
    """The raw HTML element depth after *line*, from *depth* before it: each tag that opens an element
    (not a void one, not one closed by "/>" on the line) one level deeper, each closing tag one level
    up. An element never closed stays open to the end of the page, as a browser (and the renderers
    after it) nests everything that follows inside it."""
    for closing, name, self_closed in TAG_START_RE.findall(CODE_SPAN_RE.sub("", line) if "`" in line else line):
        if name.lower() in VOID_ELEMENTS or self_closed:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
    return depth


def over_limits(text: str, limits: Limits) -> Refusal | None:
    """The first limit a page's text exceeds (one linear pass), or None."""
    block_chars = block_markup = page_markup = 0
    block_start = 1
    html_depth = 0
    fence = ""  # the fence of the code block the line is in ("": none; its tags are text)
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > limits.line_chars:
            return Refusal("input-limits", "line-too-long", number, {"length": len(line), "limit": limits.line_chars})
        opened = FENCE_RE.match(line)
        if opened and (not fence or opened.group(1).startswith(fence)):
            fence = "" if fence else opened.group(1)
        elif not fence and "<" in line:
            html_depth = _html_depth(line, html_depth)
            if html_depth > limits.html_nesting:
                return Refusal("input-limits", "too-deep-html", number, {"depth": html_depth, "limit": limits.html_nesting})
        if not line.strip():
            block_chars = block_markup = 0
            block_start = number + 1
            continue
        markup = line.count("[") + line.count("<")
        block_chars += len(line) + 1
        block_markup += markup
        page_markup += markup
        if block_chars > limits.block_chars:
            return Refusal("input-limits", "block-too-large", block_start, {"length": block_chars, "limit": limits.block_chars})
        if block_markup > limits.block_markup:
            return Refusal("input-limits", "too-much-markup", block_start, {"count": block_markup, "limit": limits.block_markup})
        if page_markup > limits.page_markup:
            return Refusal("input-limits", "too-much-markup-page", number, {"count": page_markup, "limit": limits.page_markup})
        stripped = line.lstrip(" \t>")
        prefix = line[: len(line) - len(stripped)]
        depth = prefix.count(">") + len(prefix.replace(">", "").expandtabs(4)) // 4
        if depth > limits.nesting:
            return Refusal("input-limits", "too-deep", number, {"depth": depth, "limit": limits.nesting})
    return None


def refused_for_build(path: Path, docs: Path, limits: Limits, *, page: bool) -> Refusal | None:
    """Why the build must leave this file out (the engine reports the same as findings)."""
    raw, refusal = read_checked(path, docs, limits, page=page)
    if refusal is not None or raw is None or not page:
        return refusal
    text, error = decode(raw)
    if text is None or "\x00" in text:
        return Refusal("encoding", "not-utf8")
    return over_limits(normalise_text(text), limits)
