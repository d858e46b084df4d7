"""Personal data in what the site serves or prints besides pages goes through the personal-data rule:
subtitles (their cues are the transcript under the video), CSV and text assets, the text an SVG
shows, file names, glossary entries; each finding names its file and line, and a release with one is
refused. Images reach the site with none of the text their files can carry (text chunks, private
chunks, JPEG comments, bytes after the end), whatever Pillow reports of them."""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sitebuild import FIXTURES, build, make_project

from kb.checks.engine import run
from kb.web.images import strip_metadata

CANARY = "13500135000"
OVERLAY = FIXTURES / "pii-in-assets"
GLOSSARY_ENTRY = """- id: contact-office
  zh: 联络处
  en: liaison office
  track: general
  definition:
    zh: 负责联络的办公室。
    en: The office that handles contacts; call Mr Wang on 010-62345678.
"""


def _project(tmp_path: Path, *, site: bool = False) -> Path:
    project = make_project(tmp_path / "p", FIXTURES / "video-page", OVERLAY, site=site)
    # a file whose name is a phone number (made here: no binary in git)
    Image.new("RGB", (8, 8), (0, 90, 0)).save(project / "docs" / "zh" / "mercury" / "wang-13600136000.png")
    glossary = project / "data" / "glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8").rstrip("\n") + "\n" + GLOSSARY_ENTRY, encoding="utf-8")
    return project


def _entry_line(project: Path) -> int:
    lines = (project / "data" / "glossary.yml").read_text(encoding="utf-8").split("\n")
    return lines.index("- id: contact-office") + 1


def test_personal_data_in_subtitles_assets_svg_text_file_names_and_the_glossary_is_found(tmp_path: Path, settings_for):
    project = _project(tmp_path)
    report = run(settings_for(project), lang="en")
    found = sorted((f.path, f.line, f.code, f.message) for f in report.findings if f.rule == "pii")
    assert found == sorted([
        ("docs/zh/subtitles/demo.zh.vtt", 7, "mobile",
         "Mobile phone number found (138******00). Sign-in sheets and contact lists belong in the private project "
         "archive, never on the public site. Remove it."),
        ("docs/zh/mercury/attendance.csv", 3, "resident-id",
         "Resident identity number found (110*************2X, valid checksum). Remove it at once: identity numbers "
         "never belong in public material."),
        ("docs/zh/mercury/visit-notes.txt", 3, "email",
         "E-mail address not on the allow-list found (wan********************om). Only organisational addresses "
         f"({', '.join(settings_for(project).email_allowlist_domains)}) are allowed; remove personal addresses."),
        ("docs/zh/mercury/contact-chart.svg", 4, "mobile",
         "Mobile phone number found (139******00). Sign-in sheets and contact lists belong in the private project "
         "archive, never on the public site. Remove it."),
        ("docs/zh/mercury/wang-13600136000.png", 1, "mobile",
         "Mobile phone number found (136******00). Sign-in sheets and contact lists belong in the private project "
         "archive, never on the public site. Remove it."),
        ("data/glossary.yml", _entry_line(project), "landline",
         "Landline number found (+8610******78). Personal contact details must not appear on the public site; remove "
         "it or use the organisation's public contact channel."),
    ])
    assert all(f.severity == "error" for f in report.findings if f.rule == "pii")
    assert {f.path for f in report.blocking} >= {path for path, *_ in found}


def test_timings_cue_numbers_and_svg_styles_and_shapes_are_not_personal_data(tmp_path: Path, settings_for):
    project = make_project(tmp_path / "p", FIXTURES / "video-page")
    subs = project / "docs" / "zh" / "subtitles"
    (subs / "numbers.srt").write_text("1\n00:00:13,800 --> 00:00:13,900\n共 13800138000 吨\n\n"
                                      "13800138000\n00:00:14,000 --> 00:00:15,000\n第二句\n", encoding="utf-8")
    (subs / "shapes.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><style>/* 13800138000 */</style>'
                                     '<path d="M138 0013 8000 1"/><text>2026 年</text></svg>', encoding="utf-8")
    report = run(settings_for(project), lang="en")
    assert [f for f in report.findings if f.rule == "pii"] == []


def test_a_media_file_name_is_read_where_the_page_names_it(tmp_path: Path, settings_for):
    """Media files are not under docs/: the site copies only those a video page names (kb.content.video.
    copy_media), and the page's front matter, where the name is written, is read like its text."""
    project = make_project(tmp_path / "p", FIXTURES / "video-page")
    page = project / "docs" / "zh" / "demo-video.md"
    text = page.read_text(encoding="utf-8")
    at = next(i for i, line in enumerate(text.split("\n"), 1) if line.strip().startswith("file:"))
    page.write_text(re.sub(r"(?m)^(\s*file:).*$", r"\1 wang-13700137000.mp4", text, count=1), encoding="utf-8")
    report = run(settings_for(project), lang="en")
    assert [(f.path, f.line, f.code) for f in report.findings if f.rule == "pii"] == [("docs/zh/demo-video.md", at, "mobile")]


# --- images: what reaches the site -------------------------------------------------------------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(extra: bytes = b"", trailer: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 10, 10)).save(out, format="PNG")
    data = out.getvalue()
    end = data.rindex(b"IEND") - 4  # chunks after the image data, before IEND: Pillow reads them only on load
    return data[:end] + extra + data[end:] + trailer


def _jpeg(segment: bytes = b"", trailer: bytes = b"", comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 10, 200)).save(out, format="JPEG", quality=90, **({"comment": comment} if comment else {}))
    data = out.getvalue()
    return data[:2] + segment + data[2:] + trailer


def _segment(marker: int, data: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data


HOSTILE_IMAGES = {
    "text.png": _png(_chunk(b"tEXt", b"Author\0" + CANARY.encode())),
    "itext.png": _png(_chunk(b"iTXt", b"Author\0\0\0\0\0" + "王某 ".encode() + CANARY.encode())),
    "private-chunk.png": _png(_chunk(b"prVt", CANARY.encode())),
    "after-end.png": _png(trailer=CANARY.encode()),
    "comment.jpg": _jpeg(comment=CANARY.encode()),
    "app15.jpg": _jpeg(_segment(0xEF, CANARY.encode())),
    "after-end.jpg": _jpeg(trailer=CANARY.encode()),
}


def test_images_lose_every_text_their_file_can_carry_and_keep_their_pixels(tmp_path: Path):
    for name, data in HOSTILE_IMAGES.items():
        (tmp_path / name).write_bytes(data)
    before = {name: Image.open(tmp_path / name).convert("RGB").tobytes() for name in HOSTILE_IMAGES}
    changed = strip_metadata(tmp_path)
    assert sorted(p.name for p in changed) == sorted(HOSTILE_IMAGES)
    for name in HOSTILE_IMAGES:
        served = (tmp_path / name).read_bytes()
        assert CANARY.encode() not in served and CANARY.encode("utf-16-be") not in served, name
        assert Image.open(tmp_path / name).convert("RGB").tobytes() == before[name], name
    assert strip_metadata(tmp_path) == []  # a rewritten image carries nothing more: not rewritten again


def test_plain_images_are_left_as_they_are(tmp_path: Path):
    Image.new("RGB", (30, 20), (1, 2, 3)).save(tmp_path / "plain.png")
    Image.new("RGB", (30, 20), (1, 2, 3)).save(tmp_path / "plain.jpg", quality=80, progressive=True)
    assert strip_metadata(tmp_path) == []


# --- the build ----------------------------------------------------------------------------------------------------
@pytest.mark.build
def test_a_draft_build_reports_them_serves_clean_images_and_a_release_is_refused(tmp_path: Path):
    project = _project(tmp_path, site=True)
    for name, data in HOSTILE_IMAGES.items():
        (project / "docs" / "zh" / "mercury" / name).write_bytes(data)
    build(project)
    status = json.loads((project / "site" / "status.json").read_text(encoding="utf-8"))
    reported = {(f["path"], f["line"], f["code"]) for f in status["findings"] if f["rule"] == "pii"}
    assert reported == {("docs/zh/subtitles/demo.zh.vtt", 7, "mobile"), ("docs/zh/mercury/attendance.csv", 3, "resident-id"),
                        ("docs/zh/mercury/visit-notes.txt", 3, "email"), ("docs/zh/mercury/contact-chart.svg", 4, "mobile"),
                        ("docs/zh/mercury/wang-13600136000.png", 1, "mobile"),
                        ("data/glossary.yml", _entry_line(project), "landline")}
    assert CANARY not in json.dumps(status, ensure_ascii=False)  # the images' text is no finding: it is gone
    served = project / "site" / "mercury"
    for name in HOSTILE_IMAGES:
        assert CANARY.encode() not in (served / name).read_bytes(), name
    (project / "site" / "canary-old-site.txt").write_text("the site before the release", encoding="utf-8")
    release = build(project, release=True, check=False)
    out = release.stdout + release.stderr
    assert release.returncode != 0 and "Traceback" not in out
    assert "make published content unsafe or false (pii)" in out
    assert f"data/glossary.yml:{_entry_line(project)}: pii: error: " in out
    assert (project / "site" / "canary-old-site.txt").is_file()  # the refused build replaced nothing
