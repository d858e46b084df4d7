"""Video pages: WebVTT subtitles read with webvtt-py, the file read with ffprobe, the player,
tracks and transcript the built page shows, and Chromium playing it with the Chinese track on.

The video is made here with ffmpeg (3 s, 320x240): nothing large goes into git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitebuild import FIXTURES, build, make_project

from kb.checks.engine import run
from kb.content import video
from kb.content.video import cue_problems, parse_subtitles

FIXTURE = FIXTURES / "video-page"
FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg is missing: apt-get install ffmpeg")


def make_video(dest: Path, seconds: int = 3, size: str = "320x240") -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=10", "-t", str(seconds),
                    "-pix_fmt", "yuv420p", str(dest)], check=True, timeout=120)
    return dest


def video_project(tmp_path: Path, *, site: bool = False) -> Path:
    project = make_project(tmp_path / "p", FIXTURE, site=site)
    clip = make_video(project / "media" / "demo.mp4")
    poster = project / "docs" / "zh" / "img" / "demo-poster.jpg"
    poster.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([FFMPEG, "-v", "error", "-y", "-i", str(clip), "-frames:v", "1", str(poster)], check=True, timeout=60)
    return project


# --- subtitles --------------------------------------------------------------------------------------------------------
def test_subtitles_are_read_with_their_line_numbers_and_decoded_text():
    subs = parse_subtitles("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n<b>汞</b> &amp; 触媒\n第二行\n\n"
                           "00:01.500 --> 00:03.000\nsecond\n")
    assert not subs.problems
    assert [(c.start, c.end, c.line) for c in subs.cues] == [(0.0, 1.5, 3), (1.5, 3.0, 7)]
    assert subs.cues[0].lines == ("汞 & 触媒", "第二行")


@pytest.mark.parametrize(("text", "code", "line"), [
    ("1\n00:00:00,000 --> 00:00:01,000\nSRT\n", "vtt-header", 1),
    ("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nx\n", "vtt-no-timing", 3),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nx\n", "vtt-bad-timing", 3),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nx\n", "cue-backwards", 3),
])
def test_malformed_subtitles_are_problems_with_a_line(text: str, code: str, line: int):
    assert (line, code) in [(where, c) for where, c, _ in parse_subtitles(text).problems]


def test_cues_out_of_order_overlapping_or_too_long_are_reported():
    subs = parse_subtitles("WEBVTT\n\n00:00:05.000 --> 00:00:06.000\n二\n\n00:00:00.000 --> 00:00:04.000\n一\n\n"
                           "00:00:03.000 --> 00:00:04.500\n这一行字幕太长了读者根本来不及读完\n\n"
                           "00:00:07.000 --> 00:00:08.000\n一\n二\n三\n")
    found = {(line, code) for line, code, _ in cue_problems(subs, "zh", 16, 2)}
    assert found == {(6, "cue-order"), (9, "cue-overlap"), (9, "line-too-long"), (12, "too-many-lines")}
    assert not cue_problems(parse_subtitles("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nshort\n"), "en", 42, 2)


# --- the video file, with ffprobe -------------------------------------------------------------------------------
@needs_ffmpeg
def test_ffprobe_reads_duration_and_resolution(tmp_path: Path):
    info = video.probe(make_video(tmp_path / "clip.mp4"))
    assert abs(info.duration - 3.0) < 0.2 and (info.width, info.height) == (320, 240)
    (tmp_path / "not-a-video.mp4").write_text("hello")
    with pytest.raises(video.ProbeFailed):
        video.probe(tmp_path / "not-a-video.mp4")


@needs_ffmpeg
def test_the_video_rule_holds_the_file_to_the_terms_of_reference(tmp_path: Path, settings_for):
    project = video_project(tmp_path)
    report = run(settings_for(project), lang="en")
    found = {(f.path, f.code) for f in report.findings if f.rule == "video"}
    page = "docs/zh/demo-video.md"
    # 3 s and 320x240 against 10-15 min and 1920x1080 (data/event-thresholds.yml); the subtitles cover the 3 s
    assert {(page, "file-too-short"), (page, "resolution"), (page, "declared-too-short")} <= found
    assert not {code for _, code in found} & {"coverage", "cue-order", "cue-overlap", "subtitles-missing", "poster-missing"}
    # the file checks run once per pair, from the default language's page
    assert ("docs/en/demo-video.md", "resolution") not in found


def test_without_ffprobe_the_rule_says_so_and_does_not_fail(tmp_path: Path, settings_for, monkeypatch):
    project = make_project(tmp_path / "p", FIXTURE)
    (project / "media").mkdir()
    (project / "media" / "demo.mp4").write_bytes(b"\0" * 64)
    monkeypatch.setattr(video, "ffprobe_path", lambda: None)
    report = run(settings_for(project), lang="zh")
    notes = [f for f in report.findings if f.rule == "video" and f.code == "no-ffprobe"]
    assert len(notes) == 1 and notes[0].severity == "info" and "apt-get install ffmpeg" in notes[0].message


def test_a_missing_file_is_a_note_and_broken_subtitles_point_at_the_vtt_line(tmp_path: Path, settings_for):
    project = make_project(tmp_path / "p", FIXTURE)
    vtt = project / "docs" / "zh" / "subtitles" / "demo.en.vtt"
    vtt.write_text("WEBVTT\n\n00:00:02.000 --> 00:00:02.900\nThird\n\n00:00:00.000 --> 00:00:00.900\nFirst\n", encoding="utf-8")
    report = run(settings_for(project), lang="en")
    by_code = {f.code: f for f in report.findings if f.rule == "video"}
    assert by_code["file-absent"].severity == "info"
    assert (by_code["cue-order"].path, by_code["cue-order"].line) == ("docs/zh/subtitles/demo.en.vtt", 6)


# --- the built page ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if FFMPEG is None:
        pytest.skip("ffmpeg is missing: apt-get install ffmpeg")
    project = video_project(tmp_path_factory.mktemp("video"), site=True)
    build(project)
    return project / "site"


@pytest.mark.build
def test_the_page_has_a_local_player_both_tracks_and_a_transcript_search_finds(built: Path):
    zh = (built / "demo-video" / "index.html").read_text(encoding="utf-8")
    en = (built / "en" / "demo-video" / "index.html").read_text(encoding="utf-8")
    assert '<source src="../media/demo.mp4" type="video/mp4">' in zh
    assert '<source src="../../media/demo.mp4" type="video/mp4">' in en
    assert '<track kind="subtitles" srclang="zh" label="中文" src="../subtitles/demo.zh.vtt" default>' in zh
    assert '<track kind="subtitles" srclang="en" label="English" src="../../subtitles/demo.en.vtt" default>' in en
    assert 'poster="../img/demo-poster.jpg"' in zh
    # the files the page names are in the site, and nothing is loaded from elsewhere
    assert (built / "media" / "demo.mp4").stat().st_size == (built.parent / "media" / "demo.mp4").stat().st_size
    assert (built / "subtitles" / "demo.zh.vtt").is_file() and (built / "img" / "demo-poster.jpg").is_file()
    assert "测试字幕第二句" in zh and "Second test subtitle" in en
    # each language's own search index (kb/web/search.py) finds the transcript
    texts = {}
    for lang in ("zh", "en"):
        index = json.loads((built / "search" / f"{lang}.json").read_text(encoding="utf-8"))
        texts.update({d["location"]: d["text"].replace("\u200b", "") for d in index["docs"]})
    assert "测试字幕第二句" in texts["demo-video/"] and "Second test subtitle" in texts["en/demo-video/"]


@pytest.mark.build
@pytest.mark.browser
def test_chromium_plays_the_video_with_the_chinese_track_showing(built: Path, tmp_path: Path):
    from test_browser import CHROMIUM, _unavailable

    try:
        import playwright  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is missing")
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is missing at {CHROMIUM}")
    shots = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    probe = Path(__file__).resolve().parent / "browser_video_probe.py"
    # its own process: the browser tests' session keeps a Playwright loop open in this one
    result = subprocess.run([sys.executable, str(probe), str(built), str(shots / "video-zh.png"), "/demo-video/"],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["error"] is None and state["width"] == 320
    zh = next(t for t in state["tracks"] if t["lang"] == "zh")
    en = next(t for t in state["tracks"] if t["lang"] == "en")
    assert zh["mode"] == "showing" and en["mode"] != "showing"
    assert zh["active"] and zh["active"][0].startswith("测试字幕")
    assert all(u.startswith("http://127.0.0.1:") for u in state["requests"]), state["requests"]
