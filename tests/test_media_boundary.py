"""Media and images pass the same boundary as pages: a symlink in the media folder is never copied into
the site; photos lose their EXIF, XMP and PNG text metadata (GPS position, names) on the way to the
site, and nothing visible changes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from sitebuild import FIXTURES, build, make_project

from kb.content.video import VideoBlock, copy_media
from kb.web.images import strip_metadata


def test_a_symlink_in_the_media_folder_is_not_copied(tmp_path: Path):
    media, site = tmp_path / "media", tmp_path / "site"
    media.mkdir()
    (media / "talk.mp4").write_bytes(b"\0" * 32)
    secret = tmp_path / "outside-secret.mp4"
    secret.write_bytes(b"CANARY")
    (media / "leak.mp4").symlink_to(secret)
    blocks = [VideoBlock.from_meta({"video": {"file": name, "duration": "00:10"}}) for name in ("talk.mp4", "leak.mp4")]
    copied = copy_media([b for b in blocks if b is not None], media, site)
    assert copied == ["talk.mp4"]
    assert not (site / "media" / "leak.mp4").exists()


def _photo_with_gps(path: Path) -> None:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010E] = "王某 13800138000"  # ImageDescription
    gps = exif.get_ifd(0x8825)
    gps[2] = (39.0, 54.0, 27.0)  # GPSLatitude
    image.save(path, format="JPEG", exif=exif.tobytes(), quality=90)


def _png_with_text(path: Path) -> None:
    info = PngInfo()
    info.add_text("Author", "王某 13800138000")
    Image.new("RGB", (20, 20), (0, 120, 0)).save(path, format="PNG", pnginfo=info)


def test_photos_lose_their_metadata_and_keep_their_pixels(tmp_path: Path):
    _photo_with_gps(tmp_path / "photo.jpg")
    _png_with_text(tmp_path / "chart.png")
    Image.new("RGB", (10, 10)).save(tmp_path / "plain.png")
    before = Image.open(tmp_path / "photo.jpg").convert("RGB").tobytes()
    changed = strip_metadata(tmp_path)
    assert sorted(p.name for p in changed) == ["chart.png", "photo.jpg"]
    photo = Image.open(tmp_path / "photo.jpg")
    assert not len(photo.getexif()) and "13800138000" not in (tmp_path / "photo.jpg").read_bytes().decode("latin-1")
    assert photo.convert("RGB").tobytes() == before  # quality="keep": the same pixels
    assert b"13800138000" not in (tmp_path / "chart.png").read_bytes()
    assert strip_metadata(tmp_path) == []  # nothing left to remove


@pytest.mark.build
def test_a_photo_in_the_docs_reaches_the_site_without_its_gps_position(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    _photo_with_gps(project / "docs" / "zh" / "mercury" / "site-visit.jpg")
    page = project / "docs" / "zh" / "mercury" / "low-mercury.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n![现场照片](site-visit.jpg)\n", encoding="utf-8")
    build(project, check=False)
    published = project / "site" / "mercury" / "site-visit.jpg"
    assert published.is_file()
    assert not len(Image.open(io.BytesIO(published.read_bytes())).getexif())
    assert b"13800138000" not in published.read_bytes()
