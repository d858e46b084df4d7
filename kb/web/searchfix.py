"""A one-character fix to Material's search worker, applied to the built site.

Material 9.x splits a Chinese query into words found in the index, but its loop never tries the
last character of a run: a query for 性别主流化 becomes 性别, 低汞触媒 becomes 低 + 汞, and the
page about the whole term does not rank first. The fix lets the loop reach the end of the run.
If a future Material release changes the code, nothing is patched and the build says so."""

from __future__ import annotations

from pathlib import Path

BUGGY = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e"
FIXED = "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"


def patch_search_worker(site_dir: Path) -> list[Path]:
    """Patch every search worker under *site_dir*; return the files that are fixed (patched now or before)."""
    fixed = []
    for worker in sorted((site_dir / "assets" / "javascripts" / "workers").glob("search.*.min.js")):
        code = worker.read_text(encoding="utf-8")
        if BUGGY in code:
            worker.write_text(code.replace(BUGGY, FIXED, 1), encoding="utf-8")
            fixed.append(worker)
        elif FIXED in code:
            fixed.append(worker)
    return fixed
