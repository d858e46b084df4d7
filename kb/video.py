"""Videos: subtitle files (WebVTT, parsed with webvtt-py), the video file's duration and resolution
(ffprobe, from Debian's ffmpeg) and the player, tracks and transcript a video page shows.

No MkDocs here: the video rule (kb.checks.video) and the hook (hooks/kb_hooks.py) both call it."""

from __future__ import annotations

import html
import io
import json
import posixpath
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

TIMING_RE = re.compile(r"^\s*((?:\d+:)?\d{2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{2}:\d{2}\.\d{3})(?:\s+.*)?$")
TAG_RE = re.compile(r"<[^>]*>")
PROBE_TIMEOUT = 60


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    lines: tuple[str, ...]  # reading lines, tags removed, entities decoded
    line: int  # line number of the cue's timing line in the file


@dataclass
class Subtitles:
    """One WebVTT file: its cues, or the problems that kept it from being read."""

    cues: list[Cue] = field(default_factory=list)
    problems: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)  # (line, code, params)

    @property
    def end(self) -> float:
        return max((c.end for c in self.cues), default=0.0)

    def transcript(self) -> list[str]:
        """The cues' text as paragraphs, consecutive duplicates dropped."""
        out: list[str] = []
        for cue in self.cues:
            text = " ".join(cue.lines).strip()
            if text and (not out or out[-1] != text):
                out.append(text)
        return out


def seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0.0)
    h, m, s = parts
    return h * 3600 + m * 60 + s


def clock(value: float) -> str:
    """12.5 -> '0:12', 754 -> '12:34' (for messages and the transcript)."""
    total = int(round(value))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def width(text: str) -> int:
    """Characters as a reader counts them on a line: one per character (CJK included)."""
    return sum(1 for ch in text if not unicodedata.combining(ch))


def parse_subtitles(text: str) -> Subtitles:
    """Read a WebVTT file with webvtt-py; add what the library accepts silently (timing lines it
    cannot read, blocks with text and no timing, cues that end before they start)."""
    result = Subtitles()
    text = text.lstrip("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not lines[0].startswith("WEBVTT"):
        result.problems.append((1, "vtt-header", {}))
        return result
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        result.problems.append((1, "vtt-malformed", {"problem": str(exc) or type(exc).__name__}))
        return result
    # Where each block starts, and which blocks carry a timing line the library read.
    timing_lines: list[int] = []
    block: list[tuple[int, str]] = []
    blocks: list[list[tuple[int, str]]] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            block.append((number, line))
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    for blk in blocks[1:] if blocks and blocks[0][0][1].startswith("WEBVTT") else blocks:
        first = blk[0][1].strip()
        if first.startswith(("NOTE", "STYLE", "REGION")):
            continue
        arrows = [(n, line) for n, line in blk[:2] if "-->" in line]
        if not arrows:
            result.problems.append((blk[0][0], "vtt-no-timing", {"text": first[:40]}))
            continue
        number, line = arrows[0]
        if not TIMING_RE.match(line):
            result.problems.append((number, "vtt-bad-timing", {"text": line.strip()[:60]}))
            continue
        timing_lines.append(number)
    if len(timing_lines) != len(captions):  # the library and our reading disagree: trust neither line numbers
        timing_lines = [1] * len(captions)
    for caption, number in zip(captions, timing_lines, strict=True):
        start, end = seconds(caption.start), seconds(caption.end)
        text_lines = tuple(html.unescape(TAG_RE.sub("", raw)).strip() for raw in caption.lines)
        cue = Cue(start=start, end=end, lines=tuple(t for t in text_lines if t), line=number)
        if end <= start:
            result.problems.append((number, "cue-backwards", {"start": caption.start, "end": caption.end}))
        result.cues.append(cue)
    return result


def cue_problems(subs: Subtitles, lang: str, max_chars: int | None, max_lines: int) -> list[tuple[int, str, dict]]:
    """Order, overlap and reading-line length of the cues of one language."""
    out: list[tuple[int, str, dict]] = []
    previous: Cue | None = None
    for cue in subs.cues:
        if previous is not None:
            if cue.start < previous.start:
                out.append((cue.line, "cue-order", {"start": clock(cue.start), "previous": clock(previous.start),
                                                    "previous_line": previous.line}))
            elif cue.start < previous.end:
                out.append((cue.line, "cue-overlap", {"start": f"{cue.start:.3f}", "previous_end": f"{previous.end:.3f}",
                                                      "previous_line": previous.line}))
        previous = cue
        if not cue.lines:
            out.append((cue.line, "cue-empty", {}))
        if len(cue.lines) > max_lines:
            out.append((cue.line, "too-many-lines", {"lines": len(cue.lines), "max": max_lines}))
        if max_chars:
            for text in cue.lines:
                if width(text) > max_chars:
                    out.append((cue.line, "line-too-long", {"lang": lang, "chars": width(text), "max": max_chars,
                                                            "text": text[:max_chars] + "…"}))
    return out


# --- the video file -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Probe:
    duration: float  # seconds
    width: int
    height: int


class ProbeUnavailable(Exception):
    """ffprobe is not installed."""


class ProbeFailed(Exception):
    """ffprobe could not read the file (not a video, damaged)."""


def ffprobe_path() -> str | None:
    return shutil.which("ffprobe")


def probe(path: Path) -> Probe:
    """Duration and the first video stream's size, read with ffprobe."""
    exe = ffprobe_path()
    if exe is None:
        raise ProbeUnavailable("ffprobe")
    try:
        out = subprocess.run(
            [exe, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height:format=duration",
             "-of", "json", str(path)],
            capture_output=True, text=True, timeout=PROBE_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ProbeFailed(str(exc)) from None
    if out.returncode != 0:
        raise ProbeFailed(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}")
    try:
        info = json.loads(out.stdout)
        stream = info["streams"][0]
        return Probe(duration=float(info["format"]["duration"]), width=int(stream["width"]), height=int(stream["height"]))
    except (ValueError, KeyError, IndexError, TypeError):
        raise ProbeFailed("no video stream") from None


# --- the page's video block --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VideoBlock:
    """A page's `video:` front matter, as typed values (None: not given or a gap)."""

    file: str | None
    poster: str | None
    subtitles: dict[str, str | None]
    duration_minutes: float | None

    @classmethod
    def from_meta(cls, meta: dict) -> VideoBlock | None:
        video = meta.get("video")
        if not isinstance(video, dict):
            return None
        subs = video.get("subtitles") if isinstance(video.get("subtitles"), dict) else {}
        minutes = video.get("duration_minutes")
        return cls(
            file=video["file"] if isinstance(video.get("file"), str) and video["file"].strip() else None,
            poster=video["poster"] if isinstance(video.get("poster"), str) and video["poster"].strip() else None,
            subtitles={str(k): (v if isinstance(v, str) and v.strip() else None) for k, v in subs.items()},
            duration_minutes=float(minutes) if isinstance(minutes, (int, float)) and not isinstance(minutes, bool) else None,
        )


SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def safe_media_name(name: str) -> bool:
    """A media file name: plain path segments (no '..', no scheme, no leading '/')."""
    return bool(SAFE_NAME_RE.match(name)) and ".." not in name.split("/")


def resolve_relative(page_path: str, href: str, lang: str, default_language: str, docs_dir: str,
                     files: frozenset[str]) -> str | None:
    """A path written relative to the page -> the repository path of the file (in the page's
    language, else the default language's, which the build falls back to), or None."""
    if not href or "://" in href or href.startswith("/"):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), href))
    candidates = [target]
    own = f"{docs_dir}/{lang}/"
    if target.startswith(own):
        candidates.append(f"{docs_dir}/{default_language}/{target[len(own):]}")
    return next((c for c in candidates if c in files), None)
