"""Bytes to the text every check sees: UTF-8 decoding (with a guess at what other bytes are) and
line-ending normalisation. Shared by the parser (kb.content.pages) and the gatekeeper
(kb.content.boundary), which must agree on what a page's text is."""

from __future__ import annotations

from charset_normalizer import from_bytes

BOM = "\ufeff"


def normalise_text(text: str) -> str:
    """BOM stripped, line endings normalised: the form every check sees."""
    if text.startswith(BOM):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(raw: bytes) -> tuple[str | None, str | None]:
    """Decode UTF-8 (with or without BOM). On failure return (None, "<guess>|<byte offset>")."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"{guess_encoding(raw)}|{exc.start}"


def guess_encoding(raw: bytes) -> str:
    """What non-UTF-8 bytes probably are. Chinese legacy encodings are tried first: statistical
    detectors often take a short GBK text for Korean."""
    for candidate in ("gb18030", "big5"):
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError:
            continue
        letters = [c for c in text if c.isalpha()]
        han = sum(1 for c in letters if "\u4e00" <= c <= "\u9fff")
        if letters and han / len(letters) > 0.3:
            return "GBK" if candidate == "gb18030" else "Big5"
    try:
        best = from_bytes(raw[:65536]).best()
        if best is not None:
            return best.encoding
    except Exception:
        pass
    return "unknown"
