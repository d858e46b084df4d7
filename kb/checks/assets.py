"""Personal data outside the pages: what the site serves or prints besides Markdown goes through the
same personal-data rule (kb.checks.page.pii_in_lines, one normaliser): subtitle files (their cues
are also the transcript printed under a video), text assets (CSV, TSV, plain text, JSON, XML), the
text an SVG shows, the names of files under docs/, and the glossary's entries (its definitions are
printed on the glossary page, in hover text and in the manuals' glossary). A project-wide step of
kb.checks.engine.run: it reads files, not one page. Findings name the file and the line (the cue's
line, the text's line, the glossary entry's ``- id:`` line, 1 for a file name).

Images carry no text here: their metadata is removed on the way to the site (kb.web.images)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from kb.checks import Context
from kb.checks.page import pii_in_lines
from kb.project.data import GlossaryTerm, first_lines
from kb.project.findings import Finding

SUBTITLE_SUFFIXES = frozenset({".vtt", ".srt"})
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".json", ".xml"}) | SUBTITLE_SUFFIXES
# SVG elements whose character data a reader never sees as text
SVG_HIDDEN = frozenset({"style", "script"})
GLOSSARY_ENTRY = r"^\s*-\s*id:\s*['\"]?([\w-]+)"


def personal_data_in_assets(ctx: Context, root: Path, glossary_path: Path,
                            glossary: list[GlossaryTerm]) -> list[Finding]:
    """The pii findings of every file under docs/ that is not a page (its name, and its text when it
    has any) and of the glossary."""
    out: list[Finding] = []
    languages = set(ctx.languages)
    for path in sorted(ctx.files):
        rel = PurePosixPath(path)
        out += pii_in_lines(path, [(1, " / ".join(rel.parts[1:]))], ctx)  # the name, as its address shows it
        suffix = rel.suffix.lower()
        is_page = suffix == ".md" and len(rel.parts) > 2 and rel.parts[1] in languages
        if is_page or suffix not in TEXT_SUFFIXES | {".svg"}:
            continue
        try:
            raw = (root / path).read_bytes()
        except OSError:
            continue  # the boundary listed it; a file gone since is no text to check
        if suffix == ".svg":
            out += pii_in_lines(path, svg_text_lines(raw), ctx)
            continue
        text = raw.decode("utf-8", "replace").removeprefix("\ufeff")
        lines = list(enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1))
        if suffix in SUBTITLE_SUFFIXES:
            lines = [(n, line) for n, line in lines if not _cue_timing_or_index(line)]
        out += pii_in_lines(path, lines, ctx)
    out += glossary_findings(ctx, root, glossary_path, glossary)
    return out


def _cue_timing_or_index(line: str) -> bool:
    """A subtitle line no reader sees as text: a timing line (00:00:01.000 --> …) or an SRT cue number."""
    stripped = line.strip()
    return "-->" in stripped or stripped.isdigit()


def glossary_findings(ctx: Context, root: Path, glossary_path: Path, glossary: list[GlossaryTerm]) -> list[Finding]:
    """Each glossary entry's printed strings (forms, definitions, source), reported at its ``- id:`` line."""
    where = glossary_path.relative_to(root).as_posix()
    entry_lines = first_lines(glossary_path, GLOSSARY_ENTRY)
    out: list[Finding] = []
    for term in glossary:
        definitions = (term.definition.zh, term.definition.en) if term.definition else ()
        strings = [term.zh, term.en, *term.zh_aliases, *term.en_aliases, *definitions, term.source]
        line = entry_lines.get(term.id, 1)
        # each string on its own: one string's digits never join the next string's
        for text in strings:
            out += pii_in_lines(where, [(line, " ".join(text.split("\n")))], ctx)
    return out


class _SvgText:
    """A target for the defused XML parser: the character data an SVG shows (outside <style> and
    <script>), and its aria-label values, with the line each starts on."""

    def __init__(self) -> None:
        self.parser: DET.DefusedXMLParser | None = None
        self.hidden = 0
        self.runs: list[tuple[int, str]] = []

    def _line(self) -> int:
        assert self.parser is not None
        return int(self.parser.parser.CurrentLineNumber)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag.rpartition("}")[2] in SVG_HIDDEN:
            self.hidden += 1
        label = attrib.get("aria-label")
        if label:
            self.runs.append((self._line(), label))

    def end(self, tag: str) -> None:
        if tag.rpartition("}")[2] in SVG_HIDDEN:
            self.hidden -= 1

    def data(self, text: str) -> None:
        if not self.hidden and text.strip():
            self.runs.append((self._line(), text))

    def close(self) -> list[tuple[int, str]]:
        return self.runs


def svg_text_lines(raw: bytes) -> list[tuple[int, str]]:
    """The text an SVG shows, one entry per source line (the runs of one line joined, as a <tspan>
    inside a <text> is read on); an SVG that does not parse gives none (check_svg reports it)."""
    target = _SvgText()
    parser = DET.DefusedXMLParser(target=target)
    target.parser = parser
    try:
        parser.feed(raw)
        runs = parser.close()
    except (DET.ParseError, DefusedXmlException, ValueError):
        return []
    by_line: dict[int, list[str]] = {}
    for line, text in runs:
        by_line.setdefault(line, []).append(text)
    return [(line, "".join(parts).replace("\n", " ")) for line, parts in sorted(by_line.items())]
