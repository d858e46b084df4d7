"""Benchmark of the HTML build's navigation (not a timed test): the same sectioned corpus built with
the project's mkdocs.yml and with Material's `navigation.prune` toggled, builds alternated, minimum of
two each. Called by ./scripts/bench --nav-sizes 120,480 (bench/run.py), or `python -m bench.nav`.

The corpus is bench.run's, its pages put into 4 programmes x sections of 20, as the real navigation
has programmes (level 1) with subsections (level 2): a flat corpus has nothing to prune."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from bench.corpus import _timed, make_corpus
from kb.build import generator

PROGRAMMES = 4
SECTION_SIZE = 20
PRUNE = "    - navigation.prune\n"


def _folder(i: int) -> str:
    return f"t{(i // SECTION_SIZE) % PROGRAMMES}/s{i // SECTION_SIZE:02d}"


def make_sectioned_corpus(dest: Path, pairs: int) -> Path:
    """bench.run's corpus with every page moved into programme/section folders (links kept working)."""
    make_corpus(dest, pairs)
    for lang in ("zh", "en"):
        docs = dest / "docs" / lang
        for page in sorted(docs.glob("p[0-9]*.md")):
            i = int(page.stem[1:])
            nxt = (i + 1) % pairs
            folder = docs / _folder(i)
            folder.mkdir(parents=True, exist_ok=True)
            text = page.read_text(encoding="utf-8").replace(f"(p{nxt:04d}.md)", f"(../../{_folder(nxt)}/p{nxt:04d}.md)")
            (folder / page.name).write_text(text, encoding="utf-8")
            page.unlink()
    return dest


def with_prune(mkdocs_yml: str, prune: bool) -> str:
    """The configuration with navigation.prune switched on or off, whatever the project has."""
    config = mkdocs_yml.replace(PRUNE, "")
    if prune:
        config, n = re.subn(r"^(\s*- navigation\.sections\n)", r"\1" + PRUNE, config, count=1, flags=re.MULTILINE)
        if n != 1:
            raise RuntimeError("mkdocs.yml has no `- navigation.sections` feature line to put navigation.prune after")
    return config


def _mean_page_kb(site: Path) -> float:
    pages = list(site.rglob("*.html"))
    return sum(p.stat().st_size for p in pages) / len(pages) / 1024 if pages else 0.0


def bench_navigation(sizes: list[int], work: Path) -> list[dict]:
    env = {**os.environ, "KB_PDF": "0", "KB_TODAY": "2026-11-21", "NO_MKDOCS_2_WARNING": "1"}
    rows = []
    for n in sizes:
        project = make_sectioned_corpus(work / f"nav-{n}", n)
        config = (project / "mkdocs.yml").read_text(encoding="utf-8")
        for name, prune in (("full", False), ("prune", True)):
            (project / f"mkdocs-{name}.yml").write_text(with_prune(config, prune), encoding="utf-8")
        times: dict[str, list[float]] = {"full": [], "prune": []}
        for _ in range(2):
            for name in times:
                times[name].append(_timed(generator.command("build", "-q", "-f", f"mkdocs-{name}.yml", "-d",
                                                            str(work / f"site-{name}")), project, env, ok=(0,)))
        rows.append({
            "pairs": n, "build_s": min(times["full"]), "prune_s": min(times["prune"]),
            "ratio": min(times["prune"]) / min(times["full"]),
            "page_kb": _mean_page_kb(work / "site-full"), "prune_page_kb": _mean_page_kb(work / "site-prune"),
        })
        shutil.rmtree(project, ignore_errors=True)
    return rows


def print_rows(rows: list[dict]) -> None:
    print(f"{'pairs':>6} {'build s':>8} {'prune s':>8} {'ratio':>6} {'page KB':>8} {'pruned KB':>9}")
    for r in rows:
        print(f"{r['pairs']:6d} {r['build_s']:8.1f} {r['prune_s']:8.1f} {r['ratio']:6.2f} {r['page_kb']:8.0f} {r['prune_page_kb']:9.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="120,480", help="page pairs per corpus (default 120,480)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-bench-nav-") as tmp:
        print_rows(bench_navigation([int(x) for x in args.sizes.split(",") if x], Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
