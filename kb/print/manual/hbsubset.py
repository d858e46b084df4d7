"""Subset a font file with HarfBuzz (uharfbuzz) the way WeasyPrint does, glyph ids kept, for the
merged font of a manual rendered in parts (kb.print.manual.parts).

WeasyPrint's own subsetter works on the HarfBuzz face of a Pango font inside the render; the merge
runs elsewhere, on the font file's bytes. fontTools subsets the same way but takes 14-24 s for a
CJK font (measured, docs/adr/archive/architecture-notes-2026-12.md); HarfBuzz well under a second."""

from __future__ import annotations

import uharfbuzz as hb

# the tables WeasyPrint drops (weasyprint/pdf/fonts.py, Font._harfbuzz_subset)
_DROP_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")


class SubsetError(RuntimeError):
    pass


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


def subset_font(data: bytes, index: int, glyphs: set[int], *, notdef_outline: bool = False,
                hinting: bool = False) -> bytes:
    """*data* (a font file; *index*: the face in a collection) cut down to *glyphs*, every glyph
    keeping its id, in the two passes of WeasyPrint's subsetter (the second drops the empty
    glyphs after the last one kept)."""
    if not glyphs:
        raise SubsetError("no glyphs to keep")
    flags = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
    if notdef_outline:
        flags |= hb.SubsetFlags.NOTDEF_OUTLINE
    face = hb.Face(hb.Blob(data), index)
    for keep, extra in ((sorted(glyphs), hb.SubsetFlags.RETAIN_GIDS),
                        (range(max(glyphs) + 1), hb.SubsetFlags.DEFAULT if hinting else hb.SubsetFlags.NO_HINTING)):
        plan = hb.SubsetInput()
        plan.glyph_set.update(keep)
        plan.drop_table_tag_set.update(_tag(name) for name in _DROP_TABLES)
        plan.flags = flags | extra
        face = hb.subset(face, plan)
        if face is None:
            raise SubsetError("HarfBuzz could not subset the font")
    result = face.blob.data
    if not result:
        raise SubsetError("HarfBuzz returned an empty font")
    return bytes(result)
