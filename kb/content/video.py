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
MEDIA_DIR = "media"  # site/media/: video files copied into the site when data/media.yml gives no url


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


# --- what a video page shows ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Track:
    lang: str
    src: str   # relative to the page's URL
    default: bool


@dataclass(frozen=True)
class VideoView:
    """The player, its tracks and the transcript of one video page in one language."""

    src: str | None          # None: the file is a gap
    mime: str
    poster: str | None
    tracks: tuple[Track, ...]
    missing_tracks: tuple[str, ...]  # languages whose subtitles are a gap
    transcript: tuple[tuple[str, str], ...]  # (clock time, text)
    transcript_lang: str | None


MIME = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg", ".mov": "video/quicktime"}


def site_path(lang: str, default_language: str, rel: str) -> str:
    """Where docs/<lang>/<rel> is in site/: the default language at the root, the others under <lang>/."""
    return rel if lang == default_language else f"{lang}/{rel}"


def video_view(block: VideoBlock, *, page_rel: str, page_dir: str, lang: str, languages: tuple[str, ...],
               default_language: str, docs_path: Path, media_src: str | None) -> VideoView:
    """*page_dir*: the built page's folder in site/ ("en/mercury/events/video-1"); *media_src*: the
    address of the video file as the page loads it (None when the file is a gap). Subtitle files and
    the poster are found next to the page in its language, else in the default language's tree
    (where the build falls back to)."""

    def locate(href: str | None) -> tuple[Path, str] | None:
        if href is None or "://" in href or href.startswith("/"):
            return None
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), href))
        if target.startswith(".."):
            return None
        for tree in dict.fromkeys((lang, default_language)):
            if (docs_path / tree / target).is_file():
                return docs_path / tree / target, posixpath.relpath(site_path(tree, default_language, target), page_dir or ".")
        return None

    tracks: list[Track] = []
    missing: list[str] = []
    texts: dict[str, Path] = {}
    for sub_lang in languages:
        found = locate(block.subtitles.get(sub_lang))
        if found is None:
            missing.append(sub_lang)
            continue
        texts[sub_lang] = found[0]
        tracks.append(Track(lang=sub_lang, src=found[1], default=sub_lang == lang))
    transcript: list[tuple[str, str]] = []
    transcript_lang = lang if lang in texts else next(iter(texts), None)
    if transcript_lang is not None:
        try:
            subs = parse_subtitles(texts[transcript_lang].read_bytes().decode("utf-8", errors="replace"))
        except OSError:
            subs = Subtitles()
        previous = ""
        for cue in subs.cues:
            text = " ".join(cue.lines).strip()
            if text and text != previous:
                transcript.append((clock(cue.start), text))
            previous = text
    poster = locate(block.poster)
    mime = MIME.get(posixpath.splitext(block.file or "")[1].lower(), "video/mp4")
    return VideoView(src=media_src, mime=mime, poster=poster[1] if poster else None, tracks=tuple(tracks),
                     missing_tracks=tuple(missing), transcript=tuple(transcript), transcript_lang=transcript_lang)


def media_address(block: VideoBlock, media_url: str | None, page_dir: str) -> str | None:
    """Where a page loads its video from: the configured base URL, or the site's own media/ folder
    (at the site root, shared by the languages)."""
    if block.file is None or not safe_media_name(block.file):
        return None
    if media_url:
        return media_url.rstrip("/") + "/" + block.file
    return posixpath.relpath(f"{MEDIA_DIR}/{block.file}", page_dir or ".")


def copy_media(blocks: list[VideoBlock], source: Path, site_dir: Path) -> list[str]:
    """Copy the named video files found under *source* into site/media/ (only when pages load them
    from the site). Returns the names copied; a file already there with the same size and mtime is kept."""
    copied = []
    for name in sorted({b.file for b in blocks if b.file and safe_media_name(b.file)}):
        src = source / name
        # the media folder passes the same boundary as pages: a symlink (out of the project or not) is
        # never followed into the site
        if src.is_symlink() or not src.is_file() or source.resolve() not in src.resolve().parents:
            continue
        dest = site_dir / MEDIA_DIR / name
        st = src.stat()
        if dest.is_file() and dest.stat().st_size == st.st_size and int(dest.stat().st_mtime) == int(st.st_mtime):
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        shutil.copy2(src, tmp)  # large files: copied in chunks, then moved into place (atomic)
        tmp.replace(dest)
        copied.append(name)
    return copied


def insert_player(html_text: str, player: str) -> str:
    """The player goes before the page's first section heading (after its introduction)."""
    at = html_text.find("<h2")
    return html_text + player if at < 0 else html_text[:at] + player + "\n" + html_text[at:]
