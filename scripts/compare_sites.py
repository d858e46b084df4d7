"""What a site built by another generator lacks against ours: the files only our build has, and the
pages where what the project's hooks add is missing (the Content-Security-Policy, the page notices,
the glossary terms, the search index per language, the status data, the review pages, the PDFs).
Used by the pull-request workflow's non-blocking Zensical job to report what that generator drops.
Standard library only.

Usage: python3 scripts/compare_sites.py OURS OTHER [--output FILE]   (Markdown; exit 0 either way)"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# What the project's hooks put into a page, as the reader's browser gets it, with what it is for.
PAGE_MARKS = {
    'http-equiv="Content-Security-Policy"': "Content-Security-Policy (script only from the site)",
    'class="kb-': "the project's notices and badges (review state, translation, gaps)",
}
# Files the finish stage writes, with what they are for.
OUTPUTS = {
    "status.json": "the completeness report's data",
    "review/index.html": "the side-by-side review view",
    "search/zh.json": "the Chinese search index",
    "downloads": "the PDF manuals, handouts and panels",
    "manifest-zh.webmanifest": "installable offline reading",
    "offline.json": "the pages a reader can save for offline reading",
}


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def compare(ours: Path, other: Path) -> list[str]:
    """Markdown lines: outputs missing from *other*, pages missing, and pages lacking the hooks' marks."""
    lines = [f"# What `{other}` lacks against `{ours}`", ""]
    missing_outputs = [f"- `{name}`: {why}" for name, why in OUTPUTS.items()
                       if (ours / name).exists() and not (other / name).exists()]
    lines += ["## Outputs of the finish stage", ""] + (missing_outputs or ["- none missing"]) + [""]
    our_pages, other_pages = _pages(ours), _pages(other)
    gone = sorted(our_pages - other_pages)
    lines += [f"## Pages: {len(our_pages)} in ours, {len(other_pages)} in the other, {len(gone)} missing", ""]
    lines += [f"- `{rel}`" for rel in gone[:50]] + ([f"- … and {len(gone) - 50} more"] if len(gone) > 50 else []) + [""]
    lines += ["## What the hooks add to pages", "", "| mark | pages with it in ours | in the other |", "|---|---|---|"]
    for mark, why in PAGE_MARKS.items():
        def count(site: Path, pages: set[str], mark: str = mark) -> int:
            return sum(1 for rel in pages if mark in (site / rel).read_text(encoding="utf-8", errors="replace"))
        lines.append(f"| {why} | {count(ours, our_pages)} | {count(other, our_pages & other_pages)} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ours", type=Path)
    parser.add_argument("other", type=Path)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.other.is_dir():
        text = f"# `{args.other}` was not built\n\nThe other generator produced no site: everything is missing.\n"
    else:
        text = "\n".join(compare(args.ours, args.other)) + "\n"
    if args.output:
        with args.output.open("a", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
