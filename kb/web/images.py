"""Photos lose their metadata on the way to the site: EXIF (camera owner, phone numbers typed into
captions, GPS position), XMP and IPTC blocks, PNG text chunks. Pillow (a maintained library, already
WeasyPrint's) rewrites only the images that carry any; JPEGs keep their quantisation tables
(quality="keep"), so nothing visible changes, and the orientation EXIF carried is applied first.

What counts as carrying metadata is read from the file's structure, not only from what Pillow reports:
a PNG chunk no image needs (text, time, a private chunk), a JPEG comment or application segment
other than JFIF, ICC and Adobe, and bytes after the image's end are all rewritten away."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from kb.project.fsutil import write_atomic

SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff")
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile_name", "comment", "photoshop", "iptc")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# the PNG chunks that make the picture (colour, transparency, size, animation); any other is carried away
PNG_PICTURE_CHUNKS = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
                                b"sBIT", b"pHYs", b"bKGD", b"cICP", b"acTL", b"fcTL", b"fdAT"})
# the JPEG application segments that make the picture (JFIF density, colour profile, Adobe colour transform)
JPEG_PICTURE_APPS = {0xE0: b"JFIF\0", 0xE2: b"ICC_PROFILE\0", 0xEE: b"Adobe"}
JPEG_RESTART_OR_STUFFED = frozenset({0x00, 0xFF, *range(0xD0, 0xD8)})


def _png_extra(data: bytes) -> bool:
    """Whether a PNG holds a chunk the picture does not need, or bytes after its end."""
    at = len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        kind = data[at + 4:at + 8]
        if kind not in PNG_PICTURE_CHUNKS:
            return True
        at += 12 + int.from_bytes(data[at:at + 4], "big")
        if kind == b"IEND":
            return at != len(data)
    return True  # cut short: rewritten if Pillow can read it


def _jpeg_extra(data: bytes) -> bool:
    """Whether a JPEG holds a comment, an application segment the picture does not need, or bytes
    after its end (entropy-coded data is skipped to the next marker that is not a restart)."""
    at = 2
    while at + 2 <= len(data):
        if data[at] != 0xFF:
            return True
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:  # end of image
            return at + 2 != len(data)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if marker == 0xFE or (0xE0 <= marker <= 0xEF and not data[at + 4:at + 2 + length].startswith(
                JPEG_PICTURE_APPS.get(marker, b"\xff"))):
            return True
        at += 2 + length
        if marker == 0xDA:  # start of scan: its entropy-coded data runs to the next real marker
            at = data.find(b"\xff", at)
            while at != -1 and at + 1 < len(data) and data[at + 1] in JPEG_RESTART_OR_STUFFED:
                at = data.find(b"\xff", at + 2 if data[at + 1] != 0xFF else at + 1)
            if at == -1:
                return True
    return True


def _extra_bytes(path: Path, image: Image.Image) -> bool:
    if image.format not in ("PNG", "JPEG"):
        return False
    data = path.read_bytes()
    return _png_extra(data) if image.format == "PNG" else _jpeg_extra(data)


def _carries_metadata(path: Path, image: Image.Image) -> bool:
    if _extra_bytes(path, image):
        return True
    if len(image.getexif()):
        return True
    if any(key in image.info for key in METADATA_KEYS):
        return True
    # PNG text chunks (tEXt, zTXt, iTXt) land in info as plain strings
    return image.format == "PNG" and any(isinstance(v, str) for k, v in image.info.items() if k not in ("dpi",))


def _clean_bytes(image: Image.Image) -> bytes:
    """The image without its metadata (the colour profile kept: it is no personal data)."""
    fmt = image.format or "PNG"
    icc = image.info.get("icc_profile")
    extra = {"icc_profile": icc} if icc else {}
    out = io.BytesIO()
    orientation = image.getexif().get(0x0112, 1)
    if fmt == "JPEG" and orientation == 1:
        # the same quantisation: no visible change; comment=b"": Pillow would copy the COM segment over
        image.save(out, format="JPEG", quality="keep", comment=b"", **extra)
    else:
        upright = ImageOps.exif_transpose(image) if orientation != 1 else image
        upright.save(out, format=fmt, **({"quality": 95, "comment": b""} if fmt == "JPEG" else {}), **extra)
    return out.getvalue()


def strip_metadata(site_dir: Path, folders: tuple[str, ...] = ()) -> list[Path]:
    """Rewrite every image under *site_dir* (or its *folders*) that carries metadata; return them."""
    roots = [site_dir / f for f in folders] if folders else [site_dir]
    done = []
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file() and not p.is_symlink()):
            try:
                with Image.open(path) as image:
                    if not _carries_metadata(path, image):
                        continue
                    data = _clean_bytes(image)
            except (UnidentifiedImageError, OSError, ValueError):
                continue  # not an image Pillow reads: the boundary and the checks say what it is
            write_atomic(path, data)
            done.append(path)
    return done
