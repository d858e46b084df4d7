"""Subset a font file with HarfBuzz the way WeasyPrint does (glyph ids kept), for the merged font of
a manual rendered in parts (kb.manual.parts).

WeasyPrint's own subsetter works on the HarfBuzz face of a Pango font in the render process; the
merge runs elsewhere, on the font file's bytes, so it needs hb_blob_create and hb_face_create, which
WeasyPrint's cffi bindings do not declare. fontTools subsets the same way but takes 14-24 s for a CJK
font (measured, ARCHITECTURE.md), HarfBuzz well under a second."""

from __future__ import annotations

from functools import cache
from typing import Any

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef void (*hb_destroy_func_t) (void *user_data);
hb_blob_t *hb_blob_create (const char *data, unsigned int length, int mode, void *user_data, hb_destroy_func_t destroy);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
uint32_t hb_tag_from_string (const char *str, int len);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
_MEMORY_MODE_READONLY = 1
# hb_subset_flags_t and hb_subset_sets_t (hb-subset.h)
_NO_HINTING = 0x01
_RETAIN_GIDS = 0x02
_DESUBROUTINIZE = 0x04
_PASSTHROUGH_UNRECOGNIZED = 0x20
_NOTDEF_OUTLINE = 0x40
_SETS_DROP_TABLE_TAG = 3
# the tables WeasyPrint drops (weasyprint/pdf/fonts.py, Font._harfbuzz_subset)
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


class SubsetError(RuntimeError):
    pass


@cache
def _lib() -> tuple[Any, Any]:
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    for name in ("harfbuzz-subset", "libharfbuzz-subset.so.0"):
        try:
            return ffi, ffi.dlopen(name)
        except OSError:
            continue
    raise SubsetError("libharfbuzz-subset is not installed (Debian: libharfbuzz-subset0)")


def subset_font(data: bytes, index: int, glyphs: set[int], *, notdef_outline: bool = False,
                hinting: bool = False) -> bytes:
    """*data* (a font file; *index*: the face in a collection) cut down to *glyphs*, every glyph
    keeping its id, in the two passes of WeasyPrint's subsetter (the second drops the empty
    glyphs after the last one kept)."""
    ffi, hb = _lib()
    if not glyphs:
        raise SubsetError("no glyphs to keep")
    buffer = ffi.from_buffer(data)
    blob = hb.hb_blob_create(buffer, len(data), _MEMORY_MODE_READONLY, ffi.NULL, ffi.NULL)
    face = hb.hb_face_create(blob, index)
    faces = [face]
    try:
        for keep, flags in (
            (sorted(glyphs), _RETAIN_GIDS | _PASSTHROUGH_UNRECOGNIZED | _DESUBROUTINIZE),
            (range(max(glyphs) + 1), _PASSTHROUGH_UNRECOGNIZED | _DESUBROUTINIZE | (0 if hinting else _NO_HINTING)),
        ):
            plan = hb.hb_subset_input_create_or_fail()
            if plan == ffi.NULL:
                raise SubsetError("HarfBuzz could not create a subset input")
            try:
                glyph_set = hb.hb_subset_input_glyph_set(plan)
                for gid in keep:
                    hb.hb_set_add(glyph_set, gid)
                hb.hb_subset_input_set_flags(plan, flags | (_NOTDEF_OUTLINE if notdef_outline else 0))
                drop = hb.hb_subset_input_set(plan, _SETS_DROP_TABLE_TAG)
                for tag in _DROP_TABLES:
                    hb.hb_set_add(drop, hb.hb_tag_from_string(tag, -1))
                subset = hb.hb_subset_or_fail(faces[-1], plan)
            finally:
                hb.hb_subset_input_destroy(plan)
            if subset == ffi.NULL:
                raise SubsetError("HarfBuzz could not subset the font")
            faces.append(subset)
        out_blob = hb.hb_face_reference_blob(faces[-1])
        length = ffi.new("unsigned int *")
        pointer = hb.hb_blob_get_data(out_blob, length)
        result = bytes(ffi.buffer(pointer, length[0]))
        hb.hb_blob_destroy(out_blob)
        if not result:
            raise SubsetError("HarfBuzz returned an empty font")
        return result
    finally:
        for f in faces:
            hb.hb_face_destroy(f)
        hb.hb_blob_destroy(blob)
