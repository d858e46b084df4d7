"""Bytes to the text every check sees: UTF-8 decoding (with a guess at what other bytes are) and
line-ending normalisation. Shared by the parser (kb.content.pages) and the gatekeeper
(kb.content.boundary), which must agree on what a page's text is."""

from __future__ import annotations

import unicodedata

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


# Characters that some readers count as a line break and git does not (YAML, Python's splitlines and
# browsers do; git blame counts "\n" only), and a CR that ends no CRLF pair: a line number taken from
# one side names another line on the other, so an approval's signed commit could be found on a line the
# reviewer never approved. Pages that hold them are refused where an approval is read.
LINE_SEPARATORS = {"\u2028": "U+2028 LINE SEPARATOR", "\u2029": "U+2029 PARAGRAPH SEPARATOR", "\u0085": "U+0085 NEXT LINE"}


def line_separator(text: str) -> tuple[int, str] | None:
    """The first line-separator character or bare CR in *text* (as decoded, before normalise_text):
    (its line as git counts lines, its name), or None."""
    for number, line in enumerate(text.split("\n"), 1):
        for index, char in enumerate(line):
            if char in LINE_SEPARATORS:
                return number, LINE_SEPARATORS[char]
            if char == "\r" and index != len(line) - 1:
                return number, "CR (a carriage return without a line feed)"
    return None


# Characters that change what a reader sees without being seen: bidirectional controls (Trojan Source:
# "approved" shown as "revoked") and invisible ones (a title that differs from another only by a
# zero-width space). Neither Chinese nor English needs any of them, so none is allowed in a page.
INVISIBLE = {
    **{chr(c): f"U+{c:04X} {unicodedata.name(chr(c))}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A),
                                                                   0x200E, 0x200F, 0x061C)},
    **{chr(c): f"U+{c:04X} {unicodedata.name(chr(c))}" for c in (0x200B, 0x200C, 0x200D, 0x2060, 0x00AD, 0x180E)},
    "\ufeff": "U+FEFF ZERO WIDTH NO-BREAK SPACE",
}


def invisible_character(text: str) -> tuple[int, str] | None:
    """The first bidirectional control or invisible character in *text* (a leading byte-order mark
    aside): (its line, its name), or None."""
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        for char in line:
            if char in INVISIBLE:
                return number, INVISIBLE[char]
    return None
