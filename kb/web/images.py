"""Photos lose their metadata on the way to the site: EXIF (camera owner, phone numbers typed into
captions, GPS position), XMP and IPTC blocks, PNG text chunks. Pillow (a maintained library, already
WeasyPrint's) rewrites only the images that carry any; JPEGs keep their quantisation tables
(quality="keep"), so nothing visible changes, and the orientation EXIF carried is applied first."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from kb.project.fsutil import write_atomic

SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff")
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile_name", "comment", "photoshop", "iptc")


def _carries_metadata(image: Image.Image) -> bool:
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
        image.save(out, format="JPEG", quality="keep", **extra)  # the same quantisation: no visible change
    else:
        upright = ImageOps.exif_transpose(image) if orientation != 1 else image
        upright.save(out, format=fmt, **({"quality": 95} if fmt == "JPEG" else {}), **extra)
    return out.getvalue()


def strip_metadata(site_dir: Path, folders: tuple[str, ...] = ()) -> list[Path]:
    """Rewrite every image under *site_dir* (or its *folders*) that carries metadata; return them."""
    roots = [site_dir / f for f in folders] if folders else [site_dir]
    done = []
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file() and not p.is_symlink()):
            try:
                with Image.open(path) as image:
                    if not _carries_metadata(image):
                        continue
                    data = _clean_bytes(image)
            except (UnidentifiedImageError, OSError, ValueError):
                continue  # not an image Pillow reads: the boundary and the checks say what it is
            write_atomic(path, data)
            done.append(path)
    return done
