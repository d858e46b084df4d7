"""The video rule: a video page's subtitles (WebVTT) and, when the file is at the media location,
its duration and resolution (ffprobe) against its programme's thresholds (data/event-thresholds.yml).

Subtitle files are in docs/ next to the page (small, reviewed like text); the video files are not
in the repository (data/media.yml says where they are)."""

from __future__ import annotations

from kb.checks import Context, Scope, finding, rule
from kb.content.pages import Page
from kb.content.video import (
    Probe,
    ProbeFailed,
    ProbeUnavailable,
    VideoBlock,
    clock,
    cue_problems,
    parse_subtitles,
    probe,
    resolve_relative,
    safe_media_name,
)
from kb.project.data import EventLimits
from kb.project.findings import Finding


def _read(ctx: Context, path: str) -> str | None:
    try:
        return (ctx.data.settings.root / path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


@rule(Scope.PAGE)
def check_video(page: Page, ctx: Context) -> list[Finding]:
    event = page.meta.get("event") if isinstance(page.meta.get("event"), dict) else {}
    block = VideoBlock.from_meta(page.meta)
    is_video = page.type == "event" and event.get("kind") == "video"
    if block is None:
        if is_video and event.get("status") == "held":
            return [finding("video", "held-without-video", page, page.line_of("event"))]
        return []
    out: list[Finding] = []
    line = page.line_of("video")
    limits = ctx.data.event_limits(page.track, "video")
    held = event.get("status") == "held"
    media = ctx.data.media
    # The files both language pages name are checked once, from the default language's page.
    primary = page.lang == ctx.default_language or f"{ctx.docs_dir}/{ctx.default_language}/{page.rel}" not in ctx.files
    # what the page declares
    minutes = block.duration_minutes
    if minutes is not None:
        if limits.duration_minutes_min is not None and minutes < limits.duration_minutes_min:
            out.append(finding("video", "declared-too-short", page, line, minutes=minutes, min=limits.duration_minutes_min))
        if limits.duration_minutes_max is not None and minutes > limits.duration_minutes_max:
            out.append(finding("video", "declared-too-long", page, line, minutes=minutes, max=limits.duration_minutes_max))
    if held:
        for name in ("file", "duration_minutes"):
            if getattr(block, name) is None:
                out.append(finding("video", "held-incomplete", page, line, field=f"video.{name}"))
    if block.poster is not None and resolve_relative(page.path, block.poster, page.lang, ctx.default_language,
                                                     ctx.docs_dir, ctx.files) is None:
        out.append(finding("video", "poster-missing", page, line, poster=block.poster))
    for lang in ctx.languages:
        if lang not in block.subtitles:
            out.append(finding("video", "subtitles-language", page, line, lang=lang))
    # the subtitle files (read from the default language's page: both pages name the same files)
    ends: dict[str, float] = {}
    for lang, href in block.subtitles.items():
        if href is None:
            continue
        path = resolve_relative(page.path, href, page.lang, ctx.default_language, ctx.docs_dir, ctx.files)
        if path is None:
            out.append(finding("video", "subtitles-missing", page, line, lang=lang, file=href))
            continue
        if not primary:
            continue
        text = _read(ctx, path)
        if text is None:
            out.append(finding("video", "vtt-unreadable", path, 1, lang=lang))
            continue
        subs = parse_subtitles(text)
        for where, code, params in subs.problems:
            out.append(finding("video", code, path, where, lang=lang, **params))
        for where, code, params in cue_problems(subs, lang, media.subtitles.max_line_chars.get(lang), media.subtitles.max_lines):
            out.append(finding("video", code, path, where, **params))
        if subs.cues:
            ends[lang] = subs.end
        elif not subs.problems:
            out.append(finding("video", "vtt-empty", path, 1, lang=lang))
    # the video file itself, when it is at the media location
    duration: float | None = None
    if block.file is not None:
        if not safe_media_name(block.file):
            out.append(finding("video", "bad-file-name", page, line, file=block.file))
        elif primary:
            target = media.path / block.file
            if not target.is_file():
                out.append(finding("video", "file-absent", page, line, file=block.file, where=str(media.path)))
            else:
                try:
                    info = probe(target)
                except ProbeUnavailable:
                    out.append(finding("video", "no-ffprobe", page, line, file=block.file))
                except ProbeFailed as exc:
                    out.append(finding("video", "probe-failed", page, line, file=block.file, problem=str(exc)))
                else:
                    duration = info.duration
                    out.extend(_probe_findings(page, line, block, info, limits))
    if duration is None and minutes is not None:
        duration = minutes * 60
    if primary:
        out.extend(_coverage(page, line, ends, duration, media.subtitles.end_margin_seconds))
    return out


def _probe_findings(page: Page, line: int, block: VideoBlock, info: Probe, limits: EventLimits) -> list[Finding]:
    out = []
    minutes = info.duration / 60
    if limits.duration_minutes_min is not None and minutes < limits.duration_minutes_min:
        out.append(finding("video", "file-too-short", page, line, file=block.file, duration=clock(info.duration),
                           min=limits.duration_minutes_min))
    if limits.duration_minutes_max is not None and minutes > limits.duration_minutes_max:
        out.append(finding("video", "file-too-long", page, line, file=block.file, duration=clock(info.duration),
                           max=limits.duration_minutes_max))
    if (limits.width_min is not None and info.width < limits.width_min) or (
            limits.height_min is not None and info.height < limits.height_min):
        out.append(finding("video", "resolution", page, line, file=block.file, width=info.width, height=info.height,
                           min_width=limits.width_min or 0, min_height=limits.height_min or 0))
    if block.duration_minutes is not None and abs(block.duration_minutes * 60 - info.duration) > 60:
        out.append(finding("video", "duration-differs", page, line, file=block.file, duration=clock(info.duration),
                           declared=block.duration_minutes))
    return out


def _coverage(page: Page, line: int, ends: dict[str, float], duration: float | None, margin: float) -> list[Finding]:
    out = []
    if duration is not None:
        for lang, end in sorted(ends.items()):
            if end < duration - margin:
                out.append(finding("video", "coverage", page, line, lang=lang, end=clock(end), duration=clock(duration)))
            elif end > duration + 1:
                out.append(finding("video", "beyond-end", page, line, lang=lang, end=clock(end), duration=clock(duration)))
    if len(ends) >= 2:
        ordered = sorted(ends.items(), key=lambda kv: kv[1])
        (a, end_a), (b, end_b) = ordered[0], ordered[-1]
        if end_b - end_a > margin:
            out.append(finding("video", "languages-differ", page, line, short=a, short_end=clock(end_a), long=b,
                               long_end=clock(end_b)))
    return out
